// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/ApiClient.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QTimer>

#include <memory>

namespace stint::test {

QByteArray ApiReply::header(QByteArrayView name) const
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QString ApiReply::problem() const
{
    const QString type = json.value(QLatin1String("type")).toString();
    const QString base = QStringLiteral("https://stint.invalid/problems/");
    return header("Content-Type").startsWith("application/problem+json") && type.startsWith(base)
        ? type.mid(base.size())
        : QString();
}

QByteArray ApiReply::describe() const
{
    QByteArray out = "HTTP " + QByteArray::number(status);
    if (!networkError.isEmpty())
        out += " (" + networkError.toUtf8() + ")";
    return out + ": " + body.left(2000);
}

ApiClient::ApiClient(QUrl base, int timeoutMs)
    : m_base(std::move(base))
    , m_timeoutMs(timeoutMs)
{
}

QUrl ApiClient::url(const QString& pathAndQuery) const
{
    return m_base.resolved(QUrl(pathAndQuery));
}

ApiReply ApiClient::get(const QString& path, const QString& token)
{
    return send("GET", path, token, {});
}

ApiReply ApiClient::post(const QString& path, const QString& token, const QJsonObject& body, const Headers& headers)
{
    return send("POST", path, token, QJsonDocument(body).toJson(QJsonDocument::Compact), headers);
}

ApiReply ApiClient::post(const QString& path, const QString& token)
{
    return send("POST", path, token, {});
}

ApiReply ApiClient::patch(const QString& path, const QString& token, const QJsonObject& body)
{
    return send("PATCH", path, token, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

ApiReply ApiClient::del(const QString& path, const QString& token)
{
    return send("DELETE", path, token, {});
}

ApiReply ApiClient::send(const QByteArray& method, const QString& path, const QString& token, const QByteArray& body,
                         const Headers& headers)
{
    QNetworkRequest request(url(path));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    bool hasType = false;
    for (const auto& [name, value] : headers) {
        request.setRawHeader(name, value);
        hasType = hasType || name.compare("Content-Type", Qt::CaseInsensitive) == 0;
    }
    if (!body.isEmpty() && !hasType)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    std::unique_ptr<QNetworkReply> reply(m_nam.sendCustomRequest(request, method, body));
    // A plain event loop rather than QSignalSpy::wait or QTRY_*: those return at once after a test has failed, which
    // would turn one failed check into a cascade of aborted requests in the helpers that follow it.
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(m_timeoutMs, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    if (!reply->isFinished())
        reply->abort();

    ApiReply out;
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = reply->readAll();
    out.headers = reply->rawHeaderPairs();
    if (reply->error() != QNetworkReply::NoError && out.status == 0)
        out.networkError = reply->errorString();
    const QJsonDocument doc = QJsonDocument::fromJson(out.body);
    if (doc.isObject())
        out.json = doc.object();
    return out;
}

} // namespace stint::test
