// SPDX-License-Identifier: GPL-3.0-or-later
// The window around the views, through the shell on fakes: the keyboard shortcuts reach the views (Ctrl+K, Ctrl+R,
// Ctrl+L, Ctrl+1/2, F5), the tray menu opens a checkout, the geometry is remembered, settings change the service and
// the language and forget the saved data, About says the version, and closing without a tray quits.
#include "client/Workspace.h"
#include "support/client/ShellHarness.h"
#include "support/client/WidgetProbe.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/SettingsDialog.h"
#include "ui/shell/Shell.h"
#include "ui/shell/TrayIcon.h"
#include "ui/shell/WorkspacePage.h"
#include "ui/models/TenantListModel.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace stint;
using stint::client::Workspace;
using stint::test::ShellHarness;
using stint::ui::MainWindow;
using stint::ui::Shell;
using stint::ui::WorkspacePage;
namespace probe = stint::test::probe;

namespace {
const QString kHelpdeskAdmin = QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8");

struct World
{
    ShellHarness h;
    models::Person ada;
    models::Tenant contoso;
    models::Tenant fabrikam;
    models::Checkout live;

    explicit World(const QString& role = QStringLiteral("admin"))
    {
        ada = h.cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Lovelace"), role);
        const QList<models::OfferedRole> roles {{kHelpdeskAdmin, QStringLiteral("Helpdesk Administrator")}};
        contoso = h.cloud.addTenant(QStringLiteral("Contoso"), roles);
        fabrikam = h.cloud.addTenant(QStringLiteral("Fabrikam"), roles);
        h.cloud.addPolicy(QStringLiteral("Helpdesk"), {contoso.id, fabrikam.id}, {ada.id}, {kHelpdeskAdmin}, 240);
        models::Checkout c;
        c.tenantId = contoso.id;
        c.technicianId = ada.id;
        c.roleDefinitionIds = {kHelpdeskAdmin};
        c.state = models::CheckoutState::Ready;
        live = h.cloud.addCheckout(c);
    }

    void start()
    {
        h.seedPreviousRun(ada);
        QVERIFY(!QTest::currentTestFailed());
        h.makeShell().start();
        QTRY_COMPARE(h.shell().cloud()->workspace->link(), Workspace::Link::Live);
        MainWindow& window = h.shell().window();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
    }

    Shell& shell() { return h.shell(); }
    MainWindow& window() { return h.shell().window(); }
    WorkspacePage* page() { return h.shell().workspacePage(); }
    QString selectedTenantId()
    {
        auto* list = page()->findChild<QListView*>(QStringLiteral("tenantList"));
        return list->currentIndex().data(ui::TenantListModel::TenantIdRole).toString();
    }
    ui::SettingsDialog* openSettings()
    {
        window().findChild<QAction*>(QStringLiteral("actionSettings"))->trigger();
        return window().findChild<ui::SettingsDialog*>(QStringLiteral("settingsDialog"));
    }
};
} // namespace

class TestShellWindow : public QObject
{
    Q_OBJECT

private slots:
    void shortcutsReachTheViews()
    {
        World w;
        w.start();
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(w.window().findChild<QAction*>(QStringLiteral("actionFindTenant"))->shortcut(),
                 QKeySequence(QStringLiteral("Ctrl+K")));
        QCOMPARE(w.window().requestAccessAction()->shortcut(), QKeySequence(QStringLiteral("Ctrl+R")));
        QCOMPARE(w.window().launchPortalAction()->shortcut(), QKeySequence(QStringLiteral("Ctrl+L")));

        // Ctrl+2 / Ctrl+1: the views.
        QTest::keyClick(&w.window(), Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(w.page()->currentTab(), WorkspacePage::Tab::Administration);
        QTest::keyClick(&w.window(), Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(w.page()->currentTab(), WorkspacePage::Tab::MyAccess);

        // Ctrl+K from the Administration: back to Access, in the tenant search.
        QTest::keyClick(&w.window(), Qt::Key_2, Qt::ControlModifier);
        QTest::keyClick(&w.window(), Qt::Key_K, Qt::ControlModifier);
        QCOMPARE(w.page()->currentTab(), WorkspacePage::Tab::MyAccess);
        QTRY_VERIFY(QApplication::focusWidget());
        QCOMPARE(QApplication::focusWidget()->objectName(), QStringLiteral("tenantSearch"));

        // Ctrl+R: request access to the chosen tenant.
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("Fabrikam"));
        QTest::keyClick(&w.window(), Qt::Key_R, Qt::ControlModifier);
        QTRY_VERIFY(probe::visible(QStringLiteral("requestAccessDialog")));
        QVERIFY(probe::shows(probe::visible(QStringLiteral("requestAccessDialog")), QStringLiteral("Fabrikam")));
        probe::visible(QStringLiteral("requestAccessDialog"))->close();

        // Ctrl+L: the only ready access's default portal, in the browser.
        w.h.desktop.opened.clear();
        QTest::keyClick(&w.window(), Qt::Key_L, Qt::ControlModifier);
        QTRY_COMPARE(w.h.desktop.opened.size(), 1);

        // F5: sync now.
        const int mes = w.h.cloud.requestCount("GET", QStringLiteral("/v1/me"));
        QTest::keyClick(&w.window(), Qt::Key_F5);
        QTRY_VERIFY(w.h.cloud.requestCount("GET", QStringLiteral("/v1/me")) > mes);
    }

    void shortcutsRestWhileSigningIn()
    {
        World w;
        w.h.makeShell().start(); // first run: sign-in
        for (QAction* a : {w.window().requestAccessAction(), w.window().launchPortalAction(),
                           w.window().refreshAction(), w.window().signOutAction()})
            QVERIFY2(!a->isEnabled(), qPrintable(a->objectName()));
    }

    void trayOpensACheckout()
    {
        World w(QStringLiteral("technician"));
        w.start();
        QVERIFY(!QTest::currentTestFailed());
        QAction* entry = w.shell().tray().menu().findChild<QAction*>(QStringLiteral("trayCheckout_") + w.live.id);
        QVERIFY(entry);
        QVERIFY2(entry->text().startsWith(QStringLiteral("Contoso — ")), qPrintable(entry->text()));
        QVERIFY(!w.shell().tray().menu().findChild<QAction*>(QStringLiteral("trayNoAccess"))->isVisible());
        w.window().hide();
        entry->trigger();
        QTRY_VERIFY(w.window().isVisible());
        QCOMPARE(w.selectedTenantId(), w.contoso.id);
        // Show Stint and Quit.
        w.window().hide();
        w.shell().tray().menu().findChild<QAction*>(QStringLiteral("trayShow"))->trigger();
        QVERIFY(w.window().isVisible());
        QSignalSpy quit(&w.shell(), &Shell::quitRequested);
        w.shell().tray().menu().findChild<QAction*>(QStringLiteral("trayQuit"))->trigger();
        QCOMPARE(quit.count(), 1);
    }

    void geometryIsRemembered()
    {
        World w;
        w.h.makeShell().start();
        w.window().setGeometry(140, 120, 900, 640);
        QSignalSpy quit(&w.shell(), &Shell::quitRequested);
        w.window().close(); // no tray offscreen: closing quits
        QCOMPARE(quit.count(), 1);
        QVERIFY(!w.h.settings.windowGeometry().isEmpty());
        w.h.makeShell().start();
        QCOMPARE(w.window().size(), QSize(900, 640));
    }

    void settingsChangeTheServiceAndTheLanguage()
    {
        World w;
        w.start();
        QVERIFY(!QTest::currentTestFailed());
        ui::SettingsDialog* dialog = w.openSettings();
        QVERIFY(dialog && dialog->isVisible());
        auto* service = dialog->findChild<QLineEdit*>(QStringLiteral("settingsService"));
        QCOMPARE(service->text(), w.h.serviceUrl().toString());

        // Plain http to another machine is refused, and the dialog stays.
        service->setText(QStringLiteral("http://stint.example.net"));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("settingsOk")), Qt::LeftButton);
        QVERIFY(dialog->isVisible());
        QVERIFY2(dialog->serviceError().contains(QStringLiteral("https")), qPrintable(dialog->serviceError()));
        QCOMPARE(w.h.servicesBuilt(), 1);

