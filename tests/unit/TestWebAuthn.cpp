// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/authn/WebAuthn.h"
#include "core/Crypto.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace stint;
using namespace stint::authn;

// Known-answer vectors recorded from implementations independent of ours (tests/e2e/tools/
// record-webauthn-vectors.mjs): Chromium's virtual authenticator and Node's crypto. Every vector must verify, and
// each tampered variant must fail with its exact error code.
namespace {

struct RecordedAssertion
{
    QByteArray challenge;
    QByteArray clientDataJson;
    QByteArray authenticatorData;
    QByteArray signature;
    quint32 signCount = 0;
    bool userPresent = false;
    bool userVerified = false;
};

struct Vector
{
    QString name;
    QString source;
    QString rpId;
    QString origin;
    QByteArray challenge;
    QByteArray clientDataJson;
    QByteArray attestationObject;
    QJsonObject expected;
    QList<RecordedAssertion> assertions;
    QList<RecordedAssertion> flagAssertions;

    QString expectedError() const { return expected.value(QStringLiteral("error")).toString(); }
    QString fmt() const { return expected.value(QStringLiteral("fmt")).toString(); }
    bool registers() const { return expectedError().isEmpty(); }
    bool isPacked() const { return registers() && fmt() == QLatin1String("packed"); }
    bool isFullAttestation() const
    {
        return isPacked() && expected.value(QStringLiteral("attestationType")).toString() == QLatin1String("basic");
    }
    bool userVerified() const { return expected.value(QStringLiteral("userVerified")).toBool(); }
};

QByteArray b64(const QJsonValue& v)
{
    auto decoded = crypto::base64UrlDecode(v.toString().toLatin1());
    if (!decoded)
        qFatal("bad base64url in test data");
    return *decoded;
}

QList<RecordedAssertion> readAssertions(const QJsonArray& array)
{
    QList<RecordedAssertion> out;
    for (const auto& value : array) {
        const QJsonObject a = value.toObject();
        const QJsonObject e = a.value(QStringLiteral("expected")).toObject();
        out.append({b64(a.value(QStringLiteral("challenge"))), b64(a.value(QStringLiteral("clientDataJSON"))),
                    b64(a.value(QStringLiteral("authenticatorData"))), b64(a.value(QStringLiteral("signature"))),
                    quint32(e.value(QStringLiteral("signCount")).toInteger()),
                    e.value(QStringLiteral("userPresent")).toBool(), e.value(QStringLiteral("userVerified")).toBool()});
    }
    return out;
}

QMap<QString, Vector> loadVectors()
{
    QMap<QString, Vector> out;
    const QDir dir(QStringLiteral(STINT_TEST_DATA_DIR "/webauthn"));
    for (const QString& fileName : dir.entryList({QStringLiteral("*.json")}, QDir::Files)) {
        QFile file(dir.filePath(fileName));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("cannot open %s", qPrintable(file.fileName()));
        const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonObject reg = o.value(QStringLiteral("registration")).toObject();
        Vector v;
        v.name = o.value(QStringLiteral("name")).toString();
        v.source = o.value(QStringLiteral("source")).toString();
        v.rpId = o.value(QStringLiteral("rpId")).toString();
        v.origin = o.value(QStringLiteral("origin")).toString();
        v.challenge = b64(reg.value(QStringLiteral("challenge")));
        v.clientDataJson = b64(reg.value(QStringLiteral("clientDataJSON")));
        v.attestationObject = b64(reg.value(QStringLiteral("attestationObject")));
        v.expected = reg.value(QStringLiteral("expected")).toObject();
        v.assertions = readAssertions(o.value(QStringLiteral("assertions")).toArray());
        v.flagAssertions = readAssertions(o.value(QStringLiteral("flagAssertions")).toArray());
        out.insert(v.name, v);
    }
    return out;
}

const QMap<QString, Vector>& vectors()
{
    static const QMap<QString, Vector> v = loadVectors();
    return v;
}

const Vector& vector(const QString& name)
{
    const auto it = vectors().constFind(name);
    if (it == vectors().constEnd())
        qFatal("no vector %s", qPrintable(name));
    return *it;
}

RegistrationExpectation registrationExpectation(const Vector& v)
{
    RegistrationExpectation e;
    e.challenge = v.challenge;
    e.rpId = v.rpId;
    e.allowedOrigins = {v.origin};
    e.requireUserVerification = v.userVerified();
    return e;
}

// The COSE key the assertion is checked against: from the registration when it verifies, else straight from the
// authenticator data (e.g. for fido-u2f, a format we refuse but whose assertions are ordinary).
QByteArray credentialKey(const Vector& v)
{
    const QCborMap object = QCborValue::fromCbor(v.attestationObject).toMap();
    auto authData = parseAuthenticatorData(object.value(QStringLiteral("authData")).toByteArray());
    if (!authData)
        qFatal("vector %s: %s", qPrintable(v.name), qPrintable(authData.error().message));
    return authData->credentialPublicKeyCose;
}

AssertionExpectation assertionExpectation(const Vector& v, const RecordedAssertion& a, quint32 storedSignCount = 0)
{
    AssertionExpectation e;
    e.challenge = a.challenge;
    e.rpId = v.rpId;
    e.allowedOrigins = {v.origin};
    e.requireUserVerification = a.userVerified;
    e.publicKeyCose = credentialKey(v);
    e.storedSignCount = storedSignCount;
    return e;
}

QByteArray flipBit(QByteArray data, qsizetype byte, int bit = 0)
{
    data[byte] = char(data[byte] ^ (1 << bit));
    return data;
}

QByteArray withFlags(QByteArray authData, quint8 set, quint8 clear)
{
    authData[32] = char((quint8(authData[32]) | set) & ~clear);
    return authData;
}

QCborMap attestationMap(const Vector& v)
{
    return QCborValue::fromCbor(v.attestationObject).toMap();
}

QByteArray encode(const QCborMap& map)
{
    return QCborValue(map).toCbor();
}

// The clientDataJSON with one textual replacement (which must apply).
QByteArray replaced(QByteArray json, const QByteArray& from, const QByteArray& to)
{
    if (!json.contains(from))
        qFatal("clientDataJSON lacks %s", from.constData());
    return json.replace(from, to);
}

// For QVERIFY2, which evaluates its message even when the check passes.
template <typename T> QString errorOf(const Result<T>& r)
{
    return r.ok() ? QString() : r.error().code + QStringLiteral(": ") + r.error().message;
}

struct RegistrationInput
{
    RegistrationExpectation expectation;
    QByteArray clientDataJson;
    QByteArray attestationObject;
};

// Applies one named tampering to a vector's registration.
RegistrationInput tamperRegistration(const Vector& v, const QString& tamper)
{
    RegistrationInput in{registrationExpectation(v), v.clientDataJson, v.attestationObject};
    QCborMap object = attestationMap(v);
    QCborMap attStmt = object.value(QStringLiteral("attStmt")).toMap();
    const QByteArray authData = object.value(QStringLiteral("authData")).toByteArray();
    const auto setAttStmt = [&](const QCborMap& statement) {
        object.insert(QStringLiteral("attStmt"), statement);
        in.attestationObject = encode(object);
    };

    if (tamper == QLatin1String("wrong challenge")) {
        in.expectation.challenge = flipBit(v.challenge, 0);
    } else if (tamper == QLatin1String("wrong origin")) {
        in.expectation.allowedOrigins = {QStringLiteral("http://localhost:1"), QStringLiteral("https://localhost")};
    } else if (tamper == QLatin1String("wrong rp id")) {
        in.expectation.rpId = QStringLiteral("example.com");
    } else if (tamper == QLatin1String("wrong type")) {
        in.clientDataJson = v.assertions.first().clientDataJson;
        in.expectation.challenge = v.assertions.first().challenge;
    } else if (tamper == QLatin1String("cross origin")) {
        in.clientDataJson = replaced(v.clientDataJson, "\"crossOrigin\":false", "\"crossOrigin\":true");
    } else if (tamper == QLatin1String("top origin")) {
        in.clientDataJson = replaced(v.clientDataJson, "\"crossOrigin\":false",
                                     "\"crossOrigin\":false,\"topOrigin\":\"https://evil.example\"");
    } else if (tamper == QLatin1String("cross origin not bool")) {
        in.clientDataJson = replaced(v.clientDataJson, "\"crossOrigin\":false", "\"crossOrigin\":\"false\"");
    } else if (tamper == QLatin1String("duplicate type key")) {
        in.clientDataJson = replaced(v.clientDataJson, "{\"type\":", "{\"type\":\"webauthn.create\",\"type\":");
    } else if (tamper == QLatin1String("escaped duplicate key")) {
        in.clientDataJson = replaced(v.clientDataJson, "{\"type\":", "{\"typ\\u0065\":\"webauthn.create\",\"type\":");
    } else if (tamper == QLatin1String("padded challenge")) {
        const QByteArray c = crypto::base64UrlEncode(v.challenge);
        in.clientDataJson = replaced(v.clientDataJson, '"' + c + '"', '"' + c + "=\"");
    } else if (tamper == QLatin1String("challenge not string")) {
        const QByteArray c = crypto::base64UrlEncode(v.challenge);
        in.clientDataJson = replaced(v.clientDataJson, '"' + c + '"', "42");
    } else if (tamper == QLatin1String("missing origin")) {
        in.clientDataJson = replaced(v.clientDataJson, "\"origin\":", "\"0rigin\":");
    } else if (tamper == QLatin1String("client data array")) {
        in.clientDataJson = '[' + v.clientDataJson + ']';
    } else if (tamper == QLatin1String("client data truncated")) {
        in.clientDataJson = v.clientDataJson.chopped(1);
    } else if (tamper == QLatin1String("client data too large")) {
        in.clientDataJson = replaced(v.clientDataJson, "{", '{' + QByteArray(5000, ' '));
    } else if (tamper == QLatin1String("truncated cbor")) {
        in.attestationObject = v.attestationObject.chopped(3);
    } else if (tamper == QLatin1String("garbage cbor")) {
        in.attestationObject = QByteArray("\xff\x00garbage", 9);
    } else if (tamper == QLatin1String("empty cbor")) {
        in.attestationObject = QByteArray();
    } else if (tamper == QLatin1String("trailing byte")) {
        in.attestationObject = v.attestationObject + '\0';
    } else if (tamper == QLatin1String("attestation object too large")) {
        object.insert(QStringLiteral("authData"), authData + QByteArray(70 * 1024, '\0'));
        in.attestationObject = encode(object);
    } else if (tamper == QLatin1String("extra top-level key")) {
        object.insert(QStringLiteral("epAtt"), true);
        in.attestationObject = encode(object);
    } else if (tamper == QLatin1String("authData trailing byte")) {
        object.insert(QStringLiteral("authData"), authData + '\0');
        in.attestationObject = encode(object);
    } else if (tamper == QLatin1String("AT flag missing")) {
        object.insert(QStringLiteral("authData"), withFlags(authData.first(37), 0, 0x40));
        in.attestationObject = encode(object);
    } else if (tamper == QLatin1String("algorithm not allowed")) {
        const int alg = int(v.expected.value(QStringLiteral("alg")).toInt());
        in.expectation.allowedAlgorithms = {alg == -7 ? -257 : -7};
    } else if (tamper == QLatin1String("none with attStmt")) {
        object.insert(QStringLiteral("fmt"), QStringLiteral("none"));
        if (attStmt.isEmpty())
            attStmt.insert(QStringLiteral("sig"), QByteArray(8, '\x01'));
        setAttStmt(attStmt);
    } else if (tamper == QLatin1String("unsupported fmt")) {
        object.insert(QStringLiteral("fmt"), QStringLiteral("fido-u2f"));
        in.attestationObject = encode(object);
    } else if (tamper == QLatin1String("packed alg mismatch")) {
        const qint64 alg = attStmt.value(QStringLiteral("alg")).toInteger();
        attStmt.insert(QStringLiteral("alg"), alg == -7 ? -257 : -7);
        setAttStmt(attStmt);
    } else if (tamper == QLatin1String("packed unsupported alg")) {
        attStmt.insert(QStringLiteral("alg"), -35);
        setAttStmt(attStmt);
    } else if (tamper == QLatin1String("packed flipped signature")) {
        attStmt.insert(QStringLiteral("sig"), flipBit(attStmt.value(QStringLiteral("sig")).toByteArray(), 10, 2));
        setAttStmt(attStmt);
    } else if (tamper == QLatin1String("packed missing signature")) {
        attStmt.remove(QStringLiteral("sig"));
        setAttStmt(attStmt);
    } else if (tamper == QLatin1String("packed extra field")) {
        attStmt.insert(QStringLiteral("ecdaaKeyId"), QByteArray(16, '\x02'));
        setAttStmt(attStmt);
    } else if (tamper == QLatin1String("packed garbage certificate")) {
        attStmt.insert(QStringLiteral("x5c"), QCborArray{QByteArray("not a certificate")});
        setAttStmt(attStmt);
    } else if (tamper == QLatin1String("packed empty x5c")) {
        attStmt.insert(QStringLiteral("x5c"), QCborArray{});
        setAttStmt(attStmt);
    } else if (tamper == QLatin1String("packed x5c not array")) {
        attStmt.insert(QStringLiteral("x5c"), QByteArray("not a certificate"));
        setAttStmt(attStmt);
    } else if (tamper == QLatin1String("packed self certificate added")) {
        const QCborMap chromium = attestationMap(vector(QStringLiteral("chromium-es256-direct")));
        attStmt.insert(QStringLiteral("x5c"),
                       chromium.value(QStringLiteral("attStmt")).toMap().value(QStringLiteral("x5c")));
        setAttStmt(attStmt);
    } else {
        qFatal("unknown tamper %s", qPrintable(tamper));
    }
    return in;
}

} // namespace

