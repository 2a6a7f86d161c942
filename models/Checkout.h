// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Crypto.h"
#include "core/Result.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

// Checkouts of the API contract: a technician's request for admin access to one tenant, and where it stands.
// One definition of the JSON, used by the cloud (to write) and the desktop app (to read). Which state may follow
// which is the cloud's rule, in cloud/checkouts/CheckoutStateMachine.h.
namespace stint::models {

// The states' names are part of the wire format ("awaiting_approval" …); see CheckoutStateMachine for their meaning.
enum class CheckoutState
{
    Requested,
    AwaitingApproval,
    Provisioning,
    Ready,
    Revoking,
    Ended,
    Denied,
    Cancelled,
    Expired,
    Failed,
    RevokeFailed,
};

QString toString(CheckoutState state);
std::optional<CheckoutState> checkoutStateFromString(QStringView name);
// Every state name, in declaration order.
QStringList checkoutStateNames();
// Whether a checkout in `state` is over for good: ended, denied, cancelled, expired or failed (the cloud's state
// machine agrees: these are the states with no successor).
bool isFinal(CheckoutState state);
// The names of the states that are not final, in declaration order (for queries of open checkouts).
QStringList openCheckoutStateNames();

struct Checkout
{
    QString id;
    QString orgId; // not part of the JSON: a caller only ever sees its own organization
    QString tenantId;
    QString technicianId;
    QString policyId; // the policy that granted the request
    QStringList roleDefinitionIds;
    int durationMinutes = 0;
    QString justification;
    QString ticket;
    CheckoutState state = CheckoutState::Requested;
    QString stateReason;
    TimeMs requestedAt = 0;
    std::optional<QString> decidedBy; // the admin who approved or denied
    std::optional<TimeMs> decidedAt;
    std::optional<TimeMs> readyAt;
    std::optional<TimeMs> expiresAt;
    std::optional<TimeMs> endedAt;
    // When the service acts on this checkout next (provisioning, revocation, the approval deadline); internal, but
    // shown as approvalExpiresAt while an approval is awaited.
    std::optional<TimeMs> nextActionAt;
    qint64 attempts = 0; // of the current step (the provisioning engine's retries); stateReason says why
    // The technician's account in the tenant, once the provisioning engine knows it (userPrincipalName).
    std::optional<QString> accountUpn;
    // Why provisioning failed, while the clean-up it needs runs (revoking, revoke_failed): once the clean-up is
    // confirmed the checkout ends as failed with this cause, not as ended. Internal: stateReason says it to clients.
    std::optional<QString> failure;
    TimeMs updatedAt = 0;
    qint64 version = 1;

    // credentialAvailable: the owner may read the sign-in credential now (GET …/credential), i.e. the checkout is
    // ready. attempts and stateReason tell admins (and the owner) why a step is being retried.
    QJsonObject toJson() const;
    // The desktop side's reader of toJson()'s output (nextActionAt comes back from approvalExpiresAt).
    static Result<Checkout> fromJson(const QJsonObject& o);

    // Live: the technician may hold (or is about to hold, or still holds) access in the tenant.
    bool isLive() const;
    // Over: nothing will happen to it any more.
    bool isOver() const;
};

// The body of POST /v1/checkouts.
struct CheckoutRequest
{
    QString tenantId;
    QStringList roleDefinitionIds;
    int durationMinutes = 0;
    QString justification;
    QString ticket;

    QJsonObject toJson() const;
};

// The sign-in credential of a ready checkout (GET /v1/checkouts/{id}/credential): what the technician types into
// Microsoft's sign-in page. The secrets are held as wiped-on-free bytes and never copied into a QString that
// outlives a use; the type is move-only for that reason.
struct CheckoutCredential
{
    QString userPrincipalName;
    crypto::SecretBytes password;          // UTF-8; empty when the tenant issues only Temporary Access Passes
    crypto::SecretBytes temporaryAccessPass; // UTF-8; empty when the tenant issues only passwords
    std::optional<TimeMs> temporaryAccessPassExpiresAt;
    TimeMs expiresAt = 0;

    // Takes the secrets out of `o` (which the caller then drops).
    static Result<CheckoutCredential> fromJson(const QJsonObject& o);
};

} // namespace stint::models
