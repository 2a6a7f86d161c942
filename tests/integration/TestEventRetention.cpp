// SPDX-License-Identifier: GPL-3.0-or-later
// The live stream keeps a week: older events are pruned, and a client coming back from before the oldest kept event
// is told to reset (refetch) instead of silently missing what was pruned.
#include "cloud/CloudService.h"
#include "cloud/events/EventHub.h"
#include "support/CloudFixture.h"
#include "support/EventClient.h"

#include <QTest>

using namespace stint;
using stint::test::CloudFixture;

class TestEventRetention : public QObject
{
    Q_OBJECT

    static QString firstType(const EventClient& c)
    {
        return c.messages.isEmpty() ? QString() : c.messages.first().value(QLatin1String("type")).toString();
    }

private Q_SLOTS:
    void prunedHistoryMeansReset()
    {
        CloudFixture cloud;
        QVERIFY(cloud.start());
        const QString org = cloud.addOrganization(QStringLiteral("Retention MSP"));
        const QString admin = cloud.addPerson(org, QStringLiteral("admin@retention.test"), QStringLiteral("admin"));
        QString token = cloud.signIn(admin);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(cloud.api().post(QStringLiteral("/v1/groups"), token, {{QStringLiteral("name"), QStringLiteral("old-%1").arg(i)}}).status, 201);
        const qint64 oldHead = cloud.context().events.head();

        cloud.clock().advance(8LL * 24 * 3'600'000);
        token = cloud.signIn(admin); // the first session ended long ago
        QCOMPARE(cloud.api().post(QStringLiteral("/v1/groups"), token, {{QStringLiteral("name"), QStringLiteral("new")}}).status, 201);
        auto pruned = cloud.context().events.pruneOlderThan(cloud.clock().now() - 7LL * 24 * 3'600'000);
        QVERIFY(pruned.ok());
        // Every event before the new group's: each group change is two events, group.created for admins and a
        // data-free grants.changed for everyone else (events/EventAudience).
        QCOMPARE(*pruned, 6);
        QCOMPARE(oldHead, 6);

        // From before the pruned events: reset, nothing replayed.
        EventClient stale(cloud.port());
        QVERIFY(stale.open());
        QVERIFY(stale.hello(token, 1));
        QCOMPARE(firstType(stale), QStringLiteral("reset"));
        QCOMPARE(stale.events().size(), 0);

        // From just before the kept one: it arrives, no reset.
        EventClient recent(cloud.port());
        QVERIFY(recent.open());
        QVERIFY(recent.hello(token, oldHead));
        QCOMPARE(firstType(recent), QStringLiteral("event"));
        QCOMPARE(recent.events().size(), 2); // the new group's group.created and grants.changed

        // Everything pruned: behind the head means reset; at the head means nothing to catch up.
        QVERIFY(cloud.context().events.pruneOlderThan(cloud.clock().now() + 1).ok());
        EventClient behind(cloud.port());
        QVERIFY(behind.open());
        QVERIFY(behind.hello(token, oldHead));
        QCOMPARE(firstType(behind), QStringLiteral("reset"));
        EventClient current(cloud.port());
        QVERIFY(current.open());
        QVERIFY(current.hello(token, cloud.context().events.head()));
        QCOMPARE(firstType(current), QStringLiteral("ready"));
    }
};

QTEST_GUILESS_MAIN(TestEventRetention)
#include "TestEventRetention.moc"
