// SPDX-License-Identifier: GPL-3.0-or-later
// The app starting, through the shell on fakes: the first run asks for the service, a second run shows the saved data
// at once and then syncs, no session or no keychain leads to the sign-in screen saying why, saved data that cannot be
// opened is said and the app works on without it.
#include "client/SessionKeeper.h"
#include "client/Workspace.h"
#include "support/client/ShellHarness.h"
#include "support/client/WidgetProbe.h"
#include "ui/common/Banner.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Shell.h"
#include "ui/shell/SignInPage.h"
#include "ui/shell/SyncIndicator.h"
#include "ui/shell/WorkspacePage.h"

#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace stint;
using stint::test::ShellHarness;
using stint::ui::MainWindow;
using stint::ui::Shell;
namespace probe = stint::test::probe;

namespace {
// A keychain that is locked and waiting for its password: nothing it is asked ever answers.
class LockedKeychain final : public client::SecretStore
{
public:
    client::Call<client::SharedSecret> read(const QString&) override { return {}; }
    client::Done write(const QString&, const crypto::SecretBytes&) override { return {}; }
    client::Done remove(const QString&) override { return {}; }
};

const QString kHelpdeskAdmin = QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8");

struct World
{
    ShellHarness h;
    models::Person ada;
    models::Tenant contoso;

    World()
    {
        ada = h.cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Lovelace"),
                                QStringLiteral("technician"));
        contoso = h.cloud.addTenant(QStringLiteral("Contoso"),
                                    {models::OfferedRole {kHelpdeskAdmin, QStringLiteral("Helpdesk Administrator")}});
        h.cloud.addPolicy(QStringLiteral("Helpdesk"), {contoso.id}, {ada.id}, {kHelpdeskAdmin}, 240);
        h.givePasskey(ada);
    }

    MainWindow::Screen screen() { return h.shell().window().screen(); }
    ui::SignInPage& signIn() { return h.shell().window().signInPage(); }
    QWidget* page() { return h.shell().workspacePage(); }
    QString sessionKey() const { return client::secretKeys::session(h.cloud.origin()); }
};
} // namespace

class TestShellStart : public QObject
{
    Q_OBJECT

private slots:
    void firstRunAsksForTheServiceThenSignsIn()
    {
        World w;
        Shell& shell = w.h.makeShell();
        QSignalSpy usable(&shell, &Shell::usable);
        shell.start();
        QCOMPARE(w.screen(), MainWindow::Screen::SignIn);
        QTRY_COMPARE(usable.count(), 1); // once the sign-in screen has been painted
        QCOMPARE(w.h.servicesBuilt(), 0); // nothing to talk to yet
        auto* service = w.signIn().findChild<QLineEdit*>(QStringLiteral("serviceField"));
        QVERIFY(service && service->isVisible());

        QTest::keyClicks(service, w.h.cloud.origin());
        QTest::mouseClick(w.signIn().findChild<QPushButton*>(QStringLiteral("signInWithKey")), Qt::LeftButton);
        QCOMPARE(w.h.servicesBuilt(), 1);
        QTRY_VERIFY(w.h.keys.isWaitingForTouch());
        w.h.keys.touch();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::Workspace);

