// SPDX-License-Identifier: GPL-3.0-or-later
// The store's page cryptography (store/SqlCipherPageCrypto) against an independent peer: the sqlcipher command line,
// a separate process with SQLCipher's own OpenSSL provider. Each must read what the other wrote, at the current page
// size and at the one stores made before issue 10 use.
#include "core/Crypto.h"
#include "store/SqlCipherDatabase.h"
#include "store/SqlCipherPageCrypto.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace stint;
using store::SqlCipherDatabase;

namespace {

struct CliResult
{
    bool ran = false;
    QString out;
    QString err;
};

// Runs SQL in the sqlcipher command line on `path`, keyed with `key` (raw) and the given page size.
CliResult runCli(const QString& path, const crypto::SecretBytes& key, int pageSize, const QString& sql)
{
    CliResult r;
    const QString cli = QStandardPaths::findExecutable(QStringLiteral("sqlcipher"));
    if (cli.isEmpty()) {
        r.err = QStringLiteral("the sqlcipher command line is not installed (scripts/setup.sh installs it)");
        return r;
    }
    QProcess p;
    p.start(cli, {QStringLiteral("-batch"), path});
    if (!p.waitForStarted(30000)) {
        r.err = p.errorString();
        return r;
    }
    // The key goes in on standard input, never on the command line.
    QByteArray script = "PRAGMA key = \"x'" + key.bytes().toHex() + "'\";\n";
    script += "PRAGMA cipher_page_size = " + QByteArray::number(pageSize) + ";\n";
    script += sql.toUtf8() + "\n.quit\n";
    p.write(script);
    crypto::wipe(script);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        r.err = QStringLiteral("the sqlcipher command line did not finish");
        return r;
    }
    r.ran = p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    r.out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    r.err = QString::fromUtf8(p.readAllStandardError()).trimmed();
    return r;
}

// A digest of the table's rows as both sides compute it: count, total length, and the hex of three rows spread over
// the pages.
const QString kDigestSql = QStringLiteral(
    "SELECT count(*) || ':' || sum(length(b)) || ':' || (SELECT hex(b) FROM t WHERE id = 1) || ':' ||"
    " (SELECT hex(b) FROM t WHERE id = 777) || ':' || (SELECT hex(b) FROM t WHERE id = (SELECT max(id) FROM t))"
    " FROM t;");

QString storeDigest(store::Database& db)
{
    auto rows = db.query(kDigestSql.chopped(1));
    if (!rows || rows->size() != 1)
        return QStringLiteral("(query failed)");
    return rows->front().text(0);
}

crypto::SecretBytes randomKey()
{
    return crypto::SecretBytes(crypto::randomBytes(32));
}

} // namespace

