// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/checkouts/CheckoutStateMachine.h"

#include "cloud/CloudTransaction.h"

#include "cloud/audit/AuditLog.h"
#include "cloud/checkouts/CheckoutStore.h"
#include "cloud/checkouts/CredentialVault.h"
#include "cloud/events/EventHub.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QSet>

Q_LOGGING_CATEGORY(lcCheckout, "stint.cloud.checkouts")

namespace stint::cloud::checkouts {

using models::CheckoutState;

namespace {
constexpr int kExpiryBatch = 200;

AuditEvent eventAbout(const models::Checkout& c, const Actor& actor, const QString& action, TimeMs now)
{
    return auditEventFor(actor, c.orgId, action, AuditTarget::checkout(c.id, c.tenantId), now);
}

Error notAudited(const Error& e)
{
    qCWarning(lcCheckout) << "checkout audit append failed:" << e.code << e.message;
    return e;
}
} // namespace

CheckoutStateMachine::CheckoutStateMachine(CloudContext& cloud)
    : m_cloud(cloud)
{
}

QList<CheckoutState> CheckoutStateMachine::successors(CheckoutState state)
{
    switch (state) {
    case CheckoutState::Requested:
        return {CheckoutState::AwaitingApproval, CheckoutState::Provisioning, CheckoutState::Cancelled,
                CheckoutState::Failed};
    case CheckoutState::AwaitingApproval:
        return {CheckoutState::Provisioning, CheckoutState::Denied, CheckoutState::Cancelled, CheckoutState::Expired};
    case CheckoutState::Provisioning:
        return {CheckoutState::Ready, CheckoutState::Revoking, CheckoutState::Failed};
    case CheckoutState::Ready:
        return {CheckoutState::Revoking};
    case CheckoutState::Revoking:
        return {CheckoutState::Ended, CheckoutState::RevokeFailed, CheckoutState::Failed};
    case CheckoutState::RevokeFailed:
        return {CheckoutState::Revoking};
    case CheckoutState::Ended:
    case CheckoutState::Denied:
    case CheckoutState::Cancelled:
    case CheckoutState::Expired:
    case CheckoutState::Failed:
        break;
    }
    return {};
}

bool CheckoutStateMachine::isFinal(CheckoutState state)
{
    return successors(state).isEmpty();
}

bool CheckoutStateMachine::canTransition(CheckoutState from, CheckoutState to)
{
    return successors(from).contains(to);
}

void CheckoutStateMachine::announce(const models::Checkout& checkout, std::optional<CheckoutState> previous)
{
    if (m_cloud.checkoutChanged)
        m_cloud.checkoutChanged(checkout, previous);
}

Result<models::Checkout> CheckoutStateMachine::open(models::Checkout request, bool needsApproval, const Actor& actor)
{
    return inCloudTransaction(m_cloud, [&]() -> Result<models::Checkout> {
        const TimeMs now = m_cloud.clock.now();
        models::Checkout c = std::move(request);
        c.state = CheckoutState::Requested;
        c.stateReason.clear();
        c.requestedAt = now;
        c.decidedBy.reset();
        c.decidedAt.reset();
        c.readyAt.reset();
        c.expiresAt.reset();
        c.endedAt.reset();
        c.nextActionAt = now; // the provisioning engine looks for due rows
        c.attempts = 0;

        AuditEvent e = eventAbout(c, actor, QStringLiteral("checkout.request"), now);
        e.details.insert(QStringLiteral("policyId"), c.policyId);
        e.details.insert(QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(c.roleDefinitionIds));
        e.details.insert(QStringLiteral("durationMinutes"), c.durationMinutes);
        e.details.insert(QStringLiteral("justification"), c.justification);
        e.details.insert(QStringLiteral("ticket"), c.ticket);
        auto opened = commit(nullptr, std::move(c), now, e);
        if (!opened || !needsApproval)
            return opened;
        return apply(*opened,
                     {CheckoutState::AwaitingApproval, QStringLiteral("The access policy asks an admin to approve.")},
                     actor, now);
    });
}

Result<models::Checkout> CheckoutStateMachine::transition(const models::Checkout& current, const Step& step,
                                                          const Actor& actor)
{
    return inCloudTransaction(m_cloud, [&] { return apply(current, step, actor, m_cloud.clock.now()); });
}

Result<models::Checkout> CheckoutStateMachine::extend(const models::Checkout& current, TimeMs expiresAt,
                                                      const Actor& actor)
{
    return inCloudTransaction(m_cloud, [&]() -> Result<models::Checkout> {
        if (current.state != CheckoutState::Ready)
            return makeError(QString::fromLatin1(kInvalidTransition),
                             QStringLiteral("A checkout that is %1 cannot be extended.")
                                 .arg(models::toString(current.state)));
        const TimeMs now = m_cloud.clock.now();
        models::Checkout next = current;
        next.expiresAt = expiresAt;
        next.nextActionAt = expiresAt;
        AuditEvent e = eventAbout(next, actor, QStringLiteral("checkout.extend"), now);
        e.details.insert(QStringLiteral("from"), current.expiresAt ? toRfc3339(*current.expiresAt) : QString());
        e.details.insert(QStringLiteral("to"), toRfc3339(expiresAt));
        return commit(&current, std::move(next), now, e, [&]() -> Result<QList<AuditEvent>> {
            STINT_TRY(setCredentialExpiry(m_cloud.db, current.id, expiresAt));
            return QList<AuditEvent>();
        });
    });
}

Result<models::Checkout> CheckoutStateMachine::apply(const models::Checkout& current, const Step& step,
                                                     const Actor& actor, TimeMs now)
{
    if (!canTransition(current.state, step.to))
        return makeError(QString::fromLatin1(kInvalidTransition),
                         QStringLiteral("A checkout that is %1 cannot become %2.")
                             .arg(models::toString(current.state), models::toString(step.to)));
    models::Checkout next = current;
    next.state = step.to;
    next.stateReason = step.reason;
    next.attempts = 0; // counts the tries of the new step
    switch (step.to) {
    case CheckoutState::AwaitingApproval:
        next.nextActionAt = now + qint64(m_cloud.config.approvalTtlHours) * 3'600'000;
        break;
    case CheckoutState::Requested:
    case CheckoutState::Provisioning:
    case CheckoutState::Revoking:
        next.nextActionAt = now;
        break;
    case CheckoutState::Ready:
        next.readyAt = now;
        next.expiresAt = now + qint64(current.durationMinutes) * 60'000;
        next.nextActionAt = next.expiresAt;
        break;
    case CheckoutState::RevokeFailed:
        next.nextActionAt.reset(); // until the engine schedules a retry or an admin steps in
        break;
    case CheckoutState::Ended:
    case CheckoutState::Denied:
    case CheckoutState::Cancelled:
    case CheckoutState::Expired:
    case CheckoutState::Failed:
        next.nextActionAt.reset();
        next.endedAt = now;
        break;
    }
    if (step.nextActionAt)
        next.nextActionAt = step.nextActionAt;
    if (step.accountUpn)
        next.accountUpn = step.accountUpn;
    if (step.failure)
        next.failure = step.failure;
    if (current.state == CheckoutState::AwaitingApproval
        && (step.to == CheckoutState::Provisioning || step.to == CheckoutState::Denied)) {
        next.decidedBy = actor.id;
        next.decidedAt = now;
    }

    AuditEvent e = eventAbout(current, actor, QStringLiteral("checkout.transition"), now);
    e.details.insert(QStringLiteral("from"), models::toString(current.state));
    e.details.insert(QStringLiteral("to"), models::toString(step.to));
    e.details.insert(QStringLiteral("reason"), step.reason);
    e.details.insert(QStringLiteral("actor"), actor.id);
    Alongside alongside;
    if (current.state == CheckoutState::Ready) {
        // The credential is good only while the checkout is ready: gone the moment it is not, whatever moved it.
        alongside = [&]() -> Result<QList<AuditEvent>> {
            auto destroyed = destroyCredential(m_cloud.db, current.id);
            if (!destroyed)
                return destroyed.error();
            if (!*destroyed)
                return QList<AuditEvent>();
            AuditEvent d = eventAbout(current, actor, QStringLiteral("checkout.credential_destroyed"), now);
            d.details.insert(QStringLiteral("state"), models::toString(step.to));
            return QList<AuditEvent>{d};
        };
    }
    return commit(&current, std::move(next), now, e, alongside);
}

Result<models::Checkout> CheckoutStateMachine::commit(const models::Checkout* current, models::Checkout next,
                                                      TimeMs now, const AuditEvent& event, const Alongside& alongside)
{
    next.updatedAt = now;
    next.version = current ? current->version + 1 : 1;
    if (!current) {
        STINT_TRY(insertCheckout(m_cloud.db, next));
    } else {
        auto written = updateCheckout(m_cloud.db, next, current->version);
        if (!written)
            return written.error();
        if (!*written)
            return makeError(QString::fromLatin1(kVersionConflict),
                             QStringLiteral("The checkout changed meanwhile; read it again."));
    }
    QList<AuditEvent> events{event};
    if (alongside) {
        auto more = alongside();
        if (!more)
            return more.error();
        events += *more;
    }
    for (const AuditEvent& e : std::as_const(events)) {
        if (auto appended = m_cloud.audit.append(e); !appended)
            return notAudited(appended.error());
    }
    STINT_TRY(m_cloud.events.publish(
        next.orgId, EventHub::audienceAdmins() + QLatin1Char('|') + EventHub::audiencePerson(next.technicianId),
        QStringLiteral("checkout.updated"), next.toJson()));
    announce(next, current ? std::optional<CheckoutState>(current->state) : std::nullopt);
    return next;
}

Result<models::Checkout> CheckoutStateMachine::retryLater(const models::Checkout& current, TimeMs retryAt,
                                                          const QString& reason, const Actor& actor)
{
    return inCloudTransaction(m_cloud, [&]() -> Result<models::Checkout> {
        if (isFinal(current.state) || current.state == CheckoutState::AwaitingApproval)
            return makeError(
                QString::fromLatin1(kInvalidTransition),
                QStringLiteral("A checkout that is %1 has no step to retry.").arg(models::toString(current.state)));
        const TimeMs now = m_cloud.clock.now();
        models::Checkout next = current;
        next.stateReason = reason;
        next.attempts = current.attempts + 1;
        next.nextActionAt = retryAt;
        AuditEvent e = eventAbout(next, actor, QStringLiteral("checkout.retry"), now);
        e.details.insert(QStringLiteral("state"), models::toString(next.state));
        e.details.insert(QStringLiteral("attempt"), next.attempts);
        e.details.insert(QStringLiteral("retryAt"), toRfc3339(retryAt));
        e.details.insert(QStringLiteral("reason"), reason);
        return commit(&current, std::move(next), now, e);
    });
}

Result<models::Checkout> CheckoutStateMachine::note(const models::Checkout& current, const QString& reason,
                                                    const Actor& actor)
{
    return inCloudTransaction(m_cloud, [&]() -> Result<models::Checkout> {
        if (isFinal(current.state))
            return makeError(QString::fromLatin1(kInvalidTransition),
                             QStringLiteral("A checkout that is %1 is over.").arg(models::toString(current.state)));
        const TimeMs now = m_cloud.clock.now();
        models::Checkout next = current;
        next.stateReason = reason;
        AuditEvent e = eventAbout(next, actor, QStringLiteral("checkout.note"), now);
        e.details.insert(QStringLiteral("state"), models::toString(next.state));
        e.details.insert(QStringLiteral("reason"), reason);
        return commit(&current, std::move(next), now, e);
    });
}

Result<int> CheckoutStateMachine::expireStaleApprovals(TimeMs now)
{
    int expired = 0;
    QSet<QString> seen;
    while (true) {
        auto due = dueCheckouts(m_cloud.db, {CheckoutState::AwaitingApproval}, now, kExpiryBatch);
        if (!due)
            return due.error();
        bool progressed = false;
        for (const QString& id : *due) {
            if (seen.contains(id))
                continue;
            seen.insert(id);
            progressed = true;
            auto moved = inCloudTransaction(m_cloud, [&]() -> Result<bool> {
                auto c = loadCheckout(m_cloud.db, {}, id);
                if (!c)
                    return c.error();
                // Read again inside the transaction: an admin may have decided since the list was read.
                if (!c->has_value() || (*c)->state != CheckoutState::AwaitingApproval || !(*c)->nextActionAt
                    || *(*c)->nextActionAt > now)
                    return false;
                auto result = apply(
                    **c, {CheckoutState::Expired, QStringLiteral("No admin approved the request before its deadline.")},
                    Actor::system(), now);
                if (!result) {
                    // Refused before anything was written: someone else moved it first, and their step stands.
                    if (result.error().code == QLatin1String(kVersionConflict))
                        return false;
                    return result.error();
                }
                return true;
            });
            if (!moved)
                return moved.error();
            if (*moved)
                ++expired;
        }
        if (!progressed || int(due->size()) < kExpiryBatch)
            break;
    }
    if (expired > 0)
        qCInfo(lcCheckout) << "expired" << expired << "checkouts awaiting approval";
    return expired;
}

} // namespace stint::cloud::checkouts
