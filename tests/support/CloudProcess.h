// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QTemporaryDir>

#include "support/ServerProcess.h"

// Runs the real stint-cloud binary (STINT_CLOUD_BINARY) for tests that exercise it as operators and clients do:
// through its command line and over HTTP on 127.0.0.1 with a port of its own choosing.

struct HttpResult
{
    int status = 0; // 0: no HTTP answer (connection refused, reset, timeout)
    QByteArray body;
    QJsonObject json;
    QList<QPair<QByteArray, QByteArray>> headers;

    QByteArray header(const QByteArray& name) const;
    // The problem slug of an error response ("…/problems/<slug>"), or "" for a non-problem response.
    QString problem() const;
};

// One synchronous request (waits on the reply's finished signal, bounded by `timeoutMs`).
HttpResult httpRequest(QNetworkAccessManager& nam, const QString& method, const QUrl& url, const QByteArray& body = {},
                       const QString& token = {}, const QList<QPair<QByteArray, QByteArray>>& headers = {},
                       int timeoutMs = 15000);

struct CliResult
{
    int exitCode = -1;
    QString out;
    QString err;
};
CliResult runCloudCli(const QStringList& arguments, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment());

class CloudProcess : public ServerProcess
{
public:
    // `dataDir` must hold an initialized store (see initDataDir).
    explicit CloudProcess(QString dataDir);
    ~CloudProcess() override;

    // Sends the service's log to a file instead of this process (benchmarks: reading it here would compete for CPU).
    void setLogFile(const QString& path) { m_process.setStandardErrorFile(path); }

    // Starts `serve --listen 127.0.0.1:0` and waits for the ready line. False (with a warning) if it does not come.
    bool start(const QStringList& extraArgs = {});
    QString origin() const { return QStringLiteral("http://localhost:%1").arg(m_port); }
    QUrl url(const QString& path) const;

    HttpResult request(const QString& method, const QString& path, const QJsonObject& body = {},
                       const QString& token = {}, const QList<QPair<QByteArray, QByteArray>>& headers = {});
    HttpResult get(const QString& path, const QString& token = {}) { return request(QStringLiteral("GET"), path, {}, token); }
    HttpResult post(const QString& path, const QJsonObject& body = {}, const QString& token = {})
    {
        return request(QStringLiteral("POST"), path, body, token);
    }

private:
    QString m_dataDir;
    QNetworkAccessManager m_nam;
};

// `stint-cloud init` into `dataDir`: returns the invite token of the enrollment link, or "" on failure.
struct InitResult
{
    QString orgId;
    QString inviteToken;
};
InitResult initDataDir(const QString& dataDir, const QString& org = QStringLiteral("Test MSP"),
                       const QString& adminEmail = QStringLiteral("admin@msp.test"));

// The invite token in an enrollment link (…/enroll#invite=<token>).
QString inviteTokenFromLink(const QString& link);
