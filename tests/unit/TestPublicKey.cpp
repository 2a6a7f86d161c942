// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Cbor.h"
#include "core/Crypto.h"
#include "core/PublicKey.h"

#include <QCborArray>
#include <QCborMap>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace stint;
using crypto::CoseAlgorithm;
using crypto::PublicKey;

// Known answers made by Node's crypto and the openssl CLI (tests/e2e/tools/make-publickey-vectors.mjs), plus the
// RFC 8032 Ed25519 vectors; malformed keys are derived from them here.
namespace {

QJsonObject loadVectors()
{
    QFile file(QStringLiteral(STINT_TEST_DATA_DIR "/publickey/vectors.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(file.fileName()));
    return QJsonDocument::fromJson(file.readAll()).object();
}

const QJsonObject& vectors()
{
    static const QJsonObject v = loadVectors();
    return v;
}

QByteArray b64(const QJsonValue& v)
{
    auto decoded = crypto::base64UrlDecode(v.toString().toLatin1());
    if (!decoded)
        qFatal("bad base64url in test data");
    return *decoded;
}

QJsonObject signatureVector(const QString& name)
{
    for (const auto& v : vectors().value(QStringLiteral("signatures")).toArray())
        if (v.toObject().value(QStringLiteral("name")).toString() == name)
            return v.toObject();
    qFatal("no vector %s", qPrintable(name));
}

QCborMap coseMap(const QString& vectorName)
{
    return QCborValue::fromCbor(b64(signatureVector(vectorName).value(QStringLiteral("coseKey")))).toMap();
}

QByteArray flipBit(QByteArray data, qsizetype byte, int bit = 0)
{
    data[byte] = char(data[byte] ^ (1 << bit));
    return data;
}

// Re-encodes a DER ECDSA-Sig-Value with a superfluous leading zero on r: valid BER, invalid DER.
QByteArray nonMinimalDer(const QByteArray& der)
{
    const int rLen = quint8(der[3]);
    const QByteArray r = der.mid(4, rLen);
    const QByteArray rest = der.mid(4 + rLen); // 02 sLen s
    QByteArray out;
    out += char(0x30);
    out += char(der.size() - 2 + 1);
    out += char(0x02);
    out += char(rLen + 1);
    out += char(0x00);
    out += r;
    out += rest;
    return out;
}

} // namespace

class TestPublicKey : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void signatureKnownAnswers_data()
    {
        QTest::addColumn<int>("alg");
        QTest::addColumn<QByteArray>("cose");
        QTest::addColumn<QByteArray>("spki");
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QByteArray>("signature");
        const auto all = vectors().value(QStringLiteral("signatures")).toArray();
        QVERIFY(all.size() >= 6);
        for (const auto& value : all) {
            const QJsonObject v = value.toObject();
            QTest::newRow(qPrintable(v.value(QStringLiteral("name")).toString()))
                << v.value(QStringLiteral("alg")).toInt() << b64(v.value(QStringLiteral("coseKey")))
                << (v.contains(QStringLiteral("spki")) ? b64(v.value(QStringLiteral("spki"))) : QByteArray())
                << b64(v.value(QStringLiteral("message"))) << b64(v.value(QStringLiteral("signature")));
        }
    }
    void signatureKnownAnswers()
    {
        QFETCH(int, alg);
        QFETCH(QByteArray, cose);
        QFETCH(QByteArray, spki);
        QFETCH(QByteArray, message);
        QFETCH(QByteArray, signature);

        auto key = PublicKey::fromCose(cose);
        QVERIFY2(key.ok(), qPrintable(key.ok() ? QString() : key.error().message));
        QCOMPARE(key->coseAlgorithm(), alg);
        if (!spki.isEmpty())
            QCOMPARE(key->spkiDer(), spki); // the same key Node exported

        QVERIFY(key->verify(message, signature));
        QVERIFY(!key->verify(message + '!', signature));
        if (!message.isEmpty())
            QVERIFY(!key->verify(flipBit(message, 0), signature));
        QVERIFY(!key->verify(message, flipBit(signature, signature.size() / 2, 3)));
        QVERIFY(!key->verify(message, flipBit(signature, signature.size() - 1, 7)));
        QVERIFY(!key->verify(message, signature.chopped(1)));
        QVERIFY(!key->verify(message, signature + '\0'));
        QVERIFY(!key->verify(message, QByteArray()));

        // A copy shares the key and behaves the same.
        const PublicKey copy = *key;
        QVERIFY(copy.verify(message, signature));
    }

    void ecdsaSignatureMustBeStrictDer()
    {
        const QJsonObject v = signatureVector(QStringLiteral("es256"));
        auto key = PublicKey::fromCose(b64(v.value(QStringLiteral("coseKey"))));
        QVERIFY(key.ok());
        const QByteArray message = b64(v.value(QStringLiteral("message")));
        const QByteArray der = b64(v.value(QStringLiteral("signature")));
        QVERIFY(key->verify(message, der));
        QVERIFY(!key->verify(message, nonMinimalDer(der)));
        // The raw r‖s form (as in JWS) is not what WebAuthn sends.
        QVERIFY(!key->verify(message, QByteArray(64, '\x01')));
    }

    void signatureOfOneAlgorithmDoesNotVerifyUnderAnother()
    {
        const QJsonObject es = signatureVector(QStringLiteral("es256"));
        const QJsonObject ed = signatureVector(QStringLiteral("eddsa"));
        const QJsonObject rs = signatureVector(QStringLiteral("rs256-2048"));
        auto edKey = PublicKey::fromCose(b64(ed.value(QStringLiteral("coseKey"))));
        auto rsKey = PublicKey::fromCose(b64(rs.value(QStringLiteral("coseKey"))));
        QVERIFY(edKey.ok() && rsKey.ok());
        QVERIFY(!edKey->verify(b64(es.value(QStringLiteral("message"))), b64(es.value(QStringLiteral("signature")))));
        QVERIFY(!rsKey->verify(b64(ed.value(QStringLiteral("message"))), b64(ed.value(QStringLiteral("signature")))));
    }

    void malformedKeys_data()
    {
        QTest::addColumn<QByteArray>("cose");
        QTest::addColumn<QString>("code");
        const QString malformed = QString::fromLatin1(crypto::kCoseMalformedKey);
        const QString unsupported = QString::fromLatin1(crypto::kCoseUnsupportedAlgorithm);
        const QString weak = QString::fromLatin1(crypto::kCoseWeakKey);

        const QCborMap es = coseMap(QStringLiteral("es256"));
        const QCborMap ed = coseMap(QStringLiteral("eddsa"));
        const QCborMap rs = coseMap(QStringLiteral("rs256-2048"));
        const auto with = [](QCborMap map, qint64 label, const QCborValue& value) {
            map.insert(label, value);
            return map.toCborValue().toCbor();
        };
        const auto without = [](QCborMap map, qint64 label) {
            map.remove(label);
            return map.toCborValue().toCbor();
        };
        const QByteArray esBytes = es.toCborValue().toCbor();

        QTest::newRow("empty") << QByteArray() << malformed;
        QTest::newRow("garbage") << QByteArray("\xff\xfe\xfd", 3) << malformed;
        QTest::newRow("truncated") << esBytes.chopped(5) << malformed;
        QTest::newRow("trailing byte") << esBytes + '\0' << malformed;
        QTest::newRow("array not map") << QCborValue(QCborArray{1, 2, 3}).toCbor() << malformed;
        QTest::newRow("text label") << [&] {
            QCborMap m = es;
            m.insert(QStringLiteral("kty"), 2);
            return m.toCborValue().toCbor();
        }() << malformed;
        // {1: 2, 1: 2, ...}: a duplicate label, encoded by hand (QCborMap would not make one).
        QTest::newRow("duplicate label") << QByteArray::fromHex("a60102") + esBytes.mid(1) << malformed;
        QTest::newRow("missing alg") << without(es, 3) << malformed;
        QTest::newRow("missing kty") << without(es, 1) << malformed;
        QTest::newRow("alg as text") << with(es, 3, QStringLiteral("ES256")) << malformed;
        QTest::newRow("alg ES384") << with(es, 3, -35) << unsupported;
        QTest::newRow("alg PS256") << with(rs, 3, -37) << unsupported;
        QTest::newRow("alg 0") << with(es, 3, 0) << unsupported;
        QTest::newRow("ES256 with OKP kty") << with(es, 1, 1) << malformed;
        QTest::newRow("ES256 on P-384") << with(es, -1, 2) << malformed;
        QTest::newRow("short x") << with(es, -2, QByteArray(31, '\x01')) << malformed;
        QTest::newRow("long y") << with(es, -3, QByteArray(33, '\x01')) << malformed;
        QTest::newRow("compressed y") << with(es, -3, true) << malformed;
        QTest::newRow("missing y") << without(es, -3) << malformed;
        QTest::newRow("point off the curve") << with(es, -3, flipBit(es.value(-3).toByteArray(), 31)) << malformed;
        QTest::newRow("EC2 private key") << with(es, -4, QByteArray(32, '\x07')) << malformed;
        QTest::newRow("unknown label") << with(es, -5, 1) << malformed;
        QTest::newRow("kid not bytes") << with(es, 2, 5) << malformed;
        QTest::newRow("EdDSA with EC2 kty") << with(ed, 1, 2) << malformed;
        QTest::newRow("EdDSA on Ed448") << with(ed, -1, 7) << unsupported;
        QTest::newRow("EdDSA on X25519") << with(ed, -1, 4) << malformed;
        QTest::newRow("EdDSA short x") << with(ed, -2, QByteArray(31, '\x01')) << malformed;
        QTest::newRow("EdDSA private key") << with(ed, -4, QByteArray(32, '\x07')) << malformed;
        QTest::newRow("EdDSA y present") << with(ed, -3, QByteArray(32, '\x07')) << malformed;
        QTest::newRow("RSA 1024") << b64(vectors().value(QStringLiteral("weakRsaKey"))) << weak;
        QTest::newRow("RSA tiny") << with(rs, -1, QByteArray(16, '\x7f')) << weak;
        QTest::newRow("RSA even modulus") << with(rs, -1, QByteArray(256, '\x80')) << malformed;
        QTest::newRow("RSA exponent 1") << with(rs, -2, QByteArray(1, '\x01')) << malformed;
        QTest::newRow("RSA even exponent") << with(rs, -2, QByteArray(3, '\x02')) << malformed;
        QTest::newRow("RSA huge exponent") << with(rs, -2, QByteArray(9, '\x03')) << malformed;
        QTest::newRow("RSA private exponent") << with(rs, -3, QByteArray(256, '\x07')) << malformed;
        QTest::newRow("RSA missing e") << without(rs, -2) << malformed;
        QTest::newRow("RSA with EC2 kty") << with(rs, 1, 2) << malformed;
        // -2^64 as a label: Qt alone would read it as 0.
        QTest::newRow("out-of-range label") << QByteArray::fromHex("a13bffffffffffffffff01") << malformed;
    }
    void malformedKeys()
    {
        QFETCH(QByteArray, cose);
        QFETCH(QString, code);
        auto key = PublicKey::fromCose(cose);
        QVERIFY(!key.ok());
        QCOMPARE(key.error().code, code);
    }

    void strictCbor_data()
    {
        QTest::addColumn<QByteArray>("cbor");
        QTest::addColumn<bool>("valid");
        QTest::newRow("int") << QByteArray::fromHex("01") << true;
        QTest::newRow("map") << QByteArray::fromHex("a2016161026162") << true;
        QTest::newRow("bools and null") << QByteArray::fromHex("83f5f4f6") << true;
        QTest::newRow("min int64") << QByteArray::fromHex("3b7fffffffffffffff") << true;
        QTest::newRow("below min int64") << QByteArray::fromHex("3b8000000000000000") << false;
        QTest::newRow("-2^64") << QByteArray::fromHex("3bffffffffffffffff") << false;
        QTest::newRow("above max int64") << QByteArray::fromHex("1b8000000000000000") << false;
        QTest::newRow("duplicate key") << QByteArray::fromHex("a201010102") << false;
        QTest::newRow("bytes key") << QByteArray::fromHex("a1410101") << false;
        QTest::newRow("tag") << QByteArray::fromHex("c24101") << false;
        QTest::newRow("float") << QByteArray::fromHex("f93c00") << false;
        QTest::newRow("undefined") << QByteArray::fromHex("f7") << false;
        QTest::newRow("indefinite bytes") << QByteArray::fromHex("5f4101ff") << false;
        QTest::newRow("indefinite map") << QByteArray::fromHex("bf0101ff") << false;
        QTest::newRow("invalid utf-8") << QByteArray::fromHex("62c328") << false;
        QTest::newRow("truncated map") << QByteArray::fromHex("a201") << false;
        QTest::newRow("truncated bytes") << QByteArray::fromHex("5affffffff00") << false;
        QTest::newRow("huge array") << QByteArray::fromHex("9bffffffffffffffff") << false;
        QTest::newRow("trailing") << QByteArray::fromHex("0101") << false;
        QTest::newRow("break alone") << QByteArray::fromHex("ff") << false;
        QTest::newRow("too deep") << QByteArray(17, char(0x81)) + '\0' << false;
        QTest::newRow("deep enough") << QByteArray(16, char(0x81)) + '\0' << true;
    }
    void strictCbor()
    {
        QFETCH(QByteArray, cbor);
        QFETCH(bool, valid);
        auto decoded = cbor::decodeExactly(cbor);
        QCOMPARE(decoded.ok(), valid);
        if (!valid)
            QCOMPARE(decoded.error().code, QString::fromLatin1(cbor::kMalformed));
    }

    void decodeItemReportsItsSize()
    {
        auto decoded = cbor::decodeItem(QByteArray::fromHex("a2010203044401020304a0"));
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->size, 5);
        QCOMPARE(decoded->value.toMap().value(3).toInteger(), 4);
    }

