// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <optional>

class QCborMap;

// Public-key work over OpenSSL 3: COSE keys (RFC 9052/9053) as WebAuthn authenticators send them, signature
// verification, and the parts of an X.509 certificate that packed attestation needs. OpenSSL types stay in the .cpp.
namespace stint::crypto {

// Error codes produced here.
inline constexpr auto kCoseMalformedKey = "cose.malformed_key";
inline constexpr auto kCoseUnsupportedAlgorithm = "cose.unsupported_algorithm";
inline constexpr auto kCoseWeakKey = "cose.weak_key"; // well-formed, supported, but too small (RSA < 2048 bits)
inline constexpr auto kX509Malformed = "x509.malformed";
inline constexpr auto kX509KeyMismatch = "x509.key_mismatch"; // the certificate's key does not fit the algorithm

// The COSE algorithm identifiers we verify (IANA "COSE Algorithms").
enum class CoseAlgorithm : int
{
    ES256 = -7, // ECDSA P-256 with SHA-256; signature is a DER ECDSA-Sig-Value
    EdDSA = -8, // Ed25519 (the only EdDSA curve accepted); signature is the raw 64 bytes
    RS256 = -257, // RSASSA-PKCS1-v1_5 with SHA-256, modulus of at least 2048 bits
};

// Maps a COSE "alg" number to one we support, or nothing.
std::optional<CoseAlgorithm> coseAlgorithmFromInt(qint64 alg);

// An immutable public key bound to the one algorithm it may be used with. Cheap to copy (shared, read-only).
class PublicKey
{
public:
    // Parses exactly one CBOR-encoded COSE_Key: no trailing bytes, no duplicate labels, the "alg" (3) label required
    // and consistent with "kty" (1) and the curve, public parameters only (a key carrying private parameters is
    // rejected). Errors: cose.malformed_key, cose.unsupported_algorithm, cose.weak_key.
    static Result<PublicKey> fromCose(QByteArrayView cbor);
    // The same checks on an already decoded map (decode it with core/Cbor.h: a plain QCborValue keeps repeated keys).
    static Result<PublicKey> fromCoseMap(const QCborMap& map);

    CoseAlgorithm algorithm() const { return m_algorithm; }
    int coseAlgorithm() const { return int(m_algorithm); }

    // True only for a valid signature over `message` in the format of algorithm(). Malformed signatures are simply
    // invalid; this never throws and never reports why (nothing a caller could act on).
    bool verify(QByteArrayView message, QByteArrayView signature) const;

    // The key as DER SubjectPublicKeyInfo (for logging fingerprints, cross-checks and interoperation).
    QByteArray spkiDer() const;

    struct Impl;

private:
    PublicKey(std::shared_ptr<const Impl> impl, CoseAlgorithm algorithm);
    friend class Certificate;

    std::shared_ptr<const Impl> m_impl;
    CoseAlgorithm m_algorithm;
};

// A parsed DER X.509 certificate, reduced to what WebAuthn packed full attestation checks (W3C WebAuthn §8.2.1).
// No chain, validity-period or revocation checking happens here.
class Certificate
{
public:
    // Parses exactly one DER certificate (no trailing bytes). A malformed FIDO AAGUID extension, or a malformed basic
    // constraints extension, makes the whole certificate malformed. Errors: x509.malformed.
    static Result<Certificate> fromDer(QByteArrayView der);

    int version() const { return m_version; } // 1, 2 or 3
    bool hasBasicConstraints() const { return m_hasBasicConstraints; }
    bool isCa() const { return m_isCa; } // false when basic constraints are absent (RFC 5280 §4.2.1.9)

    // Subject attribute values (UTF-8), empty when absent. A repeated attribute yields an empty value: ambiguous.
    QString subjectCountry() const { return m_subjectCountry; }
    QString subjectOrganization() const { return m_subjectOrganization; }
    QString subjectOrganizationalUnit() const { return m_subjectOrganizationalUnit; }
    QString subjectCommonName() const { return m_subjectCommonName; }

    // The 16-byte value of id-fido-gen-ce-aaguid (1.3.6.1.4.1.45724.1.1.4), when the extension is present.
    std::optional<QByteArray> fidoAaguid() const { return m_fidoAaguid; }
    bool fidoAaguidCritical() const { return m_fidoAaguidCritical; }

    // The subject public key, bound to `algorithm`. Errors: x509.key_mismatch when the key's type does not fit the
    // algorithm (e.g. an RSA key for ES256, a P-384 key for ES256), cose.weak_key for RSA below 2048 bits.
    Result<PublicKey> publicKey(CoseAlgorithm algorithm) const;

private:
    Certificate() = default;

    std::shared_ptr<const PublicKey::Impl> m_key;
    int m_version = 0;
    bool m_hasBasicConstraints = false;
    bool m_isCa = false;
    QString m_subjectCountry;
    QString m_subjectOrganization;
    QString m_subjectOrganizationalUnit;
    QString m_subjectCommonName;
    std::optional<QByteArray> m_fidoAaguid;
    bool m_fidoAaguidCritical = false;
};

} // namespace stint::crypto
