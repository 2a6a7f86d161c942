// SPDX-License-Identifier: GPL-3.0-or-later
// SessionKeeper: a session adopted after sign-in is in the transport and in the secret store, and a later start
// restores it (with whose it is) before any answer; sign-out asks the service, drops the keychain entry at once and
// the token everywhere, even when the service cannot be reached; a 401 (a revoked or expired session) forgets it;
// unreadable entries and malformed sessions change nothing; the token never reaches the log.
#include "client/SessionKeeper.h"
#include "support/client/ScriptedTransport.h"

#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTest>

using namespace stint;
using client::Call;
using client::CloudApi;
using client::MemorySecretStore;
using client::SessionKeeper;
using test::ScriptedTransport;

namespace {
const QString kOrigin = QStringLiteral("https://stint.example");

template <typename T> Result<T> waitFor(const Call<T>& call)
{
    QObject context;
    bool done = false;
    call.then(&context, [&](const Result<T>&) { done = true; });
    if (!QTest::qWaitFor([&]() { return done; }, 5000))
        return makeError(QStringLiteral("test.timeout"), QStringLiteral("no answer"));
    return *call.result();
}

models::SignedInSession session(const QByteArray& token, const QString& personId = QStringLiteral("prs_ada"),
                                const QString& sessionId = QStringLiteral("ses_1"))
{
    models::SignedInSession s;
    s.token = crypto::SecretBytes(QByteArray(token.constData(), token.size()));
    s.sessionId = sessionId;
    s.person.id = personId;
    s.expiresAt = 1'900'000'000'000;
    return s;
}

QByteArray stored(MemorySecretStore& store, const QString& key)
{
    auto r = waitFor(store.read(key));
    return r.ok() && r.value() ? r.value()->bytes() : QByteArray("<error>");
}

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

class TestSessionKeeper : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void adoptedSessionIsRestoredOnTheNextStart()
    {
        MemorySecretStore store;
        {
            ScriptedTransport transport(kOrigin);
            CloudApi api(transport);
            SessionKeeper keeper(api, store);
            QSignalSpy changed(&keeper, &SessionKeeper::signedInChanged);
            QVERIFY(!keeper.signedIn());
            auto adopted = waitFor(keeper.adopt(session("tok_abc")));
            QVERIFY(adopted.ok());
            QVERIFY(keeper.signedIn());
            QCOMPARE(transport.currentToken(), QByteArray("tok_abc"));
            QCOMPARE(keeper.token().bytes(), QByteArray("tok_abc"));
            QCOMPARE(keeper.personId(), QStringLiteral("prs_ada"));
            QCOMPARE(changed.size(), 1);
            QCOMPARE(changed.at(0).at(0).toBool(), true);
            QVERIFY(store.contains(client::secretKeys::session(kOrigin)));
        }
        // The next start: a new transport knows nothing until restore().
        ScriptedTransport transport(kOrigin);
        CloudApi api(transport);
        SessionKeeper keeper(api, store);
        QSignalSpy changed(&keeper, &SessionKeeper::signedInChanged);
        auto restored = waitFor(keeper.restore());
        QVERIFY(restored.ok());
        QCOMPARE(restored.value(), true);
        QVERIFY(keeper.signedIn());
        QCOMPARE(transport.currentToken(), QByteArray("tok_abc"));
        QCOMPARE(keeper.personId(), QStringLiteral("prs_ada"));
        QCOMPARE(keeper.sessionId(), QStringLiteral("ses_1"));
        QCOMPARE(changed.size(), 1);
        QVERIFY(transport.sent().isEmpty()); // known without asking the service
    }

    void nothingStoredRestoresNothing()
    {
        MemorySecretStore store;
        ScriptedTransport transport(kOrigin);
        CloudApi api(transport);
        SessionKeeper keeper(api, store);
        auto restored = waitFor(keeper.restore());
        QVERIFY(restored.ok());
        QCOMPARE(restored.value(), false);
        QVERIFY(!keeper.signedIn());
        QVERIFY(!transport.hasSessionToken());
    }

