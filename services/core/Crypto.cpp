// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Crypto.h"

#include "core/OpenSsl.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

namespace stint::crypto {

QByteArray randomBytes(int count)
{
    QByteArray out(count, Qt::Uninitialized);
    if (count > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), count) != 1)
        std::abort();
    return out;
}

void sha256(QByteArrayView data, unsigned char (&out)[32])
{
    // Fetched once: an implicit fetch per call costs a provider look-up (a third of the time of hashing a short
    // audit event). And one context per thread, re-initialised per call: a new context per call cost as much as
    // hashing a short audit event (allocation, reference counts, the provider's context).
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    thread_local const OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    unsigned int len = 0;
    if (!md || !ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1
        || EVP_DigestUpdate(ctx.get(), data.data(), size_t(data.size())) != 1
        || EVP_DigestFinal_ex(ctx.get(), out, &len) != 1 || len != 32)
        std::abort();
}

QByteArray sha256(QByteArrayView data)
{
    unsigned char digest[32];
    sha256(data, digest);
    return QByteArray(reinterpret_cast<const char*>(digest), 32);
}

QByteArray hmacSha256(QByteArrayView key, QByteArrayView data)
{
    QByteArray out(32, Qt::Uninitialized);
    unsigned int len = 32;
    if (!HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
              size_t(data.size()), reinterpret_cast<unsigned char*>(out.data()), &len))
        std::abort();
    return out;
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    return a.isEmpty() || CRYPTO_memcmp(a.data(), b.data(), size_t(a.size())) == 0;
}

QByteArray base64UrlEncode(QByteArrayView data)
{
    return data.toByteArray().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Result<QByteArray> base64UrlDecode(QByteArrayView text)
{
    for (char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
            || c == '_';
        if (!ok)
            return makeError(QStringLiteral("encoding.base64url"), QStringLiteral("not base64url"));
    }
    if (text.size() % 4 == 1)
        return makeError(QStringLiteral("encoding.base64url"), QStringLiteral("truncated base64url"));
    auto decoded = QByteArray::fromBase64Encoding(text.toByteArray(), QByteArray::Base64UrlEncoding
                                                      | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return makeError(QStringLiteral("encoding.base64url"), QStringLiteral("not base64url"));
    return decoded.decoded;
}

void wipe(QByteArray& secret)
{
    if (secret.isEmpty())
        return;
    OPENSSL_cleanse(secret.data(), size_t(secret.size()));
    secret.clear();
}

namespace {
constexpr int kNonceSize = 12;
constexpr int kTagSize = 16;

Error cryptoError(const char* what)
{
    return makeError(QStringLiteral("crypto.failed"), QString::fromLatin1(what));
}
} // namespace

Result<QByteArray> seal(const SecretBytes& key, QByteArrayView plaintext, QByteArrayView aad)
{
    if (key.size() != 32)
        return cryptoError("AES-256-GCM needs a 32-byte key");
    OpenSslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
    QByteArray out = randomBytes(kNonceSize);
    out.resize(kNonceSize + plaintext.size() + kTagSize);
    auto* u = reinterpret_cast<unsigned char*>(out.data());
    int len = 0;
    if (!ctx
        || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                              reinterpret_cast<const unsigned char*>(key.bytes().constData()), u)
            != 1)
        return cryptoError("cipher init");
    if (!aad.isEmpty()
        && EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                             int(aad.size()))
            != 1)
        return cryptoError("aad");
    if (EVP_EncryptUpdate(ctx.get(), u + kNonceSize, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                          int(plaintext.size()))
        != 1)
        return cryptoError("encrypt");
    int fin = 0;
    if (EVP_EncryptFinal_ex(ctx.get(), u + kNonceSize + len, &fin) != 1)
        return cryptoError("encrypt final");
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, u + kNonceSize + plaintext.size()) != 1)
        return cryptoError("tag");
    return out;
}

Result<SecretBytes> open(const SecretBytes& key, QByteArrayView sealed, QByteArrayView aad)
{
    if (key.size() != 32)
        return cryptoError("AES-256-GCM needs a 32-byte key");
    if (sealed.size() < kNonceSize + kTagSize)
        return makeError(QStringLiteral("crypto.bad_ciphertext"), QStringLiteral("ciphertext too short"));
    const auto* u = reinterpret_cast<const unsigned char*>(sealed.data());
    const int ctLen = int(sealed.size()) - kNonceSize - kTagSize;
    OpenSslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
    QByteArray plain(ctLen, Qt::Uninitialized);
    int len = 0;
    if (!ctx
        || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                              reinterpret_cast<const unsigned char*>(key.bytes().constData()), u)
            != 1)
        return cryptoError("cipher init");
    if (!aad.isEmpty()
        && EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                             int(aad.size()))
            != 1)
        return cryptoError("aad");
    if (EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, u + kNonceSize, ctLen)
        != 1)
        return cryptoError("decrypt");
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                            const_cast<unsigned char*>(u + kNonceSize + ctLen))
        != 1)
        return cryptoError("tag");
    int fin = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &fin) != 1) {
        wipe(plain);
        return makeError(QStringLiteral("crypto.bad_ciphertext"), QStringLiteral("ciphertext failed authentication"));
    }
    return SecretBytes(std::move(plain));
}

} // namespace stint::crypto
