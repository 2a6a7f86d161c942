// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/CheckoutsApi.h"

#include "cloud/checkouts/CheckoutStateMachine.h"
#include "cloud/checkouts/CheckoutStore.h"
#include "cloud/checkouts/CredentialVault.h"
#include "cloud/connections/ConnectionChecks.h"
#include "cloud/engine/TapRenewal.h"
#include "cloud/http/Pagination.h"
#include "cloud/http/RequestContext.h"
#include "cloud/policies/PolicyStore.h"
#include "cloud/tenants/TenantStore.h"
#include "core/Ids.h"

#include <QJsonArray>
#include <QLoggingCategory>


Q_LOGGING_CATEGORY(lcCheckouts, "stint.cloud.api.checkouts")
namespace stint::cloud::api {

using models::CheckoutState;

namespace {
constexpr int kMaxRoles = 20;
constexpr int kMaxJustificationLength = 2000;
constexpr int kMaxTicketLength = 200;
constexpr int kMaxReasonLength = 500;

ApiError fieldError(const QString& field, const QString& problem)
{
    return {422,
            QStringLiteral("validation"),
            QStringLiteral("Some fields are not valid."),
            QStringLiteral("%1: %2").arg(field, problem),
            {{QStringLiteral("field"), field}}};
}

ApiError notGranted(const QString& detail)
{
    return {403, QStringLiteral("not-granted"), QStringLiteral("Not allowed."), detail, {}};
}

ApiError invalidTransition(const models::Checkout& c, const QString& what)
{
    return {409,
            QStringLiteral("invalid-transition"),
            QStringLiteral("Conflict."),
            QStringLiteral("A checkout that is %1 cannot be %2.").arg(models::toString(c.state), what),
            {{QStringLiteral("state"), models::toString(c.state)}}};
}

// The state machine's refusals become the problems a client can act on; anything else is the server's.
ApiError problemFor(RequestContext& ctx, const Error& error)
{
    if (error.code == QLatin1String(checkouts::CheckoutStateMachine::kInvalidTransition))
        return ApiError::conflict(QStringLiteral("invalid-transition"), error.message);
    if (error.code == QLatin1String(checkouts::CheckoutStateMachine::kVersionConflict))
        return ApiError::conflict(QStringLiteral("version-conflict"), error.message);
    return ctx.fail(error);
}

// A refusal worth remembering: recorded in the audit log even though the request's transaction rolls back.
ApiError refuse(RequestContext& ctx, const QString& action, const QString& checkoutId, const QString& tenantId,
                const ApiError& error, const QJsonObject& details = {})
{
    AuditEvent e = ctx.auditEvent(action, QStringLiteral("denied"));
    e.targetType = QStringLiteral("checkout");
    e.targetId = checkoutId;
    e.tenantId = tenantId;
    for (auto it = details.constBegin(); it != details.constEnd(); ++it)
        e.details.insert(it.key(), it.value());
    e.details.insert(QStringLiteral("problem"), error.slug);
    e.details.insert(QStringLiteral("detail"), error.detail.left(500));
    ctx.auditAfterRollback(std::move(e));
    return error;
}

// Admins see every checkout of their organization, anyone else only their own; the rest is 404, whether it exists
// elsewhere or not at all.
std::optional<models::Checkout> visibleCheckout(RequestContext& ctx, ApiError* error)
{
    *error = ApiError::notFound(QStringLiteral("checkout"));
    const QString checkoutId = ctx.param(QStringLiteral("checkoutId"));
    if (!ids::isValidId(checkoutId, u"chk"))
        return std::nullopt;
    auto checkout = checkouts::loadCheckout(ctx.cloud.db, ctx.caller.orgId, checkoutId);
    if (!checkout) {
        *error = ctx.fail(checkout.error());
        return std::nullopt;
    }
    if (!checkout->has_value() || (!ctx.caller.isAdmin() && (*checkout)->technicianId != ctx.caller.personId))
        return std::nullopt;
    return *checkout;
}

// The checkout of the path when it is the caller's own: an admin who sees it but is not its technician gets 403 (with
// `refusal` saying why, audited as a denied `action`), anyone else 404.
std::optional<models::Checkout> ownCheckout(RequestContext& ctx, const QString& action, const QString& refusal,
                                            ApiError* error)
{
    auto checkout = visibleCheckout(ctx, error);
    if (checkout && checkout->technicianId != ctx.caller.personId) {
        *error = refuse(ctx, action, checkout->id, checkout->tenantId, ApiError::forbidden(refusal));
        return std::nullopt;
    }
    return checkout;
}

// The optional body of a decision, {"reason": "…"}; an empty body counts as {}. nullopt with `error` set when the
// body does not fit; an empty string when no reason was given.
std::optional<QString> readReason(RequestContext& ctx, bool required, ApiError* error)
{
    QJsonObject object;
    if (!ctx.request.body.isEmpty()) {
        auto body = ctx.jsonBody();
        if (!body) {
            *error = ctx.fail(body.error());
            return std::nullopt;
        }
        object = *body;
    }
    json::ObjectReader reader(object);
    QString reason = (required ? reader.requiredText(QStringLiteral("reason"), kMaxReasonLength, 1, json::TextLines::Many)
                               : reader.optionalText(QStringLiteral("reason"), kMaxReasonLength, 0, json::TextLines::Many).value_or(QString()))
                         .trimmed();
    if (required && !reader.hasErrors() && reason.isEmpty())
        reader.fail(QStringLiteral("reason"), QStringLiteral("must not be blank"));
    if (auto ok = reader.finish(); !ok) {
        *error = ctx.fail(ok.error());
        return std::nullopt;
    }
    return reason;
}

// The grants that allow these roles for this long in this tenant to this person, most permissive first.
struct GrantCheck
{
    QList<models::TenantGrant> all;      // every grant the person has in the tenant
    QList<models::TenantGrant> covering; // those granting every requested role
    QList<models::TenantGrant> fitting;  // those that also allow the duration
};

Result<GrantCheck> checkGrants(RequestContext& ctx, const models::Tenant& tenant, const QString& personId,
                               const QStringList& roles, int durationMinutes)
{
    auto named = policies::policiesNaming(ctx.cloud.db, ctx.caller.orgId, personId, tenant.id);
    if (!named)
        return named.error();
    GrantCheck check;
    check.all = policies::grantsIn(tenant, *named);
    for (const models::TenantGrant& g : check.all) {
        if (!g.grantsAll(roles))
            continue;
        check.covering.append(g);
        if (durationMinutes <= g.maxDurationMinutes)
            check.fitting.append(g);
    }
    return check;
}

// The states an action accepts are narrower than what the state machine allows (an admin's revoke does not retry a
// failed revocation, for one): refused here with the same problem.
std::optional<ApiError> unlessIn(const models::Checkout& c, std::initializer_list<CheckoutState> allowed,
                                 const QString& what)
{
    if (std::find(allowed.begin(), allowed.end(), c.state) == allowed.end())
        return invalidTransition(c, what);
    return std::nullopt;
}

// Records the action's own audit event, then moves the checkout; both commit with the request or not at all.
Reply act(RequestContext& ctx, const models::Checkout& checkout, const QString& action, const checkouts::Step& step,
          const QJsonObject& details = {})
{
    AuditEvent e = ctx.auditEvent(action);
    e.targetType = QStringLiteral("checkout");
    e.targetId = checkout.id;
    e.tenantId = checkout.tenantId;
    for (auto it = details.constBegin(); it != details.constEnd(); ++it)
        e.details.insert(it.key(), it.value());
    if (!ctx.audit(e))
        return ApiError::internal();
    checkouts::CheckoutStateMachine machine(ctx.cloud);
    auto moved = machine.transition(checkout, step, ctx.actor());
    if (!moved)
        return problemFor(ctx, moved.error());
    return HttpResponse::json(200, moved->toJson());
}
} // namespace

Reply listCheckouts(RequestContext& ctx)
{
    const QString kState = QStringLiteral("state");
    const QString kTenant = QStringLiteral("tenantId");
    const QString kTechnician = QStringLiteral("technicianId");
    auto page = readPageRequest(ctx, {kState, kTenant, kTechnician});
    if (auto* e = std::get_if<ApiError>(&page))
        return *e;
    const PageRequest& pr = std::get<PageRequest>(page);
    const QUrlQuery& query = ctx.request.query;
    for (const QString& key : {kState, kTenant, kTechnician}) {
        if (query.allQueryItemValues(key).size() > 1)
            return ApiError::badRequest(QStringLiteral("bad-query"), QStringLiteral("%1 may be given once.").arg(key));
    }
    checkouts::CheckoutFilter filter;
    filter.afterId = pr.afterId;
    filter.limit = pr.limit + 1;
    if (query.hasQueryItem(kState)) {
        filter.state = models::checkoutStateFromString(query.queryItemValue(kState, QUrl::FullyDecoded));
        if (!filter.state)
            return ApiError::badRequest(QStringLiteral("bad-query"),
                                        QStringLiteral("state must be one of: %1.")
                                            .arg(models::checkoutStateNames().join(QStringLiteral(", "))));
    }
    if (query.hasQueryItem(kTenant)) {
        filter.tenantId = query.queryItemValue(kTenant, QUrl::FullyDecoded);
        if (!ids::isValidId(filter.tenantId, u"tnt"))
            return ApiError::badRequest(QStringLiteral("bad-query"), QStringLiteral("tenantId is not a tenant id."));
    }
    if (query.hasQueryItem(kTechnician)) {
        filter.technicianId = query.queryItemValue(kTechnician, QUrl::FullyDecoded);
        if (!ids::isValidId(filter.technicianId, u"per"))
            return ApiError::badRequest(QStringLiteral("bad-query"),
                                        QStringLiteral("technicianId is not a person id."));
    }
    if (!ctx.caller.isAdmin()) {
        // Technicians list only their own checkouts; asking for someone else's finds nothing.
        if (!filter.technicianId.isEmpty() && filter.technicianId != ctx.caller.personId)
            return pageResponse({}, pr);
        filter.technicianId = ctx.caller.personId;
    }
    auto found = checkouts::loadCheckouts(ctx.cloud.db, ctx.caller.orgId, filter);
    if (!found)
        return ctx.fail(found.error());
    QList<PageItem> items;
    for (const models::Checkout& c : *found)
        items.append({c.id, c.toJson()});
    return pageResponse(items, pr);
}

Reply requestCheckout(RequestContext& ctx)
{
    const QString action = QStringLiteral("checkout.request");
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString tenantId = reader.requiredString(QStringLiteral("tenantId"), 64);
    const auto problemsBefore = reader.errors().size();
    const auto rolesGiven = reader.optionalStringList(QStringLiteral("roleDefinitionIds"), kMaxRoles, 64);
    QStringList roles;
    if (!rolesGiven && reader.errors().size() == problemsBefore)
        reader.fail(QStringLiteral("roleDefinitionIds"), QStringLiteral("is required"));
    if (rolesGiven && rolesGiven->isEmpty())
        reader.fail(QStringLiteral("roleDefinitionIds"), QStringLiteral("must name at least one role"));
    for (const QString& role : rolesGiven.value_or(QStringList())) {
        if (auto id = models::normalizeRoleDefinitionId(role))
            roles << *id;
        else
            reader.fail(QStringLiteral("roleDefinitionIds"),
                        QStringLiteral("'%1' is not a GUID (8-4-4-4-12 hex digits)").arg(role.left(64)));
    }
    roles.sort();
    roles.removeDuplicates();
    const int duration = int(reader.requiredInteger(QStringLiteral("durationMinutes"), models::kMinDurationMinutes,
                                                    models::kMaxDurationMinutes));
    const QString justification =
        reader.optionalText(QStringLiteral("justification"), kMaxJustificationLength, 0, json::TextLines::Many).value_or(QString()).trimmed();
    const QString ticket =
        reader.optionalText(QStringLiteral("ticket"), kMaxTicketLength).value_or(QString()).trimmed();
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());

