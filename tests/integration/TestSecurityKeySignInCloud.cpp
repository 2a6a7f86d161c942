// SPDX-License-Identifier: GPL-3.0-or-later
// Security-key sign-in of the desktop app against the real cloud (in-process, real HTTP): a software CTAP2 key
// enrolled through libfido2's makeCredential and the cloud's invite enrollment, then SecurityKeySignIn over
// HttpTransport and CloudApi with Fido2SecurityKeys — discoverable and username-first, PIN protocols one and two and
// a fingerprint key — to a session /v1/me accepts. And what the cloud refuses: another origin, a replayed assertion,
// a passkey it does not know. (Named apart from tests/client/TestSecurityKeySignIn: each test file is a target of its
// own name.)
#include "client/ApiError.h"
#include "client/CloudApi.h"
#include "client/HttpTransport.h"
#include "client/SecurityKeySignIn.h"
#include "client/fido2/Fido2SecurityKeys.h"
#include "cloud/CloudService.h"
#include "cloud/directory/DirectoryStore.h"
#include "core/Crypto.h"
#include "support/CloudFixture.h"
#include "support/client/SoftCtapDevice.h"

#include <QCborMap>
#include <QCborValue>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <fido.h>

using namespace stint;
using client::ApiRequest;
using client::ApiResponse;
using client::Call;
using client::SharedSession;
using test::ApiReply;
using test::CloudFixture;
using test::SoftCtapBus;
using test::SoftCtapDevice;

namespace {

QString b64(const QByteArray& bytes)
{
    return QString::fromLatin1(crypto::base64UrlEncode(bytes));
}

QByteArray fromB64(const QJsonValue& v)
{
    auto bytes = crypto::base64UrlDecode(v.toString().toLatin1());
    return bytes ? *bytes : QByteArray();
}

QByteArray bytesOf(const unsigned char* ptr, size_t len)
{
    return ptr && len ? QByteArray(reinterpret_cast<const char*>(ptr), qsizetype(len)) : QByteArray();
}

template <typename T> QByteArray why(const Result<T>& r)
{
    return r.ok() ? QByteArray("ok") : (r.error().code + QStringLiteral(": ") + r.error().message).toUtf8();
}

// A transport that passes everything to the real one, keeps what was sent, and can claim another origin.
class RecordingTransport : public client::ApiTransport
{
public:
    explicit RecordingTransport(client::ApiTransport& inner)
        : m_inner(inner)
    {
    }
    QList<ApiRequest> sent;
    QString claimedOrigin;

    Call<ApiResponse> send(const ApiRequest& request) override
    {
        sent << request;
        return m_inner.send(request);
    }
    void setSessionToken(const crypto::SecretBytes& token) override { m_inner.setSessionToken(token); }
    bool hasSessionToken() const override { return m_inner.hasSessionToken(); }
    QString origin() const override { return claimedOrigin.isEmpty() ? m_inner.origin() : claimedOrigin; }

private:
    client::ApiTransport& m_inner;
};

} // namespace

class TestSecurityKeySignInCloud : public QObject
{
    Q_OBJECT

    std::unique_ptr<CloudFixture> m_cloud;
    QString m_org;
    std::shared_ptr<SoftCtapBus> m_bus;
    std::unique_ptr<client::HttpTransport> m_http;
    std::unique_ptr<RecordingTransport> m_transport;
    std::unique_ptr<client::CloudApi> m_api;
    std::unique_ptr<client::Fido2SecurityKeys> m_keys;
    std::unique_ptr<client::SecurityKeySignIn> m_signIn;

