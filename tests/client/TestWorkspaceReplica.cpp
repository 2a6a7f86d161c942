// SPDX-License-Identifier: GPL-3.0-or-later
// Workspace with the real SqlCipherReplica, over several "runs" of the app against one fake cloud: a second start
// shows the cached state before any answer and then catches up from the stored sequence number (no full refetch);
// a reset refetches everything; offline, the cached state and its countdowns stay; a replica its key no longer opens
// means a full sync; quitting in the middle of a resync never leaves a sequence number newer than the objects stored
// with it; and no credential is ever written (the decrypted content and the raw files are searched for it).
#include "client/CredentialKeeper.h"
#include "client/SqlCipherReplica.h"
#include "store/SqlCipherDatabase.h"
#include "support/client/FakeCloud.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace stint;
using client::SqlCipherReplica;
using client::Workspace;
using models::CheckoutState;

namespace {

// One start of the app: its own API client, replica (opened from the file) and workspace; the cloud outlives it.
struct Run
{
    client::CloudApi api;
    std::unique_ptr<SqlCipherReplica> replica;
    Workspace workspace;

    Run(test::FakeCloud& cloud, const Clock& clock, const QString& dir, const QString& personId,
        const crypto::SecretBytes& key)
        : api(cloud)
        , workspace(api, cloud.channel(), clock)
    {
        auto opened = SqlCipherReplica::open(dir, cloud.origin(), personId, key);
        if (opened)
            replica = std::move(opened).value();
        workspace.setReplica(replica.get());
    }
    ~Run()
    {
        workspace.stop();
        workspace.setReplica(nullptr);
    }
};

struct World
{
    QTemporaryDir dir;
    ManualClock clock {QDateTime::currentMSecsSinceEpoch()}; // see TestCredentialKeeper: CloudApi's offset is real-time
    test::FakeCloud cloud {clock};
    crypto::SecretBytes key {crypto::randomBytes(32)};
    models::Person ada;
    models::Tenant tenant;
    QByteArray token;
    QString ready; // a ready checkout of Ada's
    QString requested; // and one waiting for provisioning

    World()
    {
        ada = cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada"), QStringLiteral("technician"));
        tenant = cloud.addTenant(QStringLiteral("Contoso"),
                                 {models::OfferedRole {QStringLiteral("role-helpdesk"), QStringLiteral("Helpdesk")}});
        cloud.addPolicy(QStringLiteral("Helpdesk"), {tenant.id}, {ada.id}, {QStringLiteral("role-helpdesk")}, 120);
        ready = addCheckout(CheckoutState::Ready);
        requested = addCheckout(CheckoutState::Requested);
        token = cloud.sessionFor(ada.id);
        cloud.setSessionToken(crypto::SecretBytes(QByteArray(token)));
    }

    QString addCheckout(CheckoutState state)
    {
        models::Checkout c;
        c.tenantId = tenant.id;
        c.technicianId = ada.id;
        c.roleDefinitionIds = {QStringLiteral("role-helpdesk")};
        c.durationMinutes = 60;
        c.state = state;
        return cloud.addCheckout(c).id;
    }

    std::unique_ptr<Run> run() { return std::make_unique<Run>(cloud, clock, dir.path(), ada.id, key); }

    static bool start(Run& r, const QByteArray& token)
    {
        QSignalSpy synced(&r.workspace, &Workspace::synced);
        r.workspace.start(crypto::SecretBytes(QByteArray(token)));
        return synced.wait(5000) || synced.size() > 0;
    }

    // A first run that syncs and quits; returns the sequence number it stored.
    qint64 firstRun()
    {
        auto r = run();
        if (!r->replica || !start(*r, token))
            return -1;
        return r->workspace.lastSeq();
    }

    // The replica's content as stored, decrypted (for what the file holds, whatever the app shows).
    QString storedContent() const
    {
        auto db = store::SqlCipherDatabase::open(
            QDir(dir.path()).filePath(SqlCipherReplica::fileName(cloud.origin(), ada.id)), key,
            store::SqlCipherDatabase::OpenMode::OpenExisting);
        if (!db)
            return QStringLiteral("<cannot open>");
        QString all;
        for (const QString& sql : {QStringLiteral("SELECT kind || ' ' || id || ' ' || json FROM replica_objects"),
                                   QStringLiteral("SELECT key || ' ' || value FROM replica_meta")}) {
            auto rows = (*db)->query(sql);
            if (!rows)
                return QStringLiteral("<cannot read>");
            for (const store::Row& row : *rows)
                all += row.text(0) + QLatin1Char('\n');
        }
        return all;
    }

