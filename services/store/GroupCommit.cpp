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
    m_flusher = std::thread([this] { flushLoop(); });
}

GroupCommit::~GroupCommit()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_flusher.join();
}

void GroupCommit::whenDurable(std::function<void(bool)> done)
{
    const quint64 commit = m_db.deferredCommits();
    if (commit <= m_durableCommit && m_waiting.empty()) {
        done(true);
        return;
    }
    m_waiting.push_back({commit, std::move(done)});
    {
        const std::lock_guard lock(m_mutex);
        m_requested = std::max(m_requested, commit);
        ++m_asks;
    }
    m_wake.notify_one();
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
