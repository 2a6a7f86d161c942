// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/HttpTransport.h"

#include "client/ApiError.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QLocale>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

Q_LOGGING_CATEGORY(lcTransport, "stint.client.transport")

namespace stint::client {

QByteArray ApiResponse::header(const QByteArray& name) const
{
    for (const auto& [k, v] : headers) {
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

namespace {
bool isLoopbackHost(const QString& host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

Error networkError(QNetworkReply* reply, bool timedOut)
{
    if (timedOut)
        return Error{QString::fromLatin1(errors::kTimeout),
                     QStringLiteral("The service did not answer in time."),
                     {}};
    switch (reply->error()) {
    case QNetworkReply::SslHandshakeFailedError:
        return Error{QString::fromLatin1(errors::kTls),
                     QStringLiteral("The service's TLS certificate was not accepted: %1").arg(reply->errorString()),
                     {}};
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
        return Error{QString::fromLatin1(errors::kTimeout), QStringLiteral("The service did not answer in time."), {}};
    default:
        return Error{QString::fromLatin1(errors::kUnreachable),
                     QStringLiteral("The service cannot be reached (%1).").arg(reply->errorString()),
                     {}};
    }
}
} // namespace

HttpTransport::HttpTransport(const QUrl& baseUrl, QObject* parent)
    : QObject(parent)
    , m_baseUrl(baseUrl.adjusted(QUrl::StripTrailingSlash))
    , m_nam(new QNetworkAccessManager(this))
{
    // Nothing here needs cookies, and a cache could keep a credential on disk.
    m_nam->setCookieJar(nullptr);
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

HttpTransport::~HttpTransport() = default;

bool HttpTransport::acceptableBaseUrl(const QUrl& url, QString* why)
{
    auto refuse = [&](const QString& text) {
        if (why)
            *why = text;
        return false;
    };
    if (!url.isValid() || url.host().isEmpty())
        return refuse(QStringLiteral("It is not a URL with a host name."));
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment())
        return refuse(QStringLiteral("It must not hold a user name, query or fragment."));
    if (url.scheme() == QLatin1String("https"))
        return true;
    if (url.scheme() == QLatin1String("http") && isLoopbackHost(url.host()))
        return true;
    return refuse(QStringLiteral("It must use https (plain http only for a service on this computer)."));
}

// RFC 7231 7.1.1.1: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is what servers send; recipients also accept the
// obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994") forms. Qt's
// RFC2822Date parser refuses the "GMT" every HTTP date ends with, so the formats are read here, always as UTC.
std::optional<TimeMs> HttpTransport::parseHttpDate(const QByteArray& value)
{
    const QString text = QString::fromLatin1(value).simplified();
    if (text.isEmpty() || text.size() > 64)
        return std::nullopt;
    const QLocale c = QLocale::c();
    for (const char* format : {"ddd, dd MMM yyyy hh:mm:ss 'GMT'", "dddd, dd-MMM-yy hh:mm:ss 'GMT'",
                               "ddd MMM d hh:mm:ss yyyy"}) {
        const QDateTime parsed = c.toDateTime(text, QString::fromLatin1(format));
        if (!parsed.isValid())
            continue;
        QDate date = parsed.date();
        if (QByteArrayView(format).contains("-yy ") && date.year() < 1970)
            date = date.addYears(100); // two-digit years: the one of the last hundred that fits
        return QDateTime(date, parsed.time(), Qt::UTC).toMSecsSinceEpoch();
    }
    return std::nullopt;
}

QString HttpTransport::origin() const
{
    return m_baseUrl.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment).toString();
}

void HttpTransport::setSessionToken(const crypto::SecretBytes& token)
{
    m_token = crypto::SecretBytes(QByteArray(token.bytes().constData(), token.size()));
}

Call<ApiResponse> HttpTransport::send(const ApiRequest& request)
{
    Call<ApiResponse> call;
    QUrl url = m_baseUrl;
    url.setPath(m_baseUrl.path() + request.path, QUrl::TolerantMode);
    if (!request.query.isEmpty())
        url.setQuery(request.query);
    QNetworkRequest req(url);
    req.setTransferTimeout(m_timeoutMs);
    req.setRawHeader("Accept", "application/json");
    req.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    req.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    if (request.authenticated && !m_token.isEmpty()) {
        QByteArray value = "Bearer " + m_token.bytes();
        req.setRawHeader("Authorization", value);
        crypto::wipe(value);
    }
    if (!request.idempotencyKey.isEmpty())
        req.setRawHeader("Idempotency-Key", request.idempotencyKey.toUtf8());
    QByteArray body;
    if (request.body) {
        body = QJsonDocument(*request.body).toJson(QJsonDocument::Compact);
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    }
    QNetworkReply* reply = request.body || request.method != "GET"
        ? m_nam->sendCustomRequest(req, request.method, body)
        : m_nam->get(req);
    // Request bodies can hold secrets (a customer's client secret): do not keep a copy around.
    crypto::wipe(body);
    const bool sensitive = request.sensitive;
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, call, sensitive]() { finish(reply, call, sensitive); });
    return call;
}

void HttpTransport::finish(QNetworkReply* reply, const Call<ApiResponse>& call, bool sensitive)
{
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        const bool timedOut = reply->error() == QNetworkReply::OperationCanceledError;
        const Error e = networkError(reply, timedOut);
        qCInfo(lcTransport) << reply->operation() << reply->url().path() << "failed:" << e.code;
        call.fail(e);
        return;
    }
    ApiResponse response;
    response.status = status;
    response.body = reply->readAll();
    for (const auto& pair : reply->rawHeaderPairs())
        response.headers.append(pair);
    response.serverTime = parseHttpDate(reply->rawHeader("Date"));
    const QByteArray contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    if (status < 200 || status > 299) {
        const Error e = errors::fromHttpStatus(status, response.body, contentType);
        qCInfo(lcTransport) << reply->url().path() << "answered" << status << e.code;
        call.fail(e);
        return;
    }
    if (!response.body.isEmpty() && contentType.startsWith("application/json") && !sensitive) {
        QJsonParseError parseError{};
        const QJsonDocument doc = QJsonDocument::fromJson(response.body, &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
            call.fail(errors::unexpected(QStringLiteral("not a JSON object")));
            return;
        }
        response.json = doc.object();
    }
    call.resolve(std::move(response));
}

} // namespace stint::client
