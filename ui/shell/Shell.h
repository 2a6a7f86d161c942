// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "ui/shell/CloudServices.h"

#include <QObject>
#include <QPointer>
#include <memory>

class QWidget;

namespace stint::client {
class CredentialKeeper;
class ExpiryWatch;
class Replica;
} // namespace stint::client

// The app's life around the views: which service, who is signed in, which screen shows.
//
//   start ─ a service address? ─ no ──────────────────────────────────────────────▶ sign-in (with the address field)
//             └ yes: a session in the keychain? ─ no ─────────────────────────────▶ sign-in
//                      └ yes: open that person's saved data, show it at once, then sync ─▶ workspace
//   sign-in done ─ keep the session (keychain), same person? keep the screen : start afresh ─▶ workspace
//   session ended (401, revoked, expired) ─ forget the token, keep the screen behind ─▶ sign-in ─▶ the same screen
//   sign out ─ forget the token and the saved data ─▶ sign-in
//
// It owns the window, the tray icon and the notifications, and the per-service objects the views share (workspace,
// credential keeper, expiry watch), built from the CloudServices the factory gives for an address. The app builds it
// with the real services; GUI tests build it with fakes — the same graph either way.
namespace stint::ui {

class AppSettings;
class Desktop;
class MainWindow;
class Notifier;
class TrayIcon;
class WorkspacePage;
struct UiContext;

class Shell : public QObject
{
    Q_OBJECT
public:
    Shell(AppSettings& settings, Desktop& desktop, const Clock& clock, CloudServicesFactory factory,
          QObject* parent = nullptr);
    ~Shell() override;

    // Shows the window and restores the last session (asynchronously).
    void start();
    void setVersion(const QString& version) { m_version = version; }

    MainWindow& window() { return *m_window; }
    TrayIcon& tray() { return *m_tray; }
    CloudServices* cloud() { return m_cloud.get(); }
    client::CredentialKeeper* credentials() { return m_credentials.get(); }
    Notifier* notifier() { return m_notifier.get(); }
    client::ExpiryWatch* expiryWatch() { return m_expiry.get(); }
    WorkspacePage* workspacePage();
    bool signedIn() const;

public slots:
    void signOut();
    void quit();
    void openSettings();
    void openAbout();
    // Deletes the saved copy on this computer and fetches everything again.
    void forgetSavedData();
    void changeService(const QUrl& url);
    void changeLanguage(const QString& language);

signals:
    // The window first shows something a person can use: saved or fresh data, or the sign-in screen. Emitted once,
    // after the frame that shows it was painted (not when the screen was chosen).
    void usable();
    void quitRequested();

private:
    void useService(const QUrl& url);
    void dropService();
    void restoreSession();
    void onSignedIn(const client::SharedSession& session);
    void openWorkspace(const QString& personId);
    void beginWorkspace(const QString& personId, std::shared_ptr<client::Replica> replica);
    void resetWorkspace();
    void onSessionEnded(const Error& reason);
    void showSignIn(const QString& notice, const char* tone = "warn");
    void updatePerson();
    void markUsable(QWidget* screen);
    bool eventFilter(QObject* watched, QEvent* event) override;
    void showTrayHint();

    AppSettings& m_settings;
    Desktop& m_desktop;
    const Clock& m_clock;
    CloudServicesFactory m_factory;
    QString m_version;

    MainWindow* m_window;
    TrayIcon* m_tray;

    // Per service, torn down in reverse order.
    std::unique_ptr<CloudServices> m_cloud;
    std::unique_ptr<client::CredentialKeeper> m_credentials;
    std::unique_ptr<client::ExpiryWatch> m_expiry;
    std::unique_ptr<UiContext> m_context;
    std::unique_ptr<Notifier> m_notifier;
    std::shared_ptr<client::Replica> m_replica;
    QString m_personId; // whose state the workspace holds
    quint64 m_generation = 0; // bumps when the service or the person changes: late answers are dropped

    bool m_usable = false;
    QPointer<QWidget> m_usableScreen; // the screen whose first paint is "usable"
    bool m_trayHintShown = false;
    bool m_quitting = false;
    QString m_sessionEndedNotification;
};

} // namespace stint::ui
