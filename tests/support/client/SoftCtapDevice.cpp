// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/client/SoftCtapDevice.h"

#include "core/OpenSsl.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QLoggingCategory>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fido.h>
#include <functional>
#include <map>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <optional>
#include <vector>

Q_LOGGING_CATEGORY(lcSoftCtap, "stint.test.softctapdevice")

namespace stint::test {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// CTAPHID (CTAP 2.1 §11.2).
constexpr int kReportSize = 64;
constexpr int kInitData = kReportSize - 7;
constexpr int kContData = kReportSize - 5;
constexpr quint8 kFrameInit = 0x80;
constexpr quint8 kHidPing = 0x01;
constexpr quint8 kHidInit = 0x06;
constexpr quint8 kHidWink = 0x08;
constexpr quint8 kHidCbor = 0x10;
constexpr quint8 kHidCancel = 0x11;
constexpr quint8 kHidKeepalive = 0x3B;
constexpr quint8 kHidError = 0x3F;
constexpr quint8 kHidErrInvalidCmd = 0x01;
constexpr quint8 kHidErrInvalidLen = 0x03;
constexpr quint8 kHidErrInvalidSeq = 0x04;
constexpr quint8 kHidErrChannelBusy = 0x06;
constexpr quint8 kHidErrInvalidChannel = 0x0B;
constexpr quint8 kKeepaliveUpNeeded = 0x02;
constexpr quint8 kCapWink = 0x01;
constexpr quint8 kCapCbor = 0x04;
constexpr quint8 kCapNoMsg = 0x08;
const QByteArray kBroadcast("\xff\xff\xff\xff", 4);
constexpr milliseconds kKeepaliveEvery {100};

// CTAP2 commands and status codes (CTAP 2.1 §6, §8).
constexpr quint8 kMakeCredential = 0x01;
constexpr quint8 kGetAssertion = 0x02;
constexpr quint8 kGetInfo = 0x04;
constexpr quint8 kClientPin = 0x06;
constexpr quint8 kGetNextAssertion = 0x08;
constexpr quint8 kOk = 0x00;
constexpr quint8 kErrInvalidCommand = 0x01;
constexpr quint8 kErrInvalidParameter = 0x02;
constexpr quint8 kErrInvalidLength = 0x03;
constexpr quint8 kErrInvalidCbor = 0x12;
constexpr quint8 kErrMissingParameter = 0x14;
constexpr quint8 kErrCredentialExcluded = 0x19;
constexpr quint8 kErrUnsupportedAlgorithm = 0x26;
constexpr quint8 kErrUnsupportedOption = 0x2B;
constexpr quint8 kErrKeepaliveCancel = 0x2D;
constexpr quint8 kErrNoCredentials = 0x2E;
constexpr quint8 kErrUserActionTimeout = 0x2F;
constexpr quint8 kErrNotAllowed = 0x30;
constexpr quint8 kErrPinInvalid = 0x31;
constexpr quint8 kErrPinBlocked = 0x32;
constexpr quint8 kErrPinAuthInvalid = 0x33;
constexpr quint8 kErrPinAuthBlocked = 0x34;
constexpr quint8 kErrPinNotSet = 0x35;
constexpr quint8 kErrPuatRequired = 0x36;
constexpr quint8 kErrInvalidSubcommand = 0x3E;

constexpr quint8 kPermMakeCredential = 0x01;
constexpr quint8 kPermGetAssertion = 0x02;
constexpr int kMaxPinRetries = 8;

constexpr quint8 kFlagUp = 0x01;
constexpr quint8 kFlagUv = 0x04;
constexpr quint8 kFlagAt = 0x40;

// --- OpenSSL, used directly (not Stint's crypto wrapper), so that the key is an independent implementation ---

const unsigned char* u8(const QByteArray& b)
{
    return reinterpret_cast<const unsigned char*>(b.constData());
}

QByteArray randomBytes(int n)
{
    QByteArray out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), n) != 1)
        qFatal("RAND_bytes failed");
    return out;
}

QByteArray sha256(const QByteArray& data)
{
    QByteArray out(SHA256_DIGEST_LENGTH, '\0');
    SHA256(u8(data), size_t(data.size()), reinterpret_cast<unsigned char*>(out.data()));
    return out;
}

QByteArray hmacSha256(const QByteArray& key, const QByteArray& data)
{
    QByteArray out(32, '\0');
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.constData(), int(key.size()), u8(data), size_t(data.size()),
         reinterpret_cast<unsigned char*>(out.data()), &len);
    return out;
}

QByteArray hkdfSha256(const QByteArray& ikm, const char* info)
{
    const QByteArray salt(32, '\0');
    QByteArray out(32, '\0');
    size_t len = size_t(out.size());
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
    const bool ok = ctx && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0
        && EVP_PKEY_CTX_set1_hkdf_salt(ctx, u8(salt), int(salt.size())) > 0
        && EVP_PKEY_CTX_set1_hkdf_key(ctx, u8(ikm), int(ikm.size())) > 0
        && EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char*>(info), int(std::strlen(info))) > 0
        && EVP_PKEY_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) > 0;
    EVP_PKEY_CTX_free(ctx);
    return ok ? out : QByteArray();
}

