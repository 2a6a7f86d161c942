// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "client/Workspace.h"

#include <QObject>

#include <functional>
#include <map>
#include <memory>

// The sign-in credentials of my ready checkouts, held in memory that is locked (never swapped) and kept out of core
// dumps, fetched only when the technician asks (each fetch is an audited view at the service), and forgotten — wiped
// — the moment the checkout leaves `ready`, on sign-out, and on exit. Never written to disk.
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

    // Fetches the credential of a ready checkout of mine (from the service, unless held already).
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
    Workspace& m_workspace;
    std::map<QString, std::unique_ptr<Held>> m_held;
};

} // namespace stint::client
