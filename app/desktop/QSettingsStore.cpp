// SPDX-License-Identifier: GPL-3.0-or-later
#include "QSettingsStore.h"

namespace stint::desktop {

QSettingsStore::QSettingsStore()
    : m_settings(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("stint"), QStringLiteral("stint"))
{
}

} // namespace stint::desktop
