// SPDX-License-Identifier: GPL-3.0-or-later
#include "Faults.h"

#include "AccessTokens.h"

#include <QJsonArray>

namespace stint::entrasim {

bool FaultScope::matches(const QString& requestTenantId, const QString& path) const
{
    if (!tenantId.isEmpty() && tenantId.compare(requestTenantId, Qt::CaseInsensitive) != 0)
        return false;
    return pathPrefix.isEmpty() || path.startsWith(pathPrefix, Qt::CaseInsensitive);
}

QJsonObject FaultScope::toJson() const
{
    QJsonObject o;
    if (!tenantId.isEmpty())
        o.insert("tenantId", tenantId);
    if (!pathPrefix.isEmpty())
        o.insert("pathPrefix", pathPrefix);
    return o;
}

Faults::Faults(AccessTokens& tokens)
    : m_tokens(tokens)
{
}

void Faults::failNext(int count, int status, const FaultScope& scope)
{
    m_failures.append({scope, count, status});
}

void Faults::setFailureRate(double rate, quint32 seed, int status, const FaultScope& scope)
{
    m_failureRates.append({scope, rate, status, std::mt19937(seed)});
}

void Faults::setLatency(int ms, const FaultScope& scope)
{
    m_latencies.append({scope, ms});
}

void Faults::dropNext(int count, const FaultScope& scope)
{
    m_drops.append({scope, count, 0});
}

void Faults::throttleNext(int count, int retryAfterSeconds, const FaultScope& scope)
{
    m_throttles.append({scope, count, retryAfterSeconds});
}

void Faults::setReplicationLag(qint64 ms, const QString& tenantId)
{
    if (tenantId.isEmpty())
        m_lagAll = ms;
    else
        m_lagByTenant.insert(tenantId.toLower(), ms);
}

void Faults::setThrottleScale(double scale)
{
    m_throttleScale = scale;
}

void Faults::expireAllTokens()
{
    m_tokens.expireAllIssued();
}

void Faults::setTokenLifetimeSeconds(int seconds)
{
    m_tokens.setLifetimeSeconds(seconds);
}

void Faults::clear()
{
    m_failures.clear();
    m_failureRates.clear();
    m_latencies.clear();
    m_drops.clear();
    m_throttles.clear();
    m_lagAll = 0;
    m_lagByTenant.clear();
    m_throttleScale = 1.0;
    m_tokens.setLifetimeSeconds(3599);
}

int Faults::latencyMs(const QString& tenantId, const QString& path) const
{
    int ms = 0;
    for (const Latency& l : m_latencies) {
        if (l.scope.matches(tenantId, path))
            ms = qMax(ms, l.ms);
    }
    return ms;
}

int Faults::takeCounted(QList<Counted>& list, const QString& tenantId, const QString& path)
{
    for (auto it = list.begin(); it != list.end(); ++it) {
        if (it->remaining > 0 && it->scope.matches(tenantId, path)) {
            const int value = it->value;
            if (--it->remaining == 0)
                list.erase(it);
            return value == 0 ? 1 : value;
        }
    }
    return 0;
}

bool Faults::takeDrop(const QString& tenantId, const QString& path)
{
    return takeCounted(m_drops, tenantId, path) != 0;
}

int Faults::takeFailure(const QString& tenantId, const QString& path)
{
    if (const int status = takeCounted(m_failures, tenantId, path))
        return status;
    for (Rate& r : m_failureRates) {
        if (!r.scope.matches(tenantId, path))
            continue;
        std::uniform_real_distribution<double> uniform(0.0, 1.0);
        if (uniform(r.generator) < r.rate)
            return r.status;
    }
    return 0;
}

int Faults::takeForcedThrottle(const QString& tenantId, const QString& path)
{
    return takeCounted(m_throttles, tenantId, path);
}

qint64 Faults::replicationLagMs(const QString& tenantId) const
{
    return m_lagByTenant.value(tenantId.toLower(), m_lagAll);
}

QJsonObject Faults::toJson() const
{
    QJsonArray failures, rates, latencies, drops, throttles;
    for (const Counted& c : m_failures)
        failures.append(QJsonObject {{"count", c.remaining}, {"status", c.value}, {"scope", c.scope.toJson()}});
    for (const Rate& r : m_failureRates)
        rates.append(QJsonObject {{"rate", r.rate}, {"status", r.status}, {"scope", r.scope.toJson()}});
    for (const Latency& l : m_latencies)
        latencies.append(QJsonObject {{"ms", l.ms}, {"scope", l.scope.toJson()}});
    for (const Counted& c : m_drops)
        drops.append(QJsonObject {{"count", c.remaining}, {"scope", c.scope.toJson()}});
    for (const Counted& c : m_throttles)
        throttles.append(
            QJsonObject {{"count", c.remaining}, {"retryAfterSeconds", c.value}, {"scope", c.scope.toJson()}});
    QJsonObject lag {{"all", m_lagAll}};
    for (auto it = m_lagByTenant.begin(); it != m_lagByTenant.end(); ++it)
        lag.insert(it.key(), it.value());
    return QJsonObject {{"failures", failures},
                        {"failureRates", rates},
                        {"latency", latencies},
                        {"drops", drops},
                        {"throttles", throttles},
                        {"replicationLagMs", lag},
                        {"throttleScale", m_throttleScale},
                        {"tokenLifetimeSeconds", m_tokens.lifetimeSeconds()}};
}

} // namespace stint::entrasim
