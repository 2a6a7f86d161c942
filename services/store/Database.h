// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

namespace stint::store {

// One SQL parameter or column value. Integers are 64-bit; times are stored as integer milliseconds (UTC).
using Value = std::variant<std::nullptr_t, qint64, double, QString, QByteArray>;
using Params = QList<Value>;

class Row
{
public:
    explicit Row(std::vector<Value> values)
        : m_values(std::move(values))
    {
    }
    int size() const { return int(m_values.size()); }
    bool isNull(int i) const { return std::holds_alternative<std::nullptr_t>(m_values.at(size_t(i))); }
    qint64 integer(int i) const;
    double real(int i) const;
    QString text(int i) const;
    QByteArray blob(int i) const;
    const Value& value(int i) const { return m_values.at(size_t(i)); }
    // The values back, for a backend that refills one buffer row after row.
    std::vector<Value> release() && { return std::move(m_values); }

private:
    std::vector<Value> m_values;
};
using Rows = std::vector<Row>;

// A row read in place, for scans that look at every byte of millions of rows (audit verify): no copy, no
// allocation. Valid only during the visit call that gets it.
class RowView
{
public:
    enum class Kind
    {
        Null,
        Integer,
        Real,
        Text,
        Blob,
    };
    virtual int size() const = 0;
    virtual Kind kind(int i) const = 0;
    virtual qint64 integer(int i) const = 0;
    virtual double real(int i) const = 0;
    // Text as stored (UTF-8) or blob bytes; empty for the other kinds.
    virtual QByteArrayView bytes(int i) const = 0;

protected:
    ~RowView() = default;
};

enum class Backend
{
    SqlCipher,
    PostgreSql,
};

// The store interface every backend implements. SQL passed to it uses '?' placeholders and stays within what both
// SQLite 3.15 and PostgreSQL 15 accept (no UPSERT, no RETURNING); backends translate placeholders themselves.
// Not thread-safe: one Database belongs to one thread.
class Database
{
public:
    virtual ~Database() = default;
    virtual Backend backend() const = 0;

    virtual Result<void> exec(const QString& sql, const Params& params = {}) = 0;
    // Like exec, and returns the number of rows changed.
    virtual Result<qint64> execCount(const QString& sql, const Params& params = {}) = 0;
    virtual Result<Rows> query(const QString& sql, const Params& params = {}) = 0;
    // Like query, but hands each row to `visit` as it is read, until visit returns false, so memory does not grow
    // with the result. A blob value may point into the store's own buffer: it is valid only during that call (copy
    // what you keep). `visit` must not use this connection.
    virtual Result<void> queryEach(const QString& sql, const Params& params,
                                   const std::function<bool(const Row&)>& visit);
    // Like queryEach, with each row seen in place (see RowView).
    virtual Result<void> queryEachInPlace(const QString& sql, const Params& params,
                                          const std::function<bool(const RowView&)>& visit);

    // begin() takes the write lock at once; beginRead() takes locks as statements need them (one snapshot for a
    // series of reads, and far fewer lock calls than one implicit transaction per statement).
    virtual Result<void> begin() = 0;
    virtual Result<void> beginRead() = 0;
    virtual Result<void> commit() = 0;
    virtual void rollback() = 0;
    virtual bool inTransaction() const = 0;

    // A consistent copy of the whole database, encrypted with the same key, written while others keep working.
    virtual Result<void> backupTo(const QString& path) = 0;

    // Another connection to the same store, for a reader on another thread (each connection belongs to the thread
    // that uses it). It sees what was committed, never this connection's open transaction. A backend without one
    // answers "store.unsupported" and its callers read on this connection.
    virtual Result<std::unique_ptr<Database>> openReader()
    {
        return makeError(QStringLiteral("store.unsupported"), QStringLiteral("This store has no second connection."));
    }

