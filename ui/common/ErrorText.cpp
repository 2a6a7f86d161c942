// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/common/ErrorText.h"

#include "client/ApiError.h"
#include "client/EventChannel.h"
#include "client/fido2/SecurityKeys.h"

namespace stint::ui {

namespace errors = client::errors;

QString ErrorText::describe(const Error& e)
{
    const QString& code = e.code;
    if (code == QLatin1String(errors::kUnreachable))
        return tr("The Stint service cannot be reached. Check your network connection; Stint keeps trying on its own.");
    if (code == QLatin1String(errors::kTimeout))
        return tr("The Stint service did not answer in time. Try again in a moment.");
    if (code == QLatin1String(errors::kTls))
        return tr("The Stint service's certificate was not accepted, so nothing was sent. Ask your administrator to "
                  "check the service address and its certificate.");
    if (code == QLatin1String(errors::kUnauthorized) || code == QLatin1String(client::kSessionEnded))
        return tr("Your session has ended. Sign in again to continue.");
    if (code == QLatin1String("api.forbidden"))
        return tr("You are not allowed to do this. Ask an administrator if you need it.");
    if (code == QLatin1String(errors::kNotFound))
        return tr("This no longer exists. It may have been removed by someone else.");
    if (code == QLatin1String(errors::kVersionConflict))
        return tr("Someone else changed this in the meantime. Your view has been refreshed; make your change again.");
    if (code == QLatin1String("api.rate-limited")) {
        const int wait = errors::retryAfterSeconds(e);
        return wait > 0 ? tr("Too many attempts. Wait %n second(s) and try again.", nullptr, wait)
                        : tr("Too many attempts. Wait a moment and try again.");
    }
    if (code == QLatin1String(errors::kUnexpected))
        return tr("The Stint service sent an answer this app does not understand. Update Stint, or tell your "
                  "administrator.");
    if (code == QLatin1String("secrets.unavailable"))
        return tr("The system keychain is not available, so Stint cannot keep your session. Unlock or start your "
                  "keychain (for example GNOME Keyring or KWallet) and try again.");
    if (code.startsWith(QLatin1String("fido2.")))
        return describeSecurityKey(e);
    if (code.startsWith(QLatin1String("api.")) && errors::httpStatus(e) >= 500)
        return tr("The Stint service ran into a problem. Try again; if it keeps happening, tell your administrator "
                  "(request id %1).")
            .arg(e.details.value(QLatin1String("requestId")).toString());
    // The service's own problem text is written for people; use it as it is.
    if (!e.message.isEmpty())
        return e.message;
    return tr("Something went wrong (%1).").arg(code);
}

// The security key's failures: what happened at the key and what to do with it in hand.
QString ErrorText::describeSecurityKey(const Error& e)
{
    namespace f = client::fido2errors;
    const QString& code = e.code;
    if (code == QLatin1String(f::kNoDevice))
        return tr("No security key was found. Plug in your security key, then try again.");
    if (code == QLatin1String(f::kPinRequired))
        return tr("Your security key needs its PIN. Enter it to continue.");
    if (code == QLatin1String(f::kPinInvalid)) {
        const int left = e.details.value(QLatin1String("retriesLeft")).toInt(-1);
        return left >= 0 ? tr("That PIN is not right. %n attempt(s) left before the key locks itself.", nullptr, left)
                         : tr("That PIN is not right. Check it and try again.");
    }
    if (code == QLatin1String(f::kPinBlocked))
        return tr("Your security key is locked after too many wrong PINs. Use another key, or reset this one with "
                  "its maker's tool (resetting removes the passkeys on it).");
    if (code == QLatin1String(f::kPinNotSet))
        return tr("Your security key has no PIN, and Stint needs one to know it is you. Set a PIN on the key first "
                  "(for example with its maker's tool), then try again.");
    if (code == QLatin1String(f::kNoCredential))
        return tr("This security key holds no passkey for this Stint service. Use the key you enrolled with, or "
                  "sign in with the browser.");
    if (code == QLatin1String(f::kTimeout))
        return tr("No security key was touched in time. Try again and touch your key when it blinks.");
    if (code == QLatin1String(f::kRemoved))
        return tr("The security key was unplugged before sign-in finished. Plug it back in and try again.");
    if (code == QLatin1String(f::kCancelled))
        return tr("Sign-in was cancelled.");
    // libfido2's own words stay in the log and the tooltip's code; people get what to do.
    return tr("The security key reported a problem. Try again, or try another key.");
}

QString ErrorText::technical(const Error& e)
{
    QString text = e.code;
    const QString requestId = e.details.value(QLatin1String("requestId")).toString();
    if (!requestId.isEmpty())
        text += QStringLiteral(" · ") + tr("request %1").arg(requestId);
    return text;
}

} // namespace stint::ui
