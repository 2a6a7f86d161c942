// SPDX-License-Identifier: GPL-3.0-or-later
// ui::access: what a technician may ask for, worked out from the tenant's grants as the service decides it — the
// union of roles, the grant chosen (no approval first, fewer required fields, longer maximum, then id), the longest
// window, duration steps with the tenant's default, and how far a ready checkout may still be extended.
#include "ui/technician/AccessOptions.h"

#include <QtTest>

using namespace stint;
namespace opts = stint::ui::access;

namespace {
const QString kReader = QStringLiteral("88d8e3e3-8f55-4a1e-953a-9b9898b8876b");
const QString kUserAdmin = QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1");
const QString kGlobalAdmin = QStringLiteral("62e90394-69f5-4237-9190-012177145e10");

models::TenantGrant grant(const QString& id, const QStringList& roles, int max, bool approval = false,
                          bool justification = false, bool ticket = false)
{
    models::TenantGrant g;
    g.policyId = id;
    g.policyName = QStringLiteral("Policy ") + id;
    g.roleDefinitionIds = roles;
    g.maxDurationMinutes = max;
    g.requireApproval = approval;
    g.requireJustification = justification;
    g.requireTicket = ticket;
    return g;
}

models::Tenant tenantWith(const QList<models::TenantGrant>& grants, int defaultMinutes = 60, int tenantMax = 480)
{
    models::Tenant t;
    t.id = QStringLiteral("tnt_1");
    t.name = QStringLiteral("Contoso");
    t.connection.defaultDurationMinutes = defaultMinutes;
    t.connection.maxDurationMinutes = tenantMax;
    t.connection.rolesOffered = {{kReader, QStringLiteral("Global Reader")},
                                 {kUserAdmin, QStringLiteral("User Administrator")},
                                 {kGlobalAdmin, QStringLiteral("Global Administrator")}};
    t.myGrants = grants;
    return t;
}
} // namespace

class TestAccessOptions : public QObject
{
    Q_OBJECT
private slots:
    void roleOptionsAreTheUnionByName()
    {
        const auto t = tenantWith({grant(QStringLiteral("pol_a"), {kUserAdmin, kReader}, 60),
                                   grant(QStringLiteral("pol_b"), {kGlobalAdmin, kReader}, 30, true)});
        const QList<opts::RoleOption> options = opts::roleOptions(t);
        QCOMPARE(options.size(), 3);
        QCOMPARE(options.at(0).displayName, QStringLiteral("Global Administrator"));
        QCOMPARE(options.at(1).displayName, QStringLiteral("Global Reader"));
        QCOMPARE(options.at(2).displayName, QStringLiteral("User Administrator"));
        // Approval "always" only where every grant offering the role asks for it.
        QVERIFY(options.at(0).approvalAlways);
        QVERIFY(!options.at(1).approvalAlways);
        QVERIFY(!options.at(2).approvalAlways);
    }

    void chosenGrant_data()
    {
        QTest::addColumn<QStringList>("roles");
        QTest::addColumn<int>("minutes");
        QTest::addColumn<QString>("expected"); // policy id, empty for none

        QTest::newRow("no approval beats approval") << QStringList {kReader} << 30 << "pol_free";
        QTest::newRow("a longer window needs the other policy") << QStringList {kReader} << 240 << "pol_long";
        QTest::newRow("beyond every maximum") << QStringList {kReader} << 600 << "";
        QTest::newRow("roles together in one policy") << QStringList {kReader, kUserAdmin} << 60 << "pol_long";
        QTest::newRow("roles no single policy grants together") << QStringList {kUserAdmin, kGlobalAdmin} << 30 << "";
        QTest::newRow("fewer required fields first") << QStringList {kGlobalAdmin} << 30 << "pol_plain";
        QTest::newRow("no roles") << QStringList {} << 30 << "";
    }

    void chosenGrant()
    {
        QFETCH(QStringList, roles);
        QFETCH(int, minutes);
        QFETCH(QString, expected);
        const auto t = tenantWith({
            grant(QStringLiteral("pol_long"), {kReader, kUserAdmin}, 480, true, true),
            grant(QStringLiteral("pol_free"), {kReader}, 60),
            grant(QStringLiteral("pol_fields"), {kGlobalAdmin}, 60, false, true, true),
            grant(QStringLiteral("pol_plain"), {kGlobalAdmin}, 30, false, true),
        });
        const auto chosen = opts::chosenGrant(t, roles, minutes);
        QCOMPARE(chosen ? chosen->policyId : QString(), expected);
    }

    void equalGrantsAreOrderedByLongerMaximumThenId()
    {
        const auto t
            = tenantWith({grant(QStringLiteral("pol_b"), {kReader}, 60), grant(QStringLiteral("pol_c"), {kReader}, 120),
                          grant(QStringLiteral("pol_a"), {kReader}, 60)});
        const QList<models::TenantGrant> order = opts::covering(t, {kReader});
        QCOMPARE(order.size(), 3);
        QCOMPARE(order.at(0).policyId, QStringLiteral("pol_c"));
        QCOMPARE(order.at(1).policyId, QStringLiteral("pol_a"));
        QCOMPARE(order.at(2).policyId, QStringLiteral("pol_b"));
    }