    // navigator.credentials.create() done the native way: libfido2's makeCredential on the key, for the cloud's
    // creation options, answered as the PublicKeyCredential JSON a browser posts.
    QJsonObject makeCredential(SoftCtapDevice& key, const QJsonObject& options, const QByteArray& pin, bool builtInUv,
                               int* fidoResult)
    {
        const QByteArray clientData = QByteArrayLiteral("{\"type\":\"webauthn.create\",\"challenge\":\"")
            + options.value(QLatin1String("challenge")).toString().toLatin1() + QByteArrayLiteral("\",\"origin\":\"")
            + m_cloud->service().origin().toLatin1() + QByteArrayLiteral("\",\"crossOrigin\":false}");
        const QByteArray cdh = crypto::sha256(clientData);
        const QJsonObject rp = options.value(QLatin1String("rp")).toObject();
        const QJsonObject user = options.value(QLatin1String("user")).toObject();
        const QByteArray userId = fromB64(user.value(QLatin1String("id")));
        fido_dev_t* dev = key.open();
        fido_cred_t* cred = fido_cred_new();
        int r = dev ? FIDO_OK : FIDO_ERR_INTERNAL;
        if (r == FIDO_OK)
            r = fido_cred_set_type(cred, COSE_ES256);
        if (r == FIDO_OK)
            r = fido_cred_set_clientdata_hash(cred, reinterpret_cast<const unsigned char*>(cdh.constData()), 32);
        if (r == FIDO_OK)
            r = fido_cred_set_rp(cred, rp.value(QLatin1String("id")).toString().toUtf8().constData(),
                                 rp.value(QLatin1String("name")).toString().toUtf8().constData());
        if (r == FIDO_OK)
            r = fido_cred_set_user(cred, reinterpret_cast<const unsigned char*>(userId.constData()),
                                   size_t(userId.size()),
                                   user.value(QLatin1String("name")).toString().toUtf8().constData(),
                                   user.value(QLatin1String("displayName")).toString().toUtf8().constData(), nullptr);
        if (r == FIDO_OK)
            r = fido_cred_set_rk(cred, FIDO_OPT_TRUE);
        if (r == FIDO_OK && builtInUv)
            r = fido_cred_set_uv(cred, FIDO_OPT_TRUE);
        for (const QJsonValue& excluded : options.value(QLatin1String("excludeCredentials")).toArray()) {
            const QByteArray id = fromB64(excluded.toObject().value(QLatin1String("id")));
            if (r == FIDO_OK)
                r = fido_cred_exclude(cred, reinterpret_cast<const unsigned char*>(id.constData()), size_t(id.size()));
        }
        if (r == FIDO_OK)
            r = fido_dev_make_cred(dev, cred, pin.isEmpty() ? nullptr : pin.constData());
        QJsonObject credential;
        if (r == FIDO_OK) {
            QCborMap attestation;
            attestation.insert(QStringLiteral("fmt"), QString::fromLatin1(fido_cred_fmt(cred)));
            attestation.insert(QStringLiteral("attStmt"),
                               QCborValue::fromCbor(bytesOf(fido_cred_attstmt_ptr(cred), fido_cred_attstmt_len(cred))));
            attestation.insert(QStringLiteral("authData"),
                               bytesOf(fido_cred_authdata_raw_ptr(cred), fido_cred_authdata_raw_len(cred)));
            const QByteArray id = bytesOf(fido_cred_id_ptr(cred), fido_cred_id_len(cred));
            credential = {{QStringLiteral("id"), b64(id)},
                          {QStringLiteral("rawId"), b64(id)},
                          {QStringLiteral("type"), QStringLiteral("public-key")},
                          {QStringLiteral("authenticatorAttachment"), QStringLiteral("cross-platform")},
                          {QStringLiteral("clientExtensionResults"), QJsonObject()},
                          {QStringLiteral("response"),
                           QJsonObject {{QStringLiteral("clientDataJSON"), b64(clientData)},
                                        {QStringLiteral("attestationObject"), b64(attestation.toCborValue().toCbor())},
                                        {QStringLiteral("transports"), QJsonArray {QStringLiteral("usb")}}}}};
        }
        fido_cred_free(&cred);
        if (dev) {
            fido_dev_close(dev);
            fido_dev_free(&dev);
        }
        *fidoResult = r;
        return credential;
    }

