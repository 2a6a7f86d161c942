// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/fido2/Fido2Ceremony.h"

#include "core/Crypto.h"

#include <QCborValue>
#include <QLoggingCategory>
#include <fido.h>

Q_LOGGING_CATEGORY(lcCeremony, "stint.client.fido2.ceremony")

namespace stint::client {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A key may miss a CTAPHID_CANCEL sent between two of libfido2's commands (after the PIN token, before the
// assertion): cancels are repeated until the key's thread is done.
constexpr milliseconds kCancelRepeat {100};
constexpr int kTouchPollMs = 100;
// libfido2's own timeout per key stays a little behind ours, as a backstop for a key that ignores CTAPHID_CANCEL.
constexpr int kBackstopMs = 2000;

constexpr quint8 kFlagUserPresent = 0x01;
constexpr quint8 kFlagUserVerified = 0x04;

// Non-terminal outcomes, by how much they tell the person when no key is left.
enum Rank
{
    kRankFailed = 1,
    kRankTimeout = 2,
    kRankRemoved = 3,
    kRankNoCredential = 4,
};

QByteArray bytesOf(const unsigned char* ptr, size_t len)
{
    return ptr && len ? QByteArray(reinterpret_cast<const char*>(ptr), qsizetype(len)) : QByteArray();
}

class AssertHolder
{
public:
    AssertHolder()
        : m_assert(fido_assert_new())
    {
    }
    ~AssertHolder() { fido_assert_free(&m_assert); }
    AssertHolder(const AssertHolder&) = delete;
    AssertHolder& operator=(const AssertHolder&) = delete;
    fido_assert_t* get() const { return m_assert; }

private:
    fido_assert_t* m_assert;
};

} // namespace

Fido2Ceremony::Fido2Ceremony(Fido2DeviceSource& source, const AssertionRequest& request, Hooks hooks)
    : m_source(source)
    , m_request(request)
    , m_hooks(std::move(hooks))
    , m_deadline(Clock::now() + milliseconds(request.timeoutMs))
{
    if (request.pin && !request.pin->isEmpty()) {
        // Reserved first, so that appending the terminator leaves no unwiped copy behind.
        m_pin.reserve(request.pin->size() + 1);
        m_pin.append(request.pin->bytes());
        m_pin.append('\0');
    }
}

Fido2Ceremony::~Fido2Ceremony()
{
    for (auto& key : m_keys) {
        if (key->thread.joinable())
            key->thread.join();
    }
    closeAll();
    crypto::wipe(m_pin);
}

void Fido2Ceremony::cancel()
{
    std::lock_guard lock(m_mutex);
    m_cancelled = true;
    m_changed.notify_all();
}

Error Fido2Ceremony::error(const char* code, const QString& message)
{
    return Error {QString::fromLatin1(code), message, {}};
}

Result<Assertion> Fido2Ceremony::run()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_cancelled)
            return error(fido2errors::kCancelled, tr("Signing in with the security key was cancelled."));
    }
    const QStringList paths = m_source.devicePaths();
    for (const QString& path : paths) {
        fido_dev* dev = m_source.openDevice(path);
        if (!dev)
            continue;
        auto key = std::make_unique<Key>();
        key->path = path;
        key->dev = dev;
        key->fido2 = fido_dev_is_fido2(dev);
        key->supportsPin = fido_dev_supports_pin(dev);
        key->hasPin = fido_dev_has_pin(dev);
        key->hasUv = fido_dev_has_uv(dev);
        qCDebug(lcCeremony) << "key" << path << "fido2" << key->fido2 << "pin" << key->supportsPin << key->hasPin
                            << "uv" << key->hasUv;
        m_keys.push_back(std::move(key));
    }
    if (m_keys.empty()) {
        if (paths.isEmpty() || m_source.devicePaths().isEmpty())
            return error(fido2errors::kNoDevice, tr("No security key found. Plug in your key and try again."));
        return error(fido2errors::kFailed,
                     tr("A security key is plugged in but could not be opened. On Linux, check "
                        "that your user may use it (the udev rules of libfido2)."));
    }
    m_stop.assign(m_keys.size(), false);
    Result<Assertion> result = coordinate();
    for (auto& key : m_keys) {
        if (key->thread.joinable())
            key->thread.join();
    }
    closeAll();
    return result;
}

