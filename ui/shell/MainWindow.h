// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"

#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QStackedWidget;

namespace stint::client {
class Workspace;
}

// Stint's window: one of three screens — starting (the moment before the saved state is open), sign-in, and the
// signed-in person's workspace — under a menu bar with the keyboard shortcuts (Ctrl+K find a tenant, Ctrl+R request
// access, Ctrl+L launch a portal, Ctrl+1/Ctrl+2 the views, F5 sync now, Ctrl+, settings) and above a status bar that
// says how fresh the data is and who is signed in. The window remembers its geometry. Closing it hides Stint to the
// tray when there is one (countdowns and notifications keep running), and quits otherwise.
//
// Which screen shows is the shell's decision; the window only shows it and reports what the person asked for.
namespace stint::ui {

class AppSettings;
class SignInPage;
class SyncIndicator;
class WorkspacePage;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum class Screen
    {
        Starting,
        SignIn,
        Workspace,
    };

    MainWindow(AppSettings& settings, const Clock& clock, QWidget* parent = nullptr);
    ~MainWindow() override;

    Screen screen() const;
    SignInPage& signInPage() { return *m_signIn; }
    WorkspacePage* workspacePage() const;

    void showStarting(const QString& text);
    void showSignIn();
    // Where a workspace page is built, so that it is styled once, in place (reparenting restyles every widget).
    QWidget* screenHost() const;
    // Takes `page` (the previous one is deleted; null: none). The sync indicator follows `workspace`.
    void setWorkspacePage(WorkspacePage* page, client::Workspace* workspace);
    void showWorkspace();
    void setPersonText(const QString& text);
    QString personText() const;
    SyncIndicator* syncIndicator() { return m_sync; }

    void setCloseHidesToTray(bool hides) { m_closeHidesToTray = hides; }
    void bringToFront();
    void saveGeometryNow();

    QAction* findTenantAction() const { return m_findTenant; }
    QAction* requestAccessAction() const { return m_requestAccess; }
    QAction* launchPortalAction() const { return m_launchPortal; }
    QAction* refreshAction() const { return m_refresh; }
    QAction* signOutAction() const { return m_signOut; }

signals:
    void settingsRequested();
    void aboutRequested();
    void signOutRequested();
    void quitRequested();
    void refreshRequested();
    // The window was closed to the tray (the shell says once that Stint keeps running there).
    void hiddenToTray();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void updateActions();

    AppSettings& m_settings;
    const Clock& m_clock;
    QStackedWidget* m_stack;
    QWidget* m_starting;
    QLabel* m_startingText;
    SignInPage* m_signIn;
    QPointer<WorkspacePage> m_workspacePage;
    SyncIndicator* m_sync = nullptr;
    QLabel* m_person;
    bool m_closeHidesToTray = false;

    QAction* m_findTenant = nullptr;
    QAction* m_requestAccess = nullptr;
    QAction* m_launchPortal = nullptr;
    QAction* m_showMyAccess = nullptr;
    QAction* m_showAdministration = nullptr;
    QAction* m_refresh = nullptr;
    QAction* m_settingsAction = nullptr;
    QAction* m_signOut = nullptr;
    QAction* m_quit = nullptr;
    QAction* m_about = nullptr;
};

} // namespace stint::ui