    // Enrollment by invite (register/begin, makeCredential, register/finish); the enrolled person's id, or "".
    QString enroll(SoftCtapDevice& key, const QString& email, const QByteArray& pin, bool builtInUv)
    {
        auto invite
            = cloud::directory::createInvite(m_cloud->db(), m_cloud->clock(), m_cloud->service().config(), m_org, email,
                                             QStringLiteral("Ada"), QStringLiteral("technician"), {});
        if (!invite)
            return {};
        const ApiReply begin = m_cloud->api().post(QStringLiteral("/v1/auth/register/begin"), {},
                                                   {{QStringLiteral("inviteToken"), invite->token}});
        if (begin.status != 200)
            return {};
        int fido = FIDO_ERR_INTERNAL;
        const QJsonObject credential
            = makeCredential(key, begin.json.value(QLatin1String("publicKey")).toObject(), pin, builtInUv, &fido);
        if (fido != FIDO_OK) {
            qWarning() << "makeCredential:" << fido_strerr(fido);
            return {};
        }
        const ApiReply finish
            = m_cloud->api().post(QStringLiteral("/v1/auth/register/finish"), {},
                                  {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                                   {QStringLiteral("credential"), credential}});
        if (finish.status != 200) {
            qWarning() << "register/finish:" << finish.describe();
            return {};
        }
        return finish.json.value(QLatin1String("person")).toObject().value(QLatin1String("id")).toString();
    }