    // A tenant of another organization, one that does not exist and one no policy grants are refused alike, so that
    // the answer tells nothing about tenants the caller may not see.
    std::optional<models::Tenant> tenant;
    if (ids::isValidId(tenantId, u"tnt")) {
        auto loaded = tenants::loadTenant(ctx.cloud.db, ctx.caller.orgId, tenantId);
        if (!loaded)
            return ctx.fail(loaded.error());
        tenant = *loaded;
    }
    const QString auditTenantId = tenant ? tenant->id : QString();
    const QJsonObject asked{{QStringLiteral("tenantId"), tenantId},
                            {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roles)},
                            {QStringLiteral("durationMinutes"), duration}};
    if (!tenant)
        return refuse(ctx, action, {}, auditTenantId,
                      notGranted(QStringLiteral("No access policy grants you this tenant.")), asked);
    auto grants = checkGrants(ctx, *tenant, ctx.caller.personId, roles, duration);
    if (!grants)
        return ctx.fail(grants.error());
    if (grants->all.isEmpty())
        return refuse(ctx, action, {}, auditTenantId,
                      notGranted(QStringLiteral("No access policy grants you this tenant.")), asked);
    if (grants->covering.isEmpty()) {
        QStringList ungranted;
        for (const QString& role : roles) {
            if (std::none_of(grants->all.begin(), grants->all.end(),
                             [&](const auto& g) { return g.roleDefinitionIds.contains(role); }))
                ungranted << role;
        }
        const QString detail = ungranted.isEmpty()
            ? QStringLiteral("No single access policy grants you all of these roles together; ask for them separately.")
            : QStringLiteral("No access policy grants you these roles in this tenant: %1.")
                  .arg(ungranted.join(QStringLiteral(", ")));
        return refuse(ctx, action, {}, auditTenantId, notGranted(detail), asked);
    }
    if (grants->fitting.isEmpty()) {
        int longest = 0;
        for (const auto& g : grants->covering)
            longest = std::max(longest, g.maxDurationMinutes);
        return fieldError(QStringLiteral("durationMinutes"),
                          QStringLiteral("must be at most %1 minutes for these roles in this tenant").arg(longest));
    }
    // The most permissive grant is chosen before the justification and ticket are looked at, so that leaving a field
    // out is answered with "fill it in" rather than silently sending the request to a policy that needs approval.
    const models::TenantGrant& chosen = grants->fitting.front();
    if (chosen.requireJustification && justification.isEmpty())
        return fieldError(QStringLiteral("justification"),
                          QStringLiteral("is required by the access policy \"%1\"").arg(chosen.policyName));
    if (chosen.requireTicket && ticket.isEmpty())
        return fieldError(QStringLiteral("ticket"),
                          QStringLiteral("is required by the access policy \"%1\"").arg(chosen.policyName));

    // What the tenant's last health check says its settings cannot do (its account domain no longer verified, passes
    // to hand out while its policy is off) would only fail after an account was made: refused up front.
    auto findings = connections::settingsFindingsNow(ctx.cloud.db, tenant->orgId, tenant->id, tenant->connection);
    if (!findings)
        return ctx.fail(findings.error());
    if (!findings->isEmpty()) {
        const entra::HealthFinding& f = findings->front();
        return refuse(ctx, action, {}, auditTenantId,
                      {422,
                       QStringLiteral("connection-finding"),
                       QStringLiteral("The tenant cannot serve this request."),
                       QStringLiteral("The tenant's last connection check found: %1 Ask an admin to fix it.").arg(f.message),
                       {{QStringLiteral("finding"), connections::findingJson(f)}}},
                      asked);
    }

    auto existing = checkouts::openCheckoutOf(ctx.cloud.db, ctx.caller.orgId, tenant->id, ctx.caller.personId);
    if (!existing)
        return ctx.fail(existing.error());
    const auto oneOpen = [&](const QString& id) -> ApiError {
        return {409,
                QStringLiteral("checkout-exists"),
                QStringLiteral("Conflict."),
                QStringLiteral("You already have a checkout of this tenant that has not ended; end it first."),
                {{QStringLiteral("checkoutId"), id}}};
    };
    if (existing->has_value())
        return oneOpen((*existing)->id);

    models::Checkout draft;
    draft.id = ids::newId(u"chk");
    draft.orgId = ctx.caller.orgId;
    draft.tenantId = tenant->id;
    draft.technicianId = ctx.caller.personId;
    draft.policyId = chosen.policyId;
    draft.roleDefinitionIds = roles;
    draft.durationMinutes = duration;
    draft.justification = justification;
    draft.ticket = ticket;
    checkouts::CheckoutStateMachine machine(ctx.cloud);
    auto opened = machine.open(draft, chosen.requireApproval, ctx.actor());
    if (!opened) {
        // The store's guard, for a request that raced past the check above on another server.
        if (opened.error().code == QLatin1String("store.constraint"))
            return oneOpen(QString());
        return problemFor(ctx, opened.error());
    }
    return HttpResponse::json(201, opened->toJson());
}

