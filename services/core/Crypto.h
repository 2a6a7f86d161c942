// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QByteArrayView>

// The one thin wrapper over OpenSSL 3 for the primitives every part needs. Public-key work (COSE keys,
// signatures, certificates) lives in core/PublicKey.h.
namespace stint::crypto {

// Bytes from the operating system's CSPRNG (OpenSSL's RAND_bytes). Aborts the process if none can be had:
// continuing without randomness would be worse.
QByteArray randomBytes(int count);

QByteArray sha256(QByteArrayView data);
// The same digest into out (32 bytes), without allocating: for hashing millions of short inputs.
void sha256(QByteArrayView data, unsigned char (&out)[32]);
QByteArray hmacSha256(QByteArrayView key, QByteArrayView data);

// Compares in time independent of where the inputs differ. Different lengths compare unequal.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

QByteArray base64UrlEncode(QByteArrayView data);
// Strict: rejects padding, '+', '/', whitespace and any other character outside the base64url alphabet.
Result<QByteArray> base64UrlDecode(QByteArrayView text);

// Overwrites the buffer (detaching it first if shared, so other copies are *not* wiped: keep secrets unshared).
void wipe(QByteArray& secret);

// A move-only owner of secret bytes that wipes them when it goes away.
class SecretBytes
{
public:
    SecretBytes() = default;
    explicit SecretBytes(QByteArray bytes)
        : m_bytes(std::move(bytes))
    {
        m_bytes.detach();
    }
    ~SecretBytes() { wipe(m_bytes); }
    SecretBytes(SecretBytes&& other) noexcept
        : m_bytes(std::exchange(other.m_bytes, QByteArray()))
    {
    }
    SecretBytes& operator=(SecretBytes&& other) noexcept
    {
        if (this != &other) {
            wipe(m_bytes);
            m_bytes = std::exchange(other.m_bytes, QByteArray());
        }
        return *this;
    }
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;

    const QByteArray& bytes() const { return m_bytes; }
    int size() const { return int(m_bytes.size()); }
    bool isEmpty() const { return m_bytes.isEmpty(); }

private:
    QByteArray m_bytes;
};

// AES-256-GCM with a random 96-bit nonce. Output: nonce(12) ‖ ciphertext ‖ tag(16). `aad` binds the
// ciphertext to its context (e.g. the row it belongs to) so it cannot be moved elsewhere.
Result<QByteArray> seal(const SecretBytes& key, QByteArrayView plaintext, QByteArrayView aad);
Result<SecretBytes> open(const SecretBytes& key, QByteArrayView sealed, QByteArrayView aad);

} // namespace stint::crypto