class TestPageCrypto : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void installsOnThisSqlCipher()
    {
        // Debian 12's SQLCipher 3.4.1 is what it was written for; on another, the store still works, slower, and this
        // test says so.
        QVERIFY(store::installPageCrypto());
        QVERIFY(store::installPageCrypto()); // the first call decides; later ones agree
    }

    void commandLineReadsWhatTheStoreWrote()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ours.db"));
        const auto key = randomKey();
        QString ours;
        {
            auto db = SqlCipherDatabase::open(path, key, SqlCipherDatabase::OpenMode::CreateIfMissing);
            QVERIFY(db);
            QCOMPARE((*db)->pageSize(), SqlCipherDatabase::kPageSize);
            QVERIFY((*db)->exec(QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")).ok());
            store::Transaction tx(**db);
            QVERIFY(tx.started().ok());
            for (qint64 i = 1; i <= 3000; ++i) // about 400 pages of random bytes
                QVERIFY((*db)->exec(QStringLiteral("INSERT INTO t VALUES (?, ?)"),
                                    {i, crypto::randomBytes(int(100 + i % 200))})
                            .ok());
            QVERIFY(tx.commit().ok());
            ours = storeDigest(**db);
            QVERIFY(ours.startsWith(QLatin1String("3000:")));
        }
        const CliResult cli = runCli(path, key, SqlCipherDatabase::kPageSize, kDigestSql);
        QVERIFY2(cli.ran, qPrintable(cli.err));
        QCOMPARE(cli.out, ours);
        // The same file with the older page size is refused by the command line: the page size is really 8 KiB.
        const CliResult wrongSize = runCli(path, key, SqlCipherDatabase::kOlderPageSize, kDigestSql);
        QVERIFY(!wrongSize.ran || !wrongSize.err.isEmpty());
    }

    void storeReadsAndWritesWhatTheCommandLineWrote_data()
    {
        QTest::addColumn<int>("pageSize");
        QTest::newRow("older 4 KiB store") << SqlCipherDatabase::kOlderPageSize;
        QTest::newRow("current 8 KiB store") << SqlCipherDatabase::kPageSize;
    }

    void storeReadsAndWritesWhatTheCommandLineWrote()
    {
        QFETCH(int, pageSize);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("theirs.db"));
        const auto key = randomKey();
        const CliResult made = runCli(
            path, key, pageSize,
            QStringLiteral("PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB);"
                           " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
                           " INSERT INTO t SELECT i, randomblob(100 + i % 200) FROM n;")
                + kDigestSql);
        QVERIFY2(made.ran, qPrintable(made.err));
        const QString theirs = made.out.section(QLatin1Char('\n'), -1); // after journal_mode's "wal"
        QVERIFY(theirs.startsWith(QLatin1String("3000:")));

        auto db = SqlCipherDatabase::open(path, key, SqlCipherDatabase::OpenMode::OpenExisting);
        QVERIFY(db);
        QCOMPARE((*db)->pageSize(), pageSize);
        QCOMPARE(storeDigest(**db), theirs);
        // Pages this side encrypts (new IVs from the pool, its HMACs) are read back by the command line.
        QVERIFY((*db)->exec(QStringLiteral("UPDATE t SET b = ? WHERE id = 777"), {QByteArray(300, 'z')}).ok());
        QVERIFY((*db)->exec(QStringLiteral("INSERT INTO t VALUES (?, ?)"), {qint64(3001), crypto::randomBytes(250)}).ok());
        const QString ours = storeDigest(**db);
        QVERIFY(ours.startsWith(QLatin1String("3001:")));
        // A reader opened from this store keeps its page size.
        auto reader = (*db)->openReader();
        QVERIFY(reader);
        QCOMPARE(storeDigest(**reader), ours);
        reader->reset();
        db->reset();
        const CliResult read = runCli(path, key, pageSize, kDigestSql);
        QVERIFY2(read.ran, qPrintable(read.err));
        QCOMPARE(read.out, ours);
    }

    void backupOfAnOlderStoreHasTheCurrentPageSize()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.db"));
        const QString copy = dir.filePath(QStringLiteral("copy.db"));
        const auto key = randomKey();
        const CliResult made = runCli(path, key, SqlCipherDatabase::kOlderPageSize,
                                      QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB);"
                                                     " INSERT INTO t VALUES (1, x'00ff'), (777, x'01'), (900, x'02');"));
        QVERIFY2(made.ran, qPrintable(made.err));
        QString before;
        {
            auto db = SqlCipherDatabase::open(path, key, SqlCipherDatabase::OpenMode::OpenExisting);
            QVERIFY(db);
            QCOMPARE((*db)->pageSize(), SqlCipherDatabase::kOlderPageSize);
            before = storeDigest(**db);
            QVERIFY((*db)->backupTo(copy).ok());
        }
        auto restored = SqlCipherDatabase::open(copy, key, SqlCipherDatabase::OpenMode::OpenExisting);
        QVERIFY(restored);
        QCOMPARE((*restored)->pageSize(), SqlCipherDatabase::kPageSize);
        QCOMPARE(storeDigest(**restored), before);
    }

    void wrongKeyOpensWithNeitherPageSize()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.db"));
        {
            auto db = SqlCipherDatabase::open(path, randomKey(), SqlCipherDatabase::OpenMode::CreateIfMissing);
            QVERIFY(db);
            QVERIFY((*db)->exec(QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY)")).ok());
        }
        auto other = SqlCipherDatabase::open(path, randomKey(), SqlCipherDatabase::OpenMode::OpenExisting);
        QVERIFY(!other);
        QCOMPARE(other.error().code, QStringLiteral("store.wrong_key"));
    }
};

QTEST_GUILESS_MAIN(TestPageCrypto)
#include "TestPageCrypto.moc"
