// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/SimProcess.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#ifndef ENTRA_SIM_BINARY
#error "tests/CMakeLists.txt defines ENTRA_SIM_BINARY"
#endif

SimProcess::SimProcess()
{
    QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process,
                     [this] { m_stdout += m_process.readAllStandardOutput(); });
    QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process,
                     [this] { m_stderr += m_process.readAllStandardError(); });
}

SimProcess::~SimProcess()
{
    if (m_process.state() != QProcess::NotRunning)
        terminate();
}

bool SimProcess::start(const QStringList& extraArgs)
{
    m_stdout.clear();
    m_port = 0;
    m_process.start(QStringLiteral(ENTRA_SIM_BINARY),
                    QStringList {QStringLiteral("--port"), QStringLiteral("0")} + extraArgs);
    static const QRegularExpression ready(QStringLiteral("entra-sim ready on http://127\\.0\\.0\\.1:(\\d+)"));
    const bool ok = QTest::qWaitFor(
        [&] {
            return ready.match(QString::fromUtf8(m_stdout)).hasMatch() || m_process.state() == QProcess::NotRunning;
        },
        20000);
    const auto match = ready.match(QString::fromUtf8(m_stdout));
    if (!ok || !match.hasMatch()) {
        qWarning() << "entra-sim did not become ready:" << m_stdout << m_stderr;
        return false;
    }
    m_port = quint16(match.captured(1).toUInt());
    return true;
}

int SimProcess::terminate()
{
    m_process.terminate();
    if (!m_process.waitForFinished(15000)) {
        m_process.kill();
        m_process.waitForFinished();
        return -1;
    }
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
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
