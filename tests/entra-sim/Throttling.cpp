// SPDX-License-Identifier: GPL-3.0-or-later
#include "Throttling.h"

#include "Faults.h"

#include <QUrlQuery>
#include <cmath>

namespace stint::entrasim {

Throttling::Throttling(const Clock& clock, const Faults& faults)
    : m_clock(clock)
    , m_faults(faults)
{
}

int Throttling::resourceUnits(const QByteArray& method, const QString& graphPath, const QUrlQuery& query)
{
    int cost = 1;
    if (method == "GET" && (graphPath == QLatin1String("/users") || graphPath.startsWith(QLatin1String("/users/"))))
        cost = 2;
    if (query.hasQueryItem(QStringLiteral("$select")))
        cost -= 1;
    if (query.hasQueryItem(QStringLiteral("$expand")))
        cost += 1;
    if (query.hasQueryItem(QStringLiteral("$top"))) {
        bool ok = false;
        const int top = query.queryItemValue(QStringLiteral("$top")).toInt(&ok);
        if (ok && top < 20)
            cost -= 1;
    }
    return qMax(1, cost);
}

double Throttling::level(const Limit& limit, TimeMs now)
{
    auto it = m_buckets.find(limit.key);
    if (it == m_buckets.end())
        it = m_buckets.insert(limit.key, Bucket {limit.capacity, now});
    Bucket& b = *it;
    const double rate = limit.capacity / double(limit.windowMs); // per ms
    b.tokens = qMin(limit.capacity, b.tokens + double(qMax<qint64>(0, now - b.updated)) * rate);
    b.updated = now;
    return b.tokens;
}

ThrottleDecision Throttling::charge(const QString& tenantId, const QString& appId, TenantSize size, int resourceUnits,
                                    bool write)
{
    const double scale = m_faults.throttleScale();
    const double ruPerTenantApp = size == TenantSize::L ? 8000 : size == TenantSize::M ? 5000 : 3500;
    const QString pair = QStringLiteral("Tenant_Application/ReadWrite/%1/%2").arg(appId, tenantId);
    QList<Limit> limits {
        {QStringLiteral("ru|") + appId + '|' + tenantId, qMax(1.0, ruPerTenantApp * scale), 10'000,
         double(resourceUnits), pair, QStringLiteral("ResourceUnitLimitExceeded")},
        {QStringLiteral("ru|") + appId, qMax(1.0, 150000 * scale), 20'000, double(resourceUnits),
         QStringLiteral("Application/ReadWrite/%1").arg(appId), QStringLiteral("ResourceUnitLimitExceeded")},
    };
    if (write) {
        limits.append({QStringLiteral("w|") + appId + '|' + tenantId, qMax(1.0, 3000 * scale), 150'000, 1, pair,
                       QStringLiteral("WriteLimitExceeded")});
        limits.append({QStringLiteral("w|") + appId, qMax(1.0, 70000 * scale), 300'000, 1,
                       QStringLiteral("Application/ReadWrite/%1").arg(appId), QStringLiteral("WriteLimitExceeded")});
        limits.append({QStringLiteral("w|t|") + tenantId, qMax(1.0, 18000 * scale), 300'000, 1,
                       QStringLiteral("Tenant/ReadWrite/%1").arg(tenantId), QStringLiteral("WriteLimitExceeded")});
    }
    const TimeMs now = m_clock.now();
    ThrottleDecision decision;
    for (const Limit& limit : limits) {
        const double tokens = level(limit, now);
        if (tokens < limit.cost) {
            const double rate = limit.capacity / double(limit.windowMs);
            const double waitMs = (limit.cost - tokens) / rate;
            const int seconds = qMax(1, int(std::ceil(waitMs / 1000.0)));
            if (decision.allowed || seconds > decision.retryAfterSeconds) {
                decision.retryAfterSeconds = seconds;
                decision.scope = limit.scope;
                decision.information = limit.information;
            }
            decision.allowed = false;
        }
    }
    if (!decision.allowed)
        return decision;
    for (const Limit& limit : limits) {
        Bucket& b = m_buckets[limit.key];
        b.tokens -= limit.cost;
        decision.usedFraction = qMax(decision.usedFraction, 1.0 - b.tokens / limit.capacity);
    }
    return decision;
}

} // namespace stint::entrasim
