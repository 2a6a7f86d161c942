// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/fido2/Fido2DeviceSource.h"

// The security keys really plugged into this machine, as libfido2 finds them (fido_dev_info_manifest: hidraw devices
// with the FIDO usage page on Linux, IOKit on macOS, the HID API on Windows; NFC readers on Linux). Stateless: every
// call asks the operating system again, so keys plugged in or removed between calls are seen.
namespace stint::client {

class HidDeviceSource final : public Fido2DeviceSource
{
public:
    QStringList devicePaths() override;
    fido_dev* openDevice(const QString& path) override;
};

} // namespace stint::client
