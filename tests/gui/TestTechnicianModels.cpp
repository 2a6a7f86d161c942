// SPDX-License-Identifier: GPL-3.0-or-later
// The technician view's item models, each under QAbstractItemModelTester (Fatal) while the workspace changes under
// them: TenantListModel (my tenants, summary, open checkout, search key), TenantFilterProxy (every word, any case;
// the precomputed key) and HistoryModel (my checkouts, newest first, times and reasons, sort keys).
#include "support/client/TechnicianWorld.h"
#include "ui/common/StatusChip.h"
#include "ui/models/HistoryModel.h"
#include "ui/models/TenantFilterProxy.h"
#include "ui/models/TenantListModel.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace stint;
using models::CheckoutState;
using test::TechnicianWorld;
using ui::HistoryModel;
using ui::TenantFilterProxy;
using ui::TenantListModel;

namespace {
QStringList names(const QAbstractItemModel& m)
{
    QStringList out;
    for (int i = 0; i < m.rowCount(); ++i)
        out << m.index(i, 0).data().toString();
    return out;
}
} // namespace

class TestTechnicianModels : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<models::Checkout>(); }

    void tenantListFollowsTheWorkspace()
    {
        TechnicianWorld w;
        TenantListModel model(w.workspace);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(w.start());
        QTRY_COMPARE(names(model), (QStringList {"Contoso", "Fabrikam", "Northwind Traders"}));
        const QModelIndex contoso = model.index(0);
        QCOMPARE(contoso.data(TenantListModel::TenantIdRole).toString(), w.contoso.id);
        QCOMPARE(contoso.data(TenantListModel::ConnectionStatusRole).toString(), QStringLiteral("connected"));
        QCOMPARE(contoso.data(TenantListModel::SummaryRole).toString(),
                 QStringLiteral("Global Reader, User Administrator · up to 4 h"));
        QCOMPARE(model.index(1).data(TenantListModel::SummaryRole).toString(),
                 QStringLiteral("Security Administrator · up to 2 h · approval needed"));
        QVERIFY(contoso.data(TenantListModel::SearchKeyRole).toString().contains(QStringLiteral("user administrator")));
        QVERIFY(contoso.data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("Connected")));
        QVERIFY(contoso.data(TenantListModel::OpenCheckoutIdRole).toString().isEmpty());

        // My open checkout shows on its row (a data change, not a reset).
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        const models::Checkout c = w.checkoutIn(w.contoso, CheckoutState::Ready, 30);
        QTRY_COMPARE(model.index(0).data(TenantListModel::OpenCheckoutStateRole).toString(), QStringLiteral("ready"));
        QCOMPARE(model.index(0).data(TenantListModel::OpenCheckoutIdRole).toString(), c.id);
        QCOMPARE(resets.size(), 0);
        QVERIFY(changes.size() > 0);
        QVERIFY(model.index(0).data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("Ready")));
        QVERIFY(w.moveTo(c.id, CheckoutState::Ended));
        QTRY_VERIFY(model.index(0).data(TenantListModel::OpenCheckoutStateRole).toString().isEmpty());

        // A tenant granted later appears; one no longer granted goes.
        const models::Tenant woodgrove = w.cloud.addTenant(QStringLiteral("Woodgrove Bank"),
                                                           {{TechnicianWorld::kReader, QStringLiteral("Reader")}});
        w.cloud.addPolicy(QStringLiteral("Bank"), {woodgrove.id}, {w.tech.id}, {TechnicianWorld::kReader}, 60);
        QTRY_COMPARE(model.rowCount(), 4);
        QCOMPARE(model.index(3).data().toString(), QStringLiteral("Woodgrove Bank"));
        QCOMPARE(model.rowOf(woodgrove.id), 3);
        QCOMPARE(model.rowOf(QStringLiteral("tnt_unknown")), -1);
    }

    void filterMatchesEveryWordAnyCase_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("empty") << "" << QStringList {"Contoso", "Fabrikam", "Northwind Traders"};
        QTest::newRow("spaces only") << "   " << QStringList {"Contoso", "Fabrikam", "Northwind Traders"};
        QTest::newRow("part of a name") << "WIND" << QStringList {"Northwind Traders"};
        QTest::newRow("any case") << "CONTOSO" << QStringList {"Contoso"};
        QTest::newRow("a role") << "global reader" << QStringList {"Contoso", "Northwind Traders"};
        QTest::newRow("words in any order") << "traders north" << QStringList {"Northwind Traders"};
        QTest::newRow("one word missing") << "contoso bank" << QStringList {};
        QTest::newRow("tenant id") << "<contoso-id>" << QStringList {"Contoso"};
        QTest::newRow("no match") << "zzz" << QStringList {};
    }

    void filterMatchesEveryWordAnyCase()
    {
        QFETCH(QString, query);
        QFETCH(QStringList, expected);
        TechnicianWorld w;
        QVERIFY(w.start());
        TenantListModel model(w.workspace);
        TenantFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
        query.replace(QStringLiteral("<contoso-id>"), w.contoso.id.toUpper());
        proxy.setQuery(query);
        QCOMPARE(names(proxy), expected);
        QCOMPARE(proxy.query(), query);
        // Back to everything.
        proxy.setQuery({});
        QCOMPARE(proxy.rowCount(), 3);
    }

    void filterSurvivesSourceChanges()
    {
        TechnicianWorld w;
        QVERIFY(w.start());
        TenantListModel model(w.workspace);
        TenantFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
        proxy.setQuery(QStringLiteral("bank"));
        QCOMPARE(proxy.rowCount(), 0);
        const models::Tenant bank = w.cloud.addTenant(QStringLiteral("Woodgrove Bank"),
                                                      {{TechnicianWorld::kReader, QStringLiteral("Reader")}});
        w.cloud.addPolicy(QStringLiteral("Bank"), {bank.id}, {w.tech.id}, {TechnicianWorld::kReader}, 60);
        QTRY_COMPARE(names(proxy), QStringList {"Woodgrove Bank"});
        const models::Checkout c = w.checkoutIn(bank, CheckoutState::Provisioning, 30);
        QTRY_COMPARE(proxy.index(0, 0).data(TenantListModel::OpenCheckoutStateRole).toString(),
                     QStringLiteral("provisioning"));
        QCOMPARE(c.tenantId, bank.id);
    }

    void historyIsMineNewestFirst()
    {
        TechnicianWorld w;
        QVERIFY(w.start());
        HistoryModel model(w.workspace);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(HistoryModel::ColumnCount));
        QCOMPARE(model.headerData(HistoryModel::EndedColumn, Qt::Horizontal).toString(), QStringLiteral("Ended"));

        const models::Checkout first = w.checkoutIn(w.contoso, CheckoutState::Ready, 30);
        w.clock.advance(60'000);
        const models::Checkout second = w.checkoutIn(w.fabrikam, CheckoutState::AwaitingApproval, 30);
        QTRY_COMPARE(model.rowCount(), 2);
        QCOMPARE(model.checkoutId(0), second.id);
        QCOMPARE(model.checkoutId(1), first.id);
        QCOMPARE(model.index(0, HistoryModel::TenantColumn).data().toString(), QStringLiteral("Fabrikam"));
        QCOMPARE(model.index(0, HistoryModel::RolesColumn).data().toString(), QStringLiteral("Security Administrator"));
        QCOMPARE(model.index(0, HistoryModel::ReadyColumn).data().toString(), QStringLiteral("—"));
        QCOMPARE(model.index(1, HistoryModel::ReadyColumn).data(HistoryModel::SortRole).toLongLong(), *first.readyAt);
        QVERIFY(model.index(0, HistoryModel::RequestedColumn).data(HistoryModel::SortRole).toLongLong()
                > model.index(1, HistoryModel::RequestedColumn).data(HistoryModel::SortRole).toLongLong());

        // A state change updates its row in place.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QVERIFY(w.moveTo(first.id, CheckoutState::Ended, QStringLiteral("expired")));
        QTRY_COMPARE(model.index(1, HistoryModel::StateColumn).data().toString(),
                     ui::StatusChip::checkoutStateText(CheckoutState::Ended));
        QCOMPARE(resets.size(), 0);
        QCOMPARE(model.index(1, HistoryModel::StateColumn).data(HistoryModel::StateRole).toString(),
                 QStringLiteral("ended"));
        QVERIFY(model.index(1, HistoryModel::EndedColumn).data(HistoryModel::SortRole).toLongLong() > 0);
        QCOMPARE(model.rowOf(first.id), 1);
    }
};

QTEST_MAIN(TestTechnicianModels)
#include "TestTechnicianModels.moc"
