// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/Shell.h"

#include "client/CredentialKeeper.h"
#include "client/ExpiryWatch.h"
#include "client/HttpTransport.h"
#include "client/SessionKeeper.h"
#include "client/Workspace.h"
#include "ui/shell/AboutDialog.h"
#include "ui/shell/AppSettings.h"
#include "ui/common/Banner.h"
#include "ui/common/Desktop.h"
#include "ui/common/ErrorText.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Notifier.h"
#include "ui/shell/SettingsDialog.h"
#include "ui/shell/SignInPage.h"
#include "ui/shell/TrayIcon.h"
#include "ui/common/UiContext.h"
#include "ui/shell/WorkspacePage.h"

#include <QEvent>
#include <QLoggingCategory>
#include <QSystemTrayIcon>
#include <QTimer>

Q_LOGGING_CATEGORY(lcShell, "stint.ui.shell")

namespace stint::ui {

using client::Workspace;

namespace {
constexpr int kKeychainPatienceMs = 1500;
const QString kTabMyAccess = QStringLiteral("technician");
const QString kTabAdministration = QStringLiteral("admin");
} // namespace

Shell::Shell(AppSettings& settings, Desktop& desktop, const Clock& clock, CloudServicesFactory factory, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
    , m_desktop(desktop)
    , m_clock(clock)
    , m_factory(std::move(factory))
    , m_window(new MainWindow(settings, clock))
    , m_tray(new TrayIcon(this))
{
    m_window->setAttribute(Qt::WA_DeleteOnClose, false);

    SignInPage& signIn = m_window->signInPage();
    connect(&signIn, &SignInPage::serviceChosen, this, &Shell::useService);
    connect(&signIn, &SignInPage::signedIn, this, &Shell::onSignedIn);

    connect(m_window, &MainWindow::signOutRequested, this, &Shell::signOut);
    connect(m_window, &MainWindow::quitRequested, this, &Shell::quit);
    connect(m_window, &MainWindow::settingsRequested, this, &Shell::openSettings);
    connect(m_window, &MainWindow::aboutRequested, this, &Shell::openAbout);
    connect(m_window, &MainWindow::refreshRequested, this, [this]() {
        if (m_cloud)
            m_cloud->workspace->refresh();
    });
    connect(m_window, &MainWindow::hiddenToTray, this, &Shell::showTrayHint);

    connect(m_tray, &TrayIcon::showWindowRequested, m_window, &MainWindow::bringToFront);
    connect(m_tray, &TrayIcon::showCheckoutRequested, this, [this](const QString& id) {
        m_window->bringToFront();
        if (WorkspacePage* page = workspacePage()) {
            m_window->showWorkspace();
            page->showCheckout(id);
        }
    });
    connect(m_tray, &TrayIcon::signOutRequested, this, &Shell::signOut);
    connect(m_tray, &TrayIcon::quitRequested, this, &Shell::quit);

    connect(&m_desktop, &Desktop::actionInvoked, this, [this](const QString& notificationId, const QString&) {
        if (!m_sessionEndedNotification.isEmpty() && notificationId == m_sessionEndedNotification)
            m_window->bringToFront();
    });
}

Shell::~Shell()
{
    m_tray->setWorkspace(nullptr);
    dropService();
    delete m_window;
}

WorkspacePage* Shell::workspacePage()
{
    return m_window->workspacePage();
}

bool Shell::signedIn() const
{
    return m_cloud && m_cloud->sessions->signedIn();
}

// --- start-up ---

void Shell::start()
{
    const QUrl url = m_settings.cloudUrl();
    if (url.isEmpty() || !client::HttpTransport::acceptableBaseUrl(url, nullptr)) {
        // First run (or an address that no longer passes): ask for it on the sign-in screen.
        m_window->signInPage().setServiceEditable(true);
        showSignIn(QString());
    } else {
        useService(url);
        m_window->showStarting(tr("Opening Stint…"));
        restoreSession();
    }
    m_window->show();
    // What the first paint does not need comes after it: the tray icon registers with the desktop over D-Bus.
    QTimer::singleShot(0, this, [this]() { m_window->setCloseHidesToTray(m_tray->showIfAvailable()); });
}

void Shell::useService(const QUrl& url)
{
    if (m_cloud && m_cloud->url == url)
        return;
    dropService();
    m_cloud = m_factory(url);
    if (!m_cloud) {
        qCWarning(lcShell) << "no services for" << url.toString();
        return;
    }
    ++m_generation;
    Workspace& ws = *m_cloud->workspace;
    m_credentials = std::make_unique<client::CredentialKeeper>(ws);
    m_expiry = std::make_unique<client::ExpiryWatch>(ws);
    m_context = std::make_unique<UiContext>(UiContext {ws, *m_credentials, m_desktop, m_clock, m_cloud->connector});
    m_notifier = std::make_unique<Notifier>(ws, *m_expiry, m_desktop);

    auto toPage = [this](void (WorkspacePage::*method)(const QString&)) {
        return [this, method](const QString& id) {
            m_window->bringToFront();
            if (WorkspacePage* page = workspacePage()) {
                m_window->showWorkspace();
                (page->*method)(id);
            }
        };
    };
    connect(m_notifier.get(), &Notifier::showCheckoutRequested, this, toPage(&WorkspacePage::showCheckout));
    connect(m_notifier.get(), &Notifier::extendRequested, this, toPage(&WorkspacePage::extendCheckout));
    connect(m_notifier.get(), &Notifier::endRequested, this, toPage(&WorkspacePage::endCheckout));
    connect(m_notifier.get(), &Notifier::showApprovalRequested, this, toPage(&WorkspacePage::showApproval));
    connect(m_notifier.get(), &Notifier::showAlertsRequested, this, [this]() {
        m_window->bringToFront();
        if (WorkspacePage* page = workspacePage()) {
            m_window->showWorkspace();
            page->showAlerts();
        }
    });
    connect(&ws, &Workspace::sessionEnded, this, &Shell::onSessionEnded);
    connect(&ws, &Workspace::synced, this, []() { qCInfo(lcShell) << "in step with the service"; });
    connect(&ws, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Me)
            updatePerson();
    });

