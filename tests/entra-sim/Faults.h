// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <random>

// Injected failures: 5xx answers, latency, dropped connections, forced throttling, replication lag, and the
// token-side faults (expire every issued token, short token lifetimes). Each fault may be scoped to a tenant id
// and/or a path prefix ("/v1.0/users", "/common/oauth2"). Throttling by budget (Throttling.h) is always on; only its
// scale is set here.
namespace stint::entrasim {

class AccessTokens;

struct FaultScope
{
    QString tenantId; // empty → any tenant
    QString pathPrefix; // empty → any path

    bool matches(const QString& requestTenantId, const QString& path) const;
    QJsonObject toJson() const;
};

class Faults
{
public:
    explicit Faults(AccessTokens& tokens);

    // The next `count` matching requests answer `status` (500, 502, 503 or 504).
    void failNext(int count, int status = 503, const FaultScope& scope = {});
    // Each matching request fails with probability `rate`, drawn from a generator seeded with `seed` (repeatable).
    void setFailureRate(double rate, quint32 seed, int status = 503, const FaultScope& scope = {});
    // Every matching Graph and identity request is answered `ms` later (asynchronously: requests do not queue).
    void setLatency(int ms, const FaultScope& scope = {});
    // The next `count` matching requests have their connection closed without an answer.
    void dropNext(int count, const FaultScope& scope = {});
    // The next `count` matching Graph requests (or $batch items) get 429 with this Retry-After.
    void throttleNext(int count, int retryAfterSeconds = 1, const FaultScope& scope = {});
    // Objects created or changed through Graph stay invisible/old to other requests for `ms` (protocols.md 2.11).
    void setReplicationLag(qint64 ms, const QString& tenantId = {});
    // Multiplies every throttling budget (protocols.md 2.10); tests shrink it, e.g. 0.001.
    void setThrottleScale(double scale);
    // Every access token issued so far is expired from now on.
    void expireAllTokens();
    void setTokenLifetimeSeconds(int seconds);
    // Removes every fault and restores the documented budgets and token lifetime.
    void clear();

    // ---- decisions, asked by the simulator per request ----
    int latencyMs(const QString& tenantId, const QString& path) const;
    bool takeDrop(const QString& tenantId, const QString& path);
    int takeFailure(const QString& tenantId, const QString& path); // 0 = none
    int takeForcedThrottle(const QString& tenantId, const QString& path); // Retry-After seconds, 0 = none
    qint64 replicationLagMs(const QString& tenantId) const;
    double throttleScale() const { return m_throttleScale; }

    QJsonObject toJson() const;

private:
    struct Counted
    {
        FaultScope scope;
        int remaining = 0;
        int value = 0; // status or Retry-After
    };
    struct Rate
    {
        FaultScope scope;
        double rate = 0;
        int status = 503;
        std::mt19937 generator;
    };
    struct Latency
    {
        FaultScope scope;
        int ms = 0;
    };
    static int takeCounted(QList<Counted>& list, const QString& tenantId, const QString& path);

    AccessTokens& m_tokens;
    QList<Counted> m_failures;
    QList<Rate> m_failureRates;
    QList<Latency> m_latencies;
    QList<Counted> m_drops;
    QList<Counted> m_throttles;
    qint64 m_lagAll = 0;
    QHash<QString, qint64> m_lagByTenant;
    double m_throttleScale = 1.0;
};

} // namespace stint::entrasim
