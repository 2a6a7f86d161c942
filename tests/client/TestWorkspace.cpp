// SPDX-License-Identifier: GPL-3.0-or-later
// Workspace against the fake cloud: the first sync (a technician sees their own, an admin the organization), live
// events applied in order, events that arrive during a full fetch applied after it, older snapshots ignored, grants
// refetched when they may have changed, a reset refetched once, offline kept and retried with backoff, the end of a
// session said once, approvals and alerts announced to admins, and the service's time from its Date header.
#include "client/ApiError.h"
#include "client/Workspace.h"
#include "support/client/FakeCloud.h"

#include <QSignalSpy>
#include <QtTest>

#include <limits>

using namespace stint;
using client::CloudApi;
using client::Workspace;
using models::CheckoutState;
using test::FakeCloud;
using test::waitFor;

#define QCOMPARE_STATE(a, b) QCOMPARE(models::toString(a), models::toString(b))
#define QTRY_COMPARE_STATE(a, b) QTRY_COMPARE(models::toString(a), models::toString(b))

namespace {
const QString kHelpdesk = QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8");
const QString kUserAdmin = QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1");

struct World
{
    ManualClock clock{1'800'000'000'250};
    FakeCloud cloud{clock};
    CloudApi api{cloud};
    Workspace ws{api, cloud.channel(), clock};
    models::Person admin;
    models::Person admin2;
    models::Person tech;
    models::Person other;
    models::Tenant contoso;
    models::Tenant fabrikam;
    models::Policy policy;

    World()
    {
        admin
            = cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Admin"), QStringLiteral("admin"));
        admin2
            = cloud.addPerson(QStringLiteral("bob@msp.example"), QStringLiteral("Bob Admin"), QStringLiteral("admin"));
        tech = cloud.addPerson(QStringLiteral("tom@msp.example"), QStringLiteral("Tom Tech"),
                               QStringLiteral("technician"));
        other = cloud.addPerson(QStringLiteral("oda@msp.example"), QStringLiteral("Oda Other"),
                                QStringLiteral("technician"));
        contoso = cloud.addTenant(QStringLiteral("Contoso"), {{kHelpdesk, QStringLiteral("Helpdesk Administrator")}});
        fabrikam = cloud.addTenant(QStringLiteral("Fabrikam"), {{kUserAdmin, QStringLiteral("User Administrator")}});
        policy = cloud.addPolicy(QStringLiteral("Helpdesk"), {contoso.id}, {tech.id, other.id}, {kHelpdesk}, 120);
    }

    models::Checkout checkout(const models::Person& of, CheckoutState state, const models::Tenant* in = nullptr)
    {
        models::Checkout c;
        c.tenantId = (in ? *in : contoso).id;
        c.technicianId = of.id;
        c.policyId = policy.id;
        c.roleDefinitionIds = {kHelpdesk};
        c.durationMinutes = 60;
        c.state = state;
        return cloud.addCheckout(c);
    }

    void startAs(const models::Person& person)
    {
        const QByteArray token = cloud.sessionFor(person.id);
        cloud.setSessionToken(crypto::SecretBytes(token));
        ws.start(crypto::SecretBytes(token));
    }

    bool synced(QSignalSpy& spy) { return spy.size() > 0 || spy.wait(5000); }
};

QStringList idsOf(const QList<models::Checkout>& checkouts)
{
    QStringList out;
    for (const auto& c : checkouts)
        out << c.id;
    out.sort();
    return out;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}
} // namespace

