// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudContext.h"
#include "cloud/audit/Actor.h"
#include "models/Checkout.h"

#include <QList>

#include <functional>

namespace stint::cloud::checkouts {

// One change of state and why it happens.
struct Step
{
    models::CheckoutState to;
    QString reason;
    // When the service should act on the checkout next. Unset: what the target state implies (now for the states the
    // provisioning engine works on, the approval deadline, the expiry of a ready checkout, nothing for the rest).
    // The engine sets it to back off between retries.
    std::optional<TimeMs> nextActionAt;
    // The technician's account in the tenant, once the engine knows it (kept when unset).
    std::optional<QString> accountUpn;
    // Why provisioning failed, when this step starts its clean-up (kept when unset; see Checkout::failure).
    std::optional<QString> failure;
};

// The checkout's persisted state machine: the one place that writes checkout rows.
//
//   from                may become
//   requested           awaiting_approval, provisioning, cancelled, failed
//   awaiting_approval   provisioning, denied, cancelled, expired
//   provisioning        ready, revoking, failed
//   ready               revoking
//   revoking            ended, revoke_failed, failed
//   revoke_failed       revoking
//
//   requested          recorded; the provisioning engine picks it up (next_action_at = now)
//   awaiting_approval  the policy asks an admin to approve; expires after CloudConfig::approvalTtlHours
//   provisioning       the engine ensures the account, credential and role assignments
//   ready              the technician has access until expiresAt
//   revoking           the engine takes the access away (expiry, ended early, revoked by an admin)
//   ended              access removed and confirmed (final)
//   denied             an admin said no (final)
//   cancelled          the technician withdrew the request before anything was granted (final)
//   expired            no admin approved it in time (final)
//   failed             provisioning gave up with nothing left granted (final); an engine that got partway moves to
//                      revoking instead (remembering the failure), so that the cleanup is confirmed like any other
//                      end, and then to failed with the failure as the cause
//   revoke_failed      revocation could not be confirmed: an alert for admins, retried through revoking
//
// Every change goes through transition(): it checks the step is allowed, writes the row only if nobody changed it
// meanwhile (optimistic version check), appends a checkout.transition audit event and publishes checkout.updated to
// the admins and the technician — all in one transaction (the request's, when there is one). Leaving ready also destroys
// the sealed credential (audited checkout.credential_destroyed). After each change CloudContext::checkoutChanged is
// called (the provisioning engine, so that it re-arms its deadline and its listeners hear of it once the change commits).
// open(), transition(), retryLater() and extend() decide what changes; all of them end in one private commit path,
// commit(), which does the write, the audit, the live event and the announcement in that order.
class CheckoutStateMachine
{
public:
    explicit CheckoutStateMachine(CloudContext& cloud);

    // Error codes of this class (beside store and audit errors).
    static constexpr auto kInvalidTransition = "checkout.invalid_transition";
    static constexpr auto kVersionConflict = "checkout.version_conflict";

    static bool isFinal(models::CheckoutState state);
    static QList<models::CheckoutState> successors(models::CheckoutState state);
    static bool canTransition(models::CheckoutState from, models::CheckoutState to);

    // Records a new checkout from `request` (id, orgId, tenantId, technicianId, policyId, roles, duration,
    // justification, ticket) in state requested, audited as checkout.request, and moves it on to awaiting_approval
    // when `needsApproval`. A second open checkout of the same technician and tenant is refused by the store with
    // "store.constraint".
    Result<models::Checkout> open(models::Checkout request, bool needsApproval, const Actor& actor);

    // Moves `current` (as last read) along `step`. Errors: kInvalidTransition when the step is not allowed from the
    // current state, kVersionConflict when the row changed since `current` was read.
    Result<models::Checkout> transition(const models::Checkout& current, const Step& step, const Actor& actor);

    // Keeps the checkout in its state but puts its step off until `retryAt` (a transient failure of the provisioning
    // engine, with backoff): counts the attempt, records why in stateReason, audits checkout.retry and publishes
    // checkout.updated. Errors as transition(); kInvalidTransition for a final state or one waiting for an admin.
    Result<models::Checkout> retryLater(const models::Checkout& current, TimeMs retryAt, const QString& reason,
                                        const Actor& actor);

    // Records why a checkout stays as it is (its tenant's connection was lost while it is ready, say): only stateReason
    // changes, audited as checkout.note and announced like any change. kInvalidTransition for a final checkout.
    Result<models::Checkout> note(const models::Checkout& current, const QString& reason, const Actor& actor);

    // Moves a ready checkout's end to `expiresAt` (the technician extended it; the caller checked the caps), audited as
    // checkout.extend. Errors as transition(); kInvalidTransition unless the checkout is ready.
    Result<models::Checkout> extend(const models::Checkout& current, TimeMs expiresAt, const Actor& actor);

    // Expires every checkout still awaiting approval whose deadline is at or before `now`; returns how many. Each one
    // commits on its own, so a checkout an admin decides at the same moment is simply left to that decision.
    // Called by the scheduler.
    Result<int> expireStaleApprovals(TimeMs now);

private:
    Result<models::Checkout> apply(const models::Checkout& current, const Step& step, const Actor& actor, TimeMs now);

    // What a change does to the rows beside the checkout's (the credential's expiry, or its destruction when the
    // checkout leaves ready), run right after the checkout's row is written; returns the audit events that calls for.
    using Alongside = std::function<Result<QList<AuditEvent>>()>;
    // The one commit path, in the caller's transaction: writes `next` (stamped `now`; inserted as version 1 when
    // `current` is null, else over `current` with the version check: kVersionConflict), runs `alongside`, appends
    // `event` and then the events `alongside` returned, publishes checkout.updated to the admins and the technician,
    // and announces the change.
    Result<models::Checkout> commit(const models::Checkout* current, models::Checkout next, TimeMs now,
                                    const AuditEvent& event, const Alongside& alongside = {});
    void announce(const models::Checkout& checkout, std::optional<models::CheckoutState> previous);

    CloudContext& m_cloud;
};

} // namespace stint::cloud::checkouts
