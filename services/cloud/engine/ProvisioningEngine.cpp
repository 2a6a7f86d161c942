// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/engine/ProvisioningEngine.h"

#include "cloud/audit/Actor.h"
#include "cloud/audit/AuditLog.h"
#include "cloud/CloudTransaction.h"
#include "cloud/checkouts/BulkTransitions.h"
#include "cloud/checkouts/CheckoutStateMachine.h"
#include "cloud/checkouts/CheckoutStore.h"
#include "cloud/directory/DirectoryStore.h"
#include "cloud/checkouts/CredentialVault.h"
#include "cloud/connections/ConnectionChecks.h"
#include "cloud/engine/TenantAccounts.h"
#include "cloud/WorkerPool.h"
#include "cloud/events/EventHub.h"
#include "cloud/metrics/Metrics.h"
#include "cloud/policies/PolicyStore.h"
#include "cloud/tenants/TenantStore.h"

#include <QFile>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <algorithm>

Q_LOGGING_CATEGORY(lcEngine, "stint.cloud.engine")

namespace stint::cloud::engine {

using checkouts::CheckoutStateMachine;
using checkouts::Step;
using models::CheckoutState;

namespace {
constexpr int kScanBatch = 500;
// Looking an account up by name (its id never recorded: the provision that made it failed afterwards or was cut off
// by a restart) and not finding it is believed only after this many lookups, spaced by the retry backoff (with the
// default 2 s base: at least 7 s after the first): Entra may not list an account made moments ago (protocols.md 2.11).
constexpr int kNameLookupsBeforeNothingGranted = 4;

bool isTransient(const QString& code)
{
    return code == QLatin1String(entra::EntraGateway::kTransient) || code == QLatin1String("entra.throttled")
        || code == QLatin1String("entra.unreachable") || code.startsWith(QLatin1String("store."));
}

// Permanent errors after which this attempt granted nothing: the token was refused, the tenant is not the one we
// think, the UPN belongs to someone else's account, or the engine never got as far as calling the tenant.
bool attemptGrantedNothing(const QString& code)
{
    return code == QLatin1String(entra::EntraGateway::kAuthentication)
        || code == QLatin1String(entra::EntraGateway::kTenantMismatch)
        || code == QLatin1String(entra::EntraGateway::kAccountNotManaged) || code.startsWith(QLatin1String("engine."));
}

// … and those after which no attempt can have: the name or the tenant is not Stint's, so no earlier try can have
// made or used an account there either.
bool nothingEverGranted(const QString& code)
{
    return code == QLatin1String(entra::EntraGateway::kTenantMismatch)
        || code == QLatin1String(entra::EntraGateway::kAccountNotManaged);
}

QString stateList(std::initializer_list<CheckoutState> states)
{
    QStringList quoted;
    for (CheckoutState s : states)
        quoted << QLatin1Char('\'') + models::toString(s) + QLatin1Char('\'');
    return quoted.join(QStringLiteral(", "));
}

// What the engine itself records about a checkout.
// How a confirmed revocation ends the checkout: ended — or failed, with the failure kept as the cause, when it was the
// clean-up after a failed provision.
Step confirmedEnd(const models::Checkout& c, const QString& what)
{
    if (!c.failure)
        return {CheckoutState::Ended, what};
    QString clean = what;
    if (!clean.isEmpty())
        clean[0] = clean[0].toLower();
    return {CheckoutState::Failed, QStringLiteral("%1. The clean-up was confirmed: %2").arg(*c.failure, clean)};
}

AuditEvent systemEvent(const models::Checkout& c, const QString& action, TimeMs now,
                       const QString& outcome = QStringLiteral("success"))
{
    return auditEventFor(Actor::system(), c.orgId, action, AuditTarget::checkout(c.id, c.tenantId), now, outcome);
}

} // namespace

struct ProvisioningEngine::ProvisionOutcome
{
    Result<entra::ProvisionResult> result;
    QString userPrincipalName;
    QString credentialKind;
};

struct ProvisioningEngine::RevokeOutcome
{
    struct Done
    {
        entra::RevokeReport report;
        QString accountId;          // the account revoked ("" when there was none)
        bool nothingGranted = false; // no account of the technician exists in the tenant
    };
    Result<Done> result;
    bool deleteRequested = false;
    bool accountWasKnown = false;
    QString userPrincipalName;
};

ProvisioningEngine::ProvisioningEngine(CloudContext& cloud, TenantAccessResolver resolver)
    : m_cloud(cloud)
    , m_resolver(std::move(resolver))
{
    m_timer.setSingleShot(true);
    // Deadlines are promises (a checkout ends when it says): a coarse timer may fire 5% of its interval late — 250 ms
    // of a 5 s wait — or early, which the scan would find nothing due at.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ProvisioningEngine::scan);
}

ProvisioningEngine::~ProvisioningEngine() = default;

void ProvisioningEngine::start()
{
    m_running = true;
    wake();
}

void ProvisioningEngine::stop()
{
    m_running = false;
    m_timer.stop();
}

void ProvisioningEngine::wake()
{
    if (!m_running || m_wakeQueued)
        return;
    m_wakeQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_wakeQueued = false;
            scan();
        },
        Qt::QueuedConnection);
}