std::optional<Fido2Ceremony::Outcome> Fido2Ceremony::immediateOutcome(Key& key)
{
    if (key.hasPin && m_pin.isEmpty())
        return pinProblem(key, fido2errors::kPinRequired);
    if (key.hasPin)
        return std::nullopt;
    const QString message = key.supportsPin
        ? tr("Set a PIN on your security key first: the service needs the key to confirm it is you.")
        : tr("This security key cannot confirm it is you (it has neither a PIN nor a fingerprint reader). Use another "
             "key.");
    return Outcome {Kind::Terminal, Result<Assertion>(error(fido2errors::kPinNotSet, message))};
}

Result<Assertion> Fido2Ceremony::coordinate()
{
    const bool several = m_keys.size() > 1;
    for (auto& key : m_keys) {
        const bool verifiesItself = !m_request.userVerification || key->hasUv;
        if (several) {
            key->plan = verifiesItself ? Plan::Assert : Plan::Select;
        } else if (verifiesItself) {
            key->plan = Plan::Assert;
        } else if (auto now = immediateOutcome(*key)) {
            return std::move(*now->result); // nothing to wait for: the PIN is missing, or the key cannot verify
        } else {
            key->plan = Plan::AssertWithPin;
        }
    }
    const auto remaining = std::chrono::duration_cast<milliseconds>(m_deadline - Clock::now()).count();
    for (size_t i = 0; i < m_keys.size(); ++i) {
        fido_dev_set_timeout(m_keys[i]->dev, int(std::max<qint64>(remaining, 0)) + kBackstopMs);
        m_keys[i]->thread = std::thread([this, i] { work(i); });
    }
    if (m_hooks.touchRequested)
        m_hooks.touchRequested(int(m_keys.size()));

    std::optional<Result<Assertion>> decided;
    std::optional<Outcome> best;
    bool timedOut = false, cancelledByUser = false;
    size_t running = m_keys.size();
    auto stopAllBut = [&](std::optional<size_t> keep) {
        for (size_t j = 0; j < m_keys.size(); ++j) {
            if (keep && j == *keep)
                continue;
            m_stop[j] = true;
            cancelKey(*m_keys[j]);
        }
        m_changed.notify_all();
    };

    std::unique_lock lock(m_mutex);
    while (running > 0) {
        while (!m_events.empty()) {
            auto [index, outcome] = std::move(m_events.front());
            m_events.pop_front();
            Key& key = *m_keys[index];
            if (outcome.kind == Kind::Selected) {
                // The worker claimed the win before sending the PIN (see claim in work()).
                stopAllBut(index);
                if (m_hooks.touchRequested)
                    m_hooks.touchRequested(1);
                continue;
            }
            key.finished = true;
            --running;
            switch (outcome.kind) {
            case Kind::Success:
            case Kind::Terminal:
                if (!decided && (!m_winner || *m_winner == index)) {
                    m_winner = index;
                    decided = std::move(outcome.result);
                    stopAllBut(index);
                }
                break;
            case Kind::NonTerminal:
                if (!best || outcome.rank > best->rank)
                    best = std::move(outcome);
                break;
            case Kind::Selected:
            case Kind::Cancelled:
                break;
            }
        }
        if (running == 0)
            break;
        const auto now = Clock::now();
        if (m_cancelled && !cancelledByUser && !decided) {
            cancelledByUser = true;
            stopAllBut(std::nullopt);
        }
        if (!decided && !timedOut && !cancelledByUser && now >= m_deadline) {
            timedOut = true;
            qCInfo(lcCeremony) << "nobody touched a security key in time";
            stopAllBut(std::nullopt);
        }
        bool cancelling = false;
        for (auto& key : m_keys) {
            if (key->cancelRequested && !key->finished) {
                cancelling = true;
                if (now - key->lastCancel >= kCancelRepeat)
                    cancelKey(*key);
            }
        }
        auto wakeAt = (timedOut || decided || cancelledByUser) ? now + std::chrono::seconds(1) : m_deadline;
        if (cancelling)
            wakeAt = std::min(wakeAt, now + kCancelRepeat);
        m_changed.wait_until(lock, wakeAt);
    }
    lock.unlock();

    if (decided)
        return std::move(*decided);
    if (cancelledByUser)
        return error(fido2errors::kCancelled, tr("Signing in with the security key was cancelled."));
    if (timedOut)
        return error(fido2errors::kTimeout,
                     tr("No security key was touched in time. Try again, and touch your key "
                        "when it blinks."));
    if (best)
        return std::move(*best->result);
    return error(fido2errors::kFailed, tr("The security key stopped the request."));
}

