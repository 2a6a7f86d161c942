// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/Replica.h"
#include "core/Crypto.h"

#include <QJsonObject>
#include <QString>
#include <map>
#include <memory>
#include <optional>

namespace stint::store {
class SqlCipherDatabase;
}

// The real Replica: one SQLCipher file per cloud origin and person, under a directory the app chooses, encrypted with
// a raw 256-bit key that lives in the keychain (ReplicaKeys). It is a cache of what the cloud already holds, which
// shapes every decision here:
// - a file the key does not open, a damaged file, a file of a newer schema or of someone else is reported (warning,
//   replacedBecause()) and replaced by an empty one, never a crash and never a reason to stop the app: the next sync
//   refills it;
// - writes collect in memory (coalesced per object) and flush() commits them in one transaction, so the file always
//   holds a state the cloud had, with the sequence number that goes with it; a failed flush keeps the batch for the
//   next one;
// - synchronous=NORMAL in WAL mode: a power cut may lose the last batch, never consistency.
namespace stint::client {

class SqlCipherReplica final : public Replica
{
public:
    // Error codes: "replica.open_failed" (the directory or file cannot be used at all), "store.bad_key".
    static Result<std::unique_ptr<SqlCipherReplica>> open(const QString& directory, const QString& cloudOrigin,
                                                          const QString& personId, const crypto::SecretBytes& key);
    // The file's name for this origin and person: derived (a hash), so that neither appears in the file system.
    static QString fileName(const QString& cloudOrigin, const QString& personId);

    ~SqlCipherReplica() override;

    Result<Snapshot> load() override;
    void setMe(const QJsonObject& me) override;
    void put(const QString& kind, const QString& id, const QJsonObject& object) override;
    void remove(const QString& kind, const QString& id) override;
    void replaceAll(const QString& kind, const QList<QPair<QString, QJsonObject>>& objects) override;
    void setLastSeq(qint64 seq, TimeMs syncedAt) override;
    Result<void> flush() override;
    Result<void> clear() override;

    QString path() const { return m_path; }
    // Why the file found on disk was thrown away and started afresh (wrong key, damaged, newer schema, not ours),
    // if it was: for the app to mention once.
    const std::optional<Error>& replacedBecause() const { return m_replacedBecause; }
    // Transactions committed by flush(): one per batch, however many writes it held (diagnostics and tests).
    int committedBatches() const { return m_committedBatches; }
    bool hasPendingWrites() const;

private:
    struct KindChanges
    {
        bool replaced = false; // every stored object of the kind goes first
        std::map<QString, std::optional<QJsonObject>> objects; // id → new object, or nullopt to remove
    };

    SqlCipherReplica(QString path, QString cloudOrigin, QString personId, crypto::SecretBytes key);
    Result<void> openFile();
    Result<void> replaceFile(const Error& reason);
    Result<void> checkFile();
    Result<void> commitPending();
    Result<Snapshot> read();

    QString m_path;
    QString m_origin;
    QString m_personId;
    crypto::SecretBytes m_key;
    std::unique_ptr<store::SqlCipherDatabase> m_db;
    std::optional<Error> m_replacedBecause;
    int m_committedBatches = 0;

    // The batch waiting for flush().
    std::optional<QJsonObject> m_pendingMe;
    std::map<QString, KindChanges> m_pendingKinds;
    std::optional<std::pair<qint64, TimeMs>> m_pendingSeq;
};

} // namespace stint::client
