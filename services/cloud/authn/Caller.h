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

    bool signedIn() const { return !personId.isEmpty(); }
    bool isAdmin() const { return role == QLatin1String("admin"); }
};

} // namespace stint::cloud