    void certificates_data()
    {
        QTest::addColumn<QJsonObject>("vector");
        for (const auto& value : vectors().value(QStringLiteral("certificates")).toArray())
            QTest::newRow(qPrintable(value.toObject().value(QStringLiteral("name")).toString())) << value.toObject();
    }
    void certificates()
    {
        QFETCH(QJsonObject, vector);
        const QJsonObject expected = vector.value(QStringLiteral("expected")).toObject();
        auto cert = crypto::Certificate::fromDer(b64(vector.value(QStringLiteral("der"))));
        if (expected.contains(QStringLiteral("error"))) {
            QVERIFY(!cert.ok());
            QCOMPARE(cert.error().code, expected.value(QStringLiteral("error")).toString());
            return;
        }
        QVERIFY2(cert.ok(), qPrintable(cert.ok() ? QString() : cert.error().message));
        QCOMPARE(cert->version(), expected.value(QStringLiteral("version")).toInt());
        QCOMPARE(cert->isCa(), expected.value(QStringLiteral("ca")).toBool());
        QCOMPARE(cert->hasBasicConstraints(), expected.value(QStringLiteral("hasBasicConstraints")).toBool());
        const QJsonValue aaguid = expected.value(QStringLiteral("aaguid"));
        if (aaguid.isNull()) {
            QVERIFY(!cert->fidoAaguid().has_value());
        } else {
            QVERIFY(cert->fidoAaguid().has_value());
            QCOMPARE(cert->fidoAaguid()->toHex(), aaguid.toString().toLatin1());
            QCOMPARE(cert->fidoAaguidCritical(), expected.value(QStringLiteral("aaguidCritical")).toBool());
        }
        if (expected.contains(QStringLiteral("organizationalUnit"))) {
            QCOMPARE(cert->subjectCountry(), expected.value(QStringLiteral("country")).toString());
            QCOMPARE(cert->subjectOrganization(), expected.value(QStringLiteral("organization")).toString());
            QCOMPARE(cert->subjectOrganizationalUnit(),
                     expected.value(QStringLiteral("organizationalUnit")).toString());
            QCOMPARE(cert->subjectCommonName(), expected.value(QStringLiteral("commonName")).toString());
        }

        const QJsonValue keyAlg = expected.value(QStringLiteral("keyAlg"));
        const QList<CoseAlgorithm> all{CoseAlgorithm::ES256, CoseAlgorithm::EdDSA, CoseAlgorithm::RS256};
        for (CoseAlgorithm alg : all) {
            auto key = cert->publicKey(alg);
            if (!keyAlg.isNull() && int(alg) == keyAlg.toInt()) {
                QVERIFY(key.ok());
                QCOMPARE(key->algorithm(), alg);
                const QByteArray message = b64(vector.value(QStringLiteral("message")));
                const QByteArray signature = b64(vector.value(QStringLiteral("signature")));
                QVERIFY(key->verify(message, signature));
                QVERIFY(!key->verify(message + '.', signature));
            } else {
                QVERIFY(!key.ok());
                QCOMPARE(key.error().code, QString::fromLatin1(crypto::kX509KeyMismatch));
            }
        }
    }

