// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"

#include <QJsonObject>
#include <QString>
#include <QUrlQuery>

// Entra's error answers (protocols.md 1.3, 1.5): the token endpoint's JSON body and the error parameters of an
// authorize/consent redirect. Every message text is Microsoft's where a public source shows it; the constructors
// below name that source. A message never contains a secret (no client secret, password, pass, code or assertion).
namespace stint::entrasim {

struct AadError
{
    QString error; // the OAuth 2.0 error: invalid_client, invalid_grant, …
    int code = 0; // the AADSTS number
    QString message; // the text after "AADSTSnnnn: "
    int httpStatus = 400;
};

// Trace and correlation ids of one request. Entra echoes the caller's `client-request-id` as the correlation id.
struct AadTrace
{
    QString traceId;
    QString correlationId;
    TimeMs now = 0;

    static AadTrace make(const QByteArray& clientRequestId, TimeMs now);
};

// "2016-01-09 02:02:12Z"
QString aadTimestamp(TimeMs t);
// "AADSTSnnnn: <message>\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …"
QString aadDescription(const AadError& error, const AadTrace& trace);
// { error, error_description, error_codes, timestamp, trace_id, correlation_id, error_uri }
QJsonObject aadErrorBody(const AadError& error, const AadTrace& trace);

// The error parameters Entra appends to a redirect_uri (error, error_description, plus state when given).
QUrlQuery aadErrorRedirectQuery(const AadError& error, const AadTrace& trace, const QString& state);

// The errors the identity endpoints produce, one constructor each.
namespace aad {
AadError malformedRequest(); // 9002313
AadError missingParameter(const QString& name); // 900144
AadError unsupportedGrantType(const QString& grantType); // 70003
AadError tenantNotFound(const QString& tenant); // 90002
AadError grantNotSupportedOnCommon(); // 9001023
AadError applicationNotFound(const QString& clientId, const QString& tenantName); // 700016
AadError noClientCredential(); // 7000218
AadError invalidClientSecret(const QString& clientId); // 7000215
AadError expiredClientSecret(const QString& clientId); // 7000222
AadError publicClientWithCredential(); // 700025
AadError bothSecretAndAssertion(); // 90033-ish, see the .cpp
AadError missingScope(); // 70011
AadError invalidScope(const QString& scope); // 70011
AadError scopeWithoutDefault(const QString& scope); // 1002012
AadError scopeMultipleResources(const QString& scope); // 700022
AadError invalidAssertionType(); // 700023-ish, see the .cpp
AadError invalidCodeVerifier(); // 501481
AadError missingCodeVerifier(); // 501481 (sim choice, see the .cpp)
AadError codeRedeemed(); // 54005
AadError codeInvalidOrExpired(); // 70008
AadError codeClientMismatch(); // 70000
AadError redirectUriMismatch(); // 70000 with reason
AadError replyUrlNotRegistered(const QString& redirectUri, const QString& clientId); // 50011
AadError invalidRedirectUri(const QString& redirectUri); // 50011 for a malformed/unsupported one
AadError userDeclinedConsent(); // 65004
AadError adminConsentRequired(); // 90094
AadError loginRequired(); // 50058
AadError unsupportedResponseType(const QString& responseType); // 700054
AadError unsupportedResponseMode(const QString& responseMode); // 900144 / sim
AadError invalidCodeChallengeMethod(); // 501491
AadError invalidCodeChallenge(); // 50147
AadError requestTooLarge(); // 90015-ish
AadError wrongContentType(); // 900144 for grant_type (Entra reads only form bodies)
} // namespace aad

} // namespace stint::entrasim