Reply getCheckout(RequestContext& ctx)
{
    ApiError error;
    auto checkout = visibleCheckout(ctx, &error);
    if (!checkout)
        return error;
    return HttpResponse::json(200, checkout->toJson());
}

Reply approveCheckout(RequestContext& ctx)
{
    const QString action = QStringLiteral("checkout.approve");
    ApiError error;
    auto checkout = visibleCheckout(ctx, &error);
    if (!checkout)
        return error;
    auto reason = readReason(ctx, false, &error);
    if (!reason)
        return error;
    if (checkout->technicianId == ctx.caller.personId)
        return refuse(ctx, action, checkout->id, checkout->tenantId,
                      {403,
                       QStringLiteral("self-approval"),
                       QStringLiteral("Not allowed."),
                       QStringLiteral("Another admin has to approve your own request."),
                       {}});
    if (auto refused = unlessIn(*checkout, {CheckoutState::AwaitingApproval}, QStringLiteral("approved")))
        return *refused;
    // Approval grants access now: the policy must still allow it, not only when it was asked for.
    auto tenant = tenants::loadTenant(ctx.cloud.db, ctx.caller.orgId, checkout->tenantId);
    if (!tenant)
        return ctx.fail(tenant.error());
    if (!tenant->has_value())
        return ApiError::internal(); // checkouts reference their tenant
    auto grants =
        checkGrants(ctx, **tenant, checkout->technicianId, checkout->roleDefinitionIds, checkout->durationMinutes);
    if (!grants)
        return ctx.fail(grants.error());
    if (grants->fitting.isEmpty())
        return ApiError::conflict(QStringLiteral("no-longer-granted"),
                                  QStringLiteral("The access policies no longer allow this request (its roles or its "
                                                 "duration); deny it instead."));
    const QString why = reason->isEmpty() ? QStringLiteral("Approved by %1.").arg(ctx.caller.email) : *reason;
    return act(ctx, *checkout, action, {CheckoutState::Provisioning, why},
               {{QStringLiteral("reason"), *reason}, {QStringLiteral("technicianId"), checkout->technicianId}});
}

