// SPDX-License-Identifier: GPL-3.0-or-later
#include "entra/Onboarding.h"

#include "entra/BlockingHttp.h"
#include "entra/EntraLogging.h"
#include "entra/JwtCrypto.h"
#include "entra/TextChecks.h"
#include "entra/TokenProvider.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace stint::entra::onboarding {
namespace {

QString root(const QUrl& url)
{
    return url.toString(QUrl::StripTrailingSlash);
}

QUrl withPath(const QUrl& base, const QString& suffix)
{
    QUrl url = base;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + suffix);
    return url;
}

QString firstLine(const QString& text)
{
    return text::firstLine(text, 500);
}

std::optional<qint64> aadsts(const QString& text)
{
    return text::aadstsCode(text);
}

// A query value as Entra sends it: form-encoded, so '+' is a space ("AADSTS65004%3a+The+resource+owner…") and only
// %2B is a plus.
QString value(const QUrlQuery& query, const QString& key)
{
    QString encoded = query.queryItemValue(key, QUrl::FullyEncoded);
    encoded.replace(QLatin1Char('+'), QStringLiteral("%20"));
    return QUrl::fromPercentEncoding(encoded.toLatin1());
}

QString segment(const QString& tenant)
{
    return tenant.isEmpty() ? QStringLiteral("organizations") : tenant;
}

Error invalidCallback(const QString& why)
{
    return makeError(QString::fromLatin1(kInvalidCallback), QStringLiteral("Not a callback Entra sends: %1").arg(why));
}

Error invalidToken(const QString& why)
{
    return makeError(QString::fromLatin1(kInvalidIdToken),
                     QStringLiteral("The id_token is not acceptable: %1").arg(why));
}

} // namespace

Pkce Pkce::generate()
{
    Pkce pkce;
    QByteArray verifier = crypto::base64UrlEncode(crypto::randomBytes(32)); // 43 characters
    pkce.challenge = QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(verifier)));
    pkce.verifier = crypto::SecretBytes(std::move(verifier));
    return pkce;
}