QByteArray aes256Cbc(bool encrypt, const QByteArray& key, const QByteArray& iv, const QByteArray& data)
{
    if (key.size() != 32 || iv.size() != 16 || data.isEmpty() || data.size() % 16 != 0)
        return {};
    QByteArray out(data.size(), '\0');
    int len = 0;
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    const bool ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), nullptr, u8(key), u8(iv), encrypt ? 1 : 0) == 1
        && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1
        && EVP_CipherUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, u8(data), int(data.size())) == 1
        && len == data.size();
    EVP_CIPHER_CTX_free(ctx);
    return ok ? out : QByteArray();
}

OpenSslPtr<EVP_PKEY> newP256Key()
{
    return OpenSslPtr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

// The uncompressed point 0x04‖x‖y.
QByteArray publicPoint(EVP_PKEY* key)
{
    unsigned char buf[65];
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &len) != 1 || len != 65
        || buf[0] != 0x04)
        return {};
    return QByteArray(reinterpret_cast<const char*>(buf), 65);
}

OpenSslPtr<EVP_PKEY> keyFromPoint(const QByteArray& point)
{
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM* params = nullptr;
    EVP_PKEY_CTX* ctx = nullptr;
    EVP_PKEY* key = nullptr;
    char group[] = "P-256";
    if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1
        && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.constData(), size_t(point.size())) == 1
        && (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr
        && (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr)) != nullptr && EVP_PKEY_fromdata_init(ctx) == 1)
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return OpenSslPtr<EVP_PKEY>(key);
}

QByteArray ecdhSharedX(EVP_PKEY* mine, EVP_PKEY* theirs)
{
    QByteArray out(32, '\0');
    size_t len = size_t(out.size());
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(mine, nullptr);
    const bool ok = ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, theirs) == 1
        && EVP_PKEY_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    return ok ? out : QByteArray();
}

QByteArray signEs256(EVP_PKEY* key, const QByteArray& message)
{
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    QByteArray out;
    if (ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1
        && EVP_DigestSign(ctx, nullptr, &len, u8(message), size_t(message.size())) == 1) {
        out.resize(qsizetype(len));
        if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, u8(message), size_t(message.size()))
            == 1)
            out.resize(qsizetype(len));
        else
            out.clear();
    }
    EVP_MD_CTX_free(ctx);
    return out;
}

QCborMap coseKey(const QByteArray& point, int alg)
{
    QCborMap key;
    key.insert(1, 2); // kty: EC2
    key.insert(3, alg); // -7 ES256, or -25 for the PIN protocols' key agreement
    key.insert(-1, 1); // crv: P-256
    key.insert(-2, point.mid(1, 32));
    key.insert(-3, point.mid(33, 32));
    return key;
}

// CTAP2 canonical CBOR (CTAP 2.1 §8): map keys sorted by major type, then by length, then bytewise — libfido2 refuses
// anything else.
QCborValue canonical(const QCborValue& value)
{
    if (value.isArray()) {
        QCborArray out;
        for (const QCborValue& v : value.toArray())
            out.append(canonical(v));
        return out;
    }
    if (!value.isMap())
        return value;
    struct Entry
    {
        QByteArray encodedKey;
        QCborValue key;
        QCborValue value;
    };
    std::vector<Entry> entries;
    const QCborMap map = value.toMap();
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        entries.push_back({it.key().toCbor(), it.key(), canonical(it.value())});
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        const int typeA = quint8(a.encodedKey.at(0)) >> 5, typeB = quint8(b.encodedKey.at(0)) >> 5;
        if (typeA != typeB)
            return typeA < typeB;
        if (a.encodedKey.size() != b.encodedKey.size())
            return a.encodedKey.size() < b.encodedKey.size();
        return a.encodedKey < b.encodedKey;
    });
    QCborMap out;
    for (const Entry& e : entries)
        out.insert(e.key, e.value);
    return out;
}

QByteArray encode(const QCborMap& map)
{
    return canonical(map.toCborValue()).toCbor();
}

QByteArray bigEndian32(quint32 v)
{
    QByteArray out(4, '\0');
    out[0] = char(v >> 24);
    out[1] = char(v >> 16);
    out[2] = char(v >> 8);
    out[3] = char(v);
    return out;
}

// --- PIN/UV auth protocols one and two (CTAP 2.1 §6.5.6, §6.5.7) ---

QByteArray kdf(int protocol, const QByteArray& z)
{
    if (protocol == 1)
        return sha256(z);
    const QByteArray hmacKey = hkdfSha256(z, "CTAP2 HMAC key");
    const QByteArray aesKey = hkdfSha256(z, "CTAP2 AES key");
    return hmacKey.isEmpty() || aesKey.isEmpty() ? QByteArray() : hmacKey + aesKey;
}

QByteArray encryptFor(int protocol, const QByteArray& shared, const QByteArray& data)
{
    if (protocol == 1)
        return aes256Cbc(true, shared.left(32), QByteArray(16, '\0'), data);
    const QByteArray iv = randomBytes(16);
    const QByteArray ct = aes256Cbc(true, shared.mid(32, 32), iv, data);
    return ct.isEmpty() ? QByteArray() : iv + ct;
}

QByteArray decryptFrom(int protocol, const QByteArray& shared, const QByteArray& data)
{
    if (protocol == 1)
        return aes256Cbc(false, shared.left(32), QByteArray(16, '\0'), data);
    if (data.size() < 32)
        return {};
    return aes256Cbc(false, shared.mid(32, 32), data.left(16), data.mid(16));
}

