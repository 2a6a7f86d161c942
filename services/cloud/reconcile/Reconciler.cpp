// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/reconcile/Reconciler.h"

#include "cloud/CloudTransaction.h"
#include "cloud/CloudContext.h"
#include "cloud/connections/ConnectionStore.h"
#include "cloud/connections/TenantAccess.h"
#include "cloud/WorkerPool.h"
#include "cloud/http/RequestContext.h"
#include "cloud/tenants/TenantStore.h"
#include "core/Ids.h"
#include "models/Tenant.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcReconcile, "stint.cloud.reconcile")

namespace stint::cloud::reconcile {

namespace {
const QString kLiveStates = QStringLiteral("'provisioning', 'ready', 'revoking', 'revoke_failed'");

struct Drift
{
    entra::ManagedAccount account;
    QString finding; // "enabled", "holds roles", "enabled and holds roles"
};

struct Revoked
{
    Drift drift;
    Result<entra::RevokeReport> result;
};

QString describe(const entra::ManagedAccount& a)
{
    const bool roles = !a.roleDefinitionIds.isEmpty();
    if (a.enabled && roles)
        return QStringLiteral("enabled and holds roles");
    return a.enabled ? QStringLiteral("enabled") : QStringLiteral("holds roles");
}

// Records the outcome: one reconcile.drift audit event per account, an alert when drift was found, the summary.
Result<void> record(CloudContext& cloud, const QString& orgId, const QString& tenantId, const Actor& actor,
                    const QList<Revoked>& revoked, int listed, const QString& error)
{
    const TimeMs now = cloud.clock.now();
    QJsonArray accounts;
    int confirmed = 0;
    for (const Revoked& r : revoked) {
        const bool ok = r.result.ok() && r.result->confirmed(false);
        if (ok)
            ++confirmed;
        const QString done = ok ? QStringLiteral("revoked")
            : r.result.ok()     ? QStringLiteral("revocation not confirmed: ") + r.result->detail
                                : QStringLiteral("revocation failed: ") + r.result.error().code;
        // details are replaced whole: a reconciliation's events never carried the request id.
        AuditEvent e = auditEventFor(actor, orgId, QStringLiteral("reconcile.drift"),
                                     {QStringLiteral("entra_account"), r.drift.account.accountId, tenantId}, 0,
                                     ok ? QStringLiteral("success") : QStringLiteral("failure"));
        e.details = {{QStringLiteral("accountId"), r.drift.account.accountId},
                     {QStringLiteral("userPrincipalName"), r.drift.account.userPrincipalName},
                     {QStringLiteral("found"), r.drift.finding},
                     {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(r.drift.account.roleDefinitionIds)},
                     {QStringLiteral("done"), done}};
        STINT_TRY(cloud.audit.append(e));
        accounts.append(QJsonObject{{QStringLiteral("accountId"), r.drift.account.accountId},
                                    {QStringLiteral("userPrincipalName"), r.drift.account.userPrincipalName},
                                    {QStringLiteral("found"), r.drift.finding},
                                    {QStringLiteral("done"), done}});
    }
    QJsonObject summary{{QStringLiteral("at"), toRfc3339(now)},
                        {QStringLiteral("accountsListed"), listed},
                        {QStringLiteral("drift"), accounts},
                        {QStringLiteral("revoked"), confirmed}};
    if (!error.isEmpty())
        summary.insert(QStringLiteral("error"), error);
    STINT_TRY(connections::saveReconcileResult(cloud.db, orgId, tenantId, summary, revoked.size(), now));
    AuditEvent e = auditEventFor(actor, orgId, QStringLiteral("reconcile.run"), AuditTarget::tenant(tenantId), 0,
                                 error.isEmpty() ? QStringLiteral("success") : QStringLiteral("failure"));
    e.details = {{QStringLiteral("accountsListed"), listed}, {QStringLiteral("driftFound"), int(revoked.size())},
                 {QStringLiteral("revoked"), confirmed}};
    if (!error.isEmpty())
        e.details.insert(QStringLiteral("error"), error);
    STINT_TRY(cloud.audit.append(e));
    if (!revoked.isEmpty())
        STINT_TRY(connections::raiseAlert(cloud, orgId, tenantId, QStringLiteral("reconcile.drift"),
                                          QStringLiteral("Reconciliation found %1 Stint account(s) enabled or holding "
                                                         "roles without a live checkout; %2 revoked.")
                                              .arg(revoked.size())
                                              .arg(confirmed),
                                          {{QStringLiteral("accounts"), accounts}}));
    return {};
}

void finish(CloudContext* cloud, const QString& orgId, const QString& tenantId, const Actor& actor,
            const QList<Revoked>& revoked, int listed, const QString& error, const std::function<void()>& done)
{
    auto recorded = inCloudTransaction(
        *cloud, [&]() { return record(*cloud, orgId, tenantId, actor, revoked, listed, error); });
    if (!recorded)
        qCWarning(lcReconcile) << "recording the reconciliation of" << tenantId << "failed:" << recorded.error().code;
    if (done)
        done();
}
} // namespace

Result<ProtectedAccounts> protectedAccounts(store::Database& db, const QString& orgId, const QString& tenantId)
{
    ProtectedAccounts out;
    // tenant_accounts (tenant_id, person_id, account_id, …) is the provisioning engine's record of the account it
    // made for each technician in each tenant (migration 3).
    auto mapped = db.query(QStringLiteral("SELECT a.account_id, a.upn FROM tenant_accounts a JOIN checkouts c"
                                          " ON c.tenant_id = a.tenant_id AND c.technician_id = a.person_id"
                                          " WHERE a.tenant_id = ? AND c.org_id = ? AND c.state IN (%1)")
                               .arg(kLiveStates),
                           {tenantId, orgId});
    if (!mapped)
        return mapped.error();
    for (const store::Row& r : *mapped) {
        out.accountIds.insert(r.text(0).toLower());
        out.userPrincipalNames.insert(r.text(1).toLower());
    }
    auto live = db.query(QStringLiteral("SELECT c.account_upn, p.id, p.email, p.display_name FROM checkouts c"
                                        " JOIN people p ON p.id = c.technician_id"
                                        " WHERE c.tenant_id = ? AND c.org_id = ? AND c.state IN (%1)")
                             .arg(kLiveStates),
                         {tenantId, orgId});
    if (!live)
        return live.error();
    if (live->empty())
        return out;
    auto tenant = tenants::loadTenant(db, orgId, tenantId);
    if (!tenant)
        return tenant.error();
    for (const store::Row& r : *live) {
        if (!r.isNull(0))
            out.userPrincipalNames.insert(r.text(0).toLower());
        // What the engine names the account today (the rule or the domain may have changed since the last one).
        if (tenant->has_value() && (*tenant)->connection.accountDomain)
            out.userPrincipalNames.insert(
                (models::accountNaming::expand((*tenant)->connection.accountNamingRule, r.text(2), r.text(3), r.text(1))
                 + QLatin1Char('@') + *(*tenant)->connection.accountDomain)
                    .toLower());
    }
    return out;
}

Result<void> startReconcile(CloudContext& cloud, const models::Tenant& tenant, const Actor& actor,
                            std::function<void()> done)
{
    if (!tenant.connection.entraTenantId)
        return makeError(QStringLiteral("connection.no_tenant_id"), QStringLiteral("The tenant is not connected."));
    auto access = connections::tenantAccess(cloud, tenant);
    if (!access)
        return access.error();
    // Who is covered as the listing begins: a checkout may end while it runs, and the listing still show its account
    // enabled with roles (listed before the revocation, or behind it by replication lag).
    auto before = protectedAccounts(cloud.db, tenant.orgId, tenant.id);
    if (!before)
        return before.error();
    auto shared = std::make_shared<entra::TenantAccess>(std::move(*access));
    entra::EntraGateway* gateway = &cloud.entra;
    CloudContext* context = &cloud;
    const QString orgId = tenant.orgId;
    const QString tenantId = tenant.id;
    cloud.workers.run(
        [gateway, shared]() { return gateway->listManagedAccounts(*shared); },
        [context, gateway, shared, orgId, tenantId, actor, done,
         coveredBefore = std::move(*before)](Result<QList<entra::ManagedAccount>> listed) {
            if (!listed) {
                finish(context, orgId, tenantId, actor, {}, 0, listed.error().code, done);
                return;
            }
            // Read the store again now, on the service thread: what is drift is decided against the latest state.
            auto covered = protectedAccounts(context->db, orgId, tenantId);
            if (!covered) {
                finish(context, orgId, tenantId, actor, {}, int(listed->size()), covered.error().code, done);
                return;
            }
            covered->add(coveredBefore);
            QList<Drift> drift;
            for (const entra::ManagedAccount& a : *listed) {
                if (!a.enabled && a.roleDefinitionIds.isEmpty())
                    continue;
                if (covered->covers(a))
                    continue;
                drift.append({a, describe(a)});
            }
            const int count = int(listed->size());
            if (drift.isEmpty()) {
                finish(context, orgId, tenantId, actor, {}, count, {}, done);
                return;
            }
            context->workers.run(
                [gateway, shared, drift]() {
                    QList<Revoked> out;
                    for (const Drift& d : drift) {
                        entra::RevokeRequest request;
                        request.tenant = shared->clone();
                        request.accountId = d.account.accountId;
                        out.append({d, gateway->revoke(request)});
                    }
                    return out;
                },
                [context, orgId, tenantId, actor, count, done](QList<Revoked> revoked) {
                    finish(context, orgId, tenantId, actor, revoked, count, {}, done);
                });
        });
    return {};
}

Reply reconcileTenant(RequestContext& ctx)
{
    const QString id = ctx.param(QStringLiteral("tenantId"));
    if (!ids::isValidId(id, u"tnt"))
        return ApiError::notFound(QStringLiteral("tenant"));
    auto tenant = tenants::loadTenant(ctx.cloud.db, ctx.caller.orgId, id);
    if (!tenant)
        return ctx.fail(tenant.error());
    if (!tenant->has_value())
        return ApiError::notFound(QStringLiteral("tenant"));
    if (!(*tenant)->connection.entraTenantId)
        return ApiError::conflict(QStringLiteral("not-connected"), QStringLiteral("The tenant is not connected."));
    if (auto started = startReconcile(ctx.cloud, **tenant, ctx.actor()); !started) {
        if (started.error().code.startsWith(QLatin1String("connection.")))
            return ApiError::conflict(QStringLiteral("no-credential"), started.error().message);
        return ctx.fail(started.error());
    }
    AuditEvent e = ctx.auditEvent(QStringLiteral("reconcile.start"));
    e.targetType = QStringLiteral("tenant");
    e.targetId = e.tenantId = id;
    if (!ctx.audit(e))
        return ApiError::internal();
    return HttpResponse::json(202, {{QStringLiteral("tenantId"), id}, {QStringLiteral("status"), QStringLiteral("started")}});
}

} // namespace stint::cloud::reconcile
