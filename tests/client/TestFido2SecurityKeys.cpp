// SPDX-License-Identifier: GPL-3.0-or-later
// Fido2SecurityKeys through the real libfido2 against software CTAP2 keys (SoftCtapDevice): discoverable and
// username-first assertions that libfido2's own verifier accepts, every PIN situation (required, wrong, blocked, not
// set), no key, several keys (the touched one wins, the PIN goes only to it), a key removed mid-ceremony, nobody
// touching, cancel(), keys without a passkey for the service, hostile answers, malformed requests — and results on
// the caller's thread while the blocking work runs elsewhere.
#include "client/fido2/Fido2SecurityKeys.h"
#include "client/fido2/HidDeviceSource.h"
#include "core/Crypto.h"
#include "support/client/SoftCtapDevice.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>
#include <fido.h>
#include <fido/es256.h>

using namespace stint;
using client::Assertion;
using client::AssertionRequest;
using client::Call;
using client::Fido2SecurityKeys;
using test::SoftCtapBus;
using test::SoftCtapDevice;
namespace codes = client::fido2errors;

namespace {

const QString kRpId = QStringLiteral("localhost");

SoftCtapDevice::Options keyWith(const QByteArray& pin, bool builtInUv, bool ctap21 = true,
                                SoftCtapDevice::Presence presence = SoftCtapDevice::Presence::Auto)
{
    SoftCtapDevice::Options o;
    o.pin = pin;
    o.builtInUv = builtInUv;
    o.ctap21 = ctap21;
    o.presence = presence;
    return o;
}

std::shared_ptr<const crypto::SecretBytes> pinOf(const QByteArray& pin)
{
    return pin.isNull() ? nullptr : std::make_shared<const crypto::SecretBytes>(QByteArray(pin));
}

AssertionRequest requestFor(const QList<QByteArray>& allow = {}, const QByteArray& pin = {}, int timeoutMs = 10'000)
{
    AssertionRequest r;
    r.rpId = kRpId;
    r.clientDataHash = crypto::sha256(crypto::randomBytes(16));
    r.allowCredentialIds = allow;
    r.userVerification = true;
    r.pin = pinOf(pin);
    r.timeoutMs = timeoutMs;
    return r;
}

// libfido2's verifier over what Fido2SecurityKeys returned: the signature covers authenticatorData ‖ clientDataHash
// and was made by the key's credential.
int verify(const SoftCtapDevice& key, const Assertion& a, const AssertionRequest& request)
{
    const QByteArray point = key.publicKey(a.credentialId);
    fido_assert_t* fa = fido_assert_new();
    es256_pk_t* pk = es256_pk_new();
    int r = fido_assert_set_count(fa, 1);
    if (r == FIDO_OK)
        r = fido_assert_set_rp(fa, request.rpId.toUtf8().constData());
    if (r == FIDO_OK)
        r = fido_assert_set_clientdata_hash(
            fa, reinterpret_cast<const unsigned char*>(request.clientDataHash.constData()), 32);
    if (r == FIDO_OK)
        r = fido_assert_set_authdata_raw(fa, 0, reinterpret_cast<const unsigned char*>(a.authenticatorData.constData()),
                                         size_t(a.authenticatorData.size()));
    if (r == FIDO_OK)
        r = fido_assert_set_sig(fa, 0, reinterpret_cast<const unsigned char*>(a.signature.constData()),
                                size_t(a.signature.size()));
    if (r == FIDO_OK)
        r = fido_assert_set_up(fa, FIDO_OPT_TRUE);
    if (r == FIDO_OK)
        r = fido_assert_set_uv(fa, FIDO_OPT_TRUE);
    if (r == FIDO_OK)
        r = es256_pk_from_ptr(pk, point.constData(), size_t(point.size()));
    if (r == FIDO_OK)
        r = fido_assert_verify(fa, 0, COSE_ES256, pk);
    es256_pk_free(&pk);
    fido_assert_free(&fa);
    return r;
}

} // namespace

class TestFido2SecurityKeys : public QObject
{
    Q_OBJECT

