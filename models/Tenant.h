// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "models/Policy.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

// Customer tenants of the API contract: the Entra ID tenants an MSP manages, and how Stint makes accounts in them.
// One definition of the JSON, used by the cloud (to write) and the desktop app (to read).
namespace stint::models {

// Bounds of a checkout window, in minutes. The lower bound is the shortest lifetime Entra gives a Temporary Access
// Pass (10 minutes), so every window can be matched by one; the upper bound keeps access "just in time".
inline constexpr int kMinDurationMinutes = 10;
inline constexpr int kMaxDurationMinutes = 24 * 60;

// "not_connected": no Entra tenant bound yet (every tenant starts here);
// "connecting": consent asked for, waiting for the callback;
// "connected": the tenant is proven and the health check passed;
// "unhealthy": connected once, but the last health check failed (missing permission or role, TAP policy off…).
inline const QStringList kConnectionStatuses{QStringLiteral("not_connected"), QStringLiteral("connecting"),
                                             QStringLiteral("connected"), QStringLiteral("unhealthy")};
inline const QStringList kNationalClouds{QStringLiteral("global"), QStringLiteral("usgov"), QStringLiteral("china")};
// What a technician gets to sign in with: a random password, a Temporary Access Pass, or both.
inline const QStringList kCredentialKinds{QStringLiteral("password"), QStringLiteral("tap"), QStringLiteral("both")};
// What happens to the account when a checkout ends: disabled (and re-enabled next time) or deleted.
inline const QStringList kExpiryActions{QStringLiteral("disable"), QStringLiteral("delete")};

// A directory role the admin offers in a tenant. roleDefinitionId is the role's GUID (a built-in role's template id
// or a custom role's id), lowercase.
struct OfferedRole
{
    QString roleDefinitionId;
    QString displayName;

    QJsonObject toJson() const;
    static OfferedRole fromJson(const QJsonObject& o);
};

// How Stint reaches the tenant and makes accounts in it. `status` and `entraTenantId` are set by connecting the tenant
// (never directly through the API); the rest is the admin's choice.
struct TenantConnection
{
    QString status = QStringLiteral("not_connected");
    std::optional<QString> entraTenantId; // the Entra tenant's GUID, once proven
    QString nationalCloud = QStringLiteral("global");
    std::optional<QString> accountDomain; // the verified domain new accounts are made on (lowercase)
    int defaultDurationMinutes = 60;
    int maxDurationMinutes = 4 * 60;
    QList<OfferedRole> rolesOffered;
    QString accountNamingRule = QStringLiteral("stint-{user}");
    QString credentialKind = QStringLiteral("password");
    QString expiryAction = QStringLiteral("disable");

    QJsonObject toJson() const;
    static Result<TenantConnection> fromJson(const QJsonObject& o);
    // What is stored in tenants.connection: everything except status and entraTenantId, which have their own columns.
    QJsonObject settingsJson() const;
    static TenantConnection fromSettings(const QJsonObject& settings, const QString& status,
                                         const std::optional<QString>& entraTenantId);

    bool offers(const QString& roleDefinitionId) const;
    QStringList offeredRoleIds() const;
};

struct Tenant
{
    QString id;
    QString orgId; // not part of the JSON: a caller only ever sees its own organization
    QString name;
    QString notes;
    TenantConnection connection;
    TimeMs createdAt = 0;
    TimeMs updatedAt = 0;
    qint64 version = 1;
    // What the person asking may request here, one entry per granting policy. Not stored: the cloud adds it to each
    // answer for the caller ("myGrants"), and toJson() leaves it out.
    QList<TenantGrant> myGrants;

    QJsonObject toJson() const;
    static Result<Tenant> fromJson(const QJsonObject& o);

    // The display name of a role this tenant offers, or the id itself when it is not offered (any more).
    QString roleName(const QString& roleDefinitionId) const;
};

// A role definition id as Entra writes it: a GUID in its 8-4-4-4-12 form. Returns it lowercased, or nullopt.
std::optional<QString> normalizeRoleDefinitionId(const QString& text);

// A DNS domain name such as "contoso.onmicrosoft.com", lowercased; nullopt when it is not one.
std::optional<QString> normalizeDomainName(const QString& text);

// The account naming rule: the local part (before '@') of the account Stint makes for a technician in a tenant.
// Literal characters are a-z, 0-9, '.', '-' and '_'; placeholders are
//   {user}  the local part of the technician's email address      (ada.lovelace@msp.example → ada.lovelace)
//   {name}  the technician's display name, as ASCII letters and digits with '.' between words (Zoë Müller → zoe.muller)
//   {id}    the first 8 hex digits of the technician's Stint id, for names that must never clash
// A rule must hold at least one placeholder, so that every technician gets an account of their own.
namespace accountNaming {
inline constexpr int kMaxRuleLength = 48;
inline constexpr int kMaxLocalPartLength = 64; // the UPN local part limit
// The normalized (lowercased) rule, or a sentence saying what is wrong with it.
std::optional<QString> validate(const QString& rule, QString* problem);
// The local part for one technician. Never empty; at most kMaxLocalPartLength characters.
QString expand(const QString& rule, const QString& email, const QString& displayName, const QString& personId);
} // namespace accountNaming

} // namespace stint::models
