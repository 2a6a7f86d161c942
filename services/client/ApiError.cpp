// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/ApiError.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QRegularExpression>

namespace stint::client::errors {

namespace {
constexpr auto kProblemTypeBase = "https://stint.invalid/problems/";

// The cloud writes validation problems as "field: problem; other.field: problem" (core/Json.h's ObjectReader).
QJsonObject parseFields(const QString& detail)
{
    static const QRegularExpression entry(QStringLiteral("^([A-Za-z][A-Za-z0-9_.\\[\\]]*): (.+)$"));
    QJsonObject fields;
    QString last; // a problem may itself hold "; " ("would last 300 minutes; at most 240 … are allowed"): a part that
                  // names no field continues the one before
    for (const QString& part : detail.split(QStringLiteral("; "), Qt::SkipEmptyParts)) {
        const auto m = entry.match(part.trimmed());
        if (m.hasMatch()) {
            last = fields.contains(m.captured(1)) ? QString() : m.captured(1);
            if (!last.isEmpty())
                fields.insert(last, m.captured(2));
        } else if (!last.isEmpty()) {
            fields.insert(last, fields.value(last).toString() + QStringLiteral("; ") + part.trimmed());
        }
    }
    return fields;
}

// What a reply without a problem of the service's own means, for people (ErrorText shows it when it knows no better).
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(stint::client::ApiError)
};

QString statusText(int status)
{
    switch (status) {
    case 400:
        return Tr::tr("The service refused the request as malformed.");
    case 401:
        return Tr::tr("You are not signed in, or your session has ended.");
    case 403:
        return Tr::tr("You are not allowed to do this.");
    case 404:
        return Tr::tr("It does not exist (any more).");
    case 409:
        return Tr::tr("It changed in the meantime.");
    case 429:
        return Tr::tr("Too many attempts; wait a moment.");
    case 502:
    case 503:
    case 504:
        return Tr::tr("The service is not available right now.");
    default:
        return status >= 500 ? Tr::tr("The service failed (HTTP %1).").arg(status)
                             : Tr::tr("The service answered HTTP %1.").arg(status);
    }
}

QString slugForStatus(int status)
{
    switch (status) {
    case 401:
        return QStringLiteral("unauthorized");
    case 403:
        return QStringLiteral("forbidden");
    case 404:
        return QStringLiteral("not-found");
    case 429:
        return QStringLiteral("rate-limited");
    default:
        return status >= 500 ? QStringLiteral("server-error") : QStringLiteral("http-%1").arg(status);
    }
}
} // namespace

Error fromHttpStatus(int status, const QByteArray& body, const QByteArray& contentType)
{
    QJsonObject details{{QStringLiteral("status"), status}};
    QJsonParseError parseError{};
    const QJsonDocument doc = contentType.startsWith("application/problem+json") || contentType.startsWith("application/json")
        ? QJsonDocument::fromJson(body, &parseError)
        : QJsonDocument();
    const QJsonObject problem = doc.object();
    const QString type = problem.value(QLatin1String("type")).toString();
    if (!type.startsWith(QLatin1String(kProblemTypeBase))) {
        const QString s = slugForStatus(status);
        details.insert(QStringLiteral("slug"), s);
        return Error{QStringLiteral("api.") + s, statusText(status), details};
    }
    const QString s = type.mid(int(qstrlen(kProblemTypeBase)));
    const QString title = problem.value(QLatin1String("title")).toString();
    const QString detail = problem.value(QLatin1String("detail")).toString();
    details.insert(QStringLiteral("slug"), s);
    if (problem.contains(QLatin1String("requestId")))
        details.insert(QStringLiteral("requestId"), problem.value(QLatin1String("requestId")).toString());
    if (problem.contains(QLatin1String("retryAfter")))
        details.insert(QStringLiteral("retryAfter"), problem.value(QLatin1String("retryAfter")).toInt());
    if (problem.contains(QLatin1String("reason")))
        details.insert(QStringLiteral("reason"), problem.value(QLatin1String("reason")).toString());
    if (s == QLatin1String("validation"))
        details.insert(QStringLiteral("fields"), parseFields(detail));
    QString message = title.isEmpty() ? statusText(status) : title;
    if (!detail.isEmpty())
        message += QLatin1Char(' ') + detail;
    // The cloud names a missing or ended session "unauthenticated" (and a failed passkey check "signin-failed"); both
    // are the one thing callers act on — sign in again — so a 401 is always api.unauthorized, its slug in details.
    if (status == 401)
        return Error{QString::fromLatin1(kUnauthorized), message, details};
    return Error{QStringLiteral("api.") + s, message, details};
}

Error unexpected(const QString& what)
{
    return Error{QString::fromLatin1(kUnexpected),
                 QStringLiteral("The service sent an answer this app does not understand (%1).").arg(what),
                 {}};
}

int httpStatus(const Error& error)
{
    return error.details.value(QLatin1String("status")).toInt();
}

QString slug(const Error& error)
{
    return error.details.value(QLatin1String("slug")).toString();
}

QMap<QString, QString> fieldErrors(const Error& error)
{
    QMap<QString, QString> out;
    const QJsonObject fields = error.details.value(QLatin1String("fields")).toObject();
    for (auto it = fields.begin(); it != fields.end(); ++it)
        out.insert(it.key(), it.value().toString());
    return out;
}

int retryAfterSeconds(const Error& error)
{
    return error.details.value(QLatin1String("retryAfter")).toInt();
}

bool isNetwork(const Error& error)
{
    return error.code.startsWith(QLatin1String("network."));
}

bool isUnauthorized(const Error& error)
{
    return error.code == QLatin1String(kUnauthorized) || httpStatus(error) == 401;
}

} // namespace stint::client::errors