    m_window->signInPage().setService(url, {m_cloud->keySignIn, m_cloud->securityKeys, m_cloud->browserSignIn});
    m_window->signInPage().setEmail(m_settings.lastEmail(m_cloud->origin));
    qCInfo(lcShell) << "using the service at" << url.toString();
}

// Tears down everything of the current service, in the reverse order of building it. The session stays in the
// keychain (per service), and so does the saved data: coming back to this service finds both.
void Shell::dropService()
{
    if (!m_cloud)
        return;
    ++m_generation;
    Workspace& ws = *m_cloud->workspace;
    ws.stop();
    disconnect(&ws, nullptr, this, nullptr);
    m_tray->setWorkspace(nullptr);
    m_window->setWorkspacePage(nullptr, nullptr);
    m_notifier.reset();
    m_context.reset();
    if (m_credentials)
        m_credentials->forgetAll();
    m_expiry.reset();
    m_credentials.reset();
    ws.setReplica(nullptr);
    m_replica.reset();
    m_personId.clear();
    m_window->signInPage().setService(QUrl(), {});
    m_cloud.reset();
}

void Shell::restoreSession()
{
    const quint64 generation = m_generation;
    // The keychain may be locked and asking for its password: say what Stint waits for, rather than only spinning.
    QTimer::singleShot(kKeychainPatienceMs, this, [this, generation]() {
        if (generation == m_generation && m_window->screen() == MainWindow::Screen::Starting)
            m_window->showStarting(tr("Waiting for the system keychain… If it asks for your password, unlock it."));
    });
    m_cloud->sessions->restore().then(this, [this, generation](const Result<bool>& restored) {
        if (generation != m_generation)
            return;
        if (!restored.ok()) {
            qCWarning(lcShell) << "the session could not be read:" << restored.error().code;
            showSignIn(ErrorText::describe(restored.error()));
            return;
        }
        if (!restored.value()) {
            showSignIn(QString());
            return;
        }
        // Whose session it is comes with it from the keychain; the settings are the fallback.
        const QString personId = m_cloud->sessions->personId();
        openWorkspace(personId.isEmpty() ? m_settings.lastPersonId(m_cloud->origin) : personId);
    });
}

// --- signing in and out ---

void Shell::onSignedIn(const client::SharedSession& session)
{
    if (!m_cloud || !session)
        return;
    qCInfo(lcShell) << "signed in";
    const quint64 generation = m_generation;
    const QString personId = session->person.id;
    m_settings.setCloudUrl(m_cloud->url);
    m_settings.setLastPerson(m_cloud->origin, personId, session->person.email);
    m_cloud->sessions->adopt(*session).then(this, [this, generation](const Result<void>& kept) {
        if (generation != m_generation || kept.ok())
            return;
        qCWarning(lcShell) << "the session could not be kept in the keychain:" << kept.error().code;
        if (WorkspacePage* page = workspacePage())
            page->notice().showMessage(tr("You are signed in, but Stint could not keep your session in the system "
                                          "keychain, so you will sign in again next time. %1")
                                           .arg(ErrorText::describe(kept.error())),
                                       "warn");
    });
    openWorkspace(personId);
}

