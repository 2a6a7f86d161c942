// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/SyncIndicator.h"

#include "client/Workspace.h"
#include "ui/common/TimeText.h"

namespace stint::ui {

using client::Workspace;

namespace {
QString dot(const char* colour)
{
    return QStringLiteral("<span style=\"color:%1\">●</span> ").arg(QLatin1String(colour));
}
} // namespace

SyncIndicator::SyncIndicator(Workspace& workspace, const Clock& clock, QWidget* parent)
    : QLabel(parent)
    , m_workspace(workspace)
    , m_clock(clock)
{
    setObjectName(QStringLiteral("syncIndicator"));
    setTextFormat(Qt::RichText);
    connect(&workspace, &Workspace::linkChanged, this, &SyncIndicator::refresh);
    connect(&workspace, &Workspace::synced, this, &SyncIndicator::refresh);
    connect(&workspace, &Workspace::changed, this, &SyncIndicator::refresh);
    refresh();
}

void SyncIndicator::refresh()
{
    const TimeMs now = m_clock.now();
    const TimeMs synced = m_workspace.lastSyncedAt();
    const QString when = synced > 0 ? TimeText::when(synced, now) : QString();
    QString text;
    const char* colour = "#616e7c";
    switch (m_workspace.link()) {
    case Workspace::Link::Live:
        text = synced > 0 ? tr("Up to date · synced %1").arg(when) : tr("Up to date");
        colour = "#1b6b36";
        break;
    case Workspace::Link::Connecting:
        if (m_workspace.showingCachedState())
            text = synced > 0 ? tr("Showing saved data from %1 · connecting…").arg(when)
                              : tr("Showing saved data · connecting…");
        else
            text = tr("Connecting…");
        colour = "#1d4f9c";
        break;
    case Workspace::Link::Offline:
        if (m_workspace.nextRetryAt() == 0 && !m_workspace.me()) {
            text = tr("Not signed in");
        } else {
            text = synced > 0 ? tr("Offline · showing saved data from %1").arg(when)
                              : tr("Offline · showing saved data");
            colour = "#8a5300";
        }
        break;
    }
    m_text = text;
    setText(dot(colour) + text.toHtmlEscaped());
    setAccessibleName(tr("Sync status: %1").arg(text));
    setToolTip(m_workspace.linkDetail());
}

} // namespace stint::ui
