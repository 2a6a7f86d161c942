// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Database.h"

#include <QStringList>

namespace stint::store {

// One step of the schema. Versions start at 1 and increase by one; a released migration is never edited.
struct Migration
{
    int version;
    QString name;
    QStringList statements;
};

// The schema version recorded in the database (0 for a new one).
Result<int> schemaVersion(Database& db);

// Applies every migration newer than the database's version, each in its own transaction, in order.
// Refuses a database newer than the code ("store.schema_too_new") and a list with gaps.
Result<int> applyMigrations(Database& db, const QList<Migration>& migrations);

} // namespace stint::store