void Shell::openWorkspace(const QString& personId)
{
    if (!m_cloud)
        return;
    if (personId.isEmpty()) {
        // A session without a record of whose it is (settings lost): work without saved data until /me answers.
        beginWorkspace(QString(), nullptr);
        return;
    }
    if (personId == m_personId && m_replica) {
        beginWorkspace(personId, m_replica);
        return;
    }
    const quint64 generation = m_generation;
    m_cloud->openReplica(personId).then(
        this, [this, generation, personId](const Result<std::shared_ptr<client::Replica>>& opened) {
            if (generation != m_generation)
                return;
            std::shared_ptr<client::Replica> replica;
            if (opened.ok())
                replica = opened.value();
            else
                qCWarning(lcShell) << "the saved data could not be opened:" << opened.error().code;
            beginWorkspace(personId, replica);
            if (!opened.ok() && workspacePage())
                workspacePage()->notice().showMessage(
                    tr("Stint could not open its saved data on this computer, so it starts without it and cannot show "
                       "anything while offline. %1")
                        .arg(ErrorText::describe(opened.error())),
                    "warn");
        });
}

void Shell::beginWorkspace(const QString& personId, std::shared_ptr<client::Replica> replica)
{
    Workspace& ws = *m_cloud->workspace;
    const bool samePerson = !personId.isEmpty() && personId == m_personId && workspacePage();
    if (!samePerson)
        resetWorkspace();
    m_personId = personId;
    if (samePerson && replica == m_replica) {
        // Back after the session ended: what is held is at least as fresh as the saved copy, so the views keep their
        // place (tab, selection) and the workspace catches up from the last event it applied.
        ws.setReplica(nullptr);
        ws.start(m_cloud->sessions->token());
        ws.setReplica(m_replica.get());
    } else {
        m_replica = std::move(replica);
        ws.setReplica(m_replica.get());
        ws.start(m_cloud->sessions->token());
    }
    if (!workspacePage()) {
        auto* page = new WorkspacePage(*m_context, m_window->screenHost());
        m_window->setWorkspacePage(page, &ws);
        page->setCurrentTab(m_settings.lastTab() == kTabAdministration ? WorkspacePage::Tab::Administration
                                                                       : WorkspacePage::Tab::MyAccess);
        connect(page, &WorkspacePage::currentTabChanged, this, [this, page]() {
            m_settings.setLastTab(page->currentTab() == WorkspacePage::Tab::Administration ? kTabAdministration
                                                                                           : kTabMyAccess);
        });
        // The admin tab appears once the role is known (saved data or /me): then go back to where the person was.
        connect(page, &WorkspacePage::attentionChanged, this, [this, page]() {
            if (m_settings.lastTab() == kTabAdministration && page->hasAdministration()
                && page->currentTab() != WorkspacePage::Tab::Administration
                && !page->property("tabRestored").toBool()) {
                page->setProperty("tabRestored", true);
                page->setCurrentTab(WorkspacePage::Tab::Administration);
            }
        });
    }
    m_tray->setWorkspace(&ws);
    m_window->signInPage().reset();
    m_window->signInPage().setNotice(QString());
    m_window->showWorkspace();
    updatePerson();
    markUsable(workspacePage());
}

// Another person (or nobody): nothing of the previous one may show.
void Shell::resetWorkspace()
{
    Workspace& ws = *m_cloud->workspace;
    ws.stop();
    ws.setReplica(nullptr); // the previous person's saved data stays theirs: not cleared
    ws.clear();
    m_replica.reset();
    m_credentials->forgetAll();
    m_window->setWorkspacePage(nullptr, nullptr);
    m_personId.clear();
}

void Shell::onSessionEnded(const Error& reason)
{
    qCInfo(lcShell) << "the session ended:" << reason.code;
    ++m_generation; // a restore or replica opening in flight belongs to the old session
    m_credentials->forgetAll();
    m_cloud->sessions->forget();
    showSignIn(ErrorText::describe(reason));
    if (!m_window->isVisible() || !m_window->isActiveWindow())
        m_sessionEndedNotification = m_desktop.notify(tr("Sign in to Stint again"), ErrorText::describe(reason),
                                                      {{QStringLiteral("default"), tr("Sign in")}});
}

