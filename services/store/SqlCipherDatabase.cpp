// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/SqlCipherDatabase.h"

#include "store/SqlCipherPageCrypto.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QScopeGuard>

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcStore, "stint.store.sqlcipher")

namespace stint::store {

namespace {
constexpr int kStatementCacheLimit = 256;

// SQLCipher treats key material of the form x'<64 hex>' as a raw key and skips PBKDF2.
crypto::SecretBytes rawKeySpec(const crypto::SecretBytes& key)
{
    QByteArray hex = key.bytes().toHex();
    QByteArray spec = "x'" + hex + "'";
    crypto::wipe(hex);
    return crypto::SecretBytes(std::move(spec));
}

// Defence in depth for the SQLite 3.15.2 that SQLCipher 3.4.1 embeds (docs/architecture.md, "Store"): most SQLite
// defects fixed since need SQL text an attacker chose, and the way in for several (Magellan: fts3_tokenizer) is
// an FTS3/R*Tree virtual table or a function this product never calls. Stint's SQL is compile-time text with bound
// parameters; this authorizer refuses, at prepare time, what it never runs anyway: virtual tables, extension
// loading, fts3_tokenizer, and ATTACH/DETACH/sqlcipher_export outside a backup.
int authorize(void* self, int action, const char* arg1, const char* arg2, const char*, const char*)
{
    const bool backingUp = static_cast<const SqlCipherDatabase*>(self)->backupRunning();
    switch (action) {
    case SQLITE_CREATE_VTABLE:
    case SQLITE_DROP_VTABLE:
        return SQLITE_DENY;
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
        return backingUp ? SQLITE_OK : SQLITE_DENY;
    case SQLITE_FUNCTION: {
        const QByteArrayView name(arg2 ? arg2 : "");
        if (name.compare("fts3_tokenizer", Qt::CaseInsensitive) == 0
            || name.compare("load_extension", Qt::CaseInsensitive) == 0)
            return SQLITE_DENY;
        if (name.compare("sqlcipher_export", Qt::CaseInsensitive) == 0)
            return backingUp ? SQLITE_OK : SQLITE_DENY;
        return SQLITE_OK;
    }
    default:
        Q_UNUSED(arg1)
        return SQLITE_OK;
    }
}

void resetStatement(sqlite3_stmt* s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}
} // namespace

Result<std::unique_ptr<SqlCipherDatabase>> SqlCipherDatabase::open(const QString& path,
                                                                   const crypto::SecretBytes& key, OpenMode mode)
{
    return open(path, key, mode, 0);
}

Result<std::unique_ptr<SqlCipherDatabase>> SqlCipherDatabase::open(const QString& path,
                                                                   const crypto::SecretBytes& key, OpenMode mode,
                                                                   int knownPageSize)
{
    if (key.size() != 32)
        return makeError(QStringLiteral("store.bad_key"), QStringLiteral("The store key must be 256 bits."));
    if (mode == OpenMode::OpenExisting && !QFileInfo::exists(path))
        return makeError(QStringLiteral("store.open_failed"),
                         QStringLiteral("No database at %1. Run 'stint-cloud init' first.").arg(path));
    installPageCrypto(); // once per process, before the first connection: see SqlCipherPageCrypto.h
    // The page size is not in the file (SQLCipher encrypts the header), so a store made with the older size is told
    // from the current one by which of the two opens it; a wrong key opens with neither.
    const QList<int> sizes = knownPageSize ? QList<int> {knownPageSize} : QList<int> {kPageSize, kOlderPageSize};
    sqlite3* db = nullptr;
    int pageSize = 0;
    for (int size : sizes) {
        auto keyed = openKeyed(path, key, size);
        if (!keyed)
            return keyed.error();
        if (*keyed) {
            db = *keyed;
            pageSize = size;
            break;
        }
    }
    if (!db)
        return makeError(QStringLiteral("store.wrong_key"),
                         QStringLiteral("The key does not open %1 (wrong key, or not a Stint database).").arg(path));
    for (const char* pragma : {"PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", "PRAGMA foreign_keys=ON;",
                               "PRAGMA busy_timeout=5000;"}) {
        char* err = nullptr;
        if (sqlite3_exec(db, pragma, nullptr, nullptr, &err) != SQLITE_OK) {
            const QString message = QString::fromUtf8(err ? err : "unknown");
            sqlite3_free(err);
            sqlite3_close(db);
            return makeError(QStringLiteral("store.open_failed"), QStringLiteral("%1 failed: %2")
                                                                      .arg(QString::fromLatin1(pragma), message));
        }
    }
    // No statement in this product is longer than a few KiB; a megabyte bounds what a parser bug could be fed.
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
    std::unique_ptr<SqlCipherDatabase> opened(
        new SqlCipherDatabase(db, path, crypto::SecretBytes(QByteArray(key.bytes().constData(), key.size()))));
    opened->m_pageSize = pageSize;
    sqlite3_set_authorizer(db, &authorize, opened.get());
    return opened;
}

Result<sqlite3*> SqlCipherDatabase::openKeyed(const QString& path, const crypto::SecretBytes& key, int pageSize)
{
    sqlite3* db = nullptr;
    // CREATE in both modes: ATTACH (used by backups) inherits the connection's flags and must create its file.
    // OpenExisting was checked by open().
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const QString message = db ? QString::fromUtf8(sqlite3_errmsg(db)) : QStringLiteral("out of memory");
        sqlite3_close(db);
        return makeError(QStringLiteral("store.open_failed"),
                         QStringLiteral("Cannot open the database %1: %2").arg(path, message));
    }
    {
        const crypto::SecretBytes spec = rawKeySpec(key);
        rc = sqlite3_key(db, spec.bytes().constData(), spec.size());
    }
    if (rc != SQLITE_OK) {
        sqlite3_close(db);
        return makeError(QStringLiteral("store.open_failed"), QStringLiteral("Cannot set the database key."));
    }
    // Must be set before the first access, on every open.
    const QByteArray pragma = "PRAGMA cipher_page_size = " + QByteArray::number(pageSize) + ";";
    if (sqlite3_exec(db, pragma.constData(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return makeError(QStringLiteral("store.open_failed"), QStringLiteral("Cannot set the page size."));
    }
    // The first read proves the key and the page size: either wrong fails here with SQLITE_NOTADB (every page's
    // HMAC covers both).
    rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master;", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_close(db);
        if ((rc & 0xff) == SQLITE_NOTADB)
            return static_cast<sqlite3*>(nullptr);
        return makeError(QStringLiteral("store.open_failed"), QStringLiteral("Cannot read the database %1.").arg(path));
    }
    return db;
}

SqlCipherDatabase::SqlCipherDatabase(sqlite3* db, QString path, crypto::SecretBytes key)
    : m_db(db)
    , m_path(std::move(path))
    , m_key(std::move(key))
{
    sqlite3_commit_hook(
        m_db,
        [](void* self) {
            auto* db = static_cast<SqlCipherDatabase*>(self);
            if (db->m_deferred)
                ++db->m_deferredCommits;
            return 0; // go ahead
        },
        this);
}

SqlCipherDatabase::~SqlCipherDatabase()
{
    if (m_logFd >= 0)
        ::close(m_logFd);
    for (sqlite3_stmt* s : std::as_const(m_statements))
        sqlite3_finalize(s);
    for (sqlite3_stmt* s : m_control)
        sqlite3_finalize(s);
    sqlite3_finalize(m_dataVersion);
    if (backendInTransaction()) // an open batch too: GroupCommit commits it before it lets go of this connection
        sqlite3_exec(m_db, "ROLLBACK;", nullptr, nullptr, nullptr);
    sqlite3_close(m_db);
}

Error SqlCipherDatabase::lastError(const QString& what) const
{
    const int code = sqlite3_extended_errcode(m_db);
    QString kind = QStringLiteral("store.failed");
    if ((code & 0xff) == SQLITE_CONSTRAINT)
        kind = QStringLiteral("store.constraint");
    else if ((code & 0xff) == SQLITE_BUSY)
        kind = QStringLiteral("store.busy");
    return makeError(kind, QStringLiteral("%1: %2").arg(what, QString::fromUtf8(sqlite3_errmsg(m_db))));
}

Result<sqlite3_stmt*> SqlCipherDatabase::prepare(const QString& sql, const Params& params)
{
    sqlite3_stmt* s = m_statements.value(sql);
    if (!s) {
        const QByteArray utf8 = sql.toUtf8();
        if (sqlite3_prepare_v2(m_db, utf8.constData(), int(utf8.size()), &s, nullptr) != SQLITE_OK)
            return lastError(QStringLiteral("prepare"));
        if (m_statements.size() >= kStatementCacheLimit) {
            for (sqlite3_stmt* old : std::as_const(m_statements))
                sqlite3_finalize(old);
            m_statements.clear();
        }
        m_statements.insert(sql, s);
    }
    if (sqlite3_bind_parameter_count(s) != params.size()) {
        return makeError(QStringLiteral("store.failed"),
                         QStringLiteral("statement expects %1 parameters, got %2")
                             .arg(sqlite3_bind_parameter_count(s))
                             .arg(params.size()));
    }
    for (int i = 0; i < params.size(); ++i) {
        const Value& v = params.at(i);
        int rc = SQLITE_OK;
        if (std::holds_alternative<std::nullptr_t>(v))
            rc = sqlite3_bind_null(s, i + 1);
        else if (const auto* n = std::get_if<qint64>(&v))
            rc = sqlite3_bind_int64(s, i + 1, *n);
        else if (const auto* d = std::get_if<double>(&v))
            rc = sqlite3_bind_double(s, i + 1, *d);
        else if (const auto* t = std::get_if<QString>(&v)) {
            const QByteArray u = t->toUtf8();
            rc = sqlite3_bind_text(s, i + 1, u.constData(), int(u.size()), SQLITE_TRANSIENT);
        } else if (const auto* b = std::get_if<QByteArray>(&v))
            rc = sqlite3_bind_blob(s, i + 1, b->constData(), int(b->size()), SQLITE_TRANSIENT);
        if (rc != SQLITE_OK) {
            resetStatement(s);
            return lastError(QStringLiteral("bind"));
        }
    }
    return s;
}

Result<void> SqlCipherDatabase::exec(const QString& sql, const Params& params)
{
    auto r = execCount(sql, params);
    if (!r)
        return r.error();
    return {};
}

Result<qint64> SqlCipherDatabase::execCount(const QString& sql, const Params& params)
{
    auto prepared = prepare(sql, params);
    if (!prepared)
        return prepared.error();
    sqlite3_stmt* s = *prepared;
    // A write outside any transaction is durable when it returns: not part of an open batch, which commits first.
    if (betweenBatchedTransactions() && !sqlite3_stmt_readonly(s)) {
        if (auto closed = closeBatch(); !closed) {
            resetStatement(s);
            return closed.error();
        }
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
        Error e = lastError(QStringLiteral("exec"));
        resetStatement(s);
        return e;
    }
    resetStatement(s);
    return qint64(sqlite3_changes(m_db));
}

Result<Rows> SqlCipherDatabase::query(const QString& sql, const Params& params)
{
    Rows rows;
    auto r = stepRows(sql, params, false, [&rows](std::vector<Value>& values) {
        rows.emplace_back(std::move(values));
        return true;
    });
    if (!r)
        return r.error();
    return rows;
}

Result<void> SqlCipherDatabase::queryEach(const QString& sql, const Params& params,
                                          const std::function<bool(const Row&)>& visit)
{
    // One row's buffer for the whole walk: the visitor borrows it and hands it back.
    return stepRows(sql, params, true, [&visit](std::vector<Value>& values) {
        Row row(std::move(values));
        const bool more = visit(row);
        values = std::move(row).release();
        return more;
    });
}

namespace {
// The current row of a stepped statement, read straight from SQLite.
class StatementRow final : public RowView
{
public:
    StatementRow(sqlite3_stmt* s, int columns)
        : m_s(s)
        , m_columns(columns)
    {
    }
    int size() const override { return m_columns; }
    Kind kind(int i) const override
    {
        switch (sqlite3_column_type(m_s, i)) {
        case SQLITE_INTEGER:
            return Kind::Integer;
        case SQLITE_FLOAT:
            return Kind::Real;
        case SQLITE_TEXT:
            return Kind::Text;
        case SQLITE_BLOB:
            return Kind::Blob;
        default:
            return Kind::Null;
        }
    }
    qint64 integer(int i) const override { return sqlite3_column_int64(m_s, i); }
    double real(int i) const override { return sqlite3_column_double(m_s, i); }
    QByteArrayView bytes(int i) const override
    {
        switch (sqlite3_column_type(m_s, i)) {
        case SQLITE_TEXT: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_s, i));
            return QByteArrayView(text, sqlite3_column_bytes(m_s, i));
        }
        case SQLITE_BLOB: {
            const auto* blob = static_cast<const char*>(sqlite3_column_blob(m_s, i));
            return QByteArrayView(blob, sqlite3_column_bytes(m_s, i));
        }
        default:
            return {};
        }
    }

