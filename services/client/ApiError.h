// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QJsonObject>
#include <QMap>

// How the desktop side names what went wrong talking to the cloud, so that the UI and the command line can act on
// it. Every failure is an Error whose code says the kind:
//   network.unreachable   no connection (refused, no route, DNS) — the app goes offline and retries
//   network.timeout       no answer in time
//   network.tls           the TLS handshake failed (wrong certificate: never retried silently)
//   api.<slug>            the cloud answered with RFC 9457 problem details; <slug> is the problem type's last segment
//                         (api.validation, api.version-conflict, api.rate-limited …) — except that every 401 is
//   api.unauthorized      whatever its slug (the cloud says "unauthenticated"): the session is over, sign in again
//   api.unexpected_response  an answer this app cannot read
// and whose details hold {"status": <HTTP status>, "slug", "fields": {field: problem}, "retryAfter", "requestId"}.
namespace stint::client::errors {

inline constexpr auto kUnreachable = "network.unreachable";
inline constexpr auto kTimeout = "network.timeout";
inline constexpr auto kTls = "network.tls";
inline constexpr auto kUnauthorized = "api.unauthorized";
inline constexpr auto kValidation = "api.validation";
inline constexpr auto kVersionConflict = "api.version-conflict";
inline constexpr auto kNotFound = "api.not-found";
inline constexpr auto kUnexpected = "api.unexpected_response";

// The error for a non-2xx answer: problem details when the body is one, a plain description otherwise.
Error fromHttpStatus(int status, const QByteArray& body, const QByteArray& contentType);
Error unexpected(const QString& what);

int httpStatus(const Error& error);
QString slug(const Error& error);
// The cloud's per-field problems of a 422 "validation" answer ("ticket" → "is required"), keyed by JSON field path.
QMap<QString, QString> fieldErrors(const Error& error);
// Seconds to wait before retrying (429 Retry-After), or 0.
int retryAfterSeconds(const Error& error);

bool isNetwork(const Error& error);
bool isUnauthorized(const Error& error);

} // namespace stint::client::errors