QByteArray authenticate(int protocol, const QByteArray& key, const QByteArray& message)
{
    const QByteArray mac = hmacSha256(protocol == 2 ? key.left(32) : key, message);
    return protocol == 1 ? mac.left(16) : mac;
}

bool constantTimeEqual(const QByteArray& a, const QByteArray& b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= quint8(a[i]) ^ quint8(b[i]);
    return diff == 0;
}

// --- the registry of devices by path (libfido2's open hook gets only a path) ---

std::mutex g_registryMutex;
std::map<QString, std::weak_ptr<SoftCtapDevice::State>>& registry()
{
    static std::map<QString, std::weak_ptr<SoftCtapDevice::State>> devices;
    return devices;
}
int g_nextDevice = 0;

} // namespace

// --- the device ---

struct SoftCtapDevice::State
{
    struct Credential
    {
        QByteArray id;
        QString rpId;
        QByteArray userId;
        QString userName;
        bool discoverable = true;
        quint32 signCount = 0;
        OpenSslPtr<EVP_PKEY> key;
    };
    // What a CTAP2 command answers: at once, or after a touch.
    struct Reply
    {
        QByteArray bytes;
        std::function<QByteArray()> afterTouch;
    };
    struct Incoming
    {
        QByteArray cid;
        quint8 cmd = 0;
        int total = 0;
        QByteArray data;
        quint8 nextSeq = 0;
    };
    struct Pending
    {
        QByteArray cid;
        std::function<QByteArray()> complete;
        Clock::time_point since;
        int keepalives = 0;
        bool touched = false;
        bool cancelled = false;
    };

    mutable std::mutex mutex;
    std::condition_variable changed;
    QString path;
    Options options;
    bool plugged = true;

    quint32 nextCid = 0x10000001;
    std::optional<Incoming> incoming;
    std::deque<QByteArray> out;
    std::optional<Pending> pending;
    Clock::time_point nextKeepalive;
    std::deque<std::function<QByteArray()>> nextAssertions;

    OpenSslPtr<EVP_PKEY> keyAgreement;
    QByteArray pinToken;
    quint8 tokenPermissions = 0;
    QString tokenRpId;
    int pinRetries = kMaxPinRetries;
    int wrongPinsInARow = 0;
    std::vector<Credential> credentials;

    bool corruptAssertions = false;
    QString answerForRpId;
    int cancels = 0;
    int pinChecks = 0;
    std::map<quint8, int> commands;

    // --- HID reports, called by libfido2's I/O hooks ---

    int write(const unsigned char* buf, size_t len)
    {
        std::lock_guard lock(mutex);
        // libfido2 writes a report-ID byte (0) and one 64-byte report.
        if (!plugged || len != size_t(kReportSize) + 1)
            return -1;
        handlePacket(QByteArray(reinterpret_cast<const char*>(buf) + 1, kReportSize));
        changed.notify_all();
        return int(len);
    }

    int read(unsigned char* buf, size_t len, int ms)
    {
        std::unique_lock lock(mutex);
        const auto deadline = ms < 0 ? Clock::time_point::max() : Clock::now() + milliseconds(ms);
        for (;;) {
            if (!plugged)
                return -1;
            if (!out.empty()) {
                const QByteArray packet = out.front();
                out.pop_front();
                const size_t n = std::min(len, size_t(packet.size()));
                std::memcpy(buf, packet.constData(), n);
                return int(n);
            }
            const auto now = Clock::now();
            if (pending) {
                if (pending->cancelled) {
                    finishPending(status(kErrKeepaliveCancel));
                    continue;
                }
                if (presenceGiven()) {
                    auto complete = std::move(pending->complete);
                    finishPending(complete());
                    continue;
                }
                if (now - pending->since >= milliseconds(options.userActionTimeoutMs)) {
                    finishPending(status(kErrUserActionTimeout));
                    continue;
                }
            }
            if (now >= deadline)
                return -1;
            if (pending && now >= nextKeepalive) {
                queue(pending->cid, kHidKeepalive, QByteArray(1, char(kKeepaliveUpNeeded)));
                ++pending->keepalives;
                nextKeepalive = now + kKeepaliveEvery;
                continue;
            }
            auto wake = deadline;
            if (pending)
                wake = std::min({wake, nextKeepalive, pending->since + milliseconds(options.userActionTimeoutMs)});
            if (wake == Clock::time_point::max())
                changed.wait(lock);
            else
                changed.wait_until(lock, wake);
        }
    }

    // libfido2 closed the device: whatever it left unread is gone, as with a real key after CTAPHID_CANCEL.
    void closed()
    {
        std::lock_guard lock(mutex);
        incoming.reset();
        pending.reset();
        out.clear();
        nextAssertions.clear();
    }

    bool presenceGiven() const
    {
        switch (options.presence) {
        case Presence::Auto:
            return pending->keepalives > 0;
        case Presence::Manual:
            return pending->touched;
        case Presence::Never:
            return false;
        }
        return false;
    }

    void finishPending(const QByteArray& reply)
    {
        const QByteArray cid = pending->cid;
        pending.reset();
        queue(cid, kHidCbor, reply);
        changed.notify_all();
    }

