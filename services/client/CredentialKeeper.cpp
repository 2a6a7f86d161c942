// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/CredentialKeeper.h"

#include "client/LockedSecret.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcCredentials, "stint.client.credentialkeeper")

namespace stint::client {

namespace {
// Often enough that a credential is gone within a second of its expiry, rarely enough to cost nothing.
constexpr int kExpiryCheckMs = 1000;

Error notReady()
{
    return makeError(QStringLiteral("credential.not_ready"),
                     CredentialKeeper::tr("This access is not ready (or no longer): there is no credential to show."));
}
} // namespace

struct CredentialKeeper::Held
{
    QString userPrincipalName;
    LockedSecret password;
    LockedSecret temporaryAccessPass;
    std::optional<TimeMs> temporaryAccessPassExpiresAt;
};

CredentialKeeper::CredentialKeeper(Workspace& workspace, QObject* parent)
    : QObject(parent)
    , m_workspace(workspace)
{
    m_expiryCheck.setInterval(kExpiryCheckMs);
    connect(&m_expiryCheck, &QTimer::timeout, this, &CredentialKeeper::sweep);
    // Any change to the checkouts (a live event, a refetch that dropped one, clear()) may end one that is held.
    connect(&m_workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Checkouts)
            sweep();
    });
    connect(&m_workspace, &Workspace::checkoutChanged, this, [this](const models::Checkout& checkout, const QString&) {
        if (checkout.state != models::CheckoutState::Ready)
            forget(checkout.id);
    });
    connect(&m_workspace, &Workspace::sessionEnded, this, &CredentialKeeper::forgetAll);
}

CredentialKeeper::~CredentialKeeper() = default; // LockedSecret wipes each secret

bool CredentialKeeper::stillReady(const QString& checkoutId) const
{
    const models::Checkout* c = m_workspace.checkout(checkoutId);
    if (!c || c->state != models::CheckoutState::Ready)
        return false;
    return !c->expiresAt || m_workspace.serverNow() < *c->expiresAt;
}

Done CredentialKeeper::fetch(const QString& checkoutId)
{
    if (m_held.count(checkoutId) > 0)
        return Done::resolved({});
    if (auto it = m_pending.find(checkoutId); it != m_pending.end())
        return it->second.call;
    if (!stillReady(checkoutId))
        return Done::failed(notReady());
    const auto& me = m_workspace.me();
    if (!me || m_workspace.checkout(checkoutId)->technicianId != me->person.id)
        return Done::failed(makeError(QStringLiteral("credential.not_yours"),
                                      tr("Only the technician who asked for this access sees its credential.")));

    Done out;
    const quint64 serial = ++m_serial;
    m_pending[checkoutId] = Pending {out, serial};
    m_workspace.api()
        .credential(checkoutId)
        .then(this, [this, checkoutId, serial, out](const Result<SharedCredential>& r) {
            const auto it = m_pending.find(checkoutId);
            if (it == m_pending.end() || it->second.serial != serial)
                return out.fail(notReady()); // forgotten while on its way
            m_pending.erase(it);
            if (!r.ok())
                return out.fail(r.error());
            if (!stillReady(checkoutId))
                return out.fail(notReady()); // the checkout moved on while the answer travelled: drop it unread
            const models::CheckoutCredential& credential = *r.value();
            auto password = LockedSecret::copyOf(credential.password.bytes());
            auto tap = LockedSecret::copyOf(credential.temporaryAccessPass.bytes());
            if (!password)
                return out.fail(password.error());
            if (!tap)
                return out.fail(tap.error());
            auto entry = std::make_unique<Held>();
            entry->userPrincipalName = credential.userPrincipalName;
            entry->password = std::move(password).value();
            entry->temporaryAccessPass = std::move(tap).value();
            entry->temporaryAccessPassExpiresAt = credential.temporaryAccessPassExpiresAt;
            m_held[checkoutId] = std::move(entry);
            if (!m_expiryCheck.isActive())
                m_expiryCheck.start();
            qCInfo(lcCredentials) << "holding the credential of" << checkoutId;
            emit held(checkoutId);
            out.resolve({});
        });
    return out;
}

bool CredentialKeeper::holds(const QString& checkoutId) const
{
    return m_held.count(checkoutId) > 0;
}

bool CredentialKeeper::has(const QString& checkoutId, Part part) const
{
    const auto it = m_held.find(checkoutId);
    if (it == m_held.end())
        return false;
    return !(part == Part::Password ? it->second->password : it->second->temporaryAccessPass).isEmpty();
}

QString CredentialKeeper::userPrincipalName(const QString& checkoutId) const
{
    const auto it = m_held.find(checkoutId);
    return it == m_held.end() ? QString() : it->second->userPrincipalName;
}

std::optional<TimeMs> CredentialKeeper::temporaryAccessPassExpiresAt(const QString& checkoutId) const
{
    const auto it = m_held.find(checkoutId);
    return it == m_held.end() ? std::nullopt : it->second->temporaryAccessPassExpiresAt;
}

bool CredentialKeeper::withSecret(const QString& checkoutId, Part part,
                                  const std::function<void(QByteArrayView)>& use) const
{
    const auto it = m_held.find(checkoutId);
    if (it == m_held.end())
        return false;
    const LockedSecret& secret = part == Part::Password ? it->second->password : it->second->temporaryAccessPass;
    if (secret.isEmpty())
        return false;
    use(secret.view());
    return true;
}

void CredentialKeeper::forget(const QString& checkoutId)
{
    m_pending.erase(checkoutId); // an answer still on its way is dropped when it comes
    const auto it = m_held.find(checkoutId);
    if (it == m_held.end())
        return;
    m_held.erase(it);
    if (m_held.empty())
        m_expiryCheck.stop();
    qCInfo(lcCredentials) << "forgot the credential of" << checkoutId;
    emit forgotten(checkoutId);
}

void CredentialKeeper::forgetAll()
{
    m_pending.clear();
    QStringList ids;
    for (const auto& [id, held] : m_held)
        ids.append(id);
    for (const QString& id : ids)
        forget(id);
}

void CredentialKeeper::sweep()
{
    QStringList over;
    for (const auto& [id, held] : m_held) {
        if (!stillReady(id))
            over.append(id);
    }
    for (const QString& id : over)
        forget(id);
}

} // namespace stint::client
