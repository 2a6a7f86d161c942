// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/ConnectionsApi.h"

#include "cloud/checkouts/CheckoutStore.h"

#include "cloud/connections/ConnectFlow.h"
#include "cloud/connections/ConnectionChecks.h"
#include "cloud/connections/ConnectionStore.h"
#include "cloud/connections/AppCredentialStore.h"
#include "cloud/connections/TenantAccess.h"
#include "cloud/http/RequestContext.h"
#include "cloud/tenants/TenantStore.h"
#include "core/Ids.h"
#include "entra/Onboarding.h"

#include <QJsonArray>

namespace stint::cloud::api {

namespace onboarding = entra::onboarding;

namespace {
constexpr TimeMs kStateTtl = 10 * 60 * 1000;
constexpr int kMaxPemBytes = 16 * 1024;

std::optional<models::Tenant> adminTenant(RequestContext& ctx, ApiError* error)
{
    *error = ApiError::notFound(QStringLiteral("tenant"));
    const QString id = ctx.param(QStringLiteral("tenantId"));
    if (!ids::isValidId(id, u"tnt"))
        return std::nullopt;
    auto tenant = tenants::loadTenant(ctx.cloud.db, ctx.caller.orgId, id);
    if (!tenant) {
        *error = ctx.fail(tenant.error());
        return std::nullopt;
    }
    return *tenant;
}

ApiError validation(const QString& detail)
{
    return {422, QStringLiteral("validation"), QStringLiteral("Some fields are not valid."), detail, {}};
}

ApiError problem(int status, const QString& slug, const QString& detail, QJsonObject extra = {})
{
    return {status, slug, status == 409 ? QStringLiteral("Conflict.") : QStringLiteral("The request cannot be done."),
            detail, std::move(extra)};
}

// Errors of connections::tenantAccess() and the stores, as the admin should see them.
ApiError accessProblem(RequestContext& ctx, const Error& e)
{
    if (e.code == QLatin1String("connection.no_credential") || e.code == QLatin1String("connection.no_msp_app"))
        return problem(409, QStringLiteral("no-credential"), e.message);
    if (e.code == QLatin1String("connection.no_tenant_id"))
        return problem(409, QStringLiteral("tenant-id-unknown"),
                       QStringLiteral("Stint does not know this tenant's Entra tenant id yet: connect it, or give "
                                      "entraTenantId."));
    if (e.code.startsWith(QLatin1String("config.")))
        return problem(503, QStringLiteral("configuration"), QStringLiteral("The service's Entra app configuration "
                                                                             "cannot be used; see the service log."));
    return ctx.fail(e);
}

QJsonObject connectionJson(RequestContext& ctx, const models::Tenant& tenant, Result<connections::ConnectionRecord>* failed)
{
    auto record = connections::loadConnectionRecord(ctx.cloud.db, tenant.orgId, tenant.id);
    auto credential = connections::loadAppCredentialSummary(ctx.cloud.db, tenant.orgId, tenant.id);
    if (!record || !credential) {
        *failed = record ? Result<connections::ConnectionRecord>(credential.error()) : record;
        return {};
    }
    auto time = [](std::optional<TimeMs> t) { return t ? QJsonValue(toRfc3339(*t)) : QJsonValue(); };
    return {{QStringLiteral("tenantId"), tenant.id},
            {QStringLiteral("status"), tenant.connection.status},
            {QStringLiteral("entraTenantId"),
             tenant.connection.entraTenantId ? QJsonValue(*tenant.connection.entraTenantId) : QJsonValue()},
            {QStringLiteral("nationalCloud"), tenant.connection.nationalCloud},
            {QStringLiteral("credential"), credential->has_value() ? QJsonValue((*credential)->toJson()) : QJsonValue()},
            {QStringLiteral("usesMultiTenantApp"), !credential->has_value()},
            {QStringLiteral("multiTenantAppConfigured"), connections::mspAppConfigured(ctx.cloud.config.entra)},
            {QStringLiteral("report"), record->report.isEmpty() ? QJsonValue() : QJsonValue(record->report)},
            {QStringLiteral("checkedAt"), time(record->checkedAt)},
            {QStringLiteral("lastError"), record->lastError.isEmpty() ? QJsonValue() : QJsonValue(record->lastError)},
            {QStringLiteral("lastReconciledAt"), time(record->reconciledAt)},
            {QStringLiteral("driftFound"), record->driftFound},
            {QStringLiteral("reconciliation"),
             record->reconcileSummary.isEmpty() ? QJsonValue() : QJsonValue(record->reconcileSummary)}};
}

Reply connectionResponse(RequestContext& ctx, const QString& tenantId, int status)
{
    auto tenant = tenants::loadTenant(ctx.cloud.db, ctx.caller.orgId, tenantId);
    if (!tenant)
        return ctx.fail(tenant.error());
    if (!tenant->has_value())
        return ApiError::notFound(QStringLiteral("tenant"));
    Result<connections::ConnectionRecord> failed = connections::ConnectionRecord{};
    QJsonObject out = connectionJson(ctx, **tenant, &failed);
    if (!failed)
        return ctx.fail(failed.error());
    return HttpResponse::json(status, out);
}

bool recordAudit(RequestContext& ctx, const QString& action, const QString& tenantId, const QJsonObject& details)
{
    AuditEvent e = ctx.auditEvent(action);
    e.targetType = QStringLiteral("tenant");
    e.targetId = e.tenantId = tenantId;
    for (auto it = details.begin(); it != details.end(); ++it)
        e.details.insert(it.key(), it.value());
    return ctx.audit(e);
}

// Sets the status, audits, and tells the admins — all in the request's transaction.
std::optional<ApiError> changeStatus(RequestContext& ctx, const models::Tenant& tenant, const QString& status)
{
    if (auto set = connections::setConnectionStatus(ctx.cloud.db, tenant.orgId, tenant.id, status, std::nullopt,
                                       ctx.cloud.clock.now());
        !set)
        return ctx.fail(set.error());
    auto after = tenants::loadTenant(ctx.cloud.db, tenant.orgId, tenant.id);
    if (!after)
        return ctx.fail(after.error());
    if (auto published = connections::publishConnection(ctx.cloud, **after); !published)
        return ctx.fail(published.error());
    return std::nullopt;
}

void failureAudit(RequestContext& ctx, const QString& action, const QString& tenantId, const QString& code)
{
    AuditEvent e = ctx.auditEvent(action, QStringLiteral("failure"));
    e.targetType = QStringLiteral("tenant");
    e.targetId = e.tenantId = tenantId;
    e.details.insert(QStringLiteral("code"), code);
    ctx.auditAfterRollback(std::move(e));
}

using TenantHandler = std::function<Reply(const models::Tenant& tenant)>;
using TenantBodyHandler = std::function<Reply(const models::Tenant& tenant, json::ObjectReader& body)>;

// Every route here is about the tenant of the path, which must be one of the caller's organization.
Reply withTenant(RequestContext& ctx, const TenantHandler& handle)
{
    ApiError error;
    auto tenant = adminTenant(ctx, &error);
    if (!tenant)
        return error;
    return handle(*tenant);
}

// … and most read a JSON body strictly (the handler calls finish() on the reader once it has read every field).
Reply withTenantBody(RequestContext& ctx, const TenantBodyHandler& handle)
{
    return withTenant(ctx, [&](const models::Tenant& tenant) -> Reply {
        auto body = ctx.jsonBody();
        if (!body)
            return ApiError::fromError(body.error());
        json::ObjectReader reader(*body);
        return handle(tenant, reader);
    });
}

// Audits a change of the tenant's connection and tells the admins, in the request's transaction.
std::optional<ApiError> auditAndPublish(RequestContext& ctx, const models::Tenant& tenant, const QString& action,
                                        const QJsonObject& details = {})
{
    if (!recordAudit(ctx, action, tenant.id, details))
        return ApiError::internal();
    if (auto published = connections::publishConnection(ctx.cloud, tenant); !published)
        return ctx.fail(published.error());
    return std::nullopt;
}

// Starts proving `candidate` (or re-checking the proven tenant) and answers 202 with the connection as it is now.
Reply proveAndAnswer(RequestContext& ctx, const QString& tenantId, const QString& candidate, const QString& action,
                     const QJsonObject& details)
{
    auto refreshed = tenants::loadTenant(ctx.cloud.db, ctx.caller.orgId, tenantId);
    if (!refreshed)
        return ctx.fail(refreshed.error());
    if (!refreshed->has_value())
        return ApiError::notFound(QStringLiteral("tenant"));
    if (auto started = connections::startHealthCheck(ctx.cloud, **refreshed, candidate, ctx.actor()); !started)
        return accessProblem(ctx, started.error());
    if (!recordAudit(ctx, action, tenantId, details))
        return ApiError::internal();
    return connectionResponse(ctx, tenantId, 202);
}

// Microsoft redirected with an error (the admin declined, or Entra refused): the admin gets the reason, the failure
// is audited, nothing else changes (the request's transaction is rolled back; the state expires by itself).
ApiError refusedByMicrosoft(RequestContext& ctx, const QString& tenantId, const QString& kind, const QString& error,
                            const QString& description, std::optional<qint64> aadstsCode)
{
    const QString aadsts = aadstsCode ? QStringLiteral("AADSTS%1").arg(*aadstsCode) : QString();
    AuditEvent e = ctx.auditEvent(QStringLiteral("tenant.connect.complete"), QStringLiteral("failure"));
    e.targetType = QStringLiteral("tenant");
    e.targetId = e.tenantId = tenantId;
    e.details = {{QStringLiteral("kind"), kind}, {QStringLiteral("error"), error}, {QStringLiteral("aadsts"), aadsts}};
    ctx.auditAfterRollback(std::move(e));
    return ApiError{422,
                    QStringLiteral("authorization-failed"),
                    QStringLiteral("Microsoft did not grant the connection."),
                    description.isEmpty() ? error : description,
                    {{QStringLiteral("error"), error}, {QStringLiteral("aadsts"), aadsts}}};
}

// The customer's own app registration of the tenant, which an authorization-code flow signs in with; `missing` says
// what to do when there is none.
std::optional<ApiError> requireOwnApp(RequestContext& ctx, const models::Tenant& tenant,
                                      connections::AppCredentialSummary* out, const QString& missing)
{
    auto credential = connections::loadAppCredentialSummary(ctx.cloud.db, tenant.orgId, tenant.id);
    if (!credential)
        return ctx.fail(credential.error());
    if (!credential->has_value())
        return problem(409, QStringLiteral("no-credential"), missing);
    *out = **credential;
    return std::nullopt;
}

// The callback's query: the whole redirect URL the desktop app received, or just its parameters.
struct CallbackInput
{
    QUrlQuery query;
    std::optional<QUrl> url; // when given as callbackUrl
};

CallbackInput readCallback(json::ObjectReader& r)
{
    CallbackInput in;
    const auto callbackUrl = r.optionalString(QStringLiteral("callbackUrl"), 8192, 1);
    const auto params = r.optionalObject(QStringLiteral("params"));
    if (callbackUrl.has_value() == params.has_value())
        r.fail(QStringLiteral("callbackUrl"), QStringLiteral("give either callbackUrl or params (the callback's query "
                                                             "parameters), not both"));
    if (callbackUrl) {
        in.url = QUrl(*callbackUrl, QUrl::StrictMode);
        if (!in.url->isValid())
            r.fail(QStringLiteral("callbackUrl"), QStringLiteral("is not a URL"));
        in.query = QUrlQuery(*in.url);
    } else if (params) {
        for (auto it = params->begin(); it != params->end(); ++it) {
            if (!it.value().isString() || it.value().toString().size() > 8192)
                r.fail(QStringLiteral("params"), QStringLiteral("values must be strings of at most 8192 characters"));
            else
                in.query.addQueryItem(it.key(), QString::fromUtf8(QUrl::toPercentEncoding(it.value().toString())));
        }
    }
    return in;
}

// The tenant segment both legs of an authorization-code flow use: the hint it started with, else "organizations".
QString codeFlowSegment(const connections::ConnectState& state)
{
    return state.tenantHint.isEmpty() ? QStringLiteral("organizations") : state.tenantHint;
}

Reply completeConsent(RequestContext& ctx, const models::Tenant& tenant, const connections::ConnectState& state,
                      const QUrlQuery& query)
{
    auto callback = onboarding::parseConsentCallback(query);
    if (!callback)
        return validation(QStringLiteral("An admin consent callback must carry admin_consent=True and the tenant, or "
                                         "an error."));
    if (!callback->granted)
        return refusedByMicrosoft(ctx, tenant.id, state.kind, callback->error, callback->errorDescription,
                                  callback->aadstsCode);
    // The candidate is what the redirect says. Never trusted: inspect() proves the tenant with an app-only token and
    // /organization.
    QString candidate = callback->tenantHint;
    if (auto guid = connections::normalizeTenantGuid(candidate))
        candidate = *guid;
    else if (!models::normalizeDomainName(candidate))
        return problem(409, QStringLiteral("tenant-id-unknown"),
                       QStringLiteral("The callback names no tenant to prove; start again with tenantHint."));
    if (auto failed = changeStatus(ctx, tenant, tenant.connection.entraTenantId ? tenant.connection.status : connections::kVerifying))
        return *failed;
    return proveAndAnswer(ctx, tenant.id, candidate, QStringLiteral("tenant.connect.complete"),
                          {{QStringLiteral("kind"), state.kind}, {QStringLiteral("candidateTenantId"), candidate}});
}

// The customer's own app: the code is redeemed (with the PKCE verifier kept sealed with the state, and the app's
// secret or certificate) for the admin who signed in, whose tenant inspect() then proves — on the worker pool; the
// outcome arrives as the connection's status (see connections::startCodeConnection).
Reply completeCode(RequestContext& ctx, const models::Tenant& tenant, const connections::ConnectState& state,
                   const QString& stateValue, const QByteArray& stateHash, const QUrlQuery& query)
{
    auto callback = onboarding::parseAuthorizeCallback(query);
    if (!callback)
        return validation(QStringLiteral("An authorization code callback must carry a code or an error."));
    if (callback->refused())
        return refusedByMicrosoft(ctx, tenant.id, state.kind, callback->error, callback->errorDescription,
                                  callback->aadstsCode);
    connections::AppCredentialSummary credential;
    if (auto missing = requireOwnApp(ctx, tenant, &credential,
                                     QStringLiteral("The tenant's own app registration was removed since the flow "
                                                    "started: set it again and start again.")))
        return *missing;
    auto verifier = connections::openVerifier(ctx.cloud.connectionsKey, state.sealedVerifier, stateHash);
    if (!verifier)
        return ctx.fail(verifier.error());
    const QString segment = codeFlowSegment(state);
    auto access = connections::tenantAccess(ctx.cloud, tenant, segment);
    if (!access)
        return accessProblem(ctx, access.error());
    entra::CodeRedemption redemption;
    redemption.tenant = std::move(*access);
    redemption.tenant.entraTenantId = segment;
    redemption.code = callback->code;
    redemption.redirectUri = QUrl(state.redirectUri);
    redemption.codeVerifier = std::move(*verifier);
    redemption.nonce = connections::flowNonce(stateValue);

    if (auto failed = changeStatus(ctx, tenant, tenant.connection.entraTenantId ? tenant.connection.status : connections::kVerifying))
        return *failed;
    auto refreshed = tenants::loadTenant(ctx.cloud.db, tenant.orgId, tenant.id);
    if (!refreshed)
        return ctx.fail(refreshed.error());
    if (!recordAudit(ctx, QStringLiteral("tenant.connect.complete"), tenant.id,
                     {{QStringLiteral("kind"), state.kind}, {QStringLiteral("clientId"), redemption.tenant.app.clientId}}))
        return ApiError::internal();
    // Last: the worker's result is applied on this thread after this request's transaction has committed.
    connections::startCodeConnection(ctx.cloud, **refreshed, std::move(redemption), ctx.actor());
    return connectionResponse(ctx, tenant.id, 202);
}
} // namespace

Reply getConnection(RequestContext& ctx)
{
    return withTenant(ctx, [&](const models::Tenant& tenant) { return connectionResponse(ctx, tenant.id, 200); });
}

Reply putAppCredential(RequestContext& ctx)
{
    return withTenantBody(ctx, [&](const models::Tenant& tenant, json::ObjectReader& r) -> Reply {
        connections::NewAppCredential c;
        c.kind = r.requiredEnum(QStringLiteral("kind"), {connections::kClientSecret, connections::kCertificate});
        const QString clientId = r.requiredString(QStringLiteral("clientId"), 36);
        if (!clientId.isEmpty() && !connections::normalizeTenantGuid(clientId))
            r.fail(QStringLiteral("clientId"), QStringLiteral("must be the app's (client) id, a GUID"));
        c.clientId = clientId.toLower();
        const auto secret = r.optionalString(QStringLiteral("clientSecret"), 1024, 1);
        const auto certificate = r.optionalString(QStringLiteral("certificatePem"), kMaxPemBytes, 1);
        const auto key = r.optionalString(QStringLiteral("privateKeyPem"), kMaxPemBytes, 1);
        if (auto expiry = r.optionalString(QStringLiteral("secretExpiresAt"), 40, 1)) {
            c.secretExpiresAt = fromRfc3339(*expiry);
            if (!c.secretExpiresAt)
                r.fail(QStringLiteral("secretExpiresAt"), QStringLiteral("must be an RFC 3339 time"));
        }
        if (c.kind == connections::kClientSecret && (!secret || certificate || key))
            r.fail(QStringLiteral("clientSecret"),
                   QStringLiteral("kind client_secret takes clientSecret, and no certificatePem or privateKeyPem"));
        if (c.kind == connections::kCertificate && (secret || !certificate || !key))
            r.fail(QStringLiteral("certificatePem"),
                   QStringLiteral("kind certificate takes certificatePem and privateKeyPem, and no clientSecret"));
        if (auto ok = r.finish(); !ok)
            return ApiError::fromError(ok.error());
        if (secret)
            c.clientSecret = crypto::SecretBytes(secret->toUtf8());
        if (certificate)
            c.certificatePem = certificate->toUtf8();
        if (key)
            c.privateKeyPem = crypto::SecretBytes(key->toUtf8());
        auto saved = connections::saveAppCredential(ctx.cloud.db, ctx.cloud.connectionsKey, tenant.orgId, tenant.id,
                                                    c, ctx.cloud.clock.now());
        if (!saved) {
            if (saved.error().code.startsWith(QLatin1String("connection.bad_")))
                return validation(saved.error().message);
            return ctx.fail(saved.error());
        }
        // Audit details never carry a key that looks like a secret's name (the log refuses them), nor the secret.
        const std::optional<TimeMs> expiresAt = saved->expiresAt();
        if (auto failed = auditAndPublish(
                ctx, tenant, QStringLiteral("tenant.credential.set"),
                {{QStringLiteral("kind"), saved->kind},
                 {QStringLiteral("clientId"), saved->clientId},
                 {QStringLiteral("certificateThumbprint"), saved->thumbprint},
                 {QStringLiteral("expiresAt"), expiresAt ? QJsonValue(toRfc3339(*expiresAt)) : QJsonValue()}}))
            return *failed;
        return HttpResponse::json(200, saved->toJson());
    });
}

Reply deleteAppCredential(RequestContext& ctx)
{
    return withTenant(ctx, [&](const models::Tenant& tenant) -> Reply {
        auto removed = connections::removeAppCredential(ctx.cloud.db, tenant.orgId, tenant.id);
        if (!removed)
            return ctx.fail(removed.error());
        if (!*removed)
            return ApiError::notFound(QStringLiteral("credential"));
        if (auto failed = auditAndPublish(ctx, tenant, QStringLiteral("tenant.credential.remove")))
            return *failed;
        return HttpResponse::noContent();
    });
}

Reply startConnection(RequestContext& ctx)
{
    return withTenantBody(ctx, [&](const models::Tenant& tenant, json::ObjectReader& r) -> Reply {
        const QString redirectUri = r.requiredString(QStringLiteral("redirectUri"), 256);
        const QString kind = r.requiredEnum(QStringLiteral("kind"), {connections::kAdminConsent, connections::kAuthorizationCode});
        const QString loginHint = r.optionalString(QStringLiteral("loginHint"), 256, 1).value_or(QString());
        QString tenantHint = r.optionalString(QStringLiteral("tenantHint"), 253, 1).value_or(QString());
        if (!redirectUri.isEmpty()) {
            if (auto why = connections::loopbackRedirectProblem(redirectUri))
                r.fail(QStringLiteral("redirectUri"), *why);
        }
        if (!tenantHint.isEmpty()) {
            if (auto guid = connections::normalizeTenantGuid(tenantHint))
                tenantHint = *guid;
            else if (auto domain = models::normalizeDomainName(tenantHint))
                tenantHint = *domain;
            else
                r.fail(QStringLiteral("tenantHint"), QStringLiteral("must be a tenant id (GUID) or a domain name"));
        }
        if (auto ok = r.finish(); !ok)
            return ApiError::fromError(ok.error());
        if (tenantHint.isEmpty() && tenant.connection.entraTenantId)
            tenantHint = *tenant.connection.entraTenantId;

        const entra::CloudEndpoints endpoints = connections::endpointsFor(ctx.cloud.config.entra, tenant.connection.nationalCloud);
        connections::ConnectState state;
        const QString stateValue = ids::newToken();
        const QByteArray stateHash = crypto::sha256(stateValue.toUtf8());
        QUrl url;
        if (kind == connections::kAdminConsent) {
            if (!connections::mspAppConfigured(ctx.cloud.config.entra))
                return problem(409, QStringLiteral("no-multi-tenant-app"),
                               QStringLiteral("Admin consent needs the MSP's multi-tenant app, and the service has "
                                              "none configured. Configure it, or give this tenant its own app "
                                              "registration and use kind authorization_code."));
            url = onboarding::adminConsentUrl(endpoints, ctx.cloud.config.entra.appClientId, QUrl(redirectUri),
                                              stateValue, tenantHint);
        } else {
            connections::AppCredentialSummary credential;
            if (auto missing = requireOwnApp(ctx, tenant, &credential,
                                             QStringLiteral("Sign-in with the customer's own app needs its credential "
                                                            "first: PUT /v1/tenants/%1/connection/credential.")
                                                 .arg(tenant.id)))
                return *missing;
            // The PKCE verifier stays here, sealed with the state's row; only its challenge goes to the browser.
            const onboarding::Pkce pkce = onboarding::Pkce::generate();
            auto sealed = connections::sealVerifier(ctx.cloud.connectionsKey, pkce.verifier, stateHash);
            if (!sealed)
                return ctx.fail(sealed.error());
            state.sealedVerifier = *sealed;
            onboarding::AuthorizeParameters parameters;
            parameters.tenant = tenantHint;
            parameters.clientId = credential.clientId;
            parameters.redirectUri = QUrl(redirectUri);
            parameters.state = stateValue;
            parameters.codeChallenge = pkce.challenge;
            parameters.loginHint = loginHint;
            parameters.nonce = connections::flowNonce(stateValue);
            url = onboarding::authorizeUrl(endpoints, parameters);
        }
        const TimeMs now = ctx.cloud.clock.now();
        state.orgId = tenant.orgId;
        state.tenantId = tenant.id;
        state.sessionId = ctx.caller.sessionId;
        state.personId = ctx.caller.personId;
        state.kind = kind;
        state.redirectUri = redirectUri;
        state.tenantHint = tenantHint;
        state.createdAt = now;
        state.expiresAt = now + kStateTtl;
        if (auto pruned = connections::pruneConnectStates(ctx.cloud.db, now - kStateTtl); !pruned)
            return ctx.fail(pruned.error());
        if (auto inserted = connections::insertConnectState(ctx.cloud.db, stateHash, state); !inserted)
            return ctx.fail(inserted.error());
        if (tenant.connection.status == connections::kNotConnected) {
            if (auto failed = changeStatus(ctx, tenant, connections::kConnecting))
                return *failed;
        }
        if (!recordAudit(ctx, QStringLiteral("tenant.connect.start"), tenant.id,
                         {{QStringLiteral("kind"), kind}, {QStringLiteral("redirectUri"), redirectUri}}))
            return ApiError::internal();
        return HttpResponse::json(200, {{QStringLiteral("authorizationUrl"), url.toString(QUrl::FullyEncoded)},
                                        {QStringLiteral("state"), stateValue},
                                        {QStringLiteral("expiresAt"), toRfc3339(state.expiresAt)}});
    });
}

Reply completeConnection(RequestContext& ctx)
{
    return withTenantBody(ctx, [&](const models::Tenant& tenant, json::ObjectReader& r) -> Reply {
        const CallbackInput callback = readCallback(r);
        if (auto ok = r.finish(); !ok)
            return ApiError::fromError(ok.error());
        const QString stateValue = onboarding::callbackState(callback.query);
        if (stateValue.isEmpty())
            return validation(QStringLiteral("The callback has no state."));

        const QByteArray stateHash = crypto::sha256(stateValue.toUtf8());
        auto stored = connections::loadConnectState(ctx.cloud.db, stateHash);
        if (!stored)
            return ctx.fail(stored.error());
        const TimeMs now = ctx.cloud.clock.now();
        auto refuse = [&](const QString& slug, const QString& detail) {
            failureAudit(ctx, QStringLiteral("tenant.connect.complete"), tenant.id, slug);
            return problem(400, slug, detail);
        };
        // The state must be one this admin's session started for this tenant, unused and in time.
        if (!stored->has_value() || (*stored)->orgId != ctx.caller.orgId)
            return refuse(QStringLiteral("state-unknown"), QStringLiteral("The state is not one Stint issued."));
        const connections::ConnectState& state = **stored;
        if (state.tenantId != tenant.id)
            return refuse(QStringLiteral("state-mismatch"), QStringLiteral("The state was issued for another tenant."));
        if (state.sessionId != ctx.caller.sessionId || state.personId != ctx.caller.personId)
            return refuse(QStringLiteral("state-mismatch"),
                          QStringLiteral("The state was issued to another sign-in session; start again."));
        if (state.usedAt)
            return refuse(QStringLiteral("state-used"), QStringLiteral("The state was already used; start again."));
        if (now >= state.expiresAt)
            return refuse(QStringLiteral("state-expired"), QStringLiteral("The state expired; start again."));
        if (callback.url && !connections::sameRedirect(*callback.url, QUrl(state.redirectUri)))
            return refuse(QStringLiteral("redirect-mismatch"),
                          QStringLiteral("The callback did not come to the redirect URI the flow started with."));
        auto used = connections::markConnectStateUsed(ctx.cloud.db, stateHash, now);
        if (!used)
            return ctx.fail(used.error());
        if (!*used)
            return refuse(QStringLiteral("state-used"), QStringLiteral("The state was already used; start again."));
        if (state.kind == connections::kAdminConsent)
            return completeConsent(ctx, tenant, state, callback.query);
        return completeCode(ctx, tenant, state, stateValue, stateHash, callback.query);
    });
}

Reply checkConnection(RequestContext& ctx)
{
    return withTenant(ctx, [&](const models::Tenant& tenant) -> Reply {
        QString candidate;
        if (!ctx.request.body.isEmpty()) {
            auto body = ctx.jsonBody();
            if (!body)
                return ApiError::fromError(body.error());
            json::ObjectReader r(*body);
            if (auto id = r.optionalString(QStringLiteral("entraTenantId"), 36, 1)) {
                if (auto guid = connections::normalizeTenantGuid(*id))
                    candidate = *guid;
                else
                    r.fail(QStringLiteral("entraTenantId"), QStringLiteral("must be a tenant id (GUID)"));
            }
            if (auto ok = r.finish(); !ok)
                return ApiError::fromError(ok.error());
        }
        if (!candidate.isEmpty() && tenant.connection.entraTenantId && candidate != *tenant.connection.entraTenantId)
            return problem(409, QStringLiteral("tenant-connected"),
                           QStringLiteral("The tenant is connected to %1; disconnect it before proving another.")
                               .arg(*tenant.connection.entraTenantId));
        if (!tenant.connection.entraTenantId) {
            if (candidate.isEmpty())
                return problem(409, QStringLiteral("tenant-id-unknown"),
                               QStringLiteral("Give entraTenantId (the customer's tenant id) to connect with the "
                                              "tenant's own app, or use the connect flow."));
            if (auto failed = changeStatus(ctx, tenant, connections::kVerifying))
                return *failed;
        }
        return proveAndAnswer(ctx, tenant.id, candidate, QStringLiteral("tenant.connection.check.start"), {});
    });
}

Reply disconnect(RequestContext& ctx)
{
    return withTenantBody(ctx, [&](const models::Tenant& tenant, json::ObjectReader& r) -> Reply {
        const auto confirm = r.optionalBool(QStringLiteral("confirm"));
        if (!confirm || !*confirm)
            r.fail(QStringLiteral("confirm"), QStringLiteral("must be true: disconnecting revokes the tenant's live "
                                                             "checkouts"));
        if (auto ok = r.finish(); !ok)
            return ApiError::fromError(ok.error());
        if (tenant.connection.status == connections::kNotConnected && !tenant.connection.entraTenantId)
            return problem(409, QStringLiteral("not-connected"), QStringLiteral("The tenant is not connected."));
        auto revoked = connections::revokeCheckoutsOfTenant(ctx.cloud, tenant.orgId, tenant.id,
                                               QStringLiteral("The tenant was disconnected."));
        if (!revoked)
            return ctx.fail(revoked.error());
        // The connection is the only means to take access away again: while any checkout of the tenant is still being
        // revoked, the tenant stays connected. The answer is 202 (revocation under way); disconnecting again once
        // they have ended completes it.
        auto stillOpen = checkouts::countOpenCheckouts(ctx.cloud.db, tenant.orgId, tenant.id);
        if (!stillOpen)
            return ctx.fail(stillOpen.error());
        if (*stillOpen > 0) {
            if (!recordAudit(ctx, QStringLiteral("tenant.disconnect_pending"), tenant.id,
                             {{QStringLiteral("checkoutsRevoked"), *revoked},
                              {QStringLiteral("checkoutsStillOpen"), *stillOpen}}))
                return ApiError::internal();
            return connectionResponse(ctx, tenant.id, 202);
        }
        const TimeMs now = ctx.cloud.clock.now();
        if (auto set = connections::setConnectionStatus(ctx.cloud.db, tenant.orgId, tenant.id, connections::kNotConnected, QString(), now); !set)
            return ctx.fail(set.error());
        if (auto cleared = connections::clearConnectionRecord(ctx.cloud.db, tenant.orgId, tenant.id); !cleared)
            return ctx.fail(cleared.error());
        auto after = tenants::loadTenant(ctx.cloud.db, tenant.orgId, tenant.id);
        if (!after)
            return ctx.fail(after.error());
        if (auto failed = auditAndPublish(
                ctx, **after, QStringLiteral("tenant.disconnect"),
                {{QStringLiteral("entraTenantId"), tenant.connection.entraTenantId.value_or(QString())},
                 {QStringLiteral("checkoutsRevoked"), *revoked}}))
            return *failed;
        return connectionResponse(ctx, tenant.id, 200);
    });
}

} // namespace stint::cloud::api
