// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "support/CloudProcess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>

// Runs the real entra-sim executable (ENTRA_SIM_BINARY) for tests that need the simulator out of process — next to a
// real stint-cloud that is killed and restarted — and speaks its control API (/_sim, tests/entra-sim/README.md).
class SimProcess
{
public:
    SimProcess();
    ~SimProcess();

    // Starts `entra-sim --port 0 [extraArgs]` (e.g. --scenario FILE) and waits for its ready line. False (with a
    // warning naming what it printed) if it does not come.
    bool start(const QStringList& extraArgs = {});
    int terminate(); // SIGTERM, waits, returns the exit code

    // http://127.0.0.1:PORT, no trailing slash: the authority and Graph URL the cloud is pointed at.
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    quint16 port() const { return m_port; }
    QByteArray stderrText() const { return m_stderr; }

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
    QProcess m_process;
    QNetworkAccessManager m_nam;
    QByteArray m_stdout;
    QByteArray m_stderr;
    quint16 m_port = 0;
};
