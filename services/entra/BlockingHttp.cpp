// SPDX-License-Identifier: GPL-3.0-or-later
#include "entra/BlockingHttp.h"

#include "entra/EntraLogging.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThreadStorage>
#include <QTimer>

Q_LOGGING_CATEGORY(lcEntra, "stint.entra")

namespace stint::entra {
namespace {

// One manager per thread: QNetworkAccessManager is not thread-safe, and keeping one per worker thread lets it reuse
// connections. QThreadStorage deletes it when the thread finishes.
QNetworkAccessManager* threadManager()
{
    static QThreadStorage<QNetworkAccessManager*> managers;
    if (!managers.hasLocalData()) {
        auto* manager = new QNetworkAccessManager;
        manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        manager->setAutoDeleteReplies(false);
        managers.setLocalData(manager);
    }
    return managers.localData();
}

} // namespace

QByteArray findHeader(const HttpHeaders& headers, QByteArrayView name)
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    return findHeader(headers, name);
}

Result<HttpResponse> httpSend(const HttpRequest& request)
{
    QNetworkAccessManager* manager = threadManager();
    QNetworkRequest networkRequest(request.url);
    networkRequest.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    networkRequest.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    networkRequest.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    networkRequest.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    networkRequest.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    networkRequest.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    for (const auto& [name, value] : request.headers)
        networkRequest.setRawHeader(name, value);

    QNetworkReply* reply = manager->sendCustomRequest(networkRequest, request.method, request.body);
    std::unique_ptr<QNetworkReply> owner(reply);
    bool timedOut = false;
    bool tooLarge = false;
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        reply->abort();
    });
    QObject::connect(reply, &QNetworkReply::downloadProgress, &loop, [&](qint64 received, qint64 total) {
        if (received > request.maxResponseBytes || total > request.maxResponseBytes) {
            tooLarge = true;
            reply->abort();
        }
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    deadline.start(request.timeoutMs);
    if (!reply->isFinished())
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    deadline.stop();

    if (tooLarge)
        return makeError(QString::fromLatin1(kResponseTooLarge),
                         QStringLiteral("The response from %1 was larger than allowed").arg(request.url.host()));
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (timedOut || !status.isValid() || status.toInt() <= 0) {
        const QString why
            = timedOut ? QStringLiteral("timed out after %1 ms").arg(request.timeoutMs) : reply->errorString();
        return makeError(QString::fromLatin1(kUnreachable),
                         QStringLiteral("No response from %1: %2").arg(request.url.host(), why));
    }
    HttpResponse response;
    response.status = status.toInt();
    for (const auto& pair : reply->rawHeaderPairs())
        response.headers.append({pair.first, pair.second});
    response.body = reply->readAll();
    if (response.body.size() > request.maxResponseBytes)
        return makeError(QString::fromLatin1(kResponseTooLarge),
                         QStringLiteral("The response from %1 was larger than allowed").arg(request.url.host()));
    return response;
}

} // namespace stint::entra