Reply denyCheckout(RequestContext& ctx)
{
    ApiError error;
    auto checkout = visibleCheckout(ctx, &error);
    if (!checkout)
        return error;
    auto reason = readReason(ctx, false, &error);
    if (!reason)
        return error;
    if (auto refused = unlessIn(*checkout, {CheckoutState::AwaitingApproval}, QStringLiteral("denied")))
        return *refused;
    const QString why = reason->isEmpty() ? QStringLiteral("Denied by %1.").arg(ctx.caller.email) : *reason;
    return act(ctx, *checkout, QStringLiteral("checkout.deny"), {CheckoutState::Denied, why},
               {{QStringLiteral("reason"), *reason}, {QStringLiteral("technicianId"), checkout->technicianId}});
}

Reply cancelCheckout(RequestContext& ctx)
{
    const QString action = QStringLiteral("checkout.cancel");
    ApiError error;
    auto checkout = ownCheckout(
        ctx, action, QStringLiteral("Only the technician who asked can cancel a checkout; an admin revokes it."), &error);
    if (!checkout)
        return error;
    // Before anything was granted the request is simply withdrawn; once access is live it has to be taken back.
    if (auto refused =
            unlessIn(*checkout, {CheckoutState::Requested, CheckoutState::AwaitingApproval, CheckoutState::Ready},
                     QStringLiteral("cancelled")))
        return *refused;
    const checkouts::Step step = checkout->state == CheckoutState::Ready
        ? checkouts::Step{CheckoutState::Revoking, QStringLiteral("ended early")}
        : checkouts::Step{CheckoutState::Cancelled, QStringLiteral("Cancelled by the technician.")};
    return act(ctx, *checkout, action, step, {{QStringLiteral("from"), models::toString(checkout->state)}});
}

