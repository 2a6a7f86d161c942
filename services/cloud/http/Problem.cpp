// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/http/Problem.h"

#include "core/Json.h"

#include <QJsonDocument>

namespace stint::cloud {

ApiError ApiError::badRequest(QString slug, QString detail)
{
    return {400, std::move(slug), QStringLiteral("The request is not valid."), std::move(detail), {}};
}

ApiError ApiError::unauthorized(QString detail)
{
    return {401, QStringLiteral("unauthenticated"), QStringLiteral("Sign-in required."),
            detail.isEmpty() ? QStringLiteral("Sign in; the session is missing, expired or revoked.") : detail, {}};
}

ApiError ApiError::forbidden(QString detail)
{
    return {403, QStringLiteral("forbidden"), QStringLiteral("Not allowed."),
            detail.isEmpty() ? QStringLiteral("Your role does not allow this.") : detail, {}};
}

ApiError ApiError::notFound(QString what)
{
    return {404, QStringLiteral("not-found"), QStringLiteral("Not found."),
            what.isEmpty() ? QStringLiteral("There is nothing here.") : QStringLiteral("No such %1.").arg(what), {}};
}

ApiError ApiError::conflict(QString slug, QString detail)
{
    return {409, std::move(slug), QStringLiteral("Conflict."), std::move(detail), {}};
}

ApiError ApiError::versionConflict(const QString& what, qint64 sentVersion, qint64 currentVersion)
{
    ApiError error = conflict(QStringLiteral("version-conflict"),
                              QStringLiteral("The %1 changed since version %2; read it again and reapply the change.")
                                  .arg(what, QString::number(sentVersion)));
    error.extra.insert(QStringLiteral("currentVersion"), currentVersion);
    return error;
}

ApiError ApiError::versionConflict(const QString& what)
{
    return conflict(QStringLiteral("version-conflict"),
                    QStringLiteral("The %1 changed meanwhile; read it again and reapply the change.").arg(what));
}

ApiError ApiError::nameTaken(QString detail)
{
    return conflict(QStringLiteral("name-taken"), std::move(detail));
}

ApiError ApiError::tooManyRequests(int retryAfterSeconds)
{
    return {429,
            QStringLiteral("rate-limited"),
            QStringLiteral("Too many attempts."),
            QStringLiteral("Wait %1 seconds before trying again.").arg(retryAfterSeconds),
            {{QStringLiteral("retryAfter"), retryAfterSeconds}}};
}

ApiError ApiError::internal()
{
    return {500, QStringLiteral("internal"), QStringLiteral("Something went wrong on the server."),
            QStringLiteral("The error was logged with this request's id."), {}};
}

ApiError ApiError::fromError(const Error& error)
{
    const QString& code = error.code;
    if (code == QLatin1String(json::kMalformed))
        return {400, QStringLiteral("malformed-json"), QStringLiteral("The body is not valid JSON."), error.message, {}};
    if (code == QLatin1String(json::kTooLarge))
        return {413, QStringLiteral("body-too-large"), QStringLiteral("The request body is too large."), error.message,
                {}};
    if (code == QLatin1String(json::kInvalid))
        return {422, QStringLiteral("validation"), QStringLiteral("Some fields are not valid."), error.message, {}};
    if (code.startsWith(QLatin1String("webauthn.")) || code.startsWith(QLatin1String("cose.")))
        return {400, QStringLiteral("webauthn-rejected"), QStringLiteral("The authenticator response was rejected."),
                error.message, {{QStringLiteral("reason"), code}}};
    if (code == QLatin1String("store.constraint"))
        return conflict(QStringLiteral("conflict"), QStringLiteral("This conflicts with an existing record."));
    return internal();
}

HttpResponse problemResponse(const ApiError& error, const QString& instance, const QString& requestId)
{
    QJsonObject body = error.extra;
    body.insert(QStringLiteral("type"), QString::fromLatin1(kProblemTypeBase) + error.slug);
    body.insert(QStringLiteral("title"), error.title);
    body.insert(QStringLiteral("status"), error.status);
    if (!error.detail.isEmpty())
        body.insert(QStringLiteral("detail"), error.detail);
    if (!instance.isEmpty())
        body.insert(QStringLiteral("instance"), instance);
    if (!requestId.isEmpty())
        body.insert(QStringLiteral("requestId"), requestId);
    HttpResponse response{error.status, "application/problem+json", QJsonDocument(body).toJson(QJsonDocument::Compact),
                          {}};
    if (error.status == 429)
        response.headers.append(
            qMakePair(QByteArray("Retry-After"), QByteArray::number(error.extra.value(QLatin1String("retryAfter")).toInt())));
    if (error.status == 401)
        response.headers.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Bearer realm=\"stint\"")));
    return response;
}

} // namespace stint::cloud
