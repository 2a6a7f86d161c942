// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Crypto.h"
#include "core/Result.h"

#include <QString>

// Reads the PEM files an admin picks when a customer's own app registration signs in with a certificate: the
// certificate (sent to the cloud as it is) and its private key (sent once, sealed there, never shown again).
//
// Reading files is disk I/O, which ui/ never does; doing it here also lets the app refuse early, with a sentence a
// person understands, what the cloud would refuse later: a file too large to be a PEM, a key where the certificate
// belongs, a password-protected key (the cloud cannot use one), a certificate that does not parse. Combined files
// (certificate and key in one) are common: each reader takes only its own blocks, so a key never travels as part of
// the "certificate". The key's bytes are read unbuffered into wiped-on-free memory.
namespace stint::client {

class PemFiles
{
public:
    static constexpr qint64 kMaxFileBytes = 64 * 1024;

    // Error codes.
    static constexpr auto kUnreadable = "pem.unreadable";
    static constexpr auto kTooLarge = "pem.too_large";
    static constexpr auto kNotCertificate = "pem.not_certificate";
    static constexpr auto kNotPrivateKey = "pem.not_private_key";
    static constexpr auto kEncryptedKey = "pem.encrypted_key";
    static constexpr auto kMalformed = "pem.malformed";

    // The CERTIFICATE blocks of the file at `path` (the first one must be a well-formed X.509 certificate), as PEM.
    static Result<QString> readCertificate(const QString& path);
    // The private key block of the file at `path` ("PRIVATE KEY" or "RSA PRIVATE KEY"), unencrypted.
    static Result<crypto::SecretBytes> readPrivateKey(const QString& path);

    // The same checks on bytes already in memory (the readers' core; public for tests).
    static Result<QString> certificateFrom(QByteArrayView text);
    static Result<crypto::SecretBytes> privateKeyFrom(QByteArrayView text);
};

} // namespace stint::client
