// SPDX-License-Identifier: GPL-3.0-or-later
// The fake cloud itself: it answers like stint-cloud (JSON, problems, authorization, pagination), publishes the live
// events the cloud would, replays a backlog, and its knobs (unreachable, failNext, delay, endSession, advance) do
// what they say. Other client and GUI tests stand on it; TestCloudApiAgainstCloud keeps its JSON equal to the real
// cloud's.
#include "client/ApiError.h"
#include "client/CloudApi.h"
#include "support/client/FakeCloud.h"

#include <QSignalSpy>
#include <QtTest>

using namespace stint;
using client::CloudApi;
using client::LiveEvent;
using models::CheckoutState;
using test::FakeCloud;

#define QCOMPARE_STATE(a, b) QCOMPARE(models::toString(a), models::toString(b))

namespace {
const QString kHelpdesk = QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8");
const QString kUserAdmin = QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1");

QList<LiveEvent> eventsOf(const QSignalSpy& spy)
{
    QList<LiveEvent> out;
    for (const auto& args : spy)
        out.append(args.at(0).value<LiveEvent>());
    return out;
}
} // namespace

class TestFakeCloud : public QObject
{
    Q_OBJECT

    struct World
    {
        ManualClock clock;
        FakeCloud cloud{clock};
        CloudApi api{cloud};
        models::Person admin;
        models::Person tech;
        models::Person other;
        models::Tenant granted;
        models::Tenant ungranted;
        models::Policy policy;

        World()
        {
            admin = cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Admin"), QStringLiteral("admin"));
            tech = cloud.addPerson(QStringLiteral("tom@msp.example"), QStringLiteral("Tom Tech"), QStringLiteral("technician"));
            other = cloud.addPerson(QStringLiteral("oda@msp.example"), QStringLiteral("Oda Other"), QStringLiteral("technician"));
            granted = cloud.addTenant(QStringLiteral("Contoso"), {{kHelpdesk, QStringLiteral("Helpdesk Administrator")},
                                                                  {kUserAdmin, QStringLiteral("User Administrator")}});
            ungranted = cloud.addTenant(QStringLiteral("Fabrikam"), {{kHelpdesk, QStringLiteral("Helpdesk Administrator")}});
            policy = cloud.addPolicy(QStringLiteral("Helpdesk"), {granted.id}, {tech.id}, {kHelpdesk}, 120, true);
        }

        models::CheckoutRequest request(int minutes = 60) const
        {
            models::CheckoutRequest r;
            r.tenantId = granted.id;
            r.roleDefinitionIds = {kHelpdesk};
            r.durationMinutes = minutes;
            r.justification = QStringLiteral("ticket work");
            return r;
        }
    };

private slots:
    void initTestCase() { qRegisterMetaType<LiveEvent>(); }

    void meAndAuthorization()
    {
        World w;
        auto anonymous = test::waitFor(w.api.me());
        QVERIFY(!anonymous.ok());
        QVERIFY2(client::errors::isUnauthorized(anonymous.error()), qPrintable(anonymous.error().code));
        QCOMPARE(client::errors::httpStatus(anonymous.error()), 401);

        w.cloud.signInAs(w.tech.id);
        auto me = test::waitFor(w.api.me());
        QVERIFY2(me.ok(), qPrintable(me.ok() ? QString() : me.error().message));
        QCOMPARE(me->person.id, w.tech.id);
        QVERIFY(!me->isAdmin());
        QVERIFY(!me->sessionId.isEmpty());

        auto people = test::waitFor(w.api.people());
        QVERIFY(!people.ok());
        QCOMPARE(client::errors::slug(people.error()), QStringLiteral("forbidden"));
        QCOMPARE(client::errors::httpStatus(people.error()), 403);
    }

    void techniciansSeeGrantedTenantsWithTheirGrants()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        auto tenants = test::waitFor(w.api.tenants());
        QVERIFY(tenants.ok());
        QCOMPARE(tenants->size(), 1);
        QCOMPARE(tenants->first().id, w.granted.id);
        QCOMPARE(tenants->first().myGrants.size(), 1);
        QCOMPARE(tenants->first().myGrants.first().roleDefinitionIds, QStringList{kHelpdesk});
        QCOMPARE(tenants->first().myGrants.first().maxDurationMinutes, 120);

