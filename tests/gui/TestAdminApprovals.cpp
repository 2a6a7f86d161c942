// SPDX-License-Identifier: GPL-3.0-or-later
// The admin view's approvals, live checkouts and alerts against FakeCloud: a request arriving on the live channel
// (badge, attentionChanged), approved with a comment or denied with one; an admin's own request that only another
// admin may decide; a decision someone else made first (409); a live checkout's countdown on the service's clock,
// kept running offline; revoke, which will not go without a reason; a revocation that fails, raised as an alert with
// a badge, leading to its checkout, and acknowledged.
#include "TestAdminFixture.h"
#include "ui/admin/AdminView.h"
#include "ui/admin/ConfirmDialog.h"

#include <QLabel>
#include <QListWidget>
#include <QSignalSpy>
#include <QtTest>

using namespace stint;
using namespace stint::test;
using ui::AdminView;

namespace {

QString labelText(QWidget* parent, const QString& name)
{
    auto* label = child<QLabel>(parent, name);
    return label ? label->text() : QStringLiteral("<no label %1>").arg(name);
}

QString statusText(QWidget* parent, const QString& statusName)
{
    auto* status = parent ? parent->findChild<QWidget*>(statusName) : nullptr;
    auto* label = status ? status->findChild<QLabel*>(QStringLiteral("actionStatusText")) : nullptr;
    return label && status->isVisible() ? label->text() : QString();
}

int badge(AdminView& view, AdminView::Page page)
{
    auto* nav = view.findChild<QListWidget*>(QStringLiteral("adminNav"));
    return nav->item(int(page))->data(Qt::UserRole + 20).toInt();
}

} // namespace

class TestAdminApprovals : public QObject
{
    Q_OBJECT

    struct Screen
    {
        AdminWorld w;
        std::unique_ptr<AdminView> view;

        bool open()
        {
            if (!w.start())
                return false;
            view = std::make_unique<AdminView>(w.context);
            view->resize(1200, 760);
            view->show();
            return QTest::qWaitForWindowExposed(view.get());
        }
        QWidget* page(const QString& name) const { return view->findChild<QWidget*>(name); }
    };

private slots:
    void cleanup()
    {
        for (QWidget* w : QApplication::topLevelWidgets()) {
            if (qobject_cast<QDialog*>(w))
                delete w;
        }
    }

    void arrivingRequestIsBadgedAndApprovedWithAComment()
    {
        Screen s;
        s.w.cloud.addPolicy(QStringLiteral("Helpdesk with approval"), {s.w.contoso.id}, {s.w.ada.id}, {kHelpdeskRole},
                            240, true, false, true);
        QVERIFY(s.open());
        QSignalSpy attention(s.view.get(), &AdminView::attentionChanged);
        QCOMPARE(badge(*s.view, AdminView::Page::Approvals), 0);

        // A technician's request arrives on the live channel.
        const models::Checkout request = s.w.checkout(s.w.ada, s.w.contoso, models::CheckoutState::AwaitingApproval);
        QTRY_COMPARE(badge(*s.view, AdminView::Page::Approvals), 1);
        QVERIFY(!attention.isEmpty());
        QCOMPARE(attention.last().at(1).toInt(), 1);
        auto* nav = s.view->findChild<QListWidget*>(QStringLiteral("adminNav"));
        QVERIFY(nav->item(int(AdminView::Page::Approvals))
                    ->data(Qt::AccessibleTextRole)
                    .toString()
                    .contains(QStringLiteral("waiting")));

        s.view->showApproval(request.id);
        QWidget* page = s.page(QStringLiteral("approvalsPage"));
        QTRY_COMPARE(labelText(page, QStringLiteral("approvalTitle")),
                     QStringLiteral("Ada Lovelace asks for access to Contoso"));
        const QString facts = labelText(page, QStringLiteral("approvalFacts"));
        QVERIFY2(facts.contains(QStringLiteral("Helpdesk Administrator")) && facts.contains(QStringLiteral("T-1234"))
                     && facts.contains(QStringLiteral("1 h")),
                 qPrintable(facts));
        QCOMPARE(labelText(page, QStringLiteral("approvalJustification")), QStringLiteral("Why: Reset a user's MFA"));
        QVERIFY(!child<QWidget>(page, QStringLiteral("approvalOwnNote"))->isVisible());

        type(page, QStringLiteral("approvalCommentEdit"), QStringLiteral("Go ahead"));
        click(page, QStringLiteral("approveButton"));
        QTRY_COMPARE(s.w.sent("POST", QStringLiteral("/v1/checkouts/%1/approve").arg(request.id)).size(), 1);
        const QJsonObject body
            = *s.w.sent("POST", QStringLiteral("/v1/checkouts/%1/approve").arg(request.id)).first().body;
        QCOMPARE(body.value(QLatin1String("reason")).toString(), QStringLiteral("Go ahead"));
        QTRY_COMPARE(badge(*s.view, AdminView::Page::Approvals), 0);
        QCOMPARE(attention.last().at(1).toInt(), 0);
        QTRY_VERIFY(statusText(page, QStringLiteral("pageStatus")).startsWith(QStringLiteral("Approved")));
        QVERIFY(models::toString(s.w.cloud.checkout(request.id).state) != QLatin1String("awaiting_approval"));
    }