void Shell::signOut()
{
    if (!m_cloud || m_quitting)
        return;
    qCInfo(lcShell) << "signing out";
    ++m_generation;
    Workspace& ws = *m_cloud->workspace;
    ws.stop();
    ws.clear(); // the saved data goes with the session
    ws.setReplica(nullptr);
    m_replica.reset();
    m_credentials->forgetAll();
    m_tray->setWorkspace(nullptr);
    m_window->setWorkspacePage(nullptr, nullptr);
    m_personId.clear();
    m_settings.forgetLastPerson(m_cloud->origin);
    m_cloud->sessions->signOut();
    showSignIn(tr("You have signed out. Your saved data on this computer was deleted."), "good");
}

void Shell::showSignIn(const QString& notice, const char* tone)
{
    SignInPage& page = m_window->signInPage();
    page.reset();
    page.setNotice(notice, tone);
    if (m_cloud)
        page.setEmail(m_settings.lastEmail(m_cloud->origin));
    m_window->showSignIn();
    markUsable(&page);
}

void Shell::updatePerson()
{
    if (!m_cloud)
        return;
    const auto& me = m_cloud->workspace->me();
    if (!me) {
        m_window->setPersonText(QString());
        return;
    }
    const QString name = me->person.displayName.isEmpty() ? me->person.email : me->person.displayName;
    m_window->setPersonText(me->organization.name.isEmpty() ? name : tr("%1 · %2").arg(name, me->organization.name));
    if (me->person.email != m_settings.lastEmail(m_cloud->origin) && !me->person.id.isEmpty())
        m_settings.setLastPerson(m_cloud->origin, me->person.id, me->person.email);
}

// "Usable" is the first frame on screen that shows `screen`, not the moment it was chosen: the window still has to lay
// it out and paint it (and a screen chosen before that frame is superseded by the one chosen after it).
void Shell::markUsable(QWidget* screen)
{
    if (m_usable || !screen)
        return;
    if (m_usableScreen)
        m_usableScreen->removeEventFilter(this);
    m_usableScreen = screen;
    screen->installEventFilter(this);
}

bool Shell::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Paint && !m_usable && watched == m_usableScreen) {
        m_usableScreen->removeEventFilter(this);
        m_usableScreen.clear();
        m_usable = true;
        // The paint pass delivering this paints the screen's children next and then flushes the window: after it.
        QTimer::singleShot(0, this, &Shell::usable);
    }
    return QObject::eventFilter(watched, event);
}

// --- window, settings, quitting ---

void Shell::showTrayHint()
{
    if (m_trayHintShown || !m_tray->systemTrayIcon().isVisible())
        return;
    m_trayHintShown = true;
    m_tray->systemTrayIcon().showMessage(tr("Stint keeps running"),
                                         tr("Stint stays here so that it can warn you before your access ends. Quit "
                                            "it from this icon's menu."),
                                         QSystemTrayIcon::Information, 8000);
}

void Shell::openSettings()
{
    auto* dialog = new SettingsDialog(m_cloud ? m_cloud->url : m_settings.cloudUrl(), m_settings.language(), signedIn(),
                                      m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SettingsDialog::serviceChanged, this, &Shell::changeService);
    connect(dialog, &SettingsDialog::languageChanged, this, &Shell::changeLanguage);
    connect(dialog, &SettingsDialog::forgetSavedDataRequested, this, &Shell::forgetSavedData);
    dialog->open();
}

void Shell::openAbout()
{
    auto* dialog = new AboutDialog(m_version, m_cloud ? m_cloud->url : QUrl(), m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void Shell::changeService(const QUrl& url)
{
    if (m_cloud && m_cloud->url == url)
        return;
    qCInfo(lcShell) << "switching to the service at" << url.toString();
    m_settings.setCloudUrl(url);
    useService(url);
    m_window->signInPage().setServiceEditable(false);
    m_window->showStarting(tr("Opening Stint…"));
    restoreSession();
}

void Shell::changeLanguage(const QString& language)
{
    m_settings.setLanguage(language);
}

void Shell::forgetSavedData()
{
    if (!m_cloud)
        return;
    qCInfo(lcShell) << "forgetting the saved data";
    m_credentials->forgetAll();
    m_cloud->workspace->clear();
    m_cloud->workspace->refresh();
}

void Shell::quit()
{
    if (m_quitting)
        return;
    m_quitting = true;
    m_window->saveGeometryNow();
    if (m_cloud) {
        m_cloud->workspace->stop(); // flushes the saved data
        m_credentials->forgetAll();
    }
    emit quitRequested();
}

} // namespace stint::ui