    // Group commit (store/GroupCommit.h). While deferred, a commit returns without waiting for the disk; a later
    // syncToDisk() makes every commit made before it durable. Only outside a transaction (Transaction does both
    // for a deferred transaction). A backend whose commits are always durable at once ignores this.
    virtual Result<void> setDeferredDurability(bool /*deferred*/) { return {}; }
    // Deferred commits that wrote something, counted since the connection opened (the others were durable when
    // they returned, and their flush covered every deferred commit before them).
    virtual quint64 deferredCommits() const { return 0; }
    // The one member another thread may call, while this connection's thread goes on working.
    virtual Result<void> syncToDisk() { return {}; }

    // Where the store stands, as two counts that move whenever anything in it may have changed: rows this connection
    // changed (committed, rolled back or pending) and the version of what other connections committed. Equal stamps
    // mean nothing changed in between. nullopt when the backend cannot say (then assume everything changed).
    virtual std::optional<std::pair<qint64, qint64>> changeStamp() { return std::nullopt; }

    // Batched deferred commits, turned on by GroupCommit (store/GroupCommit.h). While on, a deferred write
    // Transaction that finds none open does not commit by itself: it runs as a savepoint inside one write
    // transaction, the batch, that the deferred transactions after it join too, and its commit() releases the
    // savepoint (its rollback undoes only its own changes). A read Transaction joins an open batch the same way
    // (never opens one). GroupCommit commits the batch once per event-loop pass, before the flush that makes it
    // durable, so N requests write each page they share once instead of N times. A write Transaction that must be
    // durable on its own (Immediate) commits the open batch first. inTransaction() does not count an open batch
    // between savepoints: to every caller it looks as if each batched transaction had committed.
    bool batching() const { return bool(m_closeBatch); }
    bool batchOpen() const { return m_batchOpen; }
    // GroupCommit's: how an open batch is committed (and its waiters told), and what to do when one opens (make
    // sure it is committed soon, whoever waits for it). Empty turns batching off.
    void setBatchCloser(std::function<Result<void>()> close, std::function<void()> opened = {})
    {
        m_closeBatch = std::move(close);
        m_batchOpened = std::move(opened);
    }
    // Commits the open batch through GroupCommit, if one is open and no savepoint is.
    Result<void> closeBatch();
    // GroupCommit's side of closeBatch: commits the open batch (deferred) or, failing that, rolls all of it back.
    Result<void> commitBatch();
    // True once after the backend itself rolled an open batch back (disk full, I/O error): its transactions are gone.
    bool takeBatchLost() { return std::exchange(m_batchLost, false); }

protected:
    // True while a batch is open and no Transaction's savepoint is: the store is in a transaction, callers are not.
    bool betweenBatchedTransactions() const { return m_batchOpen && !m_batchSavepoint; }
    // Whether the backend itself is in a transaction, batch or not.
    virtual bool backendInTransaction() const { return inTransaction(); }

private:
    friend class Transaction;
    std::function<Result<void>()> m_closeBatch;
    std::function<void()> m_batchOpened;
    bool m_batchOpen = false;
    bool m_batchSavepoint = false; // a Transaction's savepoint is open in the batch
    bool m_batchLost = false;
};

// Begins on construction; rolls back on destruction unless commit() succeeded. Nests: an inner Transaction inside an
// outer one joins it (commit is then the outer's job).
class Transaction
{
public:
    enum class Mode
    {
        Write,
        Read, // may still write; the write lock is taken when first needed
    };
    enum class Durability
    {
        Immediate, // commit() returns once the change is on disk
        Deferred, // commit() returns once it is written; GroupCommit::whenDurable tells when it is on disk
    };
    explicit Transaction(Database& db, Mode mode = Mode::Write, Durability durability = Durability::Immediate);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    const Result<void>& started() const { return m_started; }
    Result<void> commit();

private:
    void restoreDurability();
    void joinBatch(bool open);
    void leaveBatch(bool keep);

    Database& m_db;
    Result<void> m_started;
    bool m_owner = false;
    bool m_done = false;
    bool m_deferred = false;
    bool m_savepoint = false; // this transaction is a savepoint in the batch
};

} // namespace stint::store
