// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/TrayIcon.h"

#include "client/Workspace.h"
#include "ui/common/TimeText.h"
#include "ui/technician/SecondTicker.h"

#include <QAction>
#include <QMenu>
#include <QPainter>
#include <QSystemTrayIcon>

namespace stint::ui {

using client::Workspace;
using models::Checkout;
using models::CheckoutState;

namespace {
QString tenantName(const Workspace& ws, const Checkout& c)
{
    const models::Tenant* t = ws.tenant(c.tenantId);
    return t ? t->name : c.tenantId;
}

// The line for one of my live checkouts: its countdown once ready, what it waits for before.
QString checkoutLine(const Workspace& ws, const Checkout& c, TimeMs now)
{
    const QString name = tenantName(ws, c);
    if (c.state == CheckoutState::Ready && c.expiresAt)
        return TrayIcon::tr("%1 — %2 left").arg(name, TimeText::countdown(*c.expiresAt - now));
    switch (c.state) {
    case CheckoutState::Requested:
    case CheckoutState::Provisioning:
        return TrayIcon::tr("%1 — preparing…").arg(name);
    case CheckoutState::AwaitingApproval:
        return TrayIcon::tr("%1 — awaiting approval").arg(name);
    case CheckoutState::Revoking:
        return TrayIcon::tr("%1 — ending…").arg(name);
    default:
        return name;
    }
}

QIcon withDot(const QIcon& base)
{
    QIcon out;
    for (int size : {16, 22, 24, 32, 48, 64}) {
        QPixmap pm = base.pixmap(size, size);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        const qreal r = size * 0.22;
        p.setPen(QPen(Qt::white, qMax(1.0, size / 16.0)));
        p.setBrush(QColor(0xd9, 0x2d, 0x20));
        p.drawEllipse(QPointF(size - r - 0.5, r + 0.5), r, r);
        out.addPixmap(pm);
    }
    return out;
}
} // namespace

TrayIcon::TrayIcon(QObject* parent)
    : QObject(parent)
    , m_tray(new QSystemTrayIcon(this))
    , m_menu(new QMenu)
    , m_ticker(new SecondTicker([this]() { return m_workspace ? m_workspace->serverNow() : 0; }, this))
{
    m_tray->setObjectName(QStringLiteral("trayIcon"));
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_menu->setAccessibleName(tr("Stint"));
    for (int size : {16, 22, 24, 32, 48, 64})
        m_baseIcon.addFile(QStringLiteral(":/icons/stint-tray-%1.png").arg(size), QSize(size, size));

    m_noAccess = m_menu->addAction(tr("No live access"));
    m_noAccess->setObjectName(QStringLiteral("trayNoAccess"));
    m_noAccess->setEnabled(false);
    m_checkoutsEnd = m_menu->addSeparator();
    m_show = m_menu->addAction(tr("&Show Stint"));
    m_show->setObjectName(QStringLiteral("trayShow"));
    m_signOut = m_menu->addAction(tr("Sign &out"));
    m_signOut->setObjectName(QStringLiteral("traySignOut"));
    m_menu->addSeparator();
    m_quit = m_menu->addAction(tr("&Quit Stint"));
    m_quit->setObjectName(QStringLiteral("trayQuit"));
    connect(m_show, &QAction::triggered, this, &TrayIcon::showWindowRequested);
    connect(m_signOut, &QAction::triggered, this, &TrayIcon::signOutRequested);
    connect(m_quit, &QAction::triggered, this, &TrayIcon::quitRequested);
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            emit showWindowRequested();
    });
    connect(m_ticker, &SecondTicker::tick, this, [this]() { refreshTimes(); });
    rebuild();
}

TrayIcon::~TrayIcon()
{
    m_tray->setContextMenu(nullptr);
    delete m_menu;
}

