// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/Migrations.h"

#include <QDateTime>

namespace stint::store {

namespace {
Result<void> ensureTable(Database& db)
{
    return db.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                  "version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
}
} // namespace

Result<int> schemaVersion(Database& db)
{
    STINT_TRY(ensureTable(db));
    auto rows = db.query(QStringLiteral("SELECT MAX(version) FROM schema_migrations"));
    if (!rows)
        return rows.error();
    if (rows->empty() || rows->front().isNull(0))
        return 0;
    return int(rows->front().integer(0));
}

Result<int> applyMigrations(Database& db, const QList<Migration>& migrations)
{
    for (int i = 0; i < migrations.size(); ++i) {
        if (migrations.at(i).version != i + 1)
            return makeError(QStringLiteral("store.bad_migrations"),
                             QStringLiteral("migration versions must run 1, 2, 3… without gaps"));
    }
    auto current = schemaVersion(db);
    if (!current)
        return current.error();
    if (*current > migrations.size())
        return makeError(QStringLiteral("store.schema_too_new"),
                         QStringLiteral("The database has schema version %1 but this build knows only %2. "
                                        "Use a newer stint-cloud.")
                             .arg(*current)
                             .arg(migrations.size()));
    for (const Migration& m : migrations) {
        if (m.version <= *current)
            continue;
        Transaction tx(db);
        STINT_TRY(tx.started());
        for (const QString& statement : m.statements) {
            auto r = db.exec(statement);
            if (!r)
                return makeError(r.error().code, QStringLiteral("migration %1 (%2) failed: %3")
                                                     .arg(m.version)
                                                     .arg(m.name, r.error().message));
        }
        STINT_TRY(db.exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
                          {qint64(m.version), m.name, QDateTime::currentMSecsSinceEpoch()}));
        STINT_TRY(tx.commit());
    }
    return int(migrations.size());
}

} // namespace stint::store