        // Remembered for the next start: the service, who signed in, and the session in the keychain only.
        QCOMPARE(w.h.settings.cloudUrl(), w.h.serviceUrl());
        QCOMPARE(w.h.settings.lastPersonId(w.h.cloud.origin()), w.ada.id);
        QTRY_VERIFY(w.h.secrets.contains(w.sessionKey()));
        QTRY_VERIFY(probe::shows(w.page(), QStringLiteral("Contoso")));
        QTRY_COMPARE(shell.cloud()->workspace->link(), client::Workspace::Link::Live);
        QVERIFY(shell.window().personText().startsWith(QStringLiteral("Ada Lovelace")));
    }

    void savedDataFirstThenSync()
    {
        World w;
        w.h.seedPreviousRun(w.ada);
        QVERIFY(!QTest::currentTestFailed());
        // Meanwhile, at the service: one more tenant for Ada. Answers take a while.
        const models::Tenant northwind
            = w.h.cloud.addTenant(QStringLiteral("Northwind"),
                                  {models::OfferedRole {kHelpdeskAdmin, QStringLiteral("Helpdesk Administrator")}});
        w.h.cloud.addPolicy(QStringLiteral("Northwind helpdesk"), {northwind.id}, {w.ada.id}, {kHelpdeskAdmin}, 60);
        w.h.cloud.setDelayMs(500);

        Shell& shell = w.h.makeShell();
        QSignalSpy usable(&shell, &Shell::usable);
        QElapsedTimer started;
        qint64 usableMs = -1;
        connect(&shell, &Shell::usable, this, [&]() { usableMs = started.elapsed(); });
        started.start();
        shell.start();
        QCOMPARE(w.screen(), MainWindow::Screen::Starting);
        QTRY_COMPARE(w.screen(), MainWindow::Screen::Workspace);
        QTRY_COMPARE(usable.count(), 1);

        // What the last run knew, before the service has answered anything.
        client::Workspace& ws = *shell.cloud()->workspace;
        QVERIFY(ws.showingCachedState());
        QVERIFY(ws.link() != client::Workspace::Link::Live);
        QVERIFY(probe::shows(w.page(), QStringLiteral("Contoso")));
        QVERIFY(!probe::shows(w.page(), QStringLiteral("Northwind")));
        QVERIFY2(shell.window().syncIndicator()->statusText().contains(QStringLiteral("saved data")),
                 qPrintable(shell.window().syncIndicator()->statusText()));
        QVERIFY(shell.window().personText().startsWith(QStringLiteral("Ada Lovelace")));

        // Then the sync.
        QTRY_VERIFY_WITH_TIMEOUT(probe::shows(w.page(), QStringLiteral("Northwind")), 10000);
        QTRY_COMPARE(ws.link(), client::Workspace::Link::Live);
        QVERIFY(!ws.showingCachedState());
        QTRY_VERIFY(shell.window().syncIndicator()->statusText().startsWith(QStringLiteral("Up to date")));
        // It caught up from where the saved data ended instead of starting over.
        QVERIFY(w.h.cloud.channel().lastSince() > 0);
        qInfo("usable from saved data after %lld ms (fakes, offscreen)", usableMs);
    }

    void noSessionMeansSignIn()
    {
        World w;
        w.h.settings.setCloudUrl(w.h.serviceUrl());
        w.h.settings.setLastPerson(w.h.cloud.origin(), w.ada.id, w.ada.email);
        Shell& shell = w.h.makeShell();
        shell.start();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::SignIn);
        // The service is known (no address field), and the email is offered again.
        QVERIFY(!w.signIn().findChild<QLineEdit*>(QStringLiteral("serviceField"))->isVisible());
        QCOMPARE(w.signIn().findChild<QLineEdit*>(QStringLiteral("emailField"))->text(), w.ada.email);
        QVERIFY(probe::shows(&w.signIn(), QStringLiteral("localhost:8443")));
    }

    void noKeychainSaysSo()
    {
        World w;
        w.h.seedPreviousRun(w.ada, false);
        w.h.secrets.setUnavailable(true);
        Shell& shell = w.h.makeShell();
        shell.start();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::SignIn);
        auto* notice = w.signIn().findChild<ui::Banner*>(QStringLiteral("signInNotice"));
        QVERIFY(notice->isVisible());
        QVERIFY2(notice->text().contains(QStringLiteral("keychain")), qPrintable(notice->text()));
    }

    void aLockedKeychainIsSaid()
    {
        World w;
        w.h.seedPreviousRun(w.ada, false);
        LockedKeychain locked;
        w.h.keychain = &locked;
        Shell& shell = w.h.makeShell();
        shell.start();
        QCOMPARE(w.screen(), MainWindow::Screen::Starting);
        auto* text = shell.window().findChild<QLabel*>(QStringLiteral("startingText"));
        QCOMPARE(text->text(), QStringLiteral("Opening Stint…"));
        QTRY_VERIFY_WITH_TIMEOUT(text->text().contains(QStringLiteral("keychain")), 5000);
        QCOMPARE(w.screen(), MainWindow::Screen::Starting);
        w.h.destroyShell(); // before `locked` goes
    }

    void savedDataThatCannotOpenIsSaid()
    {
        World w;
        w.h.seedPreviousRun(w.ada, false);
        w.h.replicaError = Error {QStringLiteral("replica.open_failed"), QStringLiteral("disk full"), {}};
        Shell& shell = w.h.makeShell();
        shell.start();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::Workspace);
        auto* notice = w.page()->findChild<ui::Banner*>(QStringLiteral("workspaceNotice"));
        QTRY_VERIFY(notice->isVisible());
        QVERIFY2(notice->text().contains(QStringLiteral("saved data")), qPrintable(notice->text()));
        // It works on without.
        QTRY_VERIFY(probe::shows(w.page(), QStringLiteral("Contoso")));
        QTRY_COMPARE(shell.cloud()->workspace->link(), client::Workspace::Link::Live);
    }

    void sessionEndedWhileAwayLeadsToSignIn()
    {
        World w;
        w.h.seedPreviousRun(w.ada);
        w.h.endSeededSession(); // revoked by an admin while the app was closed
        Shell& shell = w.h.makeShell();
        shell.start();
        QTRY_COMPARE(w.screen(), MainWindow::Screen::SignIn);
        auto* notice = w.signIn().findChild<ui::Banner*>(QStringLiteral("signInNotice"));
        QVERIFY2(notice->text().contains(QStringLiteral("session has ended")), qPrintable(notice->text()));
        QTRY_VERIFY(!w.h.secrets.contains(w.sessionKey())); // a revoked session is forgotten
    }
};

QTEST_MAIN(TestShellStart)
#include "TestShellStart.moc"