        auto hidden = test::waitFor(w.api.tenant(w.ungranted.id));
        QVERIFY(!hidden.ok());
        QCOMPARE(client::errors::httpStatus(hidden.error()), 404);

        w.cloud.signInAs(w.admin.id);
        auto all = test::waitFor(w.api.tenants());
        QVERIFY(all.ok());
        QCOMPARE(all->size(), 2);
        for (const models::Tenant& t : *all)
            QVERIFY(t.myGrants.isEmpty()); // the admin is named by no policy
    }

    void requestGoesToProvisioningAndIsAnnounced()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        QSignalSpy events(&w.cloud.channel(), &client::EventChannel::event);
        QSignalSpy ready(&w.cloud.channel(), &client::EventChannel::ready);
        w.cloud.channel().open(crypto::SecretBytes(w.cloud.sessionFor(w.tech.id)), 0);
        QVERIFY(ready.wait());

        auto made = test::waitFor(w.api.requestCheckout(w.request(), QStringLiteral("key-1")));
        QVERIFY2(made.ok(), qPrintable(made.ok() ? QString() : made.error().message));
        QCOMPARE_STATE(made->state, CheckoutState::Requested);
        QCOMPARE(made->technicianId, w.tech.id);
        QCOMPARE(made->policyId, w.policy.id);
        QCOMPARE_STATE(w.cloud.checkout(made->id).state, CheckoutState::Provisioning);
        QTRY_COMPARE(events.size(), 2);
        const QList<LiveEvent> seen = eventsOf(events);
        QCOMPARE(seen.at(0).type, QStringLiteral("checkout.updated"));
        QCOMPARE(seen.at(0).data.value(QLatin1String("state")).toString(), QStringLiteral("requested"));
        QCOMPARE(seen.at(1).data.value(QLatin1String("state")).toString(), QStringLiteral("provisioning"));
        QVERIFY(seen.at(1).seq > seen.at(0).seq);

        w.cloud.advance(made->id, CheckoutState::Ready);
        QTRY_COMPARE(events.size(), 3);
        auto credential = test::waitFor(w.api.credential(made->id));
        QVERIFY(credential.ok());
        QVERIFY(!(*credential)->userPrincipalName.isEmpty());
        QVERIFY(!(*credential)->password.isEmpty());
        QCOMPARE((*credential)->expiresAt, *w.cloud.checkout(made->id).expiresAt);
    }

    void idempotentRequestsReplay()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        auto first = test::waitFor(w.api.requestCheckout(w.request(), QStringLiteral("same-key")));
        QVERIFY(first.ok());
        auto again = test::waitFor(w.api.requestCheckout(w.request(), QStringLiteral("same-key")));
        QVERIFY(again.ok());
        QCOMPARE(again->id, first->id);
        QCOMPARE(w.cloud.checkouts().size(), 1);
        auto other = test::waitFor(w.api.requestCheckout(w.request(90), QStringLiteral("same-key")));
        QVERIFY(!other.ok());
        QCOMPARE(client::errors::slug(other.error()), QStringLiteral("idempotency-key-reused"));
    }

    void policyChecksAreTheClouds_data()
    {
        QTest::addColumn<QStringList>("roles");
        QTest::addColumn<int>("minutes");
        QTest::addColumn<QString>("justification");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("slug");
        QTest::addColumn<QString>("field");
        QTest::newRow("no justification") << QStringList{kHelpdesk} << 60 << QString() << 422
                                          << QStringLiteral("validation") << QStringLiteral("justification");
        QTest::newRow("too long") << QStringList{kHelpdesk} << 180 << QStringLiteral("why") << 422
                                  << QStringLiteral("validation") << QStringLiteral("durationMinutes");
        QTest::newRow("role not granted") << QStringList{kUserAdmin} << 60 << QStringLiteral("why") << 403
                                          << QStringLiteral("not-granted") << QString();
        QTest::newRow("too short") << QStringList{kHelpdesk} << 5 << QStringLiteral("why") << 422
                                   << QStringLiteral("validation") << QStringLiteral("durationMinutes");
        QTest::newRow("no roles") << QStringList{} << 60 << QStringLiteral("why") << 422 << QStringLiteral("validation")
                                  << QStringLiteral("roleDefinitionIds");
    }

    void policyChecksAreTheClouds()
    {
        QFETCH(QStringList, roles);
        QFETCH(int, minutes);
        QFETCH(QString, justification);
        QFETCH(int, status);
        QFETCH(QString, slug);
        QFETCH(QString, field);
        World w;
        w.cloud.signInAs(w.tech.id);
        models::CheckoutRequest r = w.request(minutes);
        r.roleDefinitionIds = roles;
        r.justification = justification;
        const qint64 head = w.cloud.head();
        auto refused = test::waitFor(w.api.requestCheckout(r, QStringLiteral("k")));
        QVERIFY(!refused.ok());
        QCOMPARE(client::errors::httpStatus(refused.error()), status);
        QCOMPARE(client::errors::slug(refused.error()), slug);
        if (!field.isEmpty())
            QVERIFY2(client::errors::fieldErrors(refused.error()).contains(field), qPrintable(refused.error().message));
        QVERIFY(w.cloud.checkouts().isEmpty());
        QCOMPARE(w.cloud.head(), head); // nothing announced
    }

    void paginationFollowsCursors()
    {
        World w;
        for (int i = 0; i < 205; ++i)
            w.cloud.addPerson(QStringLiteral("p%1@msp.example").arg(i), QStringLiteral("P %1").arg(i),
                              QStringLiteral("technician"));
        w.cloud.signInAs(w.admin.id);
        auto people = test::waitFor(w.api.people());
        QVERIFY(people.ok());
        QCOMPARE(people->size(), 208);
        QCOMPARE(w.cloud.requestCount("GET", QStringLiteral("/v1/people")), 2);
        QSet<QString> ids;
        for (const auto& p : *people)
            ids.insert(p.id);
        QCOMPARE(ids.size(), 208);
    }

    void unreachableAndFailNext()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        w.cloud.setUnreachable(true);
        auto down = test::waitFor(w.api.me());
        QVERIFY(!down.ok());
        QCOMPARE(down.error().code, QString::fromLatin1(client::errors::kUnreachable));
        w.cloud.setUnreachable(false);
        QVERIFY(test::waitFor(w.api.me()).ok());

        w.cloud.failNext("GET", QStringLiteral("/v1/tenants"), 503, QStringLiteral("unavailable"), QStringLiteral("down"));
        auto failed = test::waitFor(w.api.tenants());
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, QStringLiteral("api.unavailable"));
        QCOMPARE(client::errors::httpStatus(failed.error()), 503);
        QVERIFY(test::waitFor(w.api.tenants()).ok()); // only the next one
    }

    void answersAreLaterAndDelayed()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        auto call = w.api.me();
        QVERIFY(!call.isFinished());
        QVERIFY(test::waitFor(call).ok());
        w.cloud.setDelayMs(150);
        QElapsedTimer timer;
        timer.start();
        auto slow = w.api.me();
        QVERIFY(test::waitFor(slow).ok());
        QVERIFY(timer.elapsed() >= 140);
    }

    void dateHeaderIsTheFakesClock()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        auto sent = w.cloud.send(client::ApiRequest{"GET", QStringLiteral("/v1/me"), {}, {}, {}, true, false});
        auto answer = test::waitFor(sent);
        QVERIFY(answer.ok());
        QVERIFY(answer->serverTime);
        QCOMPARE(*answer->serverTime, w.clock.now() / 1000 * 1000);
        QVERIFY(!answer->header("Date").isEmpty());
    }

    void channelReplaysBacklogAndResets()
    {
        World w;
        const QByteArray token = w.cloud.sessionFor(w.admin.id);
        QSignalSpy events(&w.cloud.channel(), &client::EventChannel::event);
        QSignalSpy ready(&w.cloud.channel(), &client::EventChannel::ready);
        QSignalSpy reset(&w.cloud.channel(), &client::EventChannel::reset);
        // Seeding announced tenant.created ×2, grants.changed ×3 and policy.created: an admin sees them all.
        w.cloud.channel().open(crypto::SecretBytes(token), 1);
        QVERIFY(ready.wait());
        QCOMPARE(ready.first().at(0).toLongLong(), w.cloud.head());
        QCOMPARE(events.size(), int(w.cloud.head() - 1));

        // A technician does not see admin-only events in the backlog.
        events.clear();
        ready.clear();
        w.cloud.channel().open(crypto::SecretBytes(w.cloud.sessionFor(w.tech.id)), 1);
        QVERIFY(ready.wait());
        for (const LiveEvent& e : eventsOf(events))
            QCOMPARE(e.type, QStringLiteral("grants.changed"));

        w.cloud.channel().resetOnNextOpen();
        events.clear();
        ready.clear();
        w.cloud.channel().open(crypto::SecretBytes(token), 1);
        QVERIFY(ready.wait());
        QCOMPARE(reset.size(), 1);
        QCOMPARE(reset.first().at(0).toLongLong(), w.cloud.head());
        QVERIFY(events.isEmpty());
    }

    void sessionEndClosesTheChannel()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        QSignalSpy ready(&w.cloud.channel(), &client::EventChannel::ready);
        QSignalSpy closed(&w.cloud.channel(), &client::EventChannel::closed);
        QSignalSpy unauthorized(&w.api, &CloudApi::unauthorized);
        // The transport's token and the channel's are the same session.
        const QByteArray token = w.cloud.sessionFor(w.tech.id);
        w.cloud.setSessionToken(crypto::SecretBytes(token));
        w.cloud.channel().open(crypto::SecretBytes(token), 0);
        QVERIFY(ready.wait());
        w.cloud.endSession();
        QVERIFY(closed.wait());
        QCOMPARE(closed.first().at(0).value<Error>().code, QString::fromLatin1(client::kSessionEnded));
        QVERIFY(!test::waitFor(w.api.me()).ok());
        QCOMPARE(unauthorized.size(), 1);
        // A channel opened with an ended session is refused the same way.
        closed.clear();
        w.cloud.channel().open(crypto::SecretBytes(token), 0);
        QVERIFY(closed.wait());
        QCOMPARE(closed.first().at(0).value<Error>().code, QString::fromLatin1(client::kSessionEnded));
    }

    void unreachableDropsTheChannel()
    {
        World w;
        QSignalSpy ready(&w.cloud.channel(), &client::EventChannel::ready);
        QSignalSpy closed(&w.cloud.channel(), &client::EventChannel::closed);
        w.cloud.channel().open(crypto::SecretBytes(w.cloud.sessionFor(w.tech.id)), 0);
        QVERIFY(ready.wait());
        w.cloud.setUnreachable(true);
        QVERIFY(closed.wait());
        QCOMPARE(closed.first().at(0).value<Error>().code, QString::fromLatin1(client::errors::kUnreachable));
        closed.clear();
        w.cloud.channel().open(crypto::SecretBytes(w.cloud.sessionFor(w.tech.id)), 0);
        QVERIFY(closed.wait());
        QCOMPARE(ready.size(), 1);
    }

    void revokeFailedRaisesTheAlert()
    {
        World w;
        QSignalSpy events(&w.cloud.channel(), &client::EventChannel::event);
        QSignalSpy ready(&w.cloud.channel(), &client::EventChannel::ready);
        w.cloud.channel().open(crypto::SecretBytes(w.cloud.sessionFor(w.admin.id)), 0);
        QVERIFY(ready.wait());
        models::Checkout c;
        c.tenantId = w.granted.id;
        c.technicianId = w.tech.id;
        c.roleDefinitionIds = {kHelpdesk};
        c.state = CheckoutState::Revoking;
        c = w.cloud.addCheckout(c);
        w.cloud.advance(c.id, CheckoutState::RevokeFailed, QStringLiteral("Graph said no"));
        QTRY_COMPARE(events.size(), 3);
        const QList<LiveEvent> seen = eventsOf(events);
        QCOMPARE(seen.at(2).type, QStringLiteral("alert.raised"));
        QCOMPARE(seen.at(2).data.value(QLatin1String("checkoutId")).toString(), c.id);
        // A move the state machine does not allow changes nothing.
        const qint64 head = w.cloud.head();
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cannot become")));
        w.cloud.advance(c.id, CheckoutState::Ready);
        QCOMPARE(w.cloud.head(), head);
        QCOMPARE_STATE(w.cloud.checkout(c.id).state, CheckoutState::RevokeFailed);
    }
};

QTEST_GUILESS_MAIN(TestFakeCloud)
#include "TestFakeCloud.moc"
