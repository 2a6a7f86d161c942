// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/fido2/HidDeviceSource.h"

#include <QLoggingCategory>
#include <fido.h>

Q_LOGGING_CATEGORY(lcHidKeys, "stint.client.fido2.hiddevicesource")

namespace stint::client {

namespace {

constexpr size_t kMaxDevices = 16;

// One manifest of the keys present, freed with this object.
class Manifest
{
public:
    Manifest()
        : m_list(fido_dev_info_new(kMaxDevices))
    {
        if (!m_list)
            return;
        const int r = fido_dev_info_manifest(m_list, kMaxDevices, &m_count);
        if (r != FIDO_OK) {
            qCWarning(lcHidKeys) << "listing security keys failed:" << fido_strerr(r);
            m_count = 0;
        }
    }
    ~Manifest() { fido_dev_info_free(&m_list, kMaxDevices); }
    Manifest(const Manifest&) = delete;
    Manifest& operator=(const Manifest&) = delete;

    size_t count() const { return m_count; }
    const fido_dev_info_t* at(size_t i) const { return fido_dev_info_ptr(m_list, i); }

private:
    fido_dev_info_t* m_list = nullptr;
    size_t m_count = 0;
};

} // namespace

QStringList HidDeviceSource::devicePaths()
{
    Manifest manifest;
    QStringList paths;
    for (size_t i = 0; i < manifest.count(); ++i)
        paths << QString::fromUtf8(fido_dev_info_path(manifest.at(i)));
    return paths;
}

fido_dev* HidDeviceSource::openDevice(const QString& path)
{
    // Through the manifest entry rather than the bare path, so that each kind of key (HID, NFC) gets its own I/O.
    Manifest manifest;
    for (size_t i = 0; i < manifest.count(); ++i) {
        const fido_dev_info_t* info = manifest.at(i);
        if (QString::fromUtf8(fido_dev_info_path(info)) != path)
            continue;
        fido_dev_t* dev = fido_dev_new_with_info(info);
        if (!dev)
            return nullptr;
        const int r = fido_dev_open_with_info(dev);
        if (r != FIDO_OK) {
            qCInfo(lcHidKeys) << "could not open security key" << path << fido_strerr(r);
            fido_dev_free(&dev);
            return nullptr;
        }
        return dev;
    }
    return nullptr;
}

} // namespace stint::client
