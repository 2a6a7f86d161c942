// SPDX-License-Identifier: GPL-3.0-or-later
// POST /{tenant}/oauth2/v2.0/token (protocols.md 1.2–1.4): client_credentials with a client secret (form or HTTP
// Basic) or a certificate assertion, and authorization_code with PKCE. Every failure answers in the exact JSON
// shape of protocols.md 1.3.
#include "IdentityAssertion.h"
#include "IdentityEndpoints.h"
#include "Simulator.h"

#include "core/Crypto.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace stint::entrasim {

namespace {

constexpr qsizetype kMaxTokenBody = 64 * 1024;

AadError invalidGrant(int code, const QString& message)
{
    return {QStringLiteral("invalid_grant"), code, message};
}

SimResponse tokenSuccess(QJsonObject body)
{
    SimResponse response = SimResponse::json(200, body);
    response.setHeader("Cache-Control", "no-store, no-cache");
    response.setHeader("Pragma", "no-cache");
    return response;
}

// RFC 6749 §2.3.1: client_id and secret are form-urlencoded before they are joined with ':' and base64-encoded.
bool parseBasic(const QByteArray& header, QString& clientId, QString& secret)
{
    if (!header.startsWith("Basic ") && !header.startsWith("basic "))
        return false;
    const QByteArray decoded = QByteArray::fromBase64(header.mid(6).trimmed(), QByteArray::AbortOnBase64DecodingErrors);
    const qsizetype colon = decoded.indexOf(':');
    if (colon <= 0)
        return false;
    const auto fields = parseForm("u=" + decoded.left(colon) + "&p=" + decoded.mid(colon + 1));
    if (!fields)
        return false;
    clientId = formValue(*fields, QStringLiteral("u"));
    secret = formValue(*fields, QStringLiteral("p"));
    return true;
}

} // namespace

SimResponse IdentityEndpoints::token(const SimRequest& request, const QString& tenantSegment, const AadTrace& trace)
{
    if (request.body.size() > kMaxTokenBody)
        return tokenError(aad::requestTooLarge(), trace);
    const QByteArray contentType = request.header("Content-Type").trimmed().toLower();
    if (!contentType.startsWith("application/x-www-form-urlencoded"))
        return tokenError(aad::wrongContentType(), trace);
    const auto form = parseForm(request.body);
    if (!form)
        return tokenError(aad::malformedRequest(), trace);

    QString clientId = formValue(*form, QStringLiteral("client_id"));
    QString secret = formValue(*form, QStringLiteral("client_secret"));
    const QByteArray authorization = request.header("Authorization");
    if (!authorization.isEmpty()) {
        QString basicId;
        QString basicSecret;
        if (!parseBasic(authorization, basicId, basicSecret))
            return tokenError(aad::malformedRequest(), trace);
        if ((!clientId.isEmpty() && clientId != basicId) || !secret.isEmpty())
            return tokenError(aad::bothSecretAndAssertion(), trace);
        clientId = basicId;
        secret = basicSecret;
    }

    const QString grantType = formValue(*form, QStringLiteral("grant_type"));
    if (grantType.isEmpty())
        return tokenError(aad::missingParameter(QStringLiteral("grant_type")), trace);
    if (clientId.isEmpty())
        return tokenError(aad::missingParameter(QStringLiteral("client_id")), trace);
    if (grantType == QLatin1String("client_credentials"))
        return clientCredentials(*form, clientId, secret, tenantSegment, trace);
    if (grantType == QLatin1String("authorization_code"))
        return authorizationCode(*form, clientId, secret, tenantSegment, trace);
    return tokenError(aad::unsupportedGrantType(grantType.left(64)), trace);
}