    void malformedCertificates_data()
    {
        QTest::addColumn<QByteArray>("der");
        const QByteArray good = b64(vectors()
                                        .value(QStringLiteral("certificates"))
                                        .toArray()
                                        .first()
                                        .toObject()
                                        .value(QStringLiteral("der")));
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray("not a certificate");
        QTest::newRow("truncated") << good.chopped(1);
        QTest::newRow("trailing byte") << good + '\0';
        QTest::newRow("PEM") << QByteArray("-----BEGIN CERTIFICATE-----\n") + good.toBase64();
    }
    void malformedCertificates()
    {
        QFETCH(QByteArray, der);
        auto cert = crypto::Certificate::fromDer(der);
        QVERIFY(!cert.ok());
        QCOMPARE(cert.error().code, QString::fromLatin1(crypto::kX509Malformed));
    }

    void coseAlgorithmNumbers()
    {
        QCOMPARE(crypto::coseAlgorithmFromInt(-7), std::optional(CoseAlgorithm::ES256));
        QCOMPARE(crypto::coseAlgorithmFromInt(-8), std::optional(CoseAlgorithm::EdDSA));
        QCOMPARE(crypto::coseAlgorithmFromInt(-257), std::optional(CoseAlgorithm::RS256));
        QVERIFY(!crypto::coseAlgorithmFromInt(-35).has_value());
        QVERIFY(!crypto::coseAlgorithmFromInt(0).has_value());
    }
};

QTEST_GUILESS_MAIN(TestPublicKey)
#include "TestPublicKey.moc"