        service->setText(QStringLiteral("stint.example.net"));
        auto* language = dialog->findChild<QComboBox*>(QStringLiteral("settingsLanguage"));
        language->setCurrentIndex(language->findData(QStringLiteral("de")));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("settingsOk")), Qt::LeftButton);
        QTRY_VERIFY(!probe::visible(QStringLiteral("settingsDialog")));
        QCOMPARE(w.h.settings.language(), QStringLiteral("de"));
        QCOMPARE(w.h.settings.cloudUrl(), QUrl(QStringLiteral("https://stint.example.net")));
        QCOMPARE(w.h.servicesBuilt(), 2);
        QCOMPARE(w.shell().cloud()->url, QUrl(QStringLiteral("https://stint.example.net")));
    }

    void forgettingSavedDataFetchesAgain()
    {
        World w;
        w.start();
        QVERIFY(!QTest::currentTestFailed());
        ui::SettingsDialog* dialog = w.openSettings();
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("settingsForget")), Qt::LeftButton);
        auto* confirm = dialog->findChild<QMessageBox*>(QStringLiteral("confirmForget"));
        QTRY_VERIFY(confirm && confirm->isVisible());
        QVERIFY(confirm->text().contains(QStringLiteral("not affected"))); // says what happens and what does not
        const int mes = w.h.cloud.requestCount("GET", QStringLiteral("/v1/me"));
        confirm->findChild<QPushButton*>(QStringLiteral("confirmForgetButton"))->click();
        QTRY_VERIFY(w.h.cloud.requestCount("GET", QStringLiteral("/v1/me")) > mes);
        QTRY_VERIFY(probe::shows(w.page(), QStringLiteral("Fabrikam")));
        QVERIFY(w.shell().signedIn());
    }

    void aboutSaysTheVersion()
    {
        World w;
        w.h.makeShell().start();
        w.window().findChild<QAction*>(QStringLiteral("actionAbout"))->trigger();
        QWidget* about = probe::visible(QStringLiteral("aboutDialog"));
        QVERIFY(about);
        QVERIFY(probe::shows(about, QStringLiteral("Stint 0.0.test")));
        about->close();
    }

    void everyControlIsNamedForAssistiveTechnology()
    {
        World w;
        w.h.makeShell().start();
        // The sign-in screen, every focusable control.
        for (QWidget* widget : w.window().findChildren<QWidget*>()) {
            if (!widget->isVisible() || widget->focusPolicy() == Qt::NoFocus)
                continue;
            const bool named = !widget->accessibleName().isEmpty()
                || (qobject_cast<QAbstractButton*>(widget)
                    && !qobject_cast<QAbstractButton*>(widget)->text().isEmpty());
            QVERIFY2(named,
                     qPrintable(widget->objectName() + QStringLiteral(" (")
                                + QString::fromLatin1(widget->metaObject()->className()) + QStringLiteral(")")));
        }
    }
};

QTEST_MAIN(TestShellWindow)
#include "TestShellWindow.moc"
