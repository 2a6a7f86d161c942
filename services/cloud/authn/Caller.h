// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace stint::cloud {

// Who is calling. An empty personId means nobody is signed in.
struct Caller
{
    QString personId;
    QString orgId;
    QString role; // "admin" | "technician"
    QString email;
    QString sessionId;
    // When the passkey ceremony that made the session ran (ms since the epoch): how fresh the caller's proof of
    // presence and user verification is. Every session is made by one (enrolment, sign-in, the native hand-off).
    qint64 verifiedAt = 0;

    bool signedIn() const { return !personId.isEmpty(); }
    bool isAdmin() const { return role == QLatin1String("admin"); }
};

} // namespace stint::cloud