Result<QList<ProvisioningEngine::DueRow>> ProvisioningEngine::dueRows(std::optional<TimeMs> dueBy, int limit)
{
    // A requested or provisioning checkout waits while its tenant is not connected: nothing can be done there yet,
    // and the technician may still cancel the request.
    QString sql = QStringLiteral(
                      "SELECT id, tenant_id, state, due FROM (SELECT c.id AS id, c.tenant_id AS tenant_id,"
                      " c.state AS state, CASE WHEN c.state = 'ready' THEN c.expires_at ELSE c.next_action_at END"
                      " AS due FROM checkouts c JOIN tenants t ON t.id = c.tenant_id WHERE"
                      " (c.state IN (%1) AND t.connection_status IN ('connected', 'unhealthy'))"
                      " OR c.state IN (%2)) AS d WHERE due IS NOT NULL")
                      .arg(stateList({CheckoutState::Requested, CheckoutState::Provisioning}),
                           stateList({CheckoutState::Ready, CheckoutState::Revoking, CheckoutState::RevokeFailed,
                                      CheckoutState::AwaitingApproval}));
    store::Params params;
    if (dueBy) {
        sql += QStringLiteral(" AND due <= ?");
        params << *dueBy;
    }
    sql += QStringLiteral(" ORDER BY due, id LIMIT ?");
    params << qint64(limit);
    auto rows = m_cloud.db.query(sql, params);
    if (!rows)
        return rows.error();
    QList<DueRow> out;
    for (const auto& r : *rows) {
        DueRow row{r.text(0), r.text(1), r.integer(3)};
        // Approvals are expired in bulk by the state machine; keep them only for arming the timer.
        if (r.text(2) == models::toString(CheckoutState::AwaitingApproval) && dueBy)
            continue;
        out.append(row);
    }
    return out;
}

bool ProvisioningEngine::tenantBusy(const QString& tenantId) const
{
    return m_tenantJobs.value(tenantId) >= qMax(1, m_cloud.config.engine.maxJobsPerTenant);
}

void ProvisioningEngine::scan()
{
    if (!m_running)
        return;
    const TimeMs now = m_cloud.clock.now();
    CheckoutStateMachine machine(m_cloud);
    if (auto expired = machine.expireStaleApprovals(now); !expired)
        qCWarning(lcEngine) << "expiring approvals failed:" << expired.error().code << expired.error().message;
    auto due = dueRows(now, kScanBatch);
    if (!due) {
        qCWarning(lcEngine) << "reading due checkouts failed:" << due.error().code << due.error().message;
    } else {
        for (const DueRow& row : *due) {
            if (m_inFlight.contains(row.id) || tenantBusy(row.tenantId))
                continue; // its job's completion looks again
            handle(row.id);
        }
    }
    arm(now);
}

void ProvisioningEngine::arm(TimeMs scannedUpTo)
{
    if (!m_running)
        return;
    const int poll = qMax(1, m_cloud.config.engine.pollIntervalMs);
    int delay = poll;
    auto rows = dueRows(std::nullopt, int(m_inFlight.size()) + 64);
    if (rows) {
        const TimeMs now = m_cloud.clock.now();
        for (const DueRow& row : *rows) {
            if (m_inFlight.contains(row.id) || tenantBusy(row.tenantId))
                continue;
            // Something the scan saw due and left (an error it logged): the poll tries again, no busy loop. A row due
            // after the scan's `now` (even if that is past already, or it changed during the scan) is looked at as
            // soon as it is due: taking it for one the scan left would sleep a poll interval past its deadline.
            if (row.due > scannedUpTo)
                delay = int(std::clamp<qint64>(row.due - now, 0, poll));
            break;
        }
    }
    m_timer.start(delay);
}

