// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/ReplicaKeys.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcReplicaKeys, "stint.client.replicakeys")

namespace stint::client {

ReplicaKeys::ReplicaKeys(SecretStore& secrets, QObject* parent)
    : QObject(parent)
    , m_secrets(secrets)
{
}

Call<SharedSecret> ReplicaKeys::obtain(const QString& cloudOrigin, const QString& personId)
{
    const QString key = secretKeys::replicaKey(cloudOrigin, personId);
    if (auto it = m_pending.constFind(key); it != m_pending.constEnd())
        return *it;
    Call<SharedSecret> out;
    m_pending.insert(key, out);
    m_secrets.read(key).then(this, [this, key, out](const Result<SharedSecret>& stored) {
        if (!stored.ok()) {
            m_pending.remove(key);
            return out.fail(stored.error());
        }
        if (stored.value() && stored.value()->size() == kKeyBytes) {
            m_pending.remove(key);
            return out.resolve(stored.value());
        }
        if (stored.value() && !stored.value()->isEmpty())
            qCWarning(lcReplicaKeys)
                << "the stored replica key is unusable; making a new one (the cache starts afresh)";
        create(key, out);
    });
    return out;
}

void ReplicaKeys::create(const QString& key, const Call<SharedSecret>& out)
{
    auto fresh = std::make_shared<const crypto::SecretBytes>(crypto::randomBytes(kKeyBytes));
    m_secrets.write(key, *fresh).then(this, [this, key, out, fresh](const Result<void>& written) {
        m_pending.remove(key);
        if (!written.ok())
            return out.fail(written.error());
        out.resolve(fresh);
    });
}

Done ReplicaKeys::discard(const QString& cloudOrigin, const QString& personId)
{
    return m_secrets.remove(secretKeys::replicaKey(cloudOrigin, personId));
}

} // namespace stint::client
