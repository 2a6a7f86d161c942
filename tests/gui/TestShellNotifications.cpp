// SPDX-License-Identifier: GPL-3.0-or-later
// Desktop notifications and badges through the shell on fakes: an approval arriving (notification with Review, the
// Administration tab's badge, the tray's dot and tooltip), five minutes before a checkout ends (Extend only while the
// policy leaves room, End now — each routed to the technician view), my access being ready, an alert, and a session
// that ends while the window is hidden. Technicians get no approval notifications.
#include "client/ExpiryWatch.h"
#include "client/Workspace.h"
#include "support/client/ShellHarness.h"
#include "support/client/WidgetProbe.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Notifier.h"
#include "ui/shell/Shell.h"
#include "ui/shell/TrayIcon.h"
#include "ui/shell/WorkspacePage.h"

#include <QTabWidget>
#include <QtTest>

using namespace stint;
using stint::client::Workspace;
using stint::test::FakeDesktop;
using stint::test::ShellHarness;
using stint::ui::MainWindow;
using stint::ui::Notifier;
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

    World(const QString& adaRole, int maxMinutes = 240)
    {
        ada = h.cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Lovelace"), adaRole);
        bob = h.cloud.addPerson(QStringLiteral("bob@msp.example"), QStringLiteral("Bob Bell"),
                                QStringLiteral("technician"));
        contoso = h.cloud.addTenant(QStringLiteral("Contoso"),
                                    {models::OfferedRole {kHelpdeskAdmin, QStringLiteral("Helpdesk Administrator")}});
        h.cloud.addPolicy(QStringLiteral("Helpdesk"), {contoso.id}, {ada.id, bob.id}, {kHelpdeskAdmin}, maxMinutes,
                          false, false, true);
    }

    void start()
    {
        h.seedPreviousRun(ada);
        QVERIFY(!QTest::currentTestFailed());
        h.makeShell().start();
        QTRY_COMPARE(h.shell().cloud()->workspace->link(), Workspace::Link::Live);
    }

    models::Checkout checkoutOf(const models::Person& who, models::CheckoutState state, int minutes = 60)
    {
        models::Checkout c;
        c.tenantId = contoso.id;
        c.technicianId = who.id;
        c.roleDefinitionIds = {kHelpdeskAdmin};
        c.durationMinutes = minutes;
        c.justification = QStringLiteral("Ticket 4711: reset a user's MFA");
        c.state = state;
        return h.cloud.addCheckout(c);
    }

    Shell& shell() { return h.shell(); }
    WorkspacePage* page() { return h.shell().workspacePage(); }
    QList<FakeDesktop::Notification>& notifications() { return h.desktop.notifications; }
    QStringList actionIds(const FakeDesktop::Notification& n)
    {
        QStringList ids;
        for (const auto& a : n.actions)
            ids << a.first;
        return ids;
    }
    QString adminTabText()
    {
        auto* tabs = page()->findChild<QTabWidget*>(QStringLiteral("workspaceTabs"));
        return tabs->tabText(tabs->count() - 1);
    }
};
} // namespace

