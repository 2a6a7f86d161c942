// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/audit/AuditCommands.h"
#include "cloud/audit/AuditLog.h"
#include "cloud/schema/Schema.h"
#include "core/Crypto.h"
#include "core/Ids.h"
#include "core/Json.h"
#include "store/SqlCipherDatabase.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QtEndian>
#include <memory>

using namespace stint;
using namespace stint::cloud;

namespace {
const QString kOrgA = QStringLiteral("org_a");
const QString kOrgB = QStringLiteral("org_b");

const QStringList kActors = {QStringLiteral("prs_1"), QStringLiteral("prs_2"), QStringLiteral("system")};
const QStringList kTenants = {QStringLiteral("tnt_1"), QStringLiteral("tnt_2"), QString()};
const QStringList kActions
    = {QStringLiteral("auth.signin"),         QStringLiteral("auth.signout"),     QStringLiteral("tenant.update"),
       QStringLiteral("checkout.transition"), QStringLiteral("checkout.request"), QStringLiteral("credential.view"),
       QStringLiteral("checkout_policy.read")};

// A varied but deterministic event: the moduli are coprime so the filters of the query tests cut differently.
AuditEvent sampleEvent(const QString& org, int i)
{
    AuditEvent e;
    e.orgId = org;
    e.actorId = kActors.at(i % kActors.size());
    e.actorLabel = e.actorId == QLatin1String("system") ? QString() : e.actorId + QStringLiteral("@example.com");
    e.action = kActions.at(i % kActions.size());
    e.targetType = QStringLiteral("tenant");
    e.targetId = QStringLiteral("tgt_%1").arg(i);
    e.tenantId = kTenants.at((i / 2) % kTenants.size());
    e.sourceAddress = QStringLiteral("192.0.2.%1").arg(i % 250);
    e.outcome = i % 5 == 0 ? QStringLiteral("denied") : QStringLiteral("success");
    e.details = QJsonObject {{QStringLiteral("n"), i}, {QStringLiteral("note"), QStringLiteral("ünïcode ✓")}};
    return e;
}

QByteArray lengthPrefixed(const QByteArray& b)
{
    QByteArray length(4, '\0');
    qToBigEndian(quint32(b.size()), length.data());
    return length + b;
}

QByteArray int64Field(qint64 n)
{
    QByteArray be(8, '\0');
    qToBigEndian(quint64(n), be.data());
    return lengthPrefixed(be);
}

QByteArray cursorText(const QByteArray& raw)
{
    return crypto::base64UrlEncode(raw);
}
} // namespace

