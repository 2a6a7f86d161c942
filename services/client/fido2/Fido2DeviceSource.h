// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

struct fido_dev;

// Where Fido2SecurityKeys finds security keys and how it opens them: the one seam between the CTAP2 client logic and
// the machine. HidDeviceSource lists the keys plugged in (libfido2's manifest: USB HID, and NFC readers on Linux);
// tests plug in software CTAP2 devices that libfido2 talks to through its own I/O hooks, so everything above the
// HID reports — libfido2's framing, CBOR, PIN protocols and our ceremony — runs as it does with a real key.
//
// Both functions are called on worker threads, possibly several at once, never on the UI thread.
namespace stint::client {

class Fido2DeviceSource
{
public:
    virtual ~Fido2DeviceSource() = default;

    // The keys present now, by path. Also asked after an I/O error, to tell a removed key from a broken one.
    virtual QStringList devicePaths() = 0;
    // The key at `path`, opened (CTAPHID INIT and authenticatorGetInfo done by libfido2), or null when it cannot be
    // opened. The caller closes it (fido_dev_close) and frees it (fido_dev_free).
    virtual fido_dev* openDevice(const QString& path) = 0;
};

} // namespace stint::client
