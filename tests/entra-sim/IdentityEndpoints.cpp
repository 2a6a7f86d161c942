// SPDX-License-Identifier: GPL-3.0-or-later
// PLACEHOLDER owned by part B (branch simid): answers 404 until the identity endpoints land.
#include "IdentityEndpoints.h"

#include <QJsonObject>

namespace stint::entrasim {

IdentityEndpoints::IdentityEndpoints(Simulator& simulator)
    : m_simulator(simulator)
{
}

SimResponse IdentityEndpoints::handle(const SimRequest&, const QString&, const QString&)
{
    (void)m_simulator;
    return SimResponse::json(404, QJsonObject{{"error", "not_found"},
                                              {"error_description", "The identity endpoints are not implemented yet."}});
}

} // namespace stint::entrasim
