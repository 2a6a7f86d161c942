// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QIcon>
#include <QObject>
#include <QPointer>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace stint::client {
class Workspace;
}

// Stint in the system tray: the icon (with a dot when approvals or alerts wait), a tooltip with each live checkout's
// countdown, and a menu — each live checkout with its countdown (opens it), Show Stint, Sign out, Quit. The countdowns
// are read from the service's clock (Workspace::serverNow) and refreshed on one timer at each whole second, only while
// there is a countdown to show.
namespace stint::ui {

class SecondTicker;

class TrayIcon : public QObject
{
    Q_OBJECT
public:
    explicit TrayIcon(QObject* parent = nullptr);
    ~TrayIcon() override;

    // The signed-in person's workspace, or null when nobody is signed in.
    void setWorkspace(client::Workspace* workspace);
    // Shows the icon when the desktop has a tray; false when it has none (closing the window then quits).
    bool showIfAvailable();

    QSystemTrayIcon& systemTrayIcon() { return *m_tray; }
    QMenu& menu() { return *m_menu; }
    QString toolTip() const;
    // How many things wait for the person (approvals + unacknowledged alerts): the dot on the icon.
    int attention() const { return m_attention; }

signals:
    void showWindowRequested();
    void showCheckoutRequested(const QString& checkoutId);
    void signOutRequested();
    void quitRequested();

private:
    void rebuild();
    void refreshTimes();
    void updateIcon();

    QPointer<client::Workspace> m_workspace;
    QSystemTrayIcon* m_tray;
    QMenu* m_menu;
    QAction* m_noAccess;
    QAction* m_checkoutsEnd; // separator after the checkouts
    QAction* m_show;
    QAction* m_signOut;
    QAction* m_quit;
    QList<QAction*> m_checkoutActions;
    SecondTicker* m_ticker;
    QIcon m_baseIcon;
    int m_attention = -1;
    QList<QMetaObject::Connection> m_workspaceConnections;
};

} // namespace stint::ui
