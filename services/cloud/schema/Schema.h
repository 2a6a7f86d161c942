// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Migrations.h"

namespace stint::cloud {

// The cloud's schema, as migrations for the given backend. Times are BIGINT milliseconds since the epoch (UTC);
// lists and settings are JSON text; ids are prefixed random strings (core/Ids.h).
QList<store::Migration> cloudMigrations(store::Backend backend);

} // namespace stint::cloud
