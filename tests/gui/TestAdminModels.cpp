// SPDX-License-Identifier: GPL-3.0-or-later
// The admin's item models, each checked by QAbstractItemModelTester (fatal) while the Workspace changes under it
// (live events, removals, resets), plus what the pages rely on: an in-place update keeps rows (and so selection) where
// a reset would not, RowSearchProxy matches every typed word in any order over 5,000 rows, checkable choices survive
// new choices, the audit model skips events it already shows, the time cells follow the service's clock.
#include "TestAdminFixture.h"
#include "ui/models/AdminTenantModel.h"
#include "ui/models/AlertsModel.h"
#include "ui/models/ApprovalsModel.h"
#include "ui/models/AuditModel.h"
#include "ui/models/ChoiceListModel.h"
#include "ui/models/DeliveriesModel.h"
#include "ui/models/GroupsModel.h"
#include "ui/models/InvitesModel.h"
#include "ui/models/LiveCheckoutsModel.h"
#include "ui/models/PeopleModel.h"
#include "ui/models/PoliciesModel.h"
#include "ui/models/RowSearchProxy.h"
#include "ui/models/WebhooksModel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

using namespace stint;
using namespace stint::test;
using namespace stint::ui;

namespace {

// Drives one model through the changes a live workspace makes, with a fatal tester attached.
template <typename Model> void exercise(AdminWorld& w, const std::function<void()>& change)
{
    Model model(w.workspace);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    RowSearchProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    proxy.sort(0);
    change();
    QTest::qWait(0);
    proxy.setSearchText(QStringLiteral("a"));
    proxy.setSearchText(QString());
}

} // namespace

class TestAdminModels : public QObject
{
    Q_OBJECT

private slots:
    void workspaceModelsStayConsistentUnderLiveChanges()
    {
        AdminWorld w;
        QVERIFY(w.start());
        const models::Checkout waiting = w.checkout(w.ada, w.contoso, models::CheckoutState::AwaitingApproval);
        const models::Checkout live = w.checkout(w.tom, w.contoso, models::CheckoutState::Ready);
        w.cloud.addInvite(QStringLiteral("new@msp.example"), QStringLiteral("technician"));
        w.cloud.addWebhook(QStringLiteral("https://hooks.example.com/x"));
        QTRY_COMPARE(w.workspace.liveCheckouts().size(), 1);

        int round = 0;
        auto churn = [&]() {
            ++round;
            const models::Tenant t = w.cloud.addTenant(QStringLiteral("Adatum %1").arg(round),
                                                       {{kHelpdeskRole, QStringLiteral("Helpdesk Administrator")}});
            w.cloud.addGroup(QStringLiteral("Ops %1").arg(round), {w.ada.id, w.tom.id});
            w.cloud.addPolicy(QStringLiteral("Ops access %1").arg(round), {t.id, w.contoso.id}, {w.ada.id},
                              {kHelpdeskRole}, 60);
            w.checkout(w.ada, t, models::CheckoutState::AwaitingApproval);
            const models::Checkout c = w.checkout(w.tom, t, models::CheckoutState::Ready);
            w.cloud.advance(c.id, models::CheckoutState::Revoking);
            w.cloud.advance(c.id, models::CheckoutState::RevokeFailed, QStringLiteral("Graph 503"));
            QTest::qWait(50);
            w.workspace.refresh(); // a full refetch: models reset
            QTest::qWait(50);
            w.cloud.advance(c.id, models::CheckoutState::Revoking);
            w.cloud.advance(c.id, models::CheckoutState::Ended);
            w.workspace.forget(client::Workspace::Kind::Tenants, t.id);
            QTest::qWait(50);
        };
        exercise<AdminTenantModel>(w, churn);
        exercise<PeopleModel>(w, churn);
        exercise<InvitesModel>(w, churn);
        exercise<GroupsModel>(w, churn);
        exercise<PoliciesModel>(w, churn);
        exercise<ApprovalsModel>(w, churn);
        exercise<LiveCheckoutsModel>(w, churn);
        exercise<AlertsModel>(w, churn);
        exercise<WebhooksModel>(w, churn);
        Q_UNUSED(waiting);
    }

