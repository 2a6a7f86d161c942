// SPDX-License-Identifier: GPL-3.0-or-later
// KeychainSecretStore against the REAL keychain: QtKeychain over libsecret, talking to a gnome-keyring of this test's
// own (STINT_TEST_NEEDS_KEYCHAIN: CMake runs it under tests/support/with-keychain.sh, a private D-Bus session and an
// unlocked keyring). Write, read, overwrite, remove, missing, binary bytes, names with the characters our keys use,
// service names apart, many calls at once; and a process with no keychain gets "secrets.unavailable" at once instead
// of hanging. Then the two users of the keychain on the real thing: a session survives a restart and is gone after
// sign-out; the replica key is made once and kept.
#include "client/ReplicaKeys.h"
#include "client/SecretStore.h"
#include "client/SessionKeeper.h"
#include "support/client/ScriptedTransport.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTest>

using namespace stint;
using client::KeychainSecretStore;
using client::SharedSecret;

namespace {
constexpr int kTimeoutMs = 20'000;

template <typename T> std::optional<Result<T>> waitFor(const client::Call<T>& call)
{
    QObject context;
    bool done = false;
    call.then(&context, [&](const Result<T>&) { done = true; });
    if (!QTest::qWaitFor([&]() { return done; }, kTimeoutMs))
        return std::nullopt;
    return call.result();
}

crypto::SecretBytes secret(const QByteArray& bytes)
{
    return crypto::SecretBytes(QByteArray(bytes.constData(), bytes.size()));
}

// A service name of this run, so that entries of earlier runs or other tests never meet ours.
QString serviceName()
{
    return QStringLiteral("Stint-test-") + QString::fromLatin1(crypto::randomBytes(6).toHex());
}

const char* const kChildVariable = "STINT_KEYCHAIN_TEST_CHILD";
} // namespace