class TestAuditLog : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<store::SqlCipherDatabase> m_db;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<AuditLog> m_log;

    QByteArray hashAt(const QString& org, qint64 seq)
    {
        auto rows
            = m_db->query(QStringLiteral("SELECT hash FROM audit_events WHERE org_id = ? AND seq = ?"), {org, seq});
        return rows && !rows->empty() ? rows->front().blob(0) : QByteArray();
    }
    QString idAt(const QString& org, qint64 seq)
    {
        auto rows = m_db->query(QStringLiteral("SELECT id FROM audit_events WHERE org_id = ? AND seq = ?"), {org, seq});
        return rows && !rows->empty() ? rows->front().text(0) : QString();
    }
    bool sql(const QString& statement, const store::Params& params = {})
    {
        auto r = m_db->exec(statement, params);
        if (!r)
            qWarning() << r.error().message;
        return r.ok();
    }
    // Appends `count` events to org_a and `count / 3` to org_b, interleaved, a second apart. In one transaction, to
    // spare the disk a sync per event (the durable path has tests of its own).
    QList<AuditEvent> appendMany(int count)
    {
        store::Transaction tx(*m_db);
        QList<AuditEvent> appended;
        for (int i = 0; i < count; ++i) {
            m_clock->advance(1000);
            auto a = m_log->append(sampleEvent(kOrgA, i));
            if (!a) {
                qWarning() << a.error().message;
                return {};
            }
            appended << *a;
            if (i % 3 == 2) {
                auto b = m_log->append(sampleEvent(kOrgB, i));
                if (!b)
                    return {};
                appended << *b;
            }
        }
        if (!tx.commit().ok())
            return {};
        return appended;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        const crypto::SecretBytes key(crypto::randomBytes(32));
        auto db = store::SqlCipherDatabase::open(m_dir->filePath(QStringLiteral("cloud.db")), key,
                                                 store::SqlCipherDatabase::OpenMode::CreateIfMissing);
        QVERIFY2(db.ok(), qPrintable(db.ok() ? QString() : db.error().message));
        m_db = std::move(*db);
        auto migrated = store::applyMigrations(*m_db, cloudMigrations(store::Backend::SqlCipher));
        QVERIFY(migrated.ok());
        for (const QString& org : {kOrgA, kOrgB}) {
            QVERIFY(sql(QStringLiteral("INSERT INTO organizations (id, name, settings, created_at, updated_at) "
                                       "VALUES (?, ?, '{}', 0, 0)"),
                        {org, org}));
        }
        m_clock = std::make_unique<ManualClock>();
        m_log = std::make_unique<AuditLog>(*m_db, *m_clock);
        // Spans of a few events, so that every verify below crosses span boundaries and runs on several
        // connections; a break anywhere must still be named exactly as the walk in order names it.
        m_log->setVerifySpan(3);
    }

    void cleanup()
    {
        m_log.reset();
        m_db.reset();
        m_dir.reset();
    }

    // The chain encoding, rebuilt here from its description, with an answer computed outside Qt (Python hashlib):
    // changing the encoding by accident breaks this test, not every chain in the field.
    void hashKnownAnswer()
    {
        AuditEvent e;
        e.orgId = QStringLiteral("org_kat");
        e.seq = 7;
        e.id = QStringLiteral("aud_0123456789abcdef0123456789abcdef");
        e.occurredAt = 1'800'000'000'123;
        e.actorId = QStringLiteral("prs_1");
        e.actorLabel = QStringLiteral("zoë@example.com");
        e.action = QStringLiteral("tenant.update");
        e.targetType = QStringLiteral("tenant");
        e.targetId = QStringLiteral("tnt_9");
        e.tenantId = QStringLiteral("tnt_9");
        e.sourceAddress = QStringLiteral("192.0.2.1");
        e.outcome = QStringLiteral("success");
        e.details = QJsonObject {{QStringLiteral("n"), 3}, {QStringLiteral("field"), QStringLiteral("name")}};
        for (int i = 0; i < 32; ++i)
            e.prevHash.append(char(i));
        const QByteArray details = json::compact(e.details);
        QCOMPARE(details, QByteArray(R"({"field":"name","n":3})"));

        const QByteArray encoding = lengthPrefixed("stint.audit.v1") + lengthPrefixed(e.orgId.toUtf8())
            + int64Field(e.seq) + lengthPrefixed(e.id.toUtf8()) + int64Field(e.occurredAt)
            + lengthPrefixed(e.actorId.toUtf8()) + lengthPrefixed(e.actorLabel.toUtf8())
            + lengthPrefixed(e.action.toUtf8()) + lengthPrefixed(e.targetType.toUtf8())
            + lengthPrefixed(e.targetId.toUtf8()) + lengthPrefixed(e.tenantId.toUtf8())
            + lengthPrefixed(e.sourceAddress.toUtf8()) + lengthPrefixed(e.outcome.toUtf8()) + lengthPrefixed(details)
            + lengthPrefixed(e.prevHash);
        const QByteArray expected
            = QByteArray::fromHex("d55a4f6d042b43871a06d80b1df0c612f023962cd591c66d98585dbe13344939");
        QCOMPARE(crypto::sha256(encoding), expected);
        QCOMPARE(AuditLog::hashEvent(e, details), expected);
    }

    // Moving a byte from one field to the next must change the hash (the reason for the length prefixes).
    void hashIsUnambiguous()
    {
        AuditEvent a = sampleEvent(kOrgA, 1);
        a.prevHash = QByteArray(32, '\0');
        AuditEvent b = a;
        a.targetType = QStringLiteral("ab");
        a.targetId = QStringLiteral("c");
        b.targetType = QStringLiteral("a");
        b.targetId = QStringLiteral("bc");
        QVERIFY(AuditLog::hashEvent(a, "{}") != AuditLog::hashEvent(b, "{}"));
    }

    void appendChainsPerOrganization()
    {
        const QStringList orgs = {kOrgA, kOrgB, kOrgA, kOrgA, kOrgB, kOrgA};
        QHash<QString, AuditEvent> last;
        QSet<QString> ids;
        for (int i = 0; i < orgs.size(); ++i) {
            m_clock->advance(10);
            AuditEvent e = sampleEvent(orgs.at(i), i);
            // What the log fills in is the log's business: caller values are ignored.
            e.seq = 99;
            e.id = QStringLiteral("aud_mine");
            e.hash = "x";
            e.prevHash = "y";
            auto appended = m_log->append(e);
            QVERIFY2(appended.ok(), qPrintable(appended.ok() ? QString() : appended.error().message));
            const AuditEvent& a = *appended;
            const bool first = !last.contains(a.orgId);
            QCOMPARE(a.seq, first ? 1 : last.value(a.orgId).seq + 1);
            QCOMPARE(a.prevHash, first ? QByteArray(32, '\0') : last.value(a.orgId).hash);
            QCOMPARE(a.hash.size(), 32);
            QCOMPARE(a.occurredAt, m_clock->now());
            QVERIFY(ids::isValidId(a.id, u"aud"));
            QVERIFY(!ids.contains(a.id));
            ids.insert(a.id);
            QCOMPARE(hashAt(a.orgId, a.seq), a.hash);
            QCOMPARE(idAt(a.orgId, a.seq), a.id);
            last.insert(a.orgId, a);
        }
        QCOMPARE(last.value(kOrgA).seq, 4);
        QCOMPARE(last.value(kOrgB).seq, 2);
    }

    void appendKeepsCallerTime()
    {
        AuditEvent e = sampleEvent(kOrgA, 1);
        e.occurredAt = 1'700'000'000'000;
        auto appended = m_log->append(e);
        QVERIFY(appended.ok());
        QCOMPARE(appended->occurredAt, TimeMs(1'700'000'000'000));
    }

    void appendRefusesInvalidEvents_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("code");
        QTest::newRow("no org") << "orgId"
                                << ""
                                << "audit.invalid";
        QTest::newRow("no actor") << "actorId"
                                  << ""
                                  << "audit.invalid";
        QTest::newRow("no action") << "action"
                                   << ""
                                   << "audit.invalid";
        QTest::newRow("undotted action") << "action"
                                         << "signin"
                                         << "audit.invalid";
        QTest::newRow("uppercase action") << "action"
                                          << "Auth.SignIn"
                                          << "audit.invalid";
        QTest::newRow("trailing dot") << "action"
                                      << "auth."
                                      << "audit.invalid";
        QTest::newRow("bad outcome") << "outcome"
                                     << "ok"
                                     << "audit.invalid";
        QTest::newRow("no outcome") << "outcome"
                                    << ""
                                    << "audit.invalid";
        QTest::newRow("control char") << "actorLabel"
                                      << "a\nb"
                                      << "audit.invalid";
        QTest::newRow("long label") << "actorLabel" << QString(321, QLatin1Char('x')) << "audit.invalid";
        QTest::newRow("negative time") << "occurredAt"
                                       << "-5"
                                       << "audit.invalid";
        QTest::newRow("huge details") << "details" << QString(17000, QLatin1Char('x')) << "audit.details_too_large";
    }
    void appendRefusesInvalidEvents()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, code);
        AuditEvent e = sampleEvent(kOrgA, 1);
        if (field == QLatin1String("orgId"))
            e.orgId = value;
        else if (field == QLatin1String("actorId"))
            e.actorId = value;
        else if (field == QLatin1String("action"))
            e.action = value;
        else if (field == QLatin1String("outcome"))
            e.outcome = value;
        else if (field == QLatin1String("actorLabel"))
            e.actorLabel = value;
        else if (field == QLatin1String("occurredAt"))
            e.occurredAt = value.toLongLong();
        else if (field == QLatin1String("details"))
            e.details.insert(QStringLiteral("blob"), value);
        auto appended = m_log->append(e);
        QVERIFY(!appended.ok());
        QCOMPARE(appended.error().code, code);
        QCOMPARE(*m_log->head(kOrgA), QByteArray("0:") + QByteArray(32, '\0').toHex());
    }

    void secretLookingKeysAreRefused_data()
    {
        QTest::addColumn<QJsonObject>("details");
        QTest::addColumn<bool>("refused");
        QTest::addColumn<QString>("named");
        const auto obj = [](const QString& key, const QJsonValue& v) { return QJsonObject {{key, v}}; };
        QTest::newRow("password") << obj(QStringLiteral("password"), QStringLiteral("x")) << true << "password";
        QTest::newRow("newPassword") << obj(QStringLiteral("newPassword"), 1) << true << "newPassword";
        QTest::newRow("client_secret") << obj(QStringLiteral("client_secret"), QStringLiteral("x")) << true
                                       << "client_secret";
        QTest::newRow("clientSecret") << obj(QStringLiteral("clientSecret"), QStringLiteral("x")) << true
                                      << "clientSecret";
        QTest::newRow("refresh-token") << obj(QStringLiteral("refresh-token"), QStringLiteral("x")) << true
                                       << "refresh-token";
        QTest::newRow("accessToken") << obj(QStringLiteral("accessToken"), QStringLiteral("x")) << true
                                     << "accessToken";
        QTest::newRow("credential_value")
            << obj(QStringLiteral("credential_value"), QStringLiteral("x")) << true << "credential_value";
        QTest::newRow("private key") << obj(QStringLiteral("privateKey"), QStringLiteral("x")) << true << "privateKey";
        QTest::newRow("TAP") << obj(QStringLiteral("temporaryAccessPass"), QStringLiteral("x")) << true
                             << "temporaryAccessPass";
        QTest::newRow("nested") << obj(QStringLiteral("graph"), obj(QStringLiteral("Password"), 1)) << true
                                << "graph.Password";
        QTest::newRow("in array") << obj(QStringLiteral("steps"),
                                         QJsonArray {obj(QStringLiteral("ok"), 1), obj(QStringLiteral("api_key"), 2)})
                                  << true << "steps[1].api_key";
        QTest::newRow("credential id") << obj(QStringLiteral("credential_id"), QStringLiteral("abc")) << false << "";
        QTest::newRow("secret value, plain key")
            << obj(QStringLiteral("reason"), QStringLiteral("password reset")) << false << "";
        QTest::newRow("empty") << QJsonObject() << false << "";
    }
    void secretLookingKeysAreRefused()
    {
        QFETCH(QJsonObject, details);
        QFETCH(bool, refused);
        QFETCH(QString, named);
        AuditEvent e = sampleEvent(kOrgA, 1);
        e.details = details;
        if (refused)
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("secret-looking key")));
        auto appended = m_log->append(e);
        QCOMPARE(!appended.ok(), refused);
        if (refused) {
            QCOMPARE(appended.error().code, QStringLiteral("audit.secret_in_details"));
            QVERIFY2(appended.error().message.contains(QLatin1Char('"') + named + QLatin1Char('"')),
                     qPrintable(appended.error().message));
            QVERIFY(!appended.error().message.contains(QStringLiteral("\"x\"")));
            QCOMPARE(*m_log->head(kOrgA), QByteArray("0:") + QByteArray(32, '\0').toHex());
        }
    }

    void verifyIntact()
    {
        QCOMPARE(m_log->verify()->eventsChecked, 0);
        QVERIFY(m_log->verify()->intact);
        const QList<AuditEvent> appended = appendMany(30);
        QCOMPARE(appended.size(), 40);
        auto all = m_log->verify();
        QVERIFY(all.ok());
        QVERIFY(all->intact);
        QCOMPARE(all->eventsChecked, 40);
        QVERIFY(all->problem.isEmpty());
        QCOMPARE(m_log->verify(kOrgA)->eventsChecked, 30);
        QCOMPARE(m_log->verify(kOrgB)->eventsChecked, 10);
        QCOMPARE(m_log->verify(QStringLiteral("org_none"))->eventsChecked, 0);
        QVERIFY(m_log->verify(QStringLiteral("org_none"))->intact);
    }

    // The chain walk reads pages of a few hundred rows: a longer chain crosses many page boundaries.
    void verifyLongChain()
    {
        store::Transaction tx(*m_db);
        for (int i = 0; i < 4100; ++i)
            QVERIFY(m_log->append(sampleEvent(kOrgA, i)).ok());
        QVERIFY(tx.commit().ok());
        QCOMPARE(m_log->verify()->eventsChecked, 4100);
        QVERIFY(sql(QStringLiteral("UPDATE audit_events SET outcome = 'failure' WHERE org_id = ? AND seq = 4001"),
                    {kOrgA}));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("audit chain broken")));
        auto report = m_log->verify();
        QVERIFY(!report->intact);
        QCOMPARE(report->firstBrokenSeq, 4001);
        QCOMPARE(report->eventsChecked, 4000);
        // A gap where one page of the walk ends (256 rows) is still a gap.
        QVERIFY(sql(QStringLiteral("DELETE FROM audit_events WHERE org_id = ? AND seq = 256"), {kOrgA}));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("audit chain broken")));
        report = m_log->verify();
        QCOMPARE(report->firstBrokenSeq, 257);
        QCOMPARE(report->eventsChecked, 255);
    }

    void tamperingIsDetected_data()
    {
        QTest::addColumn<QString>("tamper");
        QTest::addColumn<qint64>("brokenSeq");
        QTest::addColumn<qint64>("checked"); // events found intact before the break
        // Every column of event 5 (of 10) in turn.
        QTest::newRow("org_id") << "org_id = 'org_zzz'" << qint64(6) << qint64(4);
        QTest::newRow("seq") << "seq = 100" << qint64(6) << qint64(4);
        // Text sorts after every number: a parallel verify reading by seq range must not lose the row.
        QTest::newRow("seq as text") << "seq = 'five'" << qint64(6) << qint64(4);
        QTest::newRow("id") << "id = 'aud_forged'" << qint64(5) << qint64(4);
        QTest::newRow("occurred_at") << "occurred_at = occurred_at + 1" << qint64(5) << qint64(4);
        QTest::newRow("actor_id") << "actor_id = 'prs_mallory'" << qint64(5) << qint64(4);
        QTest::newRow("actor_label") << "actor_label = 'mallory@example.com'" << qint64(5) << qint64(4);
        QTest::newRow("action") << "action = 'auth.signout'" << qint64(5) << qint64(4);
        QTest::newRow("target_type") << "target_type = 'policy'" << qint64(5) << qint64(4);
        QTest::newRow("target_id") << "target_id = 'tgt_other'" << qint64(5) << qint64(4);
        QTest::newRow("tenant_id") << "tenant_id = 'tnt_other'" << qint64(5) << qint64(4);
        QTest::newRow("source_address") << "source_address = '203.0.113.66'" << qint64(5) << qint64(4);
        QTest::newRow("outcome") << "outcome = CASE outcome WHEN 'success' THEN 'denied' ELSE 'success' END"
                                 << qint64(5) << qint64(4);
        // Same JSON meaning, different text: the chain covers the exact text.
        QTest::newRow("details") << "details = details || ' '" << qint64(5) << qint64(4);
        QTest::newRow("prev_hash") << "prev_hash = randomblob(32)" << qint64(5) << qint64(4);
        QTest::newRow("hash") << "hash = randomblob(32)" << qint64(5) << qint64(4);
        QTest::newRow("hash truncated") << "hash = substr(hash, 1, 31)" << qint64(5) << qint64(4);
        // Event 3 is a system event with an empty actor label: an integer 0 there must not hash like "".
        QTest::newRow("retyped column") << "retype 3" << qint64(3) << qint64(2);
        // Other kinds of tampering, done by applyTamper().
        QTest::newRow("delete middle") << "delete 5" << qint64(6) << qint64(4);
        QTest::newRow("delete first") << "delete 1" << qint64(2) << qint64(0);
        QTest::newRow("delete middle, renumber") << "delete 5 renumber" << qint64(5) << qint64(4);
        QTest::newRow("reorder (swap seqs)") << "swap seqs 4 7" << qint64(4) << qint64(3);
        QTest::newRow("swap contents") << "swap contents 4 7" << qint64(4) << qint64(3);
        QTest::newRow("swap neighbours") << "swap contents 5 6" << qint64(5) << qint64(4);
        QTest::newRow("insert well-forged row") << "insert middle" << qint64(7) << qint64(6);
        QTest::newRow("insert row at seq 0") << "insert zero" << qint64(0) << qint64(0);
        QTest::newRow("append garbage row") << "insert end" << qint64(11) << qint64(10);
        QTest::newRow("first prev_hash") << "first prev_hash" << qint64(1) << qint64(0);
    }
    void tamperingIsDetected()
    {
        QFETCH(QString, tamper);
        QFETCH(qint64, brokenSeq);
        QFETCH(qint64, checked);
        {
            store::Transaction tx(*m_db);
            for (int i = 0; i < 10; ++i) {
                QVERIFY(m_log->append(sampleEvent(kOrgA, i)).ok());
                if (i % 3 == 0)
                    QVERIFY(m_log->append(sampleEvent(kOrgB, i)).ok());
            }
            QVERIFY(tx.commit().ok());
        }
        QVERIFY(m_log->verify()->intact);
        QVERIFY(applyTamper(tamper));

        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("audit chain broken")));
        auto report = m_log->verify(kOrgA);
        QVERIFY(report.ok());
        QVERIFY(!report->intact);
        QCOMPARE(report->orgId, kOrgA);
        QCOMPARE(report->firstBrokenSeq, brokenSeq);
        QCOMPARE(report->firstBrokenId, idAt(kOrgA, brokenSeq));
        QVERIFY(!report->firstBrokenId.isEmpty());
        QVERIFY(!report->problem.isEmpty());
        QCOMPARE(report->eventsChecked, checked);

        // The other organization's chain is untouched, and a check of everything names org_a first.
        QVERIFY(m_log->verify(kOrgB)->intact);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("audit chain broken")));
        auto all = m_log->verify();
        QVERIFY(!all->intact);
        QCOMPARE(all->orgId, kOrgA);
        QCOMPARE(all->firstBrokenSeq, brokenSeq);
    }

    void truncationNeedsAnAnchor()
    {
        QCOMPARE(*m_log->head(kOrgA), QByteArray("0:") + QByteArray(32, '\0').toHex());
        QVERIFY(*m_log->checkAnchor(kOrgA, *m_log->head(kOrgA)));
        QByteArray anchor;
        for (int i = 0; i < 5; ++i) {
            auto a = m_log->append(sampleEvent(kOrgA, i));
            QVERIFY(a.ok());
            anchor = QByteArray::number(a->seq) + ':' + a->hash.toHex();
        }
        QCOMPARE(*m_log->head(kOrgA), anchor);
        QVERIFY(*m_log->checkAnchor(kOrgA, anchor));
        QVERIFY(!*m_log->checkAnchor(kOrgB, anchor));

        // Cutting off the newest event leaves a valid (shorter) chain: only the anchor shows it.
        QVERIFY(sql(QStringLiteral("DELETE FROM audit_events WHERE org_id = ? AND seq = 5"), {kOrgA}));
        QVERIFY(m_log->verify(kOrgA)->intact);
        QCOMPARE(m_log->verify(kOrgA)->eventsChecked, 4);
        QVERIFY(!*m_log->checkAnchor(kOrgA, anchor));
        // An older anchor still holds.
        QVERIFY(*m_log->checkAnchor(kOrgA, QByteArray("4:") + hashAt(kOrgA, 4).toHex()));
    }

    void badAnchorsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("anchor");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no colon") << QByteArray("5") + QByteArray(64, 'a');
        QTest::newRow("short hash") << QByteArray("5:abcd");
        QTest::newRow("negative") << QByteArray("-5:") + QByteArray(64, 'a');
        QTest::newRow("not hex") << QByteArray("5:") + QByteArray(64, 'g');
        QTest::newRow("three parts") << QByteArray("5:") + QByteArray(64, 'a') + ":x";
    }
    void badAnchorsAreRefused()
    {
        QFETCH(QByteArray, anchor);
        auto r = m_log->checkAnchor(kOrgA, anchor);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("audit.bad_anchor"));
    }

    void rollbackLeavesChainValid()
    {
        for (int i = 0; i < 3; ++i)
            QVERIFY(m_log->append(sampleEvent(kOrgA, i)).ok());
        const QByteArray head3 = hashAt(kOrgA, 3);
        {
            store::Transaction outer(*m_db);
            QVERIFY(outer.started().ok());
            auto a = m_log->append(sampleEvent(kOrgA, 3));
            auto b = m_log->append(sampleEvent(kOrgA, 4));
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(a->seq, 4);
            QCOMPARE(b->seq, 5);
            QVERIFY(m_db->inTransaction()); // joined, not committed by append()
            // No commit: the outer transaction rolls back here.
        }
        QVERIFY(!m_db->inTransaction());
        QVERIFY(m_log->verify(kOrgA)->intact);
        auto next = m_log->append(sampleEvent(kOrgA, 5));
        QVERIFY(next.ok());
        QCOMPARE(next->seq, 4);
        QCOMPARE(next->prevHash, head3);
        auto report = m_log->verify();
        QVERIFY(report->intact);
        QCOMPARE(report->eventsChecked, 4);
    }

    void appendJoinsCallerTransaction()
    {
        {
            store::Transaction outer(*m_db);
            QVERIFY(sql(QStringLiteral("UPDATE organizations SET name = 'Renamed' WHERE id = ?"), {kOrgA}));
            QVERIFY(m_log->append(sampleEvent(kOrgA, 1)).ok());
            // A refused event leaves the caller's transaction open and usable.
            AuditEvent bad = sampleEvent(kOrgA, 2);
            bad.outcome = QStringLiteral("maybe");
            QVERIFY(!m_log->append(bad).ok());
            QVERIFY(m_db->inTransaction());
            QVERIFY(m_log->append(sampleEvent(kOrgA, 3)).ok());
            QVERIFY(outer.commit().ok());
        }
        auto name = m_db->query(QStringLiteral("SELECT name FROM organizations WHERE id = ?"), {kOrgA});
        QCOMPARE(name->front().text(0), QStringLiteral("Renamed"));
        QCOMPARE(m_log->verify()->eventsChecked, 2);
        QVERIFY(m_log->verify()->intact);
    }

    void queryFiltersAndPages_data()
    {
        QTest::addColumn<qint64>("from"); // offsets in seconds from the first event; -1: none
        QTest::addColumn<qint64>("to");
        QTest::addColumn<QString>("actor");
        QTest::addColumn<QString>("tenant");
        QTest::addColumn<QString>("action");
        QTest::addColumn<int>("limit");
        QTest::newRow("everything") << qint64(-1) << qint64(-1) << ""
                                    << ""
                                    << "" << 7;
        QTest::newRow("everything, one page") << qint64(-1) << qint64(-1) << ""
                                              << ""
                                              << "" << 1000;
        QTest::newRow("page size divides") << qint64(-1) << qint64(-1) << ""
                                           << ""
                                           << "" << 12;
        QTest::newRow("page of one") << qint64(-1) << qint64(-1) << ""
                                     << ""
                                     << "" << 1;
        QTest::newRow("time range") << qint64(10) << qint64(30) << ""
                                    << ""
                                    << "" << 4;
        QTest::newRow("from only") << qint64(50) << qint64(-1) << ""
                                   << ""
                                   << "" << 5;
        QTest::newRow("to only") << qint64(-1) << qint64(9) << ""
                                 << ""
                                 << "" << 5;
        QTest::newRow("empty range") << qint64(20) << qint64(20) << ""
                                     << ""
                                     << "" << 5;
        QTest::newRow("actor") << qint64(-1) << qint64(-1) << "prs_2"
                               << ""
                               << "" << 5;
        QTest::newRow("system actor") << qint64(-1) << qint64(-1) << "system"
                                      << ""
                                      << "" << 3;
        QTest::newRow("tenant") << qint64(-1) << qint64(-1) << ""
                                << "tnt_1"
                                << "" << 6;
        QTest::newRow("exact action") << qint64(-1) << qint64(-1) << ""
                                      << ""
                                      << "checkout.request" << 2;
        QTest::newRow("action prefix") << qint64(-1) << qint64(-1) << ""
                                       << ""
                                       << "auth." << 100;
        // "checkout." must not match "checkout_policy.read".
        QTest::newRow("prefix stops at the dot") << qint64(-1) << qint64(-1) << ""
                                                 << ""
                                                 << "checkout." << 4;
        QTest::newRow("no match") << qint64(-1) << qint64(-1) << "nobody"
                                  << ""
                                  << "" << 5;
        QTest::newRow("all filters") << qint64(5) << qint64(55) << "prs_1"
                                     << "tnt_2"
                                     << "auth." << 2;
    }
    void queryFiltersAndPages()
    {
        QFETCH(qint64, from);
        QFETCH(qint64, to);
        QFETCH(QString, actor);
        QFETCH(QString, tenant);
        QFETCH(QString, action);
        QFETCH(int, limit);
        const TimeMs t0 = m_clock->now() + 1000;
        const QList<AuditEvent> appended = appendMany(60);
        QVERIFY(!appended.isEmpty());

        AuditLog::Query q;
        q.orgId = kOrgA;
        if (from >= 0)
            q.from = t0 + from * 1000;
        if (to >= 0)
            q.to = t0 + to * 1000;
        q.actorId = actor;
        q.tenantId = tenant;
        q.action = action;
        q.limit = limit;

        QList<qint64> expected;
        for (auto it = appended.crbegin(); it != appended.crend(); ++it) {
            const AuditEvent& e = *it;
            if (e.orgId != kOrgA || (q.from && e.occurredAt < *q.from) || (q.to && e.occurredAt >= *q.to)
                || (!actor.isEmpty() && e.actorId != actor) || (!tenant.isEmpty() && e.tenantId != tenant))
                continue;
            if (!action.isEmpty() && (action.endsWith(u'.') ? !e.action.startsWith(action) : e.action != action))
                continue;
            expected << e.seq;
        }

        QList<qint64> seen;
        for (int pages = 0;; ++pages) {
            QVERIFY(pages <= expected.size() + 1);
            auto page = m_log->query(q);
            QVERIFY2(page.ok(), qPrintable(page.ok() ? QString() : page.error().message));
            QVERIFY(page->events.size() <= limit);
            for (const AuditEvent& e : page->events) {
                QCOMPARE(e.orgId, kOrgA);
                QCOMPARE(hashAt(kOrgA, e.seq), e.hash);
                seen << e.seq;
            }
            if (page->nextCursor.isEmpty())
                break;
            QCOMPARE(page->events.size(), limit); // only the last page is short
            q.cursor = page->nextCursor;
        }
        QCOMPARE(seen, expected); // newest first, no repeats, no gaps
    }

    void queryReturnsWholeEvents()
    {
        AuditEvent e = sampleEvent(kOrgA, 4);
        e.details = QJsonObject {{QStringLiteral("roles"), QJsonArray {QStringLiteral("Global Administrator")}}};
        auto appended = m_log->append(e);
        QVERIFY(appended.ok());
        AuditLog::Query q;
        q.orgId = kOrgA;
        auto page = m_log->query(q);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), 1);
        QCOMPARE(AuditLog::toJson(page->events.first()), AuditLog::toJson(*appended));
    }

    void badCursorIsRejected_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("garbage") << "not a cursor!";
        QTest::newRow("random base64url") << QString::fromLatin1(cursorText("hello world"));
        QTest::newRow("padded") << "djE6MzoxMjM0NTY3ODkwYWJjZGVm==";
        QTest::newRow("wrong version") << "wrong version";
        QTest::newRow("negative seq") << "negative seq";
        QTest::newRow("zero seq") << "zero seq";
        QTest::newRow("seq with sign") << "seq with sign";
        QTest::newRow("forged fingerprint") << "forged fingerprint";
        QTest::newRow("other filters") << "other filters";
        QTest::newRow("other organization") << "other organization";
        QTest::newRow("too long") << QString(500, QLatin1Char('A'));
    }
    void badCursorIsRejected()
    {
        QFETCH(QString, kind);
        QVERIFY(!appendMany(30).isEmpty());
        AuditLog::Query q;
        q.orgId = kOrgA;
        q.actorId = QStringLiteral("prs_1");
        q.limit = 2;
        auto first = m_log->query(q);
        QVERIFY(first.ok());
        const QString good = first->nextCursor;
        QVERIFY(!good.isEmpty());
        const QByteArray raw = *crypto::base64UrlDecode(good.toLatin1());
        const QByteArray fingerprint = raw.split(':').at(2);

        q.cursor = kind;
        if (kind == QLatin1String("wrong version"))
            q.cursor = QString::fromLatin1(cursorText("v2:3:" + fingerprint));
        else if (kind == QLatin1String("negative seq"))
            q.cursor = QString::fromLatin1(cursorText("v1:-3:" + fingerprint));
        else if (kind == QLatin1String("zero seq"))
            q.cursor = QString::fromLatin1(cursorText("v1:0:" + fingerprint));
        else if (kind == QLatin1String("seq with sign"))
            q.cursor = QString::fromLatin1(cursorText("v1:+3:" + fingerprint));
        else if (kind == QLatin1String("forged fingerprint"))
            q.cursor = QString::fromLatin1(cursorText("v1:3:0123456789abcdef"));
        else if (kind == QLatin1String("other filters")) {
            q.cursor = good;
            q.actorId = QStringLiteral("prs_2");
        } else if (kind == QLatin1String("other organization")) {
            q.cursor = good;
            q.orgId = kOrgB;
        }
        auto page = m_log->query(q);
        QVERIFY(!page.ok());
        QCOMPARE(page.error().code, QStringLiteral("audit.bad_cursor"));

        // The good cursor itself still works, and a different page size may continue it.
        AuditLog::Query again;
        again.orgId = kOrgA;
        again.actorId = QStringLiteral("prs_1");
        again.limit = 5;
        again.cursor = good;
        QVERIFY(m_log->query(again).ok());
    }

    void invalidQueriesAreRefused_data()
    {
        QTest::addColumn<QString>("org");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QString>("action");
        QTest::addColumn<bool>("inverted");
        QTest::newRow("no org") << "" << 10 << "" << false;
        QTest::newRow("limit 0") << "org_a" << 0 << "" << false;
        QTest::newRow("limit too big") << "org_a" << 1001 << "" << false;
        QTest::newRow("uppercase action") << "org_a" << 10 << "Auth." << false;
        QTest::newRow("double dot") << "org_a" << 10 << "auth.." << false;
        QTest::newRow("wildcard") << "org_a" << 10 << "auth.%" << false;
        QTest::newRow("from after to") << "org_a" << 10 << "" << true;
    }
    void invalidQueriesAreRefused()
    {
        QFETCH(QString, org);
        QFETCH(int, limit);
        QFETCH(QString, action);
        QFETCH(bool, inverted);
        AuditLog::Query q;
        q.orgId = org;
        q.limit = limit;
        q.action = action;
        if (inverted) {
            q.from = 2000;
            q.to = 1000;
        }
        auto page = m_log->query(q);
        QVERIFY(!page.ok());
        QCOMPARE(page.error().code, QStringLiteral("audit.invalid"));
    }

    void toJsonFormat()
    {
        AuditEvent e = sampleEvent(kOrgA, 1);
        e.occurredAt = 1'800'000'000'123;
        auto appended = m_log->append(e);
        QVERIFY(appended.ok());
        const QJsonObject json = AuditLog::toJson(*appended);
        QCOMPARE(json.value(u"orgId").toString(), kOrgA);
        QCOMPARE(json.value(u"seq").toInteger(), 1);
        QCOMPARE(json.value(u"id").toString(), appended->id);
        QCOMPARE(json.value(u"occurredAt").toString(), QStringLiteral("2027-01-15T08:00:00.123Z"));
        QCOMPARE(json.value(u"actorId").toString(), e.actorId);
        QCOMPARE(json.value(u"actorLabel").toString(), e.actorLabel);
        QCOMPARE(json.value(u"action").toString(), e.action);
        QCOMPARE(json.value(u"targetType").toString(), e.targetType);
        QCOMPARE(json.value(u"targetId").toString(), e.targetId);
        QCOMPARE(json.value(u"tenantId").toString(), e.tenantId);
        QCOMPARE(json.value(u"sourceAddress").toString(), e.sourceAddress);
        QCOMPARE(json.value(u"outcome").toString(), e.outcome);
        QCOMPARE(json.value(u"details").toObject(), e.details);
        QCOMPARE(json.value(u"prevHash").toString(), QString(64, QLatin1Char('0')));
        QCOMPARE(json.value(u"hash").toString().toLatin1(), appended->hash.toHex());
        QCOMPARE(json.size(), 15);
    }

    void exportWritesJsonLines_data()
    {
        QTest::addColumn<QString>("org");
        QTest::addColumn<qint64>("from"); // seconds after the first event; -1: none
        QTest::addColumn<qint64>("to");
        QTest::newRow("everything") << "" << qint64(-1) << qint64(-1);
        QTest::newRow("one org") << "org_b" << qint64(-1) << qint64(-1);
        QTest::newRow("time range") << "" << qint64(100) << qint64(2500);
        QTest::newRow("org and range") << "org_a" << qint64(0) << qint64(1000);
        QTest::newRow("unknown org") << "org_none" << qint64(-1) << qint64(-1);
    }
    void exportWritesJsonLines()
    {
        QFETCH(QString, org);
        QFETCH(qint64, from);
        QFETCH(qint64, to);
        const TimeMs t0 = m_clock->now() + 1000;
        // Many pages of the chain walk in org_a.
        const QList<AuditEvent> appended = appendMany(3000);
        QCOMPARE(appended.size(), 4000);
        const std::optional<TimeMs> fromT = from >= 0 ? std::optional<TimeMs>(t0 + from * 1000) : std::nullopt;
        const std::optional<TimeMs> toT = to >= 0 ? std::optional<TimeMs>(t0 + to * 1000) : std::nullopt;
        QList<AuditEvent> expected;
        for (const AuditEvent& e : appended) {
            if ((org.isEmpty() || e.orgId == org) && (!fromT || e.occurredAt >= *fromT)
                && (!toT || e.occurredAt < *toT))
                expected << e;
        }
        // Organizations in id order, then oldest first.
        std::stable_sort(expected.begin(), expected.end(),
                         [](const AuditEvent& a, const AuditEvent& b) { return a.orgId < b.orgId; });

        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        auto written = m_log->exportJsonLines(buffer, org, fromT, toT);
        QVERIFY(written.ok());
        QCOMPARE(*written, expected.size());
        const QByteArray data = buffer.data();
        QVERIFY(data.isEmpty() || data.endsWith('\n'));
        const QList<QByteArray> lines = data.isEmpty() ? QList<QByteArray>() : data.chopped(1).split('\n');
        QCOMPARE(lines.size(), expected.size());
        for (int i = 0; i < lines.size(); ++i) {
            QJsonParseError error {};
            const QJsonDocument doc = QJsonDocument::fromJson(lines.at(i), &error);
            QCOMPARE(error.error, QJsonParseError::NoError);
            QVERIFY(doc.isObject());
            QCOMPARE(doc.object(), AuditLog::toJson(expected.at(i)));
            // The export carries what an outside tool needs to re-check the chain.
            AuditEvent e = expected.at(i);
            e.prevHash = QByteArray::fromHex(doc.object().value(u"prevHash").toString().toLatin1());
            QCOMPARE(AuditLog::hashEvent(e, json::compact(doc.object().value(u"details").toObject())), e.hash);
        }
    }

    void exportReportsWriteFailure()
    {
        QVERIFY(m_log->append(sampleEvent(kOrgA, 1)).ok());
        QBuffer readOnly;
        QVERIFY(readOnly.open(QIODevice::ReadOnly));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("device not open|ReadOnly")));
        auto written = m_log->exportJsonLines(readOnly);
        QVERIFY(!written.ok());
        QCOMPARE(written.error().code, QStringLiteral("audit.export_failed"));
    }

    // Spans of every size give the same verdict, also when the break sits on a span's first or last event or the
    // predecessor a span links to is the one changed.
    void verifySpansAgreeWithWalkInOrder_data()
    {
        QTest::addColumn<qint64>("span");
        for (qint64 span : {qint64(1), qint64(2), qint64(3), qint64(4), qint64(7), qint64(64), AuditLog::kVerifySpan})
            QTest::addRow("span %lld", span) << span;
    }
    void verifySpansAgreeWithWalkInOrder()
    {
        QFETCH(qint64, span);
        m_log->setVerifySpan(span);
        QVERIFY(!appendMany(30).isEmpty());
        auto report = m_log->verify();
        QVERIFY(report->intact);
        QCOMPARE(report->eventsChecked, 40);
        for (qint64 seq : {1, 7, 8, 9, 30}) {
            QVERIFY(sql(QStringLiteral("UPDATE audit_events SET actor_label = actor_label || 'x' WHERE org_id = ?"
                                       " AND seq = ?"),
                        {kOrgA, seq}));
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("audit chain broken")));
            report = m_log->verify(kOrgA);
            QVERIFY(!report->intact);
            QCOMPARE(report->firstBrokenSeq, seq);
            QCOMPARE(report->eventsChecked, seq - 1);
            QVERIFY(sql(QStringLiteral("UPDATE audit_events SET actor_label = substr(actor_label, 1,"
                                       " length(actor_label) - 1) WHERE org_id = ? AND seq = ?"),
                        {kOrgA, seq}));
            QVERIFY(m_log->verify(kOrgA)->intact);
        }
    }

    // Inside an open transaction, verify sees what that transaction wrote (the other connections would not).
    void verifyInsideTransactionSeesItsOwnEvents()
    {
        QVERIFY(!appendMany(6).isEmpty());
        store::Transaction tx(*m_db);
        QVERIFY(m_log->append(sampleEvent(kOrgA, 99)).ok());
        auto report = m_log->verify(kOrgA);
        QVERIFY(report->intact);
        QCOMPARE(report->eventsChecked, 7);
    }

    // A store written before migration 5 (audit rows in a rowid table with a unique index on id) moves to the lean
    // table with every row unchanged: the chain verifies, tampering still shows, and appends continue the chain.
    void oldStoreMigratesToLeanerAuditLog()
    {
        QTemporaryDir dir;
        const crypto::SecretBytes key(crypto::randomBytes(32));
        const QString path = dir.filePath(QStringLiteral("old.db"));
        QList<AuditEvent> written;
        {
            auto db = store::SqlCipherDatabase::open(path, key, store::SqlCipherDatabase::OpenMode::CreateIfMissing);
            QVERIFY(db.ok());
            QVERIFY(store::applyMigrations(**db, cloudMigrations(store::Backend::SqlCipher).mid(0, 4)).ok());
            QCOMPARE(*store::schemaVersion(**db), 4);
            AuditLog log(**db, *m_clock);
            store::Transaction tx(**db);
            for (int i = 0; i < 25; ++i) {
                m_clock->advance(1000);
                auto a = log.append(sampleEvent(i % 4 == 3 ? kOrgB : kOrgA, i));
                QVERIFY(a.ok());
                written << *a;
            }
            QVERIFY(tx.commit().ok());
        }
        auto db = store::SqlCipherDatabase::open(path, key, store::SqlCipherDatabase::OpenMode::OpenExisting);
        QVERIFY(db.ok());
        QVERIFY(store::applyMigrations(**db, cloudMigrations(store::Backend::SqlCipher)).ok());
        auto table = (*db)->query(QStringLiteral("SELECT sql FROM sqlite_master WHERE name = 'audit_events'"));
        QVERIFY(table.ok() && !table->empty());
        QVERIFY2(table->front().text(0).contains(QStringLiteral("WITHOUT ROWID")), qPrintable(table->front().text(0)));
        auto indexes = (*db)->query(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'index'"
                                                   " AND tbl_name = 'audit_events' ORDER BY name"));
        QVERIFY(indexes.ok());
        QStringList names;
        for (const auto& row : *indexes)
            names << row.text(0);
        QCOMPARE(names, QStringList {QStringLiteral("audit_time")});

        AuditLog log(**db, *m_clock);
        log.setVerifySpan(4);
        auto report = log.verify();
        QVERIFY(report->intact);
        QCOMPARE(report->eventsChecked, 25);
        for (const AuditEvent& e : written) {
            auto row = (*db)->query(QStringLiteral("SELECT id, hash, prev_hash FROM audit_events"
                                                   " WHERE org_id = ? AND seq = ?"),
                                    {e.orgId, e.seq});
            QVERIFY(row.ok() && !row->empty());
            QCOMPARE(row->front().text(0), e.id);
            QCOMPARE(row->front().blob(1), e.hash);
            QCOMPARE(row->front().blob(2), e.prevHash);
        }
        auto next = log.append(sampleEvent(kOrgA, 100));
        QVERIFY(next.ok());
        QCOMPARE(next->seq, 20);
        QVERIFY(log.verify()->intact);
        QVERIFY((*db)->exec(QStringLiteral("UPDATE audit_events SET outcome = CASE outcome WHEN 'success' THEN 'denied'"
                                           " ELSE 'success' END WHERE org_id = ? AND seq = 9"),
                            {kOrgA})
                    .ok());
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("audit chain broken")));
        report = log.verify();
        QVERIFY(!report->intact);
        QCOMPARE(report->firstBrokenSeq, 9);
    }

    void verifyCommand()
    {
        for (int i = 0; i < 6; ++i)
            QVERIFY(m_log->append(sampleEvent(i % 2 ? kOrgA : kOrgB, i)).ok());
        QString outText, errText;
        QTextStream out(&outText), err(&errText);
        QCOMPARE(runAuditVerify(*m_db, out, err, QString()), 0);
        QVERIFY2(outText.startsWith(QStringLiteral("audit chain intact: 6 events\n")), qPrintable(outText));
        QVERIFY(errText.isEmpty());

        outText.clear();
        QCOMPARE(runAuditVerify(*m_db, out, err, kOrgA), 0);
        QVERIFY(outText.startsWith(QStringLiteral("audit chain intact: 3 events\n")));
        QVERIFY(outText.contains(QString::fromLatin1(*m_log->head(kOrgA))));

        QVERIFY(sql(QStringLiteral("UPDATE audit_events SET actor_label = 'x' WHERE org_id = ? AND seq = 2"), {kOrgA}));
        outText.clear();
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("audit chain broken")));
        QCOMPARE(runAuditVerify(*m_db, out, err, QString()), 1);
        QVERIFY(outText.contains(QStringLiteral("BROKEN")));
        QVERIFY(outText.contains(kOrgA));
        QVERIFY(outText.contains(QStringLiteral("seq:     2")));
        QVERIFY(outText.contains(idAt(kOrgA, 2)));
        QVERIFY(outText.contains(QStringLiteral("hash does not match")));

        QVERIFY(sql(QStringLiteral("DROP TABLE audit_events")));
        outText.clear();
        QCOMPARE(runAuditVerify(*m_db, out, err, QString()), 2);
        QVERIFY(errText.contains(QStringLiteral("audit verify failed")));
    }

    void exportCommand_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<int>("lines");
        QTest::newRow("all") << ""
                             << "" << 0 << 4;
        QTest::newRow("range") << "2027-01-15T08:00:02Z"
                               << "2027-01-15T08:00:04.000Z" << 0 << 2;
        QTest::newRow("offset") << "2027-01-15T09:00:02+01:00"
                                << "" << 0 << 3;
        QTest::newRow("bad from") << "yesterday"
                                  << "" << 2 << 0;
        QTest::newRow("bad to") << ""
                                << "2027-13-01T00:00:00Z" << 2 << 0;
        QTest::newRow("inverted") << "2027-01-15T08:00:04Z"
                                  << "2027-01-15T08:00:02Z" << 2 << 0;
    }
    void exportCommand()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(int, exitCode);
        QFETCH(int, lines);
        m_clock->set(1'800'000'000'000); // 2027-01-15T08:00:00Z
        for (int i = 0; i < 4; ++i) {
            m_clock->advance(1000);
            QVERIFY(m_log->append(sampleEvent(kOrgA, i)).ok());
        }
        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        QString errText;
        QTextStream err(&errText);
        AuditExportOptions options;
        options.from = from;
        options.to = to;
        QCOMPARE(runAuditExport(*m_db, buffer, err, options), exitCode);
        QCOMPARE(int(buffer.data().count('\n')), lines);
        if (exitCode == 0)
            QCOMPARE(errText, QStringLiteral("exported %1 audit events\n").arg(lines));
        else
            QVERIFY(!errText.isEmpty());
    }

