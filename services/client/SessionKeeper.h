// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "client/SecretStore.h"

#include <QObject>

// The signed-in session of one cloud: its token lives in the secret store (the OS keychain), never in a file, and
// in the API transport while signed in. Restoring a session on start, adopting a new one after sign-in, and
// forgetting it on sign-out or when the service says it is over all go through here.
namespace stint::client {

class SessionKeeper : public QObject
{
    Q_OBJECT
public:
    SessionKeeper(CloudApi& api, SecretStore& secrets, QObject* parent = nullptr);

    // Reads the stored token into the transport. Resolves true when there was one (it may still have expired: the
    // first call will tell), false when there was none.
    Call<bool> restore();
    // Keeps a fresh session: into the transport, then into the secret store.
    Done adopt(const models::SignedInSession& session);
    // Signs out at the service (best effort), then forgets the token everywhere.
    Done signOut();
    // Forgets the token without asking the service (it said the session is over).
    Done forget();

    bool signedIn() const;
    // A copy of the token for the live channel (wiped when the copy goes).
    crypto::SecretBytes token() const;

signals:
    void signedInChanged(bool signedIn);

private:
    CloudApi& m_api;
    SecretStore& m_secrets;
    crypto::SecretBytes m_token;
};

} // namespace stint::client
