// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Crypto.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// Test credentials for certificate client assertions (protocols.md 1.4): a fresh self-signed RSA certificate with
// its private key, made in memory when a test starts (no private key is ever committed), and the assertion JWT a
// client signs with it. The simulator itself only ever sees the certificate (SimApp::certificatePems).
namespace stint::test {

struct TestCertificate
{
    QByteArray certificatePem;
    crypto::SecretBytes privateKeyPem;
    QByteArray thumbprintSha1; // base64url, the `x5t` header value
    QByteArray thumbprintSha256; // base64url, the `x5t#S256` header value

    // RSA of `bits` (≥ 2048), subject CN=`commonName`, valid from notBefore to notAfter. Empty PEM on failure.
    static TestCertificate generate(const QString& commonName, TimeMs notBefore, TimeMs notAfter, int bits = 2048);
};

enum class AssertionAlgorithm
{
    RS256, // RSASSA-PKCS1-v1_5 with SHA-256, header x5t (SHA-1 thumbprint): older docs and most libraries
    PS256, // RSASSA-PSS with SHA-256, salt 32, header x5t#S256 (SHA-256 thumbprint): the newest doc
};

// The standard claims of a client assertion for `clientId` at token endpoint `audience`, valid for ten minutes
// from `now`, with a fresh jti. Tests change single claims before signing.
QJsonObject clientAssertionClaims(const QString& clientId, const QString& audience, TimeMs now);
// The standard header for `algorithm` naming `certificate` by its matching thumbprint.
QJsonObject clientAssertionHeader(const TestCertificate& certificate, AssertionAlgorithm algorithm);
// Signs header.claims with the certificate's key: RS256 → PKCS#1 v1.5, PS256 → PSS (by header "alg"). Empty on
// failure.
QByteArray signClientAssertion(const TestCertificate& certificate, const QJsonObject& header,
                               const QJsonObject& claims);

} // namespace stint::test
