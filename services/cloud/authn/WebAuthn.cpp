// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/authn/WebAuthn.h"

#include "core/Cbor.h"
#include "core/Crypto.h"
#include "core/Json.h"
#include "core/PublicKey.h"

#include <QCborArray>
#include <QCborMap>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QUuid>
#include <QtEndian>

#include <optional>

namespace stint::authn {

namespace {

using crypto::CoseAlgorithm;
using crypto::PublicKey;

constexpr quint8 kFlagUp = 0x01;
constexpr quint8 kFlagUv = 0x04;
constexpr quint8 kFlagBe = 0x08;
constexpr quint8 kFlagBs = 0x10;
constexpr quint8 kFlagAt = 0x40;
constexpr quint8 kFlagEd = 0x80;

constexpr qsizetype kRpIdHashSize = 32;
constexpr qsizetype kFixedAuthDataSize = 37; // rpIdHash(32) ‖ flags(1) ‖ signCount(4)
constexpr qsizetype kAaguidSize = 16;
constexpr int kClientDataMaxDepth = 8;
constexpr int kCoseKeyMaxDepth = 4;
constexpr int kExtensionsMaxDepth = 8;
constexpr int kAttestationObjectMaxDepth = 6;
constexpr qsizetype kMaxCertificates = 8;

const QString kTypeCreate = QStringLiteral("webauthn.create");
const QString kTypeGet = QStringLiteral("webauthn.get");

Error fail(const char* code, const QString& message)
{
    return makeError(QString::fromLatin1(code), message);
}

Error malformed(const QString& what)
{
    return fail(webauthn::kMalformed, QStringLiteral("Malformed WebAuthn data: %1.").arg(what));
}

Error badAttestation(const QString& what)
{
    return fail(webauthn::kBadAttestation, QStringLiteral("The attestation is not acceptable: %1.").arg(what));
}

// Untrusted text for a message a person reads (and a log may hold): printable ASCII only, bounded.
QString printable(const QString& text)
{
    QString out = text.left(200);
    for (QChar& c : out)
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            c = QLatin1Char('?');
    return out;
}

// A COSE key error in WebAuthn terms.
Error fromKeyError(const Error& error)
{
    if (error.code == QLatin1String(crypto::kCoseUnsupportedAlgorithm)
        || error.code == QLatin1String(crypto::kCoseWeakKey))
        return fail(webauthn::kUnsupportedAlgorithm, error.message);
    return malformed(QStringLiteral("credential public key: %1").arg(error.message));
}

// ---- clientDataJSON (§5.8.1) ----------------------------------------------------------------------------------

struct ClientData
{
    QString type;
    QByteArray challenge;
    QString origin;
    bool crossOrigin = false;
    bool hasTopOrigin = false;
};

// QJsonDocument keeps only one of repeated keys. Called after it accepted `json` as one object, this walks the top
// level once more and reports whether any key (after unescaping) appears twice: such a document is ambiguous.
bool hasDuplicateTopLevelKeys(QByteArrayView json)
{
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    bool expectKey = false;
    qsizetype keyStart = -1;
    QSet<QString> seen;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
                if (keyStart >= 0) {
                    const QByteArray literal = '[' + json.sliced(keyStart, i + 1 - keyStart).toByteArray() + ']';
                    const QString key = QJsonDocument::fromJson(literal).array().at(0).toString();
                    if (seen.contains(key))
                        return true;
                    seen.insert(key);
                    keyStart = -1;
                }
            }
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            if (depth == 1 && expectKey) {
                keyStart = i;
                expectKey = false;
            }
            break;
        case '{':
            if (++depth == 1)
                expectKey = true;
            break;
        case '[':
            ++depth;
            break;
        case '}':
        case ']':
            --depth;
            break;
        case ',':
            if (depth == 1)
                expectKey = true;
            break;
        default:
            break;
        }
    }
    return false;
}

