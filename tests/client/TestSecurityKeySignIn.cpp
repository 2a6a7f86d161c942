// SPDX-License-Identifier: GPL-3.0-or-later
// SecurityKeySignIn as the WebAuthn client, above a scripted transport: the clientDataJSON (known answers), what the
// key is asked (RP ID, hash, allow list, user verification, PIN, a bounded timeout), the PublicKeyCredential JSON
// posted to signin/finish, key and cloud errors passed through, request options a browser would refuse refused
// before any key is asked, cancel() at each step — and once end to end with the real libfido2 and a software key,
// the assertion checked by libfido2's verifier against the clientDataJSON that was posted.
#include "client/ApiError.h"
#include "client/CloudApi.h"
#include "client/SecurityKeySignIn.h"
#include "client/fido2/Fido2SecurityKeys.h"
#include "support/client/SoftCtapDevice.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>
#include <fido.h>
#include <fido/es256.h>

using namespace stint;
using client::ApiRequest;
using client::ApiResponse;
using client::Assertion;
using client::AssertionRequest;
using client::Call;
using client::CloudApi;
using client::SecurityKeySignIn;
using client::SharedSession;
namespace codes = client::fido2errors;

namespace {

const QString kOrigin = QStringLiteral("http://localhost:8443");
const QString kChallenge = QStringLiteral("AAECAwQFBgcICQoLDA0ODw"); // bytes 0..15

QString b64(const QByteArray& bytes)
{
    return QString::fromLatin1(crypto::base64UrlEncode(bytes));
}

QByteArray unb64(const QJsonValue& v)
{
    auto bytes = crypto::base64UrlDecode(v.toString().toLatin1());
    return bytes ? *bytes : QByteArray("<not base64url>");
}

QJsonObject sessionJson()
{
    return {{QStringLiteral("token"), QStringLiteral("session-token")},
            {QStringLiteral("sessionId"), QStringLiteral("ses_1")},
            {QStringLiteral("expiresAt"), QStringLiteral("2030-01-01T00:00:00Z")},
            {QStringLiteral("person"),
             QJsonObject {{QStringLiteral("id"), QStringLiteral("per_ada")},
                          {QStringLiteral("email"), QStringLiteral("ada@msp.test")},
                          {QStringLiteral("role"), QStringLiteral("technician")},
                          {QStringLiteral("status"), QStringLiteral("active")}}}};
}

// The cloud's two sign-in routes, scripted. An answer left unset keeps the request waiting until the test answers.
class ScriptedCloud : public client::ApiTransport
{
public:
    QList<ApiRequest> requests;
    QJsonObject publicKey {{QStringLiteral("challenge"), kChallenge},
                           {QStringLiteral("rpId"), QStringLiteral("localhost")},
                           {QStringLiteral("userVerification"), QStringLiteral("required")},
                           {QStringLiteral("timeout"), 300000},
                           {QStringLiteral("allowCredentials"), QJsonArray()}};
    std::optional<Error> beginError;
    std::optional<Error> finishError;
    bool holdBegin = false;
    Call<ApiResponse> heldBegin;
    // Checks the posted credential as the cloud would; an error refuses the sign-in.
    std::function<std::optional<Error>(const QJsonObject& credential)> judge;
    QString originValue = kOrigin;

    Call<ApiResponse> send(const ApiRequest& request) override
    {
        requests << request;
        if (request.path == QLatin1String("/v1/auth/signin/begin")) {
            if (beginError)
                return Call<ApiResponse>::failed(*beginError);
            ApiResponse r;
            r.status = 200;
            r.json
                = {{QStringLiteral("ceremonyId"), QStringLiteral("cer_1")}, {QStringLiteral("publicKey"), publicKey}};
            if (holdBegin) {
                heldBegin = Call<ApiResponse>();
                m_heldAnswer = r;
                return heldBegin;
            }
            return Call<ApiResponse>::resolved(r);
        }
        if (request.path == QLatin1String("/v1/auth/signin/finish")) {
            if (finishError)
                return Call<ApiResponse>::failed(*finishError);
            if (judge) {
                if (auto refused = judge(request.body->value(QLatin1String("credential")).toObject()))
                    return Call<ApiResponse>::failed(*refused);
            }
            ApiResponse r;
            r.status = 200;
            r.body = QJsonDocument(sessionJson()).toJson(QJsonDocument::Compact); // sensitive: the body only
            return Call<ApiResponse>::resolved(r);
        }
        return Call<ApiResponse>::failed(Error {QStringLiteral("api.not-found"), request.path, {}});
    }
    void releaseBegin() { heldBegin.resolve(m_heldAnswer); }
    void setSessionToken(const crypto::SecretBytes&) override { }
    bool hasSessionToken() const override { return false; }
    QString origin() const override { return originValue; }