    void sessionsAreKeptPerCloud()
    {
        MemorySecretStore store;
        ScriptedTransport one(QStringLiteral("https://one.example"));
        ScriptedTransport two(QStringLiteral("https://two.example"));
        CloudApi apiOne(one);
        CloudApi apiTwo(two);
        SessionKeeper keeperOne(apiOne, store);
        SessionKeeper keeperTwo(apiTwo, store);
        QVERIFY(waitFor(keeperOne.adopt(session("tok_one"))).ok());
        auto restored = waitFor(keeperTwo.restore());
        QCOMPARE(restored.value(), false);
        QVERIFY(waitFor(keeperTwo.adopt(session("tok_two", QStringLiteral("prs_bob")))).ok());
        QVERIFY(waitFor(keeperOne.forget()).ok());
        QVERIFY(!store.contains(client::secretKeys::session(QStringLiteral("https://one.example"))));
        QVERIFY(store.contains(client::secretKeys::session(QStringLiteral("https://two.example"))));
    }

    void unreadableEntryRestoresNothingAndChangesNothing_data()
    {
        QTest::addColumn<QByteArray>("entry");
        QTest::newRow("a bare token (no header)") << QByteArray("tok_bare");
        QTest::newRow("header only") << QByteArray("stint-session/1\n");
        QTest::newRow("no session line") << QByteArray("stint-session/1\nprs_ada");
        QTest::newRow("no token") << QByteArray("stint-session/1\nprs_ada\nses_1\n");
        QTest::newRow("no person") << QByteArray("stint-session/1\n\nses_1\ntok");
        QTest::newRow("a newer format") << QByteArray("stint-session/2\nprs_ada\nses_1\ntok");
        QTest::newRow("binary junk") << QByteArray("\0\xff\n\n\n", 5);
    }
    void unreadableEntryRestoresNothingAndChangesNothing()
    {
        QFETCH(QByteArray, entry);
        MemorySecretStore store;
        const QString key = client::secretKeys::session(kOrigin);
        QVERIFY(waitFor(store.write(key, crypto::SecretBytes(QByteArray(entry)))).ok());
        ScriptedTransport transport(kOrigin);
        CloudApi api(transport);
        SessionKeeper keeper(api, store);
        QSignalSpy changed(&keeper, &SessionKeeper::signedInChanged);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("stored session is unreadable")));
        auto restored = waitFor(keeper.restore());
        QVERIFY(restored.ok());
        QCOMPARE(restored.value(), false);
        QVERIFY(!keeper.signedIn());
        QVERIFY(!transport.hasSessionToken());
        QCOMPARE(changed.size(), 0);
        QCOMPARE(stored(store, key), entry);
    }

    void keychainUnavailable()
    {
        MemorySecretStore store;
        store.setUnavailable(true);
        ScriptedTransport transport(kOrigin);
        CloudApi api(transport);
        SessionKeeper keeper(api, store);
        auto restored = waitFor(keeper.restore());
        QVERIFY(!restored.ok());
        QCOMPARE(restored.error().code, QString::fromLatin1(client::kSecretsUnavailable));
        QVERIFY(!keeper.signedIn());

        // Adopting still signs in for this run; the Done says it will not survive a restart.
        auto adopted = waitFor(keeper.adopt(session("tok_x")));
        QVERIFY(!adopted.ok());
        QCOMPARE(adopted.error().code, QString::fromLatin1(client::kSecretsUnavailable));
        QVERIFY(keeper.signedIn());
        QCOMPARE(transport.currentToken(), QByteArray("tok_x"));
    }

    void malformedSessionChangesNothing_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("personId");
        QTest::addColumn<QString>("sessionId");
        QTest::newRow("no token") << QByteArray() << QStringLiteral("prs_ada") << QStringLiteral("ses_2");
        QTest::newRow("no person") << QByteArray("tok_2") << QString() << QStringLiteral("ses_2");
        QTest::newRow("no session id") << QByteArray("tok_2") << QStringLiteral("prs_ada") << QString();
        QTest::newRow("a line break in the person id")
            << QByteArray("tok_2") << QStringLiteral("prs\nx") << QStringLiteral("ses_2");
    }
    void malformedSessionChangesNothing()
    {
        QFETCH(QByteArray, token);
        QFETCH(QString, personId);
        QFETCH(QString, sessionId);
        MemorySecretStore store;
        ScriptedTransport transport(kOrigin);
        CloudApi api(transport);
        SessionKeeper keeper(api, store);
        QVERIFY(waitFor(keeper.adopt(session("tok_1"))).ok());
        const QByteArray before = stored(store, client::secretKeys::session(kOrigin));
        QSignalSpy changed(&keeper, &SessionKeeper::signedInChanged);
        auto adopted = waitFor(keeper.adopt(session(token, personId, sessionId)));
        QVERIFY(!adopted.ok());
        QCOMPARE(adopted.error().code, QStringLiteral("session.malformed"));
        QCOMPARE(keeper.token().bytes(), QByteArray("tok_1"));
        QCOMPARE(transport.currentToken(), QByteArray("tok_1"));
        QCOMPARE(keeper.sessionId(), QStringLiteral("ses_1"));
        QCOMPARE(stored(store, client::secretKeys::session(kOrigin)), before);
        QCOMPARE(changed.size(), 0);
    }

    void signOutAsksTheServiceAndForgetsEverywhere_data()
    {
        QTest::addColumn<QString>("service");
        QTest::newRow("the service confirms") << QStringLiteral("ok");
        QTest::newRow("the service cannot be reached") << QStringLiteral("unreachable");
        QTest::newRow("the session was over already") << QStringLiteral("401");
    }
    void signOutAsksTheServiceAndForgetsEverywhere()
    {
        QFETCH(QString, service);
        MemorySecretStore store;
        ScriptedTransport transport(kOrigin);
        transport.setAnswer([service](const client::ApiRequest&) {
            if (service == QLatin1String("unreachable"))
                return ScriptedTransport::unreachable();
            if (service == QLatin1String("401"))
                return ScriptedTransport::status(401);
            return ScriptedTransport::ok();
        });
        CloudApi api(transport);
        SessionKeeper keeper(api, store);
        QVERIFY(waitFor(keeper.adopt(session("tok_out"))).ok());
        QSignalSpy changed(&keeper, &SessionKeeper::signedInChanged);
        auto out = waitFor(keeper.signOut());
        QVERIFY(out.ok());
        QCOMPARE(transport.sent().size(), 1);
        QCOMPARE(transport.sent().at(0).request.method, QByteArray("POST"));
        QCOMPARE(transport.sent().at(0).request.path, QStringLiteral("/v1/auth/signout"));
        QCOMPARE(transport.sent().at(0).token, QByteArray("tok_out")); // it went with the token
        QVERIFY(!keeper.signedIn());
        QVERIFY(keeper.token().isEmpty());
        QVERIFY(keeper.personId().isEmpty());
        QVERIFY(!transport.hasSessionToken());
        QVERIFY(!store.contains(client::secretKeys::session(kOrigin)));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toBool(), false);
    }

    void signOutDropsTheKeychainEntryBeforeTheServiceAnswers()
    {
        MemorySecretStore store;
        ScriptedTransport transport(kOrigin);
        CloudApi api(transport);
        SessionKeeper keeper(api, store);
        QVERIFY(waitFor(keeper.adopt(session("tok_slow"))).ok());
        transport.hold(true);
        auto out = keeper.signOut();
        QTRY_VERIFY(!store.contains(client::secretKeys::session(kOrigin)));
        QVERIFY(!out.isFinished());
        QVERIFY(keeper.signedIn()); // the request still needs the token
        transport.release();
        QVERIFY(waitFor(out).ok());
        QVERIFY(!keeper.signedIn());
        QVERIFY(!transport.hasSessionToken());
    }

    void signingInAgainDuringASignOutKeepsTheNewSession()
    {
        MemorySecretStore store;
        ScriptedTransport transport(kOrigin);
        CloudApi api(transport);
        SessionKeeper keeper(api, store);
        QVERIFY(waitFor(keeper.adopt(session("tok_old"))).ok());
        transport.hold(true);
        auto out = keeper.signOut();
        QVERIFY(waitFor(keeper.adopt(session("tok_new", QStringLiteral("prs_bob"), QStringLiteral("ses_2")))).ok());
        transport.release();
        QVERIFY(waitFor(out).ok());
        QVERIFY(keeper.signedIn());
        QCOMPARE(transport.currentToken(), QByteArray("tok_new"));
        QVERIFY(stored(store, client::secretKeys::session(kOrigin)).endsWith("tok_new"));
    }

    void revokedSessionIsForgotten()
    {
        MemorySecretStore store;
        ScriptedTransport transport(kOrigin);
        CloudApi api(transport);
        SessionKeeper keeper(api, store);
        QVERIFY(waitFor(keeper.adopt(session("tok_revoked"))).ok());
        QSignalSpy changed(&keeper, &SessionKeeper::signedInChanged);
        transport.setAnswer([](const client::ApiRequest&) { return ScriptedTransport::status(401); });
        auto me = waitFor(api.me());
        QVERIFY(!me.ok());
        QTRY_VERIFY(!store.contains(client::secretKeys::session(kOrigin)));
        QVERIFY(!keeper.signedIn());
        QVERIFY(!transport.hasSessionToken());
        QCOMPARE(changed.size(), 1);
        // A later start has nothing to restore.
        SessionKeeper next(api, store);
        QCOMPARE(waitFor(next.restore()).value(), false);
    }

    void otherErrorsKeepTheSession_data()
    {
        QTest::addColumn<int>("status");
        QTest::newRow("403") << 403;
        QTest::newRow("404") << 404;
        QTest::newRow("500") << 500;
        QTest::newRow("unreachable") << 0;
    }
    void otherErrorsKeepTheSession()
    {
        QFETCH(int, status);
        MemorySecretStore store;
        ScriptedTransport transport(kOrigin);
        CloudApi api(transport);
        SessionKeeper keeper(api, store);
        QVERIFY(waitFor(keeper.adopt(session("tok_keep"))).ok());
        transport.setAnswer([status](const client::ApiRequest&) {
            return status == 0 ? ScriptedTransport::unreachable() : ScriptedTransport::status(status);
        });
        QVERIFY(!waitFor(api.me()).ok());
        QTest::qWait(0); // let any (wrong) reaction run
        QCoreApplication::processEvents();
        QVERIFY(keeper.signedIn());
        QVERIFY(store.contains(client::secretKeys::session(kOrigin)));
    }

    void aRestoreOvertakenByAnAdoptKeepsTheAdoptedSession()
    {
        MemorySecretStore store;
        ScriptedTransport transport(kOrigin);
        CloudApi api(transport);
        {
            SessionKeeper earlier(api, store);
            QVERIFY(waitFor(earlier.adopt(session("tok_stored"))).ok());
        }
        SessionKeeper keeper(api, store);
        auto restored = keeper.restore(); // answered later
        QVERIFY(waitFor(keeper.adopt(session("tok_fresh", QStringLiteral("prs_bob"), QStringLiteral("ses_9")))).ok());
        QCOMPARE(waitFor(restored).value(), true);
        QCOMPARE(keeper.token().bytes(), QByteArray("tok_fresh"));
        QCOMPARE(transport.currentToken(), QByteArray("tok_fresh"));
        QCOMPARE(keeper.personId(), QStringLiteral("prs_bob"));
    }

    void theTokenNeverReachesTheLog()
    {
        const QByteArray token = "tok_" + crypto::randomBytes(16).toHex();
        LogCapture log;
        QLoggingCategory::setFilterRules(QStringLiteral("stint.*=true"));
        {
            MemorySecretStore store;
            ScriptedTransport transport(kOrigin);
            CloudApi api(transport);
            SessionKeeper keeper(api, store);
            QVERIFY(waitFor(keeper.adopt(session(token))).ok());
            SessionKeeper other(api, store);
            QVERIFY(waitFor(other.restore()).ok());
            transport.setAnswer([](const client::ApiRequest&) { return ScriptedTransport::status(401); });
            (void)waitFor(api.me());
            QTRY_VERIFY(!keeper.signedIn());
            QVERIFY(waitFor(other.signOut()).ok());
        }
        QLoggingCategory::setFilterRules(QString());
        QVERIFY(!log.all().isEmpty()); // something was said …
        QVERIFY(!log.all().contains(QString::fromLatin1(token))); // … but not that
    }
};

QTEST_GUILESS_MAIN(TestSessionKeeper)
#include "TestSessionKeeper.moc"