bool Fido2Ceremony::claim(size_t index)
{
    std::lock_guard lock(m_mutex);
    if (m_cancelled || m_stop[index] || (m_winner && *m_winner != index))
        return false;
    m_winner = index;
    return true;
}

void Fido2Ceremony::work(size_t index)
{
    Key& key = *m_keys[index];
    Outcome outcome {Kind::Cancelled, std::nullopt};
    switch (key.plan) {
    case Plan::Assert:
        outcome = assertOn(key, false);
        break;
    case Plan::AssertWithPin:
        outcome = assertOn(key, true);
        break;
    case Plan::Select:
        outcome = touchSelect(index);
        if (outcome.kind != Kind::Selected)
            break;
        // Only the one key the person touched goes on; a key touched a moment too late stops here.
        if (!claim(index)) {
            outcome = Outcome {Kind::Cancelled, std::nullopt};
            break;
        }
        if (auto now = immediateOutcome(key)) {
            outcome = std::move(*now);
            break;
        }
        post(index, Outcome {Kind::Selected, std::nullopt});
        outcome = assertOn(key, true);
        break;
    }
    post(index, std::move(outcome));
}

void Fido2Ceremony::post(size_t index, Outcome outcome)
{
    std::lock_guard lock(m_mutex);
    m_events.emplace_back(index, std::move(outcome));
    m_changed.notify_all();
}

bool Fido2Ceremony::stopRequested(size_t index) const
{
    std::lock_guard lock(m_mutex);
    return m_cancelled || m_stop[index];
}

bool Fido2Ceremony::pastDeadline() const
{
    return Clock::now() >= m_deadline;
}

void Fido2Ceremony::cancelKey(Key& key)
{
    if (key.finished)
        return;
    key.cancelRequested = true;
    key.lastCancel = Clock::now();
    if (key.fido2)
        fido_dev_cancel(key.dev);
}

void Fido2Ceremony::closeAll()
{
    for (auto& key : m_keys) {
        if (!key->dev)
            continue;
        fido_dev_close(key->dev);
        fido_dev_free(&key->dev);
        key->dev = nullptr;
    }
}

