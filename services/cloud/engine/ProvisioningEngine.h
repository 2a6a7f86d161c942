// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudContext.h"
#include "entra/EntraGateway.h"
#include "models/Checkout.h"
#include "models/Tenant.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>
#include <optional>

// The provisioning engine: drives every checkout's persisted state machine (cloud/checkouts/CheckoutStateMachine.h)
// by calling the customer tenants through entra::EntraGateway on the worker pool.
//
// Deadlines are rows, never timers: each checkout's next step is due at checkouts.next_action_at (a ready one at
// expires_at). One timer is armed for the earliest due row, re-armed after every change (the state machine announces
// each one through CloudContext::checkoutChanged) and at least every EngineConfig::pollIntervalMs; at start-up the engine simply
// looks, so a restart resumes everything where the store says it stands. Due work:
//   requested          → provisioning (if a policy still grants it; the tenant must be connected or unhealthy —
//                        until then the request waits, and the technician may cancel it)
//   provisioning       → the provision job; success seals the credential and makes the checkout ready
//   ready, expired     → revoking ("expired")
//   revoking           → the revoke job; confirmed → ended, else retried, and after
//                        EngineConfig::revokeAttemptsBeforeAlert tries → revoke_failed (an alert)
//   revoke_failed      → the revoke job again, on a slower backoff, until it is confirmed
//   awaiting_approval  → expired once past its deadline
//
// Jobs run on ctx.workers with their inputs copied; results come back on the service thread and are applied through
// the state machine with its version check, re-reading the checkout first: a checkout revoked while its provision
// ran is never made ready (the account is remembered so that the revoke job finds it). One job per checkout at a
// time, at most EngineConfig::maxJobsPerTenant per tenant.
namespace stint::cloud::engine {

class ProvisioningEngine : public QObject
{
    Q_OBJECT
public:
    // How the engine gets the means to call a tenant (its Entra tenant id, endpoints and app credential). Runs on the
    // service thread and may read the store. The service gives connections::tenantAccess (the tenant's own app
    // registration, else the MSP's multi-tenant app).
    using TenantAccessResolver = std::function<Result<entra::TenantAccess>(const models::Tenant&)>;

    ProvisioningEngine(CloudContext& cloud, TenantAccessResolver resolver);
    ~ProvisioningEngine() override;


    void setTenantAccessResolver(TenantAccessResolver resolver) { m_resolver = std::move(resolver); }

    // Starts looking for due work (at once, then as the timer says). stop() ends it; jobs still running are left to
    // the worker pool, whose results the service drops on shutdown (the store says where to resume).
    void start();
    void stop();
    bool running() const { return m_running; }

    // Looks for due work soon (after the current event, so that a change made in a request has committed).
    void wake();

    int jobsInFlight() const { return int(m_inFlight.size()); }
    // A checkout changed (CloudContext::checkoutChanged, which CloudService points here): re-arms the deadline and,
    // once the change has committed, emits checkoutChanged. `previous` is unset for a new checkout.
    void noteChange(const models::Checkout& checkout, std::optional<models::CheckoutState> previous);

    // Error codes of the engine itself (beside the gateway's "entra.*").
    static constexpr auto kNotConnected = "engine.not_connected";
    static constexpr auto kNoAccountDomain = "engine.no_account_domain";

Q_SIGNALS:
    // Every change of a checkout once it is committed, for the webhooks and anyone else who listens: the checkout as
    // the API shows it, and the state it left (empty for a new checkout, equal to the current one for a retry or an
    // extension). Emitted on the service thread.
    void checkoutChanged(const QString& orgId, const QJsonObject& checkout, const QString& previousState);
    // A condition an admin must see: today "checkout.revoke_failed" ({type, checkoutId, tenantId, technicianId,
    // detail, attempts, raisedAt}). Also published to the admins as the live event alert.raised.
    void alertRaised(const QString& orgId, const QJsonObject& alert);

private:

    struct DueRow
    {
        QString id;
        QString tenantId;
        TimeMs due = 0;
    };
    Result<QList<DueRow>> dueRows(std::optional<TimeMs> dueBy, int limit);
    void scan();
    // Arms the timer for the earliest due row that a scan looking at rows due up to `scannedUpTo` did not see.
    void arm(TimeMs scannedUpTo);
    bool tenantBusy(const QString& tenantId) const;
    void handle(const QString& checkoutId);
    void startProvision(const models::Checkout& c);
    void startRevoke(const models::Checkout& c);
    void beginJob(const models::Checkout& c, const char* kind);
    void endJob(const QString& checkoutId, const QString& tenantId);
    struct ProvisionOutcome;
    struct RevokeOutcome;
    void onProvisioned(const QString& checkoutId, const QString& tenantId, ProvisionOutcome outcome);
    void onRevoked(const QString& checkoutId, const QString& tenantId, RevokeOutcome outcome);
    void provisionFailed(const models::Checkout& c, const Error& error, bool mayHaveGranted);
    void revokeFailed(const models::Checkout& c, const QString& detail);
    // When the error proves the app or its credential gone from the tenant, marks the connection at once
    // (connections::recordConnectionLost) instead of leaving it to the next health check.
    void noteIfConnectionLost(const models::Checkout& c, const Error& error);
    TimeMs backoff(qint64 attempts, int baseSeconds, int capSeconds) const;
    void deliverAnnouncements();

    CloudContext& m_cloud;
    TenantAccessResolver m_resolver;
    QTimer m_timer;
    bool m_running = false;
    bool m_wakeQueued = false;
    QSet<QString> m_inFlight;           // checkout ids with a job running
    QHash<QString, int> m_tenantJobs;   // tenant id → jobs running
    struct Announcement
    {
        QString orgId;
        QString checkoutId;
        qint64 version;
        QJsonObject checkout; // as it was announced
        QString previousState;
    };
    QList<Announcement> m_announcements;
    bool m_announceQueued = false;
};

} // namespace stint::cloud::engine
