// SPDX-License-Identifier: GPL-3.0-or-later
// Sessions through the shell on fakes: a session that ends mid-use (revoked, expired) leads to the sign-in screen
// and, after signing in again, back to the same screen — the same tab and the same selected tenant; someone else
// signing in gets a fresh screen with nothing of the previous person; signing out forgets the session and the saved
// data.
#include "client/ReplicaKeys.h"
#include "client/SqlCipherReplica.h"
#include "client/Workspace.h"
#include "support/client/ShellHarness.h"
#include "support/client/WidgetProbe.h"
#include "ui/common/Banner.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Shell.h"
#include "ui/shell/SignInPage.h"
#include "ui/shell/TrayIcon.h"
#include "ui/shell/WorkspacePage.h"
#include "ui/models/TenantListModel.h"

#include <QAction>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPushButton>
#include <QTabWidget>
#include <QtTest>

using namespace stint;
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
    models::Person bob;
    models::Tenant contoso;
    models::Tenant fabrikam;
    models::Tenant northwind;

    explicit World(const QString& adaRole = QStringLiteral("technician"))
    {
        ada = h.cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Lovelace"), adaRole);
        bob = h.cloud.addPerson(QStringLiteral("bob@msp.example"), QStringLiteral("Bob Bell"),
                                QStringLiteral("technician"));
        const QList<models::OfferedRole> roles {{kHelpdeskAdmin, QStringLiteral("Helpdesk Administrator")}};
        contoso = h.cloud.addTenant(QStringLiteral("Contoso"), roles);
        fabrikam = h.cloud.addTenant(QStringLiteral("Fabrikam"), roles);
        northwind = h.cloud.addTenant(QStringLiteral("Northwind"), roles);
        h.cloud.addPolicy(QStringLiteral("Ada's"), {contoso.id, fabrikam.id}, {ada.id}, {kHelpdeskAdmin}, 240);
        h.cloud.addPolicy(QStringLiteral("Bob's"), {northwind.id}, {bob.id}, {kHelpdeskAdmin}, 240);
    }

    Shell& shell() { return h.shell(); }
    MainWindow::Screen screen() { return h.shell().window().screen(); }
    WorkspacePage* page() { return h.shell().workspacePage(); }
    QListView* tenantList() { return page() ? page()->findChild<QListView*>(QStringLiteral("tenantList")) : nullptr; }
    QString selectedTenantId()
    {
        QListView* list = tenantList();
        return list ? list->currentIndex().data(ui::TenantListModel::TenantIdRole).toString() : QString();
    }
    void selectTenant(const QString& name)
    {
        QListView* list = tenantList();
        QVERIFY(list);
        const QModelIndexList hits
            = list->model()->match(list->model()->index(0, 0), Qt::DisplayRole, name, 1, Qt::MatchContains);
        QVERIFY2(!hits.isEmpty(), qPrintable(name));
        list->setCurrentIndex(hits.first());
    }
    void signInWithKey()
    {
        QTest::mouseClick(h.shell().window().signInPage().findChild<QPushButton*>(QStringLiteral("signInWithKey")),
                          Qt::LeftButton);
        QTRY_VERIFY(h.keys.isWaitingForTouch());
        h.keys.touch();
    }
    QString sessionKey() const { return client::secretKeys::session(h.cloud.origin()); }
    // Ada's session ends at the service (an admin revoked it, or it expired).
    void endAdasSession()
    {
        // The fake ends the session its transport carries: the shell's.
        h.cloud.endSession();
    }
};
} // namespace

