// SPDX-License-Identifier: GPL-3.0-or-later
// The service out of reach, through the shell on fakes: the window says so plainly (status bar, the banners with
// "Retrying in N s" and "Retry now"), keeps showing what it knew, keeps every countdown running from the saved expiry
// (window and tray), retries on its own with backoff and at once when asked, and is back to "Up to date" when the
// service is.
#include "client/Workspace.h"
#include "support/client/ShellHarness.h"
#include "support/client/WidgetProbe.h"
#include "ui/common/Banner.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Shell.h"
#include "ui/shell/SyncIndicator.h"
#include "ui/common/TimeText.h"
#include "ui/shell/TrayIcon.h"
#include "ui/shell/WorkspacePage.h"

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
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
    models::Checkout live;

    World()
    {
        ada = h.cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Lovelace"),
                                QStringLiteral("admin"));
        contoso = h.cloud.addTenant(QStringLiteral("Contoso"),
                                    {models::OfferedRole {kHelpdeskAdmin, QStringLiteral("Helpdesk Administrator")}});
        h.cloud.addPolicy(QStringLiteral("Helpdesk"), {contoso.id}, {ada.id}, {kHelpdeskAdmin}, 240);
        models::Checkout c;
        c.tenantId = contoso.id;
        c.technicianId = ada.id;
        c.roleDefinitionIds = {kHelpdeskAdmin};
        c.durationMinutes = 60;
        c.state = models::CheckoutState::Ready;
        live = h.cloud.addCheckout(c);
    }

    Shell& shell() { return h.shell(); }
    Workspace& ws() { return *h.shell().cloud()->workspace; }
    WorkspacePage* page() { return h.shell().workspacePage(); }
    QString syncText() { return h.shell().window().syncIndicator()->statusText(); }
    // The countdown the window must show now for Ada's checkout, from its saved expiry and the service's clock.
    QString expectedCountdown() { return ui::TimeText::countdown(*live.expiresAt - ws().serverNow()); }
    // Each view's own offline line.
    ui::Banner* adminBanner() { return page()->findChild<ui::Banner*>(QStringLiteral("adminBanner")); }
    ui::Banner* technicianBanner() { return page()->findChild<ui::Banner*>(QStringLiteral("technicianBanner")); }
};
} // namespace

class TestShellOffline : public QObject
{
    Q_OBJECT

private slots:
    void unreachableSaysSoRetriesAndKeepsCounting()
    {
        World w;
        w.h.seedPreviousRun(w.ada);
        QVERIFY(!QTest::currentTestFailed());
        w.h.makeShell().start();
        QTRY_COMPARE(w.ws().link(), Workspace::Link::Live);

        w.h.cloud.setUnreachable(true);
        QTRY_COMPARE(w.ws().link(), Workspace::Link::Offline);
        QVERIFY2(w.syncText().startsWith(QStringLiteral("Offline")), qPrintable(w.syncText()));
        // Each view says it in its line, with the next retry and "Retry now".
        QTRY_VERIFY(w.technicianBanner()->isVisible());
        QVERIFY2(w.technicianBanner()->text().startsWith(QStringLiteral("Offline")),
                 qPrintable(w.technicianBanner()->text()));
        w.page()->setCurrentTab(WorkspacePage::Tab::Administration);
        ui::Banner* banner = w.adminBanner();
        QTRY_VERIFY(banner->isVisible());
        QVERIFY2(banner->text().startsWith(QStringLiteral("Offline")), qPrintable(banner->text()));
        auto* retry = banner->findChild<QPushButton*>(QStringLiteral("bannerAction"));
        QVERIFY(retry->isVisible());
        // Still showing what it knew.
        w.page()->setCurrentTab(WorkspacePage::Tab::MyAccess);
        QVERIFY(probe::shows(w.page(), QStringLiteral("Contoso")));

        // Countdowns run on from the saved expiry: the tray's tooltip and menu follow the clock.
        const QString before = w.shell().tray().toolTip();
        QVERIFY2(before.contains(w.expectedCountdown()), qPrintable(before));
        QVERIFY2(before.contains(QStringLiteral("Offline")), qPrintable(before));
        w.h.clock.advance(65'000);
        QTRY_VERIFY2(w.shell().tray().toolTip().contains(w.expectedCountdown()),
                     qPrintable(w.shell().tray().toolTip() + QStringLiteral(" / ") + w.expectedCountdown()));
        QVERIFY(w.shell().tray().toolTip() != before);
        QAction* entry = w.shell().tray().menu().findChild<QAction*>(QStringLiteral("trayCheckout_") + w.live.id);
        QVERIFY(entry);
        QVERIFY2(entry->text().contains(w.expectedCountdown()), qPrintable(entry->text()));

        // It retries on its own (backoff: the first retry within a second or two)…
        const int opens = w.h.cloud.channel().openCount();
        QVERIFY(w.ws().nextRetryAt() > 0);
        QTRY_VERIFY_WITH_TIMEOUT(w.h.cloud.channel().openCount() > opens, 10000);
        QTRY_COMPARE(w.ws().link(), Workspace::Link::Offline);
        // …and at once when asked.
        w.page()->setCurrentTab(WorkspacePage::Tab::Administration);
        QTRY_VERIFY(retry->isVisible());
        const int beforeClick = w.h.cloud.channel().openCount();
        QTest::mouseClick(retry, Qt::LeftButton);
        QCOMPARE(w.h.cloud.channel().openCount(), beforeClick + 1);

        // Back: the next retry finds it.
        w.h.cloud.setUnreachable(false);
        QTRY_COMPARE_WITH_TIMEOUT(w.ws().link(), Workspace::Link::Live, 10000);
        QTRY_VERIFY(!banner->isVisible());
        QTRY_VERIFY2(w.syncText().startsWith(QStringLiteral("Up to date")), qPrintable(w.syncText()));
        QVERIFY(!w.shell().tray().toolTip().contains(QStringLiteral("Offline")));
    }

    void startsOfflineFromSavedData()
    {
        World w;
        w.h.seedPreviousRun(w.ada);
        QVERIFY(!QTest::currentTestFailed());
        w.h.cloud.setUnreachable(true);
        w.h.clock.advance(10 * 60'000); // the app was closed for ten minutes
        w.h.makeShell().start();
        QTRY_COMPARE(w.shell().window().screen(), MainWindow::Screen::Workspace);
        QVERIFY(probe::shows(w.page(), QStringLiteral("Contoso")));
        QTRY_COMPARE(w.ws().link(), Workspace::Link::Offline);
        QVERIFY2(w.syncText().startsWith(QStringLiteral("Offline")), qPrintable(w.syncText()));
        // The countdown is the saved expiry minus now: about 50 minutes, not the 60 it started with.
        QTRY_VERIFY2(w.shell().tray().toolTip().contains(w.expectedCountdown()),
                     qPrintable(w.shell().tray().toolTip() + QStringLiteral(" / ") + w.expectedCountdown()));
        QVERIFY(w.expectedCountdown().startsWith(QStringLiteral("50:"))
                || w.expectedCountdown().startsWith(QStringLiteral("49:")));
    }
};

QTEST_MAIN(TestShellOffline)
#include "TestShellOffline.moc"