Result<ClientData> parseClientData(QByteArrayView json)
{
    if (json.size() > webauthn::kMaxClientDataJsonSize)
        return malformed(
            QStringLiteral("clientDataJSON is larger than %1 bytes").arg(webauthn::kMaxClientDataJsonSize));
    auto object = json::parseObject(json, webauthn::kMaxClientDataJsonSize, kClientDataMaxDepth);
    if (!object)
        return malformed(QStringLiteral("clientDataJSON is not one JSON object"));
    if (hasDuplicateTopLevelKeys(json))
        return malformed(QStringLiteral("clientDataJSON repeats a key"));

    const auto requiredString = [&](const QString& key) -> std::optional<QString> {
        const QJsonValue v = object->value(key);
        if (!v.isString())
            return std::nullopt;
        return v.toString();
    };
    ClientData out;
    const auto type = requiredString(QStringLiteral("type"));
    const auto challenge = requiredString(QStringLiteral("challenge"));
    const auto origin = requiredString(QStringLiteral("origin"));
    if (!type || !challenge || !origin)
        return malformed(QStringLiteral("clientDataJSON needs the strings type, challenge and origin"));
    out.type = *type;
    out.origin = *origin;
    auto decoded = crypto::base64UrlDecode(challenge->toLatin1());
    if (!decoded || challenge->isEmpty())
        return malformed(QStringLiteral("the challenge in clientDataJSON is not unpadded base64url"));
    out.challenge = *decoded;

    const QJsonValue crossOrigin = object->value(QStringLiteral("crossOrigin"));
    if (!crossOrigin.isUndefined()) {
        if (!crossOrigin.isBool())
            return malformed(QStringLiteral("crossOrigin in clientDataJSON is not a boolean"));
        out.crossOrigin = crossOrigin.toBool();
    }
    const QJsonValue topOrigin = object->value(QStringLiteral("topOrigin"));
    if (!topOrigin.isUndefined()) {
        if (!topOrigin.isString())
            return malformed(QStringLiteral("topOrigin in clientDataJSON is not a string"));
        out.hasTopOrigin = true;
    }
    return out;
}

// Steps shared by both ceremonies: type, challenge, origin, cross-origin (§7.1 steps 7–10, §7.2 steps 11–14).
Result<QByteArray> checkClientData(QByteArrayView json, const QString& expectedType, const QByteArray& challenge,
                                   const QStringList& allowedOrigins)
{
    auto clientData = parseClientData(json);
    if (!clientData)
        return clientData.error();
    if (clientData->type != expectedType)
        return fail(webauthn::kWrongType, QStringLiteral("clientDataJSON is not of type %1.").arg(expectedType));
    if (!crypto::constantTimeEquals(clientData->challenge, challenge))
        return fail(webauthn::kWrongChallenge, QStringLiteral("The challenge is not the one issued."));
    if (!allowedOrigins.contains(clientData->origin))
        return fail(webauthn::kWrongOrigin,
                    QStringLiteral("The origin %1 is not allowed.").arg(printable(clientData->origin)));
    if (clientData->crossOrigin || clientData->hasTopOrigin)
        return fail(webauthn::kCrossOrigin, QStringLiteral("The ceremony ran in a cross-origin frame."));
    return crypto::sha256(json);
}

Result<void> checkExpectation(const QByteArray& challenge, const QString& rpId, const QStringList& origins)
{
    if (challenge.size() < webauthn::kMinChallengeSize)
        return fail(webauthn::kInvalidExpectation, QStringLiteral("The expected challenge must have at least %1 bytes.")
                                                       .arg(webauthn::kMinChallengeSize));
    if (rpId.isEmpty() || origins.isEmpty())
        return fail(webauthn::kInvalidExpectation, QStringLiteral("The expectation needs an rpId and origins."));
    return {};
}

// rpIdHash, UP and UV (§7.1 steps 13–15, §7.2 steps 15–17).
Result<void> checkRpAndUser(const AuthenticatorData& authData, const QString& rpId, bool requireUserVerification)
{
    if (!crypto::constantTimeEquals(authData.rpIdHash, crypto::sha256(rpId.toUtf8())))
        return fail(webauthn::kWrongRpId, QStringLiteral("The authenticator data is for another RP ID."));
    if (!authData.userPresent)
        return fail(webauthn::kUserNotPresent, QStringLiteral("The authenticator did not test user presence."));
    if (requireUserVerification && !authData.userVerified)
        return fail(webauthn::kUserNotVerified, QStringLiteral("The authenticator did not verify the user."));
    return {};
}

// ---- Attestation statements (§8.2 packed, §8.7 none) -------------------------------------------------------------

struct Attestation
{
    QString type;
    QList<QByteArray> certificates;
};

bool isCountryCode(const QString& c)
{
    return c.size() == 2 && c.at(0).isLetter() && c.at(1).isLetter() && c.at(0).unicode() < 128
        && c.at(1).unicode() < 128;
}

