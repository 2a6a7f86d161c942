// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Crypto.h"
#include "core/Result.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

// The people side of the API contract: organizations, people, groups, invites, sign-in credentials and sessions.
// One definition of the JSON, used by the cloud (to write) and the desktop app (to read).
namespace stint::models {

struct AuthenticatorPolicy
{
    QString mode = QStringLiteral("any"); // "any" | "allowlist"
    QStringList aaguids;                  // lowercase UUID strings, used when mode is "allowlist"

    QJsonObject toJson() const;
    static AuthenticatorPolicy fromJson(const QJsonObject& o);
    bool allows(const QString& aaguid) const { return mode != QLatin1String("allowlist") || aaguids.contains(aaguid); }
};

struct Organization
{
    QString id;
    QString name;
    AuthenticatorPolicy authenticatorPolicy;
    TimeMs createdAt = 0;

    QJsonObject toJson() const;
    QJsonObject settingsJson() const; // what is stored in organizations.settings
    static Result<Organization> fromJson(const QJsonObject& o);
};

struct Person
{
    QString id;
    QString orgId;
    QString email;
    QString displayName;
    QString role;   // "admin" | "technician"
    QString status; // "active" | "disabled"
    QStringList groupIds;
    TimeMs createdAt = 0;

    QJsonObject toJson() const;
    static Result<Person> fromJson(const QJsonObject& o);
};

struct Group
{
    QString id;
    QString name;
    QStringList memberIds;
    TimeMs createdAt = 0;

    QJsonObject toJson() const;
    static Result<Group> fromJson(const QJsonObject& o);
};

struct Invite
{
    QString id;
    QString email;
    QString displayName;
    QString role;
    QString status; // "pending" | "used" | "expired" | "revoked"
    TimeMs createdAt = 0;
    TimeMs expiresAt = 0;
    // The one-time enrollment link: only in the answer that created the invite, and shown to the admin once.
    QString enrollmentUrl;

    QJsonObject toJson() const;
    static Result<Invite> fromJson(const QJsonObject& o);
};

struct SignInCredential
{
    QString id;
    QString name;
    QString aaguid;
    int algorithm = 0;
    bool backupEligible = false;
    bool backupState = false;
    QString attestationFormat;
    QString attestationType;
    bool flagged = false; // sign-count regression seen: possibly a cloned authenticator
    TimeMs createdAt = 0;
    std::optional<TimeMs> lastUsedAt;

    QJsonObject toJson() const;
    static Result<SignInCredential> fromJson(const QJsonObject& o);
};

struct SessionInfo
{
    QString id;
    TimeMs createdAt = 0;
    TimeMs lastSeenAt = 0;
    TimeMs expiresAt = 0;
    QString sourceAddress;
    QString userAgent;
    bool current = false;

    QJsonObject toJson() const;
    static Result<SessionInfo> fromJson(const QJsonObject& o);
};

// A signed-in session as the sign-in ceremonies and the native hand-off return it. The token is the bearer secret:
// kept wiped-on-free, handed to the secret store and to the HTTP client, never logged.
struct SignedInSession
{
    crypto::SecretBytes token;
    QString sessionId;
    TimeMs expiresAt = 0;
    std::optional<TimeMs> idleExpiresAt;
    Person person;

    static Result<SignedInSession> fromJson(const QJsonObject& o);
};

// GET /v1/me.
struct Me
{
    Person person;
    Organization organization;
    QString sessionId;

    bool isAdmin() const { return person.role == QLatin1String("admin"); }
    static Result<Me> fromJson(const QJsonObject& o);
    QJsonObject toJson() const;
};

inline const QStringList kPersonRoles{QStringLiteral("admin"), QStringLiteral("technician")};

} // namespace stint::models
