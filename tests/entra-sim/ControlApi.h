// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "SimHttp.h"

// The simulator's control API under /_sim (JSON, no auth, loopback only): seed tenants, apps, grants, users and
// role assignments, set and clear faults, read a tenant's state and the request log, reset. What it seeds is read by
// Scenarios.h, in the JSON of scenario files (README.md documents every call).
namespace stint::entrasim {

class Simulator;

class ControlApi
{
public:
    explicit ControlApi(Simulator& simulator);

    // `rest` is the path after "/_sim".
    SimResponse handle(const SimRequest& request, const QString& rest);

private:
    Simulator& m_simulator;
};

} // namespace stint::entrasim