    bool await(const Call<SharedSession>& call, Result<SharedSession>* out)
    {
        std::optional<Result<SharedSession>> seen;
        call.then(this, [&](const Result<SharedSession>& r) { seen = r; });
        if (!QTest::qWaitFor([&] { return seen.has_value(); }, 30'000))
            return false;
        *out = *seen;
        return true;
    }

    Result<SharedSession> signIn(const QString& email, const QByteArray& pin)
    {
        Result<SharedSession> r = Error {QStringLiteral("test.no_answer"), QStringLiteral("no answer in time"), {}};
        const auto secret = pin.isEmpty() ? nullptr : std::make_shared<const crypto::SecretBytes>(QByteArray(pin));
        if (!await(m_signIn->signIn(email, secret), &r))
            return Error {QStringLiteral("test.no_answer"), QStringLiteral("no answer in time"), {}};
        return r;
    }

    static QString tokenOf(const SharedSession& session) { return QString::fromUtf8(session->token.bytes()); }

private slots:
    void init()
    {
        m_cloud = std::make_unique<CloudFixture>();
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        m_org = m_cloud->addOrganization(QStringLiteral("Key MSP"));
        QVERIFY(!m_org.isEmpty());
        m_bus = std::make_shared<SoftCtapBus>();
        m_http = std::make_unique<client::HttpTransport>(QUrl(m_cloud->service().origin()));
        m_transport = std::make_unique<RecordingTransport>(*m_http);
        m_api = std::make_unique<client::CloudApi>(*m_transport);
        m_keys = std::make_unique<client::Fido2SecurityKeys>(m_bus);
        m_signIn = std::make_unique<client::SecurityKeySignIn>(*m_api, *m_keys);
    }
    void cleanup()
    {
        m_signIn.reset();
        m_keys.reset();
        m_api.reset();
        m_transport.reset();
        m_http.reset();
        m_bus.reset();
        m_cloud.reset();
    }

    void signInWithAKeyEnrolledThroughLibfido2_data()
    {
        QTest::addColumn<bool>("ctap21");
        QTest::addColumn<QByteArray>("pin");
        QTest::addColumn<bool>("builtInUv");
        QTest::newRow("CTAP 2.1, PIN protocol 2") << true << QByteArray("4711") << false;
        QTest::newRow("CTAP 2.0, PIN protocol 1") << false << QByteArray("4711") << false;
        QTest::newRow("fingerprint") << true << QByteArray() << true;
    }
    void signInWithAKeyEnrolledThroughLibfido2()
    {
        QFETCH(bool, ctap21);
        QFETCH(QByteArray, pin);
        QFETCH(bool, builtInUv);
        SoftCtapDevice::Options options;
        options.ctap21 = ctap21;
        options.pin = pin;
        options.builtInUv = builtInUv;
        SoftCtapDevice key(options);
        const QString personId = enroll(key, QStringLiteral("ada@msp.test"), pin, builtInUv);
        QVERIFY(!personId.isEmpty());
        QCOMPARE(key.credentialCount(), 1);
        m_bus->plug(key);

        if (!pin.isEmpty()) {
            const Result<SharedSession> withoutPin = signIn({}, {});
            QCOMPARE(withoutPin.error().code, QString::fromLatin1(client::fido2errors::kPinRequired));
        }
        // Discoverable: the key finds the passkey; the cloud knows the person by its user handle.
        const Result<SharedSession> discoverable = signIn({}, pin);
        QVERIFY2(discoverable.ok(), why(discoverable));
        QCOMPARE((*discoverable)->person.id, personId);
        const ApiReply me = m_cloud->api().get(QStringLiteral("/v1/me"), tokenOf(*discoverable));
        QCOMPARE(me.status, 200);
        QCOMPARE(me.json.value(QLatin1String("person")).toObject().value(QLatin1String("email")).toString(),
                 QStringLiteral("ada@msp.test"));

        // Username-first: the cloud lists the person's credentials.
        const Result<SharedSession> usernameFirst = signIn(QStringLiteral("ada@msp.test"), pin);
        QVERIFY2(usernameFirst.ok(), why(usernameFirst));
        QCOMPARE(m_cloud->api().get(QStringLiteral("/v1/me"), tokenOf(*usernameFirst)).status, 200);
        QVERIFY(tokenOf(*usernameFirst) != tokenOf(*discoverable));
        QCOMPARE(key.signCount(key.credentialIds().first()), 2u);
    }

    void anotherOriginIsRefusedByTheCloud()
    {
        SoftCtapDevice::Options options;
        options.builtInUv = true;
        SoftCtapDevice key(options);
        QVERIFY(!enroll(key, QStringLiteral("ada@msp.test"), {}, true).isEmpty());
        m_bus->plug(key);
        // Same host and RP ID, so the app itself lets it through; the origin (scheme and port) is not the cloud's.
        m_transport->claimedOrigin = QStringLiteral("http://localhost:1");
        const Result<SharedSession> r = signIn({}, {});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("api.webauthn-rejected"));
        QCOMPARE(r.error().details.value(QLatin1String("reason")).toString(), QStringLiteral("webauthn.wrong_origin"));
        m_transport->claimedOrigin.clear();
        const Result<SharedSession> right = signIn({}, {});
        QVERIFY2(right.ok(), why(right));
    }

    void aReplayedAssertionIsRefused()
    {
        SoftCtapDevice::Options options;
        options.builtInUv = true;
        SoftCtapDevice key(options);
        QVERIFY(!enroll(key, QStringLiteral("ada@msp.test"), {}, true).isEmpty());
        m_bus->plug(key);
        const Result<SharedSession> first = signIn({}, {});
        QVERIFY2(first.ok(), why(first));
        const auto finish = std::find_if(m_transport->sent.begin(), m_transport->sent.end(), [](const ApiRequest& r) {
            return r.path == QLatin1String("/v1/auth/signin/finish");
        });
        QVERIFY(finish != m_transport->sent.end());
        std::optional<Result<ApiResponse>> replay;
        m_http->send(*finish).then(this, [&](const Result<ApiResponse>& r) { replay = r; });
        QTRY_VERIFY_WITH_TIMEOUT(replay.has_value(), 15'000);
        QVERIFY(!replay->ok());
        QCOMPARE(replay->error().code, QStringLiteral("api.ceremony-invalid"));
        QCOMPARE(client::errors::httpStatus(replay->error()), 400);
    }

    void aPasskeyTheCloudDoesNotKnowIsRefused()
    {
        SoftCtapDevice::Options options;
        options.builtInUv = true;
        SoftCtapDevice key(options);
        key.addCredential(QStringLiteral("localhost"), "per_nobody"); // made elsewhere, never enrolled here
        m_bus->plug(key);
        const Result<SharedSession> r = signIn({}, {});
        QVERIFY(!r.ok());
        QCOMPARE(client::errors::httpStatus(r.error()), 401);
        QCOMPARE(client::errors::slug(r.error()), QStringLiteral("signin-failed"));
    }
};

QTEST_GUILESS_MAIN(TestSecurityKeySignInCloud)
#include "TestSecurityKeySignInCloud.moc"
