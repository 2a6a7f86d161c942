// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/ExpiryWatch.h"

#include <QLoggingCategory>
#include <algorithm>

Q_LOGGING_CATEGORY(lcExpiryWatch, "stint.client.expirywatch")

namespace stint::client {

ExpiryWatch::ExpiryWatch(Workspace& workspace, qint64 leadMs, QObject* parent)
    : QObject(parent)
    , m_workspace(workspace)
    , m_leadMs(leadMs)
{
    m_timer.setSingleShot(true);
    // A coarse timer may fire 5 % late: 15 s late on a five-minute sleep.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ExpiryWatch::check);
    connect(&m_workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Checkouts || kind == Workspace::Kind::Me)
            check();
    });
    check();
}

qint64 ExpiryWatch::msUntilNextCheck() const
{
    return m_timer.isActive() ? m_timer.remainingTime() : -1;
}

void ExpiryWatch::check()
{
    const TimeMs now = m_workspace.serverNow();
    const QList<models::Checkout> mine = m_workspace.myLiveCheckouts();
    qint64 sleep = -1;
    QHash<QString, TimeMs> stillReady;
    for (const models::Checkout& c : mine) {
        if (c.state != models::CheckoutState::Ready || !c.expiresAt)
            continue;
        const TimeMs expiresAt = *c.expiresAt;
        const auto warned = m_warnedFor.constFind(c.id);
        if (warned != m_warnedFor.constEnd() && *warned == expiresAt) {
            stillReady.insert(c.id, expiresAt);
            continue;
        }
        const qint64 remaining = expiresAt - now;
        if (remaining <= 0)
            continue; // over already: the service is ending it; nothing to warn about
        if (remaining <= m_leadMs) {
            stillReady.insert(c.id, expiresAt);
            qCDebug(lcExpiryWatch) << "checkout" << c.id << "ends in" << remaining / 1000 << "s";
            emit endingSoon(c, remaining);
            continue;
        }
        const qint64 untilWarning = remaining - m_leadMs;
        sleep = sleep < 0 ? untilWarning : std::min(sleep, untilWarning);
    }
    // Forget warnings of checkouts that are no longer ready (ended, revoked): the map stays as small as the list.
    m_warnedFor = std::move(stillReady);
    if (sleep < 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(int(std::clamp<qint64>(sleep, 0, kMaxSleepMs)));
}

} // namespace stint::client
