// SPDX-License-Identifier: GPL-3.0-or-later
// Group commit: a deferred commit is confirmed only after a flush that began after it; commits made while a flush
// runs share the next one; a failed flush is reported; and the connection goes back to durable-at-once commits.
#include "store/GroupCommit.h"
#include "store/SqlCipherDatabase.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>
#include <optional>

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
    // Waits, with the event loop running (the batch commits at the end of a pass), until the flush begins.
    static bool flushBegins(HeldFlush& flush)
    {
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 10000) {
            if (flush.entered.tryAcquire(1, 10))
                return true;
            QCoreApplication::processEvents();
        }
        return false;
    }
    qint64 countFromAnotherConnection()
    {
        auto other = m_db->openReader();
        if (!other)
            return -1;
        auto count = (*other)->query(QStringLiteral("SELECT COUNT(*) FROM t"));
        return count && !count->empty() ? count->front().integer(0) : -1;
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
        QVERIFY(flushBegins(flush)); // the flush began
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
        QVERIFY(flushBegins(flush));
        for (int i = 1; i <= 50; ++i) {
            QVERIFY(insertDeferred(i));
            group.whenDurable([&order, i](bool durable) {
                if (durable)
                    order << i;
            });
        }
        flush.release.release(); // the first flush ends: it covered commit 0 only
        QTRY_COMPARE(order.size(), 1);
        QVERIFY(flushBegins(flush)); // one more flush for the fifty
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
        QVERIFY(flushBegins(flush));
        flush.release.release();
        QTRY_VERIFY(first.has_value());
        QCOMPARE(*first, false);
        // The disk recovers; a read-only request (no new commit) waits for the same commit and is answered.
        flush.fail = false;
        std::optional<bool> later;
        group.whenDurable([&](bool durable) { later = durable; });
        QVERIFY2(flushBegins(flush), "no flush was tried again for a commit still not on disk");
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
        QCOMPARE(synchronous(), 1); // NORMAL while the batch is open
        int confirmed = 0;
        group.whenDurable([&](bool durable) { confirmed += durable ? 1 : 100; });
        QTRY_COMPARE(confirmed, 1);
        QVERIFY(group.flushes() >= 1);
        QCOMPARE(synchronous(), 2); // FULL again once the batch has committed
        // A batch whose only transaction rolled back restores it too.
        {
            Transaction tx(*m_db, Transaction::Mode::Write, Transaction::Durability::Deferred);
            QVERIFY(tx.started().ok());
            QCOMPARE(synchronous(), 1); // NORMAL inside
        }
        QTRY_COMPARE(synchronous(), 2);
        QVERIFY(m_db->syncToDisk().ok());
        auto other = m_db->openReader();
        QVERIFY(other.ok());
        auto count = (*other)->query(QStringLiteral("SELECT COUNT(*) FROM t"));
        QCOMPARE(count->front().integer(0), 20);
    }

    // Deferred transactions share one commit: another connection sees none of them until the batch commits, a
    // rolled-back one leaves nothing, and the whole batch is one deferred commit.
    void batchedTransactionsShareOneCommit()
    {
        GroupCommit group(*m_db);
        const quint64 before = m_db->deferredCommits();
        QVERIFY(insertDeferred(1));
        {
            Transaction undone(*m_db, Transaction::Mode::Write, Transaction::Durability::Deferred);
            QVERIFY(undone.started().ok());
            QVERIFY(m_db->exec(QStringLiteral("INSERT INTO t (n) VALUES (2)")).ok());
        } // rolled back: only its own row goes
        QVERIFY(!m_db->inTransaction()); // to callers, each batched transaction has ended
        QVERIFY(insertDeferred(3));
        QVERIFY(m_db->batchOpen());
        QCOMPARE(countFromAnotherConnection(), 0); // not committed yet
        std::optional<bool> durable;
        group.whenDurable([&](bool d) { durable = d; });
        QTRY_VERIFY(durable.has_value());
        QVERIFY(*durable);
        QVERIFY(!m_db->batchOpen());
        QCOMPARE(m_db->deferredCommits(), before + 1);
        auto rows = m_db->query(QStringLiteral("SELECT n FROM t ORDER BY n"));
        QVERIFY(rows);
        QCOMPARE(rows->size(), size_t(2));
        QCOMPARE(rows->at(0).integer(0), 1);
        QCOMPARE(rows->at(1).integer(0), 3);
        QCOMPARE(countFromAnotherConnection(), 2);
    }

    // A transaction that must be durable by itself, and a plain write outside any transaction, commit the open batch
    // first: when they return, everything before them is committed (and on disk, as they are FULL).
    void durableWritesCommitTheBatchFirst()
    {
        GroupCommit group(*m_db);
        QVERIFY(insertDeferred(1));
        {
            Transaction tx(*m_db); // Immediate
            QVERIFY(tx.started().ok());
            QVERIFY(!m_db->batchOpen());
            QVERIFY(m_db->exec(QStringLiteral("INSERT INTO t (n) VALUES (2)")).ok());
            QVERIFY(tx.commit().ok());
        }
        QCOMPARE(countFromAnotherConnection(), 2);
        QVERIFY(insertDeferred(3));
        QVERIFY(m_db->batchOpen());
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO t (n) VALUES (4)")).ok());
        QVERIFY(!m_db->batchOpen());
        QCOMPARE(countFromAnotherConnection(), 4);
        // A read outside a transaction joins the batch and sees it.
        QVERIFY(insertDeferred(5));
        auto count = m_db->query(QStringLiteral("SELECT COUNT(*) FROM t"));
        QCOMPARE(count->front().integer(0), 5);
        QVERIFY(m_db->batchOpen());
        bool confirmed = false;
        group.whenDurable([&](bool d) { confirmed = d; });
        QTRY_VERIFY(confirmed);
        QCOMPARE(countFromAnotherConnection(), 5);
    }

    // A batch that cannot commit (here a deferred foreign key one of its transactions broke) is rolled back whole,
    // and everyone who waits for it hears "not durable"; the next batch works.
    void failedBatchTellsEveryoneInIt()
    {
        QVERIFY(m_db->exec(QStringLiteral("CREATE TABLE p (id INTEGER PRIMARY KEY)")).ok());
        QVERIFY(m_db->exec(QStringLiteral("CREATE TABLE c (pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)"))
                    .ok());
        GroupCommit group(*m_db);
        QVERIFY(insertDeferred(1));
        std::optional<bool> first;
        group.whenDurable([&](bool d) { first = d; });
        {
            Transaction breaks(*m_db, Transaction::Mode::Write, Transaction::Durability::Deferred);
            QVERIFY(breaks.started().ok());
            QVERIFY(m_db->exec(QStringLiteral("INSERT INTO c (pid) VALUES (99)")).ok()); // checked at COMMIT
            QVERIFY(breaks.commit().ok());
        }
        std::optional<bool> second;
        group.whenDurable([&](bool d) { second = d; });
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("committing a batch of transactions failed")));
        QTRY_VERIFY(first.has_value() && second.has_value());
        QCOMPARE(*first, false);
        QCOMPARE(*second, false);
        QVERIFY(!m_db->batchOpen());
        QCOMPARE(countFromAnotherConnection(), 0);
        QVERIFY(insertDeferred(2));
        std::optional<bool> third;
        group.whenDurable([&](bool d) { third = d; });
        QTRY_VERIFY(third.has_value());
        QVERIFY(*third);
        QCOMPARE(countFromAnotherConnection(), 1);
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
