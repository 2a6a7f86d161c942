// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/GroupCommit.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcGroupCommit, "stint.store.groupcommit")

namespace stint::store {

GroupCommit::GroupCommit(Database& db, Sync sync, QObject* parent)
    : QObject(parent)
    , m_db(db)
    , m_sync(sync ? std::move(sync) : Sync([&db] { return db.syncToDisk(); }))
{
    m_endOfPass.setSingleShot(true);
    m_endOfPass.setInterval(0);
    connect(&m_endOfPass, &QTimer::timeout, this, &GroupCommit::endOfPass);
    m_db.setBatchCloser([this] { return closeBatch(); },
                        [this] {
                            if (!m_endOfPass.isActive())
                                m_endOfPass.start();
                        });
    m_flusher = std::thread([this] { flushLoop(); });
}

GroupCommit::~GroupCommit()
{
    // What the open batch holds is committed (its answers are dropped with this object, as after a crash).
    if (auto closed = m_db.closeBatch(); !closed)
        qCCritical(lcGroupCommit).noquote() << "committing the last batch failed:" << closed.error().message;
    m_db.setBatchCloser({});
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_flusher.join();
}

void GroupCommit::whenDurable(std::function<void(bool)> done)
{
    if (m_db.batchOpen()) {
        // Its commit will be the next deferred one; it is made, and its flush asked for, at the end of this pass.
        m_batchCommit = m_db.deferredCommits() + 1;
        m_waiting.push_back({m_batchCommit, std::move(done)});
        if (!m_endOfPass.isActive())
            m_endOfPass.start();
        return;
    }
    const quint64 commit = m_db.deferredCommits();
    if (commit <= m_durableCommit && m_waiting.empty()) {
        done(true);
        return;
    }
    m_waiting.push_back({commit, std::move(done)});
    requestFlush(commit);
}

void GroupCommit::requestFlush(quint64 commit)
{
    {
        const std::lock_guard lock(m_mutex);
        m_requested = std::max(m_requested, commit);
        ++m_asks;
    }
    m_wake.notify_one();
}

void GroupCommit::endOfPass()
{
    if (m_db.batchOpen()) {
        if (!m_db.closeBatch().ok() || !m_db.batchOpen())
            return; // closeBatch told the waiters
        m_endOfPass.start(); // a savepoint is open (a nested event loop): next pass
        return;
    }
    // Committed already, by a durable transaction that came first (or lost): the flush its waiters need.
    if (m_db.takeBatchLost() && m_batchCommit) {
        failBatch(m_batchCommit);
        return;
    }
    if (m_batchCommit) {
        m_batchCommit = 0;
        requestFlush(m_db.deferredCommits());
    }
}

Result<void> GroupCommit::closeBatch()
{
    if (m_db.takeBatchLost() && m_batchCommit)
        failBatch(m_batchCommit);
    Result<void> committed = m_db.commitBatch();
    if (!m_batchCommit)
        return committed; // nobody waits for this batch yet: whoever asks next waits for the flush of it
    if (!committed) {
        qCCritical(lcGroupCommit).noquote() << "committing a batch of transactions failed:" << committed.error().message;
        failBatch(m_batchCommit);
        return committed;
    }
    m_batchCommit = 0;
    requestFlush(m_db.deferredCommits());
    return committed;
}

void GroupCommit::failBatch(quint64 commit)
{
    // Their changes are gone: every waiter of that batch hears so, in order; the others wait on.
    m_batchCommit = 0;
    std::deque<Waiter> failed;
    for (auto it = m_waiting.begin(); it != m_waiting.end();) {
        if (it->commit == commit) {
            failed.push_back(std::move(*it));
            it = m_waiting.erase(it);
        } else {
            ++it;
        }
    }
    for (Waiter& w : failed)
        w.done(false);
}

quint64 GroupCommit::flushes() const
{
    const std::lock_guard lock(m_mutex);
    return m_flushes;
}

void GroupCommit::flushLoop()
{
    quint64 flushed = 0; // the last commit a flush put on disk
    quint64 asksSeen = 0;
    while (true) {
        quint64 target = 0;
        {
            // A flush is due when someone waits for a commit not yet on disk and has asked since the last try: after
            // a failed flush the next waiter tries again (instead of waiting forever), without a loop of retries.
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopping || (m_requested > flushed && m_asks > asksSeen); });
            if (m_stopping)
                return;
            target = m_requested;
            asksSeen = m_asks;
        }
        // Every commit up to `target` was written before it was requested: this flush covers them all, and the
        // commits made while it runs wait for the next one.
        const Result<void> synced = m_sync();
        if (!synced)
            qCCritical(lcGroupCommit).noquote() << "flushing the store to disk failed:" << synced.error().message;
        if (synced)
            flushed = target;
        {
            const std::lock_guard lock(m_mutex);
            ++m_flushes;
        }
        const bool ok = synced.ok();
        QMetaObject::invokeMethod(
            this, [this, target, ok] { release(target, ok); }, Qt::QueuedConnection);
    }
}

void GroupCommit::release(quint64 flushedCommit, bool ok)
{
    if (ok)
        m_durableCommit = std::max(m_durableCommit, flushedCommit);
    while (!m_waiting.empty() && m_waiting.front().commit <= flushedCommit) {
        Waiter w = std::move(m_waiting.front());
        m_waiting.pop_front();
        w.done(ok);
    }
}

} // namespace stint::store
