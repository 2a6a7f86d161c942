// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/CloudProcess.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#ifndef STINT_CLOUD_BINARY
#error "tests/CMakeLists.txt defines STINT_CLOUD_BINARY"
#endif

QByteArray HttpResult::header(const QByteArray& name) const
{
    for (const auto& [k, v] : headers) {
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

QString HttpResult::problem() const
{
    const QString type = json.value(QLatin1String("type")).toString();
    const int slash = int(type.lastIndexOf(QLatin1Char('/')));
    return slash >= 0 ? type.mid(slash + 1) : QString();
}

HttpResult httpRequest(QNetworkAccessManager& nam, const QString& method, const QUrl& url, const QByteArray& body,
                       const QString& token, const QList<QPair<QByteArray, QByteArray>>& headers, int timeoutMs)
{
    QNetworkRequest request(url);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    for (const auto& [k, v] : headers)
        request.setRawHeader(k, v);
    request.setTransferTimeout(timeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply* reply = nam.sendCustomRequest(request, method.toLatin1(), body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(timeoutMs + 1000);
    HttpResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.headers = reply->rawHeaderPairs();
    result.json = QJsonDocument::fromJson(result.body).object();
    reply->deleteLater();
    return result;
}

CliResult runCloudCli(const QStringList& arguments, const QProcessEnvironment& env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STINT_CLOUD_BINARY), arguments);
    CliResult r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString inviteTokenFromLink(const QString& link)
{
    static const QRegularExpression token(QStringLiteral(R"(#invite=([A-Za-z0-9_-]{43}))"));
    const auto m = token.match(link);
    return m.hasMatch() ? m.captured(1) : QString();
}

InitResult initDataDir(const QString& dataDir, const QString& org, const QString& adminEmail)
{
    const CliResult r = runCloudCli({QStringLiteral("init"), QStringLiteral("--data-dir"), dataDir, QStringLiteral("--org"),
                                     org, QStringLiteral("--admin"), adminEmail});
    if (r.exitCode != 0) {
        qWarning() << "init failed:" << r.err;
        return {};
    }
    static const QRegularExpression orgId(QStringLiteral(R"(\((org_[0-9a-f]{32})\))"));
    return {orgId.match(r.out).captured(1), inviteTokenFromLink(r.out)};
}

CloudProcess::CloudProcess(QString dataDir)
    : m_dataDir(std::move(dataDir))
{
}

CloudProcess::~CloudProcess() = default;

bool CloudProcess::start(const QStringList& extraArgs)
{
    static const QRegularExpression ready(QStringLiteral(R"(ready on https?://127\.0\.0\.1:(\d+))"));
    return startAndWait(QStringLiteral(STINT_CLOUD_BINARY),
                        QStringList{QStringLiteral("serve"), QStringLiteral("--data-dir"), m_dataDir,
                                    QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")}
                            + extraArgs,
                        ready);
}

QUrl CloudProcess::url(const QString& path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
}

HttpResult CloudProcess::request(const QString& method, const QString& path, const QJsonObject& body,
                                 const QString& token, const QList<QPair<QByteArray, QByteArray>>& headers)
{
    const QByteArray bytes = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    return httpRequest(m_nam, method, url(path), bytes, token, headers);
}
