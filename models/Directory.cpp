// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/Directory.h"

#include <QJsonArray>

namespace stint::models {

namespace {
QJsonValue optionalTime(const std::optional<TimeMs>& t)
{
    return t ? QJsonValue(toRfc3339(*t)) : QJsonValue(QJsonValue::Null);
}
} // namespace

QJsonObject AuthenticatorPolicy::toJson() const
{
    return {{QStringLiteral("mode"), mode}, {QStringLiteral("aaguids"), QJsonArray::fromStringList(aaguids)}};
}

AuthenticatorPolicy AuthenticatorPolicy::fromJson(const QJsonObject& o)
{
    AuthenticatorPolicy p;
    p.mode = o.value(QLatin1String("mode")).toString(QStringLiteral("any"));
    for (const auto& v : o.value(QLatin1String("aaguids")).toArray())
        p.aaguids << v.toString();
    return p;
}

QJsonObject Organization::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("authenticatorPolicy"), authenticatorPolicy.toJson()},
            {QStringLiteral("createdAt"), toRfc3339(createdAt)}};
}

QJsonObject Organization::settingsJson() const
{
    return {{QStringLiteral("authenticatorPolicy"), authenticatorPolicy.toJson()}};
}

QJsonObject Person::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("email"), email},
            {QStringLiteral("displayName"), displayName},
            {QStringLiteral("role"), role},
            {QStringLiteral("status"), status},
            {QStringLiteral("groupIds"), QJsonArray::fromStringList(groupIds)},
            {QStringLiteral("createdAt"), toRfc3339(createdAt)}};
}

QJsonObject Group::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("memberIds"), QJsonArray::fromStringList(memberIds)},
            {QStringLiteral("createdAt"), toRfc3339(createdAt)}};
}

QJsonObject Invite::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("email"), email},
            {QStringLiteral("displayName"), displayName},
            {QStringLiteral("role"), role},
            {QStringLiteral("status"), status},
            {QStringLiteral("createdAt"), toRfc3339(createdAt)},
            {QStringLiteral("expiresAt"), toRfc3339(expiresAt)}};
}

QJsonObject SignInCredential::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("aaguid"), aaguid},
            {QStringLiteral("algorithm"), algorithm},
            {QStringLiteral("backupEligible"), backupEligible},
            {QStringLiteral("backupState"), backupState},
            {QStringLiteral("attestationFormat"), attestationFormat},
            {QStringLiteral("attestationType"), attestationType},
            {QStringLiteral("flagged"), flagged},
            {QStringLiteral("createdAt"), toRfc3339(createdAt)},
            {QStringLiteral("lastUsedAt"), optionalTime(lastUsedAt)}};
}

QJsonObject SessionInfo::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("createdAt"), toRfc3339(createdAt)},
            {QStringLiteral("lastSeenAt"), toRfc3339(lastSeenAt)},
            {QStringLiteral("expiresAt"), toRfc3339(expiresAt)},
            {QStringLiteral("sourceAddress"), sourceAddress},
            {QStringLiteral("userAgent"), userAgent},
            {QStringLiteral("current"), current}};
}

} // namespace stint::models
