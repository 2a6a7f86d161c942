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
        const QHostAddress k(QStringLiteral("192.0.2.1"));
        int retry = 0;
        for (int i = 0; i < 3; ++i)
            QVERIFY(limiter.tryAcquireAddress(k, 3, 60));
        QVERIFY(!limiter.tryAcquireAddress(k, 3, 60, &retry));
        QCOMPARE(retry, 60);
        QVERIFY(limiter.tryAcquireAddress(QHostAddress(QStringLiteral("192.0.2.2")), 3, 60));
        m_clock.advance(30'000);
        QVERIFY(!limiter.tryAcquireAddress(k, 3, 60, &retry));
        QCOMPARE(retry, 30);
        m_clock.advance(30'001);
        QVERIFY(limiter.tryAcquireAddress(k, 3, 60));
        limiter.recordAccountFailure(QStringLiteral("per_f"), 1, 60);
        QVERIFY(limiter.isAccountLimited(QStringLiteral("per_f"), 1, 60));
    }

    // With a limit of 10, the 10th failure is already limited (the help says so).
    void rateLimiterTenthAccountFailureIsLimited()
    {
        RateLimiter limiter(m_clock);
        const QString account = QStringLiteral("per_alice");
        for (int i = 1; i <= 9; ++i) {
            limiter.recordAccountFailure(account, 10, 300);
            QVERIFY2(!limiter.isAccountLimited(account, 10, 300), qPrintable(QString::number(i)));
        }
        limiter.recordAccountFailure(account, 10, 300);
        int retry = 0;
        QVERIFY(limiter.isAccountLimited(account, 10, 300, &retry));
        QCOMPARE(retry, 300);
    }

    void rateLimiterMemoryIsBounded()
    {
        RateLimiter limiter(m_clock, 100, 100);
        for (int i = 0; i < 1000; ++i)
            QVERIFY(limiter.tryAcquireAddress(QHostAddress(quint32(0x0A000000 + i)), 5, 60));
        QVERIFY(limiter.addressEntries() <= 100);
        // Still answers: the newest addresses are still counted.
        for (int i = 0; i < 4; ++i)
            QVERIFY(limiter.tryAcquireAddress(QHostAddress(quint32(0x0A000000 + 999)), 5, 60));
        QVERIFY(!limiter.tryAcquireAddress(QHostAddress(quint32(0x0A000000 + 999)), 5, 60));
    }

    // 100,000 distinct addresses (one /64 each, as anyone with IPv6 can have) neither reset nor evict an account's
    // failure count.
    void rateLimiterAddressFloodKeepsAccountCounts()
    {
        RateLimiter limiter(m_clock);
        const QString account = QStringLiteral("per_bob");
        for (int i = 0; i < 9; ++i)
            limiter.recordAccountFailure(account, 10, 300);
        Q_IPV6ADDR bytes = {};
        bytes[0] = 0x20;
        bytes[1] = 0x01;
        bytes[2] = 0x0d;
        bytes[3] = 0xb8;
        for (int i = 0; i < 100'000; ++i) {
            bytes[4] = quint8(i >> 16);
            bytes[5] = quint8(i >> 8);
            bytes[6] = quint8(i);
            limiter.tryAcquireAddress(QHostAddress(bytes), 120, 300);
        }
        QVERIFY(limiter.addressEntries() <= 100'000);
        QCOMPARE(limiter.accountEntries(), 1);
        QVERIFY(!limiter.isAccountLimited(account, 10, 300));
        limiter.recordAccountFailure(account, 10, 300);
        QVERIFY(limiter.isAccountLimited(account, 10, 300)); // the 10th failure: the nine before were kept
    }

    // Two addresses of one /64 share a counter; another /64 and IPv4 have their own; IPv4-mapped IPv6 is IPv4.
    void rateLimiterCountsIpv6PerSlash64()
    {
        RateLimiter limiter(m_clock);
        const QHostAddress a(QStringLiteral("2001:db8:1:2::1"));
        const QHostAddress b(QStringLiteral("2001:db8:1:2:ffff:eeee:dddd:cccc"));
        const QHostAddress c(QStringLiteral("2001:db8:1:3::1"));
        QCOMPARE(RateLimiter::addressKey(a), RateLimiter::addressKey(b));
        QVERIFY(RateLimiter::addressKey(a) != RateLimiter::addressKey(c));
        QCOMPARE(RateLimiter::addressKey(QHostAddress(QStringLiteral("::ffff:192.0.2.7"))),
                 RateLimiter::addressKey(QHostAddress(QStringLiteral("192.0.2.7"))));
        QVERIFY(limiter.tryAcquireAddress(a, 2, 60));
        QVERIFY(limiter.tryAcquireAddress(b, 2, 60));
        QVERIFY(!limiter.tryAcquireAddress(a, 2, 60));
        QVERIFY(!limiter.tryAcquireAddress(b, 2, 60));
        QVERIFY(limiter.tryAcquireAddress(c, 2, 60));
    }
};

QTEST_GUILESS_MAIN(TestSessions)
#include "TestSessions.moc"
