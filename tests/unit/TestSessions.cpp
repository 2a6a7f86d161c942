// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/authn/RateLimiter.h"
#include "cloud/authn/Sessions.h"
#include "cloud/directory/DirectoryStore.h"
#include "cloud/schema/Schema.h"
#include "core/Ids.h"
#include "store/SqlCipherDatabase.h"

#include <QTemporaryDir>
#include <QTest>

using namespace stint;
using namespace stint::cloud;

class TestSessions : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<store::SqlCipherDatabase> m_db;
    ManualClock m_clock;
    CloudConfig m_config;
    QString m_personId;
    QString m_orgId;

private Q_SLOTS:
    void init()
    {
        m_db.reset();
        QFile::remove(m_dir.filePath(QStringLiteral("s.db")));
        auto db = store::SqlCipherDatabase::open(m_dir.filePath(QStringLiteral("s.db")),
                                                 crypto::SecretBytes(crypto::randomBytes(32)),
                                                 store::SqlCipherDatabase::OpenMode::CreateIfMissing);
        QVERIFY(db.ok());
        m_db = std::move(*db);
        QVERIFY(store::applyMigrations(*m_db, cloudMigrations(store::Backend::SqlCipher)).ok());
        m_config.sessionIdleMinutes = 30;
        m_config.sessionAbsoluteHours = 2;
        auto boot = directory::bootstrapOrganization(*m_db, m_clock, m_config, QStringLiteral("Org"), QStringLiteral("a@b.test"));
        QVERIFY(boot.ok());
        m_personId = boot->adminId;
        m_orgId = boot->orgId;
    }

    void tokensAreStoredHashed()
    {
        Sessions sessions(*m_db, m_clock, m_config);
        auto issued = sessions.create(m_personId, m_orgId, QStringLiteral("127.0.0.1"), QStringLiteral("test"));
        QVERIFY(issued.ok());
        auto rows = m_db->query(QStringLiteral("SELECT token_hash FROM sessions"));
        QCOMPARE(rows->size(), size_t(1));
        QVERIFY(rows->front().blob(0) != issued->token.toLatin1());
        QCOMPARE(rows->front().blob(0), ids::tokenHash(issued->token));
        auto caller = sessions.authenticate(issued->token);
        QVERIFY(caller.ok() && caller->has_value());
        QCOMPARE((*caller)->personId, m_personId);
        QCOMPARE((*caller)->role, QStringLiteral("admin"));
        QVERIFY(!sessions.authenticate(QString(43, QLatin1Char('A')))->has_value());
        QVERIFY(!sessions.authenticate(QStringLiteral("short"))->has_value());
    }

    void idleExpirySlidesWithUse()
    {
        Sessions sessions(*m_db, m_clock, m_config);
        const QString token = sessions.create(m_personId, m_orgId, {}, {})->token;
        for (int i = 0; i < 3; ++i) {
            m_clock.advance(20 * 60'000); // 20 min: used within the 30-minute idle window, so it lives on
            QVERIFY(sessions.authenticate(token)->has_value());
        }
        m_clock.advance(31 * 60'000);
        QVERIFY(!sessions.authenticate(token)->has_value());
    }

    void absoluteExpiryIsFinal()
    {
        Sessions sessions(*m_db, m_clock, m_config);
        const QString token = sessions.create(m_personId, m_orgId, {}, {})->token;
        for (int i = 0; i < 4; ++i) {
            m_clock.advance(25 * 60'000);
            QVERIFY(sessions.authenticate(token)->has_value());
        }
        m_clock.advance(25 * 60'000); // 125 minutes after sign-in, used all along: past the 2-hour cap
        QVERIFY(!sessions.authenticate(token)->has_value());
    }

    void revocationAndDisabledPeople()
    {
        Sessions sessions(*m_db, m_clock, m_config);
        auto a = sessions.create(m_personId, m_orgId, {}, {});
        auto b = sessions.create(m_personId, m_orgId, {}, {});
        QVERIFY(*sessions.revoke(a->sessionId, m_orgId));
        QVERIFY(!*sessions.revoke(a->sessionId, m_orgId)); // already
        QVERIFY(!*sessions.revoke(b->sessionId, QStringLiteral("org_other"))); // another organization's admin
        QVERIFY(!sessions.authenticate(a->token)->has_value());
        QVERIFY(sessions.authenticate(b->token)->has_value());
        QVERIFY(*sessions.isLive(b->sessionId));
        QVERIFY(m_db->exec(QStringLiteral("UPDATE people SET status = 'disabled' WHERE id = ?"), {m_personId}).ok());
        QVERIFY(!sessions.authenticate(b->token)->has_value());
        QVERIFY(!*sessions.isLive(b->sessionId));
        QCOMPARE(*sessions.revokeAllOf(m_personId), 1);
    }

    void rateLimiterWindow()
    {
        RateLimiter limiter(m_clock);
        int retry = 0;
        for (int i = 0; i < 3; ++i)
            QVERIFY(limiter.tryAcquire(QStringLiteral("k"), 3, 60));
        QVERIFY(!limiter.tryAcquire(QStringLiteral("k"), 3, 60, &retry));
        QCOMPARE(retry, 60);
        QVERIFY(limiter.tryAcquire(QStringLiteral("other"), 3, 60));
        m_clock.advance(30'000);
        QVERIFY(limiter.isLimited(QStringLiteral("k"), 3, 60, &retry));
        QCOMPARE(retry, 30);
        m_clock.advance(30'001);
        QVERIFY(!limiter.isLimited(QStringLiteral("k"), 3, 60));
        limiter.record(QStringLiteral("f"), 60);
        QVERIFY(limiter.isLimited(QStringLiteral("f"), 1, 60));
    }

    void rateLimiterMemoryIsBounded()
    {
        RateLimiter limiter(m_clock, 100);
        for (int i = 0; i < 1000; ++i)
            QVERIFY(limiter.tryAcquire(QStringLiteral("addr:%1").arg(i), 5, 60));
        // Still answers, and old keys were forgotten rather than the map growing without bound.
        QVERIFY(limiter.tryAcquire(QStringLiteral("addr:0"), 5, 60));
    }
};

QTEST_GUILESS_MAIN(TestSessions)
#include "TestSessions.moc"