    int count(const QString& path) const
    {
        return int(
            std::count_if(requests.begin(), requests.end(), [&](const ApiRequest& r) { return r.path == path; }));
    }
    QJsonObject finishBody() const
    {
        for (const ApiRequest& r : requests) {
            if (r.path == QLatin1String("/v1/auth/signin/finish"))
                return *r.body;
        }
        return {};
    }

private:
    ApiResponse m_heldAnswer;
};

// A security key with a scripted answer; none set: it waits until the test answers.
class ScriptedKeys : public client::SecurityKeys
{
public:
    using SecurityKeys::SecurityKeys;
    QList<AssertionRequest> asked;
    int cancels = 0;
    std::optional<Result<Assertion>> answer;
    Call<Assertion> waiting;

    Call<Assertion> getAssertion(const AssertionRequest& request) override
    {
        asked << request;
        if (answer)
            return Call<Assertion>::resolved(*answer);
        waiting = Call<Assertion>();
        return waiting;
    }
    void cancel() override { ++cancels; }
};

template <typename T> QByteArray why(const Result<T>& r)
{
    return r.ok() ? QByteArray("ok") : (r.error().code + QStringLiteral(": ") + r.error().message).toUtf8();
}

Assertion cannedAssertion(const QByteArray& userHandle = "per_ada")
{
    Assertion a;
    a.credentialId = QByteArray("credential-\x01\x02\xff", 14);
    a.authenticatorData = QByteArray(37, '\x05');
    a.signature = QByteArray("signature\xfe", 10);
    a.userHandle = userHandle;
    return a;
}

} // namespace

class TestSecurityKeySignIn : public QObject
{
    Q_OBJECT

    ScriptedCloud m_cloud;
    std::unique_ptr<CloudApi> m_api;
    std::unique_ptr<ScriptedKeys> m_keys;
    std::unique_ptr<SecurityKeySignIn> m_signIn;

    bool await(const Call<SharedSession>& call, Result<SharedSession>* out)
    {
        std::optional<Result<SharedSession>> seen;
        call.then(this, [&](const Result<SharedSession>& r) { seen = r; });
        if (!QTest::qWaitFor([&] { return seen.has_value(); }, 20'000))
            return false;
        *out = *seen;
        return true;
    }

private slots:
    void init()
    {
        m_cloud = ScriptedCloud();
        m_api = std::make_unique<CloudApi>(m_cloud);
        m_keys = std::make_unique<ScriptedKeys>();
        m_keys->answer = Result<Assertion>(cannedAssertion());
        m_signIn = std::make_unique<SecurityKeySignIn>(*m_api, *m_keys);
    }
    void cleanup()
    {
        m_signIn.reset();
        m_keys.reset();
        m_api.reset();
    }

    void clientDataJsonKnownAnswers_data()
    {
        QTest::addColumn<QString>("challenge");
        QTest::addColumn<QString>("origin");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("bundled cloud") << kChallenge << kOrigin
                                       << QByteArray(
                                              "{\"type\":\"webauthn.get\",\"challenge\":\"AAECAwQFBgcICQoLDA0ODw\","
                                              "\"origin\":\"http://localhost:8443\",\"crossOrigin\":false}");
        QTest::newRow("https with a port") << QStringLiteral("_w-x") << QStringLiteral("https://stint.msp.example:9443")
                                           << QByteArray("{\"type\":\"webauthn.get\",\"challenge\":\"_w-x\",\"origin\":"
                                                         "\"https://stint.msp.example:9443\",\"crossOrigin\":false}");
        QTest::newRow("escaped") << QStringLiteral("c") << QStringLiteral("http://a\"b\\c")
                                 << QByteArray("{\"type\":\"webauthn.get\",\"challenge\":\"c\",\"origin\":"
                                               "\"http://a\\\"b\\\\c\",\"crossOrigin\":false}");
    }
    void clientDataJsonKnownAnswers()
    {
        QFETCH(QString, challenge);
        QFETCH(QString, origin);
        QFETCH(QByteArray, expected);
        const QByteArray json = SecurityKeySignIn::clientDataJson(challenge, origin);
        QCOMPARE(json, expected);
        const QJsonObject parsed = QJsonDocument::fromJson(json).object();
        QCOMPARE(parsed.value(QLatin1String("origin")).toString(), origin);
        QCOMPARE(parsed.value(QLatin1String("challenge")).toString(), challenge);
    }

    void clientDataHashKnownAnswer()
    {
        QCOMPARE(crypto::sha256(SecurityKeySignIn::clientDataJson(kChallenge, kOrigin)).toHex(),
                 QByteArray("62ea0223577f0254ab662f8d4b085efb730ba921d317099b3fc12bf9f4b40be8"));
    }

    void usernameFirstSignIn()
    {
        const QByteArray allowed("credential-\x01\x02\xff", 14);
        m_cloud.publicKey.insert(QStringLiteral("allowCredentials"),
                                 QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("public-key")},
                                                          {QStringLiteral("id"), b64(allowed)}},
                                             QJsonObject {{QStringLiteral("type"), QStringLiteral("future-kind")},
                                                          {QStringLiteral("id"), QStringLiteral("!!")}}});
        const auto pin = std::make_shared<const crypto::SecretBytes>(QByteArray("4711"));
        Result<SharedSession> r = Error {};
        QVERIFY(await(m_signIn->signIn(QStringLiteral("ada@msp.test"), pin), &r));
        QVERIFY2(r.ok(), why(r));
        QCOMPARE((*r)->sessionId, QStringLiteral("ses_1"));
        QCOMPARE((*r)->token.bytes(), QByteArray("session-token"));

