// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// The desktop app's local copy of what its signed-in person may see, so that it starts showing the last known state at
// once and keeps showing it offline. Objects are stored as the JSON the cloud sent (kind + id → object) with the
// sequence number of the last live event applied. Credentials are never written here. SqlCipherReplica is the real,
// encrypted one; Workspace only knows this interface.
namespace stint::client {

class Replica
{
public:
    virtual ~Replica() = default;

    struct Snapshot
    {
        std::optional<QJsonObject> me;
        QHash<QString, QList<QJsonObject>> objects; // kind → objects
        qint64 lastSeq = 0;
        TimeMs syncedAt = 0;
    };

    virtual Result<Snapshot> load() = 0;

    // Writes are collected and committed together by flush() (Workspace flushes after each batch of changes), so a
    // busy live channel does not cost one disk sync per event.
    virtual void setMe(const QJsonObject& me) = 0;
    virtual void put(const QString& kind, const QString& id, const QJsonObject& object) = 0;
    virtual void remove(const QString& kind, const QString& id) = 0;
    // Replaces every object of `kind` (after a full refetch).
    virtual void replaceAll(const QString& kind, const QList<QPair<QString, QJsonObject>>& objects) = 0;
    virtual void setLastSeq(qint64 seq, TimeMs syncedAt) = 0;
    virtual Result<void> flush() = 0;
    // Forgets everything (sign-out).
    virtual Result<void> clear() = 0;
};

} // namespace stint::client