void ProvisioningEngine::handle(const QString& checkoutId)
{
    auto loaded = checkouts::loadCheckout(m_cloud.db, {}, checkoutId);
    if (!loaded || !loaded->has_value())
        return;
    models::Checkout c = **loaded;
    const TimeMs now = m_cloud.clock.now();
    CheckoutStateMachine machine(m_cloud);
    const auto logFailure = [&](const char* what, const Error& e) {
        if (e.code != QLatin1String(CheckoutStateMachine::kVersionConflict))
            qCWarning(lcEngine).noquote() << what << c.id << e.code << e.message;
    };
    switch (c.state) {
    case CheckoutState::Requested: {
        if (c.nextActionAt && *c.nextActionAt > now)
            return;
        auto tenant = tenants::loadTenant(m_cloud.db, c.orgId, c.tenantId);
        if (!tenant || !tenant->has_value())
            return;
        auto granted = checkouts::stillGranted(m_cloud, c, **tenant);
        if (!granted)
            return logFailure("grant check failed", granted.error());
        if (!*granted) {
            if (auto failed = machine.transition(
                    c, {CheckoutState::Failed, QStringLiteral("No access policy grants this any more.")},
                    Actor::system());
                !failed)
                logFailure("failing", failed.error());
            return;
        }
        auto moved = machine.transition(c, {CheckoutState::Provisioning, QStringLiteral("Provisioning the account.")},
                                        Actor::system());
        if (!moved)
            return logFailure("starting provisioning", moved.error());
        startProvision(*moved);
        return;
    }
    case CheckoutState::Provisioning:
        if (!c.nextActionAt || *c.nextActionAt <= now)
            startProvision(c);
        return;
    case CheckoutState::Ready:
        if (c.expiresAt && *c.expiresAt <= now) {
            if (auto moved = machine.transition(c, {CheckoutState::Revoking, QStringLiteral("expired")},
                                                Actor::system());
                !moved)
                logFailure("expiring", moved.error());
        }
        return;
    case CheckoutState::Revoking:
    case CheckoutState::RevokeFailed:
        if (c.nextActionAt && *c.nextActionAt <= now)
            startRevoke(c);
        return;
    default:
        return;
    }
}

void ProvisioningEngine::beginJob(const models::Checkout& c, const char* kind)
{
    m_inFlight.insert(c.id);
    ++m_tenantJobs[c.tenantId];
    const TimeMs now = m_cloud.clock.now();
    const qint64 lateMs = c.nextActionAt ? qMax<qint64>(0, now - *c.nextActionAt) : 0;
    const QString labels = QStringLiteral("kind=\"%1\"").arg(QLatin1String(kind));
    m_cloud.metrics.increment(QStringLiteral("stint_engine_jobs_started_total"), labels);
    m_cloud.metrics.increment(QStringLiteral("stint_engine_job_lateness_milliseconds_total"), labels, lateMs);
    m_cloud.metrics.setGauge(QStringLiteral("stint_engine_last_job_lateness_seconds"), double(lateMs) / 1000.0);
}

void ProvisioningEngine::endJob(const QString& checkoutId, const QString& tenantId)
{
    m_inFlight.remove(checkoutId);
    if (--m_tenantJobs[tenantId] <= 0)
        m_tenantJobs.remove(tenantId);
    m_cloud.metrics.setGauge(QStringLiteral("stint_engine_jobs_in_flight"), double(m_inFlight.size()));
    wake();
}

void ProvisioningEngine::startProvision(const models::Checkout& c)
{
    auto tenant = tenants::loadTenant(m_cloud.db, c.orgId, c.tenantId);
    auto person = directory::loadPerson(m_cloud.db, c.orgId, c.technicianId);
    auto account = loadTenantAccount(m_cloud.db, c.tenantId, c.technicianId);
    if (!tenant || !person || !account) {
        const Error e = !tenant ? tenant.error() : !person ? person.error() : account.error();
        return provisionFailed(c, e, false);
    }
    if (!tenant->has_value() || !person->has_value())
        return provisionFailed(c,
                               makeError(QStringLiteral("engine.missing"),
                                         QStringLiteral("The checkout's tenant or technician no longer exists.")),
                               false);
    const models::Tenant& t = **tenant;
    const models::Person& p = **person;
    if (!t.connection.accountDomain)
        return provisionFailed(c,
                               makeError(QString::fromLatin1(kNoAccountDomain),
                                         QStringLiteral("The tenant has no domain chosen for Stint's accounts.")),
                               false);
    auto access = m_resolver ? m_resolver(t)
                             : Result<entra::TenantAccess>(makeError(
                                   QString::fromLatin1(kNotConnected), QStringLiteral("No way to reach the tenant.")));
    if (!access)
        return provisionFailed(c, access.error(), false);

    const QString localPart =
        models::accountNaming::expand(t.connection.accountNamingRule, p.email, p.displayName, p.id);
    entra::ProvisionRequest request;
    request.tenant = std::move(*access);
    if (account->has_value())
        request.knownAccountId = (*account)->accountId;
    request.userPrincipalName = localPart + QLatin1Char('@') + *t.connection.accountDomain;
    request.displayName = p.displayName + QStringLiteral(" (Stint)");
    request.mailNickname = localPart;
    request.roleDefinitionIds = c.roleDefinitionIds;
    const QString kind = t.connection.credentialKind;
    request.issuePassword = kind != QLatin1String("tap");
    request.issueTemporaryAccessPass = kind != QLatin1String("password");
    request.windowMinutes = c.durationMinutes;

    beginJob(c, "provision");
    const QString upn = request.userPrincipalName;
    entra::EntraGateway* gateway = &m_cloud.entra;
    QPointer<ProvisioningEngine> self(this);
    m_cloud.workers.run([gateway, request = std::move(request)]() { return gateway->provision(request); },
                        [self, id = c.id, tenantId = c.tenantId, upn, kind](Result<entra::ProvisionResult> r) {
                            if (self)
                                self->onProvisioned(id, tenantId, {std::move(r), upn, kind});
                        });
}