class TestKeychain : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void writeReadOverwriteRemove_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QByteArray>("first");
        QTest::addColumn<QByteArray>("second");
        QTest::newRow("session token") << client::secretKeys::session(QStringLiteral("https://stint.example:8443"))
                                       << QByteArray("tok_first-0123456789") << QByteArray("tok_second");
        QTest::newRow("replica key, 32 random bytes")
            << client::secretKeys::replicaKey(QStringLiteral("https://stint.example"), QStringLiteral("prs_1"))
            << crypto::randomBytes(32) << crypto::randomBytes(32);
        QTest::newRow("NULs and high bytes")
            << QStringLiteral("binary") << QByteArray("\0\xff\x80\0x", 5) << QByteArray(300, '\0');
        QTest::newRow("UTF-8 name and value")
            << QStringLiteral("schlüssel/€ü") << QStringLiteral("wört").toUtf8() << QByteArray("plain");
    }
    void writeReadOverwriteRemove()
    {
        QFETCH(QString, key);
        QFETCH(QByteArray, first);
        QFETCH(QByteArray, second);
        KeychainSecretStore store(serviceName());

        auto missing = waitFor(store.read(key));
        QVERIFY2(missing, "the keychain did not answer");
        QVERIFY2(missing->ok(), qPrintable(missing->ok() ? QString() : missing->error().message));
        QVERIFY(missing->value()->isEmpty());

        auto written = waitFor(store.write(key, secret(first)));
        QVERIFY(written && written->ok());
        auto read = waitFor(store.read(key));
        QVERIFY(read && read->ok());
        QCOMPARE(read->value()->bytes(), first);

        QVERIFY(waitFor(store.write(key, secret(second)))->ok());
        read = waitFor(store.read(key));
        QVERIFY(read && read->ok());
        QCOMPARE(read->value()->bytes(), second);

        auto removed = waitFor(store.remove(key));
        QVERIFY(removed && removed->ok());
        read = waitFor(store.read(key));
        QVERIFY(read && read->ok());
        QVERIFY(read->value()->isEmpty());

        // Removing what is not there succeeds.
        auto again = waitFor(store.remove(key));
        QVERIFY(again && again->ok());
    }

    void entriesOutliveTheStoreObject()
    {
        const QString service = serviceName();
        const QByteArray value = crypto::randomBytes(32);
        {
            KeychainSecretStore store(service);
            QVERIFY(waitFor(store.write(QStringLiteral("k"), secret(value)))->ok());
        }
        KeychainSecretStore store(service);
        auto read = waitFor(store.read(QStringLiteral("k")));
        QVERIFY(read && read->ok());
        QCOMPARE(read->value()->bytes(), value);
        QVERIFY(waitFor(store.remove(QStringLiteral("k")))->ok());
    }

    void serviceNamesAndKeysAreApart()
    {
        KeychainSecretStore a(serviceName());
        KeychainSecretStore b(serviceName());
        const QString key = client::secretKeys::session(QStringLiteral("https://stint.example"));
        QVERIFY(waitFor(a.write(key, secret("for-a")))->ok());
        auto inB = waitFor(b.read(key));
        QVERIFY(inB && inB->ok());
        QVERIFY(inB->value()->isEmpty());
        const QString other = client::secretKeys::session(QStringLiteral("https://stint.example:8443"));
        auto otherKey = waitFor(a.read(other));
        QVERIFY(otherKey && otherKey->ok());
        QVERIFY(otherKey->value()->isEmpty());
        QCOMPARE(waitFor(a.read(key))->value()->bytes(), QByteArray("for-a"));
        QVERIFY(waitFor(a.remove(key))->ok());
    }

    void manyCallsAtOnce()
    {
        KeychainSecretStore store(serviceName());
        const int n = 12;
        QList<client::Done> writes;
        for (int i = 0; i < n; ++i)
            writes.append(store.write(QStringLiteral("k%1").arg(i), secret(QByteArray::number(i * 7))));
        for (const auto& w : writes) {
            auto r = waitFor(w);
            QVERIFY(r && r->ok());
        }
        QList<client::Call<SharedSecret>> reads;
        for (int i = 0; i < n; ++i)
            reads.append(store.read(QStringLiteral("k%1").arg(i)));
        for (int i = 0; i < n; ++i) {
            auto r = waitFor(reads.at(i));
            QVERIFY(r && r->ok());
            QCOMPARE(r->value()->bytes(), QByteArray::number(i * 7));
        }
        for (int i = 0; i < n; ++i)
            QVERIFY(waitFor(store.remove(QStringLiteral("k%1").arg(i)))->ok());
    }

    void sessionLivesInTheKeychain()
    {
        const QString service = serviceName();
        const QByteArray token = "tok_" + crypto::randomBytes(24).toHex();
        {
            KeychainSecretStore store(service);
            test::ScriptedTransport transport;
            client::CloudApi api(transport);
            client::SessionKeeper keeper(api, store);
            models::SignedInSession session;
            session.token = secret(token);
            session.sessionId = QStringLiteral("ses_1");
            session.person.id = QStringLiteral("prs_ada");
            auto adopted = waitFor(keeper.adopt(session));
            QVERIFY(adopted && adopted->ok());
        }
        KeychainSecretStore store(service);
        test::ScriptedTransport transport;
        client::CloudApi api(transport);
        client::SessionKeeper keeper(api, store);
        auto restored = waitFor(keeper.restore());
        QVERIFY(restored && restored->ok());
        QCOMPARE(restored->value(), true);
        QCOMPARE(transport.currentToken(), token);
        QCOMPARE(keeper.personId(), QStringLiteral("prs_ada"));

        auto out = waitFor(keeper.signOut());
        QVERIFY(out && out->ok());
        auto left = waitFor(store.read(client::secretKeys::session(transport.origin())));
        QVERIFY(left && left->ok());
        QVERIFY(left->value()->isEmpty());
        client::SessionKeeper next(api, store);
        QCOMPARE(waitFor(next.restore())->value(), false);
    }

    void replicaKeyLivesInTheKeychain()
    {
        const QString service = serviceName();
        QByteArray first;
        {
            KeychainSecretStore store(service);
            client::ReplicaKeys keys(store);
            auto key = waitFor(keys.obtain(QStringLiteral("https://stint.example"), QStringLiteral("prs_ada")));
            QVERIFY(key && key->ok());
            QCOMPARE(key->value()->size(), 32);
            first = key->value()->bytes();
        }
        KeychainSecretStore store(service);
        client::ReplicaKeys keys(store);
        auto again = waitFor(keys.obtain(QStringLiteral("https://stint.example"), QStringLiteral("prs_ada")));
        QVERIFY(again && again->ok());
        QCOMPARE(again->value()->bytes(), first);
        QVERIFY(waitFor(keys.discard(QStringLiteral("https://stint.example"), QStringLiteral("prs_ada")))->ok());
    }

    // Runs the next function in a process of its own with no reachable session bus.
    void noKeychainIsTypedAndQuick()
    {
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kChildVariable), QStringLiteral("1"));
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent/stint-no-bus"));
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::MergedChannels);
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("withoutKeychain")});
        QVERIFY(child.waitForStarted());
        QVERIFY2(child.waitForFinished(kTimeoutMs), "a missing keychain must fail, not hang");
        const QByteArray output = child.readAll();
        QVERIFY2(child.exitCode() == 0, output.constData());
        QVERIFY2(output.contains("PASS   : TestKeychain::withoutKeychain()"), output.constData());
    }
    void withoutKeychain()
    {
        if (!qEnvironmentVariableIsSet(kChildVariable))
            QSKIP("runs in the process noKeychainIsTypedAndQuick starts");
        KeychainSecretStore store(serviceName());
        auto read = waitFor(store.read(QStringLiteral("k")));
        QVERIFY(read);
        QVERIFY(!read->ok());
        QCOMPARE(read->error().code, QString::fromLatin1(client::kSecretsUnavailable));
        auto written = waitFor(store.write(QStringLiteral("k"), secret("v")));
        QVERIFY(written);
        QVERIFY(!written->ok());
        QCOMPARE(written->error().code, QString::fromLatin1(client::kSecretsUnavailable));
        auto removed = waitFor(store.remove(QStringLiteral("k")));
        QVERIFY(removed);
        QCOMPARE(removed->error().code, QString::fromLatin1(client::kSecretsUnavailable));
    }
};

QTEST_GUILESS_MAIN(TestKeychain)
#include "TestKeychain.moc"