std::optional<AadError> IdentityEndpoints::authenticateClient(const QString& clientId, const QString& secret,
                                                              const QString& assertionType, const QString& assertion,
                                                              const SimApp& app, const SimTenant* tenant,
                                                              bool requireCredential, ClientAuthentication& out)
{
    const bool hasSecret = !secret.isEmpty();
    const bool hasAssertion = !assertion.isEmpty() || !assertionType.isEmpty();
    // A registration without any credential is a public client (a native/desktop app): it may not present one
    // (AADSTS700025), and it cannot use client_credentials at all.
    const bool isPublic = app.secrets.isEmpty() && app.certificatePems.isEmpty();
    out = {};
    if (hasSecret && hasAssertion)
        return aad::bothSecretAndAssertion();
    if (!hasSecret && !hasAssertion) {
        if (requireCredential || !isPublic)
            return aad::noClientCredential();
        return std::nullopt;
    }
    if (isPublic && !requireCredential)
        return aad::publicClientWithCredential();

    const TimeMs t = now();
    out.presented = true;
    if (hasSecret) {
        if (m_simulator.state().checkClientSecret(app, secret, t)) {
            out.appidacr = 1;
            return std::nullopt;
        }
        bool expiredMatch = false;
        for (const SimClientSecret& s : app.secrets)
            expiredMatch = expiredMatch
                           || (crypto::constantTimeEquals(SimState::hashSecret(s.salt, secret), s.hash)
                               && t >= s.endDateTime);
        return expiredMatch ? aad::expiredClientSecret(clientId) : aad::invalidClientSecret(clientId);
    }

    if (assertionType != QLatin1String(kClientAssertionType))
        return aad::invalidAssertionType();
    if (assertion.isEmpty())
        return aad::missingParameter(QStringLiteral("client_assertion"));
    // The audience is this simulator's token endpoint for the tenant, named by its id or any of its domains.
    AssertionExpectations expected;
    expected.clientId = clientId;
    expected.now = t;
    const QString base = baseUrl();
    const auto endpoint = [&base](const QString& segment) {
        return base + QLatin1Char('/') + segment + QStringLiteral("/oauth2/v2.0/token");
    };
    if (tenant) {
        expected.audiences << endpoint(tenant->id);
        for (const SimDomain& d : tenant->domains)
            expected.audiences << endpoint(d.name);
    }
    const auto verified = verifyClientAssertion(assertion.toLatin1(), app.certificatePems, expected);
    if (const AadError* error = std::get_if<AadError>(&verified))
        return *error;
    const VerifiedAssertion& ok = std::get<VerifiedAssertion>(verified);
    const QString replayKey = clientId.toLower() + QLatin1Char('|') + ok.jti;
    if (m_memory.redeemedAssertions.contains(replayKey))
        // No public source shows Entra's answer to a replayed jti; the simulator refuses it as an invalid client
        // credential with code 50013 ("Assertion failed signature validation", the assertion family). See
        // pages/README-identity.md.
        return AadError{QStringLiteral("invalid_client"), 50013,
                        QStringLiteral("Assertion failed signature validation. [Reason - The assertion was already "
                                       "redeemed: its 'jti' claim has been presented before.]"),
                        401};
    if (m_memory.full())
        return AadError{QStringLiteral("temporarily_unavailable"), 90033,
                        QStringLiteral("A transient error has occurred. Please try again."), 503};
    m_memory.redeemedAssertions.insert(replayKey, std::max(ok.expiresAt, t) + expected.skewMs);
    out.appidacr = 2;
    return std::nullopt;
}

