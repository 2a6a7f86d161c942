// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudConfig.h"
#include "core/Clock.h"
#include "core/Crypto.h"
#include "models/Checkout.h"
#include "store/Database.h"

#include <functional>
#include <optional>

namespace stint::entra {
class EntraGateway;
}

namespace stint::cloud {

class WorkerPool;
namespace tenants {
class TenantListAnswers;
}

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

    // Keys derived from the master key for what is sealed inside the (already encrypted) store, so that a row copied
    // elsewhere stays unreadable: checkout credentials, and tenant connection secrets.
    const crypto::SecretBytes& credentialsKey;
    const crypto::SecretBytes& connectionsKey;
    // Blocking Graph work runs here, never on the thread that serves HTTP; results come back to it.
    WorkerPool& workers;
    // The customer tenants' Entra ID, as whole jobs (see entra/EntraGateway.h). Call it only from `workers`.
    entra::EntraGateway& entra;

    // Told of every change of a checkout, inside the change's transaction (`previous` is unset for a new checkout).
    // CloudService points it at the provisioning engine, which re-arms its deadline and, once the change has
    // committed, tells its listeners (webhooks). Unset where no engine runs (the command-line tools).
    std::function<void(const models::Checkout&, std::optional<models::CheckoutState> previous)> checkoutChanged = {};

    // The tenant lists answered since the store last changed (tenants/TenantListAnswers.h), over `db`. Unset where
    // none is kept (the command-line tools): every list is then read.
    tenants::TenantListAnswers* tenantLists = nullptr;
};

} // namespace stint::cloud
