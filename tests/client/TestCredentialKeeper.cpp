// SPDX-License-Identifier: GPL-3.0-or-later
// CredentialKeeper over a Workspace fed by the fake cloud: a ready checkout's credential is fetched once (concurrent
// fetches share the request), held in memory the kernel reports locked and out of dumps, lent to a caller and
// forgotten — every way a checkout can stop being ready: a live event, the technician ending it, the checkout
// vanishing, the session ending, its expiry passing while offline, sign-out; an answer that arrives after that is
// dropped. What is not ready or not mine is refused without asking the service; service errors are passed on typed;
// the secrets never reach the log.
#include "client/CredentialKeeper.h"
#include "support/client/FakeCloud.h"
#include "support/client/ProcessMemory.h"

#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTest>

using namespace stint;
using client::CredentialKeeper;
using client::Workspace;
using models::CheckoutState;
using Part = CredentialKeeper::Part;

namespace {

const QString kPassword = QStringLiteral("Pw-7!correct-horse");
const QString kTap = QStringLiteral("TAP-93xkq2");
const QString kUpn = QStringLiteral("ada.jit@contoso.example");

// One technician, signed in, with a synced workspace and a keeper over it.
struct World
{
    // Starts at the real time: CloudApi measures the service's clock offset against the real clock, Workspace adds it
    // to this one (serverNow()), so the two must agree for expiries to mean anything.
    ManualClock clock {QDateTime::currentMSecsSinceEpoch()};
    test::FakeCloud cloud {clock};
    client::CloudApi api {cloud};
    Workspace workspace {api, cloud.channel(), clock};
    CredentialKeeper keeper {workspace};
    models::Person ada;
    models::Tenant tenant;

    World()
    {
        ada = cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada"), QStringLiteral("technician"));
        tenant = cloud.addTenant(QStringLiteral("Contoso"),
                                 {models::OfferedRole {QStringLiteral("role-helpdesk"), QStringLiteral("Helpdesk")}});
        cloud.addPolicy(QStringLiteral("Helpdesk"), {tenant.id}, {ada.id}, {QStringLiteral("role-helpdesk")}, 120);
    }

    bool start(const QString& personId)
    {
        const QByteArray token = cloud.sessionFor(personId);
        cloud.setSessionToken(crypto::SecretBytes(QByteArray(token)));
        QSignalSpy synced(&workspace, &Workspace::synced);
        workspace.start(crypto::SecretBytes(QByteArray(token)));
        return synced.wait(5000) || synced.size() > 0;
    }

    QString addCheckout(const QString& technicianId, CheckoutState state)
    {
        models::Checkout c;
        c.tenantId = tenant.id;
        c.technicianId = technicianId;
        c.roleDefinitionIds = {QStringLiteral("role-helpdesk")};
        c.durationMinutes = 60;
        c.state = state;
        const models::Checkout added = cloud.addCheckout(c);
        if (state == CheckoutState::Ready)
            cloud.setCredential(added.id, kUpn, kPassword, kTap);
        return added.id;
    }

    // A ready checkout of Ada's that the workspace knows.
    QString readyCheckout()
    {
        const QString id = addCheckout(ada.id, CheckoutState::Ready);
        if (!QTest::qWaitFor([&] {
                const models::Checkout* c = workspace.checkout(id);
                return c && c->state == CheckoutState::Ready;
            }))
            return {};
        return id;
    }

    QString secretOf(const QString& id, Part part) const
    {
        QString seen;
        keeper.withSecret(id, part, [&](QByteArrayView bytes) { seen = QString::fromUtf8(bytes); });
        return seen;
    }

    int credentialRequests(const QString& id) const
    {
        return cloud.requestCount("GET", QStringLiteral("/v1/checkouts/%1/credential").arg(id));
    }
};

// Everything logged while it lives.
class LogCapture
{
public:
    LogCapture()
    {
        s_lines.clear();
        m_previous = qInstallMessageHandler(
            [](QtMsgType, const QMessageLogContext&, const QString& msg) { s_lines.append(msg); });
    }
    ~LogCapture() { qInstallMessageHandler(m_previous); }
    QString all() const { return s_lines.join(QLatin1Char('\n')); }

private:
    static inline QStringList s_lines;
    QtMessageHandler m_previous = nullptr;
};

} // namespace

