// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace stint::ids {

// A new random identifier with a type prefix, e.g. "tnt_1f0c…" (prefix, '_', 32 hex digits = 128 random bits).
// The prefix tells a reader of a log or an API response what kind of thing an id names.
QString newId(QStringView prefix);

// True when `id` has the shape newId(prefix) produces. Used to reject garbage ids at the edge.
bool isValidId(QStringView id, QStringView prefix);

// 256-bit opaque token (base64url), for sessions, invites and one-time codes. Store only tokenHash(token).
QString newToken();
QByteArray tokenHash(QStringView token);

} // namespace stint::ids