class TestWebAuthn : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void vectorsArePresent()
    {
        QVERIFY(vectors().size() >= 15);
        for (const QString name : {"chromium-es256-none", "chromium-es256-direct", "chromium-eddsa-none",
                                   "chromium-rs256-direct", "chromium-es256-none-up-only", "node-packed-self-eddsa",
                                   "node-packed-self-rs256", "node-packed-full-es256-good"})
            QVERIFY2(vectors().contains(name), qPrintable(name));
    }

    void registration_data()
    {
        QTest::addColumn<QString>("name");
        for (const Vector& v : vectors())
            QTest::newRow(qPrintable(v.name)) << v.name;
    }
    void registration()
    {
        QFETCH(QString, name);
        const Vector& v = vector(name);
        auto result = verifyRegistration(registrationExpectation(v), v.clientDataJson, v.attestationObject);
        if (!v.registers()) {
            QVERIFY(!result.ok());
            QCOMPARE(result.error().code, v.expectedError());
            return;
        }
        QVERIFY2(result.ok(), qPrintable(errorOf(result)));
        const RegisteredCredential& c = *result;
        QCOMPARE(c.algorithm, v.expected.value(QStringLiteral("alg")).toInt());
        QCOMPARE(c.attestationFormat, v.fmt());
        QCOMPARE(c.attestationType, v.expected.value(QStringLiteral("attestationType")).toString());
        QCOMPARE(c.signCount, quint32(v.expected.value(QStringLiteral("signCount")).toInteger()));
        QCOMPARE(c.credentialId, b64(v.expected.value(QStringLiteral("credentialId"))));
        QCOMPARE(c.aaguid.toHex(), v.expected.value(QStringLiteral("aaguid")).toString().toLatin1());
        QCOMPARE(c.userVerified, v.userVerified());
        QCOMPARE(c.backupEligible, v.expected.value(QStringLiteral("backupEligible")).toBool());
        QCOMPARE(c.backupState, v.expected.value(QStringLiteral("backupState")).toBool());
        QCOMPARE(c.publicKeyCose, credentialKey(v));
        QCOMPARE(c.attestationCertificates.isEmpty(), c.attestationType != QLatin1String("basic"));
        // The stored key bytes are exactly a slice of the signed authenticator data.
        QVERIFY(attestationMap(v).value(QStringLiteral("authData")).toByteArray().contains(c.publicKeyCose));
    }

    void assertions_data()
    {
        QTest::addColumn<QString>("name");
        for (const Vector& v : vectors())
            if (!v.assertions.isEmpty())
                QTest::newRow(qPrintable(v.name)) << v.name;
    }
    void assertions()
    {
        QFETCH(QString, name);
        const Vector& v = vector(name);
        QByteArray key = credentialKey(v);
        quint32 stored = quint32(v.expected.value(QStringLiteral("signCount")).toInteger());
        if (v.registers()) {
            auto registered = verifyRegistration(registrationExpectation(v), v.clientDataJson, v.attestationObject);
            QVERIFY(registered.ok());
            key = registered->publicKeyCose;
            stored = registered->signCount;
        } else {
            stored = 0;
        }
        for (const RecordedAssertion& a : v.assertions) {
            AssertionExpectation e = assertionExpectation(v, a, stored);
            e.publicKeyCose = key;
            auto result = verifyAssertion(e, a.clientDataJson, a.authenticatorData, a.signature);
            QVERIFY2(result.ok(), qPrintable(errorOf(result)));
            QCOMPARE(result->signCount, a.signCount);
            QVERIFY2(!result->signCountRegressed,
                     qPrintable(QStringLiteral("%1 after %2").arg(a.signCount).arg(stored)));
            QCOMPARE(result->userVerified, a.userVerified);
            QCOMPARE(result->backupEligible, v.expected.value(QStringLiteral("backupEligible")).toBool());
            QCOMPARE(result->backupState, v.expected.value(QStringLiteral("backupState")).toBool());
            QVERIFY(result->signCount > stored); // the counters recorded really increase
            stored = result->signCount;
        }

        // Counter regression: replaying the first assertion after the last one, and a repeated count, are flagged.
        const RecordedAssertion& first = v.assertions.first();
        for (quint32 storedCount : {stored, first.signCount}) {
            auto replay = verifyAssertion(assertionExpectation(v, first, storedCount), first.clientDataJson,
                                          first.authenticatorData, first.signature);
            QVERIFY(replay.ok());
            QVERIFY(replay->signCountRegressed);
            QCOMPARE(replay->signCount, first.signCount);
        }
    }

    void tamperedRegistrations_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("tamper");
        QTest::addColumn<QString>("code");
        const QList<std::pair<const char*, const char*>> everyVector{
            {"wrong challenge", webauthn::kWrongChallenge},
            {"wrong origin", webauthn::kWrongOrigin},
            {"wrong rp id", webauthn::kWrongRpId},
            {"cross origin", webauthn::kCrossOrigin},
            {"top origin", webauthn::kCrossOrigin},
            {"cross origin not bool", webauthn::kMalformed},
            {"duplicate type key", webauthn::kMalformed},
            {"escaped duplicate key", webauthn::kMalformed},
            {"padded challenge", webauthn::kMalformed},
            {"challenge not string", webauthn::kMalformed},
            {"missing origin", webauthn::kMalformed},
            {"client data array", webauthn::kMalformed},
            {"client data truncated", webauthn::kMalformed},
            {"client data too large", webauthn::kMalformed},
            {"truncated cbor", webauthn::kMalformed},
            {"garbage cbor", webauthn::kMalformed},
            {"empty cbor", webauthn::kMalformed},
            {"trailing byte", webauthn::kMalformed},
            {"attestation object too large", webauthn::kMalformed},
            {"extra top-level key", webauthn::kMalformed},
            {"authData trailing byte", webauthn::kMalformed},
            {"AT flag missing", webauthn::kBadAttestation},
            {"algorithm not allowed", webauthn::kUnsupportedAlgorithm},
            {"none with attStmt", webauthn::kBadAttestation},
            {"unsupported fmt", webauthn::kBadAttestation},
        };
        const QList<std::pair<const char*, const char*>> packed{
            {"packed alg mismatch", webauthn::kBadAttestation},
            {"packed unsupported alg", webauthn::kBadAttestation},
            {"packed flipped signature", webauthn::kBadSignature},
            {"packed missing signature", webauthn::kBadAttestation},
            {"packed extra field", webauthn::kBadAttestation},
        };
        const QList<std::pair<const char*, const char*>> full{
            {"packed garbage certificate", webauthn::kBadAttestation},
            {"packed empty x5c", webauthn::kBadAttestation},
            {"packed x5c not array", webauthn::kBadAttestation},
        };
        const auto add = [](const Vector& v, const QList<std::pair<const char*, const char*>>& cases) {
            for (const auto& [tamper, code] : cases)
                QTest::addRow("%s: %s", qPrintable(v.name), tamper)
                    << v.name << QString::fromLatin1(tamper) << QString::fromLatin1(code);
        };
        for (const Vector& v : vectors()) {
            if (!v.registers())
                continue;
            add(v, everyVector);
            if (!v.assertions.isEmpty())
                add(v, {{"wrong type", webauthn::kWrongType}});
            if (v.isPacked())
                add(v, packed);
            if (v.isFullAttestation())
                add(v, full);
            else if (v.isPacked() && v.expected.value(QStringLiteral("alg")).toInt() == -7)
                // A self-attestation signature with somebody else's certificate attached.
                add(v, {{"packed self certificate added", webauthn::kBadSignature}});
        }
    }
    void tamperedRegistrations()
    {
        QFETCH(QString, name);
        QFETCH(QString, tamper);
        QFETCH(QString, code);
        const RegistrationInput in = tamperRegistration(vector(name), tamper);
        auto result = verifyRegistration(in.expectation, in.clientDataJson, in.attestationObject);
        QVERIFY2(!result.ok(), "tampered registration verified");
        QCOMPARE(result.error().code, code);
        QVERIFY(!result.error().message.isEmpty());
    }

    void tamperedAssertions_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("tamper");
        QTest::addColumn<QString>("code");
        const QList<std::pair<const char*, const char*>> cases{
            {"flipped signature", webauthn::kBadSignature},
            {"truncated signature", webauthn::kBadSignature},
            {"empty signature", webauthn::kBadSignature},
            {"oversized signature", webauthn::kMalformed},
            {"other credential's key", webauthn::kBadSignature},
            {"signature over other client data", webauthn::kBadSignature},
            {"wrong rp id", webauthn::kWrongRpId},
            {"wrong origin", webauthn::kWrongOrigin},
            {"wrong challenge", webauthn::kWrongChallenge},
            {"wrong type", webauthn::kWrongType},
            {"cross origin", webauthn::kCrossOrigin},
            {"UV bit cleared, UV required", webauthn::kUserNotVerified},
            {"UV bit cleared, UV not required", webauthn::kBadSignature},
            {"UP bit cleared", webauthn::kUserNotPresent},
            {"BE bit set", webauthn::kBadSignature},
            {"BS without BE", webauthn::kMalformed},
            {"AT bit set", webauthn::kBadAttestation},
            {"ED bit set without extensions", webauthn::kMalformed},
            {"authData truncated", webauthn::kMalformed},
            {"authData trailing byte", webauthn::kMalformed},
            {"authData empty", webauthn::kMalformed},
            {"counter changed", webauthn::kBadSignature},
            {"stored key garbage", webauthn::kMalformed},
            {"stored key unsupported", webauthn::kUnsupportedAlgorithm},
        };
        for (const Vector& v : vectors()) {
            if (v.assertions.isEmpty())
                continue;
            for (const auto& [tamper, code] : cases) {
                // Clearing UV on a UP-only assertion changes nothing: skip those rows there.
                if (!v.assertions.first().userVerified && QByteArray(tamper).startsWith("UV bit"))
                    continue;
                if (v.assertions.size() < 2 && QByteArray(tamper) == "signature over other client data")
                    continue;
                QTest::addRow("%s: %s", qPrintable(v.name), tamper)
                    << v.name << QString::fromLatin1(tamper) << QString::fromLatin1(code);
            }
        }
    }
    void tamperedAssertions()
    {
        QFETCH(QString, name);
        QFETCH(QString, tamper);
        QFETCH(QString, code);
        const Vector& v = vector(name);
        const RecordedAssertion& a = v.assertions.first();
        AssertionExpectation e = assertionExpectation(v, a);
        QByteArray clientData = a.clientDataJson;
        QByteArray authData = a.authenticatorData;
        QByteArray signature = a.signature;

        if (tamper == QLatin1String("flipped signature")) {
            signature = flipBit(signature, signature.size() / 2, 5);
        } else if (tamper == QLatin1String("truncated signature")) {
            signature.chop(1);
        } else if (tamper == QLatin1String("empty signature")) {
            signature.clear();
        } else if (tamper == QLatin1String("oversized signature")) {
            signature += QByteArray(webauthn::kMaxSignatureSize, '\0');
        } else if (tamper == QLatin1String("other credential's key")) {
            // Another vector's key of the same algorithm, so only the signature check can tell.
            const int alg = int(QCborValue::fromCbor(e.publicKeyCose).toMap().value(3).toInteger());
            for (const Vector& other : vectors())
                if (other.name != v.name && QCborValue::fromCbor(credentialKey(other)).toMap().value(3) == alg)
                    e.publicKeyCose = credentialKey(other);
            QVERIFY(e.publicKeyCose != credentialKey(v));
        } else if (tamper == QLatin1String("signature over other client data")) {
            // The second assertion's genuine signature with the first's data.
            signature = v.assertions.at(1).signature;
        } else if (tamper == QLatin1String("wrong rp id")) {
            e.rpId = QStringLiteral("localhost.example");
        } else if (tamper == QLatin1String("wrong origin")) {
            e.allowedOrigins = {QStringLiteral("https://localhost:8443")};
        } else if (tamper == QLatin1String("wrong challenge")) {
            e.challenge = flipBit(a.challenge, a.challenge.size() - 1, 7);
        } else if (tamper == QLatin1String("wrong type")) {
            clientData = replaced(clientData, "\"webauthn.get\"", "\"webauthn.create\"");
        } else if (tamper == QLatin1String("cross origin")) {
            clientData = replaced(clientData, "\"crossOrigin\":false", "\"crossOrigin\":true");
        } else if (tamper == QLatin1String("UV bit cleared, UV required")) {
            authData = withFlags(authData, 0, 0x04);
            e.requireUserVerification = true;
        } else if (tamper == QLatin1String("UV bit cleared, UV not required")) {
            authData = withFlags(authData, 0, 0x04);
            e.requireUserVerification = false;
        } else if (tamper == QLatin1String("UP bit cleared")) {
            authData = withFlags(authData, 0, 0x01);
        } else if (tamper == QLatin1String("BE bit set")) {
            authData = withFlags(authData, 0x08, 0);
            if (authData == a.authenticatorData) // already set: clear both BE and BS instead
                authData = withFlags(authData, 0, 0x18);
        } else if (tamper == QLatin1String("BS without BE")) {
            authData = withFlags(authData, 0x10, 0x08);
        } else if (tamper == QLatin1String("AT bit set")) {
            authData = withFlags(authData, 0x40, 0);
            // Give it well-formed attested credential data, so only the flag's meaning is wrong.
            authData += QByteArray(16, '\0') + QByteArray::fromHex("0001") + 'x' + e.publicKeyCose;
        } else if (tamper == QLatin1String("ED bit set without extensions")) {
            authData = withFlags(authData, 0x80, 0);
        } else if (tamper == QLatin1String("authData truncated")) {
            authData.chop(1);
        } else if (tamper == QLatin1String("authData trailing byte")) {
            authData += '\0';
        } else if (tamper == QLatin1String("authData empty")) {
            authData.clear();
        } else if (tamper == QLatin1String("counter changed")) {
            authData = flipBit(authData, 36, 4);
        } else if (tamper == QLatin1String("stored key garbage")) {
            e.publicKeyCose = QByteArray("\xa1\x01", 2);
        } else if (tamper == QLatin1String("stored key unsupported")) {
            QCborMap key = QCborValue::fromCbor(e.publicKeyCose).toMap();
            key.insert(3, -36); // ES512
            e.publicKeyCose = QCborValue(key).toCbor();
        } else {
            QFAIL("unknown tamper");
        }
        auto result = verifyAssertion(e, clientData, authData, signature);
        QVERIFY2(!result.ok(), "tampered assertion verified");
        QCOMPARE(result.error().code, code);
    }

    // Validly signed assertions (made with Node) whose flags say the user was not verified, or not even present.
    void flagsOnValidSignatures()
    {
        const Vector& v = vector(QStringLiteral("node-packed-self-es256"));
        QCOMPARE(v.flagAssertions.size(), 2);
        const RecordedAssertion& upOnly = v.flagAssertions.at(0);
        const RecordedAssertion& silent = v.flagAssertions.at(1);
        QVERIFY(upOnly.userPresent && !upOnly.userVerified);
        QVERIFY(!silent.userPresent && !silent.userVerified);

        AssertionExpectation e = assertionExpectation(v, upOnly, 2);
        e.requireUserVerification = true;
        auto result = verifyAssertion(e, upOnly.clientDataJson, upOnly.authenticatorData, upOnly.signature);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QString::fromLatin1(webauthn::kUserNotVerified));
        e.requireUserVerification = false;
        result = verifyAssertion(e, upOnly.clientDataJson, upOnly.authenticatorData, upOnly.signature);
        QVERIFY2(result.ok(), qPrintable(errorOf(result)));
        QVERIFY(!result->userVerified);
        QCOMPARE(result->signCount, 3u);
        QVERIFY(!result->signCountRegressed);

        for (bool requireUv : {true, false}) {
            AssertionExpectation s = assertionExpectation(v, silent, 3);
            s.requireUserVerification = requireUv;
            auto r = verifyAssertion(s, silent.clientDataJson, silent.authenticatorData, silent.signature);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, QString::fromLatin1(webauthn::kUserNotPresent));
        }
    }

    // Chromium's UP-only authenticator: fine when UV is not required, refused when it is.
    void userVerificationRequired_data()
    {
        QTest::addColumn<QString>("name");
        for (const Vector& v : vectors())
            if (v.registers() && !v.userVerified())
                QTest::newRow(qPrintable(v.name)) << v.name;
    }
    void userVerificationRequired()
    {
        QFETCH(QString, name);
        const Vector& v = vector(name);
        RegistrationExpectation r = registrationExpectation(v);
        QVERIFY(!r.requireUserVerification);
        QVERIFY(verifyRegistration(r, v.clientDataJson, v.attestationObject).ok());
        r.requireUserVerification = true;
        auto registered = verifyRegistration(r, v.clientDataJson, v.attestationObject);
        QVERIFY(!registered.ok());
        QCOMPARE(registered.error().code, QString::fromLatin1(webauthn::kUserNotVerified));

        const RecordedAssertion& a = v.assertions.first();
        AssertionExpectation e = assertionExpectation(v, a);
        QVERIFY(verifyAssertion(e, a.clientDataJson, a.authenticatorData, a.signature).ok());
        e.requireUserVerification = true;
        auto asserted = verifyAssertion(e, a.clientDataJson, a.authenticatorData, a.signature);
        QVERIFY(!asserted.ok());
        QCOMPARE(asserted.error().code, QString::fromLatin1(webauthn::kUserNotVerified));
    }

    // Format "none" signs nothing over clientDataJSON, so its parsing rules can be tested on a real registration.
    void clientDataParsing_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("code"); // empty: accepted
        QTest::newRow("as recorded") << QByteArray("{") << QByteArray("{") << QString();
        QTest::newRow("unknown key") << QByteArray("\"crossOrigin\":false")
                                     << QByteArray("\"crossOrigin\":false,\"other_keys_can_be_added_here\":"
                                                   "\"do not compare clientDataJSON against a template\"")
                                     << QString();
        QTest::newRow("nested unknown key") << QByteArray("{\"type\"")
                                            << QByteArray("{\"x\":{\"type\":1,\"a\":[{\"type\":2}]},\"type\"")
                                            << QString();
        QTest::newRow("no crossOrigin") << QByteArray(",\"crossOrigin\":false") << QByteArray() << QString();
        QTest::newRow("whitespace") << QByteArray("{") << QByteArray(" {\n ") << QString();
        QTest::newRow("tokenBinding") << QByteArray("\"crossOrigin\":false")
                                      << QByteArray("\"crossOrigin\":false,\"tokenBinding\":{\"status\":\"supported\"}")
                                      << QString();
        QTest::newRow("crossOrigin true") << QByteArray("\"crossOrigin\":false") << QByteArray("\"crossOrigin\":true")
                                          << QString::fromLatin1(webauthn::kCrossOrigin);
        QTest::newRow("crossOrigin null") << QByteArray("\"crossOrigin\":false") << QByteArray("\"crossOrigin\":null")
                                          << QString::fromLatin1(webauthn::kMalformed);
        QTest::newRow("type missing") << QByteArray("\"type\"") << QByteArray("\"Type\"")
                                      << QString::fromLatin1(webauthn::kMalformed);
        QTest::newRow("type get") << QByteArray("webauthn.create") << QByteArray("webauthn.get")
                                  << QString::fromLatin1(webauthn::kWrongType);
        QTest::newRow("type with space") << QByteArray("webauthn.create") << QByteArray("webauthn.create ")
                                         << QString::fromLatin1(webauthn::kWrongType);
        QTest::newRow("origin with slash") << QByteArray("\",\"crossOrigin\"") << QByteArray("/\",\"crossOrigin\"")
                                           << QString::fromLatin1(webauthn::kWrongOrigin);
        QTest::newRow("duplicate origin") << QByteArray("{") << QByteArray("{\"origin\":\"https://evil.example\",")
                                          << QString::fromLatin1(webauthn::kMalformed);
        QTest::newRow("not json") << QByteArray("{") << QByteArray("{{") << QString::fromLatin1(webauthn::kMalformed);
        QTest::newRow("trailing garbage") << QByteArray("false}") << QByteArray("false}x")
                                          << QString::fromLatin1(webauthn::kMalformed);
        QTest::newRow("two objects") << QByteArray("false}") << QByteArray("false}{}")
                                     << QString::fromLatin1(webauthn::kMalformed);
        QTest::newRow("invalid utf-8") << QByteArray("\"crossOrigin\":false")
                                       << QByteArray("\"crossOrigin\":false,\"x\":\"\xc3\x28\"")
                                       << QString::fromLatin1(webauthn::kMalformed);
    }
    void clientDataParsing()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFETCH(QString, code);
        const Vector& v = vector(QStringLiteral("chromium-es256-none"));
        const QByteArray clientData = replaced(v.clientDataJson, from, to);
        auto result = verifyRegistration(registrationExpectation(v), clientData, v.attestationObject);
        if (code.isEmpty()) {
            QVERIFY2(result.ok(), qPrintable(errorOf(result)));
        } else {
            QVERIFY(!result.ok());
            QCOMPARE(result.error().code, code);
        }
    }

    void parseAuthenticatorDataFields()
    {
        const Vector& v = vector(QStringLiteral("chromium-es256-none-backed-up"));
        const QByteArray bytes = attestationMap(v).value(QStringLiteral("authData")).toByteArray();
        auto parsed = parseAuthenticatorData(bytes);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->rpIdHash, crypto::sha256("localhost"));
        QCOMPARE(parsed->flags, quint8(0x5d));
        QVERIFY(parsed->userPresent && parsed->userVerified && parsed->backupEligible && parsed->backupState);
        QVERIFY(parsed->attestedCredentialData && !parsed->extensionData);
        QCOMPARE(parsed->signCount, 1u);
        QCOMPARE(parsed->aaguid.size(), 16);
        QCOMPARE(parsed->credentialId, b64(v.expected.value(QStringLiteral("credentialId"))));
        QVERIFY(bytes.endsWith(parsed->credentialPublicKeyCose));
        QVERIFY(parsed->extensionsCbor.isEmpty());

        // With an extensions map after the key.
        const QByteArray extensions = QCborValue(QCborMap{{QStringLiteral("credProtect"), 2}}).toCbor();
        auto withExtensions = parseAuthenticatorData(withFlags(bytes, 0x80, 0) + extensions);
        QVERIFY(withExtensions.ok());
        QVERIFY(withExtensions->extensionData);
        QCOMPARE(withExtensions->extensionsCbor, extensions);
        QCOMPARE(withExtensions->credentialPublicKeyCose, parsed->credentialPublicKeyCose);

        // An assertion's authenticator data: exactly 37 bytes.
        auto assertion = parseAuthenticatorData(v.assertions.first().authenticatorData);
        QVERIFY(assertion.ok());
        QCOMPARE(assertion->signCount, v.assertions.first().signCount);
        QVERIFY(!assertion->attestedCredentialData);
        QVERIFY(assertion->credentialId.isEmpty());
    }

    void malformedAuthenticatorData_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        const Vector& v = vector(QStringLiteral("chromium-es256-none"));
        const QByteArray good = attestationMap(v).value(QStringLiteral("authData")).toByteArray();
        const QByteArray head = good.first(37 + 16); // through the AAGUID
        const QByteArray idAndKey = good.mid(37 + 16 + 2);
        const QByteArray key = good.mid(37 + 16 + 2 + 32);
        QCOMPARE(good.mid(37 + 16, 2), QByteArray::fromHex("0020")); // Chromium's 32-byte credential ids
        QTest::newRow("36 bytes") << good.first(36);
        QTest::newRow("AT without data") << good.first(37);
        QTest::newRow("AT truncated length") << good.first(37 + 17);
        QTest::newRow("zero-length credential id") << head + QByteArray::fromHex("0000") + key;
        QTest::newRow("credential id 1024 bytes") << head + QByteArray::fromHex("0400") + QByteArray(1024, 'i') + key;
        QTest::newRow("credential id past the end") << head + QByteArray::fromHex("ff00") + idAndKey;
        QTest::newRow("key truncated") << good.chopped(1);
        QTest::newRow("key not a map") << head + QByteArray::fromHex("0020") + good.mid(55, 32) + QByteArray(1, '\x01');
        QTest::newRow("key with duplicate label") << head + QByteArray::fromHex("0020") + good.mid(55, 32)
                + QByteArray::fromHex("a2010201020000");
        QTest::newRow("trailing byte") << good + '\0';
        QTest::newRow("ED without extensions") << withFlags(good, 0x80, 0);
        QTest::newRow("ED with non-map") << withFlags(good, 0x80, 0) + QByteArray::fromHex("01");
        QTest::newRow("ED with trailing") << withFlags(good, 0x80, 0) + QByteArray::fromHex("a000");
        QTest::newRow("BS without BE") << withFlags(good, 0x10, 0x08);
        QTest::newRow("too large") << withFlags(good, 0x80, 0)
                + QCborValue(QCborMap{{QStringLiteral("x"), QByteArray(70 * 1024, 'x')}}).toCbor();
    }
    void malformedAuthenticatorData()
    {
        QFETCH(QByteArray, bytes);
        auto parsed = parseAuthenticatorData(bytes);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, QString::fromLatin1(webauthn::kMalformed));
    }

    void invalidExpectations()
    {
        const Vector& v = vector(QStringLiteral("chromium-es256-none"));
        const QString invalid = QString::fromLatin1(webauthn::kInvalidExpectation);
        const auto registrationCode = [&](const RegistrationExpectation& e) {
            auto r = verifyRegistration(e, v.clientDataJson, v.attestationObject);
            return r.ok() ? QString() : r.error().code;
        };
        RegistrationExpectation e = registrationExpectation(v);
        e.challenge = e.challenge.first(15);
        QCOMPARE(registrationCode(e), invalid);
        e = registrationExpectation(v);
        e.rpId.clear();
        QCOMPARE(registrationCode(e), invalid);
        e = registrationExpectation(v);
        e.allowedOrigins.clear();
        QCOMPARE(registrationCode(e), invalid);
        e = registrationExpectation(v);
        e.allowedAlgorithms.clear();
        QCOMPARE(registrationCode(e), invalid);

        const RecordedAssertion& a = v.assertions.first();
        AssertionExpectation ae = assertionExpectation(v, a);
        ae.publicKeyCose.clear();
        auto r = verifyAssertion(ae, a.clientDataJson, a.authenticatorData, a.signature);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, invalid);
        ae = assertionExpectation(v, a);
        ae.challenge.clear();
        r = verifyAssertion(ae, a.clientDataJson, a.authenticatorData, a.signature);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, invalid);
    }

    void originMustMatchExactlyOneAllowed()
    {
        const Vector& v = vector(QStringLiteral("chromium-es256-none"));
        RegistrationExpectation e = registrationExpectation(v);
        e.allowedOrigins = {QStringLiteral("https://stint.example"), v.origin};
        QVERIFY(verifyRegistration(e, v.clientDataJson, v.attestationObject).ok());
        e.allowedOrigins = {v.origin.toUpper()};
        auto r = verifyRegistration(e, v.clientDataJson, v.attestationObject);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QString::fromLatin1(webauthn::kWrongOrigin));
    }

    void untrustedTextInMessagesIsNeutralised()
    {
        const Vector& v = vector(QStringLiteral("chromium-es256-none"));
        const QByteArray clientData = replaced(v.clientDataJson, "\",\"crossOrigin\"",
                                               "\\n[audit] forged line\\u0000\",\"crossOrigin\"");
        auto r = verifyRegistration(registrationExpectation(v), clientData, v.attestationObject);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QString::fromLatin1(webauthn::kWrongOrigin));
        QVERIFY(r.error().message.contains(QLatin1String("?[audit] forged line?")));
        for (QChar c : r.error().message)
            QVERIFY(c.unicode() >= 0x20 && c.unicode() < 0x7f);
    }

    void errorMessagesHoldNoSecrets()
    {
        const Vector& v = vector(QStringLiteral("node-packed-self-es256"));
        RegistrationExpectation e = registrationExpectation(v);
        e.challenge = crypto::randomBytes(32);
        auto r = verifyRegistration(e, v.clientDataJson, v.attestationObject);
        QVERIFY(!r.ok());
        QVERIFY(!r.error().message.contains(QString::fromLatin1(crypto::base64UrlEncode(e.challenge))));
        QVERIFY(!r.error().message.contains(QString::fromLatin1(crypto::base64UrlEncode(v.challenge))));
    }
};

QTEST_GUILESS_MAIN(TestWebAuthn)
#include "TestWebAuthn.moc"