private:
    sqlite3_stmt* m_s;
    int m_columns;
};
} // namespace

Result<void> SqlCipherDatabase::queryEachInPlace(const QString& sql, const Params& params,
                                                 const std::function<bool(const RowView&)>& visit)
{
    auto prepared = prepare(sql, params);
    if (!prepared)
        return prepared.error();
    sqlite3_stmt* s = *prepared;
    const StatementRow row(s, sqlite3_column_count(s));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!visit(row)) {
            resetStatement(s);
            return {};
        }
    }
    if (rc != SQLITE_DONE) {
        Error e = lastError(QStringLiteral("query"));
        resetStatement(s);
        return e;
    }
    resetStatement(s);
    return {};
}

Result<void> SqlCipherDatabase::stepRows(const QString& sql, const Params& params, bool borrowBlobs,
                                         const std::function<bool(std::vector<Value>&)>& take)
{
    // The same walk as queryEachInPlace, each row turned into values in one reused buffer.
    std::vector<Value> values;
    return queryEachInPlace(sql, params, [&](const RowView& row) {
        values.clear();
        values.reserve(size_t(row.size()));
        for (int c = 0; c < row.size(); ++c) {
            switch (row.kind(c)) {
            case RowView::Kind::Integer:
                values.emplace_back(row.integer(c));
                break;
            case RowView::Kind::Real:
                values.emplace_back(row.real(c));
                break;
            case RowView::Kind::Text: {
                const QByteArrayView text = row.bytes(c);
                values.emplace_back(QString::fromUtf8(text.data(), text.size()));
                break;
            }
            case RowView::Kind::Blob: {
                const QByteArrayView blob = row.bytes(c);
                // A borrowed blob points into SQLite's row buffer, valid until the next step: no copy, no allocation.
                values.emplace_back(borrowBlobs ? QByteArray::fromRawData(blob.data(), blob.size())
                                                : QByteArray(blob.data(), blob.size()));
                break;
            }
            default:
                values.emplace_back(nullptr);
            }
        }
        return take(values);
    });
}

