// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "support/CloudProcess.h"
#include "support/ServerProcess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>

// Runs the real entra-sim executable (ENTRA_SIM_BINARY) for tests that need the simulator out of process — next to a
// real stint-cloud that is killed and restarted — and speaks its control API (/_sim, tests/entra-sim/README.md).
class SimProcess : public ServerProcess
{
public:
    SimProcess();
    ~SimProcess() override;

    // Starts `entra-sim --port 0 [extraArgs]` (e.g. --scenario FILE) and waits for its ready line. False (with a
    // warning naming what it printed) if it does not come.
    bool start(const QStringList& extraArgs = {});

    // http://127.0.0.1:PORT, no trailing slash: the authority and Graph URL the cloud is pointed at.
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }

    // One control call, e.g. control("POST", "/faults", {{"latency", …}}).
    HttpResult control(const QString& method, const QString& path, const QJsonObject& body = {});

    // GET /_sim/tenants/{idOrDomain}: the tenant's users, deleted users, service principals, role assignments.
    QJsonObject tenantState(const QString& tenant);
    // GET /_sim/requests: the request log, oldest first.
    QJsonArray requests();
    bool clearRequests();
    bool setFaults(const QJsonObject& faults);
    bool clearFaults();

    QNetworkAccessManager& network() { return m_nam; }

private:
    QNetworkAccessManager m_nam;
};