void ProvisioningEngine::onProvisioned(const QString& checkoutId, const QString& tenantId, ProvisionOutcome outcome)
{
    endJob(checkoutId, tenantId);
    auto loaded = checkouts::loadCheckout(m_cloud.db, {}, checkoutId);
    if (!loaded || !loaded->has_value())
        return;
    const models::Checkout c = **loaded;
    if (!outcome.result) {
        m_cloud.metrics.increment(QStringLiteral("stint_engine_jobs_total"),
                                  QStringLiteral("kind=\"provision\",outcome=\"error\""));
        noteIfConnectionLost(c, outcome.result.error());
        if (c.state == CheckoutState::Provisioning)
            provisionFailed(c, outcome.result.error(), true);
        return; // revoked meanwhile: the revoke job cleans up whatever the failed attempt left
    }
    entra::ProvisionResult& done = *outcome.result;
    m_cloud.metrics.increment(QStringLiteral("stint_engine_jobs_total"),
                              QStringLiteral("kind=\"provision\",outcome=\"success\""));
    const TimeMs now = m_cloud.clock.now();
    // Remembered whatever happens next, in its own commit before the checkout is ready (a ready that fails must not
    // take it back): the revoke job needs the account and what it was granted — with them it starts with the writes,
    // 2 round trips also after a restart —, and the next checkout reuses the account. A crash before this commit
    // leaves the grants unknown: the revocation then reads first.
    if (auto recorded = recordTenantAccount(m_cloud.db, {c.orgId, c.tenantId, c.technicianId, done.accountId,
                                                         done.userPrincipalName, now, done.granted});
        !recorded)
        qCWarning(lcEngine) << "recording the account failed:" << recorded.error().code << recorded.error().message;
    if (c.state != CheckoutState::Provisioning) {
        // Revoked (or ended) while the provision ran: the fresh credential is dropped (wiped with `done`), never
        // shown, and the revoke job takes the access away again.
        qCInfo(lcEngine) << "provisioned" << c.id << "after it left provisioning; revoking it";
        return;
    }
    CheckoutStateMachine machine(m_cloud);
    auto applied = inCloudTransaction(m_cloud, [&]() -> Result<void> {
        AuditEvent e = systemEvent(c, QStringLiteral("checkout.provisioned"), now);
        e.details.insert(QStringLiteral("accountId"), done.accountId);
        e.details.insert(QStringLiteral("userPrincipalName"), done.userPrincipalName);
        e.details.insert(QStringLiteral("accountCreated"), done.created);
        e.details.insert(QStringLiteral("roleAssignments"), int(done.roleAssignmentIds.size()));
        e.details.insert(QStringLiteral("credentialKind"), outcome.credentialKind);
        e.details.insert(QStringLiteral("graphRoundTrips"), done.graphRoundTrips);
        STINT_TRY(m_cloud.audit.append(e));
        auto ready = machine.transition(c,
                                        {CheckoutState::Ready, QStringLiteral("Access is ready."), std::nullopt,
                                         done.userPrincipalName},
                                        Actor::system());
        if (!ready)
            return ready.error();
        checkouts::IssuedCredential credential;
        credential.kind = outcome.credentialKind;
        credential.userPrincipalName = done.userPrincipalName;
        credential.password = std::move(done.password);
        credential.temporaryAccessPass = std::move(done.temporaryAccessPass);
        credential.temporaryAccessPassExpiresAt = done.temporaryAccessPassExpiresAt;
        credential.expiresAt = ready->expiresAt.value_or(now);
        return checkouts::storeCredential(m_cloud, c.orgId, c.id, credential);
    });
    if (!applied) {
        if (applied.error().code == QLatin1String(CheckoutStateMachine::kVersionConflict))
            return wake(); // changed meanwhile; looked at again
        qCWarning(lcEngine) << "making" << c.id << "ready failed:" << applied.error().code << applied.error().message;
        provisionFailed(c, applied.error(), true);
    }
}