SimResponse IdentityEndpoints::clientCredentials(const FormFields& form, const QString& clientId,
                                                 const QString& secret, const QString& tenantSegment,
                                                 const AadTrace& trace)
{
    if (isAuthorityAlias(tenantSegment))
        return tokenError(aad::grantNotSupportedOnCommon(), trace);
    SimState& state = m_simulator.state();
    SimTenant* tenant = state.tenant(tenantSegment);
    if (!tenant)
        return tokenError(aad::tenantNotFound(tenantSegment.left(256)), trace);
    SimApp* app = state.app(clientId);
    SimServicePrincipal* sp = app ? state.servicePrincipal(tenant->id, app->clientId) : nullptr;
    if (!app || !sp)
        return tokenError(aad::applicationNotFound(clientId.left(64), tenant->displayName), trace);

    ClientAuthentication auth;
    if (auto error = authenticateClient(clientId, secret, formValue(form, QStringLiteral("client_assertion_type")),
                                        formValue(form, QStringLiteral("client_assertion")), *app, tenant, true, auth))
        return tokenError(*error, trace);

    // scope: exactly {resource}/.default of one resource, and that resource is Microsoft Graph.
    const QString scope = formValue(form, QStringLiteral("scope"));
    const QStringList scopes = splitScopes(scope);
    if (scopes.isEmpty())
        return tokenError(aad::missingScope(), trace);
    QSet<QString> resources;
    for (const QString& s : scopes) {
        if (!s.endsWith(QLatin1String("/.default")))
            return tokenError(isOidcScope(s) || !s.contains(QLatin1Char('/')) ? aad::invalidScope(scope.left(512))
                                                                               : aad::scopeWithoutDefault(scope.left(512)),
                              trace);
        resources.insert(scopeResource(s).toLower());
    }
    if (resources.size() > 1)
        return tokenError(aad::scopeMultipleResources(scope.left(512)), trace);
    if (!isGraphResource(*resources.begin()))
        return tokenError(aad::invalidScope(scope.left(512)), trace);

    const QByteArray accessToken = m_simulator.tokens().issueAppToken(
        {tenant->id, app->clientId, sp->objectId, sp->grantedPermissions, auth.appidacr}, trace.now);
    const int lifetime = m_simulator.tokens().lifetimeSeconds();
    return tokenSuccess({{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                         {QStringLiteral("expires_in"), lifetime},
                         {QStringLiteral("ext_expires_in"), lifetime},
                         {QStringLiteral("access_token"), QString::fromLatin1(accessToken)}});
}

SimResponse IdentityEndpoints::authorizationCode(const FormFields& form, const QString& clientId,
                                                 const QString& secret, const QString& tenantSegment,
                                                 const AadTrace& trace)
{
    SimState& state = m_simulator.state();
    SimTenant* segmentTenant = nullptr;
    if (!isAuthorityAlias(tenantSegment)) {
        segmentTenant = state.tenant(tenantSegment);
        if (!segmentTenant)
            return tokenError(aad::tenantNotFound(tenantSegment.left(256)), trace);
    }
    const QString codeValue = formValue(form, QStringLiteral("code"));
    if (codeValue.isEmpty())
        return tokenError(aad::missingParameter(QStringLiteral("code")), trace);
    const QString redirectUri = formValue(form, QStringLiteral("redirect_uri"));
    if (redirectUri.isEmpty())
        return tokenError(aad::missingParameter(QStringLiteral("redirect_uri")), trace);
    SimApp* app = state.app(clientId);
    if (!app)
        return tokenError(aad::applicationNotFound(clientId.left(64),
                                                   segmentTenant ? segmentTenant->displayName : tenantSegment),
                          trace);

    // The tenant whose endpoint the assertion names: the one in the URL, else the one the code was issued in.
    auto codeIt = m_memory.codes.find(codeValue);
    const SimTenant* assertionTenant = segmentTenant;
    if (!assertionTenant && codeIt != m_memory.codes.end())
        assertionTenant = state.tenant(codeIt->tenantId);
    ClientAuthentication auth;
    if (auto error = authenticateClient(clientId, secret, formValue(form, QStringLiteral("client_assertion_type")),
                                        formValue(form, QStringLiteral("client_assertion")), *app, assertionTenant,
                                        false, auth))
        return tokenError(*error, trace);

    if (codeIt == m_memory.codes.end())
        return tokenError(invalidGrant(70000, QStringLiteral("Provided grant is invalid or malformed.")), trace);
    AuthorizationCode& code = *codeIt;
    if (code.clientId.compare(clientId, Qt::CaseInsensitive) != 0)
        return tokenError(aad::codeClientMismatch(), trace);
    if (code.redeemed)
        return tokenError(aad::codeRedeemed(), trace);
    if (trace.now >= code.expiresAt)
        return tokenError(aad::codeInvalidOrExpired(), trace);
    if (segmentTenant && segmentTenant->id != code.tenantId)
        return tokenError(invalidGrant(70000, QStringLiteral("Provided grant is invalid or malformed. The "
                                                             "authorization code was issued in another tenant.")),
                          trace);
    // One attempt per code: a wrong verifier or redirect burns it too, so a code cannot be probed.
    code.redeemed = true;
    if (redirectUri != code.redirectUri)
        return tokenError(invalidGrant(500112, QStringLiteral("The reply address '%1' does not match the reply "
                                                              "address '%2' provided when requesting Authorization "
                                                              "code.")
                                                   .arg(redirectUri.left(256), code.redirectUri)),
                          trace);
    if (code.codeChallengeMethod) {
        const QString verifier = formValue(form, QStringLiteral("code_verifier"));
        if (verifier.isEmpty())
            return tokenError(aad::missingCodeVerifier(), trace);
        if (!pkceVerifierMatches(*code.codeChallengeMethod, code.codeChallenge, verifier))
            return tokenError(aad::invalidCodeVerifier(), trace);
    }
    SimUser* user = state.user(code.tenantId, code.userId);
    if (!user)
        return tokenError(invalidGrant(50034, QStringLiteral("The user account does not exist in the directory.")),
                          trace);
    if (!user->accountEnabled)
        return tokenError(invalidGrant(50057, QStringLiteral("The user account is disabled.")), trace);

    const int lifetime = m_simulator.tokens().lifetimeSeconds();
    QJsonObject body{{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                     {QStringLiteral("scope"), code.scope},
                     {QStringLiteral("expires_in"), lifetime},
                     {QStringLiteral("ext_expires_in"), lifetime},
                     {QStringLiteral("access_token"), QString::fromLatin1(userAccessToken(code, *user, auth.appidacr))}};
    if (splitScopes(code.scope).contains(QStringLiteral("openid")))
        body.insert(QStringLiteral("id_token"), QString::fromLatin1(idToken(code, *user)));
    return tokenSuccess(body);
}

QByteArray IdentityEndpoints::userAccessToken(const AuthorizationCode& code, const SimUser& user, int appidacr) const
{
    // A delegated Graph token in the v1.0 format (protocols.md 1.8): `scp` instead of `roles`, idtyp "user".
    QStringList scp;
    for (const QString& s : splitScopes(code.scope)) {
        if (s == QLatin1String("offline_access"))
            continue;
        if (isOidcScope(s)) {
            scp << s;
            continue;
        }
        const QString name = s.mid(s.lastIndexOf(QLatin1Char('/')) + 1);
        if (name != QLatin1String(".default"))
            scp << name;
    }
    if (!scp.contains(QStringLiteral("User.Read")))
        scp << QStringLiteral("User.Read");
    const qint64 iat = now() / 1000;
    const QString sts = QStringLiteral("https://sts.windows.net/%1/").arg(code.tenantId);
    const QJsonObject header{{QStringLiteral("typ"), QStringLiteral("JWT")},
                             {QStringLiteral("alg"), QStringLiteral("RS256")},
                             {QStringLiteral("x5t"), m_simulator.tokens().kid()},
                             {QStringLiteral("kid"), m_simulator.tokens().kid()}};
    const QJsonObject payload{
        {QStringLiteral("aud"), QStringLiteral("https://graph.microsoft.com")},
        {QStringLiteral("iss"), sts},
        {QStringLiteral("iat"), iat},
        {QStringLiteral("nbf"), iat},
        {QStringLiteral("exp"), iat + m_simulator.tokens().lifetimeSeconds()},
        {QStringLiteral("appid"), code.clientId},
        {QStringLiteral("appidacr"), QString::number(appidacr)},
        {QStringLiteral("idp"), sts},
        {QStringLiteral("idtyp"), QStringLiteral("user")},
        {QStringLiteral("name"), user.displayName},
        {QStringLiteral("oid"), user.id},
        {QStringLiteral("scp"), scp.join(QLatin1Char(' '))},
        {QStringLiteral("sub"), user.id},
        {QStringLiteral("tid"), code.tenantId},
        {QStringLiteral("unique_name"), user.userPrincipalName},
        {QStringLiteral("upn"), user.userPrincipalName},
        {QStringLiteral("uti"), QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(16)))},
        {QStringLiteral("ver"), QStringLiteral("1.0")},
    };
    return m_simulator.tokens().sign(header, payload);
}

