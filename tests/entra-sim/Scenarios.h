// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "SimState.h"
#include "core/Json.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>

// Scenarios: the JSON that seeds the simulator (README.md, "Scenarios"). A scenario — a file in scenarios/, given to
// `entra-sim --scenario FILE`, or the body of POST /_sim/scenario — holds tenants (with domains and users), apps,
// grants and faults. The control API's seeding calls (POST /_sim/tenants, /apps, /grants, …) take one of those parts
// each, so they read it with the same ScenarioReader.
namespace stint::entrasim {

class Simulator;

// Creates what `scenario` describes. All or nothing: the scenario is applied to the live state and a snapshot of it
// is put back on any error, so bad input changes nothing; *error then says why.
bool loadScenario(Simulator& simulator, const QJsonObject& scenario, QString* error);
// Reads a scenario file and loads it as loadScenario does; *error says why it could not be read or was rejected.
bool loadScenarioFile(Simulator& simulator, const QString& path, QString* error);

// Reads scenario JSON into changes of the simulator's state. Each apply* checks its input completely before changing
// the state; the first problem is kept in `error`, with the JSON path of the value at fault.
class ScenarioReader
{
public:
    using Action = std::function<void()>;

    explicit ScenarioReader(Simulator& simulator);

    QString error;

    bool fail(const QString& message);
    // Ends reading an object: a missing, mistyped or unknown member becomes the error.
    bool finish(json::ObjectReader& reader);

    // A whole scenario (tenants, apps, grants, faults), on the live state: loadScenario keeps the snapshot.
    bool applyScenario(const QJsonObject& o);

    // Its parts, as the control API takes them; `path` names the value in error messages.
    SimTenant* applyTenant(const QJsonObject& o, const QString& path);
    bool applyTenantSettings(SimTenant& tenant, json::ObjectReader& r, const QString& path);
    bool applyTapPolicy(SimTapPolicy& policy, const QJsonObject& o, const QString& path);
    bool applyDomain(const QString& tenantId, const QJsonObject& o, const QString& path);
    SimUser* applyUser(const QString& tenantId, const QJsonObject& o, const QString& path);
    SimApp* applyApp(const QJsonObject& o, const QString& path);
    SimServicePrincipal* applyGrant(const QJsonObject& o, const QString& path);
    SimRoleAssignment* applyRoleAssignment(const QString& tenantId, const QJsonObject& o, const QString& path);
    // Faults are parsed into actions and applied only once everything else succeeded.
    bool parseFaults(const QJsonObject& o, QList<Action>& actions);

private:
    Simulator& m_sim;
    SimState& m_state;
};

} // namespace stint::entrasim