void ProvisioningEngine::provisionFailed(const models::Checkout& c, const Error& error, bool mayHaveGranted)
{
    CheckoutStateMachine machine(m_cloud);
    const TimeMs now = m_cloud.clock.now();
    const EngineConfig& cfg = m_cloud.config.engine;
    Result<models::Checkout> moved = c;
    if (isTransient(error.code)) {
        moved = machine.retryLater(c, now + backoff(c.attempts, cfg.retryBaseSeconds, cfg.retryCapSeconds),
                                   QStringLiteral("Retrying: %1").arg(error.message), Actor::system());
    } else if (nothingEverGranted(error.code)
               || ((attemptGrantedNothing(error.code) || !mayHaveGranted) && c.attempts == 0)) {
        // An earlier attempt (attempts > 0: it failed transiently, perhaps partway) may have left something; only
        // the first one is known to have granted nothing. (A restart loses that knowledge for an interrupted first
        // attempt; the gateway's idempotent retry usually succeeds or fails the same way.)
        moved = machine.transition(
            c, {CheckoutState::Failed, QStringLiteral("Provisioning failed (%1): %2").arg(error.code, error.message)},
            Actor::system());
    } else {
        // It may have got partway (an account made, a role assigned): take it all back and confirm that, then end as
        // failed with this cause.
        const QString failure = QStringLiteral("Provisioning failed (%1): %2").arg(error.code, error.message);
        moved = machine.transition(
            c, {CheckoutState::Revoking, failure + QStringLiteral("; cleaning up."), std::nullopt, std::nullopt, failure},
            Actor::system());
    }
    if (!moved && moved.error().code != QLatin1String(CheckoutStateMachine::kVersionConflict))
        qCWarning(lcEngine) << "recording the failure of" << c.id << "failed:" << moved.error().code;
}

