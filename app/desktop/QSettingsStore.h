// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/shell/AppSettings.h"

#include <QSettings>

namespace stint::desktop {

// The app's settings on disk: QSettings in the user's configuration directory (~/.config/stint/stint.ini on Linux).
// Nothing secret goes here — sessions and keys live in the keychain.
class QSettingsStore final : public ui::SettingsStore
{
public:
    QSettingsStore();

    QVariant value(const QString& key) const override { return m_settings.value(key); }
    void setValue(const QString& key, const QVariant& value) override { m_settings.setValue(key, value); }
    void remove(const QString& key) override { m_settings.remove(key); }

private:
    QSettings m_settings;
};

} // namespace stint::desktop