Reply revokeCheckout(RequestContext& ctx)
{
    ApiError error;
    auto checkout = visibleCheckout(ctx, &error);
    if (!checkout)
        return error;
    auto reason = readReason(ctx, true, &error);
    if (!reason)
        return error;
    if (auto refused =
            unlessIn(*checkout, {CheckoutState::Ready, CheckoutState::Provisioning}, QStringLiteral("revoked")))
        return *refused;
    return act(ctx, *checkout, QStringLiteral("checkout.revoke"), {CheckoutState::Revoking, *reason},
               {{QStringLiteral("reason"), *reason}, {QStringLiteral("technicianId"), checkout->technicianId}});
}

Reply endCheckout(RequestContext& ctx)
{
    const QString action = QStringLiteral("checkout.end");
    ApiError error;
    auto checkout = ownCheckout(
        ctx, action,
        QStringLiteral("Only the technician whose access it is can end a checkout; an admin revokes it."), &error);
    if (!checkout)
        return error;
    if (auto refused = unlessIn(*checkout, {CheckoutState::Ready}, QStringLiteral("ended early")))
        return *refused;
    return act(ctx, *checkout, action, {CheckoutState::Revoking, QStringLiteral("ended_early")});
}

Reply extendCheckout(RequestContext& ctx)
{
    const QString action = QStringLiteral("checkout.extend");
    ApiError error;
    auto checkout
        = ownCheckout(ctx, action, QStringLiteral("Only the technician whose access it is can extend it."), &error);
    if (!checkout)
        return error;
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const int minutes = int(reader.requiredInteger(QStringLiteral("minutes"), 1, models::kMaxDurationMinutes));
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    if (auto refused = unlessIn(*checkout, {CheckoutState::Ready}, QStringLiteral("extended")))
        return *refused;

    // The window counts from when access became ready and may not pass what the policies granting these roles and
    // the tenant allow, now (not when it was asked for).
    auto tenant = tenants::loadTenant(ctx.cloud.db, ctx.caller.orgId, checkout->tenantId);
    if (!tenant)
        return ctx.fail(tenant.error());
    if (!tenant->has_value() || !checkout->readyAt || !checkout->expiresAt)
        return ApiError::internal(); // a ready checkout has its tenant and its window
    auto grants = checkGrants(ctx, **tenant, checkout->technicianId, checkout->roleDefinitionIds, 0);
    if (!grants)
        return ctx.fail(grants.error());
    int cap = 0;
    for (const models::TenantGrant& g : grants->covering)
        cap = std::max(cap, g.maxDurationMinutes);
    cap = std::min(cap, (*tenant)->connection.maxDurationMinutes);
    const TimeMs expiresAt = *checkout->expiresAt + qint64(minutes) * 60'000;
    const qint64 totalMinutes = (expiresAt - *checkout->readyAt + 59'999) / 60'000;
    if (totalMinutes > cap)
        return refuse(ctx, action, checkout->id, checkout->tenantId,
                      fieldError(QStringLiteral("minutes"),
                                 QStringLiteral("would make the access last %1 minutes; at most %2 minutes from when "
                                                "it became ready are allowed")
                                     .arg(totalMinutes)
                                     .arg(cap)),
                      {{QStringLiteral("minutes"), minutes}, {QStringLiteral("capMinutes"), cap}});
    checkouts::CheckoutStateMachine machine(ctx.cloud);
    auto extended = machine.extend(*checkout, expiresAt, ctx.actor());
    if (!extended)
        return problemFor(ctx, extended.error());
    // A Temporary Access Pass that would end before the access does is renewed (engine/TapRenewal.h); the answer says
    // so, and the new pass is announced when it is in the vault. The extension stands either way.
    QJsonObject out = extended->toJson();
    auto renewing = engine::renewTemporaryAccessPassIfShort(ctx.cloud, *extended);
    if (!renewing)
        qCWarning(lcCheckouts) << "could not start renewing the pass of" << extended->id << ":" << renewing.error().code;
    out.insert(QStringLiteral("temporaryAccessPassRenewal"),
               !renewing ? QStringLiteral("failed") : *renewing ? QStringLiteral("pending") : QStringLiteral("not_needed"));
    return HttpResponse::json(200, out);
}

Reply checkoutCredential(RequestContext& ctx)
{
    const QString action = QStringLiteral("checkout.credential_view");
    ApiError error;
    // Admins see the checkout, never the secret: only the technician who signs in with it.
    auto checkout = ownCheckout(
        ctx, action, QStringLiteral("Only the technician whose access it is can read its credential."), &error);
    if (!checkout)
        return error;
    const auto unavailable = [&] {
        return ApiError{409,
                        QStringLiteral("credential-unavailable"),
                        QStringLiteral("Conflict."),
                        QStringLiteral("The credential is there only while the checkout is ready; it is %1.")
                            .arg(models::toString(checkout->state)),
                        {{QStringLiteral("state"), models::toString(checkout->state)}}};
    };
    if (checkout->state != CheckoutState::Ready)
        return unavailable();
    auto credential = checkouts::openCredential(ctx.cloud, ctx.caller.orgId, checkout->id);
    if (!credential)
        return ctx.fail(credential.error());
    if (!credential->has_value())
        return unavailable();
    const checkouts::IssuedCredential& c = **credential;

    AuditEvent e = ctx.auditEvent(action);
    e.targetType = QStringLiteral("checkout");
    e.targetId = checkout->id;
    e.tenantId = checkout->tenantId;
    e.details.insert(QStringLiteral("kind"), c.kind);
    e.details.insert(QStringLiteral("userPrincipalName"), c.userPrincipalName);
    if (!ctx.audit(e))
        return ApiError::internal(); // no view goes unrecorded

    QJsonObject out{{QStringLiteral("userPrincipalName"), c.userPrincipalName},
                    {QStringLiteral("expiresAt"), toRfc3339(checkout->expiresAt.value_or(c.expiresAt))}};
    if (!c.password.isEmpty())
        out.insert(QStringLiteral("password"), QString::fromUtf8(c.password.bytes()));
    if (!c.temporaryAccessPass.isEmpty())
        out.insert(QStringLiteral("temporaryAccessPass"), QString::fromUtf8(c.temporaryAccessPass.bytes()));
    if (c.temporaryAccessPassExpiresAt)
        out.insert(QStringLiteral("temporaryAccessPassExpiresAt"), toRfc3339(*c.temporaryAccessPassExpiresAt));
    HttpResponse response = HttpResponse::json(200, out);
    response.addHeader("Cache-Control", "no-store");
    response.addHeader("Pragma", "no-cache");
    return response;
}

} // namespace stint::cloud::api
