// SPDX-License-Identifier: GPL-3.0-or-later
// SqlCipherReplica: what is flushed comes back; the files hold no plaintext; a file the key does not open, a damaged
// one, one of a newer schema or of another person is replaced by an empty one (reported, never a crash); writes are
// one transaction per flush and stay pending (all of them) when a flush fails.
#include "client/SqlCipherReplica.h"
#include "store/SqlCipherDatabase.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace stint;
using client::SqlCipherReplica;

namespace {
const QString kOrigin = QStringLiteral("https://stint.example.net");
const QString kPerson = QStringLiteral("prs_ada");

crypto::SecretBytes randomKey()
{
    return crypto::SecretBytes(crypto::randomBytes(32));
}

// Long and random: ciphertext cannot contain it by chance.
QString marker()
{
    return QStringLiteral("marker-") + QString::fromLatin1(crypto::randomBytes(16).toHex());
}

std::unique_ptr<SqlCipherReplica> openOrFail(const QString& dir, const crypto::SecretBytes& key,
                                             const QString& person = kPerson, const QString& origin = kOrigin)
{
    auto r = SqlCipherReplica::open(dir, origin, person, key);
    if (!r) {
        qWarning() << r.error().code << r.error().message;
        return nullptr;
    }
    return std::move(r).value();
}

QJsonObject checkout(const QString& id, const QString& state, const QString& note = {})
{
    return {{QStringLiteral("id"), id}, {QStringLiteral("state"), state}, {QStringLiteral("note"), note}};
}

QByteArray allFileBytes(const QString& dir)
{
    QByteArray all;
    for (const QFileInfo& info : QDir(dir).entryInfoList(QDir::Files | QDir::Hidden)) {
        QFile f(info.filePath());
        if (f.open(QIODevice::ReadOnly))
            all += f.readAll();
    }
    return all;
}

qint64 rowCount(const QString& path, const crypto::SecretBytes& key)
{
    auto db = store::SqlCipherDatabase::open(path, key, store::SqlCipherDatabase::OpenMode::OpenExisting);
    if (!db)
        return -1;
    auto rows = (*db)->query(QStringLiteral("SELECT COUNT(*) FROM replica_objects"));
    return rows ? rows->front().integer(0) : -1;
}

bool writeAt(const QString& path, qint64 offset, const QByteArray& bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite) || !f.seek(offset))
        return false;
    return f.write(bytes) == bytes.size();
}
} // namespace

