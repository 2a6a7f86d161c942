// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/MainWindow.h"

#include "ui/shell/AppSettings.h"
#include "ui/common/BusySpinner.h"
#include "ui/shell/SignInPage.h"
#include "ui/common/Style.h"
#include "ui/shell/SyncIndicator.h"
#include "ui/shell/WorkspacePage.h"

#include <QAction>
#include <QCloseEvent>
#include <QGuiApplication>
#include <QLabel>
#include <QMenuBar>
#include <QScreen>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace stint::ui {

MainWindow::MainWindow(AppSettings& settings, const Clock& clock, QWidget* parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_clock(clock)
    , m_stack(new QStackedWidget(this))
    , m_starting(new QWidget(m_stack))
    , m_startingText(new QLabel(m_starting))
    , m_signIn(new SignInPage(m_stack))
    , m_person(new QLabel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Stint"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/stint-256.png")));
    setMinimumSize(720, 480);

    // The starting screen: the logo and a line, for the few milliseconds before the saved state is open.
    m_starting->setObjectName(QStringLiteral("startingPage"));
    auto* logo = new QLabel(m_starting);
    logo->setPixmap(QIcon(QStringLiteral(":/icons/stint-128.png")).pixmap(96, 96));
    logo->setAlignment(Qt::AlignCenter);
    m_startingText->setObjectName(QStringLiteral("startingText"));
    m_startingText->setAlignment(Qt::AlignCenter);
    style::setRole(m_startingText, "muted");
    auto* spinner = new BusySpinner(m_starting);
    spinner->start();
    auto* startingLayout = new QVBoxLayout(m_starting);
    startingLayout->addStretch(1);
    startingLayout->addWidget(logo);
    startingLayout->addWidget(spinner, 0, Qt::AlignHCenter);
    startingLayout->addWidget(m_startingText);
    startingLayout->addStretch(2);

    m_stack->setObjectName(QStringLiteral("screens"));
    m_stack->addWidget(m_starting);
    m_stack->addWidget(m_signIn);
    setCentralWidget(m_stack);

    m_person->setObjectName(QStringLiteral("personLabel"));
    style::setRole(m_person, "muted");
    statusBar()->setObjectName(QStringLiteral("statusBar"));
    statusBar()->setSizeGripEnabled(true);
    statusBar()->addPermanentWidget(m_person);

    buildMenus();
    connect(m_stack, &QStackedWidget::currentChanged, this, &MainWindow::updateActions);

    if (!restoreGeometry(settings.windowGeometry())) {
        // First run: a comfortable size, centred on the primary screen.
        resize(1100, 720);
        if (const QScreen* screen = QGuiApplication::primaryScreen())
            move(screen->availableGeometry().center() - rect().center());
    }
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    auto make = [this](const QString& text, const char* name, const QKeySequence& keys, const QString& tip) {
        auto* action = new QAction(text, this);
        action->setObjectName(QLatin1String(name));
        if (!keys.isEmpty())
            action->setShortcut(keys);
        action->setStatusTip(tip);
        action->setToolTip(tip);
        addAction(action); // shortcuts work with the menu bar hidden too
        return action;
    };

    m_findTenant = make(tr("&Find tenant…"), "actionFindTenant", QKeySequence(Qt::CTRL | Qt::Key_K),
                        tr("Jump to the tenant search"));
    m_requestAccess = make(tr("&Request access…"), "actionRequestAccess", QKeySequence(Qt::CTRL | Qt::Key_R),
                           tr("Request access to the selected tenant"));
    m_launchPortal = make(tr("&Launch portal"), "actionLaunchPortal", QKeySequence(Qt::CTRL | Qt::Key_L),
                          tr("Open the selected access's admin portal in your browser"));
    m_showMyAccess = make(tr("Acc&ess"), "actionShowMyAccess", QKeySequence(Qt::CTRL | Qt::Key_1),
                          tr("Show your tenants and access"));
    m_showAdministration = make(tr("A&dministration"), "actionShowAdministration", QKeySequence(Qt::CTRL | Qt::Key_2),
                                tr("Show the administration"));
    m_refresh = make(tr("&Sync now"), "actionRefresh", QKeySequence(QKeySequence::Refresh),
                     tr("Fetch everything from the Stint service again"));
    m_settingsAction = make(tr("&Settings…"), "actionSettings", QKeySequence(Qt::CTRL | Qt::Key_Comma),
                            tr("Service address, language and saved data"));
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    m_signOut = make(tr("Sign &out"), "actionSignOut", QKeySequence(), tr("Sign out of Stint on this computer"));
    m_quit = make(tr("&Quit"), "actionQuit", QKeySequence(QKeySequence::Quit), tr("Quit Stint"));
    m_quit->setMenuRole(QAction::QuitRole);
    m_about = make(tr("&About Stint"), "actionAbout", QKeySequence(), tr("Version and licence"));
    m_about->setMenuRole(QAction::AboutRole);

    QMenu* file = menuBar()->addMenu(tr("&Stint"));
    file->addAction(m_settingsAction);
    file->addSeparator();
    file->addAction(m_signOut);
    file->addAction(m_quit);
    QMenu* access = menuBar()->addMenu(tr("&Access"));
    access->addAction(m_findTenant);
    access->addAction(m_requestAccess);
    access->addAction(m_launchPortal);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_showMyAccess);
    view->addAction(m_showAdministration);
    view->addSeparator();
    view->addAction(m_refresh);
    // "He&lp": Alt+H is the technician view's History tab.
    QMenu* help = menuBar()->addMenu(tr("He&lp"));
    help->addAction(m_about);

    auto onPage = [this](auto method) {
        return [this, method]() {
            if (m_workspacePage && screen() == Screen::Workspace)
                (m_workspacePage.data()->*method)();
        };
    };
    connect(m_findTenant, &QAction::triggered, this, onPage(&WorkspacePage::focusTenantSearch));
    connect(m_requestAccess, &QAction::triggered, this, onPage(&WorkspacePage::requestAccess));
    connect(m_launchPortal, &QAction::triggered, this, onPage(&WorkspacePage::launchPortal));
    connect(m_showMyAccess, &QAction::triggered, this, [this]() {
        if (m_workspacePage)
            m_workspacePage->setCurrentTab(WorkspacePage::Tab::MyAccess);
    });
    connect(m_showAdministration, &QAction::triggered, this, [this]() {
        if (m_workspacePage)
            m_workspacePage->setCurrentTab(WorkspacePage::Tab::Administration);
    });
    connect(m_refresh, &QAction::triggered, this, &MainWindow::refreshRequested);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::settingsRequested);
    connect(m_signOut, &QAction::triggered, this, &MainWindow::signOutRequested);
    connect(m_quit, &QAction::triggered, this, &MainWindow::quitRequested);
    connect(m_about, &QAction::triggered, this, &MainWindow::aboutRequested);
}