    void queue(const QByteArray& cid, quint8 cmd, const QByteArray& payload)
    {
        QByteArray packet = cid;
        packet.append(char(kFrameInit | cmd));
        packet.append(char(payload.size() >> 8));
        packet.append(char(payload.size() & 0xff));
        packet.append(payload.left(kInitData));
        packet.append(QByteArray(kReportSize - packet.size(), '\0'));
        out.push_back(packet);
        quint8 seq = 0;
        for (qsizetype offset = kInitData; offset < payload.size(); offset += kContData) {
            QByteArray cont = cid;
            cont.append(char(seq++));
            cont.append(payload.mid(offset, kContData));
            cont.append(QByteArray(kReportSize - cont.size(), '\0'));
            out.push_back(cont);
        }
    }

    void hidError(const QByteArray& cid, quint8 code) { queue(cid, kHidError, QByteArray(1, char(code))); }

    void handlePacket(const QByteArray& p)
    {
        const QByteArray cid = p.left(4);
        const auto b = quint8(p.at(4));
        if (b & kFrameInit) {
            const quint8 cmd = b & 0x7f;
            const int total = (quint8(p.at(5)) << 8) | quint8(p.at(6));
            if (cmd == kHidCancel) {
                ++cancels;
                if (pending && pending->cid == cid)
                    pending->cancelled = true;
                return; // CTAPHID_CANCEL has no answer of its own
            }
            if (cmd == kHidInit) {
                if (total != 8)
                    return hidError(cid, kHidErrInvalidLen);
                QByteArray channel = cid;
                if (cid == kBroadcast) {
                    channel = bigEndian32(nextCid++);
                } else {
                    // INIT on a channel resynchronises it: whatever it was doing is dropped.
                    if (pending && pending->cid == cid)
                        pending.reset();
                    incoming.reset();
                }
                QByteArray answer = p.mid(7, 8); // the nonce
                answer += channel;
                answer += QByteArray("\x02\x01\x00\x00", 4); // CTAPHID version 2, device version 1.0.0
                answer += char(kCapWink | kCapCbor | kCapNoMsg);
                queue(cid, kHidInit, answer);
                return;
            }
            if (cid == kBroadcast)
                return hidError(cid, kHidErrInvalidChannel);
            if (pending || (incoming && incoming->cid != cid))
                return hidError(cid, kHidErrChannelBusy);
            incoming = Incoming {cid, cmd, total, p.mid(7, std::min(total, kInitData)), 0};
        } else {
            if (!incoming || incoming->cid != cid)
                return; // a stray continuation: ignored, as the spec says
            if (b != incoming->nextSeq) {
                incoming.reset();
                return hidError(cid, kHidErrInvalidSeq);
            }
            ++incoming->nextSeq;
            incoming->data.append(p.mid(5, std::min<qsizetype>(kContData, incoming->total - incoming->data.size())));
        }
        if (incoming && incoming->data.size() >= incoming->total) {
            const Incoming message = std::move(*incoming);
            incoming.reset();
            dispatch(message.cid, message.cmd, message.data);
        }
    }

    void dispatch(const QByteArray& cid, quint8 cmd, const QByteArray& payload)
    {
        switch (cmd) {
        case kHidPing:
            return queue(cid, kHidPing, payload);
        case kHidWink:
            return queue(cid, kHidWink, {});
        case kHidCbor:
            return handleCbor(cid, payload);
        default:
            return hidError(cid, kHidErrInvalidCmd); // no U2F (CTAPHID_MSG), no LOCK
        }
    }

    void handleCbor(const QByteArray& cid, const QByteArray& payload)
    {
        if (payload.isEmpty())
            return queue(cid, kHidCbor, status(kErrInvalidLength));
        const auto command = quint8(payload.at(0));
        ++commands[command];
        QCborMap params;
        if (payload.size() > 1) {
            QCborParserError error;
            const QCborValue value = QCborValue::fromCbor(payload.mid(1), &error);
            if (error.error != QCborError::NoError || !value.isMap())
                return queue(cid, kHidCbor, status(kErrInvalidCbor));
            params = value.toMap();
        }
        Reply reply;
        switch (command) {
        case kGetInfo:
            reply = getInfo();
            break;
        case kMakeCredential:
            reply = makeCredential(params);
            break;
        case kGetAssertion:
            reply = getAssertion(params);
            break;
        case kGetNextAssertion:
            reply = getNextAssertion();
            break;
        case kClientPin:
            reply = clientPin(params);
            break;
        default:
            reply = now(status(kErrInvalidCommand));
            break;
        }
        if (reply.afterTouch) {
            pending = Pending {cid, std::move(reply.afterTouch), Clock::now(), 0, false, false};
            nextKeepalive = Clock::now();
            return;
        }
        queue(cid, kHidCbor, reply.bytes);
    }

    static QByteArray status(quint8 code) { return QByteArray(1, char(code)); }
    static QByteArray ok(const QCborMap& map) { return QByteArray(1, char(kOk)) + encode(map); }
    static Reply now(const QByteArray& bytes) { return Reply {bytes, {}}; }
    static Reply later(std::function<QByteArray()> f) { return Reply {{}, std::move(f)}; }

    bool pinSet() const { return options.pinSupported && !options.pin.isEmpty(); }