        QCOMPARE(m_cloud.requests.size(), 2);
        const ApiRequest& begin = m_cloud.requests.at(0);
        QCOMPARE(begin.method, QByteArray("POST"));
        QCOMPARE(begin.path, QStringLiteral("/v1/auth/signin/begin"));
        QVERIFY(!begin.authenticated);
        QCOMPARE(begin.body->value(QLatin1String("email")).toString(), QStringLiteral("ada@msp.test"));

        QCOMPARE(m_keys->asked.size(), 1);
        const AssertionRequest& asked = m_keys->asked.first();
        const QByteArray clientData = SecurityKeySignIn::clientDataJson(kChallenge, kOrigin);
        QCOMPARE(asked.rpId, QStringLiteral("localhost"));
        QCOMPARE(asked.clientDataHash, crypto::sha256(clientData));
        QCOMPARE(asked.allowCredentialIds, QList<QByteArray> {allowed}); // the unknown kind is skipped
        QVERIFY(asked.userVerification);
        QCOMPARE(asked.pin.get(), pin.get());
        QCOMPARE(asked.timeoutMs, 120'000); // the cloud's five minutes, bounded

        const ApiRequest& finish = m_cloud.requests.at(1);
        QCOMPARE(finish.path, QStringLiteral("/v1/auth/signin/finish"));
        QVERIFY(finish.sensitive);
        QVERIFY(!finish.authenticated);
        const QJsonObject body = *finish.body;
        QCOMPARE(body.value(QLatin1String("ceremonyId")).toString(), QStringLiteral("cer_1"));
        const QJsonObject credential = body.value(QLatin1String("credential")).toObject();
        const Assertion expected = cannedAssertion();
        QCOMPARE(credential.value(QLatin1String("id")).toString(), b64(expected.credentialId));
        QVERIFY(!credential.value(QLatin1String("id")).toString().contains(QLatin1Char('=')));
        QCOMPARE(credential.value(QLatin1String("rawId")).toString(), b64(expected.credentialId));
        QCOMPARE(credential.value(QLatin1String("type")).toString(), QStringLiteral("public-key"));
        const QJsonObject response = credential.value(QLatin1String("response")).toObject();
        QCOMPARE(unb64(response.value(QLatin1String("clientDataJSON"))), clientData);
        QCOMPARE(unb64(response.value(QLatin1String("authenticatorData"))), expected.authenticatorData);
        QCOMPARE(unb64(response.value(QLatin1String("signature"))), expected.signature);
        QCOMPARE(unb64(response.value(QLatin1String("userHandle"))), expected.userHandle);
    }

