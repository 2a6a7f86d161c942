// SPDX-License-Identifier: GPL-3.0-or-later
#include "IdentityErrors.h"

#include <QDateTime>
#include <QJsonArray>
#include <QUuid>

namespace stint::entrasim {

namespace {

QString newGuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// Entra echoes a caller's GUID client-request-id; anything else is not trusted into a response.
bool isGuid(const QByteArray& text)
{
    return text.size() == 36 && !QUuid::fromString(QLatin1String(text)).isNull();
}

} // namespace

AadTrace AadTrace::make(const QByteArray& clientRequestId, TimeMs now)
{
    return AadTrace{newGuid(), isGuid(clientRequestId) ? QString::fromLatin1(clientRequestId).toLower() : newGuid(),
                    now};
}

QString aadTimestamp(TimeMs t)
{
    return QDateTime::fromMSecsSinceEpoch(t, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss'Z'"));
}

QString aadDescription(const AadError& error, const AadTrace& trace)
{
    return QStringLiteral("AADSTS%1: %2\r\nTrace ID: %3\r\nCorrelation ID: %4\r\nTimestamp: %5")
        .arg(error.code)
        .arg(error.message, trace.traceId, trace.correlationId, aadTimestamp(trace.now));
}

QJsonObject aadErrorBody(const AadError& error, const AadTrace& trace)
{
    return QJsonObject{
        {QStringLiteral("error"), error.error},
        {QStringLiteral("error_description"), aadDescription(error, trace)},
        {QStringLiteral("error_codes"), QJsonArray{error.code}},
        {QStringLiteral("timestamp"), aadTimestamp(trace.now)},
        {QStringLiteral("trace_id"), trace.traceId},
        {QStringLiteral("correlation_id"), trace.correlationId},
        {QStringLiteral("error_uri"), QStringLiteral("https://login.microsoftonline.com/error?code=%1").arg(error.code)},
    };
}

QUrlQuery aadErrorRedirectQuery(const AadError& error, const AadTrace& trace, const QString& state)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("error"), error.error);
    query.addQueryItem(QStringLiteral("error_description"), aadDescription(error, trace));
    if (!state.isEmpty())
        query.addQueryItem(QStringLiteral("state"), state);
    return query;
}

