// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/SqlCipherPageCrypto.h"

#include "core/OpenSsl.h"

#include <QLoggingCategory>
#include <QScopeGuard>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <strings.h>

Q_LOGGING_CATEGORY(lcPageCrypto, "stint.store.pagecrypto")

// SQLCipher's provider interface, exported by libsqlcipher but declared only in its private headers.
extern "C" {
void sqlcipher_activate(void);
int sqlcipher_openssl_setup(void* provider);
int sqlcipher_register_provider(void* provider);
}

namespace stint::store {

namespace {

// SQLCipher 3.4.1's sqlcipher_provider (src/crypto.h), in order. SQLCipher 4 changed it (an algorithm argument for
// hmac and kdf, no set_cipher/ctx_copy/ctx_cmp): installPageCrypto() checks the shape before using it.
struct Provider
{
    int (*activate)(void* ctx);
    int (*deactivate)(void* ctx);
    const char* (*getProviderName)(void* ctx);
    int (*addRandom)(void* ctx, void* buffer, int length);
    int (*random)(void* ctx, void* buffer, int length);
    int (*hmac)(void* ctx, unsigned char* key, int keySize, unsigned char* in, int inSize, unsigned char* in2,
                int in2Size, unsigned char* out);
    int (*kdf)(void* ctx, const unsigned char* pass, int passSize, unsigned char* salt, int saltSize, int workFactor,
               int keySize, unsigned char* key);
    int (*cipher)(void* ctx, int mode, unsigned char* key, int keySize, unsigned char* iv, unsigned char* in,
                  int inSize, unsigned char* out);
    int (*setCipher)(void* ctx, const char* name);
    const char* (*getCipher)(void* ctx);
    int (*getKeySize)(void* ctx);
    int (*getIvSize)(void* ctx);
    int (*getBlockSize)(void* ctx);
    int (*getHmacSize)(void* ctx);
    int (*ctxCopy)(void* target, void* source);
    int (*ctxCompare)(void* a, void* b);
    int (*ctxInit)(void** ctx);
    int (*ctxFree)(void** ctx);
    int (*fipsStatus)(void* ctx);
    const char* (*getProviderVersion)(void* ctx);
};
constexpr int kProviderFunctions = 20;
static_assert(sizeof(Provider) == kProviderFunctions * sizeof(void*));

constexpr int kKeySize = 32;
constexpr int kIvSize = 16;
constexpr int kHmacSize = 20;
constexpr int kMaxHmacKey = 64;
constexpr int kEncrypt = 1; // SQLCipher's CIPHER_ENCRYPT; CIPHER_DECRYPT is 0

// SQLCipher's own functions, for what this provider does not replace and for a cipher it was not written for.
Provider g_stock {};

// OpenSSL's algorithm implementations, fetched once.
EVP_CIPHER* aes256Cbc()
{
    static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
    return cipher;
}

EVP_MAC* hmacAlgorithm()
{
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}

// ---- cipher ---------------------------------------------------------------------------------------------------

// One direction's context on one thread, with the key its schedule was made from.
struct CipherSlot
{
    EVP_CIPHER_CTX* ctx = nullptr;
    unsigned char key[kKeySize] = {};
    bool keyed = false;

    ~CipherSlot()
    {
        EVP_CIPHER_CTX_free(ctx); // cleanses the key schedule
        OPENSSL_cleanse(key, sizeof key);
    }
};

struct ThreadCiphers
{
    CipherSlot decrypt;
    CipherSlot encrypt;
};

int pageCipher(void* ctx, int mode, unsigned char* key, int keySize, unsigned char* iv, unsigned char* in, int inSize,
               unsigned char* out)
{
    // Only the cipher this was written for; anything else (a PRAGMA cipher someone set) goes the stock way.
    const char* name = g_stock.getCipher(ctx);
    if (keySize != kKeySize || inSize <= 0 || inSize % 16 != 0 || !name || ::strcasecmp(name, "AES-256-CBC") != 0)
        return g_stock.cipher(ctx, mode, key, keySize, iv, in, inSize, out);

    thread_local ThreadCiphers ciphers;
    const bool encrypt = mode == kEncrypt;
    CipherSlot& slot = encrypt ? ciphers.encrypt : ciphers.decrypt;
    if (!slot.ctx && !(slot.ctx = EVP_CIPHER_CTX_new()))
        return SQLITE_ERROR;
    if (!slot.keyed || CRYPTO_memcmp(slot.key, key, kKeySize) != 0) {
        slot.keyed = false;
        if (EVP_CipherInit_ex2(slot.ctx, aes256Cbc(), key, iv, encrypt ? 1 : 0, nullptr) != 1
            || EVP_CIPHER_CTX_set_padding(slot.ctx, 0) != 1)
            return SQLITE_ERROR;
        std::memcpy(slot.key, key, kKeySize);
        slot.keyed = true;
    } else if (EVP_CipherInit_ex2(slot.ctx, nullptr, nullptr, iv, encrypt ? 1 : 0, nullptr) != 1) {
        return SQLITE_ERROR; // the same key: only the IV is new
    }
    int written = 0;
    if (EVP_CipherUpdate(slot.ctx, out, &written, in, inSize) != 1 || written != inSize)
        return SQLITE_ERROR;
    return SQLITE_OK;
}

// ---- hmac -----------------------------------------------------------------------------------------------------

struct HmacSlot
{
    EVP_MAC_CTX* ctx = nullptr;
    unsigned char key[kMaxHmacKey] = {};
    int keySize = -1;

