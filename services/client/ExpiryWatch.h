// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/Workspace.h"

#include <QHash>
#include <QObject>
#include <QTimer>

// Says "checkout X ends in 5 minutes" once per checkout and expiry: what the tray's desktop notification (with Extend
// and End now) is raised from. It watches my ready checkouts in the Workspace and the service's clock
// (Workspace::serverNow(), so a wrong local clock does not move the warning), with one timer for all of them armed
// for the earliest warning due. A checkout that is extended gets a new expiry and so is warned again before it; one
// that starts with less than the lead left (the app started late) is warned at once; one already over is not.
//
// The timer never sleeps longer than a minute: after a suspend, or when the service's clock offset moves, the next
// look corrects it.
namespace stint::client {

class ExpiryWatch : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kDefaultLeadMs = 5 * 60'000;
    static constexpr qint64 kMaxSleepMs = 60'000;

    explicit ExpiryWatch(Workspace& workspace, qint64 leadMs = kDefaultLeadMs, QObject* parent = nullptr);

    qint64 leadMs() const { return m_leadMs; }
    // How long the timer sleeps before its next look, or -1 when nothing is waiting (for tests and diagnostics).
    qint64 msUntilNextCheck() const;

public slots:
    // Looks now: warns for every checkout inside the lead not yet warned for its expiry, then re-arms the timer.
    // Called by the timer and whenever the workspace's checkouts change.
    void check();

signals:
    // `remainingMs` from serverNow() to the checkout's expiresAt when the warning is given (at most leadMs).
    void endingSoon(const stint::models::Checkout& checkout, qint64 remainingMs);

private:
    Workspace& m_workspace;
    qint64 m_leadMs;
    QTimer m_timer;
    QHash<QString, TimeMs> m_warnedFor; // checkout id → the expiresAt that was warned about
};

} // namespace stint::client
