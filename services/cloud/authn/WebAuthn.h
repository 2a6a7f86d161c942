// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

// The WebAuthn relying-party checks (W3C WebAuthn Level 3, §7.1 registration and §7.2 authentication) for the
// technician's FIDO2 sign-in. Everything arrives from the network: every field is parsed into a typed value here and
// rejected here when it does not fit, with one of the error codes below.
//
// What stays with the caller:
//  - issuing a fresh random challenge per ceremony (≥ 16 bytes), remembering it server-side and using it once;
//  - on registration: refusing a credentialId that is already registered, and the authenticator policy. We verify the
//    packed attestation signature and the attestation certificate's own requirements (§8.2.1) but do NOT chain x5c
//    to a trust root: attestationType "basic" means "signed by a certificate we did not validate". Deciding which
//    authenticators are acceptable is the AAGUID allow-list's job (with trust roots from the FIDO Metadata Service if
//    attestation is ever to be trusted);
//  - on assertion: finding the credential by its id (and user handle), rejecting and flagging the credential when
//    VerifiedAssertion::signCountRegressed is set, and storing the new signCount.
namespace stint::authn {

// Error codes (a program acts on these; messages are for people and never contain secrets).
namespace webauthn {
inline constexpr auto kMalformed = "webauthn.malformed"; // bad CBOR/JSON, lengths, sizes, trailing bytes
inline constexpr auto kWrongType = "webauthn.wrong_type";
inline constexpr auto kWrongChallenge = "webauthn.wrong_challenge";
inline constexpr auto kWrongOrigin = "webauthn.wrong_origin";
inline constexpr auto kCrossOrigin = "webauthn.cross_origin";
inline constexpr auto kWrongRpId = "webauthn.wrong_rp_id";
inline constexpr auto kUserNotPresent = "webauthn.user_not_present";
inline constexpr auto kUserNotVerified = "webauthn.user_not_verified";
inline constexpr auto kUnsupportedAlgorithm = "webauthn.unsupported_algorithm"; // incl. RSA keys under 2048 bits
inline constexpr auto kBadSignature = "webauthn.bad_signature";                 // assertion or attestation signature
inline constexpr auto kBadAttestation = "webauthn.bad_attestation";
// The expectation itself is unusable (empty or short challenge, no rpId, no origins, no key): a bug in the caller.
inline constexpr auto kInvalidExpectation = "webauthn.invalid_expectation";

// Input size caps; larger inputs are rejected as malformed before any parsing.
inline constexpr qsizetype kMaxClientDataJsonSize = 4 * 1024;
inline constexpr qsizetype kMaxAttestationObjectSize = 64 * 1024;
inline constexpr qsizetype kMaxAuthenticatorDataSize = 64 * 1024;
inline constexpr qsizetype kMaxSignatureSize = 2048; // an RSA-16384 signature
inline constexpr qsizetype kMaxCredentialIdSize = 1023;
inline constexpr qsizetype kMinChallengeSize = 16;
} // namespace webauthn

struct RegistrationExpectation
{
    QByteArray challenge;       // raw bytes the server issued
    QString rpId;               // e.g. "localhost" (ASCII; an IDN in its A-label form, as browsers hash it)
    QStringList allowedOrigins; // e.g. {"http://localhost:8443"}; compared exactly
    bool requireUserVerification = true;
    QList<int> allowedAlgorithms{-7, -8, -257};
};

struct RegisteredCredential
{
    QByteArray credentialId;
    QByteArray publicKeyCose; // the COSE key bytes exactly as in authData, stored by the caller
    int algorithm = 0;
    quint32 signCount = 0;
    QByteArray aaguid; // 16 bytes (all zero when the client stripped attestation)
    bool userVerified = false, backupEligible = false, backupState = false;
    QString attestationFormat; // "none" | "packed"
    QString attestationType;   // "none" | "self" | "basic"
    QList<QByteArray> attestationCertificates; // x5c as DER, leaf first (only for "basic"); not chain-validated
};

// An AAGUID as the lowercase UUID text organizations' allow-lists hold (all zero when there is none).
QString aaguidString(const QByteArray& aaguid);

Result<RegisteredCredential> verifyRegistration(const RegistrationExpectation&, QByteArrayView clientDataJson,
                                                QByteArrayView attestationObject);

struct AssertionExpectation
{
    QByteArray challenge;
    QString rpId;
    QStringList allowedOrigins;
    bool requireUserVerification = true;
    QByteArray publicKeyCose; // as stored from RegisteredCredential::publicKeyCose
    quint32 storedSignCount = 0;
};

struct VerifiedAssertion
{
    quint32 signCount = 0;
    // True when the stored or the new count is non-zero and new <= stored: a possible cloned authenticator. The
    // signature was valid; the caller rejects the sign-in and flags the credential.
    bool signCountRegressed = false;
    bool userVerified = false, backupEligible = false, backupState = false;
};

Result<VerifiedAssertion> verifyAssertion(const AssertionExpectation&, QByteArrayView clientDataJson,
                                          QByteArrayView authenticatorData, QByteArrayView signature);

// authenticatorData (W3C WebAuthn §6.1), parsed structurally: no policy, no signature.
struct AuthenticatorData
{
    QByteArray rpIdHash; // 32 bytes: SHA-256 of the RP ID
    quint8 flags = 0;
    quint32 signCount = 0;
    bool userPresent = false;            // UP, bit 0
    bool userVerified = false;           // UV, bit 2
    bool backupEligible = false;         // BE, bit 3
    bool backupState = false;            // BS, bit 4
    bool attestedCredentialData = false; // AT, bit 6
    bool extensionData = false;          // ED, bit 7
    // Attested credential data, when attestedCredentialData:
    QByteArray aaguid; // 16 bytes
    QByteArray credentialId;
    QByteArray credentialPublicKeyCose; // the exact CBOR bytes of the COSE_Key
    // The exact CBOR bytes of the extensions map, when extensionData.
    QByteArray extensionsCbor;
};

// Parses authenticatorData (exposed for tests and for the caller's AAGUID policy). Rejects, as webauthn.malformed:
// fewer than 37 bytes, more than kMaxAuthenticatorDataSize, BS without BE, a credential id of 0 or over 1023 bytes,
// a credential public key or extensions that are not one strict CBOR map, data announced by a flag but absent,
// and trailing bytes.
Result<AuthenticatorData> parseAuthenticatorData(QByteArrayView authenticatorData);

} // namespace stint::authn
