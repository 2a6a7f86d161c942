// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Database.h"

#include <QObject>
#include <QTimer>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace stint::store {

// Group commit: many transactions, one commit, one fsync.
//
// While this object lives, the database batches deferred transactions (Database::batching): each runs as a savepoint
// in one open write transaction, the batch. whenDurable(done) calls done on this object's thread once everything
// committed so far, the open batch included, is on disk: it commits the batch at the end of the current event-loop
// pass (a zero-time timer, after the events already waiting, so the requests read in one pass share it), and a
// thread of its own flushes the log (Database::syncToDisk), each flush covering every commit made while the one
// before ran. N concurrent writers thus write each page they share once and pay one fsync, and the connection's
// thread goes on working while the disk does. A server answers from `done`, so no answer leaves before the change
// it reports is durable; a batch that fails to commit answers done(false) to everyone in it.
class GroupCommit : public QObject
{
    Q_OBJECT
public:
    // Makes every commit made before the call durable; runs on the flushing thread. Database::syncToDisk when empty.
    using Sync = std::function<Result<void>()>;
    explicit GroupCommit(Database& db, Sync sync = {}, QObject* parent = nullptr);
    // Stops the flushing thread. Callbacks still waiting are dropped uncalled (their changes may or may not be on
    // disk, as after a crash).
    ~GroupCommit() override;

    // Calls done(true) once every commit made on the database so far, and the open batch, is on disk: at once when
    // nothing is waiting, else from the event loop after the next flush, in the order of the calls. done(false) when
    // that flush failed (the change is committed but may not survive a power loss) or the batch could not commit
    // (the change is gone).
    void whenDurable(std::function<void(bool durable)> done);

    // Flushes done so far (for benchmarks and tests).
    quint64 flushes() const;

private:
    struct Waiter
    {
        quint64 commit;
        std::function<void(bool)> done;
    };
    void flushLoop();
    void release(quint64 flushedCommit, bool ok);
    // Commits the open batch (Database::closeBatch lands here too) and asks for the flush its waiters need.
    Result<void> closeBatch();
    void endOfPass();
    void requestFlush(quint64 commit);
    void failBatch(quint64 commit);

    Database& m_db;
    Sync m_sync;
    std::deque<Waiter> m_waiting; // this object's thread only
    quint64 m_durableCommit = 0; // this object's thread only
    quint64 m_batchCommit = 0; // the commit number the open batch's waiters wait for; 0 when none wait
    QTimer m_endOfPass;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    quint64 m_requested = 0; // guarded by m_mutex
    quint64 m_asks = 0; // whenDurable calls that had to wait; guarded by m_mutex
    quint64 m_flushes = 0; // guarded by m_mutex
    bool m_stopping = false; // guarded by m_mutex
    std::thread m_flusher;
};

} // namespace stint::store
