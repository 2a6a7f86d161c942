// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/HttpMessage.h"
#include "core/Result.h"

namespace stint::cloud {

// An API error, sent as RFC 9457 problem details:
//   {"type": "https://stint.invalid/problems/<slug>", "title": …, "status": …, "detail": …, "instance": <path>,
//    "requestId": …}
// `slug` is stable and documented in docs/openapi.json; programs act on it, people read title and detail.
struct ApiError
{
    int status = 500;
    QString slug;
    QString title;
    QString detail;
    QJsonObject extra; // extension members, e.g. {"retryAfter": 30}

    static ApiError badRequest(QString slug, QString detail);
    static ApiError unauthorized(QString detail = {});
    static ApiError forbidden(QString detail = {});
    static ApiError notFound(QString what = {});
    static ApiError conflict(QString slug, QString detail);
    // 409 version-conflict for an update of `what` ("tenant", "policy"): the version the client read is not the
    // stored one (the problem names the current one), or the record changed between reading it and writing it.
    static ApiError versionConflict(const QString& what, qint64 sentVersion, qint64 currentVersion);
    static ApiError versionConflict(const QString& what);
    // 409 name-taken: a name the organization already uses (its unique index refused the write); `detail` says whose.
    static ApiError nameTaken(QString detail);
    static ApiError tooManyRequests(int retryAfterSeconds);
    static ApiError internal();
    // Maps an error value from a lower layer (json.*, store.*, webauthn.*, …) to the problem a client should see.
    static ApiError fromError(const Error& error);
};

HttpResponse problemResponse(const ApiError& error, const QString& instance, const QString& requestId);

inline constexpr auto kProblemTypeBase = "https://stint.invalid/problems/";

} // namespace stint::cloud