class TestShellNotifications : public QObject
{
    Q_OBJECT

private slots:
    void approvalArrivesWithNotificationAndBadge()
    {
        World w(QStringLiteral("admin"));
        w.start();
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(w.shell().tray().attention(), 0);
        QVERIFY(!w.adminTabText().contains(QLatin1Char('(')));
        w.notifications().clear();

        const models::Checkout request = w.checkoutOf(w.bob, models::CheckoutState::AwaitingApproval);
        QTRY_COMPARE(w.notifications().size(), 1);
        const FakeDesktop::Notification n = w.notifications().first();
        QCOMPARE(n.title, QStringLiteral("Approval needed for Contoso"));
        QVERIFY2(n.body.contains(QStringLiteral("Bob Bell")), qPrintable(n.body));
        QVERIFY2(n.body.contains(QStringLiteral("Helpdesk Administrator")), qPrintable(n.body));
        QVERIFY2(n.body.contains(QStringLiteral("Ticket 4711")), qPrintable(n.body));
        QCOMPARE(w.actionIds(n), QStringList {QString::fromLatin1(Notifier::kReview)});

        // The badges: the Administration tab, the tray's dot and tooltip.
        QTRY_COMPARE(w.adminTabText(), QStringLiteral("A&dministration (1)"));
        QTRY_COMPARE(w.shell().tray().attention(), 1);
        QVERIFY2(w.shell().tray().toolTip().contains(QStringLiteral("1 approval")),
                 qPrintable(w.shell().tray().toolTip()));

        // Review: the window comes up on the approval.
        w.shell().window().hide();
        w.h.desktop.invoke(n.id, QString::fromLatin1(Notifier::kReview));
        QTRY_VERIFY(w.shell().window().isVisible());
        QCOMPARE(w.page()->currentTab(), WorkspacePage::Tab::Administration);

        // Decided elsewhere: the badge goes.
        w.h.cloud.advance(request.id, models::CheckoutState::Provisioning);
        QTRY_COMPARE(w.adminTabText(), QStringLiteral("A&dministration"));
        QTRY_COMPARE(w.shell().tray().attention(), 0);
        QCOMPARE(w.notifications().size(), 1); // nothing more to say to the admin
    }

    void myOwnRequestIsNoApprovalForMe()
    {
        World w(QStringLiteral("admin"));
        w.start();
        QVERIFY(!QTest::currentTestFailed());
        w.notifications().clear();
        w.checkoutOf(w.ada, models::CheckoutState::AwaitingApproval);
        // Wait until the workspace has it, then check that nothing was announced.
        QTRY_COMPARE(w.shell().cloud()->workspace->approvalsWaiting().size(), 1);
        QCOMPARE(w.notifications().size(), 0);
        QCOMPARE(w.shell().tray().attention(), 0);
    }

    void expiryWarningOffersExtendAndEnd_data()
    {
        QTest::addColumn<int>("maxMinutes");
        QTest::addColumn<bool>("extendOffered");
        QTest::newRow("room to extend") << 240 << true;
        QTest::newRow("at the policy's limit") << 60 << false;
    }