// §8.2.1 Certificate Requirements for Packed Attestation Statements.
Result<void> checkPackedCertificate(const crypto::Certificate& cert, const QByteArray& aaguid)
{
    if (cert.version() != 3)
        return badAttestation(QStringLiteral("the attestation certificate is not X.509 version 3"));
    if (cert.isCa())
        return badAttestation(QStringLiteral("the attestation certificate is a CA certificate"));
    if (cert.subjectOrganizationalUnit() != QLatin1String("Authenticator Attestation"))
        return badAttestation(QStringLiteral("the attestation certificate's subject OU is not "
                                             "\"Authenticator Attestation\""));
    if (!isCountryCode(cert.subjectCountry()) || cert.subjectOrganization().isEmpty()
        || cert.subjectCommonName().isEmpty())
        return badAttestation(QStringLiteral("the attestation certificate's subject lacks C, O or CN"));
    if (const auto certAaguid = cert.fidoAaguid()) {
        if (cert.fidoAaguidCritical())
            return badAttestation(QStringLiteral("the AAGUID extension is marked critical"));
        if (*certAaguid != aaguid)
            return badAttestation(QStringLiteral("the certificate's AAGUID differs from the authenticator data's"));
    }
    return {};
}

Result<Attestation> verifyPacked(const QCborMap& attStmt, QByteArrayView authData, const QByteArray& clientDataHash,
                                 const AuthenticatorData& parsed, const PublicKey& credentialKey)
{
    for (auto it = attStmt.constBegin(); it != attStmt.constEnd(); ++it) {
        const QString key = it.key().toString();
        if (key != QLatin1String("alg") && key != QLatin1String("sig") && key != QLatin1String("x5c"))
            return badAttestation(QStringLiteral("unexpected field in the packed statement"));
    }
    const QCborValue algValue = attStmt.value(QStringLiteral("alg"));
    const QCborValue sigValue = attStmt.value(QStringLiteral("sig"));
    if (!algValue.isInteger() || !sigValue.isByteArray())
        return badAttestation(QStringLiteral("the packed statement needs an integer alg and a byte-string sig"));
    const QByteArray sig = sigValue.toByteArray();
    const QByteArray signedData = authData.toByteArray() + clientDataHash;

    const QCborValue x5c = attStmt.value(QStringLiteral("x5c"));
    if (x5c.isUndefined()) {
        // Self attestation: signed by the credential key itself.
        if (algValue.toInteger() != credentialKey.coseAlgorithm())
            return badAttestation(QStringLiteral("the statement's alg differs from the credential key's"));
        if (!credentialKey.verify(signedData, sig))
            return fail(webauthn::kBadSignature, QStringLiteral("The self-attestation signature is invalid."));
        return Attestation{QStringLiteral("self"), {}};
    }

    // Full attestation: signed by the leaf certificate's key.
    const auto alg = crypto::coseAlgorithmFromInt(algValue.toInteger());
    if (!alg)
        return badAttestation(QStringLiteral("unsupported attestation algorithm %1").arg(algValue.toInteger()));
    if (!x5c.isArray() || x5c.toArray().isEmpty() || x5c.toArray().size() > kMaxCertificates)
        return badAttestation(QStringLiteral("x5c must be a non-empty array of at most %1 certificates")
                                  .arg(kMaxCertificates));
    Attestation out{QStringLiteral("basic"), {}};
    std::optional<crypto::Certificate> leaf;
    for (const QCborValue& item : x5c.toArray()) {
        if (!item.isByteArray())
            return badAttestation(QStringLiteral("x5c holds something other than a certificate"));
        auto cert = crypto::Certificate::fromDer(item.toByteArray());
        if (!cert)
            return badAttestation(QStringLiteral("an x5c certificate is malformed"));
        if (!leaf)
            leaf = std::move(*cert);
        out.certificates.append(item.toByteArray());
    }
    STINT_TRY(checkPackedCertificate(*leaf, parsed.aaguid));
    auto attestationKey = leaf->publicKey(*alg);
    if (!attestationKey)
        return badAttestation(QStringLiteral("the attestation certificate's key does not fit alg %1")
                                  .arg(algValue.toInteger()));
    if (!attestationKey->verify(signedData, sig))
        return fail(webauthn::kBadSignature, QStringLiteral("The attestation signature is invalid."));
    return out;
}

} // namespace

