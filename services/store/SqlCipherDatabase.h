// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Crypto.h"
#include "store/Database.h"

#include <QHash>

#include <array>
#include <memory>
#include <mutex>

struct sqlite3;
struct sqlite3_stmt;

namespace stint::store {

// The embedded store: one SQLCipher database file opened with a raw 256-bit key (no key derivation), in WAL mode
// with synchronous=FULL so that an acknowledged commit survives kill -9 and power loss.
class SqlCipherDatabase final : public Database
{
public:
    enum class OpenMode
    {
        OpenExisting,
        CreateIfMissing,
    };

    // Error codes: "store.wrong_key" (the key does not open this file, or it is not a database),
    // "store.open_failed", "store.bad_key" (not 32 bytes).
    static Result<std::unique_ptr<SqlCipherDatabase>> open(const QString& path, const crypto::SecretBytes& key,
                                                           OpenMode mode);

    // SQLCipher page size of the stores this class creates. 8 KiB (SQLCipher 3 defaults to 1 KiB): every page read
    // costs a system call, a decryption and an HMAC, so a scan pays per page; 8 KiB took a million-event audit
    // verify from 2.3 to 1.8 CPU-seconds, where 16 KiB gained nothing more on reads and made each commit, which
    // encrypts the pages it changes, slower. Stores made before issue 10 use kOlderPageSize and still open.
    static constexpr int kPageSize = 8192;
    static constexpr int kOlderPageSize = 4096;
    int pageSize() const { return m_pageSize; }
    ~SqlCipherDatabase() override;

    Backend backend() const override { return Backend::SqlCipher; }
    Result<void> exec(const QString& sql, const Params& params = {}) override;
    Result<qint64> execCount(const QString& sql, const Params& params = {}) override;
    Result<Rows> query(const QString& sql, const Params& params = {}) override;
    Result<void> queryEach(const QString& sql, const Params& params,
                           const std::function<bool(const Row&)>& visit) override;
    Result<void> queryEachInPlace(const QString& sql, const Params& params,
                                  const std::function<bool(const RowView&)>& visit) override;
    Result<void> begin() override;
    Result<void> beginRead() override;
    Result<void> commit() override;
    void rollback() override;
    bool inTransaction() const override;

protected:
    bool backendInTransaction() const override;

public:
    Result<void> backupTo(const QString& path) override;
    Result<std::unique_ptr<Database>> openReader() override;
    // Deferred: synchronous=NORMAL, so a commit writes the write-ahead log without an fsync; syncToDisk() fsyncs
    // the log (its own descriptor of the -wal file), which makes every commit written before it durable.
    Result<void> setDeferredDurability(bool deferred) override;
    quint64 deferredCommits() const override { return m_deferredCommits; }
    Result<void> syncToDisk() override;
    std::optional<std::pair<qint64, qint64>> changeStamp() override;

    QString path() const { return m_path; }
    // True only while backupTo runs: the one time ATTACH and sqlcipher_export are allowed (see the authorizer).
    bool backupRunning() const { return m_backupRunning; }

private:
    SqlCipherDatabase(sqlite3* db, QString path, crypto::SecretBytes key);
    // knownPageSize 0: try kPageSize, then kOlderPageSize.
    static Result<std::unique_ptr<SqlCipherDatabase>> open(const QString& path, const crypto::SecretBytes& key,
                                                           OpenMode mode, int knownPageSize);
    // A keyed connection whose first read worked, or nullptr when the key or the page size does not fit.
    static Result<sqlite3*> openKeyed(const QString& path, const crypto::SecretBytes& key, int pageSize);
    Result<sqlite3_stmt*> prepare(const QString& sql, const Params& params);
    enum class Control
    {
        BeginImmediate,
        BeginDeferred,
        Commit,
    };
    Result<void> control(Control which);
    // Steps a statement and hands each row's values to `take` until it returns false.
    Result<void> stepRows(const QString& sql, const Params& params, bool borrowBlobs,
                          const std::function<bool(std::vector<Value>&)>& take);
    Error lastError(const QString& what) const;

    sqlite3* m_db;
    QString m_path;
    crypto::SecretBytes m_key;
    QHash<QString, sqlite3_stmt*> m_statements;
    std::array<sqlite3_stmt*, 3> m_control {}; // prepared on first use, by Control
    sqlite3_stmt* m_dataVersion = nullptr; // PRAGMA data_version, prepared on first use
    bool m_backupRunning = false;
    int m_pageSize = kPageSize;
    bool m_deferred = false;
    quint64 m_deferredCommits = 0; // counted by SQLite's commit hook
    std::mutex m_syncMutex; // syncToDisk may run on another thread
    int m_logFd = -1; // guarded by m_syncMutex
};

} // namespace stint::store
