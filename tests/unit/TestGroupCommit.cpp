// SPDX-License-Identifier: GPL-3.0-or-later
// Group commit: a deferred commit is confirmed only after a flush that began after it; commits made while a flush
// runs share the next one; a failed flush is reported; and the connection goes back to durable-at-once commits.
#include "store/GroupCommit.h"
#include "store/SqlCipherDatabase.h"

#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

using namespace stint;
using namespace stint::store;

namespace {
// A flush the test holds: each call announces itself and waits until the test lets it go.
struct HeldFlush
{
    QSemaphore entered;
    QSemaphore release;
    std::atomic<int> calls {0};
    std::atomic<bool> fail {false};
    GroupCommit::Sync sync()
    {
        return [this]() -> Result<void> {
            ++calls;
            entered.release();
            release.acquire();
            if (fail)
                return makeError(QStringLiteral("store.sync_failed"), QStringLiteral("the disk said no"));
            return {};
        };
    }
};
} // namespace

class TestGroupCommit : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SqlCipherDatabase> m_db;
    const crypto::SecretBytes m_key {crypto::randomBytes(32)};

    QString path() const { return m_dir->filePath(QStringLiteral("store.db")); }
    bool insertDeferred(int n)
    {
        Transaction tx(*m_db, Transaction::Mode::Write, Transaction::Durability::Deferred);
        return tx.started().ok() && m_db->exec(QStringLiteral("INSERT INTO t (n) VALUES (?)"), {qint64(n)}).ok()
            && tx.commit().ok();
    }
    qint64 synchronous()
    {
        auto rows = m_db->query(QStringLiteral("PRAGMA synchronous"));
        return rows && !rows->empty() ? rows->front().integer(0) : -1;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        auto db = SqlCipherDatabase::open(path(), m_key, SqlCipherDatabase::OpenMode::CreateIfMissing);
        QVERIFY(db.ok());
        m_db = std::move(*db);
        QVERIFY(m_db->exec(QStringLiteral("CREATE TABLE t (n BIGINT NOT NULL)")).ok());
    }
    void cleanup()
    {
        m_db.reset();
        m_dir.reset();
    }

    void confirmedOnlyAfterTheFlush()
    {
        HeldFlush flush;
        GroupCommit group(*m_db, flush.sync());
        QVERIFY(insertDeferred(1));
        int confirmed = 0;
        group.whenDurable([&](bool durable) {
            QVERIFY(durable);
            ++confirmed;
        });
        QVERIFY(flush.entered.tryAcquire(1, 10000)); // the flush began
        QCoreApplication::processEvents();
        QCOMPARE(confirmed, 0); // and has not ended: no confirmation yet
        flush.release.release();
        QTRY_COMPARE(confirmed, 1);
        QCOMPARE(group.flushes(), quint64(1));
    }

    // Commits made while a flush runs wait for the next one, and all of them share it.
    void concurrentCommitsShareOneFlush()
    {
        HeldFlush flush;
        GroupCommit group(*m_db, flush.sync());
        QList<int> order;
        QVERIFY(insertDeferred(0));
        group.whenDurable([&](bool) { order << 0; });
        QVERIFY(flush.entered.tryAcquire(1, 10000));
        for (int i = 1; i <= 50; ++i) {
            QVERIFY(insertDeferred(i));
            group.whenDurable([&order, i](bool durable) {
                if (durable)
                    order << i;
            });
        }
        flush.release.release(); // the first flush ends: it covered commit 0 only
        QTRY_COMPARE(order.size(), 1);
        QVERIFY(flush.entered.tryAcquire(1, 10000)); // one more flush for the fifty
        QCOMPARE(order.size(), 1);
        flush.release.release();
        QTRY_COMPARE(order.size(), 51);
        for (int i = 0; i <= 50; ++i)
            QCOMPARE(order.at(i), i); // in the order asked
        QCOMPARE(flush.calls.load(), 2);
    }

    void failedFlushIsReported()
    {
        HeldFlush flush;
        flush.fail = true;
        GroupCommit group(*m_db, flush.sync());
        QVERIFY(insertDeferred(1));
        std::optional<bool> result;
        QTest::ignoreMessage(QtCriticalMsg, "flushing the store to disk failed: the disk said no");
        group.whenDurable([&](bool durable) { result = durable; });
        flush.release.release();
        QTRY_VERIFY(result.has_value());
        QCOMPARE(*result, false);
    }

    // A request that waits after a failed flush, with no commit since, must still get an answer: before the fix the
    // flusher counted the failed commit as flushed and never woke again, so every later answer hung.
    void answersGoOnAfterAFailedFlush()
    {
        HeldFlush flush;
        flush.fail = true;
        GroupCommit group(*m_db, flush.sync());
        QVERIFY(insertDeferred(1));
        std::optional<bool> first;
        QTest::ignoreMessage(QtCriticalMsg, "flushing the store to disk failed: the disk said no");
        group.whenDurable([&](bool durable) { first = durable; });
        QVERIFY(flush.entered.tryAcquire(1, 10000));
        flush.release.release();
        QTRY_VERIFY(first.has_value());
        QCOMPARE(*first, false);
        // The disk recovers; a read-only request (no new commit) waits for the same commit and is answered.
        flush.fail = false;
        std::optional<bool> later;
        group.whenDurable([&](bool durable) { later = durable; });
        QVERIFY2(flush.entered.tryAcquire(1, 10000), "no flush was tried again for a commit still not on disk");
        flush.release.release();
        QTRY_VERIFY(later.has_value());
        QCOMPARE(*later, true);
    }

    // With nothing committed since the last flush, the answer comes at once.
    void nothingPendingAnswersAtOnce()
    {
        HeldFlush flush;
        GroupCommit group(*m_db, flush.sync());
        bool confirmed = false;
        group.whenDurable([&](bool durable) { confirmed = durable; });
        QVERIFY(confirmed);
        QCOMPARE(flush.calls.load(), 0);
    }

    // The real flush (fdatasync of the write-ahead log): the rows are there for another connection and after a
    // reopen, and a deferred transaction leaves the connection durable-at-once again.
    void realFlushAndDurabilityRestored()
    {
        QCOMPARE(synchronous(), 2); // FULL
        GroupCommit group(*m_db);
        for (int i = 0; i < 20; ++i)
            QVERIFY(insertDeferred(i));
        QCOMPARE(synchronous(), 2);
        int confirmed = 0;
        group.whenDurable([&](bool durable) { confirmed += durable ? 1 : 100; });
        QTRY_COMPARE(confirmed, 1);
        QVERIFY(group.flushes() >= 1);
        // A transaction that fails to commit restores it too.
        {
            Transaction tx(*m_db, Transaction::Mode::Write, Transaction::Durability::Deferred);
            QVERIFY(tx.started().ok());
            QCOMPARE(synchronous(), 1); // NORMAL inside
        }
        QCOMPARE(synchronous(), 2);
        QVERIFY(m_db->syncToDisk().ok());
        auto other = m_db->openReader();
        QVERIFY(other.ok());
        auto count = (*other)->query(QStringLiteral("SELECT COUNT(*) FROM t"));
        QCOMPARE(count->front().integer(0), 20);
    }

    // Only deferred commits that wrote something need a flush.
    void deferredCommitsAreCounted()
    {
        const quint64 before = m_db->deferredCommits();
        QVERIFY(m_db->query(QStringLiteral("SELECT COUNT(*) FROM t")).ok());
        {
            Transaction read(*m_db, Transaction::Mode::Read);
            QVERIFY(m_db->query(QStringLiteral("SELECT COUNT(*) FROM t")).ok());
            QVERIFY(read.commit().ok());
        }
        {
            Transaction readDeferred(*m_db, Transaction::Mode::Read, Transaction::Durability::Deferred);
            QVERIFY(m_db->query(QStringLiteral("SELECT COUNT(*) FROM t")).ok());
            QVERIFY(readDeferred.commit().ok());
        }
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO t (n) VALUES (1)")).ok()); // durable at once
        QCOMPARE(m_db->deferredCommits(), before);
        QVERIFY(insertDeferred(2));
        QVERIFY(insertDeferred(3));
        QCOMPARE(m_db->deferredCommits(), before + 2);
        // Deferred commits made before the group commit existed are flushed too; after that, answers need none.
        GroupCommit group(*m_db);
        bool confirmed = false;
        group.whenDurable([&](bool durable) { confirmed = durable; });
        QTRY_VERIFY(confirmed);
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO t (n) VALUES (4)")).ok());
        bool again = false;
        group.whenDurable([&](bool durable) { again = durable; });
        QVERIFY(again);
        QCOMPARE(group.flushes(), quint64(1));
    }
};

QTEST_GUILESS_MAIN(TestGroupCommit)
#include "TestGroupCommit.moc"