Result<AuthenticatorData> parseAuthenticatorData(QByteArrayView data)
{
    if (data.size() > webauthn::kMaxAuthenticatorDataSize)
        return malformed(QStringLiteral("authenticatorData is larger than %1 bytes")
                             .arg(webauthn::kMaxAuthenticatorDataSize));
    if (data.size() < kFixedAuthDataSize)
        return malformed(QStringLiteral("authenticatorData is shorter than %1 bytes").arg(kFixedAuthDataSize));
    AuthenticatorData out;
    out.rpIdHash = data.first(kRpIdHashSize).toByteArray();
    out.flags = quint8(data[kRpIdHashSize]);
    out.signCount = qFromBigEndian<quint32>(data.data() + kRpIdHashSize + 1);
    out.userPresent = out.flags & kFlagUp;
    out.userVerified = out.flags & kFlagUv;
    out.backupEligible = out.flags & kFlagBe;
    out.backupState = out.flags & kFlagBs;
    out.attestedCredentialData = out.flags & kFlagAt;
    out.extensionData = out.flags & kFlagEd;
    if (out.backupState && !out.backupEligible)
        return malformed(QStringLiteral("backup state is set on a credential that is not backup eligible"));

    qsizetype pos = kFixedAuthDataSize;
    if (out.attestedCredentialData) {
        if (data.size() - pos < kAaguidSize + 2)
            return malformed(QStringLiteral("attested credential data is truncated"));
        out.aaguid = data.sliced(pos, kAaguidSize).toByteArray();
        pos += kAaguidSize;
        const qsizetype idLength = qFromBigEndian<quint16>(data.data() + pos);
        pos += 2;
        if (idLength == 0 || idLength > webauthn::kMaxCredentialIdSize)
            return malformed(QStringLiteral("the credential id length %1 is out of range").arg(idLength));
        if (data.size() - pos < idLength)
            return malformed(QStringLiteral("the credential id is truncated"));
        out.credentialId = data.sliced(pos, idLength).toByteArray();
        pos += idLength;
        auto key = cbor::decodeItem(data.sliced(pos), kCoseKeyMaxDepth);
        if (!key)
            return malformed(QStringLiteral("the credential public key is not valid CBOR"));
        if (!key->value.isMap())
            return malformed(QStringLiteral("the credential public key is not a CBOR map"));
        out.credentialPublicKeyCose = data.sliced(pos, key->size).toByteArray();
        pos += key->size;
    }
    if (out.extensionData) {
        auto extensions = cbor::decodeItem(data.sliced(pos), kExtensionsMaxDepth);
        if (!extensions)
            return malformed(QStringLiteral("the extensions are not valid CBOR"));
        if (!extensions->value.isMap())
            return malformed(QStringLiteral("the extensions are not a CBOR map"));
        out.extensionsCbor = data.sliced(pos, extensions->size).toByteArray();
        pos += extensions->size;
    }
    if (pos != data.size())
        return malformed(QStringLiteral("trailing bytes after the authenticator data"));
    return out;
}

QString aaguidString(const QByteArray& aaguid)
{
    if (aaguid.size() != 16)
        return QStringLiteral("00000000-0000-0000-0000-000000000000");
    return QUuid::fromRfc4122(aaguid).toString(QUuid::WithoutBraces).toLower();
}