    void denyAsksForAComment()
    {
        Screen s;
        const models::Checkout request = s.w.checkout(s.w.tom, s.w.contoso, models::CheckoutState::AwaitingApproval);
        QVERIFY(s.open());
        s.view->showApproval(request.id);
        QWidget* page = s.page(QStringLiteral("approvalsPage"));
        QTRY_COMPARE(labelText(page, QStringLiteral("approvalTitle")),
                     QStringLiteral("Tom Tech asks for access to Contoso"));
        type(page, QStringLiteral("approvalCommentEdit"), QStringLiteral("Change freeze"));
        click(page, QStringLiteral("denyButton"));
        auto* dialog = openDialog<ui::ConfirmDialog>();
        QVERIFY(dialog);
        auto* reason = child<QLineEdit>(dialog, QStringLiteral("reasonEdit"));
        QCOMPARE(reason->text(), QStringLiteral("Change freeze")); // carried over
        type(dialog, QStringLiteral("reasonEdit"), QStringLiteral("Change freeze until Monday"));
        click(dialog, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        const auto denies = s.w.sent("POST", QStringLiteral("/v1/checkouts/%1/deny").arg(request.id));
        QCOMPARE(denies.size(), 1);
        QCOMPARE(denies.first().body->value(QLatin1String("reason")).toString(),
                 QStringLiteral("Change freeze until Monday"));
        QTRY_COMPARE(models::toString(s.w.cloud.checkout(request.id).state), QStringLiteral("denied"));
        QTRY_COMPARE(child<QAbstractItemView>(page, QStringLiteral("approvalsTable"))->model()->rowCount(), 0);
    }

    void ownRequestIsLeftToAnotherAdmin()
    {
        Screen s;
        const models::Checkout mine = s.w.checkout(s.w.admin, s.w.contoso, models::CheckoutState::AwaitingApproval);
        QVERIFY(s.open());
        s.view->showApproval(mine.id);
        QWidget* page = s.page(QStringLiteral("approvalsPage"));
        QTRY_VERIFY(child<QWidget>(page, QStringLiteral("approvalOwnNote"))->isVisible());
        QVERIFY(!child<QAbstractButton>(page, QStringLiteral("approveButton"))->isEnabled());
        QVERIFY(!child<QAbstractButton>(page, QStringLiteral("denyButton"))->isEnabled());
        // Listed, but not counted as waiting for me.
        QCOMPARE(child<QAbstractItemView>(page, QStringLiteral("approvalsTable"))->model()->rowCount(), 1);
        QCOMPARE(badge(*s.view, AdminView::Page::Approvals), 0);
    }

    void decisionMadeElsewhereFirstIsSaid()
    {
        Screen s;
        const models::Checkout request = s.w.checkout(s.w.ada, s.w.contoso, models::CheckoutState::AwaitingApproval);
        QVERIFY(s.open());
        s.view->showApproval(request.id);
        QWidget* page = s.page(QStringLiteral("approvalsPage"));
        QTRY_VERIFY(child<QAbstractButton>(page, QStringLiteral("approveButton"))->isEnabled());
        s.w.cloud.failNext("POST", QStringLiteral("/v1/checkouts/"), 409, QStringLiteral("invalid-state"),
                           QStringLiteral("The checkout is no longer awaiting approval."));
        click(page, QStringLiteral("approveButton"));
        QTRY_VERIFY(
            statusText(page, QStringLiteral("approvalActionStatus")).contains(QStringLiteral("no longer awaiting")));
        QVERIFY(child<QAbstractButton>(page, QStringLiteral("approveButton"))->isEnabled());
    }

    void liveCheckoutCountsDownOnTheServiceClockAlsoOffline()
    {
        Screen s;
        const models::Checkout live = s.w.checkout(s.w.ada, s.w.contoso, models::CheckoutState::Ready, 60);
        QVERIFY(s.open());
        s.view->showPage(AdminView::Page::LiveCheckouts);
        QWidget* page = s.page(QStringLiteral("liveCheckoutsPage"));
        QVERIFY(selectRow(page, QStringLiteral("liveCheckoutsTable"), QStringLiteral("Ada Lovelace")));
        QTRY_VERIFY(labelText(page, QStringLiteral("remainingLabel")).startsWith(QStringLiteral("1:00:0")));
        s.w.clock.advance(5 * 60'000);
        QTRY_VERIFY2(labelText(page, QStringLiteral("remainingLabel")).startsWith(QStringLiteral("55:0")),
                     qPrintable(labelText(page, QStringLiteral("remainingLabel"))));
        // The table's cell turns with it.
        auto* table = child<QAbstractItemView>(page, QStringLiteral("liveCheckoutsTable"));
        QVERIFY(table->model()->index(0, 4).data().toString().startsWith(QStringLiteral("55:0")));

        // Offline: it keeps counting from what was known, and says the state may be stale.
        s.w.cloud.setUnreachable(true);
        QTRY_VERIFY(child<QWidget>(page, QStringLiteral("offlineNote"))->isVisible());
        s.w.clock.advance(10 * 60'000);
        QTRY_VERIFY2(labelText(page, QStringLiteral("remainingLabel")).startsWith(QStringLiteral("45:0")),
                     qPrintable(labelText(page, QStringLiteral("remainingLabel"))));
        Q_UNUSED(live);
    }

    void revokeNeedsAReason()
    {
        Screen s;
        const models::Checkout live = s.w.checkout(s.w.ada, s.w.contoso, models::CheckoutState::Ready, 60);
        QVERIFY(s.open());
        s.view->showPage(AdminView::Page::LiveCheckouts);
        QWidget* page = s.page(QStringLiteral("liveCheckoutsPage"));
        QVERIFY(selectRow(page, QStringLiteral("liveCheckoutsTable"), QStringLiteral("Ada Lovelace")));
        QTRY_COMPARE(labelText(page, QStringLiteral("checkoutTitle")), QStringLiteral("Ada Lovelace in Contoso"));
        click(page, QStringLiteral("revokeButton"));
        auto* dialog = openDialog<ui::ConfirmDialog>();
        QVERIFY(dialog);
        QVERIFY(labelText(dialog, QStringLiteral("confirmConsequence"))
                    .contains(QStringLiteral("loses administrator access")));
        auto* confirm = child<QAbstractButton>(dialog, QStringLiteral("confirmButton"));
        QVERIFY(!confirm->isEnabled());
        type(dialog, QStringLiteral("reasonEdit"), QStringLiteral("   "));
        QVERIFY(!confirm->isEnabled()); // blanks are no reason
        // Enter with no reason does not revoke (the default then is Cancel's).
        QTest::keyClick(child<QLineEdit>(dialog, QStringLiteral("reasonEdit")), Qt::Key_Return);
        QCOMPARE(s.w.sent("POST", QStringLiteral("/v1/checkouts/%1/revoke").arg(live.id)).size(), 0);
        if (!openDialog<ui::ConfirmDialog>()) {
            click(page, QStringLiteral("revokeButton"));
            dialog = openDialog<ui::ConfirmDialog>();
        }
        type(dialog, QStringLiteral("reasonEdit"), QStringLiteral("Left the company"));
        confirm = child<QAbstractButton>(dialog, QStringLiteral("confirmButton"));
        QVERIFY(confirm->isEnabled());
        click(dialog, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        const auto revokes = s.w.sent("POST", QStringLiteral("/v1/checkouts/%1/revoke").arg(live.id));
        QCOMPARE(revokes.size(), 1);
        QCOMPARE(revokes.first().body->value(QLatin1String("reason")).toString(), QStringLiteral("Left the company"));
        QTRY_COMPARE(labelText(page, QStringLiteral("checkoutStateChip")), QStringLiteral("Ending"));
        QVERIFY(!child<QAbstractButton>(page, QStringLiteral("revokeButton"))->isEnabled());
        // Once it has ended it leaves the page.
        s.w.cloud.advance(live.id, models::CheckoutState::Ended);
        QTRY_COMPARE(child<QAbstractItemView>(page, QStringLiteral("liveCheckoutsTable"))->model()->rowCount(), 0);
    }

    void failedRevocationIsAnAlertWithABadge()
    {
        Screen s;
        QVERIFY(s.open());
        QSignalSpy attention(s.view.get(), &AdminView::attentionChanged);
        const models::Checkout stuck = s.w.checkout(s.w.ada, s.w.contoso, models::CheckoutState::RevokeFailed);
        QTRY_COMPARE(badge(*s.view, AdminView::Page::Alerts), 1);
        QTRY_VERIFY(!attention.isEmpty() && attention.last().at(0).toInt() == 1);

        s.view->showPage(AdminView::Page::Alerts);
        QWidget* page = s.page(QStringLiteral("alertsPage"));
        auto* table = child<QAbstractItemView>(page, QStringLiteral("alertsTable"));
        QTRY_COMPARE(table->model()->rowCount(), 1);
        QCOMPARE(table->model()->index(0, 1).data().toString(), QStringLiteral("Revocation failing"));
        table->setCurrentIndex(table->model()->index(0, 0));
        QTRY_VERIFY(labelText(page, QStringLiteral("alertTitle")).contains(QStringLiteral("Contoso")));
        // It leads to the checkout it is about.
        click(page, QStringLiteral("openAlertSubjectButton"));
        QWidget* live = s.page(QStringLiteral("liveCheckoutsPage"));
        QTRY_VERIFY(live->isVisible());
        QTRY_COMPARE(labelText(live, QStringLiteral("checkoutStateChip")), QStringLiteral("Revocation failing"));
        QVERIFY(labelText(live, QStringLiteral("checkoutReason")).contains(QStringLiteral("could not confirm")));
        // Seen: the badge goes.
        s.view->showPage(AdminView::Page::Alerts);
        click(page, QStringLiteral("acknowledgeButton"));
        QTRY_COMPARE(badge(*s.view, AdminView::Page::Alerts), 0);
        QCOMPARE(attention.last().at(0).toInt(), 0);
        QVERIFY(!child<QAbstractButton>(page, QStringLiteral("acknowledgeAllButton"))->isEnabled());
        Q_UNUSED(stuck);
    }

    void unhealthyConnectionAlertLeadsToTheTenant()
    {
        Screen s;
        QVERIFY(s.open());
        s.w.cloud.publish(QStringLiteral("alert.raised"),
                          {{QStringLiteral("code"), QStringLiteral("tenant.unhealthy")},
                           {QStringLiteral("tenantId"), s.w.contoso.id},
                           {QStringLiteral("message"), QStringLiteral("The connection to Contoso failed its check.")},
                           {QStringLiteral("raisedAt"), toRfc3339(s.w.clock.now())}},
                          QStringLiteral("admins"));
        QTRY_COMPARE(badge(*s.view, AdminView::Page::Alerts), 1);
        s.view->showPage(AdminView::Page::Alerts);
        QWidget* page = s.page(QStringLiteral("alertsPage"));
        auto* table = child<QAbstractItemView>(page, QStringLiteral("alertsTable"));
        QTRY_COMPARE(table->model()->rowCount(), 1);
        table->setCurrentIndex(table->model()->index(0, 0));
        QTRY_COMPARE(child<QAbstractButton>(page, QStringLiteral("openAlertSubjectButton"))->text(),
                     QStringLiteral("&Open tenant"));
        click(page, QStringLiteral("openAlertSubjectButton"));
        QWidget* tenants = s.page(QStringLiteral("tenantsPage"));
        QTRY_VERIFY(tenants->isVisible());
        QTRY_COMPARE(labelText(tenants, QStringLiteral("tenantName")), QStringLiteral("Contoso"));
        s.view->showPage(AdminView::Page::Alerts);
        click(page, QStringLiteral("acknowledgeAllButton"));
        QTRY_COMPARE(badge(*s.view, AdminView::Page::Alerts), 0);
    }
};

QTEST_MAIN(TestAdminApprovals)
#include "TestAdminApprovals.moc"