    Reply getInfo() const
    {
        QCborMap info;
        QCborArray versions {QStringLiteral("FIDO_2_0")};
        if (options.ctap21)
            versions.append(QStringLiteral("FIDO_2_1"));
        info.insert(1, versions);
        info.insert(3, options.aaguid);
        QCborMap opts;
        opts.insert(QStringLiteral("rk"), true);
        opts.insert(QStringLiteral("up"), true);
        opts.insert(QStringLiteral("plat"), false);
        if (options.pinSupported)
            opts.insert(QStringLiteral("clientPin"), pinSet());
        if (options.builtInUv)
            opts.insert(QStringLiteral("uv"), true);
        if (options.ctap21)
            opts.insert(QStringLiteral("pinUvAuthToken"), true);
        info.insert(4, opts);
        info.insert(5, 1200);
        if (options.pinSupported || options.builtInUv)
            info.insert(6, options.ctap21 ? QCborArray {2, 1} : QCborArray {1});
        if (options.ctap21) {
            info.insert(9, QCborArray {QStringLiteral("usb")});
            QCborMap es256;
            es256.insert(QStringLiteral("alg"), -7);
            es256.insert(QStringLiteral("type"), QStringLiteral("public-key"));
            info.insert(10, QCborArray {es256});
        }
        return now(ok(info));
    }

    bool protocolSupported(int protocol) const { return protocol == 1 || (protocol == 2 && options.ctap21); }

    // Checks a pinUvAuthParam against the current token; `permission` for CTAP 2.1 tokens.
    bool tokenAuthorizes(const QCborMap& params, int paramKey, int protocolKey, const QByteArray& clientDataHash,
                         quint8 permission, const QString& rpId, quint8* error) const
    {
        const int protocol = int(params.value(protocolKey).toInteger(-1));
        if (!params.contains(protocolKey)) {
            *error = kErrMissingParameter;
            return false;
        }
        if (!protocolSupported(protocol)) {
            *error = kErrInvalidParameter;
            return false;
        }
        const QByteArray given = params.value(paramKey).toByteArray();
        if (pinToken.isEmpty() || !constantTimeEqual(given, authenticate(protocol, pinToken, clientDataHash))
            || !(tokenPermissions & permission) || (!tokenRpId.isEmpty() && tokenRpId != rpId)) {
            *error = kErrPinAuthInvalid;
            return false;
        }
        return true;
    }

    // The user verification asked for without a token: a built-in one, or the error a key without it gives.
    bool builtInVerification(quint8* error) const
    {
        if (options.builtInUv)
            return true;
        *error = pinSet() ? kErrPuatRequired : kErrUnsupportedOption;
        return false;
    }

    Reply makeCredential(const QCborMap& params)
    {
        const QByteArray cdh = params.value(1).toByteArray();
        const QCborMap rp = params.value(2).toMap();
        const QCborMap user = params.value(3).toMap();
        if (cdh.size() != 32 || !rp.value(QStringLiteral("id")).isString()
            || !user.value(QStringLiteral("id")).isByteArray() || !params.value(4).isArray())
            return now(status(kErrMissingParameter));
        const QString rpId = rp.value(QStringLiteral("id")).toString();
        bool es256 = false;
        for (const QCborValue& p : params.value(4).toArray())
            es256 = es256 || p.toMap().value(QStringLiteral("alg")).toInteger() == -7;
        if (!es256)
            return now(status(kErrUnsupportedAlgorithm));
        const QCborMap opts = params.value(7).toMap();
        const bool rk = opts.value(QStringLiteral("rk")).toBool(false);
        bool verified = false;
        quint8 error = kOk;
        if (params.contains(8)) {
            if (params.value(8).toByteArray().isEmpty()) {
                // The touch probe (CTAP 2.1 §6.1.2 step 1): which key does the person mean?
                const bool hasPin = pinSet();
                return later([hasPin] { return status(hasPin ? kErrPinInvalid : kErrPinNotSet); });
            }
            if (!tokenAuthorizes(params, 8, 9, cdh, kPermMakeCredential, rpId, &error))
                return now(status(error));
            verified = true;
        } else if (opts.value(QStringLiteral("uv")).toBool(false)) {
            if (!builtInVerification(&error))
                return now(status(error));
            verified = true;
        } else if (pinSet()) {
            return now(status(kErrPuatRequired)); // a key with a PIN makes credentials only for the verified owner
        }
        bool excluded = false;
        for (const QCborValue& d : params.value(5).toArray()) {
            const QByteArray id = d.toMap().value(QStringLiteral("id")).toByteArray();
            for (const auto& c : credentials)
                excluded = excluded || (c.id == id && c.rpId == rpId);
        }
        if (excluded)
            return later([] { return status(kErrCredentialExcluded); });
        const QByteArray userId = user.value(QStringLiteral("id")).toByteArray();
        const QString userName = user.value(QStringLiteral("name")).toString();
        return later([this, cdh, rpId, userId, userName, rk, verified] {
            Credential& c = addCredentialLocked(rpId, userId, rk, userName);
            const QByteArray point = publicPoint(c.key.get());
            QByteArray authData = sha256(rpId.toUtf8());
            authData += char(kFlagUp | kFlagAt | (verified ? kFlagUv : 0));
            authData += bigEndian32(c.signCount);
            authData += options.aaguid;
            authData += char(c.id.size() >> 8);
            authData += char(c.id.size() & 0xff);
            authData += c.id;
            authData += encode(coseKey(point, -7));
            QCborMap attStmt;
            attStmt.insert(QStringLiteral("alg"), -7);
            attStmt.insert(QStringLiteral("sig"), signEs256(c.key.get(), authData + cdh));
            QCborMap answer;
            answer.insert(1, QStringLiteral("packed"));
            answer.insert(2, authData);
            answer.insert(3, attStmt);
            return ok(answer);
        });
    }

