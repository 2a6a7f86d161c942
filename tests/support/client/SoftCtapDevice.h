// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/fido2/Fido2DeviceSource.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <memory>
#include <mutex>

// A software FIDO2 security key that the real libfido2 talks to through its I/O hooks (fido_dev_set_io_functions):
// libfido2 writes and reads 64-byte HID reports, and this device answers them as a USB key does. What is emulated is
// only the key itself, below the HID reports:
//  - CTAPHID: INIT (channel allocation), CBOR, CANCEL, PING, WINK, KEEPALIVE (every 100 ms while it waits for a
//    touch), messages split over CONT packets both ways, busy and sequence errors;
//  - CTAP2: authenticatorGetInfo, authenticatorMakeCredential (ES256, packed self attestation, discoverable or not,
//    excludeList, the empty-pinUvAuthParam touch probe libfido2 uses to select a key), authenticatorGetAssertion
//    (allowList or discoverable, up/uv, several credentials through authenticatorGetNextAssertion),
//    authenticatorClientPIN (getPINRetries, getKeyAgreement, getPinToken for CTAP 2.0 with PIN protocol 1,
//    getPinUvAuthTokenUsingPinWithPermissions / …UsingUvWithPermissions for CTAP 2.1 with protocols 2 and 1,
//    getUVRetries), PIN retries, three-wrong-in-a-row blocking and a blocked PIN;
//  - knobs for the person and for faults: touch automatically, on touch() or never; unplug (I/O fails at once);
//    give up waiting after a time of its own; reply with broken CBOR; sign for another relying party.
// It keeps no state on disk. Not emulated: U2F (CTAPHID_MSG), setPIN/changePIN, reset, extensions, credential
// management, large blobs; getAssertion answers CTAP2_ERR_NO_CREDENTIALS at once, as CTAP 2.0 keys do.
//
// Devices are found by path ("softctap:N") through a process-wide registry, because libfido2's open hook gets only a
// path. SoftCtapBus is the Fido2DeviceSource that lists the devices plugged into it, for Fido2SecurityKeys.
struct fido_dev;

namespace stint::test {

class SoftCtapDevice
{
public:
    enum class Presence
    {
        Auto, // a touch arrives right after the first keepalive
        Manual, // a touch arrives when touch() is called
        Never, // nobody touches the key
    };

    struct Options
    {
        bool ctap21 = true; // FIDO_2_1 with pinUvAuthToken (PIN protocols 2 and 1); false: FIDO_2_0, protocol 1
        bool pinSupported = true; // the key has the clientPin feature
        QByteArray pin; // UTF-8; empty: no PIN set
        bool builtInUv = false; // a built-in user verification (a fingerprint reader) that always recognises
        int pinRetries = 8;
        Presence presence = Presence::Auto;
        int userActionTimeoutMs = 30'000; // the key gives up waiting for a touch (CTAP2_ERR_USER_ACTION_TIMEOUT)
        QByteArray aaguid = QByteArray::fromHex("5374696e74536f667443746170446576");
    };

    explicit SoftCtapDevice(Options options);
    SoftCtapDevice();
    ~SoftCtapDevice();
    SoftCtapDevice(const SoftCtapDevice&) = delete;
    SoftCtapDevice& operator=(const SoftCtapDevice&) = delete;

    QString path() const;
    // The device opened through the real libfido2 over this device's I/O hooks (INIT and getInfo done), or null.
    // The caller closes and frees it.
    fido_dev* open() const;

    // The person.
    void setPresence(Presence presence);
    bool waitingForTouch() const;
    // Confirms the request that waits for a touch; nothing when none waits (a real key ignores a touch when idle).
    void touch();

    // Faults.
    void unplug(); // reads and writes fail from now on; the device leaves every bus
    bool pluggedIn() const;
    void powerCycle(); // ends the three-wrong-PINs block, as unplugging and plugging in again does
    void setCorruptAssertions(bool corrupt);
    void setAnswerForRpId(const QString& rpId); // assertions carry SHA-256 of this RP ID instead
    void setUserActionTimeoutMs(int ms);

    // Credentials. A passkey for `rpId` as if made earlier; returns its credential id.
    QByteArray addCredential(const QString& rpId, const QByteArray& userHandle, bool discoverable = true,
                             const QString& userName = {});
    int credentialCount() const;
    QList<QByteArray> credentialIds() const;
    // The public key: 65 bytes 0x04‖x‖y (libfido2's es256_pk_from_ptr takes it), and as COSE_Key.
    QByteArray publicKey(const QByteArray& credentialId) const;
    QByteArray publicKeyCose(const QByteArray& credentialId) const;
    quint32 signCount(const QByteArray& credentialId) const;

    // What the key saw.
    int pinRetries() const;
    int pinChecks() const; // PINs it was asked to check (right or wrong)
    int cancelsReceived() const; // CTAPHID_CANCEL packets
    int commandsReceived(quint8 ctapCommand) const; // 0x01 makeCredential, 0x02 getAssertion, 0x06 clientPIN …

    struct State;

private:
    std::shared_ptr<State> m_state;
};

// The USB bus the software keys are plugged into, as a Fido2DeviceSource: lists the devices plugged in (and not
// unplugged since) and opens them through libfido2 with SoftCtapDevice's I/O hooks.
class SoftCtapBus final : public client::Fido2DeviceSource
{
public:
    void plug(const SoftCtapDevice& device);

    QStringList devicePaths() override;
    fido_dev* openDevice(const QString& path) override;

    int listings() const; // how often devicePaths() was asked

private:
    mutable std::mutex m_mutex;
    QStringList m_paths;
    int m_listings = 0;
};

} // namespace stint::test