    ~HmacSlot()
    {
        EVP_MAC_CTX_free(ctx); // cleanses the keyed state
        OPENSSL_cleanse(key, sizeof key);
    }
};

int pageHmac(void* ctx, unsigned char* key, int keySize, unsigned char* in, int inSize, unsigned char* in2,
             int in2Size, unsigned char* out)
{
    if (keySize <= 0 || keySize > kMaxHmacKey || inSize < 0 || in2Size < 0)
        return g_stock.hmac(ctx, key, keySize, in, inSize, in2, in2Size, out);
    thread_local HmacSlot slot;
    if (!slot.ctx && !(slot.ctx = EVP_MAC_CTX_new(hmacAlgorithm())))
        return SQLITE_ERROR;
    if (slot.keySize != keySize || CRYPTO_memcmp(slot.key, key, size_t(keySize)) != 0) {
        slot.keySize = -1;
        char digest[] = "SHA1";
        const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                     OSSL_PARAM_construct_end()};
        if (EVP_MAC_init(slot.ctx, key, size_t(keySize), params) != 1)
            return SQLITE_ERROR;
        OPENSSL_cleanse(slot.key, sizeof slot.key);
        std::memcpy(slot.key, key, size_t(keySize));
        slot.keySize = keySize;
    } else if (EVP_MAC_init(slot.ctx, nullptr, 0, nullptr) != 1) {
        return SQLITE_ERROR; // the same key: start a new message under it
    }
    size_t written = 0;
    if (EVP_MAC_update(slot.ctx, in, size_t(inSize)) != 1
        || (in2 && in2Size > 0 && EVP_MAC_update(slot.ctx, in2, size_t(in2Size)) != 1)
        || EVP_MAC_final(slot.ctx, out, &written, kHmacSize) != 1 || written != kHmacSize)
        return SQLITE_ERROR;
    return SQLITE_OK;
}

// ---- random ---------------------------------------------------------------------------------------------------

// Bumped in a forked child: a pool filled before the fork must not be handed out again there.
std::atomic<unsigned> g_forks {0};

void afterForkInChild()
{
    g_forks.fetch_add(1, std::memory_order_relaxed);
}

struct RandomPool
{
    static constexpr int kSize = 4096;
    std::array<unsigned char, kSize> bytes {};
    int used = kSize; // bytes[used..] are unused
    unsigned forks = 0;