    void discoverableSignIn()
    {
        m_keys->answer = Result<Assertion>(cannedAssertion(QByteArray()));
        Result<SharedSession> r = Error {};
        QVERIFY(await(m_signIn->signIn(), &r));
        QVERIFY(r.ok());
        QVERIFY(!m_cloud.requests.at(0).body->contains(QLatin1String("email")));
        QVERIFY(m_keys->asked.first().allowCredentialIds.isEmpty());
        QVERIFY(!m_keys->asked.first().pin);
        const QJsonObject response = m_cloud.finishBody()
                                         .value(QLatin1String("credential"))
                                         .toObject()
                                         .value(QLatin1String("response"))
                                         .toObject();
        QVERIFY(!response.contains(QLatin1String("userHandle"))); // none from the key: none posted
    }

    void theCloudsTimeoutIsBounded_data()
    {
        QTest::addColumn<QJsonValue>("timeout");
        QTest::addColumn<int>("expected");
        QTest::newRow("none") << QJsonValue(QJsonValue::Undefined) << 60'000;
        QTest::newRow("one second") << QJsonValue(1000) << 15'000;
        QTest::newRow("a minute and a half") << QJsonValue(90'000) << 90'000;
        QTest::newRow("a day") << QJsonValue(86'400'000) << 120'000;
    }
    void theCloudsTimeoutIsBounded()
    {
        QFETCH(QJsonValue, timeout);
        QFETCH(int, expected);
        if (timeout.isUndefined())
            m_cloud.publicKey.remove(QStringLiteral("timeout"));
        else
            m_cloud.publicKey.insert(QStringLiteral("timeout"), timeout);
        Result<SharedSession> r = Error {};
        QVERIFY(await(m_signIn->signIn(), &r));
        QCOMPARE(m_keys->asked.first().timeoutMs, expected);
    }

    void aParentDomainIsAcceptedAsRelyingParty()
    {
        m_cloud.originValue = QStringLiteral("https://stint.msp.example");
        m_cloud.publicKey.insert(QStringLiteral("rpId"), QStringLiteral("msp.example"));
        Result<SharedSession> r = Error {};
        QVERIFY(await(m_signIn->signIn(), &r));
        QVERIFY(r.ok());
        QCOMPARE(m_keys->asked.first().rpId, QStringLiteral("msp.example"));
    }

    void optionsABrowserWouldRefuseAreRefused_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QJsonValue>("value");
        QTest::newRow("another site") << QStringLiteral("rpId") << QJsonValue(QStringLiteral("evil.example"));
        QTest::newRow("a suffix, not a domain") << QStringLiteral("rpId") << QJsonValue(QStringLiteral("host"));
        QTest::newRow("a child domain") << QStringLiteral("rpId") << QJsonValue(QStringLiteral("x.localhost"));
        QTest::newRow("no rp id") << QStringLiteral("rpId") << QJsonValue(QJsonValue::Undefined);
        QTest::newRow("rp id a number") << QStringLiteral("rpId") << QJsonValue(7);
        QTest::newRow("no challenge") << QStringLiteral("challenge") << QJsonValue(QJsonValue::Undefined);
        QTest::newRow("short challenge") << QStringLiteral("challenge") << QJsonValue(QStringLiteral("AAECAw"));
        QTest::newRow("padded challenge")
            << QStringLiteral("challenge") << QJsonValue(kChallenge + QStringLiteral("=="));
        QTest::newRow("challenge not base64url")
            << QStringLiteral("challenge") << QJsonValue(QStringLiteral("AAECAwQFBgcICQoLDA0O+/"));
        QTest::newRow("allowCredentials an object") << QStringLiteral("allowCredentials") << QJsonValue(QJsonObject());
        QTest::newRow("credential id not base64url")
            << QStringLiteral("allowCredentials")
            << QJsonValue(QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("public-key")},
                                                   {QStringLiteral("id"), QStringLiteral("a b")}}});
        QTest::newRow("credential without a type")
            << QStringLiteral("allowCredentials")
            << QJsonValue(QJsonArray {QJsonObject {{QStringLiteral("id"), QStringLiteral("AAAA")}}});
        QJsonArray many;
        for (int i = 0; i < 65; ++i)
            many.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("public-key")},
                                     {QStringLiteral("id"), QStringLiteral("AAAA")}});
        QTest::newRow("too many credentials") << QStringLiteral("allowCredentials") << QJsonValue(many);
        QTest::newRow("timeout a string") << QStringLiteral("timeout") << QJsonValue(QStringLiteral("soon"));
        QTest::newRow("negative timeout") << QStringLiteral("timeout") << QJsonValue(-5);
        QTest::newRow("userVerification a bool") << QStringLiteral("userVerification") << QJsonValue(true);
    }
    void optionsABrowserWouldRefuseAreRefused()
    {
        QFETCH(QString, field);
        QFETCH(QJsonValue, value);
        if (value.isUndefined())
            m_cloud.publicKey.remove(field);
        else
            m_cloud.publicKey.insert(field, value);
        Result<SharedSession> r = Error {};
        QVERIFY(await(m_signIn->signIn(), &r));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QString::fromLatin1(client::errors::kUnexpected));
        QCOMPARE(m_keys->asked.size(), 0);
        QCOMPARE(m_cloud.count(QStringLiteral("/v1/auth/signin/finish")), 0);
    }

    void keyErrorsEndTheSignIn_data()
    {
        QTest::addColumn<QString>("code");
        QTest::newRow("PIN required") << QString::fromLatin1(codes::kPinRequired);
        QTest::newRow("wrong PIN") << QString::fromLatin1(codes::kPinInvalid);
        QTest::newRow("no passkey") << QString::fromLatin1(codes::kNoCredential);
        QTest::newRow("nobody touched") << QString::fromLatin1(codes::kTimeout);
        QTest::newRow("no key") << QString::fromLatin1(codes::kNoDevice);
    }
    void keyErrorsEndTheSignIn()
    {
        QFETCH(QString, code);
        m_keys->answer
            = Result<Assertion>(Error {code, QStringLiteral("from the key"), {{QStringLiteral("retriesLeft"), 3}}});
        Result<SharedSession> r = Error {};
        QVERIFY(await(m_signIn->signIn(), &r));
        QCOMPARE(r.error().code, code);
        QCOMPARE(r.error().details.value(QLatin1String("retriesLeft")).toInt(), 3);
        QCOMPARE(m_cloud.count(QStringLiteral("/v1/auth/signin/finish")), 0);
    }

    void cloudErrorsPassThrough_data()
    {
        QTest::addColumn<bool>("atBegin");
        QTest::newRow("begin") << true;
        QTest::newRow("finish") << false;
    }
    void cloudErrorsPassThrough()
    {
        QFETCH(bool, atBegin);
        const Error refused {
            QStringLiteral("api.webauthn-rejected"), QStringLiteral("no"), {{QStringLiteral("status"), 400}}};
        (atBegin ? m_cloud.beginError : m_cloud.finishError) = refused;
        Result<SharedSession> r = Error {};
        QVERIFY(await(m_signIn->signIn(), &r));
        QCOMPARE(r.error().code, refused.code);
        QCOMPARE(m_keys->asked.size(), atBegin ? 0 : 1);
    }

    void cancelWhileTheKeyWaits()
    {
        m_keys->answer.reset();
        const Call<SharedSession> call = m_signIn->signIn();
        QTRY_COMPARE(m_keys->asked.size(), 1);
        m_signIn->cancel();
        QVERIFY(call.isFinished()); // at once
        QCOMPARE(call.result()->error().code, QString::fromLatin1(codes::kCancelled));
        QCOMPARE(m_keys->cancels, 1);
        m_keys->waiting.resolve(cannedAssertion()); // the key answers anyway: nothing is posted
        QTest::qWait(0);
        QCoreApplication::processEvents();
        QCOMPARE(m_cloud.count(QStringLiteral("/v1/auth/signin/finish")), 0);
    }

    void cancelWhileBeginIsOnItsWay()
    {
        m_cloud.holdBegin = true;
        const Call<SharedSession> call = m_signIn->signIn();
        QCOMPARE(m_cloud.requests.size(), 1);
        m_signIn->cancel();
        QCOMPARE(call.result()->error().code, QString::fromLatin1(codes::kCancelled));
        bool answered = false;
        m_cloud.heldBegin.then(this, [&](const Result<ApiResponse>&) { answered = true; });
        m_cloud.releaseBegin();
        QTRY_VERIFY(answered);
        QCoreApplication::processEvents();
        QCOMPARE(m_keys->asked.size(), 0);
    }

    void aNewSignInReplacesTheRunningOne()
    {
        m_keys->answer.reset();
        const Call<SharedSession> first = m_signIn->signIn();
        QTRY_COMPARE(m_keys->asked.size(), 1);
        m_keys->answer = Result<Assertion>(cannedAssertion());
        const Call<SharedSession> second = m_signIn->signIn();
        QCOMPARE(first.result()->error().code, QString::fromLatin1(codes::kCancelled));
        Result<SharedSession> r = Error {};
        QVERIFY(await(second, &r));
        QVERIFY(r.ok());
        QCOMPARE(m_cloud.count(QStringLiteral("/v1/auth/signin/finish")), 1);
    }

    void endToEndThroughLibfido2AndASoftwareKey()
    {
        // The real Fido2SecurityKeys, a software key with a PIN, and a cloud that checks what was posted the way a
        // relying party does: the clientDataJSON's fields, and the signature over authData ‖ SHA-256(clientDataJSON)
        // with libfido2's verifier.
        test::SoftCtapDevice::Options options;
        options.pin = "4711";
        test::SoftCtapDevice key(options);
        const QByteArray id = key.addCredential(QStringLiteral("localhost"), "per_ada");
        auto bus = std::make_shared<test::SoftCtapBus>();
        bus->plug(key);
        client::Fido2SecurityKeys keys(bus);
        SecurityKeySignIn signIn(*m_api, keys);
        QString verdict = QStringLiteral("not judged");
        m_cloud.judge = [&](const QJsonObject& credential) -> std::optional<Error> {
            const QJsonObject response = credential.value(QLatin1String("response")).toObject();
            const QByteArray clientData = unb64(response.value(QLatin1String("clientDataJSON")));
            const QByteArray authData = unb64(response.value(QLatin1String("authenticatorData")));
            const QByteArray sig = unb64(response.value(QLatin1String("signature")));
            const QJsonObject cd = QJsonDocument::fromJson(clientData).object();
            if (cd.value(QLatin1String("type")).toString() != QLatin1String("webauthn.get")
                || cd.value(QLatin1String("challenge")).toString() != kChallenge
                || cd.value(QLatin1String("origin")).toString() != kOrigin
                || cd.value(QLatin1String("crossOrigin")).toBool(true))
                verdict = QStringLiteral("client data");
            else if (unb64(credential.value(QLatin1String("rawId"))) != id)
                verdict = QStringLiteral("credential id");
            else {
                const QByteArray cdh = crypto::sha256(clientData);
                const QByteArray point = key.publicKey(id);
                fido_assert_t* fa = fido_assert_new();
                es256_pk_t* pk = es256_pk_new();
                fido_assert_set_count(fa, 1);
                fido_assert_set_rp(fa, "localhost");
                fido_assert_set_clientdata_hash(fa, reinterpret_cast<const unsigned char*>(cdh.constData()), 32);
                fido_assert_set_authdata_raw(fa, 0, reinterpret_cast<const unsigned char*>(authData.constData()),
                                             size_t(authData.size()));
                fido_assert_set_sig(fa, 0, reinterpret_cast<const unsigned char*>(sig.constData()), size_t(sig.size()));
                fido_assert_set_uv(fa, FIDO_OPT_TRUE);
                es256_pk_from_ptr(pk, point.constData(), size_t(point.size()));
                verdict = fido_assert_verify(fa, 0, COSE_ES256, pk) == FIDO_OK ? QStringLiteral("ok")
                                                                               : QStringLiteral("signature");
                es256_pk_free(&pk);
                fido_assert_free(&fa);
            }
            if (verdict == QLatin1String("ok"))
                return std::nullopt;
            return Error {QStringLiteral("api.webauthn-rejected"), verdict, {}};
        };
        Result<SharedSession> r = Error {};
        QVERIFY(await(signIn.signIn({}, {}), &r));
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kPinRequired)); // first without the PIN
        QVERIFY(await(signIn.signIn({}, std::make_shared<const crypto::SecretBytes>(QByteArray("4711"))), &r));
        QVERIFY2(r.ok(), why(r));
        QCOMPARE(verdict, QStringLiteral("ok"));
        QCOMPARE(key.signCount(id), 1u);
    }
};

QTEST_GUILESS_MAIN(TestSecurityKeySignIn)
#include "TestSecurityKeySignIn.moc"