void ProvisioningEngine::startRevoke(const models::Checkout& c)
{
    auto tenant = tenants::loadTenant(m_cloud.db, c.orgId, c.tenantId);
    auto person = directory::loadPerson(m_cloud.db, c.orgId, c.technicianId);
    auto account = loadTenantAccount(m_cloud.db, c.tenantId, c.technicianId);
    if (!tenant || !person || !account) {
        const Error e = !tenant ? tenant.error() : !person ? person.error() : account.error();
        return revokeFailed(c, e.message);
    }
    if (!tenant->has_value() || !person->has_value())
        return revokeFailed(c, QStringLiteral("The checkout's tenant or technician no longer exists."));
    const models::Tenant& t = **tenant;
    const models::Person& p = **person;
    CheckoutStateMachine machine(m_cloud);
    if (!account->has_value() && !c.accountUpn && !t.connection.entraTenantId) {
        // The tenant was never bound to an Entra tenant, so no provision can have run: nothing to take back.
        auto done = inCloudTransaction(m_cloud, [&]() -> Result<void> {
            models::Checkout current = c;
            if (c.state == CheckoutState::RevokeFailed) {
                auto again = machine.transition(c, {CheckoutState::Revoking, QStringLiteral("Nothing to revoke.")},
                                                Actor::system());
                if (!again)
                    return again.error();
                current = *again;
            }
            auto ended = machine.transition(current, confirmedEnd(c, QStringLiteral("Nothing was granted.")),
                                            Actor::system());
            if (!ended)
                return ended.error();
            return {};
        });
        if (!done && done.error().code != QLatin1String(CheckoutStateMachine::kVersionConflict))
            qCWarning(lcEngine) << "ending" << c.id << "failed:" << done.error().code;
        return;
    }
    auto access = m_resolver ? m_resolver(t)
                             : Result<entra::TenantAccess>(makeError(
                                   QString::fromLatin1(kNotConnected), QStringLiteral("No way to reach the tenant.")));
    if (!access)
        return revokeFailed(c, QStringLiteral("%1 (%2)").arg(access.error().message, access.error().code));

    QString expectedUpn;
    if (account->has_value())
        expectedUpn = (*account)->userPrincipalName;
    else if (c.accountUpn)
        expectedUpn = *c.accountUpn;
    else if (t.connection.accountDomain)
        expectedUpn =
            models::accountNaming::expand(t.connection.accountNamingRule, p.email, p.displayName, p.id)
            + QLatin1Char('@') + *t.connection.accountDomain;
    const QString knownId = account->has_value() ? (*account)->accountId : QString();
    std::optional<entra::GrantedObjects> granted
        = account->has_value() ? (*account)->granted : std::optional<entra::GrantedObjects>();
    // The recorded grants serve one revocation attempt: once it may have written, they are stale, and a stale id costs
    // a round trip of its own (a 404 stops the sequential $batch). So they are forgotten as the job starts; a later
    // attempt (after a crash mid-revocation, or an unconfirmed one) reads first. Not forgotten: not handed over.
    if (granted) {
        if (auto forgotten = forgetGrants(m_cloud.db, c.tenantId, c.technicianId); !forgotten) {
            qCWarning(lcEngine) << "forgetting the account's grants failed:" << forgotten.error().code;
            granted.reset();
        }
    }
    const bool deleteAccount = t.connection.expiryAction == QLatin1String("delete");

    beginJob(c, "revoke");
    entra::EntraGateway* gateway = &m_cloud.entra;
    QPointer<ProvisioningEngine> self(this);
    auto work = [gateway, access = std::move(*access), knownId, granted, expectedUpn,
                 deleteAccount]() -> Result<RevokeOutcome::Done> {
        RevokeOutcome::Done out;
        QString accountId = knownId;
        if (accountId.isEmpty()) {
            // The provision may have made the account without the engine learning its id (a restart in between):
            // find it by name among Stint's accounts.
            auto accounts = gateway->listManagedAccounts(access);
            if (!accounts)
                return accounts.error();
            for (const entra::ManagedAccount& a : *accounts) {
                if (!expectedUpn.isEmpty() && a.userPrincipalName.compare(expectedUpn, Qt::CaseInsensitive) == 0)
                    accountId = a.accountId;
            }
            if (accountId.isEmpty()) {
                out.nothingGranted = true;
                return out;
            }
        }
        out.accountId = accountId;
        entra::RevokeRequest request;
        request.tenant = access.clone();
        request.accountId = accountId;
        request.deleteAccount = deleteAccount;
        if (accountId == knownId)
            request.granted = granted;
        auto report = gateway->revoke(request);
        if (!report)
            return report.error();
        out.report = std::move(*report);
        return out;
    };
    m_cloud.workers.run(std::move(work), [self, id = c.id, tenantId = c.tenantId, deleteAccount, known = !knownId.isEmpty(),
                                          expectedUpn](Result<RevokeOutcome::Done> r) {
        if (self)
            self->onRevoked(id, tenantId, {std::move(r), deleteAccount, known, expectedUpn});
    });
}

