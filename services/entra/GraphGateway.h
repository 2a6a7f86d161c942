// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "entra/EntraGateway.h"

#include <memory>

namespace stint::entra {

// Tuning of the real gateway. Defaults are for production.
struct GraphGatewayOptions
{
    const Clock* clock = nullptr; // nullptr: the system clock
};

// The real EntraGateway: OAuth client credentials against the tenant's authority and Microsoft Graph v1.0.
std::unique_ptr<EntraGateway> makeGraphGateway(const GraphGatewayOptions& options = {});

} // namespace stint::entra
