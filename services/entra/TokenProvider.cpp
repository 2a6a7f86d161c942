// SPDX-License-Identifier: GPL-3.0-or-later
#include "entra/TokenProvider.h"

#include "entra/BlockingHttp.h"
#include "entra/EntraLogging.h"
#include "entra/JwtCrypto.h"
#include "entra/TextChecks.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QThread>
#include <QUuid>

namespace stint::entra {

struct TokenProvider::Flight
{
    bool done = false;
    std::optional<Error> error;
    std::shared_ptr<const AccessToken> token;
};

struct TokenProvider::Entry
{
    std::shared_ptr<const AccessToken> token;
    std::shared_ptr<Flight> flight; // a fetch in progress
};

namespace {

constexpr qint64 kMinute = 60'000;

// When to fetch a new token although the cached one still works: with 5 minutes or 10 % of its lifetime left,
// whichever is more — but never for more than half of a (short-lived) token's life.
TimeMs refreshAt(const AccessToken& token)
{
    const qint64 lifetime = std::max<qint64>(0, token.expiresAt - token.issuedAt);
    const qint64 margin = std::min(std::max(5 * kMinute, lifetime / 10), lifetime / 2);
    return token.expiresAt - margin;
}

QByteArray formEncode(QByteArrayView value)
{
    return QUrl::toPercentEncoding(QString::fromUtf8(value));
}

QByteArray compactJson(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QStringList stringList(const QJsonValue& value)
{
    QStringList out;
    for (const QJsonValue& item : value.toArray()) {
        if (item.isString())
            out.append(item.toString());
    }
    return out;
}

} // namespace

bool isValidTenantSegment(const QString& tenant)
{
    return text::isHostLike(tenant);
}

Error tokenEndpointError(int httpStatus, const QByteArray& body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QString error = object.value(QStringLiteral("error")).toString();
    const QString description = object.value(QStringLiteral("error_description")).toString();
    QList<qint64> codes;
    for (const QJsonValue& code : object.value(QStringLiteral("error_codes")).toArray())
        codes.append(code.toInteger());
    if (codes.isEmpty()) {
        if (const auto code = text::aadstsCode(description))
            codes.append(*code);
    }
    const QString what
        = QStringLiteral("The token endpoint answered %1 %2%3%4")
              .arg(httpStatus)
              .arg(error.isEmpty() ? QStringLiteral("(no OAuth error)") : error)
              .arg(codes.isEmpty() ? QString() : QStringLiteral(" (AADSTS%1)").arg(codes.first()))
              .arg(description.isEmpty() ? QString() : QStringLiteral(": ") + text::firstLine(description));

    if (httpStatus >= 500 || httpStatus == 429 || error == QStringLiteral("temporarily_unavailable"))
        return makeError(QString::fromLatin1(EntraGateway::kTransient), what);
    if (codes.contains(90002))
        return makeError(QString::fromLatin1(kTenantNotFound), what);
    static const QList<qint64> credentialCodes
        = {700016, 7000215, 7000222, 700027, 50012, 50048, 500133, 700030, 7000112, 700025, 7000218};
    // Of those, the answers that prove the app gone from the tenant or its secret gone from the app (protocols.md 1.5):
    // nothing works there until an admin acts (provesCredentialGone).
    static const QList<qint64> goneCodes = {700016, 7000215, 7000222};
    bool credential = error == QStringLiteral("invalid_client") || error == QStringLiteral("unauthorized_client");
    bool gone = false;
    for (qint64 code : codes) {
        credential = credential || credentialCodes.contains(code);
        gone = gone || goneCodes.contains(code);
    }
    if (credential) {
        Error refused = makeError(QString::fromLatin1(EntraGateway::kAuthentication), what);
        if (gone)
            refused.details.insert(QStringLiteral("credentialGone"), true);
        return refused;
    }
    return makeError(QString::fromLatin1(kTokenRejected), what);
}

TokenProvider::TokenProvider(TokenProviderOptions options)
    : m_options(std::move(options))
{
    if (!m_options.sleep)
        m_options.sleep = [](qint64 ms) { QThread::msleep(std::max<qint64>(0, ms)); };
}

TokenProvider::~TokenProvider() = default;

TimeMs TokenProvider::now() const
{
    return (m_options.clock ? m_options.clock : &m_systemClock)->now();
}

int TokenProvider::requestsMade() const
{
    return m_requests.load();
}

QString TokenProvider::cacheKey(const TenantAccess& tenant, const QUrl& endpoint) const
{
    // The credential's fingerprint keeps a rotated secret or certificate from being served an old credential's token.
    const AppCredential& app = tenant.app;
    const QByteArray fingerprint = app.usesCertificate()
        ? crypto::sha256(app.certificatePem
                         + (app.assertionAlgorithm == AppCredential::AssertionAlgorithm::PS256 ? "PS256" : "RS256"))
        : crypto::sha256(app.clientSecret.bytes());
    return endpoint.toString() + QLatin1Char('|') + tenant.entraTenantId.toLower() + QLatin1Char('|')
        + app.clientId.toLower() + QLatin1Char('|') + QString::fromLatin1(fingerprint.toHex());
}

Result<std::shared_ptr<const AccessToken>> TokenProvider::token(const TenantAccess& tenant)
{
    if (!isValidTenantSegment(tenant.entraTenantId))
        return makeError(QString::fromLatin1(kInvalidTenant),
                         QStringLiteral("The tenant must be a tenant id or a domain name."));
    if (tenant.app.clientId.isEmpty())
        return makeError(QString::fromLatin1(EntraGateway::kAuthentication), QStringLiteral("No client id is set."));
    const QUrl endpoint = tenant.endpoints.tokenEndpoint(tenant.entraTenantId);
    if (!endpoint.isValid() || endpoint.scheme().isEmpty() || endpoint.host().isEmpty())
        return makeError(QString::fromLatin1(kTokenRejected), QStringLiteral("The token endpoint URL is not valid."));
    const QString key = cacheKey(tenant, endpoint);

    std::unique_lock lock(m_mutex);
    std::shared_ptr<Entry>& slot = m_entries[key];
    if (!slot)
        slot = std::make_shared<Entry>();
    const std::shared_ptr<Entry> entry = slot;
    const TimeMs t = now();
    if (entry->token && t < refreshAt(*entry->token))
        return entry->token;
    if (entry->flight) {
        // Someone is fetching already: keep using a token that still has a minute, else wait for theirs.
        if (entry->token && t < entry->token->expiresAt - kMinute)
            return entry->token;
        const std::shared_ptr<Flight> flight = entry->flight;
        m_flightDone.wait(lock, [&] { return flight->done; });
        if (flight->error)
            return *flight->error;
        return flight->token;
    }
    const auto flight = std::make_shared<Flight>();
    entry->flight = flight;
    lock.unlock();

    auto fetched = fetch(tenant, endpoint);

    lock.lock();
    flight->done = true;
    if (fetched) {
        flight->token = *fetched;
        entry->token = *fetched;
    } else {
        flight->error = fetched.error();
    }
    entry->flight.reset();
    m_flightDone.notify_all();
    return fetched;
}

void TokenProvider::invalidate(const TenantAccess& tenant, const std::shared_ptr<const AccessToken>& token)
{
    const QUrl endpoint = tenant.endpoints.tokenEndpoint(tenant.entraTenantId);
    const QString key = cacheKey(tenant, endpoint);
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    if (it != m_entries.end() && (*it)->token == token)
        (*it)->token.reset();
}

Result<QByteArray> TokenProvider::clientAssertion(const AppCredential& app, const QUrl& audience) const
{
    auto certificate = jwt::parseCertificate(app.certificatePem);
    if (!certificate)
        return certificate.error();
    STINT_TRY(jwt::checkKeyMatchesCertificate(app.certificatePem, app.privateKeyPem));
    const bool pss = app.assertionAlgorithm == AppCredential::AssertionAlgorithm::PS256;
    QJsonObject header {{QStringLiteral("typ"), QStringLiteral("JWT")}};
    if (pss) {
        header.insert(QStringLiteral("alg"), QStringLiteral("PS256"));
        header.insert(QStringLiteral("x5t#S256"),
                      QString::fromLatin1(crypto::base64UrlEncode(certificate->sha256Thumbprint)));
    } else {
        header.insert(QStringLiteral("alg"), QStringLiteral("RS256"));
        header.insert(QStringLiteral("x5t"), QString::fromLatin1(crypto::base64UrlEncode(certificate->sha1Thumbprint)));
    }
    const qint64 seconds = now() / 1000;
    const QJsonObject claims {
        {QStringLiteral("aud"), audience.toString()},
        {QStringLiteral("iss"), app.clientId},
        {QStringLiteral("sub"), app.clientId},
        {QStringLiteral("jti"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("nbf"), seconds},
        {QStringLiteral("iat"), seconds},
        {QStringLiteral("exp"), seconds + 5 * 60},
    };
    const QByteArray signingInput
        = crypto::base64UrlEncode(compactJson(header)) + '.' + crypto::base64UrlEncode(compactJson(claims));
    auto signature = jwt::sign(pss ? jwt::Algorithm::PS256 : jwt::Algorithm::RS256, app.privateKeyPem, signingInput);
    if (!signature)
        return signature.error();
    return signingInput + '.' + crypto::base64UrlEncode(*signature);
}

Result<TokenProvider::ClientAuthentication> TokenProvider::clientAuthentication(const AppCredential& app,
                                                                                const QUrl& tokenEndpoint) const
{
    ClientAuthentication out;
    if (app.usesCertificate()) {
        auto assertion = clientAssertion(app, tokenEndpoint);
        if (!assertion)
            return assertion.error();
        out.formFields = "client_id=" + formEncode(app.clientId.toUtf8())
            + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
            + "&client_assertion=" + *assertion;
        return out;
    }
    if (app.clientSecret.isEmpty())
        return makeError(QString::fromLatin1(EntraGateway::kAuthentication),
                         QStringLiteral("The app has neither a client secret nor a certificate."));
    if (m_options.secretAsBasicAuth) {
        QByteArray pair = formEncode(app.clientId.toUtf8()) + ':' + formEncode(app.clientSecret.bytes());
        out.authorizationHeader = "Basic " + pair.toBase64();
        crypto::wipe(pair);
        return out;
    }
    out.formFields
        = "client_id=" + formEncode(app.clientId.toUtf8()) + "&client_secret=" + formEncode(app.clientSecret.bytes());
    return out;
}

Result<std::shared_ptr<const AccessToken>> TokenProvider::fetch(const TenantAccess& tenant, const QUrl& endpoint)
{
    const int attempts = std::max(1, m_options.maxAttempts);
    Error last;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (attempt > 0) {
            // Full jitter over an exponential ceiling: many workers retrying a flaky endpoint spread out.
            const qint64 ceiling = 500LL << std::min(attempt, 5);
            m_options.sleep(QRandomGenerator::system()->bounded(ceiling + 1));
        }
        auto authentication = clientAuthentication(tenant.app, endpoint);
        if (!authentication)
            return authentication.error();
        HttpRequest request;
        request.method = "POST";
        request.url = endpoint;
        request.timeoutMs = m_options.requestTimeoutMs;
        request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                           {"Accept", "application/json"},
                           {"client-request-id", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)}};
        if (!authentication->authorizationHeader.isEmpty())
            request.headers.append(std::make_pair(QByteArray("Authorization"), authentication->authorizationHeader));
        request.body = "grant_type=client_credentials&scope=" + formEncode(tenant.endpoints.defaultScope().toUtf8());
        if (!authentication->formFields.isEmpty())
            request.body += '&' + authentication->formFields;
        const TimeMs sentAt = now();
        ++m_requests;
        auto response = httpSend(request);
        crypto::wipe(request.body);
        crypto::wipe(authentication->formFields);
        crypto::wipe(authentication->authorizationHeader);
        for (auto& header : request.headers)
            crypto::wipe(header.second);
        if (!response) {
            last = makeError(QString::fromLatin1(kUnreachable), response.error().message);
            qCWarning(lcEntra) << "token request for tenant" << tenant.entraTenantId
                               << "failed:" << response.error().message;
            continue;
        }
        if (response->status != 200) {
            const Error error = tokenEndpointError(response->status, response->body);
            qCWarning(lcEntra).noquote() << "token request for tenant" << tenant.entraTenantId << "client"
                                         << tenant.app.clientId << "refused:" << error.code << error.message;
            if (error.code == QLatin1String(EntraGateway::kTransient)) {
                last = error;
                continue;
            }
            return error;
        }
        const QJsonObject object = QJsonDocument::fromJson(response->body).object();
        crypto::wipe(response->body);
        const QString value = object.value(QStringLiteral("access_token")).toString();
        const QJsonValue expiresIn = object.value(QStringLiteral("expires_in"));
        const qint64 lifetime = expiresIn.isString() ? expiresIn.toString().toLongLong() : expiresIn.toInteger();
        if (value.isEmpty() || lifetime <= 0
            || object.value(QStringLiteral("token_type"))
                    .toString()
                    .compare(QStringLiteral("Bearer"), Qt::CaseInsensitive)
                != 0)
            return makeError(QString::fromLatin1(kTokenRejected),
                             QStringLiteral("The token endpoint's response is not a bearer token with a lifetime."));
        auto token = std::make_shared<AccessToken>();
        token->value = crypto::SecretBytes(value.toUtf8());
        token->issuedAt = sentAt;
        token->expiresAt = sentAt + lifetime * 1000;
        if (auto decoded = jwt::decode(token->value.bytes())) {
            token->tenantId = decoded->payload.value(QStringLiteral("tid")).toString().toLower();
            token->objectId = decoded->payload.value(QStringLiteral("oid")).toString().toLower();
            token->roles = stringList(decoded->payload.value(QStringLiteral("roles")));
        }
        qCInfo(lcEntra) << "token for tenant" << tenant.entraTenantId << "client" << tenant.app.clientId
                        << "acquired, valid for" << lifetime << "s";
        return std::shared_ptr<const AccessToken>(std::move(token));
    }
    return last;
}

} // namespace stint::entra