class TestWorkspace : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        qRegisterMetaType<models::Checkout>();
        qRegisterMetaType<Workspace::Alert>();
    }

    void firstSyncOfATechnician()
    {
        World w;
        const models::Checkout mine = w.checkout(w.tech, CheckoutState::Ready);
        const models::Checkout theirs = w.checkout(w.other, CheckoutState::Ready);
        QSignalSpy synced(&w.ws, &Workspace::synced);
        QCOMPARE(w.ws.link(), Workspace::Link::Offline);
        w.startAs(w.tech);
        QCOMPARE(w.ws.link(), Workspace::Link::Connecting);
        QVERIFY(w.synced(synced));
        QCOMPARE(synced.size(), 1);
        QCOMPARE(w.ws.link(), Workspace::Link::Live);
        QCOMPARE(w.cloud.channel().lastSince(), qint64(0));
        QVERIFY(w.ws.me());
        QCOMPARE(w.ws.me()->person.id, w.tech.id);
        QVERIFY(!w.ws.isAdmin());
        QCOMPARE(w.ws.tenants().size(), 1); // only what a policy grants
        QCOMPARE(w.ws.tenants().first().id, w.contoso.id);
        QCOMPARE(w.ws.tenants().first().myGrants.size(), 1);
        QCOMPARE(idsOf(w.ws.checkouts()), QStringList{mine.id}); // only their own
        QVERIFY(!w.ws.checkout(theirs.id));
        QCOMPARE(idsOf(w.ws.myLiveCheckouts()), QStringList{mine.id});
        QVERIFY(w.ws.people().isEmpty());
        QVERIFY(w.ws.policies().isEmpty());
        QCOMPARE(w.cloud.requestCount("GET", QStringLiteral("/v1/people")), 0);
        QCOMPARE(w.ws.lastSeq(), w.cloud.head());
        QVERIFY(!w.ws.showingCachedState());
        QCOMPARE(w.ws.lastSyncedAt(), w.clock.now());
        QCOMPARE(w.ws.personName(w.tech.id), QStringLiteral("Tom Tech"));
        QCOMPARE(w.ws.personName(w.other.id), w.other.id); // technicians do not see the people list
    }

    void firstSyncOfAnAdmin()
    {
        World w;
        const models::Checkout theirsLive = w.checkout(w.tech, CheckoutState::Ready);
        const models::Checkout theirsOver = w.checkout(w.other, CheckoutState::Ended);
        const models::Checkout mineOver = w.checkout(w.admin, CheckoutState::Cancelled, &w.fabrikam);
        w.cloud.addGroup(QStringLiteral("Night"), {w.tech.id});
        w.cloud.addInvite(QStringLiteral("new@msp.example"), QStringLiteral("technician"));
        w.cloud.addWebhook(QStringLiteral("https://hooks.example/x"));
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.admin);
        QVERIFY(w.synced(synced));
        QVERIFY(w.ws.isAdmin());
        QCOMPARE(w.ws.tenants().size(), 2);
        QCOMPARE(w.ws.tenants().first().name, QStringLiteral("Contoso")); // by name
        QCOMPARE(w.ws.people().size(), 4);
        QCOMPARE(w.ws.groups().size(), 1);
        QCOMPARE(w.ws.policies().size(), 1);
        QCOMPARE(w.ws.invites().size(), 1);
        QCOMPARE(w.ws.webhooks().size(), 1);
        // Every open checkout of the organization, and the admin's own history; not others' history.
        QCOMPARE(idsOf(w.ws.checkouts()), sorted({theirsLive.id, mineOver.id}));
        QVERIFY(!w.ws.checkout(theirsOver.id));
        QCOMPARE(idsOf(w.ws.liveCheckouts()), QStringList{theirsLive.id});
        QCOMPARE(w.ws.personName(w.tech.id), QStringLiteral("Tom Tech"));
    }

    void liveEventsAreAppliedInOrder()
    {
        World w;
        const models::Checkout c = w.checkout(w.tech, CheckoutState::Provisioning);
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.tech);
        QVERIFY(w.synced(synced));
        QSignalSpy changed(&w.ws, &Workspace::checkoutChanged);
        w.cloud.advance(c.id, CheckoutState::Ready);
        w.cloud.advance(c.id, CheckoutState::Revoking, QStringLiteral("expired"));
        w.cloud.advance(c.id, CheckoutState::Ended);
        QTRY_COMPARE(changed.size(), 3);
        QStringList seen;
        for (const auto& args : changed)
            seen << args.at(1).toString() + QStringLiteral("→")
                    + models::toString(args.at(0).value<models::Checkout>().state);
        QCOMPARE(seen, (QStringList{QStringLiteral("provisioning→ready"), QStringLiteral("ready→revoking"),
                                    QStringLiteral("revoking→ended")}));
        QCOMPARE_STATE(w.ws.checkout(c.id)->state, CheckoutState::Ended);
        QCOMPARE(w.ws.checkout(c.id)->version, w.cloud.checkout(c.id).version);
        QCOMPARE(w.ws.lastSeq(), w.cloud.head());
        QVERIFY(w.ws.myLiveCheckouts().isEmpty());
    }

    void eventsDuringAFullFetchWaitForIt()
    {
        World w;
        const models::Checkout c = w.checkout(w.tech, CheckoutState::Provisioning);
        w.cloud.setDelayMs(300);
        QSignalSpy synced(&w.ws, &Workspace::synced);
        QSignalSpy changed(&w.ws, &Workspace::checkoutChanged);
        w.startAs(w.tech);
        // The checkouts were read (as provisioning); the change comes while their answer is on its way.
        QTRY_COMPARE(w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts")), 1);
        QVERIFY(synced.isEmpty());
        w.cloud.advance(c.id, CheckoutState::Ready);
        QTRY_VERIFY(w.cloud.channel().isReady());
        QVERIFY(!w.ws.checkout(c.id)); // not applied ahead of the fetch it belongs after
        QVERIFY(w.synced(synced));
        QCOMPARE_STATE(w.ws.checkout(c.id)->state, CheckoutState::Ready);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.at(0).at(1).toString(), QString()); // new from the fetch…
        QCOMPARE(changed.at(1).at(1).toString(), QStringLiteral("provisioning")); // …then the buffered event
        QCOMPARE(w.ws.lastSeq(), w.cloud.head());
    }

    void olderSnapshotsAreIgnored()
    {
        World w;
        const models::Checkout c = w.checkout(w.tech, CheckoutState::Provisioning);
        w.cloud.advance(c.id, CheckoutState::Ready); // version 2
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.tech);
        QVERIFY(w.synced(synced));
        QSignalSpy changed(&w.ws, &Workspace::checkoutChanged);
        // A late copy of the first version, as a slow path might deliver it.
        w.cloud.publish(QStringLiteral("checkout.updated"), c.toJson(), QStringLiteral("person:") + w.tech.id);
        QTRY_COMPARE(w.ws.lastSeq(), w.cloud.head());
        QCOMPARE_STATE(w.ws.checkout(c.id)->state, CheckoutState::Ready);
        QCOMPARE(w.ws.checkout(c.id)->version, qint64(2));
        QVERIFY(changed.isEmpty());
        // The same version again changes nothing either; a newer one does.
        w.cloud.publish(QStringLiteral("checkout.updated"), w.cloud.checkout(c.id).toJson(),
                        QStringLiteral("person:") + w.tech.id);
        w.cloud.advance(c.id, CheckoutState::Revoking);
        QTRY_COMPARE(changed.size(), 1);
        QCOMPARE_STATE(w.ws.checkout(c.id)->state, CheckoutState::Revoking);
    }

    void trackedAnswersArriveBeforeTheirEvents()
    {
        World w;
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.tech);
        QVERIFY(w.synced(synced));
        models::CheckoutRequest r;
        r.tenantId = w.contoso.id;
        r.roleDefinitionIds = {kHelpdesk};
        r.durationMinutes = 30;
        auto call = w.ws.track(w.api.requestCheckout(r, CloudApi::newIdempotencyKey()));
        auto made = waitFor(call);
        QVERIFY(made.ok());
        QTRY_VERIFY(w.ws.checkout(made->id));
        QTRY_COMPARE_STATE(w.ws.checkout(made->id)->state, CheckoutState::Provisioning); // the engine's next step
    }

    void grantsChangedRefetchesTenants()
    {
        World w;
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.tech);
        QVERIFY(w.synced(synced));
        QCOMPARE(w.ws.tenants().size(), 1);
        const int before = w.cloud.requestCount("GET", QStringLiteral("/v1/tenants"));
        w.cloud.addPolicy(QStringLiteral("User admins"), {w.fabrikam.id}, {w.tech.id}, {kUserAdmin}, 60);
        QTRY_COMPARE(w.ws.tenants().size(), 2);
        QCOMPARE(w.cloud.requestCount("GET", QStringLiteral("/v1/tenants")), before + 1);
        const models::Tenant* fabrikam = w.ws.tenant(w.fabrikam.id);
        QVERIFY(fabrikam);
        QCOMPARE(fabrikam->myGrants.size(), 1);
        QCOMPARE(fabrikam->myGrants.first().roleDefinitionIds, QStringList{kUserAdmin});
    }

    void groupChangesRefetchTechniciansTenants()
    {
        // The cloud announces membership changes as group.updated to everyone (not grants.changed): a technician
        // added to a group that a policy names may now ask for its tenants.
        World w;
        const models::Group night = w.cloud.addGroup(QStringLiteral("Night"), {});
        w.cloud.addPolicy(QStringLiteral("Night shift"), {w.fabrikam.id}, {night.id}, {kUserAdmin}, 60);
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.tech);
        QVERIFY(w.synced(synced));
        QCOMPARE(w.ws.tenants().size(), 1);
        w.cloud.setGroupMembers(night.id, {w.tech.id});
        QTRY_COMPARE(w.ws.tenants().size(), 2);
        QVERIFY(w.ws.groups().isEmpty()); // technicians do not keep the groups themselves
        w.cloud.setGroupMembers(night.id, {});
        QTRY_COMPARE(w.ws.tenants().size(), 1);
    }

    void resetRefetchesEverythingOnce()
    {
        World w;
        const models::Checkout c = w.checkout(w.tech, CheckoutState::Provisioning);
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.tech);
        QVERIFY(w.synced(synced));
        const qint64 seen = w.ws.lastSeq();
        // The live channel drops; meanwhile the backlog is lost and things change.
        w.cloud.channel().drop();
        QTRY_COMPARE(w.ws.link(), Workspace::Link::Offline);
        w.cloud.channel().resetOnNextOpen();
        w.cloud.advance(c.id, CheckoutState::Ready);
        const int mes = w.cloud.requestCount("GET", QStringLiteral("/v1/me"));
        const int checkoutReads = w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts"));
        w.ws.refresh(); // "Retry": reconnects now
        QTRY_COMPARE(w.ws.link(), Workspace::Link::Live);
        QCOMPARE(w.cloud.channel().lastSince(), seen);
        QCOMPARE_STATE(w.ws.checkout(c.id)->state, CheckoutState::Ready);
        QCOMPARE(w.cloud.requestCount("GET", QStringLiteral("/v1/me")), mes + 1);
        QCOMPARE(w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts")), checkoutReads + 1);
        QCOMPARE(w.ws.lastSeq(), w.cloud.head());
    }

    void reconnectCatchesUpFromTheBacklog()
    {
        World w;
        const models::Checkout c = w.checkout(w.tech, CheckoutState::Provisioning);
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.tech);
        QVERIFY(w.synced(synced));
        const qint64 seen = w.ws.lastSeq();
        w.cloud.channel().drop();
        QTRY_COMPARE(w.ws.link(), Workspace::Link::Offline);
        w.cloud.advance(c.id, CheckoutState::Ready);
        const int checkoutReads = w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts"));
        w.ws.refresh();
        QTRY_COMPARE(w.ws.link(), Workspace::Link::Live);
        QCOMPARE(w.cloud.channel().lastSince(), seen);
        QCOMPARE_STATE(w.ws.checkout(c.id)->state, CheckoutState::Ready); // from the backlog
        QCOMPARE(w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts")), checkoutReads); // no full refetch
        QCOMPARE(w.ws.lastSeq(), w.cloud.head());
    }

    void offlineKeepsStateAndRetriesWithBackoff()
    {
        World w;
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.tech);
        QVERIFY(w.synced(synced));
        w.cloud.setUnreachable(true); // drops the channel
        QTRY_COMPARE(w.ws.link(), Workspace::Link::Offline);
        QVERIFY(!w.ws.linkDetail().isEmpty());
        QCOMPARE(w.ws.tenants().size(), 1); // kept
        QVERIFY(w.ws.me());
        const qint64 first = w.ws.nextRetryAt() - w.clock.now();
        QVERIFY2(first >= 500 && first <= 1000, qPrintable(QString::number(first)));
        const int opens = w.cloud.channel().openCount();
        // The retry timer fires by itself; the service is still down, so the next wait is longer.
        QTRY_COMPARE_WITH_TIMEOUT(w.cloud.channel().openCount(), opens + 1, 3000);
        QTRY_COMPARE(w.ws.link(), Workspace::Link::Offline);
        const qint64 second = w.ws.nextRetryAt() - w.clock.now();
        QVERIFY2(second >= 1000 && second <= 2000, qPrintable(QString::number(second)));
        w.cloud.setUnreachable(false);
        QTRY_COMPARE_WITH_TIMEOUT(w.ws.link(), Workspace::Link::Live, 5000);
        QCOMPARE(w.ws.nextRetryAt(), TimeMs(0));
        QCOMPARE(synced.size(), 1); // synced() is said once per start
        // Back online, the backoff starts again from its first step.
        w.cloud.setUnreachable(true);
        QTRY_COMPARE(w.ws.link(), Workspace::Link::Offline);
        const qint64 again = w.ws.nextRetryAt() - w.clock.now();
        QVERIFY2(again >= 500 && again <= 1000, qPrintable(QString::number(again)));
    }

    void fetchFailuresGoOfflineToo()
    {
        World w;
        w.cloud.failNext("GET", QStringLiteral("/v1/me"), 503, QStringLiteral("unavailable"));
        w.startAs(w.tech);
        QTRY_COMPARE(w.ws.link(), Workspace::Link::Offline);
        QVERIFY(w.ws.nextRetryAt() > w.clock.now());
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.ws.refresh();
        QVERIFY(w.synced(synced));
        QCOMPARE(w.ws.link(), Workspace::Link::Live);
    }

    void sessionEndedIsSaidOnce_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("the channel says so") << QStringLiteral("channel");
        QTest::newRow("an API call is refused") << QStringLiteral("api");
        QTest::newRow("both at once") << QStringLiteral("both");
    }

    void sessionEndedIsSaidOnce()
    {
        QFETCH(QString, how);
        World w;
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.tech);
        QVERIFY(w.synced(synced));
        QSignalSpy ended(&w.ws, &Workspace::sessionEnded);
        if (how == QLatin1String("channel")) {
            w.cloud.endSession();
        } else if (how == QLatin1String("api")) {
            // The session ended where the channel has not noticed yet (the cloud re-checks it every 15 s).
            w.cloud.failNext("GET", QStringLiteral("/v1/tenants"), 401, QStringLiteral("unauthenticated"));
            w.cloud.failNext("GET", QStringLiteral("/v1/me"), 401, QStringLiteral("unauthenticated"));
            w.cloud.publish(QStringLiteral("grants.changed"), {}); // makes the workspace read its tenants
        } else {
            w.cloud.endSession();
            w.cloud.publish(QStringLiteral("grants.changed"), {});
            w.ws.api().tenants(); // another caller's request, refused as well
        }
        QVERIFY(ended.wait());
        // A later call is refused too; once its answer is in, anything queued before it has been seen.
        QVERIFY(!waitFor(w.api.me()).ok());
        QCOMPARE(ended.size(), 1);
        QCOMPARE(w.ws.link(), Workspace::Link::Offline);
        QVERIFY(w.ws.me()); // the screen stays
        QCOMPARE(w.ws.tenants().size(), 1);
        QVERIFY(!w.cloud.channel().isOpen());
        const Error reason = ended.first().at(0).value<Error>();
        QVERIFY(reason.code == QLatin1String(client::kSessionEnded) || client::errors::isUnauthorized(reason));
    }

    void approvalsArriveForOtherAdminsOnly_data()
    {
        QTest::addColumn<QString>("viewer");
        QTest::addColumn<QString>("requester");
        QTest::addColumn<int>("announced");
        QTest::newRow("admin, a technician asks") << QStringLiteral("admin") << QStringLiteral("tech") << 1;
        QTest::newRow("admin, another admin asks") << QStringLiteral("admin") << QStringLiteral("admin2") << 1;
        QTest::newRow("admin, their own request") << QStringLiteral("admin") << QStringLiteral("admin") << 0;
        QTest::newRow("technician, their own request") << QStringLiteral("tech") << QStringLiteral("tech") << 0;
    }

    void approvalsArriveForOtherAdminsOnly()
    {
        QFETCH(QString, viewer);
        QFETCH(QString, requester);
        QFETCH(int, announced);
        World w;
        auto who = [&](const QString& name) {
            return name == QLatin1String("tech") ? w.tech : name == QLatin1String("admin2") ? w.admin2 : w.admin;
        };
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(who(viewer));
        QVERIFY(w.synced(synced));
        QSignalSpy approvals(&w.ws, &Workspace::approvalArrived);
        QSignalSpy changed(&w.ws, &Workspace::checkoutChanged);
        const models::Checkout c = w.checkout(who(requester), CheckoutState::Requested);
        w.cloud.advance(c.id, CheckoutState::AwaitingApproval);
        QTRY_COMPARE(changed.size(), 2);
        QCOMPARE(approvals.size(), announced);
        if (announced) {
            QCOMPARE(approvals.first().at(0).value<models::Checkout>().id, c.id);
            QCOMPARE(idsOf(w.ws.approvalsWaiting()), QStringList{c.id});
        }
        // The same state again (a repeated event) is not a new approval.
        w.cloud.publish(QStringLiteral("checkout.updated"), w.cloud.checkout(c.id).toJson(),
                        QStringLiteral("admins|person:") + c.technicianId);
        QTRY_COMPARE(w.ws.lastSeq(), w.cloud.head());
        QCOMPARE(approvals.size(), announced);
    }

    void alertsAreDerivedAndRaised()
    {
        World w;
        const models::Checkout stuck = w.checkout(w.tech, CheckoutState::RevokeFailed);
        models::ConnectionState unhealthy;
        unhealthy.tenantId = w.fabrikam.id;
        unhealthy.status = QStringLiteral("unhealthy");
        unhealthy.entraTenantId = w.cloud.tenant(w.fabrikam.id).connection.entraTenantId;
        w.cloud.setConnectionState(unhealthy);
        QSignalSpy raised(&w.ws, &Workspace::alertRaised);
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.admin);
        QVERIFY(w.synced(synced));
        // What the state shows is listed, not announced: it was announced when it happened.
        QCOMPARE(w.ws.alerts().size(), 2);
        QCOMPARE(w.ws.unacknowledgedAlerts(), 2);
        QVERIFY(raised.isEmpty());
        QStringList kinds;
        for (const auto& a : w.ws.alerts())
            kinds << a.kind;
        kinds.sort();
        QCOMPARE(kinds, (QStringList{QStringLiteral("connection"), QStringLiteral("revoke_failed")}));

        // Live: a revocation that cannot be confirmed, and drift found by reconciliation.
        const models::Checkout c = w.checkout(w.other, CheckoutState::Revoking);
        w.cloud.advance(c.id, CheckoutState::RevokeFailed, QStringLiteral("Graph answered 503"));
        QTRY_COMPARE(raised.size(), 1);
        const auto alert = raised.first().at(0).value<Workspace::Alert>();
        QCOMPARE(alert.kind, QStringLiteral("revoke_failed"));
        QCOMPARE(alert.checkoutId, c.id);
        QCOMPARE(alert.message, QStringLiteral("Graph answered 503"));
        w.cloud.publish(QStringLiteral("alert.raised"),
                        {{QStringLiteral("code"), QStringLiteral("reconcile.drift")},
                         {QStringLiteral("severity"), QStringLiteral("error")},
                         {QStringLiteral("tenantId"), w.contoso.id},
                         {QStringLiteral("message"), QStringLiteral("An account without a checkout is enabled.")},
                         {QStringLiteral("raisedAt"), toRfc3339(w.clock.now())}},
                        QStringLiteral("admins"));
        QTRY_COMPARE(raised.size(), 2);
        QCOMPARE(raised.at(1).at(0).value<Workspace::Alert>().kind, QStringLiteral("drift"));
        QCOMPARE(w.ws.alerts().size(), 4);
        QCOMPARE(w.ws.unacknowledgedAlerts(), 4);
        w.ws.acknowledgeAlert(alert.id);
        QCOMPARE(w.ws.unacknowledgedAlerts(), 3);
        QVERIFY(w.ws.alerts().size() == 4);
        Q_UNUSED(stuck);
    }

    void techniciansGetNoAlerts()
    {
        World w;
        w.checkout(w.tech, CheckoutState::RevokeFailed);
        QSignalSpy synced(&w.ws, &Workspace::synced);
        w.startAs(w.tech);
        QVERIFY(w.synced(synced));
        QVERIFY(w.ws.alerts().isEmpty());
    }

    void serverNowFollowsTheDateHeader()
    {
        ManualClock local(1'800'000'000'250);
        ManualClock server(local.now() + 90'500); // the service's clock is 90.5 s ahead
        FakeCloud cloud(server);
        CloudApi api(cloud);
        Workspace ws(api, cloud.channel(), local);
        const models::Person p = cloud.addPerson(QStringLiteral("a@b.example"), {}, QStringLiteral("technician"));
        QCOMPARE(ws.serverNow(), local.now()); // nothing heard yet
        const QByteArray token = cloud.sessionFor(p.id);
        cloud.setSessionToken(crypto::SecretBytes(token));
        QSignalSpy synced(&ws, &Workspace::synced);
        ws.start(crypto::SecretBytes(token));
        QVERIFY(synced.wait());
        // The Date header has whole seconds: 90 s ahead of where this clock's second began, i.e. 89.75 s from now.
        QCOMPARE(ws.serverNow() - local.now(), qint64(89'750));
        local.advance(60'000);
        QCOMPARE(ws.serverNow() - local.now(), qint64(89'750));
    }

    void retryDelayBounds_data()
    {
        QTest::addColumn<int>("attempt");
        QTest::addColumn<double>("jitter");
        QTest::addColumn<qint64>("delay");
        QTest::newRow("first, no jitter") << 0 << 0.0 << qint64(500);
        QTest::newRow("first, full jitter") << 0 << 1.0 << qint64(1000);
        QTest::newRow("second, half") << 1 << 0.5 << qint64(1500);
        QTest::newRow("sixth") << 5 << 0.0 << qint64(16'000);
        QTest::newRow("seventh is capped") << 6 << 1.0 << qint64(60'000);
        QTest::newRow("far on, capped") << 1000 << 0.0 << qint64(30'000);
        QTest::newRow("jitter above 1") << 0 << 7.0 << qint64(1000);
        QTest::newRow("jitter below 0") << 0 << -1.0 << qint64(500);
        QTest::newRow("negative attempt") << -3 << 0.0 << qint64(500);
        QTest::newRow("most negative attempt") << std::numeric_limits<int>::min() << 1.0 << qint64(1000);
    }

    void retryDelayBounds()
    {
        QFETCH(int, attempt);
        QFETCH(double, jitter);
        QFETCH(qint64, delay);
        QCOMPARE(Workspace::retryDelayMs(attempt, jitter), delay);
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "TestWorkspace.moc"
