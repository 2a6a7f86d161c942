// SPDX-License-Identifier: GPL-3.0-or-later
#include "IdentityEndpoints.h"

#include "IdentityPages.h"
#include "Simulator.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSimIdentity, "stint.entrasim.identity")

namespace stint::entrasim {

IdentityEndpoints::IdentityEndpoints(Simulator& simulator)
    : m_simulator(simulator)
{
}

TimeMs IdentityEndpoints::now() const
{
    return m_simulator.clock().now();
}

QString IdentityEndpoints::baseUrl() const
{
    QString base = m_simulator.baseUrl().toString(QUrl::FullyEncoded);
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return base;
}

bool IdentityEndpoints::isAuthorityAlias(const QString& tenantSegment)
{
    const QString t = tenantSegment.toLower();
    return t == QLatin1String("common") || t == QLatin1String("organizations") || t == QLatin1String("consumers");
}

SimResponse IdentityEndpoints::tokenError(const AadError& error, const AadTrace& trace) const
{
    SimResponse response = SimResponse::json(error.httpStatus, aadErrorBody(error, trace));
    response.setHeader("Cache-Control", "no-store, no-cache");
    response.setHeader("Pragma", "no-cache");
    response.setHeader("x-ms-request-id", trace.traceId.toLatin1());
    response.setHeader("client-request-id", trace.correlationId.toLatin1());
    return response;
}

SimResponse IdentityEndpoints::handle(const SimRequest& request, const QString& tenantSegment, const QString& rest)
{
    const AadTrace trace = AadTrace::make(request.header("client-request-id"), now());
    m_memory.prune(trace.now);

    const bool get = request.method == "GET";
    const bool post = request.method == "POST";
    if (rest == QLatin1String("/oauth2/v2.0/token")) {
        if (!post)
            return tokenError({QStringLiteral("invalid_request"), 900561,
                               QStringLiteral("The endpoint only accepts POST, OPTIONS requests. Received a %1 request.")
                                   .arg(QString::fromLatin1(request.method.left(16)))},
                              trace);
        return token(request, tenantSegment, trace);
    }
    if (rest == QLatin1String("/oauth2/v2.0/authorize") && get)
        return authorize(request, tenantSegment, trace);
    if (rest == QLatin1String("/v2.0/adminconsent") && get)
        return adminConsent(request, tenantSegment, FlowKind::AdminConsentV2, trace);
    if (rest == QLatin1String("/adminconsent") && get)
        return adminConsent(request, tenantSegment, FlowKind::AdminConsentV1, trace);
    if (rest == QLatin1String("/login") && post)
        return loginPost(request, tenantSegment, trace);
    if (rest == QLatin1String("/v2.0/.well-known/openid-configuration") && get)
        return openidConfiguration(tenantSegment, trace);
    if ((rest == QLatin1String("/discovery/v2.0/keys") || rest == QLatin1String("/discovery/keys")) && get)
        return keys();
    if (rest.startsWith(QLatin1String("/_assets/")) && get) {
        if (auto asset = IdentityPages::asset(rest.mid(int(qstrlen("/_assets/")))))
            return *asset;
    }
    SimResponse notFound = SimResponse::html(404, QByteArrayLiteral("<!DOCTYPE html><title>Not found</title>"
                                                                    "<p>entra-sim: no such identity endpoint.</p>"));
    notFound.setHeader("Content-Security-Policy", "default-src 'none'");
    return notFound;
}

SimResponse IdentityEndpoints::openidConfiguration(const QString& tenantSegment, const AadTrace& trace)
{
    QString issuerTenant;
    if (isAuthorityAlias(tenantSegment)) {
        issuerTenant = QStringLiteral("{tenantid}"); // literally so, as Entra publishes for the multi-tenant aliases
    } else if (const SimTenant* tenant = m_simulator.state().tenant(tenantSegment)) {
        issuerTenant = tenant->id;
    } else {
        AadError error = aad::tenantNotFound(tenantSegment.left(256));
        error.error = QStringLiteral("invalid_tenant");
        return tokenError(error, trace);
    }
    const QString base = baseUrl();
    const QString authority = base + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(tenantSegment));
    const auto strings = [](std::initializer_list<const char*> items) {
        QJsonArray array;
        for (const char* item : items)
            array.append(QString::fromLatin1(item));
        return array;
    };
    // Field set and values as Entra's v2.0 discovery document publishes them (MS-Entra v2-protocols-oidc.md).
    const QJsonObject document{
        {QStringLiteral("token_endpoint"), authority + QStringLiteral("/oauth2/v2.0/token")},
        {QStringLiteral("token_endpoint_auth_methods_supported"),
         strings({"client_secret_post", "private_key_jwt", "client_secret_basic"})},
        {QStringLiteral("jwks_uri"), authority + QStringLiteral("/discovery/v2.0/keys")},
        {QStringLiteral("response_modes_supported"), strings({"query", "fragment", "form_post"})},
        {QStringLiteral("subject_types_supported"), strings({"pairwise"})},
        {QStringLiteral("id_token_signing_alg_values_supported"), strings({"RS256"})},
        {QStringLiteral("response_types_supported"), strings({"code", "id_token", "code id_token", "id_token token"})},
        {QStringLiteral("scopes_supported"), strings({"openid", "profile", "email", "offline_access"})},
        {QStringLiteral("issuer"), base + QLatin1Char('/') + issuerTenant + QStringLiteral("/v2.0")},
        {QStringLiteral("request_uri_parameter_supported"), false},
        {QStringLiteral("userinfo_endpoint"), QStringLiteral("https://graph.microsoft.com/oidc/userinfo")},
        {QStringLiteral("authorization_endpoint"), authority + QStringLiteral("/oauth2/v2.0/authorize")},
        {QStringLiteral("http_logout_supported"), true},
        {QStringLiteral("frontchannel_logout_supported"), true},
        {QStringLiteral("end_session_endpoint"), authority + QStringLiteral("/oauth2/v2.0/logout")},
        {QStringLiteral("claims_supported"),
         strings({"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                  "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name",
                  "tid", "ver", "at_hash", "c_hash", "email"})},
        {QStringLiteral("tenant_region_scope"), QStringLiteral("EU")},
        {QStringLiteral("cloud_instance_name"), QStringLiteral("microsoftonline.com")},
        {QStringLiteral("cloud_graph_host_name"), QStringLiteral("graph.windows.net")},
        {QStringLiteral("msgraph_host"), QStringLiteral("graph.microsoft.com")},
        {QStringLiteral("rbac_url"), QStringLiteral("https://pas.windows.net")},
    };
    return SimResponse::json(200, document);
}

SimResponse IdentityEndpoints::keys()
{
    return SimResponse::json(200, m_simulator.tokens().jwks());
}

} // namespace stint::entrasim