    void expiryWarningOffersExtendAndEnd()
    {
        QFETCH(int, maxMinutes);
        QFETCH(bool, extendOffered);
        World w(QStringLiteral("technician"), maxMinutes);
        const models::Checkout mine = w.checkoutOf(w.ada, models::CheckoutState::Ready, 60);
        w.start();
        QVERIFY(!QTest::currentTestFailed());
        w.notifications().clear();

        w.h.clock.advance(56 * 60'000); // four minutes left
        w.shell().expiryWatch()->check();
        QTRY_COMPARE(w.notifications().size(), 1);
        const FakeDesktop::Notification n = w.notifications().first();
        QVERIFY2(n.title.startsWith(QStringLiteral("Access to Contoso ends in 4 minute")), qPrintable(n.title));
        QCOMPARE(w.actionIds(n).contains(QString::fromLatin1(Notifier::kExtend)), extendOffered);
        QVERIFY(w.actionIds(n).contains(QString::fromLatin1(Notifier::kEnd)));
        w.shell().expiryWatch()->check();
        QCOMPARE(w.notifications().size(), 1); // once per expiry

        // End now: the technician view asks to confirm (nothing ends without it).
        w.shell().window().hide();
        w.h.desktop.invoke(n.id, QString::fromLatin1(Notifier::kEnd));
        QTRY_VERIFY(w.shell().window().isVisible());
        QTRY_VERIFY(probe::visible(QStringLiteral("confirmEndDialog")));
        QCOMPARE(w.h.cloud.requestCount("POST", QStringLiteral("/v1/checkouts/") + mine.id + QStringLiteral("/end")),
                 0);
        QCOMPARE(w.page()->currentTab(), WorkspacePage::Tab::MyAccess);
        probe::visible(QStringLiteral("confirmEndDialog"))->close();

        if (extendOffered) {
            // Extend: one click, within the policy.
            w.h.desktop.invoke(n.id, QString::fromLatin1(Notifier::kExtend));
            QTRY_COMPARE(
                w.h.cloud.requestCount("POST", QStringLiteral("/v1/checkouts/") + mine.id + QStringLiteral("/extend")),
                1);
            QTRY_VERIFY(*w.h.cloud.checkout(mine.id).expiresAt > *mine.expiresAt);
        }
    }

    void myAccessBeingReadyIsAnnounced()
    {
        World w(QStringLiteral("technician"));
        const models::Checkout mine = w.checkoutOf(w.ada, models::CheckoutState::Provisioning);
        w.start();
        QVERIFY(!QTest::currentTestFailed());
        w.notifications().clear();
        w.h.cloud.advance(mine.id, models::CheckoutState::Ready);
        QTRY_COMPARE(w.notifications().size(), 1);
        QCOMPARE(w.notifications().first().title, QStringLiteral("Your access to Contoso is ready"));
        w.shell().window().hide();
        w.h.desktop.invoke(w.notifications().first().id, QString::fromLatin1(Notifier::kDefault));
        QTRY_VERIFY(w.shell().window().isVisible());
        QCOMPARE(w.page()->currentTab(), WorkspacePage::Tab::MyAccess);
    }

    void alertWithNotificationAndBadge()
    {
        World w(QStringLiteral("admin"));
        const models::Checkout bobs = w.checkoutOf(w.bob, models::CheckoutState::Ready);
        w.start();
        QVERIFY(!QTest::currentTestFailed());
        w.notifications().clear();
        w.h.cloud.publish(QStringLiteral("alert.raised"),
                          {{QStringLiteral("type"), QStringLiteral("checkout.revoke_failed")},
                           {QStringLiteral("tenantId"), w.contoso.id},
                           {QStringLiteral("checkoutId"), bobs.id},
                           {QStringLiteral("message"), QStringLiteral("The account could not be disabled.")}});
        QTRY_COMPARE(w.notifications().size(), 1);
        QVERIFY2(w.notifications().first().title.contains(QStringLiteral("Contoso")),
                 qPrintable(w.notifications().first().title));
        QCOMPARE(w.notifications().first().body, QStringLiteral("The account could not be disabled."));
        QTRY_COMPARE(w.adminTabText(), QStringLiteral("A&dministration (1)"));
        QTRY_COMPARE(w.shell().tray().attention(), 1);
        QVERIFY(w.shell().tray().toolTip().contains(QStringLiteral("1 alert")));
        w.h.desktop.invoke(w.notifications().first().id, QString::fromLatin1(Notifier::kDefault));
        QTRY_COMPARE(w.page()->currentTab(), WorkspacePage::Tab::Administration);
        w.shell().cloud()->workspace->acknowledgeAlert(w.shell().cloud()->workspace->alerts().first().id);
        QTRY_COMPARE(w.shell().tray().attention(), 0);
    }

    void sessionEndingWhileHiddenIsAnnounced()
    {
        World w(QStringLiteral("technician"));
        w.start();
        QVERIFY(!QTest::currentTestFailed());
        w.notifications().clear();
        w.shell().window().hide(); // in the tray
        w.h.cloud.endSession();
        QTRY_COMPARE(w.notifications().size(), 1);
        QCOMPARE(w.notifications().first().title, QStringLiteral("Sign in to Stint again"));
        w.h.desktop.invoke(w.notifications().first().id, QStringLiteral("default"));
        QTRY_VERIFY(w.shell().window().isVisible());
        QCOMPARE(w.shell().window().screen(), MainWindow::Screen::SignIn);
    }
};

QTEST_MAIN(TestShellNotifications)
#include "TestShellNotifications.moc"