namespace aad {

// Texts: reference-error-codes.md and the real responses quoted in protocols.md 1.3–1.5, unless noted.

AadError malformedRequest()
{
    // Seen verbatim in many client issue threads ("AADSTS9002313: Invalid request. Request is malformed or invalid.").
    return {QStringLiteral("invalid_request"), 9002313,
            QStringLiteral("Invalid request. Request is malformed or invalid.")};
}

AadError missingParameter(const QString& name)
{
    return {QStringLiteral("invalid_request"), 900144,
            QStringLiteral("The request body must contain the following parameter: '%1'.").arg(name)};
}

AadError unsupportedGrantType(const QString& grantType)
{
    return {QStringLiteral("unsupported_grant_type"), 70003,
            QStringLiteral("The app requested an unsupported grant type '%1'.").arg(grantType)};
}

AadError tenantNotFound(const QString& tenant)
{
    return {QStringLiteral("invalid_request"), 90002,
            QStringLiteral("Tenant '%1' not found. Check to make sure you have the correct tenant ID and are signing "
                           "into the correct cloud. Check with your subscription administrator, this may happen if "
                           "there are no active subscriptions for the tenant.")
                .arg(tenant)};
}

AadError grantNotSupportedOnCommon()
{
    // The real text names /organizations as an alternative; client credentials need a tenant, so the simulator
    // also refuses them over /organizations (the brief's rule), with the same code.
    return {QStringLiteral("invalid_request"), 9001023,
            QStringLiteral("The grant type is not supported over the /common or /consumers endpoints. Please use the "
                           "/organizations or tenant-specific endpoint.")};
}

AadError applicationNotFound(const QString& clientId, const QString& tenantName)
{
    return {QStringLiteral("unauthorized_client"), 700016,
            QStringLiteral("Application with identifier '%1' was not found in the directory '%2'. This can happen if "
                           "the application has not been installed by the administrator of the tenant or consented "
                           "to by any user in the tenant. You may have sent your authentication request to the "
                           "wrong tenant.")
                .arg(clientId, tenantName),
            400};
}

AadError noClientCredential()
{
    return {QStringLiteral("invalid_client"), 7000218,
            QStringLiteral("The request body must contain the following parameter: 'client_assertion' or "
                           "'client_secret'."),
            401};
}

AadError invalidClientSecret(const QString& clientId)
{
    return {QStringLiteral("invalid_client"), 7000215,
            QStringLiteral("Invalid client secret provided. Ensure the secret being sent in the request is the client "
                           "secret value, not the client secret ID, for a secret added to app '%1'.")
                .arg(clientId),
            401};
}

AadError expiredClientSecret(const QString& clientId)
{
    return {QStringLiteral("invalid_client"), 7000222,
            QStringLiteral("The provided client secret keys for app '%1' are expired. Visit the Azure portal to create "
                           "new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate "
                           "credentials for added security: https://aka.ms/certCreds.")
                .arg(clientId),
            401};
}

AadError publicClientWithCredential()
{
    return {QStringLiteral("invalid_client"), 700025,
            QStringLiteral("Client is public so neither 'client_assertion' nor 'client_secret' should be presented."),
            401};
}

AadError bothSecretAndAssertion()
{
    // Simulator choice (no public source for the exact text): a client authenticates with one method only
    // (RFC 6749 §2.3: "MUST NOT use more than one authentication method in each request").
    return {QStringLiteral("invalid_request"), 90033,
            QStringLiteral("A client must authenticate with exactly one of 'client_secret' or 'client_assertion'.")};
}

AadError missingScope()
{
    return {QStringLiteral("invalid_scope"), 70011,
            QStringLiteral("The provided request must include a 'scope' input parameter.")};
}

AadError invalidScope(const QString& scope)
{
    return {QStringLiteral("invalid_scope"), 70011,
            QStringLiteral("The provided value for the input parameter 'scope' is not valid. The scope %1 is not valid.")
                .arg(scope)};
}

AadError scopeWithoutDefault(const QString& scope)
{
    return {QStringLiteral("invalid_scope"), 1002012,
            QStringLiteral("The provided value for scope %1 is not valid. Client credential flows must have a scope "
                           "value with /.default suffixed to the resource identifier (application ID URI).")
                .arg(scope)};
}

AadError scopeMultipleResources(const QString& scope)
{
    return {QStringLiteral("invalid_scope"), 700022,
            QStringLiteral("The provided value for the input parameter scope is not valid because it contains more "
                           "than one resource. Scope %1 is not valid.")
                .arg(scope)};
}

AadError invalidAssertionType()
{
    return {QStringLiteral("invalid_request"), 50027,
            QStringLiteral("The value of 'client_assertion_type' must be "
                           "'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.")};
}

AadError invalidCodeVerifier()
{
    return {QStringLiteral("invalid_grant"), 501481,
            QStringLiteral("The Code_Verifier does not match the code_challenge supplied in the authorization request.")};
}

AadError missingCodeVerifier()
{
    // The code was issued for a PKCE challenge but no verifier came: Entra answers invalid_grant; the simulator
    // uses the mismatch code 501481 with a text naming the missing parameter.
    return {QStringLiteral("invalid_grant"), 501481,
            QStringLiteral("The Code_Verifier does not match the code_challenge supplied in the authorization request. "
                           "The request body must contain the following parameter: 'code_verifier'.")};
}

AadError codeRedeemed()
{
    return {QStringLiteral("invalid_grant"), 54005, QStringLiteral("OAuth2 Authorization code was already redeemed, "
                                                                   "please retry with a new valid code or use an "
                                                                   "existing refresh token.")};
}

AadError codeInvalidOrExpired()
{
    return {QStringLiteral("invalid_grant"), 70008,
            QStringLiteral("The provided authorization code or refresh token has expired due to inactivity. Send a "
                           "new interactive authorization request for this user and resource.")};
}

AadError codeClientMismatch()
{
    return {QStringLiteral("invalid_grant"), 70000,
            QStringLiteral("The request was denied because one or more scopes requested are unauthorized or expired. "
                           "The authorization code was issued to a different client.")};
}

AadError redirectUriMismatch()
{
    return {QStringLiteral("invalid_grant"), 70000,
            QStringLiteral("Provided grant is invalid or malformed. The 'redirect_uri' does not match the redirect URI "
                           "used to obtain the authorization code.")};
}

AadError replyUrlNotRegistered(const QString& redirectUri, const QString& clientId)
{
    // Real text quoted in protocols.md 1.5 (anthropics/claude-code#47975).
    return {QStringLiteral("invalid_request"), 50011,
            QStringLiteral("The redirect URI '%1' specified in the request does not match the redirect URIs configured "
                           "for the application '%2'. Make sure the redirect URI sent in the request matches one "
                           "added to your application in the Azure portal. Navigate to "
                           "https://aka.ms/redirectUriMismatchError to learn more about how to fix this.")
                .arg(redirectUri, clientId)};
}

AadError invalidRedirectUri(const QString& redirectUri)
{
    return {QStringLiteral("invalid_request"), 50011,
            QStringLiteral("The redirect URI '%1' specified in the request is not a valid redirect URI "
                           "(reply-url.md: https only, except http for localhost; [::1] is not supported).")
                .arg(redirectUri)};
}

AadError userDeclinedConsent()
{
    return {QStringLiteral("consent_required"), 65004,
            QStringLiteral("The resource owner or authorization server denied the request.")};
}

AadError adminConsentRequired()
{
    return {QStringLiteral("consent_required"), 90094,
            QStringLiteral("The grant requires admin permission.")};
}

AadError loginRequired()
{
    return {QStringLiteral("login_required"), 50058,
            QStringLiteral("A silent sign-in request was sent but no user is signed in.")};
}

AadError unsupportedResponseType(const QString& responseType)
{
    return {QStringLiteral("unsupported_response_type"), 700054,
            QStringLiteral("response_type '%1' is not enabled for the application.").arg(responseType)};
}

AadError unsupportedResponseMode(const QString& responseMode)
{
    return {QStringLiteral("invalid_request"), 900144,
            QStringLiteral("The provided value for the input parameter 'response_mode' is not valid: '%1'.")
                .arg(responseMode)};
}

AadError invalidCodeChallengeMethod()
{
    return {QStringLiteral("invalid_request"), 501491,
            QStringLiteral("Invalid size of Code_Challenge parameter, or an unsupported code_challenge_method. "
                           "Supported methods: 'plain', 'S256'.")};
}

AadError invalidCodeChallenge()
{
    return {QStringLiteral("invalid_request"), 50147,
            QStringLiteral("The size of the code challenge parameter is not valid.")};
}

AadError requestTooLarge()
{
    // Simulator choice: Entra's text for an over-long query string, used for any over-long request.
    return {QStringLiteral("invalid_request"), 90015, QStringLiteral("Requested query string is too long."), 413};
}

AadError wrongContentType()
{
    // Entra reads only application/x-www-form-urlencoded bodies: anything else looks like an empty form.
    return missingParameter(QStringLiteral("grant_type"));
}

} // namespace aad

} // namespace stint::entrasim
