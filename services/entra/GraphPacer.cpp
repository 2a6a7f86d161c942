// SPDX-License-Identifier: GPL-3.0-or-later
#include "entra/GraphPacer.h"

#include "entra/EntraLogging.h"

#include <QUrlQuery>
#include <cmath>

namespace stint::entra {

GraphPacer::Cost& GraphPacer::Cost::operator+=(const Cost& other)
{
    units += other.units;
    writes += other.writes;
    requests += other.requests;
    return *this;
}

GraphPacer::GraphPacer(GraphBudgets budgets, const Clock* clock, std::function<void(qint64)> sleep)
    : m_budgets(budgets)
    , m_clock(clock)
    , m_sleep(std::move(sleep))
{
}

void GraphPacer::Bucket::refill(TimeMs now)
{
    if (now > updated)
        level = std::min(capacity, level + double(now - updated) * perMs);
    updated = std::max(updated, now);
}

qint64 GraphPacer::Bucket::waitMs() const
{
    if (level >= 0 || perMs <= 0)
        return 0;
    return qint64(std::ceil(-level / perMs));
}

GraphPacer::Scope& GraphPacer::scope(const QString& key, bool tenantScope, TimeMs now)
{
    auto it = m_scopes.find(key);
    if (it != m_scopes.end())
        return it->second;
    const auto bucket = [&](double quota, qint64 windowMs) {
        Bucket b;
        b.capacity = std::max(1.0, quota * m_budgets.headroom);
        b.perMs = b.capacity / double(std::max<qint64>(1, windowMs));
        b.level = b.capacity;
        b.updated = now;
        return b;
    };
    Scope created;
    if (tenantScope) {
        created.units = bucket(m_budgets.tenantUnits, m_budgets.tenantUnitsWindowMs);
        created.writes = bucket(m_budgets.tenantWrites, m_budgets.tenantWritesWindowMs);
        created.requests = bucket(1e12, 1); // no request-count limit per tenant
    } else {
        created.units = bucket(m_budgets.appUnits, m_budgets.appUnitsWindowMs);
        created.writes = bucket(m_budgets.appWrites, m_budgets.appWritesWindowMs);
        created.requests = bucket(m_budgets.appRequests, m_budgets.appRequestsWindowMs);
    }
    return m_scopes.emplace(key, created).first->second;
}

Result<void> GraphPacer::acquire(const QString& appId, const QString& tenantId, const Cost& cost, TimeMs deadline)
{
    qint64 wait = 0;
    {
        std::lock_guard lock(m_mutex);
        const TimeMs now = m_clock->now();
        const QString app = appId.toLower();
        Scope& tenant = scope(app + QLatin1Char('|') + tenantId.toLower(), true, now);
        Scope& global = scope(app, false, now);
        for (Scope* s : {&tenant, &global}) {
            s->units.refill(now);
            s->writes.refill(now);
            s->requests.refill(now);
        }
        const auto charge = [&](double sign) {
            for (Scope* s : {&tenant, &global}) {
                s->units.level -= sign * cost.units;
                s->writes.level -= sign * cost.writes;
                s->requests.level -= sign * cost.requests;
            }
        };
        // Reserve first, then wait for the reservation to mature: callers are served in the order they asked.
        charge(1);
        for (Scope* s : {&tenant, &global})
            wait = std::max({wait, s->units.waitMs(), s->writes.waitMs(), s->requests.waitMs()});
        wait = std::max(wait, tenant.pausedUntil - now);
        if (now + wait > deadline) {
            charge(-1);
            return makeError(
                QString::fromLatin1(kThrottled),
                QStringLiteral("Graph's budget for this tenant would not allow the call for %1 s").arg(wait / 1000));
        }
    }
    if (wait > 0) {
        qCDebug(lcEntra) << "pacing: waiting" << wait << "ms for Graph budget of tenant" << tenantId;
        m_sleep(wait);
    }
    return {};
}

void GraphPacer::pause(const QString& appId, const QString& tenantId, TimeMs until)
{
    std::lock_guard lock(m_mutex);
    const TimeMs now = m_clock->now();
    Scope& tenant = scope(appId.toLower() + QLatin1Char('|') + tenantId.toLower(), true, now);
    tenant.pausedUntil = std::max(tenant.pausedUntil, until);
}

GraphPacer::Cost GraphPacer::costOf(const QByteArray& method, const QString& relativeUrl)
{
    Cost cost;
    const qsizetype q = relativeUrl.indexOf(QLatin1Char('?'));
    const QString path = q < 0 ? relativeUrl : relativeUrl.left(q);
    if (method.toUpper() != "GET") {
        cost.writes = 1;
        return cost;
    }
    int units = path.startsWith(QStringLiteral("/users")) ? 2 : 1;
    if (q >= 0) {
        const QUrlQuery query(relativeUrl.mid(q + 1));
        if (query.hasQueryItem(QStringLiteral("$select")))
            units -= 1;
        if (query.hasQueryItem(QStringLiteral("$expand")))
            units += 1;
        if (query.hasQueryItem(QStringLiteral("$top")) && query.queryItemValue(QStringLiteral("$top")).toInt() < 20)
            units -= 1;
    }
    cost.units = std::max(1, units);
    return cost;
}

} // namespace stint::entra