Fido2Ceremony::Outcome Fido2Ceremony::assertOn(Key& key, bool withPin)
{
    auto failed = [](const QString& message) {
        return Outcome {Kind::NonTerminal, Result<Assertion>(error(fido2errors::kFailed, message)), kRankFailed};
    };
    AssertHolder holder;
    fido_assert_t* a = holder.get();
    const QByteArray rpId = m_request.rpId.toUtf8();
    if (!a || fido_assert_set_rp(a, rpId.constData()) != FIDO_OK
        || fido_assert_set_clientdata_hash(a,
                                           reinterpret_cast<const unsigned char*>(m_request.clientDataHash.constData()),
                                           size_t(m_request.clientDataHash.size()))
            != FIDO_OK)
        return failed(tr("The sign-in request could not be prepared for the security key."));
    for (const QByteArray& id : m_request.allowCredentialIds) {
        if (fido_assert_allow_cred(a, reinterpret_cast<const unsigned char*>(id.constData()), size_t(id.size()))
            != FIDO_OK)
            return failed(tr("The sign-in request could not be prepared for the security key."));
    }
    if (m_request.userVerification)
        fido_assert_set_uv(a, FIDO_OPT_TRUE);

    const int r = fido_dev_get_assert(key.dev, a, withPin ? m_pin.constData() : nullptr);
    if (r != FIDO_OK)
        return mapFailure(key, r, withPin);

    // The key's answer is checked before it goes anywhere: for this service, with the person present (and verified
    // when asked), for a passkey that was asked for.
    const QString odd = tr("The security key gave an answer that does not fit the request.");
    if (fido_assert_count(a) < 1)
        return failed(odd);
    QCborParserError parseError;
    const QCborValue wrapped
        = QCborValue::fromCbor(bytesOf(fido_assert_authdata_ptr(a, 0), fido_assert_authdata_len(a, 0)), &parseError);
    if (parseError.error != QCborError::NoError || !wrapped.isByteArray())
        return failed(odd);
    Assertion assertion;
    assertion.authenticatorData = wrapped.toByteArray();
    const QByteArray& authData = assertion.authenticatorData;
    if (authData.size() < 37 || authData.left(32) != crypto::sha256(rpId))
        return failed(tr("The security key answered for another service."));
    const auto flags = quint8(authData.at(32));
    if (!(flags & kFlagUserPresent) || (m_request.userVerification && !(flags & kFlagUserVerified)))
        return failed(tr("The security key did not confirm that it is you."));
    assertion.signature = bytesOf(fido_assert_sig_ptr(a, 0), fido_assert_sig_len(a, 0));
    assertion.credentialId = bytesOf(fido_assert_id_ptr(a, 0), fido_assert_id_len(a, 0));
    assertion.userHandle = bytesOf(fido_assert_user_id_ptr(a, 0), fido_assert_user_id_len(a, 0));
    // CTAP2 lets a key leave out the credential when exactly one was allowed.
    if (assertion.credentialId.isEmpty() && m_request.allowCredentialIds.size() == 1)
        assertion.credentialId = m_request.allowCredentialIds.front();
    if (assertion.signature.isEmpty() || assertion.credentialId.isEmpty()
        || (!m_request.allowCredentialIds.isEmpty() && !m_request.allowCredentialIds.contains(assertion.credentialId)))
        return failed(odd);
    return Outcome {Kind::Success, Result<Assertion>(std::move(assertion))};
}

Fido2Ceremony::Outcome Fido2Ceremony::touchSelect(size_t index)
{
    Key& key = *m_keys[index];
    int r = fido_dev_get_touch_begin(key.dev);
    if (r != FIDO_OK)
        return mapFailure(key, r, false);
    auto lastPresenceCheck = Clock::now();
    for (;;) {
        if (stopRequested(index))
            return Outcome {Kind::Cancelled, std::nullopt}; // the coordinator has sent CTAPHID_CANCEL
        const auto before = Clock::now();
        int touched = 0;
        r = fido_dev_get_touch_status(key.dev, &touched, kTouchPollMs);
        if (r != FIDO_OK)
            return mapFailure(key, r, false);
        if (touched)
            return Outcome {Kind::Selected, std::nullopt};
        // libfido2 reports a read error here as "not touched yet": a poll that ends early is a hint to look whether
        // the key is still there.
        const auto now = Clock::now();
        const bool early = now - before < milliseconds(kTouchPollMs / 2);
        if (early || now - lastPresenceCheck >= milliseconds(500)) {
            lastPresenceCheck = now;
            if (!m_source.devicePaths().contains(key.path))
                return ioFailure(key);
            if (early) {
                std::unique_lock lock(m_mutex);
                m_changed.wait_for(lock, milliseconds(50), [&] { return m_cancelled || m_stop[index]; });
            }
        }
        if (now >= m_deadline + milliseconds(kBackstopMs))
            return ioFailure(key);
    }
}

Fido2Ceremony::Outcome Fido2Ceremony::ioFailure(Key& key)
{
    if (!m_source.devicePaths().contains(key.path))
        return Outcome {Kind::NonTerminal,
                        Result<Assertion>(error(fido2errors::kRemoved,
                                                tr("The security key was removed before it answered. Plug it in "
                                                   "and try again."))),
                        kRankRemoved};
    if (pastDeadline())
        return Outcome {Kind::NonTerminal,
                        Result<Assertion>(error(fido2errors::kTimeout, tr("No security key was touched in time."))),
                        kRankTimeout};
    return Outcome {Kind::NonTerminal,
                    Result<Assertion>(error(fido2errors::kFailed, tr("The security key stopped answering."))),
                    kRankFailed};
}

