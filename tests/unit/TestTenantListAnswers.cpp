// SPDX-License-Identifier: GPL-3.0-or-later
// The tenant list's kept answers (cloud/tenants/TenantListAnswers) at the store level: kept while the store stands
// still, forgotten at any change, and never made from inside an open batch of transactions (whose changes a failed
// commit rolls back without moving the counts the keeper watches).
#include "cloud/tenants/TenantListAnswers.h"
#include "core/Crypto.h"
#include "store/GroupCommit.h"
#include "store/SqlCipherDatabase.h"

#include <QTemporaryDir>
#include <QTest>

using namespace stint;
using cloud::tenants::TenantListAnswers;

class TestTenantListAnswers : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<store::SqlCipherDatabase> m_db;

    std::optional<QByteArray> askAndKeep(TenantListAnswers& answers, const QByteArray& body)
    {
        TenantListAnswers::Ticket ticket;
        const TenantListAnswers::Question q {QStringLiteral("org_1"), QStringLiteral("per_1"), false, {}, 50};
        auto found = answers.find(*m_db, q, &ticket);
        if (!found)
            answers.keep(ticket, body);
        return found;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        auto db = store::SqlCipherDatabase::open(m_dir->filePath(QStringLiteral("s.db")),
                                                 crypto::SecretBytes(crypto::randomBytes(32)),
                                                 store::SqlCipherDatabase::OpenMode::CreateIfMissing);
        QVERIFY(db);
        m_db = std::move(*db);
        QVERIFY(m_db->exec(QStringLiteral("CREATE TABLE t (n BIGINT)")).ok());
    }
    void cleanup()
    {
        m_db.reset();
        m_dir.reset();
    }

    void keptWhileTheStoreStandsStill()
    {
        TenantListAnswers answers;
        QVERIFY(!askAndKeep(answers, "first"));
        QCOMPARE(askAndKeep(answers, "unused").value_or(QByteArray()), QByteArray("first"));
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO t VALUES (1)")).ok());
        QVERIFY(!askAndKeep(answers, "second")); // a change forgets it
        QCOMPARE(askAndKeep(answers, "unused").value_or(QByteArray()), QByteArray("second"));
    }

    void nothingKeptFromInsideABatch()
    {
        store::GroupCommit group(*m_db);
        TenantListAnswers answers;
        {
            store::Transaction tx(*m_db, store::Transaction::Mode::Write, store::Transaction::Durability::Deferred);
            QVERIFY(tx.started().ok());
            QVERIFY(tx.commit().ok()); // a batch is open, with nothing changed in it
        }
        QVERIFY(m_db->batchOpen());
        QVERIFY(!askAndKeep(answers, "from inside"));
        bool durable = false;
        group.whenDurable([&](bool d) { durable = d; });
        QTRY_VERIFY(durable);
        QVERIFY(!m_db->batchOpen());
        QVERIFY(!askAndKeep(answers, "after")); // what was made inside was not kept
        QCOMPARE(askAndKeep(answers, "unused").value_or(QByteArray()), QByteArray("after"));
    }
};

QTEST_GUILESS_MAIN(TestTenantListAnswers)
#include "TestTenantListAnswers.moc"