class TestShellSession : public QObject
{
    Q_OBJECT

private slots:
    void sessionEndedMidUseComesBackToTheSameScreen_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addColumn<bool>("onAdministration");
        QTest::newRow("technician") << QStringLiteral("technician") << false;
        QTest::newRow("admin on Access") << QStringLiteral("admin") << false;
        QTest::newRow("admin on Administration") << QStringLiteral("admin") << true;
    }

    void sessionEndedMidUseComesBackToTheSameScreen()
    {
        QFETCH(QString, role);
        QFETCH(bool, onAdministration);
        World w(role);
        w.h.givePasskey(w.ada);
        w.h.seedPreviousRun(w.ada);
        QVERIFY(!QTest::currentTestFailed());
        w.h.makeShell().start();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::Workspace);
        QTRY_COMPARE(w.shell().cloud()->workspace->link(), client::Workspace::Link::Live);

        // Mid-use: Fabrikam chosen, and for one row the Administration tab on top.
        w.selectTenant(QStringLiteral("Fabrikam"));
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(w.selectedTenantId(), w.fabrikam.id);
        if (onAdministration)
            w.page()->setCurrentTab(WorkspacePage::Tab::Administration);
        WorkspacePage* before = w.page();

        w.endAdasSession();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::SignIn);
        auto* notice = w.shell().window().signInPage().findChild<ui::Banner*>(QStringLiteral("signInNotice"));
        QVERIFY2(notice->text().contains(QStringLiteral("session has ended")), qPrintable(notice->text()));
        QTRY_VERIFY(!w.h.secrets.contains(w.sessionKey())); // the ended session is forgotten
        QVERIFY(!w.shell().signedIn());
        // The shortcuts of the workspace are off while signing in.
        QVERIFY(!w.shell().window().requestAccessAction()->isEnabled());

        w.signInWithKey();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::Workspace);
        QCOMPARE(w.page(), before); // the same screen, not a new one
        QCOMPARE(w.page()->currentTab(),
                 onAdministration ? WorkspacePage::Tab::Administration : WorkspacePage::Tab::MyAccess);
        QCOMPARE(w.selectedTenantId(), w.fabrikam.id);
        QTRY_COMPARE(w.shell().cloud()->workspace->link(), client::Workspace::Link::Live);
        QCOMPARE(w.selectedTenantId(), w.fabrikam.id); // still, after the sync
        QTRY_VERIFY(w.h.secrets.contains(w.sessionKey()));
    }

    void someoneElseGetsAFreshScreen()
    {
        World w;
        w.h.givePasskey(w.bob); // the key on this desk is Bob's
        w.h.seedPreviousRun(w.ada);
        w.h.makeShell().start();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::Workspace);
        QTRY_VERIFY(probe::shows(w.page(), QStringLiteral("Fabrikam")));
        WorkspacePage* adas = w.page();
        QPointer<WorkspacePage> watch(adas);

        w.endAdasSession();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::SignIn);
        // Ada's email is offered; with it, Bob's key is refused (username-first names Ada's passkeys only).
        auto* email = w.shell().window().signInPage().findChild<QLineEdit*>(QStringLiteral("emailField"));
        QCOMPARE(email->text(), w.ada.email);
        w.signInWithKey();
        QTRY_VERIFY(!w.shell().window().signInPage().errorText().isEmpty());
        QVERIFY2(w.shell().window().signInPage().errorText().contains(QStringLiteral("does not know this passkey")),
                 qPrintable(w.shell().window().signInPage().errorText()));
        QCOMPARE(w.screen(), MainWindow::Screen::SignIn);
        QVERIFY(!watch.isNull()); // nothing changed yet

        email->clear();
        w.signInWithKey();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::Workspace);
        QVERIFY(watch.isNull()); // Ada's screen is gone
        QTRY_VERIFY(probe::shows(w.page(), QStringLiteral("Northwind")));
        QVERIFY(!probe::shows(w.page(), QStringLiteral("Fabrikam")));
        QVERIFY(!probe::shows(w.page(), QStringLiteral("Contoso")));
        QVERIFY(w.shell().window().personText().startsWith(QStringLiteral("Bob Bell")));
        QCOMPARE(w.h.settings.lastPersonId(w.h.cloud.origin()), w.bob.id);
    }

    void signOutForgetsSessionAndSavedData()
    {
        World w;
        w.h.seedPreviousRun(w.ada);
        w.h.makeShell().start();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::Workspace);
        QTRY_COMPARE(w.shell().cloud()->workspace->link(), client::Workspace::Link::Live);

        w.shell().window().signOutAction()->trigger();
        QCOMPARE(w.screen(), MainWindow::Screen::SignIn);
        QVERIFY(!w.page());
        QTRY_VERIFY(!w.h.secrets.contains(w.sessionKey()));
        QTRY_COMPARE(w.h.cloud.requestCount("POST", QStringLiteral("/v1/auth/signout")), 1);
        QCOMPARE(w.h.settings.lastPersonId(w.h.cloud.origin()), QString());
        QVERIFY(!w.h.shell().tray().menu().findChild<QAction*>(QStringLiteral("traySignOut"))->isEnabled());

        // The saved data on disk is empty now.
        w.h.destroyShell();
        client::ReplicaKeys keys(w.h.secrets);
        const auto key = test::waitFor(keys.obtain(w.h.cloud.origin(), w.ada.id));
        QVERIFY(key.ok());
        auto replica
            = client::SqlCipherReplica::open(w.h.dataDirectory.path(), w.h.cloud.origin(), w.ada.id, *key.value());
        QVERIFY(replica.ok());
        auto snapshot = replica.value()->load();
        QVERIFY(snapshot.ok());
        QVERIFY(!snapshot->me);
        QVERIFY(snapshot->objects.value(QStringLiteral("tenant")).isEmpty());
    }

    void signOutFromTheTray()
    {
        World w;
        w.h.seedPreviousRun(w.ada);
        w.h.makeShell().start();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::Workspace);
        QAction* signOut = w.shell().tray().menu().findChild<QAction*>(QStringLiteral("traySignOut"));
        QTRY_VERIFY(signOut->isEnabled());
        signOut->trigger();
        QCOMPARE(w.screen(), MainWindow::Screen::SignIn);
        QTRY_VERIFY(!w.h.secrets.contains(w.sessionKey()));
    }
};

QTEST_MAIN(TestShellSession)
#include "TestShellSession.moc"
