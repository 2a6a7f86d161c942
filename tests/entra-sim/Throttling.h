// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "SimState.h"

#include <QHash>
#include <QString>

// Graph's identity-and-access throttling (protocols.md 2.10): token buckets refilling continuously, per
// application+tenant (resource units by tenant size, and writes), per application across tenants, and per tenant
// across applications. Always on; Faults::setThrottleScale() shrinks every budget for tests.
namespace stint::entrasim {

class Faults;

struct ThrottleDecision
{
    bool allowed = true;
    int retryAfterSeconds = 0;
    QString scope; // x-ms-throttle-scope, e.g. "Tenant_Application/ReadWrite/{appId}/{tenantId}"
    QString information; // x-ms-throttle-information: ResourceUnitLimitExceeded | WriteLimitExceeded
    double usedFraction = 0; // of the tightest bucket, after this request
};

class Throttling
{
public:
    Throttling(const Clock& clock, const Faults& faults);

    // Resource-unit cost of one request (protocols.md 2.10): 1, GET users 2, $select −1, $expand +1, $top<20 −1,
    // at least 1.
    static int resourceUnits(const QByteArray& method, const QString& graphPath, const QUrlQuery& query);

    // Charges the request to every bucket it falls in, or to none when any of them is short.
    ThrottleDecision charge(const QString& tenantId, const QString& appId, TenantSize size, int resourceUnits,
                            bool write);
    void reset() { m_buckets.clear(); }

private:
    struct Bucket
    {
        double tokens = 0;
        TimeMs updated = 0;
    };
    struct Limit
    {
        QString key;
        double capacity;
        qint64 windowMs;
        double cost;
        QString scope;
        QString information;
    };
    double level(const Limit& limit, TimeMs now);

    const Clock& m_clock;
    const Faults& m_faults;
    QHash<QString, Bucket> m_buckets;
};

} // namespace stint::entrasim
