// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/fido2/SecurityKeys.h"

#include <QList>
#include <QQueue>
#include <optional>

// client::SecurityKeys for GUI tests of the sign-in screen: a key that behaves like a real one in the ways the screen
// must handle — none plugged in, a PIN it wants (pin_required without one, pin_invalid with the retries left for a
// wrong one, pin_blocked at zero), several keys (touchRequested(n)), a touch that never comes (the test answers with
// fido2.timeout), a key pulled out — and records what it was asked. A ceremony waits until the test touches the key
// (touch()) or fails it, unless an outcome was scripted for it.
namespace stint::test {

class FakeSecurityKeys final : public client::SecurityKeys
{
    Q_OBJECT
public:
    using client::SecurityKeys::SecurityKeys;

    struct Asked
    {
        QString rpId;
        bool userVerification = false;
        bool withPin = false;
        QByteArray pin;
        int allowCredentialCount = 0;
    };

    client::Call<client::Assertion> getAssertion(const client::AssertionRequest& request) override;
    void cancel() override;

    // --- how the key behaves ---
    void setPluggedIn(int keyCount); // 0: no key (fido2.no_device at once)
    void setPin(const QByteArray& pin, int retries = 8); // the key needs this PIN for user verification
    // The outcome of the next ceremony, answered at once (after the PIN checks); queued in order.
    void scriptFailure(const QString& code, const QString& message = {});
    void scriptSuccess();

    // --- the test's hands ---
    bool isWaitingForTouch() const { return m_pending.has_value(); }
    void touch(); // the person touches the key: the waiting ceremony succeeds
    void fail(const QString& code, const QString& message = {}, const QJsonObject& details = {});
    int pinRetries() const { return m_retries; }

    QList<Asked> asked;
    int cancelCount = 0;

    // The credential on the key (the passkey a FakeCloud knows by FakeCloud::addPasskey(person, credentialIdText())).
    static QByteArray credentialId() { return QByteArrayLiteral("fake-key-credential-1"); }
    static QString credentialIdText();
    static client::Assertion assertion();

private:
    std::optional<client::Call<client::Assertion>> m_pending;
    QQueue<std::optional<stint::Error>> m_script; // nullopt: success
    int m_keyCount = 1;
    QByteArray m_pin;
    int m_retries = 8;
};

} // namespace stint::test
