// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "SimHttp.h"

// login.microsoftonline.com: token endpoint, admin consent, authorize + sign-in page, discovery/JWKS.
// PLACEHOLDER owned by part B (branch simid): replace this file and IdentityEndpoints.cpp. The Simulator constructs
// one IdentityEndpoints(Simulator&) and calls handle() for every request whose first path segment is not "v1.0",
// "beta" or "_sim"; faults (latency, drops, 5xx) are applied around it by the Simulator.
namespace stint::entrasim {

class Simulator;

class IdentityEndpoints
{
public:
    explicit IdentityEndpoints(Simulator& simulator);

    // `tenantSegment` is the first path segment ("common", a GUID or a domain); `rest` the path after it
    // ("/oauth2/v2.0/token").
    SimResponse handle(const SimRequest& request, const QString& tenantSegment, const QString& rest);

private:
    Simulator& m_simulator;
};

} // namespace stint::entrasim