QUrl adminConsentUrl(const CloudEndpoints& endpoints, const QString& clientId, const QUrl& redirectUri,
                     const QString& state, const QString& tenantHint)
{
    QUrl url
        = withPath(endpoints.authority, QLatin1Char('/') + segment(tenantHint) + QStringLiteral("/v2.0/adminconsent"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("client_id"), clientId);
    query.addQueryItem(QStringLiteral("scope"), QString::fromLatin1(QUrl::toPercentEncoding(endpoints.defaultScope())));
    query.addQueryItem(QStringLiteral("redirect_uri"),
                       QString::fromLatin1(QUrl::toPercentEncoding(redirectUri.toString())));
    query.addQueryItem(QStringLiteral("state"), QString::fromLatin1(QUrl::toPercentEncoding(state)));
    url.setQuery(query);
    return url;
}

QUrl authorizeUrl(const CloudEndpoints& endpoints, const AuthorizeParameters& p)
{
    QUrl url = withPath(endpoints.authority,
                        QLatin1Char('/') + segment(p.tenant) + QStringLiteral("/oauth2/v2.0/authorize"));
    QUrlQuery query;
    const auto add = [&](const QString& key, const QString& v) {
        if (!v.isEmpty())
            query.addQueryItem(key, QString::fromLatin1(QUrl::toPercentEncoding(v)));
    };
    add(QStringLiteral("client_id"), p.clientId);
    add(QStringLiteral("response_type"), QStringLiteral("code"));
    add(QStringLiteral("redirect_uri"), p.redirectUri.toString());
    add(QStringLiteral("response_mode"), QStringLiteral("query"));
    add(QStringLiteral("scope"), p.scope);
    add(QStringLiteral("state"), p.state);
    add(QStringLiteral("code_challenge"), p.codeChallenge);
    add(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    add(QStringLiteral("login_hint"), p.loginHint);
    add(QStringLiteral("domain_hint"), p.domainHint);
    add(QStringLiteral("prompt"), p.prompt);
    add(QStringLiteral("nonce"), p.nonce);
    url.setQuery(query);
    return url;
}

QString callbackState(const QUrlQuery& query)
{
    const QString state = value(query, QStringLiteral("state"));
    return state.size() > 1024 ? QString() : state;
}

Result<ConsentCallback> parseConsentCallback(const QUrlQuery& query)
{
    ConsentCallback callback;
    callback.state = callbackState(query);
    if (callback.state.isEmpty())
        return invalidCallback(QStringLiteral("no state"));
    callback.error = value(query, QStringLiteral("error")).left(100);
    if (!callback.error.isEmpty()) {
        // v2 keeps admin_consent=True on errors: an error always wins.
        const QString description = value(query, QStringLiteral("error_description"));
        callback.errorDescription = firstLine(description);
        callback.aadstsCode = aadsts(description);
        callback.granted = false;
        return callback;
    }
    if (value(query, QStringLiteral("admin_consent")).compare(QStringLiteral("True"), Qt::CaseInsensitive) != 0)
        return invalidCallback(QStringLiteral("neither admin_consent=True nor an error"));
    callback.tenantHint = value(query, QStringLiteral("tenant")).trimmed().toLower();
    if (!isValidTenantSegment(callback.tenantHint))
        return invalidCallback(QStringLiteral("no usable tenant"));
    callback.scopes = value(query, QStringLiteral("scope")).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    callback.granted = true;
    return callback;
}

Result<CodeCallback> parseAuthorizeCallback(const QUrlQuery& query)
{
    CodeCallback callback;
    callback.state = callbackState(query);
    if (callback.state.isEmpty())
        return invalidCallback(QStringLiteral("no state"));
    callback.error = value(query, QStringLiteral("error")).left(100);
    if (callback.refused()) {
        const QString description = value(query, QStringLiteral("error_description"));
        callback.errorDescription = firstLine(description);
        callback.aadstsCode = aadsts(description);
        return callback;
    }
    callback.code = value(query, QStringLiteral("code"));
    if (callback.code.isEmpty() || callback.code.size() > 8192)
        return invalidCallback(QStringLiteral("no code"));
    return callback;
}

Result<SignedInIdentity> redeemAuthorizationCode(const CloudEndpoints& endpoints, const QString& tenant,
                                                 const AppCredential& app, const QString& code, const QUrl& redirectUri,
                                                 const crypto::SecretBytes& codeVerifier, const RedeemOptions& options)
{
    if (!isValidTenantSegment(tenant))
        return makeError(QString::fromLatin1(kInvalidTenant),
                         QStringLiteral("The tenant must be a tenant id or a domain name."));
    SystemClock systemClock;
    const Clock& clock = options.clock ? *options.clock : systemClock;
    TokenProviderOptions providerOptions;
    providerOptions.clock = &clock;
    TokenProvider provider(providerOptions); // for the client authentication only
    const QUrl tokenEndpoint = endpoints.tokenEndpoint(tenant);
    auto authentication = provider.clientAuthentication(app, tokenEndpoint);
    if (!authentication)
        return authentication.error();

    HttpRequest request;
    request.method = "POST";
    request.url = tokenEndpoint;
    request.timeoutMs = options.timeoutMs;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    if (!authentication->authorizationHeader.isEmpty())
        request.headers.append(std::make_pair(QByteArray("Authorization"), authentication->authorizationHeader));
    request.body = "grant_type=authorization_code&code=" + QUrl::toPercentEncoding(code)
        + "&redirect_uri=" + QUrl::toPercentEncoding(redirectUri.toString())
        + "&code_verifier=" + QUrl::toPercentEncoding(QString::fromLatin1(codeVerifier.bytes()))
        + "&scope=" + QUrl::toPercentEncoding(QStringLiteral("openid profile"));
    if (!authentication->formFields.isEmpty())
        request.body += '&' + authentication->formFields;
    auto response = httpSend(request);
    crypto::wipe(request.body);
    crypto::wipe(authentication->formFields);
    crypto::wipe(authentication->authorizationHeader);
    if (!response)
        return response.error();
    if (response->status != 200)
        return tokenEndpointError(response->status, response->body);
    const QJsonObject tokens = QJsonDocument::fromJson(response->body).object();
    crypto::wipe(response->body);
    const QByteArray idToken = tokens.value(QStringLiteral("id_token")).toString().toLatin1();
    auto decoded = jwt::decode(idToken);
    if (!decoded)
        return invalidToken(QStringLiteral("missing or malformed"));
    const QString alg = decoded->header.value(QStringLiteral("alg")).toString();
    if (alg != QStringLiteral("RS256") && alg != QStringLiteral("PS256"))
        return invalidToken(QStringLiteral("algorithm %1 is not accepted").arg(alg));
    const QString kid = decoded->header.value(QStringLiteral("kid")).toString();

    HttpRequest keysRequest;
    keysRequest.url = options.jwksUri.isEmpty()
        ? withPath(endpoints.authority, QLatin1Char('/') + tenant + QStringLiteral("/discovery/v2.0/keys"))
        : options.jwksUri;
    keysRequest.timeoutMs = options.timeoutMs;
    keysRequest.maxResponseBytes = 1024 * 1024;
    auto keys = httpSend(keysRequest);
    if (!keys)
        return keys.error();
    if (keys->status != 200)
        return makeError(QString::fromLatin1(EntraGateway::kTransient),
                         QStringLiteral("The authority's keys are unavailable (%1)").arg(keys->status));
    bool verified = false;
    for (const QJsonValue& key : QJsonDocument::fromJson(keys->body).object().value(QStringLiteral("keys")).toArray()) {
        const QJsonObject jwk = key.toObject();
        if (!kid.isEmpty() && jwk.value(QStringLiteral("kid")).toString() != kid)
            continue;
        verified = verified
            || jwt::verifyWithJwk(alg == QStringLiteral("PS256") ? jwt::Algorithm::PS256 : jwt::Algorithm::RS256, jwk,
                                  decoded->signingInput, decoded->signature);
    }
    if (!verified)
        return invalidToken(QStringLiteral("its signature does not verify with the authority's keys"));

    const QJsonObject& claims = decoded->payload;
    SignedInIdentity identity;
    identity.tenantId = claims.value(QStringLiteral("tid")).toString().toLower();
    identity.objectId = claims.value(QStringLiteral("oid")).toString().toLower();
    identity.preferredUsername = claims.value(QStringLiteral("preferred_username")).toString();
    identity.name = claims.value(QStringLiteral("name")).toString();
    const QJsonValue aud = claims.value(QStringLiteral("aud"));
    const bool audienceOk = aud.isArray() ? aud.toArray().contains(app.clientId) : aud.toString() == app.clientId;
    if (!audienceOk)
        return invalidToken(QStringLiteral("it is for another audience"));
    if (identity.tenantId.isEmpty() || identity.objectId.isEmpty())
        return invalidToken(QStringLiteral("no tid or oid"));
    const QString issuer = options.expectedIssuer.isEmpty()
        ? root(endpoints.authority) + QLatin1Char('/') + identity.tenantId + QStringLiteral("/v2.0")
        : options.expectedIssuer;
    if (claims.value(QStringLiteral("iss")).toString() != issuer)
        return invalidToken(
            QStringLiteral("issuer %1 is not %2").arg(claims.value(QStringLiteral("iss")).toString(), issuer));
    const qint64 now = clock.now();
    if (!claims.value(QStringLiteral("exp")).isDouble()
        || claims.value(QStringLiteral("exp")).toInteger() * 1000 + options.clockSkewMs < now)
        return invalidToken(QStringLiteral("it has expired"));
    if (claims.contains(QStringLiteral("nbf"))
        && claims.value(QStringLiteral("nbf")).toInteger() * 1000 - options.clockSkewMs > now)
        return invalidToken(QStringLiteral("it is not valid yet"));
    if (!options.expectedNonce.isEmpty() && claims.value(QStringLiteral("nonce")).toString() != options.expectedNonce)
        return invalidToken(QStringLiteral("the nonce does not match"));
    qCInfo(lcEntra) << "code redeemed: signed in to tenant" << identity.tenantId;
    return identity;
}

} // namespace stint::entra::onboarding