void TrayIcon::setWorkspace(Workspace* workspace)
{
    for (const auto& c : std::as_const(m_workspaceConnections))
        disconnect(c);
    m_workspaceConnections.clear();
    m_workspace = workspace;
    if (workspace) {
        m_workspaceConnections.append(connect(workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
            if (kind == Workspace::Kind::Checkouts || kind == Workspace::Kind::Tenants || kind == Workspace::Kind::Me
                || kind == Workspace::Kind::Alerts)
                rebuild();
        }));
        m_workspaceConnections.append(connect(workspace, &Workspace::linkChanged, this, &TrayIcon::refreshTimes));
    }
    rebuild();
}

bool TrayIcon::showIfAvailable()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return false;
    m_tray->show();
    return true;
}

QString TrayIcon::toolTip() const
{
    return m_tray->toolTip();
}

// The menu's checkout entries follow the set of my live checkouts (rebuilt only when that set changes, so an open
// menu does not flicker on every event); their texts follow the clock (refreshTimes).
void TrayIcon::rebuild()
{
    QStringList ids;
    if (m_workspace) {
        for (const Checkout& c : m_workspace->myLiveCheckouts())
            ids << c.id;
    }
    QStringList shown;
    for (const QAction* a : std::as_const(m_checkoutActions))
        shown << a->data().toString();
    if (ids != shown) {
        qDeleteAll(m_checkoutActions);
        m_checkoutActions.clear();
        for (const QString& id : std::as_const(ids)) {
            auto* action = new QAction(m_menu);
            action->setObjectName(QStringLiteral("trayCheckout_") + id);
            action->setData(id);
            connect(action, &QAction::triggered, this, [this, id]() { emit showCheckoutRequested(id); });
            m_menu->insertAction(m_checkoutsEnd, action);
            m_checkoutActions.append(action);
        }
    }
    m_noAccess->setVisible(m_checkoutActions.isEmpty());
    m_signOut->setEnabled(m_workspace && m_workspace->me());
    updateIcon();
    refreshTimes();
}

void TrayIcon::refreshTimes()
{
    QStringList lines {tr("Stint")};
    bool counting = false;
    if (m_workspace) {
        const TimeMs now = m_workspace->serverNow();
        const auto live = m_workspace->myLiveCheckouts();
        for (const Checkout& c : live) {
            const QString line = checkoutLine(*m_workspace, c, now);
            lines.append(line);
            counting = counting || (c.state == CheckoutState::Ready && c.expiresAt);
            for (QAction* a : std::as_const(m_checkoutActions)) {
                if (a->data().toString() == c.id)
                    a->setText(line);
            }
        }
        if (live.isEmpty() && m_workspace->me())
            lines.append(tr("No live access"));
        if (m_workspace->isAdmin()) {
            int approvals = 0;
            for (const Checkout& c : m_workspace->approvalsWaiting())
                approvals += c.technicianId != m_workspace->me()->person.id ? 1 : 0;
            if (approvals > 0)
                lines.append(tr("%n approval(s) waiting", nullptr, approvals));
            if (const int alerts = m_workspace->unacknowledgedAlerts(); alerts > 0)
                lines.append(tr("%n alert(s)", nullptr, alerts));
        }
        if (m_workspace->link() == Workspace::Link::Offline && m_workspace->me())
            lines.append(tr("Offline: times are from saved data"));
    } else {
        lines.append(tr("Not signed in"));
    }
    m_tray->setToolTip(lines.join(QLatin1Char('\n')));
    if (counting)
        m_ticker->start();
    else
        m_ticker->stop();
}

void TrayIcon::updateIcon()
{
    int attention = 0;
    if (m_workspace && m_workspace->isAdmin()) {
        for (const Checkout& c : m_workspace->approvalsWaiting())
            attention += c.technicianId != m_workspace->me()->person.id ? 1 : 0;
        attention += m_workspace->unacknowledgedAlerts();
    }
    if (attention == m_attention)
        return;
    const bool hadDot = m_attention > 0;
    m_attention = attention;
    if (m_tray->icon().isNull() || hadDot != (attention > 0))
        m_tray->setIcon(attention > 0 ? withDot(m_baseIcon) : m_baseIcon);
}

} // namespace stint::ui
