// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ApiTransport.h"

#include <QObject>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace stint::client {

// ApiTransport over HTTP(S) with QNetworkAccessManager: JSON bodies, bearer token, a timeout per request, problem
// details turned into errors. Plain http is accepted only to a loopback host (the bundled cloud on this machine);
// anything else must be https, so a session token never crosses a network in the clear.
class HttpTransport final : public QObject, public ApiTransport
{
    Q_OBJECT
public:
    // `baseUrl`: the cloud, e.g. https://stint.example.net or http://localhost:8443.
    explicit HttpTransport(const QUrl& baseUrl, QObject* parent = nullptr);
    ~HttpTransport() override;

    // Whether `url` may be used as a cloud URL (https, or http to loopback); `why` says what is wrong.
    static bool acceptableBaseUrl(const QUrl& url, QString* why);
    // An HTTP Date header's time (RFC 7231 7.1.1.1), or nullopt when it is not one.
    static std::optional<TimeMs> parseHttpDate(const QByteArray& value);

    Call<ApiResponse> send(const ApiRequest& request) override;
    void setSessionToken(const crypto::SecretBytes& token) override;
    bool hasSessionToken() const override { return !m_token.isEmpty(); }
    QString origin() const override;

    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    QUrl baseUrl() const { return m_baseUrl; }
    QNetworkAccessManager& network() { return *m_nam; }

private:
    void finish(QNetworkReply* reply, const Call<ApiResponse>& call, bool sensitive);

    QUrl m_baseUrl;
    QNetworkAccessManager* m_nam;
    crypto::SecretBytes m_token;
    int m_timeoutMs = 30000;
};

} // namespace stint::client
