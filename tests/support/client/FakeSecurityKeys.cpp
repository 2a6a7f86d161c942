// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/client/FakeSecurityKeys.h"

#include <QTimer>

namespace stint::test {

namespace f = client::fido2errors;

namespace {
Error keyError(const char* code, const QString& message, const QJsonObject& details = {})
{
    return Error {QString::fromLatin1(code), message, details};
}
} // namespace

QString FakeSecurityKeys::credentialIdText()
{
    return QString::fromLatin1(crypto::base64UrlEncode(credentialId()));
}

client::Assertion FakeSecurityKeys::assertion()
{
    return client::Assertion {credentialId(), QByteArray(37, '\1'), QByteArrayLiteral("signature"),
                              QByteArrayLiteral("user-1")};
}

client::Call<client::Assertion> FakeSecurityKeys::getAssertion(const client::AssertionRequest& request)
{
    Asked a;
    a.rpId = request.rpId;
    a.userVerification = request.userVerification;
    a.withPin = request.pin && !request.pin->isEmpty();
    a.pin = a.withPin ? request.pin->bytes() : QByteArray();
    a.allowCredentialCount = int(request.allowCredentialIds.size());
    asked.append(a);

    client::Call<client::Assertion> call;
    if (m_keyCount == 0) {
        call.fail(keyError(f::kNoDevice, QStringLiteral("No FIDO2 device found.")));
        return call;
    }
    if (!m_pin.isEmpty() && request.userVerification) {
        if (m_retries <= 0) {
            call.fail(keyError(f::kPinBlocked, QStringLiteral("PIN blocked.")));
            return call;
        }
        if (!a.withPin) {
            call.fail(keyError(f::kPinRequired, QStringLiteral("PIN required.")));
            return call;
        }
        if (a.pin != m_pin) {
            --m_retries;
            if (m_retries <= 0)
                call.fail(keyError(f::kPinBlocked, QStringLiteral("PIN blocked.")));
            else
                call.fail(keyError(f::kPinInvalid, QStringLiteral("PIN invalid."),
                                   {{QStringLiteral("retriesLeft"), m_retries}}));
            return call;
        }
        m_retries = 8;
    }
    if (!m_script.isEmpty()) {
        const std::optional<Error> outcome = m_script.dequeue();
        if (outcome)
            call.fail(*outcome);
        else
            call.resolve(assertion());
        return call;
    }
    m_pending = call;
    // As libfido2 does once every key is waiting for a touch.
    const int keys = m_keyCount;
    QTimer::singleShot(0, this, [this, keys]() {
        if (m_pending)
            emit touchRequested(keys);
    });
    return call;
}

void FakeSecurityKeys::cancel()
{
    ++cancelCount;
    if (m_pending) {
        auto call = *m_pending;
        m_pending.reset();
        call.fail(keyError(f::kCancelled, QStringLiteral("Cancelled.")));
    }
}

void FakeSecurityKeys::setPluggedIn(int keyCount)
{
    m_keyCount = keyCount;
}

void FakeSecurityKeys::setPin(const QByteArray& pin, int retries)
{
    m_pin = pin;
    m_retries = retries;
}

void FakeSecurityKeys::scriptFailure(const QString& code, const QString& message)
{
    m_script.enqueue(Error {code, message.isEmpty() ? code : message, {}});
}

void FakeSecurityKeys::scriptSuccess()
{
    m_script.enqueue(std::nullopt);
}

void FakeSecurityKeys::touch()
{
    if (!m_pending)
        return;
    auto call = *m_pending;
    m_pending.reset();
    call.resolve(assertion());
}

void FakeSecurityKeys::fail(const QString& code, const QString& message, const QJsonObject& details)
{
    if (!m_pending)
        return;
    auto call = *m_pending;
    m_pending.reset();
    call.fail(Error {code, message.isEmpty() ? code : message, details});
}

} // namespace stint::test
