// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/fido2/Fido2SecurityKeys.h"

#include "client/fido2/Fido2Ceremony.h"

#include <QLoggingCategory>
#include <QThread>
#include <fido.h>
#include <mutex>

Q_LOGGING_CATEGORY(lcSecurityKeys, "stint.client.fido2.fido2securitykeys")

namespace stint::client {

namespace {

constexpr int kMaxAllowedCredentials = 64;
constexpr int kMaxCredentialIdSize = 1023;
constexpr int kMaxTimeoutMs = 600'000;
// CTAP2: a PIN is at least 4 Unicode code points and at most 63 bytes of UTF-8.
constexpr int kMinPinCodePoints = 4;
constexpr int kMaxPinBytes = 63;

bool pinWellFormed(const QByteArray& pin)
{
    if (pin.size() > kMaxPinBytes || pin.contains('\0') || !QUtf8StringView(pin).isValidUtf8())
        return false;
    int codePoints = 0;
    for (const char c : pin) {
        if ((quint8(c) & 0xC0) != 0x80)
            ++codePoints;
    }
    return codePoints >= kMinPinCodePoints;
}

} // namespace

struct Fido2SecurityKeys::Running
{
    std::shared_ptr<Fido2Ceremony> ceremony;
    QThread* thread = nullptr;
    Call<Assertion> call;
};

Fido2SecurityKeys::Fido2SecurityKeys(std::shared_ptr<Fido2DeviceSource> source, QObject* parent)
    : SecurityKeys(parent)
    , m_source(std::move(source))
{
    static std::once_flag initialized;
    std::call_once(initialized, [] { fido_init(0); });
}

Fido2SecurityKeys::~Fido2SecurityKeys()
{
    if (m_next) {
        m_next->call.fail(cancelledError());
        m_next.reset();
    }
    if (m_running) {
        m_running->ceremony->cancel();
        m_running->thread->wait();
        delete m_running->thread;
        m_running->call.fail(cancelledError());
        m_running.reset();
    }
}

Error Fido2SecurityKeys::cancelledError()
{
    return Error {
        QString::fromLatin1(fido2errors::kCancelled), tr("Signing in with the security key was cancelled."), {}};
}

std::optional<Error> Fido2SecurityKeys::validate(const AssertionRequest& request)
{
    auto bad = [](const QString& what) {
        return Error {
            QString::fromLatin1(fido2errors::kFailed), tr("The sign-in request is malformed (%1).").arg(what), {}};
    };
    if (request.rpId.isEmpty() || request.rpId.size() > 253)
        return bad(QStringLiteral("rpId"));
    if (request.clientDataHash.size() != 32)
        return bad(QStringLiteral("clientDataHash"));
    if (request.allowCredentialIds.size() > kMaxAllowedCredentials)
        return bad(QStringLiteral("allowCredentials"));
    for (const QByteArray& id : request.allowCredentialIds) {
        if (id.isEmpty() || id.size() > kMaxCredentialIdSize)
            return bad(QStringLiteral("allowCredentials"));
    }
    if (request.timeoutMs <= 0 || request.timeoutMs > kMaxTimeoutMs)
        return bad(QStringLiteral("timeout"));
    if (request.pin && !request.pin->isEmpty() && !pinWellFormed(request.pin->bytes()))
        return Error {QString::fromLatin1(fido2errors::kPinInvalid),
                      tr("A security key PIN has at least 4 characters and at most 63 bytes."),
                      {}};
    return std::nullopt;
}

Call<Assertion> Fido2SecurityKeys::getAssertion(const AssertionRequest& request)
{
    if (auto bad = validate(request))
        return Call<Assertion>::failed(*bad);
    Call<Assertion> call;
    if (m_running) {
        if (m_next)
            m_next->call.fail(cancelledError());
        m_next = Queued {request, call};
        m_running->ceremony->cancel();
        return call;
    }
    start(request, call);
    return call;
}

void Fido2SecurityKeys::cancel()
{
    if (m_next) {
        m_next->call.fail(cancelledError());
        m_next.reset();
    }
    if (m_running)
        m_running->ceremony->cancel();
}

void Fido2SecurityKeys::start(const AssertionRequest& request, Call<Assertion> call)
{
    auto running = std::make_unique<Running>();
    Running* r = running.get();
    Fido2Ceremony::Hooks hooks;
    // Called on the ceremony's threads; `this` outlives them (the destructor waits for the thread).
    hooks.touchRequested = [this](int keyCount) {
        QMetaObject::invokeMethod(
            this, [this, keyCount] { emit touchRequested(keyCount); }, Qt::QueuedConnection);
    };
    r->ceremony = std::make_shared<Fido2Ceremony>(*m_source, request, std::move(hooks));
    r->call = std::move(call);
    auto ceremony = r->ceremony;
    auto source = m_source;
    r->thread = QThread::create([this, r, ceremony, source] {
        const Result<Assertion> result = ceremony->run();
        QMetaObject::invokeMethod(
            this, [this, r, result] { finished(r, result); }, Qt::QueuedConnection);
    });
    r->thread->setObjectName(QStringLiteral("fido2-ceremony"));
    m_running = std::move(running);
    r->thread->start();
}

void Fido2SecurityKeys::finished(Running* running, const Result<Assertion>& result)
{
    if (!m_running || m_running.get() != running)
        return;
    m_running->thread->wait();
    delete m_running->thread;
    const Call<Assertion> call = m_running->call;
    m_running.reset();
    if (!result.ok())
        qCInfo(lcSecurityKeys) << "security key ceremony ended with" << result.error().code;
    call.resolve(result);
    if (m_next) {
        Queued next = std::move(*m_next);
        m_next.reset();
        start(next.request, std::move(next.call));
    }
}

} // namespace stint::client