    void maxMinutesIsTheLongestCoveringWithinTheTenant()
    {
        const auto t = tenantWith(
            {grant(QStringLiteral("pol_a"), {kReader}, 60), grant(QStringLiteral("pol_b"), {kReader}, 720)}, 60, 240);
        QCOMPARE(opts::maxMinutes(t, {kReader}), 240);
        QCOMPARE(opts::maxMinutes(t, {kUserAdmin}), 0);
        QCOMPARE(opts::maxMinutes(t, {}), 0);
    }

    void durationSteps_data()
    {
        QTest::addColumn<int>("max");
        QTest::addColumn<int>("preferred");
        QTest::addColumn<QList<int>>("expected");
        QTest::newRow("an hour") << 60 << 0 << QList<int> {15, 30, 45, 60};
        QTest::newRow("odd maximum is offered") << 100 << 0 << QList<int> {15, 30, 45, 60, 90, 100};
        QTest::newRow("tenant default between steps")
            << 240 << 75 << QList<int> {15, 30, 45, 60, 75, 90, 120, 180, 240};
        QTest::newRow("preferred beyond max is ignored") << 60 << 90 << QList<int> {15, 30, 45, 60};
        QTest::newRow("short maximum") << 12 << 0 << QList<int> {12};
        QTest::newRow("below the shortest window") << 5 << 0 << QList<int> {};
        QTest::newRow("a day") << 1440 << 0 << QList<int> {15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1440};
    }

    void durationSteps()
    {
        QFETCH(int, max);
        QFETCH(int, preferred);
        QFETCH(QList<int>, expected);
        QCOMPARE(opts::durationSteps(max, preferred), expected);
    }

    void defaultMinutesIsClamped()
    {
        QCOMPARE(opts::defaultMinutes(tenantWith({}, 60), 240), 60);
        QCOMPARE(opts::defaultMinutes(tenantWith({}, 480), 240), 240);
        QCOMPARE(opts::defaultMinutes(tenantWith({}, 5), 240), models::kMinDurationMinutes);
    }

    void extendAllowance_data()
    {
        QTest::addColumn<int>("windowMinutes"); // expiresAt - readyAt
        QTest::addColumn<int>("extraMs"); // a part minute more (rounded up as the service does)
        QTest::addColumn<int>("expected");
        QTest::newRow("an hour of four") << 60 << 0 << 180;
        QTest::newRow("at the limit") << 240 << 0 << 0;
        QTest::newRow("a part minute counts whole") << 60 << 1 << 179;
        QTest::newRow("past the limit (policy shortened)") << 300 << 0 << 0;
    }

    void extendAllowance()
    {
        QFETCH(int, windowMinutes);
        QFETCH(int, extraMs);
        QFETCH(int, expected);
        const auto t = tenantWith({grant(QStringLiteral("pol_a"), {kReader}, 240)});
        models::Checkout c;
        c.roleDefinitionIds = {kReader};
        c.state = models::CheckoutState::Ready;
        c.readyAt = 1'800'000'000'000;
        c.expiresAt = *c.readyAt + qint64(windowMinutes) * 60'000 + extraMs;
        QCOMPARE(opts::extendAllowance(t, c), std::optional<int>(expected));
    }

    void extendAllowanceUnknown()
    {
        const auto t = tenantWith({grant(QStringLiteral("pol_a"), {kReader}, 240)});
        models::Checkout c;
        c.roleDefinitionIds = {kReader};
        QVERIFY(!opts::extendAllowance(t, c)); // no window yet
        c.readyAt = 1'800'000'000'000;
        c.expiresAt = *c.readyAt + 3'600'000;
        c.roleDefinitionIds = {kGlobalAdmin};
        QVERIFY(!opts::extendAllowance(t, c)); // no covering grant as this app sees it: the service decides
    }

    void extendSteps()
    {
        QCOMPARE(opts::extendSteps(0), QList<int> {});
        QCOMPARE(opts::extendSteps(20), (QList<int> {15, 20}));
        QCOMPARE(opts::extendSteps(60), (QList<int> {15, 30, 60}));
        QCOMPARE(opts::extendSteps(500), (QList<int> {15, 30, 60, 120, 240, 500}));
        QCOMPARE(opts::oneClickExtendMinutes(std::nullopt), 30);
        QCOMPARE(opts::oneClickExtendMinutes(180), 30);
        QCOMPARE(opts::oneClickExtendMinutes(12), 12);
        QCOMPARE(opts::oneClickExtendMinutes(0), 0);
    }
};

QTEST_GUILESS_MAIN(TestAccessOptions)
#include "TestAccessOptions.moc"