    ~RandomPool() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

int pageRandom(void* ctx, void* buffer, int length)
{
    if (length <= 0)
        return SQLITE_OK;
    if (length > RandomPool::kSize / 16) // salts and the like: rare, straight from the source
        return g_stock.random(ctx, buffer, length);
    thread_local RandomPool pool;
    const unsigned forks = g_forks.load(std::memory_order_relaxed);
    if (pool.forks != forks || RandomPool::kSize - pool.used < length) {
        if (RAND_bytes(pool.bytes.data(), RandomPool::kSize) != 1)
            return SQLITE_ERROR;
        pool.used = 0;
        pool.forks = forks;
    }
    unsigned char* from = pool.bytes.data() + pool.used;
    std::memcpy(buffer, from, size_t(length));
    OPENSSL_cleanse(from, size_t(length)); // each byte handed out once
    pool.used += length;
    return SQLITE_OK;
}

// ---- checks and registration ----------------------------------------------------------------------------------

// The replaced functions against the stock ones on the same input: equal bytes, or the stock provider stays.
bool sameAsStock(void* ctx)
{
    std::array<unsigned char, 4096> page {};
    std::array<unsigned char, 4096> stockOut {};
    std::array<unsigned char, 4096> ourOut {};
    unsigned char keys[2][kKeySize];
    unsigned char iv[kIvSize];
    unsigned char pageNumber[4] = {7, 0, 0, 0};
    unsigned char stockMac[kHmacSize];
    unsigned char ourMac[kHmacSize];
    bool same = RAND_bytes(page.data(), int(page.size())) == 1 && RAND_bytes(&keys[0][0], sizeof keys) == 1
        && RAND_bytes(iv, sizeof iv) == 1;
    for (int round = 0; same && round < 4; ++round) {
        unsigned char* key = keys[round % 2]; // a key change between calls, then back
        for (int mode : {kEncrypt, 0}) {
            same = same && g_stock.cipher(ctx, mode, key, kKeySize, iv, page.data(), int(page.size()), stockOut.data())
                    == SQLITE_OK
                && pageCipher(ctx, mode, key, kKeySize, iv, page.data(), int(page.size()), ourOut.data()) == SQLITE_OK
                && stockOut == ourOut;
        }
        same = same
            && g_stock.hmac(ctx, key, kKeySize, page.data(), int(page.size()), pageNumber, 4, stockMac) == SQLITE_OK
            && pageHmac(ctx, key, kKeySize, page.data(), int(page.size()), pageNumber, 4, ourMac) == SQLITE_OK
            && std::memcmp(stockMac, ourMac, kHmacSize) == 0;
        iv[0] ^= 0x5a;
        pageNumber[0] = static_cast<unsigned char>(pageNumber[0] + 1);
    }
    OPENSSL_cleanse(keys, sizeof keys);
    return same;
}

// Why the stock provider stays, or an empty string when ours can go in.
const char* install()
{
    if (std::strcmp(sqlite3_libversion(), "3.15.2") != 0)
        return "not the SQLite of SQLCipher 3.4.1";
    if (sqlite3_initialize() != SQLITE_OK)
        return "SQLite did not initialise";
    if (!aes256Cbc() || !hmacAlgorithm())
        return "OpenSSL lacks AES-256-CBC or HMAC";
    // One activation held for good: SQLCipher frees the registered provider when its last user closes.
    sqlcipher_activate();

    // The provider's shape: exactly 20 functions filled in, none past them.
    std::array<void*, 64> probe {};
    if (sqlcipher_openssl_setup(probe.data()) != SQLITE_OK)
        return "sqlcipher_openssl_setup failed";
    for (int i = 0; i < int(probe.size()); ++i) {
        if ((probe[size_t(i)] != nullptr) != (i < kProviderFunctions))
            return "SQLCipher's provider has another shape";
    }
    std::memcpy(&g_stock, probe.data(), sizeof g_stock);
    const char* name = g_stock.getProviderName(nullptr);
    if (!name || std::strcmp(name, "openssl") != 0)
        return "SQLCipher's provider is not its OpenSSL one";

    void* ctx = nullptr;
    if (g_stock.ctxInit(&ctx) != SQLITE_OK || !ctx)
        return "SQLCipher's provider context did not initialise";
    const auto freeCtx = qScopeGuard([&] { g_stock.ctxFree(&ctx); });
    if (g_stock.setCipher(ctx, "aes-256-cbc") != SQLITE_OK || g_stock.getKeySize(ctx) != kKeySize
        || g_stock.getIvSize(ctx) != kIvSize || g_stock.getBlockSize(ctx) != 16 || g_stock.getHmacSize(ctx) != kHmacSize)
        return "SQLCipher's cipher is not AES-256-CBC with HMAC-SHA1";
    if (!sameAsStock(ctx))
        return "the replacement does not give SQLCipher's bytes";

    auto* ours = static_cast<Provider*>(sqlite3_malloc(int(sizeof(Provider)))); // SQLCipher frees it with sqlite3_free
    if (!ours)
        return "out of memory";
    *ours = g_stock;
    ours->cipher = &pageCipher;
    ours->hmac = &pageHmac;
    ours->random = &pageRandom;
    pthread_atfork(nullptr, nullptr, &afterForkInChild);
    if (sqlcipher_register_provider(ours) != SQLITE_OK)
        return "sqlcipher_register_provider failed";
    return "";
}

} // namespace

bool installPageCrypto()
{
    static const bool installed = [] {
        const char* why = install();
        if (*why)
            qCWarning(lcPageCrypto).noquote()
                << "SQLCipher's own page cryptography stays in use (slower):" << QString::fromLatin1(why);
        return *why == '\0';
    }();
    return installed;
}

} // namespace stint::store