void MainWindow::updateActions()
{
    const bool working = screen() == Screen::Workspace && m_workspacePage;
    for (QAction* a : {m_findTenant, m_requestAccess, m_launchPortal, m_showMyAccess, m_refresh, m_signOut})
        a->setEnabled(working);
    m_showAdministration->setEnabled(working && m_workspacePage->hasAdministration());
    m_showAdministration->setVisible(!m_workspacePage || m_workspacePage->hasAdministration());
    if (m_sync)
        m_sync->setVisible(working);
    m_person->setVisible(working);
}

QWidget* MainWindow::screenHost() const
{
    return m_stack;
}

WorkspacePage* MainWindow::workspacePage() const
{
    return m_workspacePage;
}

MainWindow::Screen MainWindow::screen() const
{
    QWidget* current = m_stack->currentWidget();
    if (current == m_signIn)
        return Screen::SignIn;
    if (current && current == m_workspacePage)
        return Screen::Workspace;
    return Screen::Starting;
}

void MainWindow::showStarting(const QString& text)
{
    m_startingText->setText(text);
    m_stack->setCurrentWidget(m_starting);
    updateActions();
}

void MainWindow::showSignIn()
{
    m_stack->setCurrentWidget(m_signIn);
    updateActions();
}

void MainWindow::setWorkspacePage(WorkspacePage* page, client::Workspace* workspace)
{
    if (m_workspacePage == page)
        return;
    if (m_workspacePage) {
        m_stack->removeWidget(m_workspacePage);
        delete m_workspacePage;
    }
    delete m_sync;
    m_sync = nullptr;
    m_workspacePage = page;
    if (page) {
        m_stack->addWidget(page);
        connect(page, &WorkspacePage::currentTabChanged, this, &MainWindow::updateActions);
        connect(page, &WorkspacePage::attentionChanged, this, &MainWindow::updateActions);
    }
    if (workspace) {
        m_sync = new SyncIndicator(*workspace, m_clock, this);
        statusBar()->addWidget(m_sync, 1);
    }
    updateActions();
}

void MainWindow::showWorkspace()
{
    if (m_workspacePage)
        m_stack->setCurrentWidget(m_workspacePage);
    updateActions();
}

void MainWindow::setPersonText(const QString& text)
{
    m_person->setText(text);
    m_person->setAccessibleName(tr("Signed in as %1").arg(text));
}

QString MainWindow::personText() const
{
    return m_person->text();
}

void MainWindow::bringToFront()
{
    if (isMinimized())
        setWindowState(windowState() & ~Qt::WindowMinimized);
    show();
    raise();
    activateWindow();
}

void MainWindow::saveGeometryNow()
{
    m_settings.setWindowGeometry(saveGeometry());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveGeometryNow();
    if (m_closeHidesToTray) {
        event->ignore();
        hide();
        emit hiddenToTray();
        return;
    }
    event->accept();
    emit quitRequested();
}

} // namespace stint::ui
