// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/Call.h"
#include "core/Crypto.h"

#include <QList>
#include <QObject>

#include <memory>

// FIDO2 security keys as the desktop app uses them: ask the keys plugged in for a WebAuthn assertion. The real one
// speaks CTAP2 through libfido2 (Fido2SecurityKeys); tests plug in a software CTAP2 device through libfido2's own I/O
// hooks, or a fake of this interface for the UI.
//
// The ceremony runs off the UI thread (libfido2 blocks while it waits for a touch). With several keys plugged in,
// every key is asked at once and the one touched answers; the others are cancelled. A key that needs its PIN fails
// with fido2.pin_required: ask the person, then call again with the PIN.
namespace stint::client {

struct AssertionRequest
{
    QString rpId;
    QByteArray clientDataHash;           // SHA-256 of the clientDataJSON the caller built
    QList<QByteArray> allowCredentialIds; // empty: a discoverable credential (passkey on the key)
    bool userVerification = true;         // the cloud requires it: PIN or built-in biometrics
    std::shared_ptr<const crypto::SecretBytes> pin; // UTF-8; null or empty: none given
    int timeoutMs = 30'000;
};

struct Assertion
{
    QByteArray credentialId;
    QByteArray authenticatorData; // raw bytes (not CBOR-wrapped)
    QByteArray signature;
    QByteArray userHandle;        // for discoverable credentials
};

// Error codes, each with a message a person can act on.
namespace fido2errors {
inline constexpr auto kNoDevice = "fido2.no_device";           // no security key found
inline constexpr auto kPinRequired = "fido2.pin_required";     // ask for the PIN and call again
inline constexpr auto kPinInvalid = "fido2.pin_invalid";       // details.retriesLeft
inline constexpr auto kPinBlocked = "fido2.pin_blocked";       // too many wrong PINs: reset the key
inline constexpr auto kPinNotSet = "fido2.pin_not_set";        // user verification needs a PIN the key lacks
inline constexpr auto kNoCredential = "fido2.no_credential";   // the key holds no passkey for this service
inline constexpr auto kTimeout = "fido2.timeout";              // nobody touched a key in time
inline constexpr auto kRemoved = "fido2.device_removed";       // the key was unplugged mid-ceremony
inline constexpr auto kCancelled = "fido2.cancelled";          // cancel() was called
inline constexpr auto kFailed = "fido2.failed";                // anything else (the libfido2 error is in the message)
} // namespace fido2errors

class SecurityKeys : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual Call<Assertion> getAssertion(const AssertionRequest& request) = 0;
    // Stops a running ceremony (it fails with fido2.cancelled).
    virtual void cancel() = 0;

signals:
    // The keys are waiting for a touch; `keyCount` > 1: "touch the key you want to use".
    void touchRequested(int keyCount);
};

} // namespace stint::client
