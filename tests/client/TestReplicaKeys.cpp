// SPDX-License-Identifier: GPL-3.0-or-later
// ReplicaKeys: the first obtain() makes a random 32-byte key and stores it, later ones (and a later start) get the
// same; callers at the same time share one key; a stored key of the wrong size is replaced; a keychain that cannot be
// used is an error, not an unprotected replica; discard() forgets the key, and the replica then starts afresh.
#include "client/ReplicaKeys.h"
#include "client/SqlCipherReplica.h"

#include <QTemporaryDir>
#include <QTest>

using namespace stint;
using client::Call;
using client::MemorySecretStore;
using client::ReplicaKeys;
using client::SharedSecret;

namespace {
const QString kOrigin = QStringLiteral("https://stint.example");
const QString kPerson = QStringLiteral("prs_ada");

template <typename T> Result<T> waitFor(const Call<T>& call)
{
    QObject context;
    bool done = false;
    call.then(&context, [&](const Result<T>&) { done = true; });
    if (!QTest::qWaitFor([&]() { return done; }, 5000))
        return makeError(QStringLiteral("test.timeout"), QStringLiteral("no answer"));
    return *call.result();
}

QByteArray storedKey(MemorySecretStore& store)
{
    auto r = waitFor(store.read(client::secretKeys::replicaKey(kOrigin, kPerson)));
    return r.ok() ? r.value()->bytes() : QByteArray("<error>");
}
} // namespace

class TestReplicaKeys : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void createdOnceThenKept()
    {
        MemorySecretStore store;
        QByteArray first;
        {
            ReplicaKeys keys(store);
            auto key = waitFor(keys.obtain(kOrigin, kPerson));
            QVERIFY(key.ok());
            QCOMPARE(key.value()->size(), ReplicaKeys::kKeyBytes);
            first = key.value()->bytes();
            QCOMPARE(storedKey(store), first);
            QCOMPARE(waitFor(keys.obtain(kOrigin, kPerson)).value()->bytes(), first);
        }
        ReplicaKeys later(store); // the next start
        QCOMPARE(waitFor(later.obtain(kOrigin, kPerson)).value()->bytes(), first);
        // Another person (or cloud) has a key of their own.
        auto bob = waitFor(later.obtain(kOrigin, QStringLiteral("prs_bob")));
        auto elsewhere = waitFor(later.obtain(QStringLiteral("https://other.example"), kPerson));
        QVERIFY(bob.value()->bytes() != first);
        QVERIFY(elsewhere.value()->bytes() != first);
        QVERIFY(bob.value()->bytes() != elsewhere.value()->bytes());
    }

    void concurrentCallersShareOneKey()
    {
        MemorySecretStore store;
        ReplicaKeys keys(store);
        QList<Call<SharedSecret>> calls;
        for (int i = 0; i < 5; ++i)
            calls.append(keys.obtain(kOrigin, kPerson));
        QByteArray seen;
        for (const auto& call : calls) {
            auto key = waitFor(call);
            QVERIFY(key.ok());
            if (seen.isEmpty())
                seen = key.value()->bytes();
            QCOMPARE(key.value()->bytes(), seen);
        }
        QCOMPARE(storedKey(store), seen);
    }

    void unusableStoredKeyIsReplaced_data()
    {
        QTest::addColumn<QByteArray>("stored");
        QTest::newRow("too short") << QByteArray(16, 'k');
        QTest::newRow("too long") << QByteArray(33, 'k');
        QTest::newRow("hex text of a key") << crypto::randomBytes(32).toHex();
    }
    void unusableStoredKeyIsReplaced()
    {
        QFETCH(QByteArray, stored);
        MemorySecretStore store;
        QVERIFY(waitFor(store.write(client::secretKeys::replicaKey(kOrigin, kPerson),
                                    crypto::SecretBytes(QByteArray(stored))))
                    .ok());
        ReplicaKeys keys(store);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("stored replica key is unusable")));
        auto key = waitFor(keys.obtain(kOrigin, kPerson));
        QVERIFY(key.ok());
        QCOMPARE(key.value()->size(), 32);
        QVERIFY(key.value()->bytes() != stored);
        QCOMPARE(storedKey(store), key.value()->bytes());
    }

    void unavailableKeychainIsAnError()
    {
        MemorySecretStore store;
        store.setUnavailable(true);
        ReplicaKeys keys(store);
        auto key = waitFor(keys.obtain(kOrigin, kPerson));
        QVERIFY(!key.ok());
        QCOMPARE(key.error().code, QString::fromLatin1(client::kSecretsUnavailable));
        // Once it is back, a key is made.
        store.setUnavailable(false);
        QVERIFY(waitFor(keys.obtain(kOrigin, kPerson)).ok());
    }

    void aLostKeyMeansAFreshReplica()
    {
        QTemporaryDir dir;
        MemorySecretStore store;
        ReplicaKeys keys(store);
        {
            auto key = waitFor(keys.obtain(kOrigin, kPerson));
            auto replica = client::SqlCipherReplica::open(dir.path(), kOrigin, kPerson, *key.value());
            QVERIFY(replica.ok());
            (*replica)->setLastSeq(17, 1);
            QVERIFY((*replica)->flush().ok());
        }
        QVERIFY(waitFor(keys.discard(kOrigin, kPerson)).ok());
        QVERIFY(!store.contains(client::secretKeys::replicaKey(kOrigin, kPerson)));
        auto key = waitFor(keys.obtain(kOrigin, kPerson));
        QVERIFY(key.ok());
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("replaced by an empty one")));
        auto replica = client::SqlCipherReplica::open(dir.path(), kOrigin, kPerson, *key.value());
        QVERIFY(replica.ok());
        QCOMPARE((*replica)->replacedBecause()->code, QStringLiteral("replica.wrong_key"));
        QCOMPARE((*replica)->load()->lastSeq, 0);
    }
};

QTEST_GUILESS_MAIN(TestReplicaKeys)
#include "TestReplicaKeys.moc"
