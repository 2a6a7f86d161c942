// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/Call.h"
#include "core/Clock.h"
#include "core/Crypto.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QUrlQuery>

#include <optional>

// The one seam between the desktop side and the cloud's /v1 API: a request goes out, an answer (or an error) comes
// back. CloudApi gives it types; HttpTransport speaks HTTP; tests put an in-memory fake cloud behind it
// (tests/support/client/FakeCloud), so the typed client, the sync and the UI are all tested above the same seam.
namespace stint::client {

struct ApiRequest
{
    QByteArray method = "GET";
    QString path; // "/v1/tenants", already percent-encoded where it holds ids
    QUrlQuery query;
    std::optional<QJsonObject> body;
    QString idempotencyKey;
    bool authenticated = true; // send the session token
    // The answer holds a secret (a checkout's credential, a session token, a webhook secret): the transport leaves
    // `json` empty and hands over only `body`, which the typed layer parses once and wipes.
    bool sensitive = false;
};

struct ApiResponse
{
    int status = 0;
    QJsonObject json; // the body, when it was a JSON object
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    // The server's clock when it answered (from Date), to show countdowns in the service's time.
    std::optional<TimeMs> serverTime;

    QByteArray header(const QByteArray& name) const;
};

class ApiTransport
{
public:
    virtual ~ApiTransport() = default;

    // Resolves with the answer for 2xx, with an error (client/ApiError.h) otherwise.
    virtual Call<ApiResponse> send(const ApiRequest& request) = 0;

    // The bearer token sent with authenticated requests; empty when signed out. The transport keeps its own wiped
    // copy.
    virtual void setSessionToken(const crypto::SecretBytes& token) = 0;
    virtual bool hasSessionToken() const = 0;
    // The cloud's origin (scheme://host[:port]), which WebAuthn's clientDataJSON and the browser sign-in use.
    virtual QString origin() const = 0;
};

} // namespace stint::client
