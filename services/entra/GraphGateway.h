// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "entra/EntraGateway.h"
#include "entra/GraphClient.h"
#include "entra/TokenProvider.h"

#include <functional>
#include <memory>

namespace stint::entra {

// Tuning of the real gateway. Defaults are for production.
struct GraphGatewayOptions
{
    const Clock* clock = nullptr; // nullptr: the system clock
    // Every wait (backoff, Retry-After, pacing, read-back) goes through this; nullptr: sleep the calling thread.
    // Tests inject one that advances a ManualClock instead.
    std::function<void(qint64 ms)> sleep;
    // The tag Stint writes into employeeType of every account it makes, and the only accounts it will touch.
    QString accountTag = QStringLiteral("Stint JIT");
    int passwordLength = 20;
    // Read-backs after provisioning or revocation while replication lag hides the writes (then: not confirmed).
    int readBackAttempts = 6;
    qint64 readBackBaseDelayMs = 1000;
    GraphClientOptions graph; // its clock and sleep are set from the ones above
    TokenProviderOptions tokens; // likewise
};

// The real EntraGateway: OAuth client credentials against the tenant's authority and Microsoft Graph v1.0.
std::unique_ptr<EntraGateway> makeGraphGateway(const GraphGatewayOptions& options = {});

// Generates a password for an Entra account: `length` (≥ 16) characters from a CSPRNG with an upper-case letter, a
// lower-case letter, a digit and a symbol (Entra asks for three of the four classes).
crypto::SecretBytes newAccountPassword(int length);

} // namespace stint::entra
