// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "client/SecretStore.h"

#include <QObject>

// The signed-in session of one cloud: its token lives in the secret store (the OS keychain), never in a file, and
// in the API transport while signed in. Restoring a session on start, adopting a new one after sign-in, and
// forgetting it on sign-out or when the service says it is over all go through here. A 401 from the API forgets it by
// itself; the live channel's session-ended reaches forget() through the app's wiring (Workspace::sessionEnded).
//
// The keychain entry also names the person the session belongs to, so that on start the app can open that person's
// replica and show it before the service has answered anything.
namespace stint::client {

class SessionKeeper : public QObject
{
    Q_OBJECT
public:
    SessionKeeper(CloudApi& api, SecretStore& secrets, QObject* parent = nullptr);

    // Reads the stored token into the transport. Resolves true when there was one (it may still have expired: the
    // first call will tell), false when there was none.
    Call<bool> restore();
    // Keeps a fresh session: into the transport, then into the secret store. The Done fails with
    // "secrets.unavailable" when the keychain cannot keep it (signed in now, but not after a restart), and with
    // "session.malformed" (changing nothing) for a session without token, id or person.
    Done adopt(const models::SignedInSession& session);
    // Signs out at the service (best effort) and forgets the token everywhere; the keychain entry goes at once, not
    // after the service answers.
    Done signOut();
    // Forgets the token without asking the service (it said the session is over).
    Done forget();

    bool signedIn() const;
    // A copy of the token for the live channel (wiped when the copy goes).
    crypto::SecretBytes token() const;
    // Whose session it is and which (known from the keychain before any answer); empty when signed out.
    QString personId() const { return m_personId; }
    QString sessionId() const { return m_sessionId; }

signals:
    void signedInChanged(bool signedIn);

private:
    QString secretKey() const;
    void dropFromMemory();

    CloudApi& m_api;
    SecretStore& m_secrets;
    crypto::SecretBytes m_token;
    QString m_personId;
    QString m_sessionId;
    quint64 m_generation = 0; // bumps on every adopt and forget, so a late answer of an older step changes nothing
};

} // namespace stint::client
