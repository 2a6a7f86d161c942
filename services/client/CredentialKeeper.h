// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "client/Workspace.h"

#include <QObject>
#include <QTimer>
#include <functional>
#include <map>
#include <memory>

// The sign-in credentials of my ready checkouts, held in memory that is locked (never swapped) and kept out of core
// dumps (LockedSecret), fetched only when the technician asks (each fetch is an audited view at the service), and
// forgotten — wiped — the moment the checkout leaves `ready` (a live event, a refetch, or its disappearance from the
// Workspace), when its expiry passes by the service's clock (even offline: checked every second, against the wall
// clock, so a suspended laptop does not wake up holding it), when the session ends, on sign-out (forgetAll) and on
// exit. Never written to disk.
namespace stint::client {

class LockedSecret;

class CredentialKeeper : public QObject
{
    Q_OBJECT
public:
    enum class Part
    {
        Password,
        TemporaryAccessPass,
    };

    CredentialKeeper(Workspace& workspace, QObject* parent = nullptr);
    ~CredentialKeeper() override;

    // Fetches the credential of a ready checkout of mine (from the service, unless held already). Concurrent fetches
    // of one checkout share one request. Errors: "credential.not_ready" (not ready, over, or left `ready` while the
    // answer was on its way), "credential.not_yours", the API's errors, "memory.unavailable".
    Done fetch(const QString& checkoutId);
    bool holds(const QString& checkoutId) const;
    bool has(const QString& checkoutId, Part part) const;
    QString userPrincipalName(const QString& checkoutId) const;
    std::optional<TimeMs> temporaryAccessPassExpiresAt(const QString& checkoutId) const;
    // Lends the secret to `use` for the duration of the call (to show it, copy it, type it). False when not held.
    bool withSecret(const QString& checkoutId, Part part, const std::function<void(QByteArrayView)>& use) const;
    void forget(const QString& checkoutId);
    void forgetAll();

signals:
    void held(const QString& checkoutId);
    void forgotten(const QString& checkoutId);

private:
    struct Held;
    struct Pending
    {
        Done call;
        quint64 serial = 0;
    };
    void sweep();
    bool stillReady(const QString& checkoutId) const;

    Workspace& m_workspace;
    std::map<QString, std::unique_ptr<Held>> m_held;
    std::map<QString, Pending> m_pending; // fetches on their way, by checkout
    quint64 m_serial = 0;
    QTimer m_expiryCheck;
};

} // namespace stint::client
