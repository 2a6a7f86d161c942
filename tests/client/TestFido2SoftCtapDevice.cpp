// SPDX-License-Identifier: GPL-3.0-or-later
// The software CTAP2 key against the real libfido2, with nothing of Stint in between: what libfido2 reads from its
// getInfo, credentials made and checked with libfido2's own verifier (packed self attestation), assertions checked
// with fido_assert_verify under both PIN protocols, PIN retries and blocking, the touch probe, long messages over
// CONT packets, CTAPHID_CANCEL, the key's own timeout and an unplugged key. The other FIDO2 tests rely on this tool.
#include "support/client/SoftCtapDevice.h"

#include <QtTest>
#include <fido.h>
#include <fido/es256.h>
#include <future>
#include <thread>

using stint::test::SoftCtapDevice;

namespace {

// A libfido2 device, closed and freed with the scope.
class Opened
{
public:
    explicit Opened(fido_dev_t* dev)
        : m_dev(dev)
    {
    }
    ~Opened()
    {
        if (m_dev) {
            fido_dev_close(m_dev);
            fido_dev_free(&m_dev);
        }
    }
    Opened(const Opened&) = delete;
    Opened& operator=(const Opened&) = delete;
    fido_dev_t* get() const { return m_dev; }
    explicit operator bool() const { return m_dev != nullptr; }

private:
    fido_dev_t* m_dev;
};

class Assert
{
public:
    Assert(const QString& rpId, const QByteArray& cdh, const QList<QByteArray>& allow, bool uv)
        : m_a(fido_assert_new())
    {
        fido_assert_set_rp(m_a, rpId.toUtf8().constData());
        fido_assert_set_clientdata_hash(m_a, reinterpret_cast<const unsigned char*>(cdh.constData()),
                                        size_t(cdh.size()));
        for (const QByteArray& id : allow)
            fido_assert_allow_cred(m_a, reinterpret_cast<const unsigned char*>(id.constData()), size_t(id.size()));
        if (uv)
            fido_assert_set_uv(m_a, FIDO_OPT_TRUE);
    }
    ~Assert() { fido_assert_free(&m_a); }
    Assert(const Assert&) = delete;
    Assert& operator=(const Assert&) = delete;
    fido_assert_t* get() const { return m_a; }

private:
    fido_assert_t* m_a;
};

QByteArray randomHash()
{
    QByteArray h(32, '\0');
    for (int i = 0; i < 32; ++i)
        h[i] = char(QRandomGenerator::global()->bounded(256));
    return h;
}

// fido_assert_verify with the key's public key (libfido2's own verifier, OpenSSL underneath).
int verifyWith(const SoftCtapDevice& key, const QByteArray& credentialId, fido_assert_t* a, size_t idx = 0)
{
    const QByteArray point = key.publicKey(credentialId);
    es256_pk_t* pk = es256_pk_new();
    int r = es256_pk_from_ptr(pk, point.constData(), size_t(point.size()));
    if (r == FIDO_OK)
        r = fido_assert_verify(a, idx, COSE_ES256, pk);
    es256_pk_free(&pk);
    return r;
}

SoftCtapDevice::Options keyOptions(bool ctap21, bool pinSupported, const QByteArray& pin, bool builtInUv)
{
    SoftCtapDevice::Options o;
    o.ctap21 = ctap21;
    o.pinSupported = pinSupported;
    o.pin = pin;
    o.builtInUv = builtInUv;
    return o;
}

} // namespace