    Credential& addCredentialLocked(const QString& rpId, const QByteArray& userId, bool discoverable,
                                    const QString& userName)
    {
        if (discoverable) {
            // One discoverable credential per account and relying party: a new one replaces the old.
            std::erase_if(credentials,
                          [&](const Credential& c) { return c.discoverable && c.rpId == rpId && c.userId == userId; });
        }
        Credential c;
        c.id = randomBytes(32);
        c.rpId = rpId;
        c.userId = userId;
        c.userName = userName;
        c.discoverable = discoverable;
        c.key = newP256Key();
        credentials.push_back(std::move(c));
        return credentials.back();
    }

    Reply getAssertion(const QCborMap& params)
    {
        nextAssertions.clear();
        if (!params.value(1).isString() || params.value(2).toByteArray().size() != 32)
            return now(status(kErrMissingParameter));
        const QString rpId = params.value(1).toString();
        const QByteArray cdh = params.value(2).toByteArray();
        const QCborMap opts = params.value(5).toMap();
        const bool up = opts.value(QStringLiteral("up")).toBool(true);
        bool verified = false;
        quint8 error = kOk;
        if (params.contains(6)) {
            if (!tokenAuthorizes(params, 6, 7, cdh, kPermGetAssertion, rpId, &error))
                return now(status(error));
            verified = true;
        } else if (opts.value(QStringLiteral("uv")).toBool(false)) {
            if (!builtInVerification(&error))
                return now(status(error));
            verified = true;
        }
        QList<QByteArray> matches;
        const QCborArray allow = params.value(3).toArray();
        for (size_t i = credentials.size(); i-- > 0;) { // newest first
            const Credential& c = credentials[i];
            if (c.rpId != rpId)
                continue;
            bool listed = allow.isEmpty() && c.discoverable;
            for (const QCborValue& d : allow)
                listed = listed || d.toMap().value(QStringLiteral("id")).toByteArray() == c.id;
            if (listed)
                matches << c.id;
        }
        if (matches.isEmpty())
            return now(status(kErrNoCredentials));
        const int count = allow.isEmpty() ? int(matches.size()) : 1;
        auto answer = [this, matches, rpId, cdh, up, verified, count](int n) {
            return [this, matches, rpId, cdh, up, verified, count, n] {
                for (auto& c : credentials) {
                    if (c.id == matches[n])
                        return assertion(c, rpId, cdh, up, verified, n == 0 ? count : 0);
                }
                return status(kErrNoCredentials);
            };
        };
        for (int n = 1; n < count; ++n)
            nextAssertions.push_back(answer(n));
        if (!up)
            return now(answer(0)());
        return later(answer(0));
    }

    Reply getNextAssertion()
    {
        if (nextAssertions.empty())
            return now(status(kErrNotAllowed));
        auto next = std::move(nextAssertions.front());
        nextAssertions.pop_front();
        return now(next());
    }

    QByteArray assertion(Credential& c, const QString& rpId, const QByteArray& cdh, bool up, bool verified, int count)
    {
        if (corruptAssertions)
            return QByteArray("\x00\xa2\x01", 3); // a map of two pairs that ends after its first key
        ++c.signCount;
        QByteArray authData = sha256((answerForRpId.isEmpty() ? rpId : answerForRpId).toUtf8());
        authData += char((up ? kFlagUp : 0) | (verified ? kFlagUv : 0));
        authData += bigEndian32(c.signCount);
        QCborMap answer;
        QCborMap descriptor;
        descriptor.insert(QStringLiteral("id"), c.id);
        descriptor.insert(QStringLiteral("type"), QStringLiteral("public-key"));
        answer.insert(1, descriptor);
        answer.insert(2, authData);
        answer.insert(3, signEs256(c.key.get(), authData + cdh));
        if (c.discoverable) {
            QCborMap user;
            user.insert(QStringLiteral("id"), c.userId);
            if (verified && !c.userName.isEmpty())
                user.insert(QStringLiteral("name"), c.userName);
            answer.insert(4, user);
        }
        if (count > 1)
            answer.insert(5, count);
        return ok(answer);
    }