void ProvisioningEngine::onRevoked(const QString& checkoutId, const QString& tenantId, RevokeOutcome outcome)
{
    endJob(checkoutId, tenantId);
    auto loaded = checkouts::loadCheckout(m_cloud.db, {}, checkoutId);
    if (!loaded || !loaded->has_value())
        return;
    const models::Checkout c = **loaded;
    if (c.state != CheckoutState::Revoking && c.state != CheckoutState::RevokeFailed)
        return;
    if (!outcome.result) {
        m_cloud.metrics.increment(QStringLiteral("stint_engine_jobs_total"),
                                  QStringLiteral("kind=\"revoke\",outcome=\"error\""));
        noteIfConnectionLost(c, outcome.result.error());
        return revokeFailed(c, QStringLiteral("%1 (%2)").arg(outcome.result.error().message,
                                                             outcome.result.error().code));
    }
    const RevokeOutcome::Done& done = *outcome.result;
    if (done.nothingGranted && c.attempts + 1 < kNameLookupsBeforeNothingGranted) {
        // Not listed may mean not replicated yet: look again before ending the checkout on "nothing was granted".
        const EngineConfig& cfg = m_cloud.config.engine;
        CheckoutStateMachine machine(m_cloud);
        auto later = machine.retryLater(
            c, m_cloud.clock.now() + backoff(c.attempts, cfg.retryBaseSeconds, cfg.retryCapSeconds),
            QStringLiteral("No account named %1 is listed; looking again, as Entra may not list a new account at once.")
                .arg(outcome.userPrincipalName),
            Actor::system());
        if (!later && later.error().code != QLatin1String(CheckoutStateMachine::kVersionConflict))
            qCWarning(lcEngine) << "postponing" << c.id << "failed:" << later.error().code;
        return;
    }
    const bool confirmed = done.nothingGranted || done.report.confirmed(outcome.deleteRequested);
    if (!confirmed) {
        m_cloud.metrics.increment(QStringLiteral("stint_engine_jobs_total"),
                                  QStringLiteral("kind=\"revoke\",outcome=\"unconfirmed\""));
        return revokeFailed(c, done.report.detail.isEmpty()
                                   ? QStringLiteral("The revocation could not be confirmed by reading back.")
                                   : done.report.detail);
    }
    m_cloud.metrics.increment(QStringLiteral("stint_engine_jobs_total"),
                              QStringLiteral("kind=\"revoke\",outcome=\"confirmed\""));
    const TimeMs now = m_cloud.clock.now();
    if (done.report.accountDeleted || done.report.accountGone) {
        if (auto forgotten = forgetTenantAccount(m_cloud.db, c.tenantId, c.technicianId); !forgotten)
            qCWarning(lcEngine) << "forgetting the account failed:" << forgotten.error().code;
    } else if (!outcome.accountWasKnown && !done.accountId.isEmpty()) {
        if (auto recorded = recordTenantAccount(
                m_cloud.db, {c.orgId, c.tenantId, c.technicianId, done.accountId, outcome.userPrincipalName, now});
            !recorded)
            qCWarning(lcEngine) << "recording the account failed:" << recorded.error().code;
    }
    CheckoutStateMachine machine(m_cloud);
    auto applied = inCloudTransaction(m_cloud, [&]() -> Result<void> {
        AuditEvent e = systemEvent(c, QStringLiteral("checkout.revoked"), now);
        e.details.insert(QStringLiteral("accountId"), done.accountId);
        e.details.insert(QStringLiteral("nothingGranted"), done.nothingGranted);
        e.details.insert(QStringLiteral("roleAssignmentsRemoved"), done.report.roleAssignmentsRemoved);
        e.details.insert(QStringLiteral("sessionsRevoked"), done.report.sessionsRevoked);
        e.details.insert(QStringLiteral("accountDisabled"), done.report.accountDisabled);
        e.details.insert(QStringLiteral("credentialInvalidated"), done.report.credentialInvalidated);
        e.details.insert(QStringLiteral("accountDeleted"), done.report.accountDeleted);
        e.details.insert(QStringLiteral("accountGone"), done.report.accountGone);
        e.details.insert(QStringLiteral("graphRoundTrips"), done.report.graphRoundTrips);
        if (c.failure)
            e.details.insert(QStringLiteral("cleanupAfter"), *c.failure);
        STINT_TRY(m_cloud.audit.append(e));
        models::Checkout current = c;
        if (c.state == CheckoutState::RevokeFailed) {
            auto again = machine.transition(
                c, {CheckoutState::Revoking, QStringLiteral("The revocation was confirmed on a later try.")},
                Actor::system());
            if (!again)
                return again.error();
            current = *again;
        }
        auto ended = machine.transition(
            current,
            confirmedEnd(c, done.nothingGranted ? QStringLiteral("Nothing was left to revoke.")
                                                : QStringLiteral("Access removed and confirmed.")),
            Actor::system());
        if (!ended)
            return ended.error();
        return {};
    });
    if (!applied) {
        if (applied.error().code == QLatin1String(CheckoutStateMachine::kVersionConflict))
            return wake();
        qCWarning(lcEngine) << "ending" << c.id << "failed:" << applied.error().code << applied.error().message;
    }
}

void ProvisioningEngine::noteIfConnectionLost(const models::Checkout& c, const Error& error)
{
    if (!entra::provesCredentialGone(error))
        return;
    if (auto recorded = connections::recordConnectionLost(m_cloud, c.orgId, c.tenantId, error); !recorded)
        qCWarning(lcEngine) << "recording the lost connection of" << c.tenantId << "failed:" << recorded.error().code;
}

