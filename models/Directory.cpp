// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/Directory.h"

#include "models/JsonFields.h"

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

Result<Organization> Organization::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("organization"));
    Organization org;
    org.id = r.string(QStringLiteral("id"));
    org.name = r.string(QStringLiteral("name"));
    org.authenticatorPolicy = AuthenticatorPolicy::fromJson(r.object(QStringLiteral("authenticatorPolicy"), true));
    org.createdAt = r.optionalTime(QStringLiteral("createdAt")).value_or(0);
    if (!r.ok())
        return r.error();
    return org;
}

Result<Person> Person::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("person"));
    Person p;
    p.id = r.string(QStringLiteral("id"));
    p.email = r.string(QStringLiteral("email"));
    p.displayName = r.optionalString(QStringLiteral("displayName"));
    p.role = r.string(QStringLiteral("role"));
    p.status = r.string(QStringLiteral("status"));
    p.groupIds = r.stringList(QStringLiteral("groupIds"), true);
    p.createdAt = r.optionalTime(QStringLiteral("createdAt")).value_or(0);
    if (!r.ok())
        return r.error();
    return p;
}

Result<Group> Group::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("group"));
    Group g;
    g.id = r.string(QStringLiteral("id"));
    g.name = r.string(QStringLiteral("name"));
    g.memberIds = r.stringList(QStringLiteral("memberIds"), true);
    g.createdAt = r.optionalTime(QStringLiteral("createdAt")).value_or(0);
    if (!r.ok())
        return r.error();
    return g;
}

Result<Invite> Invite::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("invite"));
    Invite i;
    i.id = r.string(QStringLiteral("id"));
    i.email = r.string(QStringLiteral("email"));
    i.displayName = r.optionalString(QStringLiteral("displayName"));
    i.role = r.string(QStringLiteral("role"));
    i.status = r.string(QStringLiteral("status"));
    i.createdAt = r.optionalTime(QStringLiteral("createdAt")).value_or(0);
    i.expiresAt = r.time(QStringLiteral("expiresAt"));
    i.enrollmentUrl = r.optionalString(QStringLiteral("enrollmentUrl"));
    if (!r.ok())
        return r.error();
    return i;
}

Result<SignInCredential> SignInCredential::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("passkey"));
    SignInCredential c;
    c.id = r.string(QStringLiteral("id"));
    c.name = r.optionalString(QStringLiteral("name"));
    c.aaguid = r.optionalString(QStringLiteral("aaguid"));
    c.algorithm = int(r.optionalInteger(QStringLiteral("algorithm")).value_or(0));
    c.backupEligible = r.boolean(QStringLiteral("backupEligible"), false);
    c.backupState = r.boolean(QStringLiteral("backupState"), false);
    c.attestationFormat = r.optionalString(QStringLiteral("attestationFormat"));
    c.attestationType = r.optionalString(QStringLiteral("attestationType"));
    c.flagged = r.boolean(QStringLiteral("flagged"), false);
    c.createdAt = r.optionalTime(QStringLiteral("createdAt")).value_or(0);
    c.lastUsedAt = r.optionalTime(QStringLiteral("lastUsedAt"));
    if (!r.ok())
        return r.error();
    return c;
}

Result<SessionInfo> SessionInfo::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("session"));
    SessionInfo s;
    s.id = r.string(QStringLiteral("id"));
    s.createdAt = r.time(QStringLiteral("createdAt"));
    s.lastSeenAt = r.optionalTime(QStringLiteral("lastSeenAt")).value_or(s.createdAt);
    s.expiresAt = r.time(QStringLiteral("expiresAt"));
    s.sourceAddress = r.optionalString(QStringLiteral("sourceAddress"));
    s.userAgent = r.optionalString(QStringLiteral("userAgent"));
    s.current = r.boolean(QStringLiteral("current"), false);
    if (!r.ok())
        return r.error();
    return s;
}

Result<SignedInSession> SignedInSession::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("session"));
    SignedInSession s;
    s.token = crypto::SecretBytes(r.string(QStringLiteral("token")).toUtf8());
    s.sessionId = r.string(QStringLiteral("sessionId"));
    s.expiresAt = r.time(QStringLiteral("expiresAt"));
    s.idleExpiresAt = r.optionalTime(QStringLiteral("idleExpiresAt"));
    auto person = Person::fromJson(r.object(QStringLiteral("person")));
    if (!r.ok())
        return r.error();
    if (!person)
        return person.error();
    s.person = std::move(person).value();
    return s;
}

Result<Me> Me::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("account"));
    auto person = Person::fromJson(r.object(QStringLiteral("person")));
    auto org = Organization::fromJson(r.object(QStringLiteral("organization")));
    Me me;
    me.sessionId = r.optionalString(QStringLiteral("sessionId"));
    if (!r.ok())
        return r.error();
    if (!person)
        return person.error();
    if (!org)
        return org.error();
    me.person = std::move(person).value();
    me.organization = std::move(org).value();
    return me;
}

QJsonObject Me::toJson() const
{
    return {{QStringLiteral("person"), person.toJson()},
            {QStringLiteral("organization"), organization.toJson()},
            {QStringLiteral("sessionId"), sessionId}};
}

} // namespace stint::models