Fido2Ceremony::Outcome Fido2Ceremony::pinProblem(Key& key, const char* code)
{
    int retries = -1;
    if (!key.fido2 || fido_dev_get_retry_count(key.dev, &retries) != FIDO_OK)
        retries = -1;
    QString message;
    if (retries == 0 || qstrcmp(code, fido2errors::kPinBlocked) == 0) {
        code = fido2errors::kPinBlocked;
        message = tr("The PIN of this security key is blocked after too many wrong attempts. The key must be reset "
                     "(which deletes its passkeys); use another key or ask your admin.");
    } else if (qstrcmp(code, fido2errors::kPinInvalid) == 0) {
        message = retries > 0 ? tr("Wrong PIN. %n attempt(s) left before the key locks.", nullptr, retries)
                              : tr("Wrong PIN.");
    } else {
        message = tr("Enter the PIN of your security key.");
    }
    Error e = error(code, message);
    if (retries >= 0)
        e.details.insert(QStringLiteral("retriesLeft"), retries);
    return Outcome {Kind::Terminal, Result<Assertion>(std::move(e))};
}

Fido2Ceremony::Outcome Fido2Ceremony::mapFailure(Key& key, int r, bool afterPin)
{
    qCInfo(lcCeremony) << "security key" << key.path << "answered" << fido_strerr(r);
    switch (r) {
    case FIDO_ERR_KEEPALIVE_CANCEL:
        return Outcome {Kind::Cancelled, std::nullopt};
    case FIDO_ERR_NO_CREDENTIALS:
        return Outcome {Kind::NonTerminal,
                        Result<Assertion>(error(fido2errors::kNoCredential,
                                                tr("This security key holds no passkey for this service. Use the key "
                                                   "you enrolled with."))),
                        kRankNoCredential};
    case FIDO_ERR_PIN_INVALID:
        return pinProblem(key, fido2errors::kPinInvalid);
    case FIDO_ERR_PIN_BLOCKED:
        return pinProblem(key, fido2errors::kPinBlocked);
    case FIDO_ERR_PIN_AUTH_BLOCKED: {
        // Three wrong PINs in a row: the key refuses more until it is plugged in again (the retries left stay).
        Outcome o = pinProblem(key, fido2errors::kPinInvalid);
        Error e = o.result->error();
        if (e.code == QLatin1String(fido2errors::kPinInvalid)) {
            e.message = tr("Too many wrong PINs in a row. Unplug the security key, plug it in again and retry.");
            e.details.insert(QStringLiteral("reinsertKey"), true);
        }
        return Outcome {Kind::Terminal, Result<Assertion>(std::move(e))};
    }
    case FIDO_ERR_PIN_REQUIRED:
        return pinProblem(key, fido2errors::kPinRequired);
    case FIDO_ERR_PIN_NOT_SET:
        return Outcome {Kind::Terminal,
                        Result<Assertion>(error(fido2errors::kPinNotSet,
                                                tr("Set a PIN on your security key first: the service needs the key "
                                                   "to confirm it is you.")))};
    case FIDO_ERR_UNSUPPORTED_OPTION:
        if (m_request.userVerification && !afterPin)
            return Outcome {Kind::Terminal,
                            Result<Assertion>(error(fido2errors::kPinNotSet,
                                                    tr("Set a PIN on your security key first: the service needs the "
                                                       "key to confirm it is you.")))};
        break;
    case FIDO_ERR_OPERATION_DENIED:
        return Outcome {Kind::Terminal,
                        Result<Assertion>(error(fido2errors::kCancelled, tr("The request was declined on the key.")))};
    case FIDO_ERR_USER_ACTION_TIMEOUT:
    case FIDO_ERR_ACTION_TIMEOUT:
        return Outcome {Kind::NonTerminal,
                        Result<Assertion>(error(fido2errors::kTimeout, tr("No security key was touched in time."))),
                        kRankTimeout};
    case FIDO_ERR_TX:
    case FIDO_ERR_RX:
        return ioFailure(key);
    case FIDO_ERR_INTERNAL:
        // libfido2 reports a key agreement that could not be fetched (an unplugged key, among others) as internal.
        if (!m_source.devicePaths().contains(key.path))
            return ioFailure(key);
        break;
    default:
        break;
    }
    return Outcome {
        Kind::NonTerminal,
        Result<Assertion>(
            error(fido2errors::kFailed, tr("The security key failed (%1).").arg(QString::fromLatin1(fido_strerr(r))))),
        kRankFailed};
}

} // namespace stint::client