Result<RegisteredCredential> verifyRegistration(const RegistrationExpectation& expected, QByteArrayView clientDataJson,
                                                QByteArrayView attestationObject)
{
    STINT_TRY(checkExpectation(expected.challenge, expected.rpId, expected.allowedOrigins));
    if (expected.allowedAlgorithms.isEmpty())
        return fail(webauthn::kInvalidExpectation, QStringLiteral("No algorithm is allowed."));
    if (attestationObject.size() > webauthn::kMaxAttestationObjectSize)
        return malformed(QStringLiteral("the attestationObject is larger than %1 bytes")
                             .arg(webauthn::kMaxAttestationObjectSize));

    auto clientDataHash = checkClientData(clientDataJson, kTypeCreate, expected.challenge, expected.allowedOrigins);
    if (!clientDataHash)
        return clientDataHash.error();

    // attestationObject (§6.5.4): exactly {fmt: tstr, attStmt: map, authData: bstr}.
    auto decoded = cbor::decodeExactly(attestationObject, kAttestationObjectMaxDepth);
    if (!decoded)
        return malformed(QStringLiteral("the attestationObject is not one valid CBOR item"));
    if (!decoded->isMap())
        return malformed(QStringLiteral("the attestationObject is not a CBOR map"));
    const QCborMap object = decoded->toMap();
    const QCborValue fmtValue = object.value(QStringLiteral("fmt"));
    const QCborValue attStmtValue = object.value(QStringLiteral("attStmt"));
    const QCborValue authDataValue = object.value(QStringLiteral("authData"));
    if (object.size() != 3 || !fmtValue.isString() || !attStmtValue.isMap() || !authDataValue.isByteArray())
        return malformed(QStringLiteral("the attestationObject must be {fmt, attStmt, authData}"));
    const QString fmt = fmtValue.toString();
    const QCborMap attStmt = attStmtValue.toMap();
    const QByteArray authDataBytes = authDataValue.toByteArray();

    auto authData = parseAuthenticatorData(authDataBytes);
    if (!authData)
        return authData.error();
    STINT_TRY(checkRpAndUser(*authData, expected.rpId, expected.requireUserVerification));
    if (!authData->attestedCredentialData)
        return badAttestation(QStringLiteral("the authenticator data carries no attested credential"));

    auto key = PublicKey::fromCose(authData->credentialPublicKeyCose);
    if (!key)
        return fromKeyError(key.error());
    if (!expected.allowedAlgorithms.contains(key->coseAlgorithm()))
        return fail(webauthn::kUnsupportedAlgorithm,
                    QStringLiteral("Algorithm %1 was not offered.").arg(key->coseAlgorithm()));

    Attestation attestation;
    if (fmt == QLatin1String("none")) {
        if (!attStmt.isEmpty())
            return badAttestation(QStringLiteral("format none with a non-empty statement"));
        attestation.type = QStringLiteral("none");
    } else if (fmt == QLatin1String("packed")) {
        auto packed = verifyPacked(attStmt, authDataBytes, *clientDataHash, *authData, *key);
        if (!packed)
            return packed.error();
        attestation = std::move(*packed);
    } else {
        return badAttestation(QStringLiteral("unsupported attestation format \"%1\"").arg(printable(fmt.left(40))));
    }

    RegisteredCredential out;
    out.credentialId = authData->credentialId;
    out.publicKeyCose = authData->credentialPublicKeyCose;
    out.algorithm = key->coseAlgorithm();
    out.signCount = authData->signCount;
    out.aaguid = authData->aaguid;
    out.userVerified = authData->userVerified;
    out.backupEligible = authData->backupEligible;
    out.backupState = authData->backupState;
    out.attestationFormat = fmt;
    out.attestationType = attestation.type;
    out.attestationCertificates = attestation.certificates;
    return out;
}

Result<VerifiedAssertion> verifyAssertion(const AssertionExpectation& expected, QByteArrayView clientDataJson,
                                          QByteArrayView authenticatorData, QByteArrayView signature)
{
    STINT_TRY(checkExpectation(expected.challenge, expected.rpId, expected.allowedOrigins));
    if (expected.publicKeyCose.isEmpty())
        return fail(webauthn::kInvalidExpectation, QStringLiteral("No stored public key."));
    if (signature.size() > webauthn::kMaxSignatureSize)
        return malformed(QStringLiteral("the signature is larger than %1 bytes").arg(webauthn::kMaxSignatureSize));

    auto clientDataHash = checkClientData(clientDataJson, kTypeGet, expected.challenge, expected.allowedOrigins);
    if (!clientDataHash)
        return clientDataHash.error();
    auto authData = parseAuthenticatorData(authenticatorData);
    if (!authData)
        return authData.error();
    if (authData->attestedCredentialData)
        return badAttestation(QStringLiteral("an assertion carries attested credential data"));
    STINT_TRY(checkRpAndUser(*authData, expected.rpId, expected.requireUserVerification));

    auto key = PublicKey::fromCose(expected.publicKeyCose);
    if (!key)
        return fromKeyError(key.error());
    if (!key->verify(authenticatorData.toByteArray() + *clientDataHash, signature))
        return fail(webauthn::kBadSignature, QStringLiteral("The assertion signature is invalid."));

    VerifiedAssertion out;
    out.signCount = authData->signCount;
    out.signCountRegressed = (authData->signCount != 0 || expected.storedSignCount != 0)
        && authData->signCount <= expected.storedSignCount;
    out.userVerified = authData->userVerified;
    out.backupEligible = authData->backupEligible;
    out.backupState = authData->backupState;
    return out;
}

} // namespace stint::authn
