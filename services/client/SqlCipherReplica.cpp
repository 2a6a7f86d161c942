// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/SqlCipherReplica.h"

#include "store/Migrations.h"
#include "store/SqlCipherDatabase.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcReplica, "stint.client.sqlcipherreplica")

namespace stint::client {

namespace {
const QString kMetaMe = QStringLiteral("me");
const QString kMetaLastSeq = QStringLiteral("last_seq");
const QString kMetaSyncedAt = QStringLiteral("synced_at");
const QString kMetaOrigin = QStringLiteral("cloud_origin");
const QString kMetaPerson = QStringLiteral("person_id");

// Released migrations are never edited; a change of shape is a new step.
const QList<store::Migration>& replicaMigrations()
{
    static const QList<store::Migration> migrations {
        {1,
         QStringLiteral("replica"),
         {QStringLiteral("CREATE TABLE replica_meta (key TEXT PRIMARY KEY, value)"),
          QStringLiteral("CREATE TABLE replica_objects (kind TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, "
                         "PRIMARY KEY (kind, id)) WITHOUT ROWID")}},
    };
    return migrations;
}

// Codes of a file that is thrown away and started afresh.
constexpr auto kWrongKey = "replica.wrong_key";
constexpr auto kDamaged = "replica.damaged";
constexpr auto kSchemaTooNew = "replica.schema_too_new";
constexpr auto kNotOurs = "replica.not_ours";
constexpr auto kOpenFailed = "replica.open_failed";

// Why the saved data cannot be used reaches people (the shell's notice), so it is translated.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(stint::client::SqlCipherReplica)
};

QString compactJson(const QJsonObject& o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

std::optional<QJsonObject> parseObject(const QString& text)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

bool removeWithCompanions(const QString& path)
{
    bool ok = true;
    for (const QString& suffix :
         {QString(), QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral("-journal")}) {
        const QString file = path + suffix;
        if (QFile::exists(file) && !QFile::remove(file))
            ok = false;
    }
    return ok;
}
} // namespace

QString SqlCipherReplica::fileName(const QString& cloudOrigin, const QString& personId)
{
    const QByteArray identity = cloudOrigin.toUtf8() + '\0' + personId.toUtf8();
    return QStringLiteral("replica-") + QString::fromLatin1(crypto::sha256(identity).toHex().left(32))
        + QStringLiteral(".db");
}

Result<std::unique_ptr<SqlCipherReplica>> SqlCipherReplica::open(const QString& directory, const QString& cloudOrigin,
                                                                 const QString& personId,
                                                                 const crypto::SecretBytes& key)
{
    if (key.size() != 32)
        return makeError(QStringLiteral("store.bad_key"), QStringLiteral("The replica key must be 256 bits."));
    if (directory.isEmpty() || !QDir().mkpath(directory))
        return makeError(QString::fromLatin1(kOpenFailed),
                         Tr::tr("Cannot create the folder for the local cache (%1).").arg(directory));
    // The folder holds only ciphertext, but who uses the app when is nobody else's business either.
    QFile::setPermissions(directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    std::unique_ptr<SqlCipherReplica> replica(
        new SqlCipherReplica(QDir(directory).filePath(fileName(cloudOrigin, personId)), cloudOrigin, personId,
                             crypto::SecretBytes(QByteArray(key.bytes().constData(), key.size()))));
    STINT_TRY(replica->openFile());
    return replica;
}

SqlCipherReplica::SqlCipherReplica(QString path, QString cloudOrigin, QString personId, crypto::SecretBytes key)
    : m_path(std::move(path))
    , m_origin(std::move(cloudOrigin))
    , m_personId(std::move(personId))
    , m_key(std::move(key))
{
}

SqlCipherReplica::~SqlCipherReplica()
{
    if (m_db && hasPendingWrites()) {
        if (auto r = commitPending(); !r)
            qCWarning(lcReplica) << "the last changes to the local cache were not written:" << r.error().message;
    }
}

// --- the file ---

Result<void> SqlCipherReplica::openFile()
{
    auto db = store::SqlCipherDatabase::open(m_path, m_key, store::SqlCipherDatabase::OpenMode::CreateIfMissing);
    if (!db) {
        if (db.error().code == QLatin1String("store.wrong_key"))
            return replaceFile(makeError(QString::fromLatin1(kWrongKey),
                                         Tr::tr("The local cache cannot be opened with its key (the key was "
                                                "lost or replaced, or the file is not a cache).")));
        // A file is there but unusable (cut short, unreadable): a cache, so start afresh. Anything else (a folder in
        // the way, no permission to create) is not ours to remove.
        if (QFileInfo(m_path).isFile())
            return replaceFile(makeError(QString::fromLatin1(kDamaged),
                                         Tr::tr("The local cache cannot be read: %1").arg(db.error().message)));
        return makeError(QString::fromLatin1(kOpenFailed),
                         Tr::tr("The local cache cannot be opened: %1").arg(db.error().message));
    }
    m_db = std::move(db).value();
    if (auto checked = checkFile(); !checked) {
        if (checked.error().code == QLatin1String(kOpenFailed)) {
            m_db.reset();
            return checked.error();
        }
        return replaceFile(checked.error());
    }
    return {};
}

// Throws the file away and starts an empty one. What was pending belonged to the old file's state: it goes too, so
// the new file never holds a sequence number without the objects that go with it.
Result<void> SqlCipherReplica::replaceFile(const Error& reason)
{
    qCWarning(lcReplica).noquote() << "the local cache was replaced by an empty one:" << reason.code << "-"
                                   << reason.message;
    m_db.reset();
    m_pendingMe.reset();
    m_pendingKinds.clear();
    m_pendingSeq.reset();
    if (!removeWithCompanions(m_path))
        return makeError(QString::fromLatin1(kOpenFailed),
                         Tr::tr("The damaged local cache %1 cannot be removed.").arg(m_path));
    m_replacedBecause = reason;
    auto db = store::SqlCipherDatabase::open(m_path, m_key, store::SqlCipherDatabase::OpenMode::CreateIfMissing);
    if (!db)
        return makeError(QString::fromLatin1(kOpenFailed),
                         Tr::tr("A new local cache cannot be created: %1").arg(db.error().message));
    m_db = std::move(db).value();
    if (auto checked = checkFile(); !checked) {
        m_db.reset();
        return makeError(QString::fromLatin1(kOpenFailed),
                         Tr::tr("A new local cache cannot be set up: %1").arg(checked.error().message));
    }
    return {};
}

// Everything that makes an opened file usable: settings, a whole and readable file, our schema, our person.
Result<void> SqlCipherReplica::checkFile()
{
    for (const QString& pragma :
         {QStringLiteral("PRAGMA synchronous=NORMAL"), QStringLiteral("PRAGMA secure_delete=ON")}) {
        if (auto r = m_db->exec(pragma); !r)
            return makeError(QString::fromLatin1(kOpenFailed), r.error().message);
    }
    // Reads every page, so a damaged one (SQLCipher checks each page's HMAC) shows now, not in the middle of a sync.
    auto check = m_db->query(QStringLiteral("PRAGMA quick_check"));
    if (!check || check->empty() || check->front().text(0) != QLatin1String("ok"))
        return makeError(QString::fromLatin1(kDamaged), Tr::tr("The local cache is damaged."));
    auto migrated = store::applyMigrations(*m_db, replicaMigrations());
    if (!migrated) {
        if (migrated.error().code == QLatin1String("store.schema_too_new"))
            return makeError(QString::fromLatin1(kSchemaTooNew),
                             Tr::tr("The local cache was written by a newer version of Stint."));
        return makeError(QString::fromLatin1(kDamaged),
                         Tr::tr("The local cache cannot be set up: %1").arg(migrated.error().message));
    }
    auto identity = m_db->query(QStringLiteral("SELECT key, value FROM replica_meta WHERE key IN (?, ?)"),
                                {kMetaOrigin, kMetaPerson});
    if (!identity)
        return makeError(QString::fromLatin1(kDamaged), identity.error().message);
    if (identity->empty()) {
        store::Transaction tx(*m_db);
        STINT_TRY(tx.started());
        for (const auto& [key, value] : {std::pair {kMetaOrigin, m_origin}, std::pair {kMetaPerson, m_personId}})
            STINT_TRY(m_db->exec(QStringLiteral("INSERT INTO replica_meta (key, value) VALUES (?, ?)"), {key, value}));
        STINT_TRY(tx.commit());
        return {};
    }
    for (const store::Row& row : *identity) {
        const QString expected = row.text(0) == kMetaOrigin ? m_origin : m_personId;
        if (row.isNull(1) || row.text(1) != expected)
            return makeError(QString::fromLatin1(kNotOurs),
                             Tr::tr("The local cache belongs to another person or service."));
    }
    if (identity->size() != 2)
        return makeError(QString::fromLatin1(kDamaged), Tr::tr("The local cache does not say whose it is."));
    return {};
}

// --- reading ---

Result<Replica::Snapshot> SqlCipherReplica::load()
{
    if (!m_db)
        return makeError(QString::fromLatin1(kOpenFailed), Tr::tr("The local cache is not open."));
    if (auto flushed = commitPending(); !flushed)
        qCWarning(lcReplica) << "pending changes could not be written before reading:" << flushed.error().message;
    auto snapshot = read();
    if (snapshot)
        return snapshot;
    // Damage that the check at open did not see (a page that went bad since): start afresh rather than fail every
    // start from now on.
    STINT_TRY(replaceFile(makeError(QString::fromLatin1(kDamaged),
                                    Tr::tr("The local cache cannot be read: %1").arg(snapshot.error().message))));
    return Snapshot {};
}

Result<Replica::Snapshot> SqlCipherReplica::read()
{
    store::Transaction tx(*m_db, store::Transaction::Mode::Read);
    STINT_TRY(tx.started());
    Snapshot s;
    auto meta = m_db->query(QStringLiteral("SELECT key, value FROM replica_meta WHERE key IN (?, ?, ?)"),
                            {kMetaMe, kMetaLastSeq, kMetaSyncedAt});
    if (!meta)
        return meta.error();
    for (const store::Row& row : *meta) {
        const QString key = row.text(0);
        if (key == kMetaMe) {
            s.me = parseObject(row.text(1));
            if (!s.me)
                qCWarning(lcReplica) << "the cached 'me' is unreadable; ignoring it";
        } else if (key == kMetaLastSeq) {
            s.lastSeq = row.integer(1);
        } else if (key == kMetaSyncedAt) {
            s.syncedAt = row.integer(1);
        }
    }
    auto objects = m_db->query(QStringLiteral("SELECT kind, id, json FROM replica_objects ORDER BY kind, id"));
    if (!objects)
        return objects.error();
    int unreadable = 0;
    for (const store::Row& row : *objects) {
        auto object = parseObject(row.text(2));
        if (!object) {
            ++unreadable;
            continue;
        }
        s.objects[row.text(0)].append(std::move(*object));
    }
    if (unreadable > 0)
        qCWarning(lcReplica) << unreadable << "cached objects are unreadable; ignoring them";
    STINT_TRY(tx.commit());
    return s;
}

// --- writing: collected, then committed together ---

void SqlCipherReplica::setMe(const QJsonObject& me)
{
    m_pendingMe = me;
}

void SqlCipherReplica::put(const QString& kind, const QString& id, const QJsonObject& object)
{
    m_pendingKinds[kind].objects[id] = object;
}

void SqlCipherReplica::remove(const QString& kind, const QString& id)
{
    m_pendingKinds[kind].objects[id] = std::nullopt;
}

void SqlCipherReplica::replaceAll(const QString& kind, const QList<QPair<QString, QJsonObject>>& objects)
{
    KindChanges& changes = m_pendingKinds[kind];
    changes.replaced = true;
    changes.objects.clear();
    for (const auto& [id, object] : objects)
        changes.objects[id] = object;
}

void SqlCipherReplica::setLastSeq(qint64 seq, TimeMs syncedAt)
{
    m_pendingSeq = std::pair {seq, syncedAt};
}

bool SqlCipherReplica::hasPendingWrites() const
{
    return m_pendingMe || m_pendingSeq || !m_pendingKinds.empty();
}

Result<void> SqlCipherReplica::flush()
{
    if (!m_db)
        return makeError(QString::fromLatin1(kOpenFailed), Tr::tr("The local cache is not open."));
    return commitPending();
}

// All or nothing: on failure the batch stays pending and the next flush tries it again (with whatever came since).
Result<void> SqlCipherReplica::commitPending()
{
    if (!hasPendingWrites())
        return {};
    const QString setMeta = QStringLiteral("INSERT OR REPLACE INTO replica_meta (key, value) VALUES (?, ?)");
    store::Transaction tx(*m_db);
    STINT_TRY(tx.started());
    if (m_pendingMe)
        STINT_TRY(m_db->exec(setMeta, {kMetaMe, compactJson(*m_pendingMe)}));
    for (const auto& [kind, changes] : m_pendingKinds) {
        if (changes.replaced)
            STINT_TRY(m_db->exec(QStringLiteral("DELETE FROM replica_objects WHERE kind = ?"), {kind}));
        for (const auto& [id, object] : changes.objects) {
            if (object)
                STINT_TRY(m_db->exec(
                    QStringLiteral("INSERT OR REPLACE INTO replica_objects (kind, id, json) VALUES (?, ?, ?)"),
                    {kind, id, compactJson(*object)}));
            else if (!changes.replaced)
                STINT_TRY(
                    m_db->exec(QStringLiteral("DELETE FROM replica_objects WHERE kind = ? AND id = ?"), {kind, id}));
        }
    }
    if (m_pendingSeq) {
        STINT_TRY(m_db->exec(setMeta, {kMetaLastSeq, m_pendingSeq->first}));
        STINT_TRY(m_db->exec(setMeta, {kMetaSyncedAt, m_pendingSeq->second}));
    }
    STINT_TRY(tx.commit());
    m_pendingMe.reset();
    m_pendingKinds.clear();
    m_pendingSeq.reset();
    ++m_committedBatches;
    return {};
}

Result<void> SqlCipherReplica::clear()
{
    m_pendingMe.reset();
    m_pendingKinds.clear();
    m_pendingSeq.reset();
    if (!m_db)
        return makeError(QString::fromLatin1(kOpenFailed), Tr::tr("The local cache is not open."));
    {
        store::Transaction tx(*m_db);
        STINT_TRY(tx.started());
        STINT_TRY(m_db->exec(QStringLiteral("DELETE FROM replica_objects")));
        STINT_TRY(m_db->exec(QStringLiteral("DELETE FROM replica_meta WHERE key IN (?, ?, ?)"),
                             {kMetaMe, kMetaLastSeq, kMetaSyncedAt}));
        STINT_TRY(tx.commit());
    }
    // secure_delete zeroed the freed pages; moving the WAL into the file and truncating it leaves no older copies.
    if (auto r = m_db->query(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")); !r)
        qCWarning(lcReplica) << "the cleared cache's log could not be truncated:" << r.error().message;
    return {};
}

} // namespace stint::client
