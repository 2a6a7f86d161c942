// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/SimProcess.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#ifndef ENTRA_SIM_BINARY
#error "tests/CMakeLists.txt defines ENTRA_SIM_BINARY"
#endif

SimProcess::SimProcess() = default;

SimProcess::~SimProcess() = default;

bool SimProcess::start(const QStringList& extraArgs)
{
    static const QRegularExpression ready(QStringLiteral("entra-sim ready on http://127\\.0\\.0\\.1:(\\d+)"));
    return startAndWait(QStringLiteral(ENTRA_SIM_BINARY), QStringList {QStringLiteral("--port"), QStringLiteral("0")} + extraArgs,
                        ready);
}

HttpResult SimProcess::control(const QString& method, const QString& path, const QJsonObject& body)
{
    const QByteArray bytes = method == QLatin1String("GET") || method == QLatin1String("DELETE")
        ? QByteArray()
        : QJsonDocument(body).toJson(QJsonDocument::Compact);
    return httpRequest(m_nam, method, QUrl(baseUrl() + QStringLiteral("/_sim") + path), bytes);
}

QJsonObject SimProcess::tenantState(const QString& tenant)
{
    const HttpResult r = control(QStringLiteral("GET"), QStringLiteral("/tenants/") + tenant);
    if (r.status != 200)
        qWarning() << "entra-sim: reading tenant" << tenant << "gave" << r.status << r.body;
    return r.json;
}

QJsonArray SimProcess::requests()
{
    const HttpResult r = control(QStringLiteral("GET"), QStringLiteral("/requests"));
    if (r.status != 200)
        qWarning() << "entra-sim: reading the request log gave" << r.status << r.body;
    return r.json.value(QLatin1String("requests")).toArray();
}

bool SimProcess::clearRequests()
{
    return control(QStringLiteral("DELETE"), QStringLiteral("/requests")).status == 204;
}

bool SimProcess::setFaults(const QJsonObject& faults)
{
    const HttpResult r = control(QStringLiteral("POST"), QStringLiteral("/faults"), faults);
    if (r.status != 200)
        qWarning() << "entra-sim: faults refused:" << r.status << r.body;
    return r.status == 200;
}

bool SimProcess::clearFaults()
{
    return control(QStringLiteral("DELETE"), QStringLiteral("/faults")).status == 204;
}