void ProvisioningEngine::revokeFailed(const models::Checkout& c, const QString& detail)
{
    CheckoutStateMachine machine(m_cloud);
    const TimeMs now = m_cloud.clock.now();
    const EngineConfig& cfg = m_cloud.config.engine;
    if (c.state == CheckoutState::RevokeFailed) {
        auto later = machine.retryLater(
            c, now + backoff(c.attempts, cfg.revokeFailedRetryBaseSeconds, cfg.revokeFailedRetryCapSeconds),
            QStringLiteral("Revocation not confirmed: %1").arg(detail), Actor::system());
        if (!later && later.error().code != QLatin1String(CheckoutStateMachine::kVersionConflict))
            qCWarning(lcEngine) << "postponing" << c.id << "failed:" << later.error().code;
        return;
    }
    if (c.attempts + 1 < qMax(1, cfg.revokeAttemptsBeforeAlert)) {
        auto later = machine.retryLater(c, now + backoff(c.attempts, cfg.retryBaseSeconds, cfg.retryCapSeconds),
                                        QStringLiteral("Revocation not confirmed yet: %1").arg(detail),
                                        Actor::system());
        if (!later && later.error().code != QLatin1String(CheckoutStateMachine::kVersionConflict))
            qCWarning(lcEngine) << "postponing" << c.id << "failed:" << later.error().code;
        return;
    }
    // Never a silent success: admins are alerted, and the engine keeps trying on a slower backoff.
    const QJsonObject alert{{QStringLiteral("type"), QStringLiteral("checkout.revoke_failed")},
                            {QStringLiteral("checkoutId"), c.id},
                            {QStringLiteral("tenantId"), c.tenantId},
                            {QStringLiteral("technicianId"), c.technicianId},
                            {QStringLiteral("detail"), detail},
                            {QStringLiteral("attempts"), c.attempts + 1},
                            {QStringLiteral("raisedAt"), toRfc3339(now)}};
    auto raised = inCloudTransaction(m_cloud, [&]() -> Result<void> {
        auto moved = machine.transition(
            c,
            {CheckoutState::RevokeFailed, QStringLiteral("Revocation could not be confirmed: %1").arg(detail),
             now + backoff(0, cfg.revokeFailedRetryBaseSeconds, cfg.revokeFailedRetryCapSeconds)},
            Actor::system());
        if (!moved)
            return moved.error();
        AuditEvent e = systemEvent(c, QStringLiteral("checkout.revoke_failed"), now, QStringLiteral("failure"));
        e.details.insert(QStringLiteral("detail"), detail);
        e.details.insert(QStringLiteral("attempts"), c.attempts + 1);
        STINT_TRY(m_cloud.audit.append(e));
        auto published =
            m_cloud.events.publish(c.orgId, EventHub::audienceAdmins(), QStringLiteral("alert.raised"), alert);
        if (!published)
            return published.error();
        return {};
    });
    if (!raised) {
        if (raised.error().code != QLatin1String(CheckoutStateMachine::kVersionConflict))
            qCWarning(lcEngine) << "raising the alert for" << c.id << "failed:" << raised.error().code;
        return;
    }
    m_cloud.metrics.increment(QStringLiteral("stint_engine_alerts_total"), QStringLiteral("type=\"revoke_failed\""));
    qCWarning(lcEngine) << "revocation of" << c.id << "not confirmed after" << c.attempts + 1 << "tries; alert raised";
    Q_EMIT alertRaised(c.orgId, alert);
}

TimeMs ProvisioningEngine::backoff(qint64 attempts, int baseSeconds, int capSeconds) const
{
    const qint64 cap = qint64(qMax(1, capSeconds)) * 1000;
    qint64 delay = qint64(qMax(1, baseSeconds)) * 1000;
    for (qint64 i = 0; i < attempts && delay < cap; ++i)
        delay *= 2;
    delay = qMin(delay, cap);
    // Equal jitter: half fixed, half random, so that many checkouts failing together do not retry in lockstep.
    return delay / 2 + qint64(QRandomGenerator::global()->bounded(quint32(delay / 2 + 1)));
}

void ProvisioningEngine::noteChange(const models::Checkout& c, std::optional<CheckoutState> previous)
{
    m_announcements.append({c.orgId, c.id, c.version, c.toJson(), previous ? models::toString(*previous) : QString()});
    if (!m_announceQueued) {
        m_announceQueued = true;
        QMetaObject::invokeMethod(this, &ProvisioningEngine::deliverAnnouncements, Qt::QueuedConnection);
    }
    wake();
}

void ProvisioningEngine::deliverAnnouncements()
{
    m_announceQueued = false;
    const QList<Announcement> pending = std::exchange(m_announcements, {});
    for (const Announcement& a : pending) {
        // Only what committed is announced: the row at this version (or a later one, which was built on it).
        auto loaded = checkouts::loadCheckout(m_cloud.db, a.orgId, a.checkoutId);
        if (!loaded || !loaded->has_value() || (*loaded)->version < a.version)
            continue; // rolled back with its request
        Q_EMIT checkoutChanged(a.orgId, a.checkout, a.previousState);
    }
}

} // namespace stint::cloud::engine