    Reply clientPin(const QCborMap& params)
    {
        if (!options.pinSupported && !options.builtInUv)
            return now(status(kErrInvalidCommand));
        const int protocol = int(params.value(1).toInteger(-1));
        const int sub = int(params.value(2).toInteger(-1));
        if (!params.contains(1) || !params.contains(2))
            return now(status(kErrMissingParameter));
        if (!protocolSupported(protocol))
            return now(status(kErrInvalidParameter));
        switch (sub) {
        case 1: { // getPINRetries
            QCborMap answer;
            answer.insert(3, pinRetries);
            if (options.ctap21)
                answer.insert(4, false); // powerCycleState
            return now(ok(answer));
        }
        case 2: { // getKeyAgreement
            if (!keyAgreement)
                keyAgreement = newP256Key();
            QCborMap answer;
            answer.insert(1, coseKey(publicPoint(keyAgreement.get()), -25));
            return now(ok(answer));
        }
        case 5: // getPinToken (CTAP 2.0): a token for everything
            return now(pinTokenFor(params, protocol, kPermMakeCredential | kPermGetAssertion, {}));
        case 6: { // getPinUvAuthTokenUsingUvWithPermissions
            if (!options.ctap21)
                return now(status(kErrInvalidSubcommand));
            if (!options.builtInUv)
                return now(status(kErrNotAllowed));
            const auto permissions = quint8(params.value(9).toInteger(0));
            if (permissions == 0)
                return now(status(kErrMissingParameter));
            const QByteArray shared = sharedSecret(params, protocol);
            if (shared.isEmpty())
                return now(status(kErrInvalidParameter));
            return now(issueToken(protocol, shared, permissions, params.value(10).toString()));
        }
        case 7: { // getUVRetries
            if (!options.builtInUv)
                return now(status(kErrNotAllowed));
            QCborMap answer;
            answer.insert(5, kMaxPinRetries);
            return now(ok(answer));
        }
        case 9: { // getPinUvAuthTokenUsingPinWithPermissions
            if (!options.ctap21)
                return now(status(kErrInvalidSubcommand));
            const auto permissions = quint8(params.value(9).toInteger(0));
            if (permissions == 0)
                return now(status(kErrMissingParameter));
            return now(pinTokenFor(params, protocol, permissions, params.value(10).toString()));
        }
        default:
            return now(status(options.ctap21 ? kErrInvalidSubcommand : kErrInvalidParameter));
        }
    }

    QByteArray sharedSecret(const QCborMap& params, int protocol)
    {
        const QCborMap platform = params.value(3).toMap();
        const QByteArray x = platform.value(-2).toByteArray();
        const QByteArray y = platform.value(-3).toByteArray();
        if (!keyAgreement || x.size() != 32 || y.size() != 32)
            return {};
        OpenSslPtr<EVP_PKEY> theirs = keyFromPoint(QByteArray(1, '\x04') + x + y);
        if (!theirs)
            return {};
        const QByteArray z = ecdhSharedX(keyAgreement.get(), theirs.get());
        return z.isEmpty() ? QByteArray() : kdf(protocol, z);
    }

    QByteArray issueToken(int protocol, const QByteArray& shared, quint8 permissions, const QString& rpId)
    {
        pinToken = randomBytes(32);
        tokenPermissions = permissions;
        tokenRpId = rpId;
        QCborMap answer;
        answer.insert(2, encryptFor(protocol, shared, pinToken));
        return ok(answer);
    }

    QByteArray pinTokenFor(const QCborMap& params, int protocol, quint8 permissions, const QString& rpId)
    {
        if (!pinSet())
            return status(kErrPinNotSet);
        if (!params.contains(3) || !params.contains(6))
            return status(kErrMissingParameter);
        if (pinRetries <= 0)
            return status(kErrPinBlocked);
        if (wrongPinsInARow >= 3)
            return status(kErrPinAuthBlocked);
        const QByteArray shared = sharedSecret(params, protocol);
        if (shared.isEmpty())
            return status(kErrInvalidParameter);
        ++pinChecks;
        --pinRetries; // counted before the check, so that pulling the key mid-check costs a retry
        const QByteArray pinHash = decryptFrom(protocol, shared, params.value(6).toByteArray());
        if (pinHash.size() != 16 || !constantTimeEqual(pinHash, sha256(options.pin).left(16))) {
            keyAgreement = newP256Key();
            ++wrongPinsInARow;
            if (pinRetries <= 0)
                return status(kErrPinBlocked);
            if (wrongPinsInARow >= 3)
                return status(kErrPinAuthBlocked);
            return status(kErrPinInvalid);
        }
        pinRetries = kMaxPinRetries;
        wrongPinsInARow = 0;
        return issueToken(protocol, shared, permissions, rpId);
    }
};

namespace {

struct Handle
{
    std::shared_ptr<SoftCtapDevice::State> state;
};

void* ioOpen(const char* path)
{
    std::lock_guard lock(g_registryMutex);
    const auto it = registry().find(QString::fromUtf8(path));
    if (it == registry().end())
        return nullptr;
    auto state = it->second.lock();
    if (!state)
        return nullptr;
    std::lock_guard deviceLock(state->mutex);
    if (!state->plugged)
        return nullptr;
    return new Handle {std::move(state)};
}

void ioClose(void* handle)
{
    auto* h = static_cast<Handle*>(handle);
    h->state->closed();
    delete h;
}

int ioRead(void* handle, unsigned char* buf, size_t len, int ms)
{
    return static_cast<Handle*>(handle)->state->read(buf, len, ms);
}

int ioWrite(void* handle, const unsigned char* buf, size_t len)
{
    return static_cast<Handle*>(handle)->state->write(buf, len);
}

const fido_dev_io_t kIo {ioOpen, ioClose, ioRead, ioWrite};

fido_dev* openThroughLibfido2(const QString& path)
{
    fido_dev_t* dev = fido_dev_new();
    if (!dev)
        return nullptr;
    if (fido_dev_set_io_functions(dev, &kIo) != FIDO_OK || fido_dev_open(dev, path.toUtf8().constData()) != FIDO_OK) {
        fido_dev_free(&dev);
        return nullptr;
    }
    return dev;
}

std::shared_ptr<SoftCtapDevice::State> lookUp(const QString& path)
{
    std::lock_guard lock(g_registryMutex);
    const auto it = registry().find(path);
    return it == registry().end() ? nullptr : it->second.lock();
}

} // namespace