    std::shared_ptr<SoftCtapBus> m_bus;
    std::unique_ptr<Fido2SecurityKeys> m_keys;

    // Waits (on the event loop) for the call and hands back its result.
    bool await(const Call<Assertion>& call, Result<Assertion>* out, int timeoutMs = 15'000)
    {
        std::optional<Result<Assertion>> seen;
        call.then(this, [&](const Result<Assertion>& r) { seen = r; });
        if (!QTest::qWaitFor([&] { return seen.has_value(); }, timeoutMs))
            return false;
        *out = *seen;
        return true;
    }

    Result<Assertion> run(const AssertionRequest& request)
    {
        Result<Assertion> r = Error {QStringLiteral("test.no_answer"), {}, {}};
        if (!await(m_keys->getAssertion(request), &r))
            return Error {QStringLiteral("test.no_answer"), QStringLiteral("no answer in time"), {}};
        return r;
    }

    static QByteArray describe(const Result<Assertion>& r)
    {
        return r.ok() ? QByteArray("ok") : (r.error().code + QStringLiteral(": ") + r.error().message).toUtf8();
    }

private slots:
    void init()
    {
        m_bus = std::make_shared<SoftCtapBus>();
        m_keys = std::make_unique<Fido2SecurityKeys>(m_bus);
    }
    void cleanup()
    {
        m_keys.reset();
        m_bus.reset();
    }

    void discoverableSignIn_data()
    {
        QTest::addColumn<bool>("ctap21");
        QTest::addColumn<QByteArray>("pin");
        QTest::addColumn<bool>("builtInUv");
        QTest::newRow("2.1, fingerprint") << true << QByteArray() << true;
        QTest::newRow("2.0, fingerprint") << false << QByteArray() << true;
        QTest::newRow("2.1, PIN (protocol 2)") << true << QByteArray("4711") << false;
        QTest::newRow("2.0, PIN (protocol 1)") << false << QByteArray("4711") << false;
    }
    void discoverableSignIn()
    {
        QFETCH(bool, ctap21);
        QFETCH(QByteArray, pin);
        QFETCH(bool, builtInUv);
        SoftCtapDevice key(keyWith(pin, builtInUv, ctap21));
        const QByteArray id = key.addCredential(kRpId, "per_ada");
        key.addCredential(QStringLiteral("other.example"), "per_ada");
        m_bus->plug(key);
        QSignalSpy touch(m_keys.get(), &client::SecurityKeys::touchRequested);

        const AssertionRequest request = requestFor({}, pin);
        QThread* deliveredOn = nullptr;
        Result<Assertion> r = Error {};
        const Call<Assertion> call = m_keys->getAssertion(request);
        call.then(this, [&](const Result<Assertion>&) { deliveredOn = QThread::currentThread(); });
        QVERIFY(await(call, &r));
        QVERIFY2(r.ok(), describe(r));
        QCOMPARE(r->credentialId, id);
        QCOMPARE(r->userHandle, QByteArray("per_ada"));
        QCOMPARE(r->authenticatorData.left(32), crypto::sha256(kRpId.toUtf8()));
        QCOMPARE(quint8(r->authenticatorData.at(32)) & 0x05, 0x05); // UP and UV
        QCOMPARE(verify(key, *r, request), FIDO_OK);
        QCOMPARE(deliveredOn, QThread::currentThread());
        QCOMPARE(touch.count(), 1);
        QCOMPARE(touch.first().first().toInt(), 1);
        QCOMPARE(key.pinChecks(), pin.isEmpty() ? 0 : 1);
    }

    void usernameFirstSignIn()
    {
        SoftCtapDevice key(keyWith({}, true));
        key.addCredential(kRpId, "per_other");
        const QByteArray id = key.addCredential(kRpId, "per_ada", false); // a non-discoverable credential
        m_bus->plug(key);
        const AssertionRequest request = requestFor({crypto::randomBytes(32), id});
        const Result<Assertion> r = run(request);
        QVERIFY2(r.ok(), describe(r));
        QCOMPARE(r->credentialId, id);
        QVERIFY(r->userHandle.isEmpty());
        QCOMPARE(verify(key, *r, request), FIDO_OK);
    }

    void noPasskeyForThisService_data()
    {
        QTest::addColumn<bool>("allowUnknown");
        QTest::newRow("discoverable") << false;
        QTest::newRow("username-first") << true;
    }
    void noPasskeyForThisService()
    {
        QFETCH(bool, allowUnknown);
        SoftCtapDevice key(keyWith({}, true));
        key.addCredential(QStringLiteral("other.example"), "per_ada");
        m_bus->plug(key);
        const Result<Assertion> r
            = run(requestFor(allowUnknown ? QList<QByteArray> {crypto::randomBytes(32)} : QList<QByteArray> {}));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kNoCredential));
    }

