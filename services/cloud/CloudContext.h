// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudConfig.h"
#include "core/Clock.h"
#include "core/Crypto.h"
#include "store/Database.h"

namespace stint::cloud {

class AuditLog;
class EventHub;
class Sessions;
class RateLimiter;
class Metrics;

// The parts of the running service that handlers use. Passed in, never global.
struct CloudContext
{
    const CloudConfig& config;
    const Clock& clock;
    store::Database& db;
    AuditLog& audit;
    EventHub& events;
    Sessions& sessions;
    RateLimiter& limiter;
    Metrics& metrics;
    QString origin; // the effective public origin (config, or http://localhost:<port>)
    QString rpId;
};

} // namespace stint::cloud