QByteArray IdentityEndpoints::idToken(const AuthorizationCode& code, const SimUser& user) const
{
    // The v2.0 ID token (MS-Entra id-token-claims-reference.md): issuer {authority}/{tid}/v2.0, aud = client id.
    const qint64 iat = now() / 1000;
    const QJsonObject header{{QStringLiteral("typ"), QStringLiteral("JWT")},
                             {QStringLiteral("alg"), QStringLiteral("RS256")},
                             {QStringLiteral("kid"), m_simulator.tokens().kid()}};
    QJsonObject payload{
        {QStringLiteral("ver"), QStringLiteral("2.0")},
        {QStringLiteral("iss"), baseUrl() + QLatin1Char('/') + code.tenantId + QStringLiteral("/v2.0")},
        {QStringLiteral("sub"), QString::fromLatin1(crypto::base64UrlEncode(
                                    crypto::sha256((code.clientId + QLatin1Char('|') + user.id).toUtf8())))},
        {QStringLiteral("aud"), code.clientId},
        {QStringLiteral("exp"), iat + 3600},
        {QStringLiteral("iat"), iat},
        {QStringLiteral("nbf"), iat},
        {QStringLiteral("name"), user.displayName},
        {QStringLiteral("preferred_username"), user.userPrincipalName},
        {QStringLiteral("oid"), user.id},
        {QStringLiteral("tid"), code.tenantId},
    };
    if (!code.nonce.isEmpty())
        payload.insert(QStringLiteral("nonce"), code.nonce);
    return m_simulator.tokens().sign(header, payload);
}

} // namespace stint::entrasim
