// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/fido2/Fido2DeviceSource.h"
#include "client/fido2/SecurityKeys.h"

#include <memory>
#include <optional>

// SecurityKeys through libfido2 (CTAP2 over USB HID, and NFC on Linux): the keys come from a Fido2DeviceSource —
// HidDeviceSource in the app, software CTAP2 devices in tests — and each ceremony runs on a thread of its own
// (Fido2Ceremony), because libfido2 blocks while a key waits for a touch. Results come back on this object's thread
// through the Call; touchRequested is emitted here too.
//
// One ceremony at a time: a new request replaces the running one, which ends as fido2.cancelled; the new one starts
// as soon as the keys are free. Destroying this object cancels a running ceremony and waits for its thread.
namespace stint::client {

class Fido2Ceremony;

class Fido2SecurityKeys final : public SecurityKeys
{
    Q_OBJECT
public:
    explicit Fido2SecurityKeys(std::shared_ptr<Fido2DeviceSource> source, QObject* parent = nullptr);
    ~Fido2SecurityKeys() override;

    Call<Assertion> getAssertion(const AssertionRequest& request) override;
    void cancel() override;

    bool isBusy() const { return m_running != nullptr; }

    // Checks a request before any key is asked (exposed for tests): an error for a malformed one.
    static std::optional<Error> validate(const AssertionRequest& request);

private:
    struct Running;
    void start(const AssertionRequest& request, Call<Assertion> call);
    void finished(Running* running, const Result<Assertion>& result);
    static Error cancelledError();

    std::shared_ptr<Fido2DeviceSource> m_source;
    std::unique_ptr<Running> m_running;
    struct Queued
    {
        AssertionRequest request;
        Call<Assertion> call;
    };
    std::optional<Queued> m_next;
};

} // namespace stint::client
