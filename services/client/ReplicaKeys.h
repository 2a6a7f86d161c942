// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/SecretStore.h"

#include <QHash>
#include <QObject>

// The local replica's key: 32 random bytes per cloud origin and person, kept in the secret store (the OS keychain)
// under secretKeys::replicaKey and nowhere else. obtain() returns the stored key or makes and stores a new one. A key
// that is lost (keychain reset, entry deleted) or unusable simply means a new key, and SqlCipherReplica then replaces
// the file it no longer opens: the replica is a cache, so losing it costs one full sync, never the app.
namespace stint::client {

class ReplicaKeys : public QObject
{
    Q_OBJECT
public:
    static constexpr int kKeyBytes = 32;

    explicit ReplicaKeys(SecretStore& secrets, QObject* parent = nullptr);

    // The key for this origin and person, created on first use. Concurrent calls for the same key share one answer,
    // so two callers never create two keys. Fails with "secrets.unavailable" when the keychain cannot be used (then
    // the app runs without a replica rather than with an unprotected one).
    Call<SharedSecret> obtain(const QString& cloudOrigin, const QString& personId);
    // Deletes the key: whatever file it opened becomes unreadable.
    Done discard(const QString& cloudOrigin, const QString& personId);

private:
    void create(const QString& key, const Call<SharedSecret>& out);

    SecretStore& m_secrets;
    QHash<QString, Call<SharedSecret>> m_pending;
};

} // namespace stint::client