class TestCredentialKeeper : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fetchedCredentialIsHeldInLockedMemory()
    {
        World w;
        QVERIFY(w.start(w.ada.id));
        const QString id = w.readyCheckout();
        QVERIFY(!id.isEmpty());
        QSignalSpy held(&w.keeper, &CredentialKeeper::held);
        QVERIFY(!w.keeper.holds(id));

        auto fetched = test::waitFor(w.keeper.fetch(id));
        QVERIFY2(fetched.ok(), qPrintable(fetched.ok() ? QString() : fetched.error().code));
        QVERIFY(w.keeper.holds(id));
        QCOMPARE(held.size(), 1);
        QCOMPARE(held.at(0).at(0).toString(), id);
        QVERIFY(w.keeper.has(id, Part::Password));
        QVERIFY(w.keeper.has(id, Part::TemporaryAccessPass));
        QCOMPARE(w.keeper.userPrincipalName(id), kUpn);
        QVERIFY(w.keeper.temporaryAccessPassExpiresAt(id).has_value());
        QCOMPARE(w.secretOf(id, Part::Password), kPassword);
        QCOMPARE(w.secretOf(id, Part::TemporaryAccessPass), kTap);

        // The bytes lent out live in pages the kernel has locked and keeps out of core dumps.
        const void* where = nullptr;
        QVERIFY(w.keeper.withSecret(id, Part::Password, [&](QByteArrayView bytes) { where = bytes.data(); }));
        const test::MemoryRegion region = test::memoryRegionOf(where);
        QVERIFY(region.found);
        QVERIFY2(region.locked(), qPrintable(region.flags.join(QLatin1Char(' '))));
        QVERIFY2(region.keptOutOfDumps(), qPrintable(region.flags.join(QLatin1Char(' '))));

        // Held: asking again does not ask the service again (each fetch is an audited view there).
        QVERIFY(test::waitFor(w.keeper.fetch(id)).ok());
        QCOMPARE(w.credentialRequests(id), 1);
    }

    void onlyTheHeldPartsAreLent()
    {
        World w;
        QVERIFY(w.start(w.ada.id));
        const QString id = w.readyCheckout();
        w.cloud.setCredential(id, kUpn, kPassword, QString()); // a tenant that issues passwords only
        QVERIFY(test::waitFor(w.keeper.fetch(id)).ok());
        QVERIFY(w.keeper.has(id, Part::Password));
        QVERIFY(!w.keeper.has(id, Part::TemporaryAccessPass));
        bool called = false;
        QVERIFY(!w.keeper.withSecret(id, Part::TemporaryAccessPass, [&](QByteArrayView) { called = true; }));
        QVERIFY(!called);
        QVERIFY(!w.keeper.temporaryAccessPassExpiresAt(id).has_value());
        QVERIFY(!w.keeper.withSecret(QStringLiteral("chk_unknown"), Part::Password,
                                     [&](QByteArrayView) { called = true; }));
        QVERIFY(!called);
    }

    void concurrentFetchesShareOneRequest()
    {
        World w;
        QVERIFY(w.start(w.ada.id));
        const QString id = w.readyCheckout();
        w.cloud.setDelayMs(50);
        QList<client::Done> fetches;
        for (int i = 0; i < 4; ++i)
            fetches.append(w.keeper.fetch(id));
        for (const client::Done& f : fetches)
            QVERIFY(test::waitFor(f).ok());
        QCOMPARE(w.credentialRequests(id), 1);
        QVERIFY(w.keeper.holds(id));
    }

    void forgottenWhenNoLongerReady_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("the service revokes it (live event)") << QStringLiteral("revoked");
        QTest::newRow("the technician ends it (tracked answer)") << QStringLiteral("ended");
        QTest::newRow("the checkout vanishes from the workspace") << QStringLiteral("vanished");
        QTest::newRow("the workspace is cleared") << QStringLiteral("cleared");
        QTest::newRow("the session ends") << QStringLiteral("session");
        QTest::newRow("its expiry passes while offline") << QStringLiteral("expiry");
        QTest::newRow("sign-out") << QStringLiteral("forgetAll");
    }
    void forgottenWhenNoLongerReady()
    {
        QFETCH(QString, how);
        World w;
        QVERIFY(w.start(w.ada.id));
        const QString id = w.readyCheckout();
        const QString other = w.readyCheckout(); // a second one, kept unless everything goes
        QVERIFY(test::waitFor(w.keeper.fetch(id)).ok());
        QVERIFY(test::waitFor(w.keeper.fetch(other)).ok());
        QSignalSpy forgotten(&w.keeper, &CredentialKeeper::forgotten);

        bool everything = false;
        if (how == QLatin1String("revoked")) {
            w.cloud.advance(id, CheckoutState::Revoking, QStringLiteral("revoked by an admin"));
        } else if (how == QLatin1String("ended")) {
            QVERIFY(test::waitFor(w.workspace.track(w.api.end(id))).ok());
        } else if (how == QLatin1String("vanished")) {
            w.workspace.forget(Workspace::Kind::Checkouts, id);
        } else if (how == QLatin1String("cleared")) {
            w.workspace.clear();
            everything = true;
        } else if (how == QLatin1String("session")) {
            w.cloud.endSession();
            everything = true;
        } else if (how == QLatin1String("expiry")) {
            w.cloud.setUnreachable(true);
            QTRY_COMPARE(w.workspace.link(), Workspace::Link::Offline);
            const models::Checkout* c = w.workspace.checkout(id);
            QVERIFY(c && c->expiresAt);
            w.clock.set(*c->expiresAt - w.api.serverClockOffsetMs() + 1000);
            everything = true; // both were made at the same time and expire together
        } else if (how == QLatin1String("forgetAll")) {
            w.keeper.forgetAll();
            everything = true;
        }
        QTRY_VERIFY(!w.keeper.holds(id));
        QVERIFY(!w.keeper.has(id, Part::Password));
        QVERIFY(w.secretOf(id, Part::Password).isEmpty());
        QVERIFY(w.keeper.userPrincipalName(id).isEmpty());
        QCOMPARE(w.keeper.holds(other), !everything);
        QCOMPARE(forgotten.size(), everything ? 2 : 1);
        QVERIFY(forgotten.at(0).at(0).toString() == id || forgotten.at(1).at(0).toString() == id);
    }

    void notReadyOrNotMineIsRefusedWithoutAsking_data()
    {
        QTest::addColumn<QString>("which");
        QTest::addColumn<QString>("code");
        QTest::newRow("requested") << QStringLiteral("requested") << QStringLiteral("credential.not_ready");
        QTest::newRow("provisioning") << QStringLiteral("provisioning") << QStringLiteral("credential.not_ready");
        QTest::newRow("ended") << QStringLiteral("ended") << QStringLiteral("credential.not_ready");
        QTest::newRow("unknown") << QStringLiteral("unknown") << QStringLiteral("credential.not_ready");
        QTest::newRow("ready, but past its expiry")
            << QStringLiteral("expired") << QStringLiteral("credential.not_ready");
        QTest::newRow("someone else's") << QStringLiteral("theirs") << QStringLiteral("credential.not_yours");
    }
    void notReadyOrNotMineIsRefusedWithoutAsking()
    {
        QFETCH(QString, which);
        QFETCH(QString, code);
        World w;
        // An admin sees everyone's open checkouts, so "someone else's" is in the workspace.
        const models::Person grace
            = w.cloud.addPerson(QStringLiteral("grace@msp.example"), QStringLiteral("Grace"), QStringLiteral("admin"));
        const QString me = which == QLatin1String("theirs") ? grace.id : w.ada.id;
        QVERIFY(w.start(me));
        QString id = QStringLiteral("chk_unknown");
        if (which == QLatin1String("requested"))
            id = w.addCheckout(me, CheckoutState::Requested);
        else if (which == QLatin1String("provisioning"))
            id = w.addCheckout(me, CheckoutState::Provisioning);
        else if (which == QLatin1String("ended"))
            id = w.addCheckout(me, CheckoutState::Ended);
        else if (which == QLatin1String("expired") || which == QLatin1String("theirs"))
            id = w.addCheckout(w.ada.id, CheckoutState::Ready);
        if (which != QLatin1String("unknown"))
            QTRY_VERIFY(w.workspace.checkout(id));
        if (which == QLatin1String("expired"))
            w.clock.set(*w.workspace.checkout(id)->expiresAt - w.api.serverClockOffsetMs() + 1000);
        const int before = w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts/"));
        auto fetched = test::waitFor(w.keeper.fetch(id));
        QVERIFY(!fetched.ok());
        QCOMPARE(fetched.error().code, code);
        QVERIFY(!w.keeper.holds(id));
        QCOMPARE(w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts/")), before);
    }

    void answerArrivingAfterTheCheckoutMovedOnIsDropped_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("revoked while the answer travels") << QStringLiteral("revoked");
        QTest::newRow("forgotten while the answer travels") << QStringLiteral("forget");
        QTest::newRow("signed out while the answer travels") << QStringLiteral("forgetAll");
    }
    void answerArrivingAfterTheCheckoutMovedOnIsDropped()
    {
        QFETCH(QString, how);
        World w;
        QVERIFY(w.start(w.ada.id));
        const QString id = w.readyCheckout();
        w.cloud.setDelayMs(300);
        QSignalSpy held(&w.keeper, &CredentialKeeper::held);
        const client::Done fetch = w.keeper.fetch(id);
        if (how == QLatin1String("revoked")) {
            // The live event travels with no delay of its own in the fake: it overtakes the answer.
            w.cloud.setDelayMs(0);
            w.cloud.advance(id, CheckoutState::Revoking);
            QTRY_COMPARE(models::toString(w.workspace.checkout(id)->state), models::toString(CheckoutState::Revoking));
        } else if (how == QLatin1String("forget")) {
            w.keeper.forget(id);
        } else {
            w.keeper.forgetAll();
        }
        auto result = test::waitFor(fetch);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QStringLiteral("credential.not_ready"));
        QVERIFY(!w.keeper.holds(id));
        QCOMPARE(held.size(), 0);
    }

    void serviceErrorsArePassedOnAndChangeNothing_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("slug");
        QTest::addColumn<QString>("code");
        QTest::newRow("not found") << 404 << QStringLiteral("not-found") << QStringLiteral("api.not-found");
        QTest::newRow("conflict (not ready at the service)")
            << 409 << QStringLiteral("invalid-state") << QStringLiteral("api.invalid-state");
        QTest::newRow("unreachable") << 0 << QString() << QStringLiteral("network.unreachable");
    }
    void serviceErrorsArePassedOnAndChangeNothing()
    {
        QFETCH(int, status);
        QFETCH(QString, slug);
        QFETCH(QString, code);
        World w;
        QVERIFY(w.start(w.ada.id));
        const QString id = w.readyCheckout();
        w.cloud.failNext("GET", QStringLiteral("/v1/checkouts/%1/credential").arg(id), status, slug);
        auto failed = test::waitFor(w.keeper.fetch(id));
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, code);
        QVERIFY(!w.keeper.holds(id));
        // The next try works: a failure leaves nothing pending.
        QVERIFY(test::waitFor(w.keeper.fetch(id)).ok());
        QVERIFY(w.keeper.holds(id));
    }

    void secretsNeverReachTheLog()
    {
        LogCapture log;
        QLoggingCategory::setFilterRules(QStringLiteral("stint.*=true"));
        {
            World w;
            QVERIFY(w.start(w.ada.id));
            const QString id = w.readyCheckout();
            QVERIFY(test::waitFor(w.keeper.fetch(id)).ok());
            w.cloud.advance(id, CheckoutState::Revoking);
            QTRY_VERIFY(!w.keeper.holds(id));
        }
        QLoggingCategory::setFilterRules(QString());
        QVERIFY(log.all().contains(QStringLiteral("forgot the credential")));
        QVERIFY(!log.all().contains(kPassword));
        QVERIFY(!log.all().contains(kTap));
    }
};

QTEST_GUILESS_MAIN(TestCredentialKeeper)
#include "TestCredentialKeeper.moc"