class TestFido2SoftCtapDevice : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { fido_init(0); }

    void libfido2ReadsTheKeysInfo_data()
    {
        QTest::addColumn<bool>("ctap21");
        QTest::addColumn<bool>("pinSupported");
        QTest::addColumn<QByteArray>("pin");
        QTest::addColumn<bool>("builtInUv");
        QTest::addColumn<bool>("hasPin");
        QTest::addColumn<bool>("hasUv");
        QTest::addColumn<bool>("permissions");
        QTest::newRow("2.1 with PIN") << true << true << QByteArray("1234") << false << true << false << true;
        QTest::newRow("2.1 PIN not set") << true << true << QByteArray() << false << false << false << true;
        QTest::newRow("2.0 with PIN") << false << true << QByteArray("1234") << false << true << false << false;
        QTest::newRow("fingerprint") << true << true << QByteArray() << true << false << true << true;
        QTest::newRow("no PIN support") << false << false << QByteArray() << false << false << false << false;
    }
    void libfido2ReadsTheKeysInfo()
    {
        QFETCH(bool, ctap21);
        QFETCH(bool, pinSupported);
        QFETCH(QByteArray, pin);
        QFETCH(bool, builtInUv);
        QFETCH(bool, hasPin);
        QFETCH(bool, hasUv);
        QFETCH(bool, permissions);
        SoftCtapDevice key(keyOptions(ctap21, pinSupported, pin, builtInUv));
        Opened dev(key.open());
        QVERIFY(dev);
        QVERIFY(fido_dev_is_fido2(dev.get()));
        QCOMPARE(fido_dev_supports_pin(dev.get()), pinSupported);
        QCOMPARE(fido_dev_has_pin(dev.get()), hasPin);
        QCOMPARE(fido_dev_has_uv(dev.get()), hasUv);
        QCOMPARE(fido_dev_supports_permissions(dev.get()), permissions);
        QCOMPARE(int(fido_dev_protocol(dev.get())), 2); // CTAPHID protocol version from INIT
        QCOMPARE(key.commandsReceived(0x04), 1); // authenticatorGetInfo
    }

    void credentialsAreMadeAndAssertionsVerify_data()
    {
        QTest::addColumn<bool>("ctap21");
        QTest::addColumn<QByteArray>("pin");
        QTest::addColumn<bool>("builtInUv");
        QTest::newRow("2.1, PIN protocol 2") << true << QByteArray("1234") << false;
        QTest::newRow("2.0, PIN protocol 1") << false << QByteArray("1234") << false;
        QTest::newRow("2.1, built-in UV") << true << QByteArray() << true;
        QTest::newRow("2.0, built-in UV") << false << QByteArray() << true;
        QTest::newRow("unicode PIN") << true << QByteArray("p\xc3\xa4ss\xe2\x82\xac") << false;
    }
    void credentialsAreMadeAndAssertionsVerify()
    {
        QFETCH(bool, ctap21);
        QFETCH(QByteArray, pin);
        QFETCH(bool, builtInUv);
        SoftCtapDevice key(keyOptions(ctap21, true, pin, builtInUv));
        Opened dev(key.open());
        QVERIFY(dev);
        const char* pinArg = pin.isEmpty() ? nullptr : pin.constData();

        fido_cred_t* cred = fido_cred_new();
        const QByteArray cdh = randomHash();
        const QByteArray userId("per_1234");
        QCOMPARE(fido_cred_set_type(cred, COSE_ES256), FIDO_OK);
        QCOMPARE(fido_cred_set_clientdata_hash(cred, reinterpret_cast<const unsigned char*>(cdh.constData()), 32),
                 FIDO_OK);
        QCOMPARE(fido_cred_set_rp(cred, "localhost", "Stint"), FIDO_OK);
        QCOMPARE(fido_cred_set_user(cred, reinterpret_cast<const unsigned char*>(userId.constData()),
                                    size_t(userId.size()), "ada@msp.test", "Ada", nullptr),
                 FIDO_OK);
        QCOMPARE(fido_cred_set_rk(cred, FIDO_OPT_TRUE), FIDO_OK);
        if (builtInUv)
            QCOMPARE(fido_cred_set_uv(cred, FIDO_OPT_TRUE), FIDO_OK);
        QCOMPARE(fido_dev_make_cred(dev.get(), cred, pinArg), FIDO_OK);
        QCOMPARE(QByteArray(fido_cred_fmt(cred)), QByteArray("packed"));
        QCOMPARE(fido_cred_verify_self(cred), FIDO_OK); // libfido2 checks the self attestation
        QVERIFY(fido_cred_flags(cred) & 0x04); // UV
        const QByteArray credentialId(reinterpret_cast<const char*>(fido_cred_id_ptr(cred)),
                                      qsizetype(fido_cred_id_len(cred)));
        fido_cred_free(&cred);
        QCOMPARE(key.credentialIds(), QList<QByteArray> {credentialId});

        // Discoverable: no allow list, the user handle comes back.
        for (quint32 expectedCount : {1u, 2u}) {
            const QByteArray hash = randomHash();
            Assert a(QStringLiteral("localhost"), hash, {}, true);
            QCOMPARE(fido_dev_get_assert(dev.get(), a.get(), pinArg), FIDO_OK);
            QCOMPARE(fido_assert_count(a.get()), size_t(1));
            QCOMPARE(QByteArray(reinterpret_cast<const char*>(fido_assert_user_id_ptr(a.get(), 0)),
                                qsizetype(fido_assert_user_id_len(a.get(), 0))),
                     userId);
            QCOMPARE(fido_assert_sigcount(a.get(), 0), expectedCount);
            QCOMPARE(verifyWith(key, credentialId, a.get()), FIDO_OK);
        }
        // With an allow list, and a wrong relying party.
        Assert allowed(QStringLiteral("localhost"), randomHash(), {QByteArray(16, 'x'), credentialId}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), allowed.get(), pinArg), FIDO_OK);
        QCOMPARE(verifyWith(key, credentialId, allowed.get()), FIDO_OK);
        Assert elsewhere(QStringLiteral("evil.test"), randomHash(), {}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), elsewhere.get(), pinArg), FIDO_ERR_NO_CREDENTIALS);
    }

    void severalDiscoverableCredentialsComeOneByOne()
    {
        SoftCtapDevice key(keyOptions(true, true, {}, true));
        const QByteArray first = key.addCredential(QStringLiteral("localhost"), "user-1");
        const QByteArray second = key.addCredential(QStringLiteral("localhost"), "user-2");
        key.addCredential(QStringLiteral("localhost"), "user-3", false); // not discoverable: never listed
        Opened dev(key.open());
        Assert a(QStringLiteral("localhost"), randomHash(), {}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), a.get(), nullptr), FIDO_OK);
        QCOMPARE(fido_assert_count(a.get()), size_t(2));
        QCOMPARE(verifyWith(key, second, a.get(), 0), FIDO_OK); // newest first
        QCOMPARE(verifyWith(key, first, a.get(), 1), FIDO_OK);
        QCOMPARE(key.commandsReceived(0x08), 1); // authenticatorGetNextAssertion
    }

    void wrongPinsCountDownAndBlock()
    {
        SoftCtapDevice key(keyOptions(true, true, "1234", false));
        const QByteArray id = key.addCredential(QStringLiteral("localhost"), "u");
        Opened dev(key.open());
        int retries = -1;
        for (int expected : {7, 6}) {
            Assert a(QStringLiteral("localhost"), randomHash(), {id}, true);
            QCOMPARE(fido_dev_get_assert(dev.get(), a.get(), "9999"), FIDO_ERR_PIN_INVALID);
            QCOMPARE(fido_dev_get_retry_count(dev.get(), &retries), FIDO_OK);
            QCOMPARE(retries, expected);
        }
        Assert third(QStringLiteral("localhost"), randomHash(), {id}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), third.get(), "9999"), FIDO_ERR_PIN_AUTH_BLOCKED);
        Assert refused(QStringLiteral("localhost"), randomHash(), {id}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), refused.get(), "1234"), FIDO_ERR_PIN_AUTH_BLOCKED);
        QCOMPARE(key.pinRetries(), 5);
        key.powerCycle();
        Assert right(QStringLiteral("localhost"), randomHash(), {id}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), right.get(), "1234"), FIDO_OK);
        QCOMPARE(key.pinRetries(), 8);
        QCOMPARE(key.pinChecks(), 4);
    }

    void theLastWrongPinBlocksTheKey()
    {
        auto options = keyOptions(false, true, "1234", false);
        options.pinRetries = 1;
        SoftCtapDevice key(options);
        const QByteArray id = key.addCredential(QStringLiteral("localhost"), "u");
        Opened dev(key.open());
        Assert wrong(QStringLiteral("localhost"), randomHash(), {id}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), wrong.get(), "0000"), FIDO_ERR_PIN_BLOCKED);
        Assert right(QStringLiteral("localhost"), randomHash(), {id}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), right.get(), "1234"), FIDO_ERR_PIN_BLOCKED);
        QCOMPARE(key.pinChecks(), 1); // a blocked key checks no PIN at all
    }

    void verificationWithoutPinOrUvIsRefused_data()
    {
        QTest::addColumn<QByteArray>("pin");
        QTest::addColumn<int>("expected");
        QTest::newRow("PIN set, none given") << QByteArray("1234") << FIDO_ERR_PIN_REQUIRED;
        QTest::newRow("no PIN, no UV") << QByteArray() << FIDO_ERR_UNSUPPORTED_OPTION;
    }
    void verificationWithoutPinOrUvIsRefused()
    {
        QFETCH(QByteArray, pin);
        QFETCH(int, expected);
        SoftCtapDevice key(keyOptions(false, true, pin, false)); // CTAP 2.0: libfido2 sends {"uv": true} as is
        const QByteArray id = key.addCredential(QStringLiteral("localhost"), "u");
        Opened dev(key.open());
        Assert a(QStringLiteral("localhost"), randomHash(), {id}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), a.get(), nullptr), expected);
    }

    void longMessagesSpanContinuationPackets()
    {
        SoftCtapDevice key(keyOptions(true, true, {}, true));
        const QByteArray id = key.addCredential(QStringLiteral("localhost"), "u");
        QList<QByteArray> allow;
        for (int i = 0; i < 20; ++i)
            allow << QByteArray(64, char('a' + i)); // about 1.4 kB of request: one INIT and 24 CONT packets
        allow << id;
        Opened dev(key.open());
        Assert a(QStringLiteral("localhost"), randomHash(), allow, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), a.get(), nullptr), FIDO_OK);
        QCOMPARE(verifyWith(key, id, a.get()), FIDO_OK);
    }

    void theTouchProbeWaitsForATouch()
    {
        auto options = keyOptions(true, true, "1234", false);
        options.presence = SoftCtapDevice::Presence::Manual;
        SoftCtapDevice key(options);
        Opened dev(key.open());
        QCOMPARE(fido_dev_get_touch_begin(dev.get()), FIDO_OK);
        int touched = -1;
        QCOMPARE(fido_dev_get_touch_status(dev.get(), &touched, 50), FIDO_OK);
        QCOMPARE(touched, 0);
        QVERIFY(key.waitingForTouch());
        key.touch();
        QCOMPARE(fido_dev_get_touch_status(dev.get(), &touched, 1000), FIDO_OK);
        QCOMPARE(touched, 1);
        QCOMPARE(key.credentialCount(), 0); // the probe makes nothing
    }

    void cancelStopsAWaitingRequest()
    {
        auto options = keyOptions(true, true, {}, true);
        options.presence = SoftCtapDevice::Presence::Manual;
        SoftCtapDevice key(options);
        const QByteArray id = key.addCredential(QStringLiteral("localhost"), "u");
        Opened dev(key.open());
        Assert a(QStringLiteral("localhost"), randomHash(), {id}, true);
        auto result = std::async(std::launch::async, [&] { return fido_dev_get_assert(dev.get(), a.get(), nullptr); });
        QTRY_VERIFY(key.waitingForTouch());
        QCOMPARE(fido_dev_cancel(dev.get()), FIDO_OK);
        QCOMPARE(result.get(), FIDO_ERR_KEEPALIVE_CANCEL);
        QCOMPARE(key.cancelsReceived(), 1);
        QCOMPARE(key.signCount(id), 0u);
    }

    void theKeyGivesUpWaitingOnItsOwn()
    {
        auto options = keyOptions(true, true, {}, true);
        options.presence = SoftCtapDevice::Presence::Never;
        options.userActionTimeoutMs = 300; // keepalives flow meanwhile; libfido2 skips them
        SoftCtapDevice key(options);
        const QByteArray id = key.addCredential(QStringLiteral("localhost"), "u");
        Opened dev(key.open());
        Assert a(QStringLiteral("localhost"), randomHash(), {id}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), a.get(), nullptr), FIDO_ERR_USER_ACTION_TIMEOUT);
    }

    void libfido2TimesOutOnAKeyNobodyTouches()
    {
        auto options = keyOptions(true, true, {}, true);
        options.presence = SoftCtapDevice::Presence::Never;
        SoftCtapDevice key(options);
        const QByteArray id = key.addCredential(QStringLiteral("localhost"), "u");
        Opened dev(key.open());
        QCOMPARE(fido_dev_set_timeout(dev.get(), 300), FIDO_OK);
        Assert a(QStringLiteral("localhost"), randomHash(), {id}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), a.get(), nullptr), FIDO_ERR_RX);
    }

    void anUnpluggedKeyFailsItsIo()
    {
        SoftCtapDevice key(keyOptions(true, true, {}, true));
        const QByteArray id = key.addCredential(QStringLiteral("localhost"), "u");
        Opened dev(key.open());
        key.unplug();
        Assert a(QStringLiteral("localhost"), randomHash(), {id}, false);
        QCOMPARE(fido_dev_get_assert(dev.get(), a.get(), nullptr), FIDO_ERR_TX);
        // With user verification, libfido2 first fetches the key agreement, and reports the failure as internal.
        Assert verified(QStringLiteral("localhost"), randomHash(), {id}, true);
        QCOMPARE(fido_dev_get_assert(dev.get(), verified.get(), nullptr), FIDO_ERR_INTERNAL);
        QVERIFY(!Opened(key.open()));
    }
};

QTEST_GUILESS_MAIN(TestFido2SoftCtapDevice)
#include "TestFido2SoftCtapDevice.moc"