    qint64 storedSeq() const
    {
        auto db = store::SqlCipherDatabase::open(
            QDir(dir.path()).filePath(SqlCipherReplica::fileName(cloud.origin(), ada.id)), key,
            store::SqlCipherDatabase::OpenMode::OpenExisting);
        if (!db)
            return -1;
        auto rows = (*db)->query(QStringLiteral("SELECT value FROM replica_meta WHERE key = 'last_seq'"));
        return rows && !rows->empty() ? rows->front().integer(0) : 0;
    }
};

} // namespace

class TestWorkspaceReplica : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void secondStartShowsTheCacheThenCatchesUp()
    {
        World w;
        const qint64 firstSeq = w.firstRun();
        QVERIFY(firstSeq > 0);
        QCOMPARE(w.storedSeq(), firstSeq);

        // While the app was closed: the ready checkout is revoked, the requested one provisioned.
        w.cloud.advance(w.ready, CheckoutState::Revoking);
        w.cloud.advance(w.requested, CheckoutState::Provisioning);
        QVERIFY(w.cloud.head() > firstSeq);
        const int checkoutListsBefore = w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts"));
        const int requestsBefore = int(w.cloud.requests().size());

        w.cloud.setDelayMs(200);
        auto r = w.run();
        QSignalSpy synced(&r->workspace, &Workspace::synced);
        r->workspace.start(crypto::SecretBytes(QByteArray(w.token)));
        // At once, before anything can have been answered: the cached state.
        QVERIFY(r->workspace.showingCachedState());
        QVERIFY(r->workspace.me());
        QCOMPARE(r->workspace.me()->person.id, w.ada.id);
        QCOMPARE(r->workspace.tenants().size(), 1);
        QCOMPARE(r->workspace.checkouts().size(), 2);
        QCOMPARE(models::toString(r->workspace.checkout(w.ready)->state), models::toString(CheckoutState::Ready));
        QCOMPARE(models::toString(r->workspace.checkout(w.requested)->state),
                 models::toString(CheckoutState::Requested));
        QCOMPARE(r->workspace.lastSeq(), firstSeq);
        QCOMPARE(int(w.cloud.requests().size()), requestsBefore);

        // Then the catch-up: from the stored sequence number, through the backlog, without refetching checkouts.
        QVERIFY(synced.wait(5000));
        QCOMPARE(w.cloud.channel().lastSince(), firstSeq);
        QCOMPARE(models::toString(r->workspace.checkout(w.ready)->state), models::toString(CheckoutState::Revoking));
        QCOMPARE(models::toString(r->workspace.checkout(w.requested)->state),
                 models::toString(CheckoutState::Provisioning));
        QVERIFY(!r->workspace.showingCachedState());
        QCOMPARE(r->workspace.link(), Workspace::Link::Live);
        QCOMPARE(w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts")), checkoutListsBefore);
        QCOMPARE(r->workspace.lastSeq(), w.cloud.head());
        r.reset(); // quit
        QCOMPARE(w.storedSeq(), w.cloud.head());
    }

    void resetRefetchesEverything()
    {
        World w;
        const qint64 firstSeq = w.firstRun();
        QVERIFY(firstSeq > 0);
        w.cloud.advance(w.ready, CheckoutState::Revoking);
        w.cloud.channel().resetOnNextOpen();
        const int checkoutListsBefore = w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts"));

        auto r = w.run();
        QVERIFY(World::start(*r, w.token));
        QVERIFY(w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts")) > checkoutListsBefore);
        QCOMPARE(models::toString(r->workspace.checkout(w.ready)->state), models::toString(CheckoutState::Revoking));
        QCOMPARE(r->workspace.lastSeq(), w.cloud.head());
        r.reset();
        QCOMPARE(w.storedSeq(), w.cloud.head());
        QVERIFY(w.storedContent().contains(QStringLiteral("\"state\":\"revoking\"")));
    }

    void offlineStartKeepsTheCacheAndItsCountdowns()
    {
        World w;
        QVERIFY(w.firstRun() > 0);
        const std::optional<TimeMs> expiresAt = w.cloud.checkout(w.ready).expiresAt;
        QVERIFY(expiresAt);
        w.cloud.setUnreachable(true);

        auto r = w.run();
        r->workspace.start(crypto::SecretBytes(QByteArray(w.token)));
        QTRY_COMPARE(r->workspace.link(), Workspace::Link::Offline);
        QVERIFY(r->workspace.nextRetryAt() > w.clock.now());
        QVERIFY(!r->workspace.linkDetail().isEmpty());
        QVERIFY(r->workspace.showingCachedState());
        QCOMPARE(r->workspace.checkouts().size(), 2);
        QCOMPARE(r->workspace.checkout(w.ready)->expiresAt, expiresAt);
        QCOMPARE(r->workspace.myLiveCheckouts().size(), 2);

        // Back online: it syncs.
        QSignalSpy synced(&r->workspace, &Workspace::synced);
        w.cloud.setUnreachable(false);
        r->workspace.refresh();
        QVERIFY(synced.wait(5000));
        QCOMPARE(r->workspace.link(), Workspace::Link::Live);
    }

    void aReplicaItsKeyNoLongerOpensMeansAFullSync()
    {
        World w;
        QVERIFY(w.firstRun() > 0);
        w.key = crypto::SecretBytes(crypto::randomBytes(32)); // the keychain lost the old key
        const int checkoutListsBefore = w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts"));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("replaced by an empty one")));
        auto r = w.run();
        QVERIFY(r->replica);
        QCOMPARE(r->replica->replacedBecause()->code, QStringLiteral("replica.wrong_key"));
        QSignalSpy synced(&r->workspace, &Workspace::synced);
        r->workspace.start(crypto::SecretBytes(QByteArray(w.token)));
        QVERIFY(!r->workspace.showingCachedState());
        QVERIFY(r->workspace.checkouts().isEmpty());
        QVERIFY(synced.wait(5000));
        QCOMPARE(w.cloud.channel().lastSince(), 0);
        QVERIFY(w.cloud.requestCount("GET", QStringLiteral("/v1/checkouts")) > checkoutListsBefore);
        QCOMPARE(r->workspace.checkouts().size(), 2);
    }

    // Found writing this test: on a reset the workspace noted the new head in the replica before the refetch had
    // answered, so quitting in between stored "up to date to head" next to the old objects, and the next start
    // caught up from head and never saw what had changed.
    void quittingDuringAResyncNeverStoresANewerSequenceThanItsObjects()
    {
        World w;
        const qint64 firstSeq = w.firstRun();
        QVERIFY(firstSeq > 0);
        w.cloud.advance(w.ready, CheckoutState::Revoking);
        w.cloud.channel().resetOnNextOpen();

        {
            w.cloud.setDelayMs(60'000); // the refetch does not answer before the person quits
            auto r = w.run();
            QSignalSpy reset(&w.cloud.channel(), &client::EventChannel::reset);
            r->workspace.start(crypto::SecretBytes(QByteArray(w.token)));
            QVERIFY(reset.wait(5000));
            QTRY_VERIFY(w.cloud.channel().isReady());
        } // quit
        QCOMPARE(w.storedSeq(), firstSeq);

        w.cloud.setDelayMs(0);
        auto r = w.run();
        QVERIFY(World::start(*r, w.token));
        QCOMPARE(models::toString(r->workspace.checkout(w.ready)->state), models::toString(CheckoutState::Revoking));
    }

    void credentialsAreNeverWritten()
    {
        World w;
        const QString password = QStringLiteral("pw-") + QString::fromLatin1(crypto::randomBytes(12).toHex());
        const QString tap = QStringLiteral("tap-") + QString::fromLatin1(crypto::randomBytes(12).toHex());
        w.cloud.setCredential(w.ready, QStringLiteral("ada.jit@contoso.example"), password, tap);
        {
            auto r = w.run();
            QVERIFY(World::start(*r, w.token));
            client::CredentialKeeper keeper(r->workspace);
            QVERIFY(test::waitFor(keeper.fetch(w.ready)).ok());
            QVERIFY(keeper.withSecret(w.ready, client::CredentialKeeper::Part::Password,
                                      [&](QByteArrayView b) { QCOMPARE(QString::fromUtf8(b), password); }));
            // More traffic after the fetch, so that the replica is written while the credential is held.
            w.cloud.advance(w.requested, CheckoutState::Provisioning);
            QTRY_COMPARE(models::toString(r->workspace.checkout(w.requested)->state),
                         models::toString(CheckoutState::Provisioning));
            QVERIFY(r->replica->flush().ok());
            for (const QFileInfo& f : QDir(w.dir.path()).entryInfoList(QDir::Files)) {
                QFile file(f.filePath());
                QVERIFY(file.open(QIODevice::ReadOnly));
                const QByteArray bytes = file.readAll();
                QVERIFY(!bytes.contains(password.toUtf8()));
                QVERIFY(!bytes.contains(tap.toUtf8()));
            }
        }
        const QString content = w.storedContent();
        QVERIFY(content.contains(w.ready)); // the checkout is there …
        QVERIFY(content.contains(QStringLiteral("\"state\":\"provisioning\"")));
        QVERIFY(!content.contains(password)); // … its credential is not
        QVERIFY(!content.contains(tap));
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceReplica)
#include "TestWorkspaceReplica.moc"
