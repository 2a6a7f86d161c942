// SPDX-License-Identifier: GPL-3.0-or-later
// FIDO2 sign-in against the real stint-cloud binary: enrollment by invite, discoverable and username-first sign-in,
// the native-app hand-off, and every way a ceremony can be abused.
#include "cloud/CloudService.h"
#include "cloud/authn/Sessions.h"
#include "cloud/directory/DirectoryStore.h"
#include "store/SqlCipherDatabase.h"
#include "support/CloudProcess.h"
#include "support/SoftAuthenticator.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QTest>
#include <QUrlQuery>

using namespace stint;

class TestSignIn : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    InitResult m_init;
    std::unique_ptr<CloudProcess> m_cloud;
    std::unique_ptr<SoftAuthenticator> m_key;
    QString m_adminToken;
    QString m_adminId;
    std::unique_ptr<SoftAuthenticator> m_otherKey; // other@msp.test's second passkey

    // Runs sign-in with `key` and returns the finish response.
    HttpResult signIn(SoftAuthenticator& key, const QJsonObject& beginBody = {})
    {
        const HttpResult begin = m_cloud->post(QStringLiteral("/v1/auth/signin/begin"), beginBody);
        if (begin.status != 200)
            return begin;
        const QJsonObject assertion = key.get(begin.json.value(QLatin1String("publicKey")).toObject());
        return m_cloud->post(QStringLiteral("/v1/auth/signin/finish"),
                             {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                              {QStringLiteral("credential"), assertion}});
    }

    HttpResult enroll(SoftAuthenticator& key, const QString& inviteToken)
    {
        const HttpResult begin =
            m_cloud->post(QStringLiteral("/v1/auth/register/begin"), {{QStringLiteral("inviteToken"), inviteToken}});
        if (begin.status != 200)
            return begin;
        const QJsonObject credential = key.create(begin.json.value(QLatin1String("publicKey")).toObject());
        return m_cloud->post(QStringLiteral("/v1/auth/register/finish"),
                             {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                              {QStringLiteral("credential"), credential}});
    }

    // A session from a sign-in just now: fresh enough to add a passkey.
    QString freshToken() { return signIn(*m_key).json.value(QLatin1String("token")).toString(); }

    int auditFailures(const QString& reason)
    {
        const CliResult r = runCloudCli({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--data-dir"),
                                         m_dir.path()});
        int n = 0;
        for (const QString& line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            n += line.contains(QStringLiteral("\"outcome\":\"failure\"")) && line.contains(reason) ? 1 : 0;
        return n;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_init = initDataDir(m_dir.path());
        QVERIFY(!m_init.inviteToken.isEmpty());
        m_cloud = std::make_unique<CloudProcess>(m_dir.path());
        // Every request here comes from 127.0.0.1: lift the per-address limit; the per-account one is tested.
        QVERIFY(m_cloud->start({QStringLiteral("--signin-attempts-per-address"), QStringLiteral("100000")}));
        m_key = std::make_unique<SoftAuthenticator>(m_cloud->origin());
    }

    void enrollmentThroughInvite()
    {
        const HttpResult done = enroll(*m_key, m_init.inviteToken);
        QCOMPARE(done.status, 200);
        m_adminToken = done.json.value(QLatin1String("token")).toString();
        QCOMPARE(m_adminToken.size(), 43);
        const HttpResult me = m_cloud->get(QStringLiteral("/v1/me"), m_adminToken);
        QCOMPARE(me.status, 200);
        const QJsonObject person = me.json.value(QLatin1String("person")).toObject();
        QCOMPARE(person.value(QLatin1String("role")).toString(), QStringLiteral("admin"));
        QCOMPARE(person.value(QLatin1String("email")).toString(), QStringLiteral("admin@msp.test"));
        m_adminId = person.value(QLatin1String("id")).toString();
    }

    void inviteIsSingleUse()
    {
        const HttpResult again = m_cloud->post(QStringLiteral("/v1/auth/register/begin"),
                                               {{QStringLiteral("inviteToken"), m_init.inviteToken}});
        QCOMPARE(again.status, 400);
        QCOMPARE(again.problem(), QStringLiteral("invite-invalid"));
        const HttpResult garbage = m_cloud->post(QStringLiteral("/v1/auth/register/begin"),
                                                 {{QStringLiteral("inviteToken"), QStringLiteral("x")}});
        QCOMPARE(garbage.status, 400);
    }

    void discoverableSignIn()
    {
        const HttpResult r = signIn(*m_key);
        QCOMPARE(r.status, 200);
        QCOMPARE(m_cloud->get(QStringLiteral("/v1/me"), r.json.value(QLatin1String("token")).toString()).status, 200);
    }

    void usernameFirstSignIn()
    {
        const HttpResult begin = m_cloud->post(QStringLiteral("/v1/auth/signin/begin"),
                                               {{QStringLiteral("email"), QStringLiteral("ADMIN@msp.test ")}});
        QCOMPARE(begin.status, 200);
        // No credential ids: every passkey is discoverable, and naming them would tell that the account exists.
        const QJsonObject options = begin.json.value(QLatin1String("publicKey")).toObject();
        QVERIFY(options.contains(QLatin1String("allowCredentials")));
        QCOMPARE(options.value(QLatin1String("allowCredentials")).toArray().size(), 0);
        QCOMPARE(signIn(*m_key, {{QStringLiteral("email"), QStringLiteral("admin@msp.test")}}).status, 200);
    }

    // Issue 10: username-first sign-in answered one made-up credential id for an unknown address and all of a real
    // account's. Now the answers cannot be told apart: same members, same (empty) list, same size; and finishing with
    // a passkey of another account gets the same refusal for a known address as for an unknown one.
    void unknownAccountsLookLikeKnownOnes()
    {
        // A second account, with two passkeys, so that a count would show.
        const HttpResult invite = m_cloud->post(QStringLiteral("/v1/invites"),
                                                {{QStringLiteral("email"), QStringLiteral("other@msp.test")},
                                                 {QStringLiteral("role"), QStringLiteral("technician")}},
                                                freshToken());
        QCOMPARE(invite.status, 201);
        SoftAuthenticator otherKey(m_cloud->origin());
        const QString link = invite.json.value(QLatin1String("enrollmentUrl")).toString();
        const HttpResult enrolled = enroll(otherKey, link.mid(link.indexOf(QLatin1String("#invite=")) + 8));
        QCOMPARE(enrolled.status, 200);
        const QString otherToken = enrolled.json.value(QLatin1String("token")).toString();
        m_otherKey = std::make_unique<SoftAuthenticator>(m_cloud->origin());
        SoftAuthenticator& otherSecond = *m_otherKey;
        const HttpResult begin = m_cloud->post(QStringLiteral("/v1/me/credentials/begin"), {}, otherToken);
        QCOMPARE(begin.status, 200);
        QCOMPARE(m_cloud->post(QStringLiteral("/v1/me/credentials/finish"),
                               {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                                {QStringLiteral("credential"), otherSecond.create(begin.json.value(QLatin1String("publicKey")).toObject())}},
                               otherToken).status, 201);

        auto answerFor = [&](const QString& email) {
            return m_cloud->post(QStringLiteral("/v1/auth/signin/begin"), {{QStringLiteral("email"), email}});
        };
        // Without the values that are random for everyone, the answers are the same.
        auto shape = [](HttpResult r) {
            QJsonObject options = r.json.value(QLatin1String("publicKey")).toObject();
            options.remove(QStringLiteral("challenge"));
            r.json.remove(QStringLiteral("ceremonyId"));
            r.json.insert(QStringLiteral("publicKey"), options);
            return r.json;
        };
        const HttpResult known = answerFor(QStringLiteral("other@msp.test"));
        const HttpResult knownAdmin = answerFor(QStringLiteral("admin@msp.test"));
        const HttpResult unknown = answerFor(QStringLiteral("nobody@msp.test"));
        QCOMPARE(known.status, 200);
        QCOMPARE(unknown.status, 200);
        QCOMPARE(shape(known), shape(unknown));
        QCOMPARE(shape(knownAdmin), shape(unknown));
        QCOMPARE(known.body.size(), unknown.body.size());
        QCOMPARE(known.body.size(), knownAdmin.body.size());
        QCOMPARE(known.json.value(QLatin1String("publicKey")).toObject().value(QLatin1String("allowCredentials")).toArray().size(), 0);

        // The admin's passkey offered for another address: refused alike whether the address has an account or not.
        const HttpResult wrongKnown = signIn(*m_key, {{QStringLiteral("email"), QStringLiteral("other@msp.test")}});
        const HttpResult wrongUnknown = signIn(*m_key, {{QStringLiteral("email"), QStringLiteral("nobody@msp.test")}});
        QCOMPARE(wrongKnown.status, 401);
        QCOMPARE(wrongUnknown.status, wrongKnown.status);
        QCOMPARE(wrongUnknown.problem(), wrongKnown.problem());
        QCOMPARE(wrongUnknown.json.value(QLatin1String("detail")), wrongKnown.json.value(QLatin1String("detail")));
        // And the account's own passkeys still work with its address.
        QCOMPARE(signIn(otherSecond, {{QStringLiteral("email"), QStringLiteral("other@msp.test")}}).status, 200);
    }

    // Issue 10: adding a passkey needed only a session token. It now needs a session from a passkey ceremony within
    // the last 5 minutes (a step-up); an older one gets 403 verification-required and nothing is started.
    void addingAPasskeyNeedsAFreshVerification()
    {
        QString staleToken;
        {
            cloud::CloudConfig config;
            config.dataDir = m_dir.path();
            auto db = cloud::openCloudStore(config);
            QVERIFY(db.ok());
            auto person = cloud::directory::findPersonByEmail(**db, QStringLiteral("other@msp.test"));
            QVERIFY(person.ok() && person->has_value());
            ManualClock tenMinutesAgo(SystemClock().now() - 10 * 60'000);
            cloud::Sessions sessions(**db, tenMinutesAgo, config);
            auto issued = sessions.create((*person)->id, (*person)->orgId, {}, {});
            QVERIFY(issued.ok());
            staleToken = issued->token;
        }
        QCOMPARE(m_cloud->get(QStringLiteral("/v1/me"), staleToken).status, 200); // a good session otherwise
        const HttpResult refused = m_cloud->post(QStringLiteral("/v1/me/credentials/begin"), {}, staleToken);
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.problem(), QStringLiteral("verification-required"));
        QCOMPARE(refused.json.value(QLatin1String("verifyWithinSeconds")).toInt(), 300);
        QVERIFY(!refused.json.contains(QLatin1String("publicKey")));

        // Verified again (a sign-in with a passkey of this person): the same person may add one.
        const QString fresh = signIn(*m_otherKey).json.value(QLatin1String("token")).toString();
        SoftAuthenticator added(m_cloud->origin());
        const HttpResult begin = m_cloud->post(QStringLiteral("/v1/me/credentials/begin"), {}, fresh);
        QCOMPARE(begin.status, 200);
        const HttpResult done = m_cloud->post(QStringLiteral("/v1/me/credentials/finish"),
                                              {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                                               {QStringLiteral("credential"), added.create(begin.json.value(QLatin1String("publicKey")).toObject())},
                                               {QStringLiteral("name"), QStringLiteral("Step-up key")}},
                                              fresh);
        QCOMPARE(done.status, 201);
        QCOMPARE(signIn(added).status, 200);
    }

    void replayedCeremonyIsRefused()
    {
        const HttpResult begin = m_cloud->post(QStringLiteral("/v1/auth/signin/begin"));
        QCOMPARE(begin.status, 200);
        const QJsonObject body{{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                               {QStringLiteral("credential"), m_key->get(begin.json.value(QLatin1String("publicKey")).toObject())}};
        QCOMPARE(m_cloud->post(QStringLiteral("/v1/auth/signin/finish"), body).status, 200);
        const HttpResult replay = m_cloud->post(QStringLiteral("/v1/auth/signin/finish"), body);
        QCOMPARE(replay.status, 400);
        QCOMPARE(replay.problem(), QStringLiteral("ceremony-invalid"));
    }

    void tamperedResponsesAreRefused_data()
    {
        QTest::addColumn<QString>("origin");
        QTest::addColumn<QString>("rpId");
        QTest::addColumn<bool>("userVerified");
        QTest::addColumn<QString>("reason");
        QTest::newRow("wrong origin") << QStringLiteral("http://evil.test") << QStringLiteral("localhost") << true
                                      << QStringLiteral("webauthn.wrong_origin");
        QTest::newRow("wrong rp id") << QString() << QStringLiteral("evil.test") << true << QStringLiteral("webauthn.wrong_rp_id");
        QTest::newRow("no user verification") << QString() << QStringLiteral("localhost") << false
                                              << QStringLiteral("webauthn.user_not_verified");
    }
    void tamperedResponsesAreRefused()
    {
        QFETCH(QString, origin);
        QFETCH(QString, rpId);
        QFETCH(bool, userVerified);
        QFETCH(QString, reason);
        const int failuresBefore = auditFailures(reason);
        m_key->setOrigin(origin.isEmpty() ? m_cloud->origin() : origin);
        m_key->setRpId(rpId);
        m_key->setUserVerified(userVerified);
        const quint32 countBefore = m_key->signCount();
        const HttpResult r = signIn(*m_key);
        m_key->setOrigin(m_cloud->origin());
        m_key->setRpId(QStringLiteral("localhost"));
        m_key->setUserVerified(true);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.problem(), QStringLiteral("webauthn-rejected"));
        QCOMPARE(r.json.value(QLatin1String("reason")).toString(), reason);
        QCOMPARE(auditFailures(reason), failuresBefore + 1);
        QCOMPARE(m_key->signCount(), countBefore + 1);
        QCOMPARE(signIn(*m_key).status, 200); // the credential is unharmed
    }

    void malformedFinishBodies_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("problem");
        QTest::newRow("truncated") << QByteArray("{\"ceremonyId\":") << 400 << QStringLiteral("malformed-json");
        QTest::newRow("array") << QByteArray("[]") << 400 << QStringLiteral("malformed-json");
        QTest::newRow("unknown field") << QByteArray("{\"ceremonyId\":\"x\",\"credential\":{},\"admin\":true}") << 422
                                       << QStringLiteral("validation");
        QTest::newRow("wrong types") << QByteArray("{\"ceremonyId\":5,\"credential\":\"x\"}") << 422 << QStringLiteral("validation");
        QTest::newRow("bad base64") << QByteArray("{\"ceremonyId\":\"cer_00000000000000000000000000000000\",\"credential\":"
                                                  "{\"id\":\"a\",\"rawId\":\"a+/=\",\"type\":\"public-key\",\"response\":{}}}")
                                    << 422 << QStringLiteral("validation");
        QTest::newRow("unknown ceremony") << QByteArray("{\"ceremonyId\":\"cer_00000000000000000000000000000000\",\"credential\":"
                                                        "{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"type\":\"public-key\",\"response\":"
                                                        "{\"clientDataJSON\":\"e30\",\"authenticatorData\":\"AAAA\",\"signature\":\"AAAA\"}}}")
                                          << 400 << QStringLiteral("ceremony-invalid");
    }
    void malformedFinishBodies()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, problem);
        QNetworkAccessManager nam;
        const HttpResult r = httpRequest(nam, QStringLiteral("POST"), m_cloud->url(QStringLiteral("/v1/auth/signin/finish")), body);
        QCOMPARE(r.status, status);
        QCOMPARE(r.problem(), problem);
    }

    void nativeHandOff()
    {
        const QByteArray verifier = QByteArray(64, 'v');
        const QString challenge = QString::fromLatin1(QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
                                                          .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        const QString redirectUri = QStringLiteral("http://127.0.0.1:54321/callback");
        const QJsonObject native{{QStringLiteral("redirectUri"), redirectUri},
                                 {QStringLiteral("codeChallenge"), challenge},
                                 {QStringLiteral("codeChallengeMethod"), QStringLiteral("S256")},
                                 {QStringLiteral("state"), QStringLiteral("st-123")}};
        auto codeFrom = [&](const HttpResult& r) {
            const QUrl url(r.json.value(QLatin1String("redirect")).toString());
            return QUrlQuery(url).queryItemValue(QStringLiteral("code"));
        };
        HttpResult r = signIn(*m_key, {{QStringLiteral("native"), native}});
        QCOMPARE(r.status, 200);
        QVERIFY(!r.json.contains(QLatin1String("token"))); // the browser never sees a session token
        const QUrl redirect(r.json.value(QLatin1String("redirect")).toString());
        QCOMPARE(redirect.toString(QUrl::RemoveQuery), redirectUri);
        QCOMPARE(QUrlQuery(redirect).queryItemValue(QStringLiteral("state")), QStringLiteral("st-123"));

        auto exchange = [&](const QString& code, const QByteArray& v, const QString& uri) {
            return m_cloud->post(QStringLiteral("/v1/auth/native/token"),
                                 {{QStringLiteral("code"), code},
                                  {QStringLiteral("codeVerifier"), QString::fromLatin1(v)},
                                  {QStringLiteral("redirectUri"), uri}});
        };
        // A wrong verifier burns the code.
        const QString code = codeFrom(r);
        QCOMPARE(exchange(code, QByteArray(64, 'w'), redirectUri).problem(), QStringLiteral("invalid-grant"));
        QCOMPARE(exchange(code, verifier, redirectUri).status, 400);
        // A fresh code with the right verifier works once.
        const QString code2 = codeFrom(signIn(*m_key, {{QStringLiteral("native"), native}}));
        QCOMPARE(exchange(code2, verifier, QStringLiteral("http://127.0.0.1:1/other")).status, 400);
        const QString code3 = codeFrom(signIn(*m_key, {{QStringLiteral("native"), native}}));
        const HttpResult ok = exchange(code3, verifier, redirectUri);
        QCOMPARE(ok.status, 200);
        QCOMPARE(m_cloud->get(QStringLiteral("/v1/me"), ok.json.value(QLatin1String("token")).toString()).status, 200);
        QCOMPARE(exchange(code3, verifier, redirectUri).status, 400);
    }

    void nativeRedirectMustBeLoopback_data()
    {
        QTest::addColumn<QString>("uri");
        QTest::newRow("https elsewhere") << QStringLiteral("https://evil.test/cb");
        QTest::newRow("localhost name") << QStringLiteral("http://localhost:5000/cb");
        QTest::newRow("no port") << QStringLiteral("http://127.0.0.1/cb");
        QTest::newRow("userinfo") << QStringLiteral("http://x@127.0.0.1:5000/cb");
        QTest::newRow("fragment") << QStringLiteral("http://127.0.0.1:5000/cb#x");
        QTest::newRow("other ip") << QStringLiteral("http://10.0.0.1:5000/cb");
    }
    void nativeRedirectMustBeLoopback()
    {
        QFETCH(QString, uri);
        const QJsonObject native{{QStringLiteral("redirectUri"), uri},
                                 {QStringLiteral("codeChallenge"), QString(43, QLatin1Char('a'))},
                                 {QStringLiteral("codeChallengeMethod"), QStringLiteral("S256")},
                                 {QStringLiteral("state"), QStringLiteral("s")}};
        const HttpResult r = m_cloud->post(QStringLiteral("/v1/auth/signin/begin"), {{QStringLiteral("native"), native}});
        QCOMPARE(r.status, 422);
        QVERIFY(r.json.value(QLatin1String("detail")).toString().contains(QStringLiteral("redirectUri")));
    }

    void secondPasskeyAndLastCredentialRule()
    {
        const HttpResult mine = m_cloud->get(QStringLiteral("/v1/me/credentials"), m_adminToken);
        QCOMPARE(mine.status, 200);
        const QJsonArray items = mine.json.value(QLatin1String("items")).toArray();
        QCOMPARE(items.size(), 1);
        const QString only = items.first().toObject().value(QLatin1String("id")).toString();
        const HttpResult refused = m_cloud->request(QStringLiteral("DELETE"), QStringLiteral("/v1/me/credentials/") + only,
                                                    {}, m_adminToken);
        QCOMPARE(refused.status, 409);
        QCOMPARE(refused.problem(), QStringLiteral("last-credential"));

        SoftAuthenticator second(m_cloud->origin());
        const QString fresh = freshToken();
        const HttpResult begin = m_cloud->post(QStringLiteral("/v1/me/credentials/begin"), {}, fresh);
        QCOMPARE(begin.status, 200);
        // The existing passkey is excluded, so an authenticator does not register twice.
        QCOMPARE(begin.json.value(QLatin1String("publicKey")).toObject().value(QLatin1String("excludeCredentials")).toArray().size(), 1);
        const HttpResult added = m_cloud->post(
            QStringLiteral("/v1/me/credentials/finish"),
            {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
             {QStringLiteral("credential"), second.create(begin.json.value(QLatin1String("publicKey")).toObject())},
             {QStringLiteral("name"), QStringLiteral("Backup key")}},
            fresh);
        QCOMPARE(added.status, 201);
        QCOMPARE(added.json.value(QLatin1String("name")).toString(), QStringLiteral("Backup key"));
        QCOMPARE(signIn(second).status, 200);
    }

    void lastAdminCannotBeRemoved()
    {
        const HttpResult r = m_cloud->request(QStringLiteral("PATCH"), QStringLiteral("/v1/people/") + m_adminId,
                                              {{QStringLiteral("role"), QStringLiteral("technician")}}, m_adminToken);
        QCOMPARE(r.status, 409);
        QCOMPARE(r.problem(), QStringLiteral("last-admin"));
        const HttpResult d = m_cloud->request(QStringLiteral("PATCH"), QStringLiteral("/v1/people/") + m_adminId,
                                              {{QStringLiteral("status"), QStringLiteral("disabled")}}, m_adminToken);
        QCOMPARE(d.status, 409);
    }

    void technicianInviteAndRoleBoundaries()
    {
        const HttpResult invite = m_cloud->post(QStringLiteral("/v1/invites"),
                                                {{QStringLiteral("email"), QStringLiteral("tech@msp.test")},
                                                 {QStringLiteral("role"), QStringLiteral("technician")}},
                                                m_adminToken);
        QCOMPARE(invite.status, 201);
        const QString link = invite.json.value(QLatin1String("enrollmentUrl")).toString();
        QVERIFY(link.startsWith(m_cloud->origin() + QStringLiteral("/enroll#invite=")));
        SoftAuthenticator techKey(m_cloud->origin());
        const HttpResult enrolled = enroll(techKey, inviteTokenFromLink(link));
        QCOMPARE(enrolled.status, 200);
        const QString techToken = enrolled.json.value(QLatin1String("token")).toString();
        QCOMPARE(m_cloud->get(QStringLiteral("/v1/people"), techToken).status, 403);
        QCOMPARE(m_cloud->get(QStringLiteral("/v1/people"), m_adminToken).status, 200);
        const HttpResult dup = m_cloud->post(QStringLiteral("/v1/invites"),
                                             {{QStringLiteral("email"), QStringLiteral("tech@msp.test")},
                                              {QStringLiteral("role"), QStringLiteral("technician")}},
                                             m_adminToken);
        QCOMPARE(dup.status, 409);
    }

    void authenticatorAllowList()
    {
        const QJsonObject allowOnly{{QStringLiteral("mode"), QStringLiteral("allowlist")},
                                    {QStringLiteral("aaguids"), QJsonArray{QStringLiteral("cb69481e-8ff7-4039-93ec-0a2729a154a8")}}};
        QCOMPARE(m_cloud->request(QStringLiteral("PATCH"), QStringLiteral("/v1/organization"),
                                  {{QStringLiteral("authenticatorPolicy"), allowOnly}}, m_adminToken)
                     .status,
                 200);
        const HttpResult refused = signIn(*m_key);
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.problem(), QStringLiteral("authenticator-not-allowed"));
        QCOMPARE(m_cloud->request(QStringLiteral("PATCH"), QStringLiteral("/v1/organization"),
                                  {{QStringLiteral("authenticatorPolicy"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("any")}}}},
                                  m_adminToken)
                     .status,
                 200);
        QCOMPARE(signIn(*m_key).status, 200);
    }

    void signCountRegressionFlagsTheCredential()
    {
        m_key->setSignCount(0); // a clone that lags behind the original: the next assertion carries count 1
        const HttpResult r = signIn(*m_key);
        QCOMPARE(r.status, 401);
        QVERIFY(r.json.value(QLatin1String("detail")).toString().contains(QStringLiteral("cloned")));
        m_key->setSignCount(1000);
        QCOMPARE(signIn(*m_key).status, 401); // flagged: refused until an admin acts
        const HttpResult creds = m_cloud->get(QStringLiteral("/v1/people/%1/credentials").arg(m_adminId), m_adminToken);
        bool flagged = false;
        for (const auto& c : creds.json.value(QLatin1String("items")).toArray())
            flagged = flagged || c.toObject().value(QLatin1String("flagged")).toBool();
        QVERIFY(flagged);
    }

    void failedAttemptsAreRateLimitedWithoutLockingOutTheOwner()
    {
        // Looking up an account costs its owner nothing.
        for (int i = 0; i < 15; ++i)
            QCOMPARE(m_cloud->post(QStringLiteral("/v1/auth/signin/begin"), {{QStringLiteral("email"), QStringLiteral("admin@msp.test")}}).status, 200);
        // Failing assertions for one account are slowed down…
        SoftAuthenticator fresh(m_cloud->origin());
        // The admin's session from enrolment, seconds old: fresh enough to add a passkey.
        const QString token = m_adminToken;
        HttpResult begin = m_cloud->post(QStringLiteral("/v1/me/credentials/begin"), {}, token);
        QCOMPARE(m_cloud->post(QStringLiteral("/v1/me/credentials/finish"),
                               {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                                {QStringLiteral("credential"), fresh.create(begin.json.value(QLatin1String("publicKey")).toObject())}},
                               token)
                     .status,
                 201);
        fresh.setOrigin(QStringLiteral("http://phish.test"));
        HttpResult last;
        for (int i = 0; i < 12 && last.status != 429; ++i)
            last = signIn(fresh);
        QCOMPARE(last.status, 429);
        QCOMPARE(last.problem(), QStringLiteral("rate-limited"));
        QVERIFY(last.header("Retry-After").toInt() > 0);
        // …but the real holder of the key still gets in.
        fresh.setOrigin(m_cloud->origin());
        QCOMPARE(signIn(fresh).status, 200);
    }

    void signOutEndsTheSession()
    {
        QCOMPARE(m_cloud->post(QStringLiteral("/v1/auth/signout"), {}, m_adminToken).status, 204);
        QCOMPARE(m_cloud->get(QStringLiteral("/v1/me"), m_adminToken).status, 401);
    }

    void auditChainIsIntact()
    {
        const CliResult r = runCloudCli({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"), m_dir.path()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("intact")));
    }
};

QTEST_GUILESS_MAIN(TestSignIn)
#include "TestSignIn.moc"
