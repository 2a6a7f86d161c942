// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "client/fido2/SecurityKeys.h"

#include <QObject>

// Sign-in with a security key, the desktop app being the WebAuthn client (as native clients are): signin/begin,
// then clientDataJSON built for the cloud's origin and the challenge, the key asked through SecurityKeys with user
// verification, then signin/finish with the assertion in the JSON a browser would send.
//
// Like a browser, it checks the request options before any key is asked: a relying party ID that is not the cloud's
// own host (or a parent domain of it) is refused, so that a service cannot make the app sign for another site. The
// resulting session is handed to the caller (SessionKeeper adopts it); nothing is stored here.
namespace stint::client {

class SecurityKeySignIn : public QObject
{
    Q_OBJECT
public:
    SecurityKeySignIn(CloudApi& api, SecurityKeys& keys, QObject* parent = nullptr);

    // `email`: username-first (the cloud lists that person's credentials), or empty for a discoverable passkey.
    // `pin`: when a previous attempt failed with fido2.pin_required or fido2.pin_invalid.
    // A new sign-in while one runs cancels the running one.
    Call<SharedSession> signIn(const QString& email = {}, std::shared_ptr<const crypto::SecretBytes> pin = {});
    // Stops a sign-in that has not yet reached signin/finish (it fails with fido2.cancelled); once the assertion is
    // on its way to the cloud, the sign-in completes.
    void cancel();

    // The clientDataJSON for a get ceremony (public for its known-answer test).
    static QByteArray clientDataJson(const QString& challengeB64Url, const QString& origin);

private:
    struct Attempt;
    void askKey(const std::shared_ptr<Attempt>& attempt, const CeremonyStart& start,
                std::shared_ptr<const crypto::SecretBytes> pin);
    void finish(const std::shared_ptr<Attempt>& attempt, const QString& ceremonyId, const QByteArray& clientData,
                const Assertion& assertion);

    CloudApi& m_api;
    SecurityKeys& m_keys;
    std::shared_ptr<Attempt> m_attempt;
};

} // namespace stint::client