Result<void> SqlCipherDatabase::control(Control which)
{
    // Prepared once per connection: every request begins and ends a transaction, and parsing the same few words
    // each time was a measurable share of a small one.
    static constexpr const char* kText[] = {"BEGIN IMMEDIATE", "BEGIN DEFERRED", "COMMIT"};
    static constexpr const char* kWhat[] = {"begin", "begin", "commit"};
    const int index = int(which);
    sqlite3_stmt*& s = m_control[size_t(index)];
    if (!s && sqlite3_prepare_v2(m_db, kText[index], -1, &s, nullptr) != SQLITE_OK)
        return lastError(QString::fromLatin1(kWhat[index]));
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return lastError(QString::fromLatin1(kWhat[index]));
    return {};
}

Result<void> SqlCipherDatabase::begin()
{
    // IMMEDIATE takes the write lock now, so a transaction never fails half-way for want of it.
    return control(Control::BeginImmediate);
}

Result<void> SqlCipherDatabase::beginRead()
{
    return control(Control::BeginDeferred);
}

Result<void> SqlCipherDatabase::commit()
{
    return control(Control::Commit);
}

void SqlCipherDatabase::rollback()
{
    if (inTransaction())
        sqlite3_exec(m_db, "ROLLBACK;", nullptr, nullptr, nullptr);
}

