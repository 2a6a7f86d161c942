// SPDX-License-Identifier: GPL-3.0-or-later
#include "ControlApi.h"

#include "Simulator.h"

namespace stint::entrasim {

ControlApi::ControlApi(Simulator& simulator)
    : m_simulator(simulator)
{
}

SimResponse ControlApi::handle(const SimRequest& request, const QString& rest)
{
    if (rest == QLatin1String("/health") && request.method == "GET")
        return SimResponse::json(200, QJsonObject{{"status", "ok"}});
    if (rest == QLatin1String("/reset") && request.method == "POST") {
        m_simulator.reset();
        return SimResponse::json(200, QJsonObject{{"status", "reset"}});
    }
    return SimResponse::json(404, QJsonObject{{"error", "No such control call."}});
}

bool ControlApi::loadScenario(const QJsonObject&, QString* error)
{
    if (error)
        *error = QStringLiteral("Scenario loading is not implemented yet.");
    return false;
}

} // namespace stint::entrasim
