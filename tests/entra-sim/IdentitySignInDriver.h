// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QNetworkAccessManager>
#include <QString>
#include <QUrl>

// Plays the browser on entra-sim's sign-in pages over plain HTTP, so C++ tests (the identity tests, and the cloud's
// onboarding tests) can complete an authorize or admin-consent flow without Chromium. It GETs the start URL, then
// answers each page the way a person would — username, then the password or Temporary Access Pass, "Stay signed
// in?", and Accept/Cancel on a consent page — by posting the page's own form, and stops at the redirect that leaves
// the simulator. The secret goes only into the form body of the credential step.
namespace stint::entrasim {

struct SignInOptions
{
    bool staySignedIn = false; // "Stay signed in?" → Yes (true) or No
    bool acceptConsent = true; // consent page → Accept (true) or Cancel
    bool useTemporaryAccessPass = true; // on a TAP page: enter `secret` there (false: switch to the password)
    int timeoutMs = 15000; // per HTTP exchange
};

struct SignInFailure
{
    QString step; // the page that refused: "username", "password", "tap", "error", "http"
    int aadsts = 0; // the code the page shows (data-aadsts or the error page's AADSTSnnnn), 0 if none
    QString message; // the text shown
};

// Returns the final redirect (to the app's redirect_uri: `code`/`state`, `admin_consent`/`tenant`, or `error`).
// For response_mode=form_post it returns the form's action URL with the posted fields as its query. On failure it
// returns an empty QUrl and fills *failure.
QUrl driveSignIn(QNetworkAccessManager& network, const QUrl& authorizeOrConsentUrl, const QString& upn,
                 const QString& secret, const SignInOptions& options = {}, SignInFailure* failure = nullptr);

} // namespace stint::entrasim