private:
    bool applyTamper(const QString& tamper);
};

// The tampering of tamperingIsDetected: plain SQL for a changed column, more for the rest.
bool TestAuditLog::applyTamper(const QString& tamper)
{
    const auto where = [](int seq) { return QStringLiteral(" WHERE org_id = 'org_a' AND seq = %1").arg(seq); };
    if (tamper.contains(QLatin1Char('=')))
        return sql(QStringLiteral("UPDATE audit_events SET ") + tamper + where(5));
    if (tamper == u"retype 3")
        return sql(QStringLiteral("UPDATE audit_events SET actor_label = 0") + where(3));
    if (tamper == u"delete 5")
        return sql(QStringLiteral("DELETE FROM audit_events") + where(5));
    if (tamper == u"delete 1")
        return sql(QStringLiteral("DELETE FROM audit_events") + where(1));
    if (tamper == u"delete 5 renumber")
        return sql(QStringLiteral("DELETE FROM audit_events") + where(5))
            && sql(QStringLiteral("UPDATE audit_events SET seq = seq + 100 WHERE org_id = 'org_a' AND seq > 5"))
            && sql(QStringLiteral("UPDATE audit_events SET seq = seq - 101 WHERE org_id = 'org_a' AND seq > 100"));
    if (tamper == u"swap seqs 4 7")
        return sql(QStringLiteral("UPDATE audit_events SET seq = -4") + where(4))
            && sql(QStringLiteral("UPDATE audit_events SET seq = 4") + where(7))
            && sql(QStringLiteral("UPDATE audit_events SET seq = 7") + where(-4));
    if (tamper.startsWith(u"swap contents")) {
        const QStringList parts = tamper.split(QLatin1Char(' '));
        const int a = parts.at(2).toInt();
        const int b = parts.at(3).toInt();
        const QString columns = QStringLiteral("id, occurred_at, actor_id, actor_label, action, target_type, "
                                               "target_id, tenant_id, source_address, outcome, details, prev_hash, "
                                               "hash");
        auto rowA = m_db->query(QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM audit_events") + where(a));
        auto rowB = m_db->query(QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM audit_events") + where(b));
        if (!rowA || !rowB)
            return false;
        const auto params = [](const store::Row& r) {
            store::Params p;
            for (int i = 0; i < r.size(); ++i)
                p << r.value(i);
            return p;
        };
        const QString set = QStringLiteral("UPDATE audit_events SET id = ?, occurred_at = ?, actor_id = ?, "
                                           "actor_label = ?, action = ?, target_type = ?, target_id = ?, "
                                           "tenant_id = ?, source_address = ?, outcome = ?, details = ?, "
                                           "prev_hash = ?, hash = ?");
        // ids are unique: park one first.
        return sql(QStringLiteral("UPDATE audit_events SET id = 'aud_parked'") + where(a))
            && sql(set + where(b), params(rowA->front())) && sql(set + where(a), params(rowB->front()));
    }
    if (tamper.startsWith(u"insert")) {
        AuditEvent forged = sampleEvent(kOrgA, 42);
        forged.id = ids::newId(u"aud");
        forged.occurredAt = m_clock->now();
        forged.actorId = QStringLiteral("prs_mallory");
        const QByteArray details = json::compact(forged.details);
        if (tamper == u"insert middle") {
            // A well-made forgery: renumber the rest and chain the new row properly onto event 5.
            if (!sql(QStringLiteral("UPDATE audit_events SET seq = seq + 100 WHERE org_id = 'org_a' AND seq > 5"))
                || !sql(QStringLiteral("UPDATE audit_events SET seq = seq - 99 WHERE org_id = 'org_a' AND seq > 100")))
                return false;
            forged.seq = 6;
            forged.prevHash = hashAt(kOrgA, 5);
            forged.hash = AuditLog::hashEvent(forged, details);
        } else if (tamper == u"insert zero") {
            forged.seq = 0;
            forged.prevHash = QByteArray(32, '\0');
            forged.hash = AuditLog::hashEvent(forged, details);
        } else {
            forged.seq = 11;
            forged.prevHash = hashAt(kOrgA, 10);
            forged.hash = crypto::randomBytes(32);
        }
        return sql(QStringLiteral("INSERT INTO audit_events (org_id, seq, id, occurred_at, actor_id, actor_label, "
                                  "action, target_type, target_id, tenant_id, source_address, outcome, details, "
                                  "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                   {forged.orgId, forged.seq, forged.id, forged.occurredAt, forged.actorId, forged.actorLabel,
                    forged.action, forged.targetType, forged.targetId, forged.tenantId, forged.sourceAddress,
                    forged.outcome, QString::fromUtf8(details), forged.prevHash, forged.hash});
    }
    if (tamper == u"first prev_hash")
        return sql(QStringLiteral("UPDATE audit_events SET prev_hash = randomblob(32)") + where(1));
    qWarning() << "unknown tampering" << tamper;
    return false;
}

QTEST_GUILESS_MAIN(TestAuditLog)
#include "TestAuditLog.moc"