    void aPinIsRequiredBeforeAnythingWaits()
    {
        SoftCtapDevice key(keyWith("4711", false));
        key.addCredential(kRpId, "per_ada");
        m_bus->plug(key);
        QSignalSpy touch(m_keys.get(), &client::SecurityKeys::touchRequested);
        const Result<Assertion> r = run(requestFor());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kPinRequired));
        QCOMPARE(r.error().details.value(QLatin1String("retriesLeft")).toInt(), 8);
        QCOMPARE(key.commandsReceived(0x02), 0); // no getAssertion, so nothing blinked
        QCOMPARE(key.pinChecks(), 0);
        QCOMPARE(touch.count(), 0);
    }

    void aWrongPinSaysHowManyTriesAreLeft()
    {
        SoftCtapDevice key(keyWith("4711", false));
        key.addCredential(kRpId, "per_ada");
        m_bus->plug(key);
        const Result<Assertion> r = run(requestFor({}, "0000"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kPinInvalid));
        QCOMPARE(r.error().details.value(QLatin1String("retriesLeft")).toInt(), 7);
        QCOMPARE(key.pinRetries(), 7);
        QVERIFY(!r.error().message.contains(QStringLiteral("0000")));
        const Result<Assertion> right = run(requestFor({}, "4711"));
        QVERIFY2(right.ok(), describe(right));
        QCOMPARE(key.pinRetries(), 8);
    }

    void threeWrongPinsInARowAskForTheKeyToBeReplugged()
    {
        SoftCtapDevice key(keyWith("4711", false));
        key.addCredential(kRpId, "per_ada");
        m_bus->plug(key);
        QCOMPARE(run(requestFor({}, "0000")).error().code, QString::fromLatin1(codes::kPinInvalid));
        QCOMPARE(run(requestFor({}, "0001")).error().code, QString::fromLatin1(codes::kPinInvalid));
        const Result<Assertion> third = run(requestFor({}, "0002"));
        QCOMPARE(third.error().code, QString::fromLatin1(codes::kPinInvalid));
        QCOMPARE(third.error().details.value(QLatin1String("reinsertKey")).toBool(), true);
        QCOMPARE(third.error().details.value(QLatin1String("retriesLeft")).toInt(), 5);
    }

    void aBlockedPin_data()
    {
        QTest::addColumn<int>("retries");
        QTest::addColumn<QByteArray>("pin");
        QTest::newRow("the last try is wrong") << 1 << QByteArray("0000");
        QTest::newRow("already blocked, right PIN") << 0 << QByteArray("4711");
        QTest::newRow("already blocked, no PIN given") << 0 << QByteArray();
    }
    void aBlockedPin()
    {
        QFETCH(int, retries);
        QFETCH(QByteArray, pin);
        auto options = keyWith("4711", false);
        options.pinRetries = retries;
        SoftCtapDevice key(options);
        key.addCredential(kRpId, "per_ada");
        m_bus->plug(key);
        const Result<Assertion> r = run(requestFor({}, pin));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kPinBlocked));
        QCOMPARE(key.signCount(key.credentialIds().first()), 0u);
    }

    void aKeyThatCannotVerify_data()
    {
        QTest::addColumn<bool>("pinSupported");
        QTest::addColumn<bool>("ctap21");
        QTest::newRow("PIN not set (2.1)") << true << true;
        QTest::newRow("PIN not set (2.0)") << true << false;
        QTest::newRow("no PIN support") << false << false;
    }
    void aKeyThatCannotVerify()
    {
        QFETCH(bool, pinSupported);
        QFETCH(bool, ctap21);
        auto options = keyWith({}, false, ctap21);
        options.pinSupported = pinSupported;
        SoftCtapDevice key(options);
        key.addCredential(kRpId, "per_ada");
        m_bus->plug(key);
        for (const QByteArray& pin : {QByteArray(), QByteArray("4711")}) {
            const Result<Assertion> r = run(requestFor({}, pin));
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, QString::fromLatin1(codes::kPinNotSet));
        }
        QCOMPARE(key.commandsReceived(0x02), 0);
    }

    void aMalformedPinIsRefusedBeforeAnyKeyIsAsked_data()
    {
        QTest::addColumn<QByteArray>("pin");
        QTest::newRow("too short") << QByteArray("123");
        QTest::newRow("three code points") << QByteArray("\xc3\xa4\xc3\xa4\xc3\xa4");
        QTest::newRow("too long") << QByteArray(64, '1');
        QTest::newRow("NUL inside") << QByteArray("12\0"
                                                  "34",
                                                  5);
        QTest::newRow("not UTF-8") << QByteArray("\xff\xfe\xfd\xfc");
    }
    void aMalformedPinIsRefusedBeforeAnyKeyIsAsked()
    {
        QFETCH(QByteArray, pin);
        SoftCtapDevice key(keyWith("4711", false));
        m_bus->plug(key);
        const Result<Assertion> r = run(requestFor({}, pin));
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kPinInvalid));
        QCOMPARE(m_bus->listings(), 0);
        QCOMPARE(key.pinChecks(), 0);
    }

    void malformedRequestsAreRefused_data()
    {
        QTest::addColumn<QString>("rpId");
        QTest::addColumn<int>("hashSize");
        QTest::addColumn<int>("allowCount");
        QTest::addColumn<int>("idSize");
        QTest::addColumn<int>("timeoutMs");
        QTest::newRow("no rp id") << QString() << 32 << 0 << 0 << 1000;
        QTest::newRow("short hash") << kRpId << 31 << 0 << 0 << 1000;
        QTest::newRow("too many allowed") << kRpId << 32 << 65 << 32 << 1000;
        QTest::newRow("empty credential id") << kRpId << 32 << 1 << 0 << 1000;
        QTest::newRow("oversized credential id") << kRpId << 32 << 1 << 1024 << 1000;
        QTest::newRow("no time") << kRpId << 32 << 0 << 0 << 0;
    }
    void malformedRequestsAreRefused()
    {
        QFETCH(QString, rpId);
        QFETCH(int, hashSize);
        QFETCH(int, allowCount);
        QFETCH(int, idSize);
        QFETCH(int, timeoutMs);
        AssertionRequest request = requestFor();
        request.rpId = rpId;
        request.clientDataHash = QByteArray(hashSize, 'h');
        for (int i = 0; i < allowCount; ++i)
            request.allowCredentialIds << QByteArray(idSize, char(i));
        request.timeoutMs = timeoutMs;
        const Result<Assertion> r = run(request);
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kFailed));
        QCOMPARE(m_bus->listings(), 0);
    }

    void noKey()
    {
        SoftCtapDevice gone(keyWith({}, true));
        m_bus->plug(gone);
        gone.unplug();
        const Result<Assertion> r = run(requestFor());
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kNoDevice));
    }

    void severalKeysTheTouchedOneWins()
    {
        const auto manual = SoftCtapDevice::Presence::Manual;
        SoftCtapDevice a(keyWith({}, true, true, manual));
        SoftCtapDevice b(keyWith({}, true, false, manual));
        const QByteArray idA = a.addCredential(kRpId, "per_ada");
        const QByteArray idB = b.addCredential(kRpId, "per_ada");
        m_bus->plug(a);
        m_bus->plug(b);
        QSignalSpy touch(m_keys.get(), &client::SecurityKeys::touchRequested);
        const AssertionRequest request = requestFor();
        const Call<Assertion> call = m_keys->getAssertion(request);
        QTRY_VERIFY(a.waitingForTouch() && b.waitingForTouch());
        QTRY_COMPARE(touch.count(), 1);
        QCOMPARE(touch.first().first().toInt(), 2); // "touch the key you want to use"
        b.touch();
        Result<Assertion> r = Error {};
        QVERIFY(await(call, &r));
        QVERIFY2(r.ok(), describe(r));
        QCOMPARE(r->credentialId, idB);
        QCOMPARE(verify(b, *r, request), FIDO_OK);
        QVERIFY(a.cancelsReceived() >= 1);
        QVERIFY(!a.waitingForTouch());
        QCOMPARE(a.signCount(idA), 0u);
    }

    void severalKeysThePinGoesOnlyToTheTouchedOne()
    {
        const auto manual = SoftCtapDevice::Presence::Manual;
        SoftCtapDevice a(keyWith("1111", false, true, manual));
        SoftCtapDevice b(keyWith("2222", false, false, manual));
        a.addCredential(kRpId, "per_ada");
        const QByteArray idB = b.addCredential(kRpId, "per_ada");
        m_bus->plug(a);
        m_bus->plug(b);
        QSignalSpy touch(m_keys.get(), &client::SecurityKeys::touchRequested);
        const AssertionRequest request = requestFor({}, "2222");
        const Call<Assertion> call = m_keys->getAssertion(request);
        QTRY_VERIFY(a.waitingForTouch() && b.waitingForTouch()); // both blink for the person to choose
        b.touch();
        QTRY_COMPARE(touch.count(), 2); // then the chosen key alone, for the assertion with the PIN
        QCOMPARE(touch.at(0).first().toInt(), 2);
        QCOMPARE(touch.at(1).first().toInt(), 1);
        QTRY_VERIFY(b.waitingForTouch());
        QVERIFY(!a.waitingForTouch());
        b.touch();
        Result<Assertion> r = Error {};
        QVERIFY(await(call, &r));
        QVERIFY2(r.ok(), describe(r));
        QCOMPARE(r->credentialId, idB);
        QCOMPARE(verify(b, *r, request), FIDO_OK);
        QCOMPARE(a.pinChecks(), 0); // the other key never saw the PIN
        QCOMPARE(a.pinRetries(), 8);
        QCOMPARE(b.pinChecks(), 1);
    }

    void severalKeysThePinIsAskedForTheTouchedOne()
    {
        const auto manual = SoftCtapDevice::Presence::Manual;
        SoftCtapDevice fingerprint(keyWith({}, true, true, manual));
        SoftCtapDevice pinOnly(keyWith("2222", false, true, manual));
        fingerprint.addCredential(kRpId, "per_ada");
        pinOnly.addCredential(kRpId, "per_ada");
        m_bus->plug(fingerprint);
        m_bus->plug(pinOnly);
        const Call<Assertion> call = m_keys->getAssertion(requestFor());
        QTRY_VERIFY(fingerprint.waitingForTouch() && pinOnly.waitingForTouch());
        pinOnly.touch();
        Result<Assertion> r = Error {};
        QVERIFY(await(call, &r));
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kPinRequired));
        QCOMPARE(r.error().details.value(QLatin1String("retriesLeft")).toInt(), 8);
        QVERIFY(fingerprint.cancelsReceived() >= 1);
    }

    void severalKeysAKeyWithoutThePasskeyDoesNotEndTheCeremony()
    {
        SoftCtapDevice stranger(keyWith({}, true)); // answers "no credentials" at once
        SoftCtapDevice mine(keyWith({}, true, true, SoftCtapDevice::Presence::Manual));
        stranger.addCredential(QStringLiteral("other.example"), "per_ada");
        const QByteArray id = mine.addCredential(kRpId, "per_ada");
        m_bus->plug(stranger);
        m_bus->plug(mine);
        const Call<Assertion> call = m_keys->getAssertion(requestFor());
        QTRY_VERIFY(mine.waitingForTouch());
        QTRY_COMPARE(stranger.commandsReceived(0x02), 1);
        mine.touch();
        Result<Assertion> r = Error {};
        QVERIFY(await(call, &r));
        QVERIFY2(r.ok(), describe(r));
        QCOMPARE(r->credentialId, id);
    }

    void severalKeysNoneHoldsThePasskey()
    {
        SoftCtapDevice a(keyWith({}, true));
        SoftCtapDevice b(keyWith({}, true, false));
        m_bus->plug(a);
        m_bus->plug(b);
        const Result<Assertion> r = run(requestFor());
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kNoCredential));
    }

    void aKeyRemovedMidCeremony_data()
    {
        QTest::addColumn<int>("keyCount");
        QTest::addColumn<QByteArray>("pin");
        QTest::newRow("one key, waiting for the touch") << 1 << QByteArray();
        QTest::newRow("two PIN keys, waiting to be chosen") << 2 << QByteArray("4711");
    }
    void aKeyRemovedMidCeremony()
    {
        QFETCH(int, keyCount);
        QFETCH(QByteArray, pin);
        std::vector<std::unique_ptr<SoftCtapDevice>> keys;
        for (int i = 0; i < keyCount; ++i) {
            keys.push_back(
                std::make_unique<SoftCtapDevice>(keyWith(pin, pin.isEmpty(), true, SoftCtapDevice::Presence::Manual)));
            keys.back()->addCredential(kRpId, "per_ada");
            m_bus->plug(*keys.back());
        }
        const Call<Assertion> call = m_keys->getAssertion(requestFor({}, pin));
        QTRY_VERIFY(std::all_of(keys.begin(), keys.end(), [](const auto& k) { return k->waitingForTouch(); }));
        for (auto& k : keys)
            k->unplug();
        Result<Assertion> r = Error {};
        QVERIFY(await(call, &r));
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kRemoved));
    }

    void nobodyTouchesAKey_data()
    {
        QTest::addColumn<int>("keyCount");
        QTest::addColumn<QByteArray>("pin");
        QTest::newRow("one key") << 1 << QByteArray();
        QTest::newRow("two keys") << 2 << QByteArray();
        QTest::newRow("two PIN keys, nobody chooses") << 2 << QByteArray("4711");
    }
    void nobodyTouchesAKey()
    {
        QFETCH(int, keyCount);
        QFETCH(QByteArray, pin);
        std::vector<std::unique_ptr<SoftCtapDevice>> keys;
        for (int i = 0; i < keyCount; ++i) {
            keys.push_back(
                std::make_unique<SoftCtapDevice>(keyWith(pin, pin.isEmpty(), true, SoftCtapDevice::Presence::Never)));
            keys.back()->addCredential(kRpId, "per_ada");
            m_bus->plug(*keys.back());
        }
        QElapsedTimer clock;
        clock.start();
        const Result<Assertion> r = run(requestFor({}, pin, 400));
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kTimeout));
        QVERIFY2(clock.elapsed() < 5000, QByteArray::number(clock.elapsed()));
        for (auto& k : keys) {
            QVERIFY(k->cancelsReceived() >= 1); // the keys stop blinking
            QVERIFY(!k->waitingForTouch());
        }
    }

    void theKeyGivesUpOnItsOwn()
    {
        auto options = keyWith({}, true, true, SoftCtapDevice::Presence::Never);
        options.userActionTimeoutMs = 200;
        SoftCtapDevice key(options);
        key.addCredential(kRpId, "per_ada");
        m_bus->plug(key);
        QCOMPARE(run(requestFor()).error().code, QString::fromLatin1(codes::kTimeout));
    }

    void cancelEndsTheCeremony()
    {
        SoftCtapDevice key(keyWith({}, true, true, SoftCtapDevice::Presence::Manual));
        key.addCredential(kRpId, "per_ada");
        m_bus->plug(key);
        const Call<Assertion> call = m_keys->getAssertion(requestFor());
        QTRY_VERIFY(key.waitingForTouch());
        m_keys->cancel();
        Result<Assertion> r = Error {};
        QVERIFY(await(call, &r));
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kCancelled));
        QVERIFY(key.cancelsReceived() >= 1);
        QVERIFY(!m_keys->isBusy());
    }

    void hostileAnswersAreRefused_data()
    {
        QTest::addColumn<bool>("corrupt");
        QTest::addColumn<QString>("answerFor");
        QTest::newRow("broken CBOR") << true << QString();
        QTest::newRow("signed for another site") << false << QStringLiteral("evil.example");
    }
    void hostileAnswersAreRefused()
    {
        QFETCH(bool, corrupt);
        QFETCH(QString, answerFor);
        SoftCtapDevice key(keyWith({}, true));
        key.addCredential(kRpId, "per_ada");
        key.setCorruptAssertions(corrupt);
        key.setAnswerForRpId(answerFor);
        m_bus->plug(key);
        const Result<Assertion> r = run(requestFor());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kFailed));
    }

    void theCallReturnsAtOnceAndAnswersOnTheCallersThread()
    {
        SoftCtapDevice key(keyWith({}, true, true, SoftCtapDevice::Presence::Manual));
        key.addCredential(kRpId, "per_ada");
        m_bus->plug(key);
        const Call<Assertion> call = m_keys->getAssertion(requestFor());
        QVERIFY(!call.isFinished());
        QVERIFY(m_keys->isBusy());
        // The key waits while this thread keeps running its event loop: getAssertion did not block.
        QTRY_VERIFY(key.waitingForTouch());
        QVERIFY(!call.isFinished());
        QThread* deliveredOn = nullptr;
        call.then(this, [&](const Result<Assertion>&) { deliveredOn = QThread::currentThread(); });
        key.touch();
        QTRY_VERIFY(deliveredOn != nullptr);
        QCOMPARE(deliveredOn, QThread::currentThread());
        QVERIFY(call.result()->ok());
    }

    void aNewRequestReplacesTheRunningOne()
    {
        SoftCtapDevice key(keyWith({}, true, true, SoftCtapDevice::Presence::Manual));
        const QByteArray id = key.addCredential(kRpId, "per_ada");
        m_bus->plug(key);
        const Call<Assertion> first = m_keys->getAssertion(requestFor());
        QTRY_VERIFY(key.waitingForTouch());
        const Call<Assertion> second = m_keys->getAssertion(requestFor());
        Result<Assertion> r = Error {};
        QVERIFY(await(first, &r));
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kCancelled));
        QTRY_VERIFY(key.waitingForTouch()); // the second ceremony
        key.touch();
        QVERIFY(await(second, &r));
        QVERIFY2(r.ok(), describe(r));
        QCOMPARE(r->credentialId, id);
    }

    void theRealSourceOpensOnlyWhatIsThere()
    {
        // The machine's own keys through libfido2's manifest: whatever is plugged in here, a path that is not listed
        // is never opened.
        client::HidDeviceSource source;
        const QStringList paths = source.devicePaths();
        QVERIFY(!paths.contains(QStringLiteral("/dev/hidraw-stint-none")));
        QVERIFY(!source.openDevice(QStringLiteral("/dev/hidraw-stint-none")));
    }

    void destroyedMidCeremony()
    {
        SoftCtapDevice key(keyWith({}, true, true, SoftCtapDevice::Presence::Manual));
        key.addCredential(kRpId, "per_ada");
        m_bus->plug(key);
        const Call<Assertion> call = m_keys->getAssertion(requestFor());
        QTRY_VERIFY(key.waitingForTouch());
        m_keys.reset(); // cancels and waits for the ceremony's thread
        QVERIFY(key.cancelsReceived() >= 1);
        Result<Assertion> r = Error {};
        QVERIFY(await(call, &r));
        QCOMPARE(r.error().code, QString::fromLatin1(codes::kCancelled));
    }
};

QTEST_GUILESS_MAIN(TestFido2SecurityKeys)
#include "TestFido2SecurityKeys.moc"
