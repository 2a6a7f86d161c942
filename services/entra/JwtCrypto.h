// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Crypto.h"
#include "core/Result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

// The one place services/entra touches OpenSSL: the app's certificate (thumbprints, expiry), signing client
// assertions (RS256 and PS256, protocols.md 1.4) and verifying the RS256 signature of an id_token against a JWK
// (code redemption at onboarding). OpenSSL types stay in the .cpp.
namespace stint::entra::jwt {

inline constexpr auto kBadCertificate = "entra.bad_certificate"; // not a PEM X.509 certificate, or not RSA
inline constexpr auto kBadPrivateKey = "entra.bad_private_key"; // not a PEM RSA private key, or not the cert's key
inline constexpr auto kMalformedJwt = "entra.malformed_jwt";

enum class Algorithm
{
    RS256, // RSASSA-PKCS1-v1_5 with SHA-256
    PS256 // RSASSA-PSS with SHA-256, MGF1-SHA-256, salt length 32
};

struct CertificateInfo
{
    QByteArray der;
    QByteArray sha1Thumbprint; // raw 20 bytes: base64url of it is the JWS "x5t"
    QByteArray sha256Thumbprint; // raw 32 bytes: base64url of it is the JWS "x5t#S256"
    TimeMs notBefore = 0;
    TimeMs notAfter = 0;
};

// Parses the first certificate of a PEM bundle (an RSA key is required: Entra accepts only RSA for assertions).
Result<CertificateInfo> parseCertificate(QByteArrayView pem);

// Checks that the PEM private key is RSA and belongs to the certificate.
Result<void> checkKeyMatchesCertificate(QByteArrayView certificatePem, const crypto::SecretBytes& privateKeyPem);

// Signs `signingInput` ("<b64url header>.<b64url payload>") with the PEM RSA private key.
Result<QByteArray> sign(Algorithm algorithm, const crypto::SecretBytes& privateKeyPem, QByteArrayView signingInput);

// Verifies an RS256 or PS256 signature with an RSA public key given as a JWK ({"kty":"RSA","n","e"}). PS256 accepts
// only the salt length RFC 7518 fixes (32 bytes).
bool verifyWithJwk(Algorithm algorithm, const QJsonObject& jwk, QByteArrayView signingInput, QByteArrayView signature);

struct DecodedJwt
{
    QJsonObject header;
    QJsonObject payload;
    QByteArray signingInput; // the first two segments, as signed
    QByteArray signature;
};

// Splits and decodes a compact JWS. Checks only its shape: the signature is the caller's business.
Result<DecodedJwt> decode(QByteArrayView compact);

// A fresh self-signed RSA-2048 certificate for an app registration (valid `days` from `now`): the operator uploads
// the certificate to the app and Stint keeps the key sealed. Returns {certificate PEM, private key PEM}.
struct GeneratedCertificate
{
    QByteArray certificatePem;
    crypto::SecretBytes privateKeyPem;
};
Result<GeneratedCertificate> generateSelfSignedCertificate(const QString& commonName, TimeMs now, int days);

} // namespace stint::entra::jwt
