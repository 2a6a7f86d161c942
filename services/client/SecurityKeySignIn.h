// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "client/fido2/SecurityKeys.h"

#include <QObject>

// Sign-in with a security key, the desktop app being the WebAuthn client (as native clients are): signin/begin,
// then clientDataJSON built for the cloud's origin and the challenge, the key asked through SecurityKeys with user
// verification, then signin/finish with the assertion in the JSON a browser would send.
namespace stint::client {

class SecurityKeySignIn : public QObject
{
    Q_OBJECT
public:
    SecurityKeySignIn(CloudApi& api, SecurityKeys& keys, QObject* parent = nullptr);

    // `email`: username-first (the cloud lists that person's credentials), or empty for a discoverable passkey.
    // `pin`: when a previous attempt failed with fido2.pin_required or fido2.pin_invalid.
    Call<SharedSession> signIn(const QString& email = {}, std::shared_ptr<const crypto::SecretBytes> pin = {});
    void cancel();

    // The clientDataJSON for a get ceremony (public for its known-answer test).
    static QByteArray clientDataJson(const QString& challengeB64Url, const QString& origin);

private:
    CloudApi& m_api;
    SecurityKeys& m_keys;
};

} // namespace stint::client