bool SqlCipherDatabase::inTransaction() const
{
    return sqlite3_get_autocommit(m_db) == 0 && !betweenBatchedTransactions();
}

bool SqlCipherDatabase::backendInTransaction() const
{
    return sqlite3_get_autocommit(m_db) == 0;
}

Result<std::unique_ptr<Database>> SqlCipherDatabase::openReader()
{
    auto other = open(m_path, m_key, OpenMode::OpenExisting, m_pageSize);
    if (!other)
        return other.error();
    return std::unique_ptr<Database>(std::move(*other));
}

Result<void> SqlCipherDatabase::setDeferredDurability(bool deferred)
{
    if (deferred == m_deferred)
        return {};
    if (inTransaction())
        return makeError(QStringLiteral("store.failed"),
                         QStringLiteral("durability cannot change inside a transaction"));
    // SQLite's own guarantee in WAL mode with NORMAL: a crash may lose the newest commits, never corrupt the store.
    if (sqlite3_exec(m_db, deferred ? "PRAGMA synchronous=NORMAL;" : "PRAGMA synchronous=FULL;", nullptr, nullptr,
                     nullptr)
        != SQLITE_OK)
        return lastError(QStringLiteral("synchronous"));
    m_deferred = deferred;
    return {};
}

Result<void> SqlCipherDatabase::syncToDisk()
{
    const std::lock_guard lock(m_syncMutex);
    const QByteArray logPath = QFile::encodeName(m_path) + "-wal";
    const auto failed = [&](const char* what) {
        return makeError(QStringLiteral("store.sync_failed"), QStringLiteral("%1 %2: %3")
                                                                  .arg(QString::fromLatin1(what), m_path + "-wal",
                                                                       QString::fromLocal8Bit(strerror(errno))));
    };
    // The log is the file SQLite keeps while the store is open; a descriptor of an older one (a store reopened by
    // another process after it was deleted) would flush the wrong file, so check it is still the one at the path.
    struct stat atPath {};
    if (::stat(logPath.constData(), &atPath) != 0)
        return failed("stat");
    struct stat held {};
    if (m_logFd >= 0 && (::fstat(m_logFd, &held) != 0 || held.st_ino != atPath.st_ino || held.st_dev != atPath.st_dev)) {
        ::close(m_logFd);
        m_logFd = -1;
    }
    if (m_logFd < 0) {
        m_logFd = ::open(logPath.constData(), O_RDONLY | O_CLOEXEC);
        if (m_logFd < 0)
            return failed("open");
        // A log created since the directory was last flushed needs its name on disk too.
        const QByteArray dir = QFile::encodeName(QFileInfo(m_path).absolutePath());
        const int dirFd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirFd < 0)
            return failed("open directory of");
        const int rc = ::fsync(dirFd);
        ::close(dirFd);
        if (rc != 0)
            return failed("fsync directory of");
    }
    if (::fdatasync(m_logFd) != 0)
        return failed("fdatasync");
    return {};
}

