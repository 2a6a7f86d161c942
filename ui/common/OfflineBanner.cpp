// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/common/OfflineBanner.h"

#include "client/Workspace.h"
#include "ui/technician/SecondTicker.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcOfflineBanner, "stint.ui.offlinebanner")

namespace stint::ui {

using client::Workspace;

OfflineBanner::OfflineBanner(Workspace& workspace, const Clock& clock, QWidget* parent)
    : Banner(parent)
    , m_workspace(workspace)
    , m_clock(clock)
    , m_ticker(new SecondTicker([&clock]() { return clock.now(); }, this))
{
    setObjectName(QStringLiteral("offlineBanner"));
    setAccessibleName(tr("Connection status"));
    connect(&workspace, &Workspace::linkChanged, this, &OfflineBanner::refresh);
    connect(m_ticker, &SecondTicker::tick, this, [this]() { refresh(); });
    connect(this, &Banner::actionTriggered, this, [this]() {
        qCInfo(lcOfflineBanner) << "retry asked for";
        m_workspace.refresh();
    });
    refresh();
}

void OfflineBanner::refresh()
{
    const Workspace::Link link = m_workspace.link();
    const bool retrying = link == Workspace::Link::Offline && m_workspace.nextRetryAt() > 0;
    if (retrying) {
        m_wasOffline = true;
        const qint64 leftMs = m_workspace.nextRetryAt() - m_clock.now();
        const int seconds = int((qMax<qint64>(leftMs, 0) + 999) / 1000);
        const QString retry = seconds > 0 ? tr("Retrying in %n s.", nullptr, seconds) : tr("Retrying now…");
        showMessage(tr("Offline: the Stint service cannot be reached. Showing what Stint last knew; countdowns run "
                       "on from the last known end times. %1")
                        .arg(retry),
                    "warn", tr("&Retry now"));
        setToolTip(m_workspace.linkDetail());
        m_ticker->start();
        return;
    }
    m_ticker->stop();
    if (link == Workspace::Link::Connecting && m_wasOffline) {
        showMessage(tr("Reconnecting to the Stint service…"), "busy");
        setToolTip(QString());
        return;
    }
    if (link == Workspace::Link::Live)
        m_wasOffline = false;
    clear();
}

} // namespace stint::ui
