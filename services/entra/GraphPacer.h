// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"

#include <QHash>
#include <QString>
#include <functional>
#include <map>
#include <mutex>

// Keeps Stint under Microsoft Graph's documented budgets (protocols.md 2.10) by waiting *before* sending: token
// buckets per (app, tenant) for resource units and writes, and per app for resource units, writes and requests per
// second across all tenants. A throttled response pauses its (app, tenant) until Retry-After has passed, so the other
// workers of that tenant wait too instead of collecting 429s of their own.
namespace stint::entra {

inline constexpr auto kThrottled = "entra.throttled"; // Graph's budget would not allow the call within its deadline

struct GraphBudgets
{
    // Identity and access limits. Stint does not know a tenant's size, so it assumes the smallest (S: < 50 users).
    double tenantUnits = 3500;
    qint64 tenantUnitsWindowMs = 10'000;
    double tenantWrites = 3000;
    qint64 tenantWritesWindowMs = 150'000;
    double appUnits = 150'000;
    qint64 appUnitsWindowMs = 20'000;
    double appWrites = 70'000;
    qint64 appWritesWindowMs = 300'000;
    double appRequests = 2000; // the global limit per app across all tenants
    qint64 appRequestsWindowMs = 1000;
    // The fraction of every budget Stint allows itself: other software may use the same app, and the service's
    // accounting is not ours to the unit.
    double headroom = 0.8;
};

class GraphPacer
{
public:
    struct Cost
    {
        int units = 1;
        int writes = 0;
        int requests = 1; // a $batch is one request for the global limit, each item costs its own units
        Cost& operator+=(const Cost& other);
    };

    GraphPacer(GraphBudgets budgets, const Clock* clock, std::function<void(qint64 ms)> sleep);

    // Reserves `cost` and returns once it may be spent (after waiting if need be), or fails with entra.throttled —
    // reserving nothing — when that would be after `deadline`.
    Result<void> acquire(const QString& appId, const QString& tenantId, const Cost& cost, TimeMs deadline);

    // Graph throttled (app, tenant): nothing more is sent for it before `until`.
    void pause(const QString& appId, const QString& tenantId, TimeMs until);

    // The documented cost of one request: 1 unit (GET /users: 2), $select −1, $expand +1, $top < 20 −1, at least 1;
    // anything but GET also costs one write.
    static Cost costOf(const QByteArray& method, const QString& relativeUrl);

private:
    struct Bucket
    {
        double capacity = 0;
        double perMs = 0;
        double level = 0;
        TimeMs updated = 0;
        void refill(TimeMs now);
        qint64 waitMs() const; // until level >= 0
    };
    struct Scope
    {
        Bucket units, writes, requests;
        TimeMs pausedUntil = 0;
    };
    Scope& scope(const QString& key, bool tenantScope, TimeMs now);

    GraphBudgets m_budgets;
    const Clock* m_clock;
    std::function<void(qint64)> m_sleep;
    std::mutex m_mutex;
    std::map<QString, Scope> m_scopes; // node-based: references stay valid as scopes are added
};

} // namespace stint::entra
