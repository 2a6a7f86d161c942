// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"

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
};

struct Group
{
    QString id;
    QString name;
    QStringList memberIds;
    TimeMs createdAt = 0;

    QJsonObject toJson() const;
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

    QJsonObject toJson() const;
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
};

inline const QStringList kPersonRoles{QStringLiteral("admin"), QStringLiteral("technician")};

} // namespace stint::models