    void pagedModelsStayConsistent()
    {
        AdminWorld w;
        QVERIFY(w.start());
        AuditModel audit(w.workspace);
        QAbstractItemModelTester auditTester(&audit, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QList<models::AuditEvent> events;
        for (int i = 0; i < 10; ++i)
            events << w.cloud.addAuditEvent(QStringLiteral("checkout.request"), w.ada.id, w.contoso.id);
        audit.setEvents(events.mid(0, 4));
        // A next page that overlaps (new events arrived meanwhile) adds only what is not shown yet.
        audit.appendEvents(events.mid(2, 5));
        QCOMPARE(audit.rowCount(), 7);
        audit.appendEvents({});
        audit.clear();
        QCOMPARE(audit.rowCount(), 0);

        DeliveriesModel deliveries(w.workspace);
        QAbstractItemModelTester deliveriesTester(&deliveries, QAbstractItemModelTester::FailureReportingMode::Fatal);
        models::WebhookDelivery a;
        a.id = QStringLiteral("dlv_a");
        a.status = QStringLiteral("dead");
        a.eventType = QStringLiteral("alert.raised");
        a.createdAt = 1;
        models::WebhookDelivery b = a;
        b.id = QStringLiteral("dlv_b");
        b.status = QStringLiteral("delivered");
        b.createdAt = 2;
        deliveries.setDeliveries({a, b});
        QCOMPARE(deliveries.index(0, 0).data(IdRole).toString(), QStringLiteral("dlv_b")); // newest first
        QCOMPARE(deliveries.index(1, DeliveriesModel::Status).data().toString(), QStringLiteral("Gave up"));
        QCOMPARE(deliveries.index(1, DeliveriesModel::Status).data(ToneRole).toString(), QStringLiteral("bad"));
        deliveries.clear();
    }

    void inPlaceUpdatesKeepRowsAndTheSelection()
    {
        AdminWorld w;
        QVERIFY(w.start());
        AdminTenantModel model(w.workspace);
        QTRY_COMPARE(model.rowCount(), 2);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        QItemSelectionModel selection(&model);
        selection.setCurrentIndex(model.index(1, 0), QItemSelectionModel::ClearAndSelect);
        // The same tenants, one changed: cells change in place.
        w.checkout(w.ada, w.contoso, models::CheckoutState::Ready);
        QTRY_VERIFY(!changes.isEmpty());
        QCOMPARE(resets.size(), 0);
        QCOMPARE(selection.currentIndex().row(), 1);
        QTRY_COMPARE(model.index(model.rowOfId(w.contoso.id), AdminTenantModel::Live).data().toInt(), 1);
        // A tenant more: a reset.
        w.cloud.addTenant(QStringLiteral("Adatum"), {});
        QTRY_COMPARE(resets.size(), 1);
        QCOMPARE(model.rowCount(), 3);
    }

    void searchMatchesEveryWordOverManyRows()
    {
        AdminWorld w;
        for (int i = 0; i < 5000; ++i)
            w.cloud.addTenant(QStringLiteral("Customer %1 %2")
                                  .arg(i, 4, 10, QLatin1Char('0'))
                                  .arg(i % 7 ? QStringLiteral("Ltd") : QStringLiteral("GmbH")),
                              {}, QStringLiteral("not_connected")); // no Entra id (hex) to match by chance
        QVERIFY(w.start());
        AdminTenantModel model(w.workspace);
        QTRY_COMPARE(model.rowCount(), 5002);
        RowSearchProxy proxy;
        proxy.setSourceModel(&model);
        QElapsedTimer timer;
        timer.start();
        proxy.setSearchText(QStringLiteral("gmbh 004"));
        const qint64 ms = timer.elapsed();
        // "004" in the number and a multiple of 7 (GmbH): 0042, 0049 and 4004.
        QStringList names;
        for (int row = 0; row < proxy.rowCount(); ++row)
            names << proxy.index(row, 0).data().toString();
        names.sort();
        QCOMPARE(names,
                 (QStringList {QStringLiteral("Customer 0042 GmbH"), QStringLiteral("Customer 0049 GmbH"),
                               QStringLiteral("Customer 4004 GmbH")}));
        proxy.setSearchText(QStringLiteral("  GMBH   0042 "));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(QStringLiteral("not connected contoso"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setSearchText(QStringLiteral("fabrikam not connected"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(QString());
        QCOMPARE(proxy.rowCount(), 5002);
        qInfo("filtering 5,002 rows took %lld ms", ms);
        QVERIFY2(ms < 1000, qPrintable(QString::number(ms)));
    }

    void choicesKeepWhatIsTicked()
    {
        ChoiceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy ticked(&model, &ChoiceListModel::checkedChanged);
        model.setFlagText(QStringLiteral("privileged"));
        model.setChoices({{QStringLiteral("a"), QStringLiteral("Alpha"), {}, false},
                          {QStringLiteral("b"), QStringLiteral("Beta"), {}, true}});
        QCOMPARE(model.index(1).data().toString(), QStringLiteral("Beta (privileged)"));
        QVERIFY(model.setData(model.index(1), Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(ticked.size(), 1);
        QCOMPARE(model.checkedIds(), QStringList {QStringLiteral("b")});
        // New choices without "b": it is remembered, and ticked again when offered again.
        model.setChoices({{QStringLiteral("a"), QStringLiteral("Alpha"), {}, false}});
        QCOMPARE(model.checkedOfferedIds(), QStringList());
        QCOMPARE(model.checkedIds(), QStringList {QStringLiteral("b")});
        model.setChoices({{QStringLiteral("b"), QStringLiteral("Beta"), {}, true},
                          {QStringLiteral("c"), QStringLiteral("Gamma"), {}, false}});
        QCOMPARE(model.index(0).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
        QVERIFY(model.setData(model.index(0), Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(model.checkedIds(), QStringList());
        QVERIFY(!model.setData(model.index(0), QStringLiteral("x"), Qt::EditRole)); // only ticks are editable
        RowSearchProxy proxy;
        proxy.setSourceModel(&model);
        proxy.setSearchText(QStringLiteral("privileged"));
        QCOMPARE(proxy.rowCount(), 1);
    }

    void timeCellsFollowTheServiceClock()
    {
        AdminWorld w;
        QVERIFY(w.start());
        w.checkout(w.ada, w.contoso, models::CheckoutState::Ready, 30);
        w.checkout(w.tom, w.contoso, models::CheckoutState::AwaitingApproval);
        LiveCheckoutsModel live(w.workspace);
        ApprovalsModel approvals(w.workspace);
        QTRY_COMPARE(live.rowCount(), 1);
        QTRY_COMPARE(approvals.rowCount(), 1);
        QVERIFY(live.index(0, LiveCheckoutsModel::Remaining).data().toString().startsWith(QStringLiteral("30:0")));
        QCOMPARE(approvals.index(0, ApprovalsModel::Waiting).data().toString(), QStringLiteral("just now"));
        QSignalSpy changes(&live, &QAbstractItemModel::dataChanged);
        w.clock.advance(10 * 60'000);
        live.refreshTimes();
        approvals.refreshTimes();
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.first().at(0).value<QModelIndex>().column(), int(LiveCheckoutsModel::Remaining));
        QVERIFY(live.index(0, LiveCheckoutsModel::Remaining).data().toString().startsWith(QStringLiteral("20:0")));
        QCOMPARE(approvals.index(0, ApprovalsModel::Waiting).data().toString(), QStringLiteral("10 min ago"));
        QCOMPARE(approvals.decidableCount(), 1);
        // Never negative once it has run out.
        w.clock.advance(60 * 60'000);
        QCOMPARE(live.index(0, LiveCheckoutsModel::Remaining).data().toString(), QStringLiteral("0:00"));
    }
};

QTEST_MAIN(TestAdminModels)
#include "TestAdminModels.moc"
