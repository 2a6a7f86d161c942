// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/client/SignInTransport.h"

#include "client/ApiError.h"
#include "support/client/FakeCloud.h"

#include <QJsonDocument>
#include <QUrl>

namespace stint::test {

SignInTransport::SignInTransport(FakeCloud& cloud, QObject* parent)
    : QObject(parent)
    , m_cloud(cloud)
{
}

void SignInTransport::failNextBegin(int status, const QString& slug)
{
    m_failBegin = std::make_pair(status, slug);
}

client::Call<client::ApiResponse> SignInTransport::send(const client::ApiRequest& request)
{
    if (request.path == QLatin1String("/v1/auth/signin/begin")) {
        ++beginCount;
        lastEmail = request.body ? request.body->value(QLatin1String("email")).toString() : QString();
        if (m_failBegin) {
            const auto [status, slug] = *m_failBegin;
            m_failBegin.reset();
            const QJsonObject problem{{QStringLiteral("type"), QStringLiteral("https://stint.dev/problems/") + slug},
                                      {QStringLiteral("title"), slug},
                                      {QStringLiteral("status"), status}};
            return client::Call<client::ApiResponse>::failed(client::errors::fromHttpStatus(
                status, QJsonDocument(problem).toJson(), QByteArrayLiteral("application/problem+json")));
        }
        client::ApiResponse r;
        r.status = 200;
        r.json = {{QStringLiteral("ceremonyId"), QStringLiteral("ceremony-%1").arg(beginCount)},
                  {QStringLiteral("publicKey"),
                   QJsonObject{{QStringLiteral("challenge"),
                                QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(32)))},
                               {QStringLiteral("rpId"), QUrl(m_cloud.origin()).host()},
                               {QStringLiteral("userVerification"), QStringLiteral("required")},
                               {QStringLiteral("timeout"), 60000}}}};
        r.body = QJsonDocument(r.json).toJson(QJsonDocument::Compact);
        return client::Call<client::ApiResponse>::resolved(r);
    }
    if (request.path == QLatin1String("/v1/auth/signin/finish")) {
        ++finishCount;
        if (!m_owner)
            return client::Call<client::ApiResponse>::failed(
                client::errors::fromHttpStatus(401, QByteArray(), QByteArrayLiteral("text/plain")));
        const QByteArray token = m_cloud.sessionFor(m_owner->id);
        const QJsonObject session{{QStringLiteral("token"), QString::fromLatin1(token)},
                                  {QStringLiteral("sessionId"), QStringLiteral("session-%1").arg(finishCount)},
                                  {QStringLiteral("expiresAt"), toRfc3339(QDateTime::currentMSecsSinceEpoch() + 3'600'000)},
                                  {QStringLiteral("person"), m_owner->toJson()}};
        client::ApiResponse r;
        r.status = 200;
        r.body = QJsonDocument(session).toJson(QJsonDocument::Compact); // sensitive: body only
        return client::Call<client::ApiResponse>::resolved(r);
    }
    return m_cloud.send(request);
}

void SignInTransport::setSessionToken(const crypto::SecretBytes& token)
{
    m_cloud.setSessionToken(token);
}

bool SignInTransport::hasSessionToken() const
{
    return m_cloud.hasSessionToken();
}

QString SignInTransport::origin() const
{
    return m_cloud.origin();
}

} // namespace stint::test