class TestReplica : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        const auto key = randomKey();
        const QJsonObject me {{QStringLiteral("person"), QJsonObject {{QStringLiteral("id"), kPerson}}},
                              {QStringLiteral("roles"), QJsonArray {1, 2, 3}}};
        {
            auto replica = openOrFail(dir.path(), key);
            QVERIFY(replica);
            QVERIFY(!replica->replacedBecause());
            auto empty = replica->load();
            QVERIFY(empty.ok());
            QVERIFY(!empty->me);
            QVERIFY(empty->objects.isEmpty());
            QCOMPARE(empty->lastSeq, 0);

            replica->setMe(me);
            replica->put(QStringLiteral("checkout"), QStringLiteral("chk_2"),
                         checkout(QStringLiteral("chk_2"), QStringLiteral("ready")));
            replica->put(QStringLiteral("checkout"), QStringLiteral("chk_1"),
                         checkout(QStringLiteral("chk_1"), QStringLiteral("ended")));
            replica->put(QStringLiteral("tenant"), QStringLiteral("ten_1"),
                         {{QStringLiteral("id"), QStringLiteral("ten_1")}});
            replica->setLastSeq(42, 1'800'000'000'123);
            QVERIFY(replica->flush().ok());
        }
        auto replica = openOrFail(dir.path(), key);
        QVERIFY(replica);
        QVERIFY(!replica->replacedBecause());
        auto s = replica->load();
        QVERIFY(s.ok());
        QVERIFY(s->me);
        QCOMPARE(*s->me, me);
        QCOMPARE(s->lastSeq, 42);
        QCOMPARE(s->syncedAt, 1'800'000'000'123);
        QCOMPARE(s->objects.size(), 2);
        const auto checkouts = s->objects.value(QStringLiteral("checkout"));
        QCOMPARE(checkouts.size(), 2);
        QCOMPARE(checkouts.at(0), checkout(QStringLiteral("chk_1"), QStringLiteral("ended"))); // by id
        QCOMPARE(checkouts.at(1), checkout(QStringLiteral("chk_2"), QStringLiteral("ready")));
        QCOMPARE(s->objects.value(QStringLiteral("tenant")).size(), 1);
    }

    void changesWithinAndAcrossBatches()
    {
        QTemporaryDir dir;
        auto replica = openOrFail(dir.path(), randomKey());
        QVERIFY(replica);
        const QString c = QStringLiteral("checkout");
        const QString t = QStringLiteral("tenant");
        replica->put(c, QStringLiteral("a"), checkout(QStringLiteral("a"), QStringLiteral("ready")));
        replica->put(c, QStringLiteral("b"), checkout(QStringLiteral("b"), QStringLiteral("ready")));
        replica->put(t, QStringLiteral("t1"), {{QStringLiteral("id"), QStringLiteral("t1")}});
        QVERIFY(replica->flush().ok());

        // In one batch: a put then a remove of the same object removes it; a remove then a put keeps the put.
        replica->put(c, QStringLiteral("x"), checkout(QStringLiteral("x"), QStringLiteral("ready")));
        replica->remove(c, QStringLiteral("x"));
        replica->remove(c, QStringLiteral("a"));
        replica->put(c, QStringLiteral("a"), checkout(QStringLiteral("a"), QStringLiteral("ended")));
        replica->remove(c, QStringLiteral("b"));
        QVERIFY(replica->flush().ok());
        auto s = replica->load();
        QVERIFY(s.ok());
        QCOMPARE(s->objects.value(c), QList<QJsonObject> {checkout(QStringLiteral("a"), QStringLiteral("ended"))});

        // replaceAll drops what the kind held (other kinds untouched); puts after it in the same batch stay.
        replica->replaceAll(c, {{QStringLiteral("n1"), checkout(QStringLiteral("n1"), QStringLiteral("ready"))}});
        replica->put(c, QStringLiteral("n2"), checkout(QStringLiteral("n2"), QStringLiteral("ready")));
        replica->remove(c, QStringLiteral("n1"));
        QVERIFY(replica->flush().ok());
        s = replica->load();
        QCOMPARE(s->objects.value(c), QList<QJsonObject> {checkout(QStringLiteral("n2"), QStringLiteral("ready"))});
        QCOMPARE(s->objects.value(t).size(), 1);

        replica->replaceAll(c, {});
        QVERIFY(replica->flush().ok());
        QVERIFY(!replica->load()->objects.contains(c));
    }

    void manyWritesOneTransaction()
    {
        QTemporaryDir dir;
        const auto key = randomKey();
        auto replica = openOrFail(dir.path(), key);
        QVERIFY(replica);
        const int before = replica->committedBatches();
        const int n = 2000;
        for (int i = 0; i < n; ++i) {
            const QString id = QStringLiteral("chk_%1").arg(i);
            replica->put(QStringLiteral("checkout"), id,
                         checkout(id, QStringLiteral("ready"), QString(200, QLatin1Char('x'))));
            replica->setLastSeq(i + 1, 1000 + i);
        }
        QVERIFY(replica->hasPendingWrites());
        // Nothing reaches the file before flush().
        QCOMPARE(rowCount(replica->path(), key), 0);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(replica->flush().ok());
        const qint64 ms = timer.elapsed();
        QCOMPARE(replica->committedBatches(), before + 1);
        QVERIFY(!replica->hasPendingWrites());
        QCOMPARE(rowCount(replica->path(), key), n);
        QCOMPARE(replica->load()->lastSeq, n);
        qInfo("%d puts committed in one transaction in %lld ms", n, ms);
        // An empty flush commits nothing.
        QVERIFY(replica->flush().ok());
        QCOMPARE(replica->committedBatches(), before + 1);
    }

    void failedFlushKeepsTheWholeBatch()
    {
        QTemporaryDir dir;
        const auto key = randomKey();
        auto replica = openOrFail(dir.path(), key);
        QVERIFY(replica);
        replica->put(QStringLiteral("checkout"), QStringLiteral("a"),
                     checkout(QStringLiteral("a"), QStringLiteral("ready")));
        replica->setLastSeq(7, 1);
        {
            // Another connection holds the write lock: the flush fails (after the busy timeout) and writes nothing.
            auto other = store::SqlCipherDatabase::open(replica->path(), key,
                                                        store::SqlCipherDatabase::OpenMode::OpenExisting);
            QVERIFY(other.ok());
            QVERIFY((*other)->begin().ok());
            auto failed = replica->flush();
            QVERIFY(!failed.ok());
            QCOMPARE(failed.error().code, QStringLiteral("store.busy"));
            QVERIFY(replica->hasPendingWrites());
            (*other)->rollback();
        }
        QCOMPARE(rowCount(replica->path(), key), 0);
        replica->put(QStringLiteral("checkout"), QStringLiteral("b"),
                     checkout(QStringLiteral("b"), QStringLiteral("ready")));
        QVERIFY(replica->flush().ok());
        auto s = replica->load();
        QCOMPARE(s->objects.value(QStringLiteral("checkout")).size(), 2);
        QCOMPARE(s->lastSeq, 7);
    }

    void filesHoldNoPlaintext()
    {
        QTemporaryDir dir;
        const QString secretish = marker();
        const QString person = QStringLiteral("prs_") + marker();
        const QString origin = QStringLiteral("https://") + marker() + QStringLiteral(".example");
        auto replica = openOrFail(dir.path(), randomKey(), person, origin);
        QVERIFY(replica);
        replica->setMe({{QStringLiteral("displayName"), secretish}});
        for (int i = 0; i < 50; ++i)
            replica->put(QStringLiteral("checkout"), QStringLiteral("c%1").arg(i),
                         checkout(QStringLiteral("c%1").arg(i), QStringLiteral("ready"), secretish));
        QVERIFY(replica->flush().ok());
        auto check = [&]() {
            const QByteArray bytes = allFileBytes(dir.path());
            QVERIFY(bytes.size() > 4096);
            for (const QString& text :
                 {secretish, person, origin, QStringLiteral("replica_objects"), QStringLiteral("checkout")})
                QVERIFY2(!bytes.contains(text.toUtf8()), qPrintable(text));
            QVERIFY(!bytes.startsWith("SQLite format 3"));
            for (const QString& name : QDir(dir.path()).entryList(QDir::Files))
                QVERIFY(!name.contains(person) && !name.contains(QStringLiteral("example")));
        };
        check(); // while open: the WAL holds the batch
        replica.reset();
        check(); // closed
    }

    void wrongKeyStartsAfresh()
    {
        QTemporaryDir dir;
        const auto oldKey = randomKey();
        {
            auto replica = openOrFail(dir.path(), oldKey);
            replica->put(QStringLiteral("tenant"), QStringLiteral("t"), {{QStringLiteral("id"), QStringLiteral("t")}});
            replica->setLastSeq(5, 1);
            QVERIFY(replica->flush().ok());
        }
        const auto newKey = randomKey();
        {
            auto replica = openOrFail(dir.path(), newKey);
            QVERIFY(replica);
            QVERIFY(replica->replacedBecause());
            QCOMPARE(replica->replacedBecause()->code, QStringLiteral("replica.wrong_key"));
            auto s = replica->load();
            QVERIFY(s.ok());
            QVERIFY(s->objects.isEmpty());
            QCOMPARE(s->lastSeq, 0);
            replica->setLastSeq(9, 2);
            QVERIFY(replica->flush().ok());
        }
        auto again = openOrFail(dir.path(), newKey);
        QVERIFY(again);
        QVERIFY(!again->replacedBecause());
        QCOMPARE(again->load()->lastSeq, 9);
        QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("*.db")}, QDir::Files).size(), 1);
    }

    void damagedFileStartsAfresh_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::newRow("a flipped byte in a late page") << QStringLiteral("flip");
        QTest::newRow("cut in half") << QStringLiteral("truncate");
        QTest::newRow("the first page overwritten") << QStringLiteral("header");
        QTest::newRow("not a database at all") << QStringLiteral("garbage");
        QTest::newRow("a directory where the file should be") << QStringLiteral("directory");
    }
    void damagedFileStartsAfresh()
    {
        QFETCH(QString, damage);
        QTemporaryDir dir;
        const auto key = randomKey();
        QString path;
        {
            auto replica = openOrFail(dir.path(), key);
            QVERIFY(replica);
            path = replica->path();
            for (int i = 0; i < 300; ++i)
                replica->put(QStringLiteral("checkout"), QString::number(i),
                             checkout(QString::number(i), QStringLiteral("ready"), QString(100, QLatin1Char('y'))));
            replica->setLastSeq(3, 1);
            QVERIFY(replica->flush().ok());
        }
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")) || QFileInfo(path + QStringLiteral("-wal")).size() == 0);
        const qint64 size = QFileInfo(path).size();
        QVERIFY(size > 8 * 4096);
        if (damage == QLatin1String("flip")) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY(f.seek(size - 4096 - 100));
            char c = 0;
            QVERIFY(f.getChar(&c));
            f.close();
            QVERIFY(writeAt(path, size - 4096 - 100, QByteArray(1, char(c ^ 0x5a))));
        } else if (damage == QLatin1String("truncate")) {
            QVERIFY(QFile::resize(path, size / 2));
        } else if (damage == QLatin1String("header")) {
            QVERIFY(writeAt(path, 0, QByteArray(4096, '\0')));
        } else if (damage == QLatin1String("garbage")) {
            QVERIFY(QFile::remove(path));
            QVERIFY(writeAt(path, 0, QByteArray(3 * 4096, 'g')));
        }

        if (damage == QLatin1String("directory")) {
            QVERIFY(QFile::remove(path));
            QVERIFY(QDir().mkpath(path + QStringLiteral("/inside")));
            auto refused = SqlCipherReplica::open(dir.path(), kOrigin, kPerson, key);
            QVERIFY(!refused.ok());
            QCOMPARE(refused.error().code, QStringLiteral("replica.open_failed"));
            QVERIFY(QFileInfo(path + QStringLiteral("/inside")).isDir()); // not ours to delete
            return;
        }
        auto replica = openOrFail(dir.path(), key);
        QVERIFY(replica);
        QVERIFY(replica->replacedBecause());
        QVERIFY2(replica->replacedBecause()->code == QLatin1String("replica.damaged")
                     || replica->replacedBecause()->code == QLatin1String("replica.wrong_key"),
                 qPrintable(replica->replacedBecause()->code));
        auto s = replica->load();
        QVERIFY(s.ok());
        QVERIFY(s->objects.isEmpty());
        QCOMPARE(s->lastSeq, 0);
        replica->put(QStringLiteral("tenant"), QStringLiteral("t"), {{QStringLiteral("id"), QStringLiteral("t")}});
        QVERIFY(replica->flush().ok());
        QCOMPARE(replica->load()->objects.value(QStringLiteral("tenant")).size(), 1);
    }

    void newerSchemaStartsAfresh()
    {
        QTemporaryDir dir;
        const auto key = randomKey();
        QString path;
        {
            auto replica = openOrFail(dir.path(), key);
            path = replica->path();
            replica->setLastSeq(4, 1);
            QVERIFY(replica->flush().ok());
        }
        {
            auto db = store::SqlCipherDatabase::open(path, key, store::SqlCipherDatabase::OpenMode::OpenExisting);
            QVERIFY(db.ok());
            QVERIFY((*db)->exec(QStringLiteral("INSERT INTO schema_migrations VALUES (2, 'from the future', 0)")).ok());
        }
        auto replica = openOrFail(dir.path(), key);
        QVERIFY(replica);
        QCOMPARE(replica->replacedBecause()->code, QStringLiteral("replica.schema_too_new"));
        QCOMPARE(replica->load()->lastSeq, 0);
    }

    void anotherPersonsFileStartsAfresh()
    {
        QTemporaryDir dir;
        const auto key = randomKey();
        QString adaPath;
        {
            auto ada = openOrFail(dir.path(), key, QStringLiteral("prs_ada"));
            adaPath = ada->path();
            ada->setMe({{QStringLiteral("who"), QStringLiteral("ada")}});
            QVERIFY(ada->flush().ok());
        }
        // Someone copies Ada's file (with Ada's key) to where Bob's would be.
        const QString bobPath = dir.filePath(SqlCipherReplica::fileName(kOrigin, QStringLiteral("prs_bob")));
        QVERIFY(QFile::copy(adaPath, bobPath));
        auto bob = openOrFail(dir.path(), key, QStringLiteral("prs_bob"));
        QVERIFY(bob);
        QCOMPARE(bob->replacedBecause()->code, QStringLiteral("replica.not_ours"));
        QVERIFY(!bob->load()->me);
    }

    void oneFilePerOriginAndPerson()
    {
        QTemporaryDir dir;
        const auto key = randomKey();
        QSet<QString> paths;
        for (const auto& [origin, person] :
             {std::pair {kOrigin, kPerson}, std::pair {kOrigin, QStringLiteral("prs_bob")},
              std::pair {QStringLiteral("https://other.example"), kPerson}}) {
            auto replica = openOrFail(dir.path(), key, person, origin);
            QVERIFY(replica);
            replica->setMe({{QStringLiteral("origin"), origin}, {QStringLiteral("person"), person}});
            QVERIFY(replica->flush().ok());
            paths.insert(replica->path());
        }
        QCOMPARE(paths.size(), 3);
        auto bob = openOrFail(dir.path(), key, QStringLiteral("prs_bob"));
        QCOMPARE(bob->load()->me->value(QStringLiteral("person")).toString(), QStringLiteral("prs_bob"));
        QCOMPARE(SqlCipherReplica::fileName(kOrigin, kPerson), SqlCipherReplica::fileName(kOrigin, kPerson));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        QVERIFY(SqlCipherReplica::fileName(QStringLiteral("ab"), QStringLiteral("c"))
                != SqlCipherReplica::fileName(QStringLiteral("a"), QStringLiteral("bc")));
    }

    void badInputIsRefused()
    {
        QTemporaryDir dir;
        auto shortKey = SqlCipherReplica::open(dir.path(), kOrigin, kPerson, crypto::SecretBytes(QByteArray(16, 'k')));
        QCOMPARE(shortKey.error().code, QStringLiteral("store.bad_key"));
        QVERIFY(QDir(dir.path()).isEmpty());

        // The directory cannot be made: a file is in the way.
        const QString blocker = dir.filePath(QStringLiteral("file"));
        QVERIFY(writeAt(blocker, 0, "x"));
        auto noDir = SqlCipherReplica::open(blocker + QStringLiteral("/cache"), kOrigin, kPerson, randomKey());
        QCOMPARE(noDir.error().code, QStringLiteral("replica.open_failed"));
    }

    void directoryIsPrivate()
    {
        QTemporaryDir dir;
        const QString cache = dir.filePath(QStringLiteral("a/b/cache"));
        auto replica = openOrFail(cache, randomKey());
        QVERIFY(replica);
        QCOMPARE(QFileInfo(cache).permissions()
                     & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup
                        | QFileDevice::WriteOther | QFileDevice::ExeGroup | QFileDevice::ExeOther),
                 QFileDevice::Permissions());
        QVERIFY(QFileInfo(replica->path()).absolutePath() == QFileInfo(cache).absoluteFilePath());
    }

    void clearForgetsEverything()
    {
        QTemporaryDir dir;
        const auto key = randomKey();
        const QString text = marker();
        {
            auto replica = openOrFail(dir.path(), key);
            replica->setMe({{QStringLiteral("x"), text}});
            replica->put(QStringLiteral("checkout"), QStringLiteral("a"),
                         checkout(QStringLiteral("a"), QStringLiteral("ready"), text));
            replica->setLastSeq(11, 1);
            QVERIFY(replica->flush().ok());
            replica->put(QStringLiteral("checkout"), QStringLiteral("b"),
                         checkout(QStringLiteral("b"), QStringLiteral("ready"))); // pending
            QVERIFY(replica->clear().ok());
            QVERIFY(!replica->hasPendingWrites());
            auto s = replica->load();
            QVERIFY(!s->me);
            QVERIFY(s->objects.isEmpty());
            QCOMPARE(s->lastSeq, 0);
        }
        auto replica = openOrFail(dir.path(), key);
        QVERIFY(!replica->replacedBecause()); // still our file, just empty
        auto s = replica->load();
        QVERIFY(!s->me);
        QVERIFY(s->objects.isEmpty());
        QCOMPARE(s->lastSeq, 0);
    }

    void pendingWritesAreFlushedOnDestruction()
    {
        QTemporaryDir dir;
        const auto key = randomKey();
        {
            auto replica = openOrFail(dir.path(), key);
            replica->setLastSeq(21, 1);
        }
        QCOMPARE(openOrFail(dir.path(), key)->load()->lastSeq, 21);
    }
};

QTEST_GUILESS_MAIN(TestReplica)
#include "TestReplica.moc"