std::optional<std::pair<qint64, qint64>> SqlCipherDatabase::changeStamp()
{
    // total_changes() is a counter on the connection; data_version is read through the pager (run time, not
    // prepare time), so one prepared statement serves every call.
    if (!m_dataVersion && sqlite3_prepare_v2(m_db, "PRAGMA data_version", -1, &m_dataVersion, nullptr) != SQLITE_OK)
        return std::nullopt;
    std::optional<std::pair<qint64, qint64>> stamp;
    if (sqlite3_step(m_dataVersion) == SQLITE_ROW)
        stamp = std::pair<qint64, qint64> {sqlite3_total_changes(m_db), sqlite3_column_int64(m_dataVersion, 0)};
    sqlite3_reset(m_dataVersion);
    return stamp;
}

Result<void> SqlCipherDatabase::backupTo(const QString& path)
{
    STINT_TRY(closeBatch()); // the export runs in a transaction of its own
    if (QFileInfo::exists(path))
        return makeError(QStringLiteral("store.backup_exists"),
                         QStringLiteral("%1 already exists; choose a new file for the backup.").arg(path));
    if (inTransaction())
        return makeError(QStringLiteral("store.failed"), QStringLiteral("backup cannot run inside a transaction"));
    const crypto::SecretBytes spec = rawKeySpec(m_key);
    m_backupRunning = true;
    const auto backupEnds = qScopeGuard([this] { m_backupRunning = false; });
    {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(m_db, "ATTACH DATABASE ?1 AS stint_backup KEY ?2;", -1, &s, nullptr) != SQLITE_OK)
            return lastError(QStringLiteral("backup attach"));
        const QByteArray p = QFile::encodeName(path);
        sqlite3_bind_text(s, 1, p.constData(), int(p.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, spec.bytes().constData(), spec.size(), SQLITE_TRANSIENT);
        const int rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return lastError(QStringLiteral("backup attach"));
    }
    // The copy gets the current page size, whatever the store's: restoring a backup brings an older store up to it.
    const QByteArray pageSize = "PRAGMA stint_backup.cipher_page_size = " + QByteArray::number(kPageSize) + ";";
    if (sqlite3_exec(m_db, pageSize.constData(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        sqlite3_exec(m_db, "DETACH DATABASE stint_backup;", nullptr, nullptr, nullptr);
        QFile::remove(path);
        return lastError(QStringLiteral("backup page size"));
    }
    // One read transaction around the export: in WAL mode it sees a single snapshot while writers go on.
    Result<void> result;
    char* err = nullptr;
    if (sqlite3_exec(m_db, "BEGIN; SELECT sqlcipher_export('stint_backup'); COMMIT;", nullptr, nullptr, &err)
        != SQLITE_OK) {
        result = makeError(QStringLiteral("store.backup_failed"),
                           QStringLiteral("backup failed: %1").arg(QString::fromUtf8(err ? err : "unknown")));
        sqlite3_free(err);
        rollback();
    }
    sqlite3_exec(m_db, "DETACH DATABASE stint_backup;", nullptr, nullptr, nullptr);
    if (!result.ok())
        QFile::remove(path);
    return result;
}

} // namespace stint::store