SoftCtapDevice::SoftCtapDevice()
    : SoftCtapDevice(Options {})
{
}

SoftCtapDevice::SoftCtapDevice(Options options)
    : m_state(std::make_shared<State>())
{
    m_state->options = std::move(options);
    m_state->pinRetries = m_state->options.pinRetries;
    std::lock_guard lock(g_registryMutex);
    m_state->path = QStringLiteral("softctap:%1").arg(++g_nextDevice);
    registry()[m_state->path] = m_state;
}

SoftCtapDevice::~SoftCtapDevice()
{
    unplug();
    std::lock_guard lock(g_registryMutex);
    registry().erase(m_state->path);
}

QString SoftCtapDevice::path() const
{
    return m_state->path;
}

fido_dev* SoftCtapDevice::open() const
{
    return openThroughLibfido2(m_state->path);
}

void SoftCtapDevice::setPresence(Presence presence)
{
    std::lock_guard lock(m_state->mutex);
    m_state->options.presence = presence;
    m_state->changed.notify_all();
}

bool SoftCtapDevice::waitingForTouch() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->plugged && m_state->pending && !m_state->pending->touched && !m_state->pending->cancelled;
}

void SoftCtapDevice::touch()
{
    std::lock_guard lock(m_state->mutex);
    if (m_state->pending)
        m_state->pending->touched = true;
    m_state->changed.notify_all();
}

void SoftCtapDevice::unplug()
{
    std::lock_guard lock(m_state->mutex);
    m_state->plugged = false;
    m_state->pending.reset();
    m_state->out.clear();
    m_state->changed.notify_all();
}

bool SoftCtapDevice::pluggedIn() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->plugged;
}

void SoftCtapDevice::powerCycle()
{
    std::lock_guard lock(m_state->mutex);
    m_state->wrongPinsInARow = 0;
    m_state->keyAgreement.reset();
    m_state->pinToken.clear();
}

void SoftCtapDevice::setCorruptAssertions(bool corrupt)
{
    std::lock_guard lock(m_state->mutex);
    m_state->corruptAssertions = corrupt;
}

void SoftCtapDevice::setAnswerForRpId(const QString& rpId)
{
    std::lock_guard lock(m_state->mutex);
    m_state->answerForRpId = rpId;
}

void SoftCtapDevice::setUserActionTimeoutMs(int ms)
{
    std::lock_guard lock(m_state->mutex);
    m_state->options.userActionTimeoutMs = ms;
    m_state->changed.notify_all();
}

QByteArray SoftCtapDevice::addCredential(const QString& rpId, const QByteArray& userHandle, bool discoverable,
                                         const QString& userName)
{
    std::lock_guard lock(m_state->mutex);
    return m_state->addCredentialLocked(rpId, userHandle, discoverable, userName).id;
}

int SoftCtapDevice::credentialCount() const
{
    std::lock_guard lock(m_state->mutex);
    return int(m_state->credentials.size());
}

QList<QByteArray> SoftCtapDevice::credentialIds() const
{
    std::lock_guard lock(m_state->mutex);
    QList<QByteArray> ids;
    for (const auto& c : m_state->credentials)
        ids << c.id;
    return ids;
}

QByteArray SoftCtapDevice::publicKey(const QByteArray& credentialId) const
{
    std::lock_guard lock(m_state->mutex);
    for (const auto& c : m_state->credentials) {
        if (c.id == credentialId)
            return publicPoint(c.key.get());
    }
    return {};
}

QByteArray SoftCtapDevice::publicKeyCose(const QByteArray& credentialId) const
{
    const QByteArray point = publicKey(credentialId);
    return point.isEmpty() ? QByteArray() : encode(coseKey(point, -7));
}

quint32 SoftCtapDevice::signCount(const QByteArray& credentialId) const
{
    std::lock_guard lock(m_state->mutex);
    for (const auto& c : m_state->credentials) {
        if (c.id == credentialId)
            return c.signCount;
    }
    return 0;
}

int SoftCtapDevice::pinRetries() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->pinRetries;
}

int SoftCtapDevice::pinChecks() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->pinChecks;
}

int SoftCtapDevice::cancelsReceived() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->cancels;
}

int SoftCtapDevice::commandsReceived(quint8 ctapCommand) const
{
    std::lock_guard lock(m_state->mutex);
    const auto it = m_state->commands.find(ctapCommand);
    return it == m_state->commands.end() ? 0 : it->second;
}

// --- the bus ---

void SoftCtapBus::plug(const SoftCtapDevice& device)
{
    std::lock_guard lock(m_mutex);
    m_paths << device.path();
}

QStringList SoftCtapBus::devicePaths()
{
    QStringList paths;
    {
        std::lock_guard lock(m_mutex);
        ++m_listings;
        paths = m_paths;
    }
    QStringList present;
    for (const QString& path : paths) {
        const auto state = lookUp(path);
        if (!state)
            continue;
        std::lock_guard lock(state->mutex);
        if (state->plugged)
            present << path;
    }
    return present;
}

fido_dev* SoftCtapBus::openDevice(const QString& path)
{
    if (!devicePaths().contains(path))
        return nullptr;
    return openThroughLibfido2(path);
}

int SoftCtapBus::listings() const
{
    std::lock_guard lock(m_mutex);
    return m_listings;
}

} // namespace stint::test
