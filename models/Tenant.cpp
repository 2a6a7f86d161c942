// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/Tenant.h"

#include "models/JsonFields.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace stint::models {

namespace {
QJsonValue optionalText(const std::optional<QString>& s)
{
    return s ? QJsonValue(*s) : QJsonValue(QJsonValue::Null);
}

const QStringList kPlaceholders{QStringLiteral("user"), QStringLiteral("name"), QStringLiteral("id")};

bool isLiteral(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
        || c == QLatin1Char('.') || c == QLatin1Char('-') || c == QLatin1Char('_');
}

// Drops what the literal alphabet does not allow; used for {user}, which is close to an account name already.
QString keepLiteral(const QString& s)
{
    QString out;
    for (QChar c : s.toLower()) {
        if (isLiteral(c))
            out += c;
    }
    return out;
}

// Display names are free text: fold accents away (NFKD, then drop the combining marks), keep ASCII letters and
// digits, and put one '.' wherever anything else separated them.
QString nameSlug(const QString& displayName)
{
    QString out;
    bool pendingDot = false;
    for (QChar c : displayName.normalized(QString::NormalizationForm_KD).toLower()) {
        if (c.category() == QChar::Mark_NonSpacing)
            continue;
        if ((c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('0') && c <= QLatin1Char('9'))) {
            if (pendingDot && !out.isEmpty())
                out += QLatin1Char('.');
            pendingDot = false;
            out += c;
        } else {
            pendingDot = true;
        }
    }
    return out;
}

QString tidyLocalPart(QString s)
{
    static const QRegularExpression dots(QStringLiteral("\\.{2,}"));
    s.replace(dots, QStringLiteral("."));
    while (s.startsWith(QLatin1Char('.')))
        s.remove(0, 1);
    s.truncate(accountNaming::kMaxLocalPartLength);
    while (s.endsWith(QLatin1Char('.')))
        s.chop(1);
    return s;
}
} // namespace

QJsonObject OfferedRole::toJson() const
{
    return {{QStringLiteral("roleDefinitionId"), roleDefinitionId}, {QStringLiteral("displayName"), displayName}};
}

OfferedRole OfferedRole::fromJson(const QJsonObject& o)
{
    return {o.value(QLatin1String("roleDefinitionId")).toString(), o.value(QLatin1String("displayName")).toString()};
}

QJsonObject TenantConnection::toJson() const
{
    QJsonObject o = settingsJson();
    o.insert(QStringLiteral("status"), status);
    o.insert(QStringLiteral("entraTenantId"), optionalText(entraTenantId));
    return o;
}

QJsonObject TenantConnection::settingsJson() const
{
    QJsonArray roles;
    for (const OfferedRole& r : rolesOffered)
        roles.append(r.toJson());
    return {{QStringLiteral("nationalCloud"), nationalCloud},
            {QStringLiteral("accountDomain"), optionalText(accountDomain)},
            {QStringLiteral("defaultDurationMinutes"), defaultDurationMinutes},
            {QStringLiteral("maxDurationMinutes"), maxDurationMinutes},
            {QStringLiteral("rolesOffered"), roles},
            {QStringLiteral("accountNamingRule"), accountNamingRule},
            {QStringLiteral("credentialKind"), credentialKind},
            {QStringLiteral("expiryAction"), expiryAction}};
}

TenantConnection TenantConnection::fromSettings(const QJsonObject& s, const QString& status,
                                                const std::optional<QString>& entraTenantId)
{
    TenantConnection c;
    c.status = status;
    c.entraTenantId = entraTenantId;
    c.nationalCloud = s.value(QLatin1String("nationalCloud")).toString(c.nationalCloud);
    if (s.value(QLatin1String("accountDomain")).isString())
        c.accountDomain = s.value(QLatin1String("accountDomain")).toString();
    c.defaultDurationMinutes = s.value(QLatin1String("defaultDurationMinutes")).toInt(c.defaultDurationMinutes);
    c.maxDurationMinutes = s.value(QLatin1String("maxDurationMinutes")).toInt(c.maxDurationMinutes);
    for (const auto& r : s.value(QLatin1String("rolesOffered")).toArray())
        c.rolesOffered.append(OfferedRole::fromJson(r.toObject()));
    c.accountNamingRule = s.value(QLatin1String("accountNamingRule")).toString(c.accountNamingRule);
    c.credentialKind = s.value(QLatin1String("credentialKind")).toString(c.credentialKind);
    c.expiryAction = s.value(QLatin1String("expiryAction")).toString(c.expiryAction);
    return c;
}

bool TenantConnection::offers(const QString& roleDefinitionId) const
{
    return std::any_of(rolesOffered.begin(), rolesOffered.end(),
                       [&](const OfferedRole& r) { return r.roleDefinitionId == roleDefinitionId; });
}

QStringList TenantConnection::offeredRoleIds() const
{
    QStringList ids;
    for (const OfferedRole& r : rolesOffered)
        ids << r.roleDefinitionId;
    return ids;
}

QJsonObject Tenant::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("name"), name},
                  {QStringLiteral("notes"), notes},
                  {QStringLiteral("connection"), connection.toJson()},
                  {QStringLiteral("createdAt"), toRfc3339(createdAt)},
                  {QStringLiteral("updatedAt"), toRfc3339(updatedAt)},
                  {QStringLiteral("version"), version}};
    // Only the desktop side fills myGrants (from an answer); it keeps them in its replica through this.
    if (!myGrants.isEmpty()) {
        QJsonArray grants;
        for (const TenantGrant& g : myGrants)
            grants.append(g.toJson());
        o.insert(QStringLiteral("myGrants"), grants);
    }
    return o;
}

Result<TenantConnection> TenantConnection::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("tenant connection"));
    TenantConnection c;
    c.status = r.string(QStringLiteral("status"));
    c.entraTenantId = r.nullableString(QStringLiteral("entraTenantId"));
    c.nationalCloud = r.string(QStringLiteral("nationalCloud"));
    c.accountDomain = r.nullableString(QStringLiteral("accountDomain"));
    c.defaultDurationMinutes = int(r.integer(QStringLiteral("defaultDurationMinutes")));
    c.maxDurationMinutes = int(r.integer(QStringLiteral("maxDurationMinutes")));
    for (const QJsonValue& v : r.array(QStringLiteral("rolesOffered"))) {
        const QJsonObject role = v.toObject();
        if (!role.value(QLatin1String("roleDefinitionId")).isString())
            r.fail(QStringLiteral("rolesOffered"), QStringLiteral("an entry has no roleDefinitionId"));
        c.rolesOffered.append(OfferedRole::fromJson(role));
    }
    c.accountNamingRule = r.string(QStringLiteral("accountNamingRule"));
    c.credentialKind = r.string(QStringLiteral("credentialKind"));
    c.expiryAction = r.string(QStringLiteral("expiryAction"));
    if (!r.ok())
        return r.error();
    return c;
}

Result<Tenant> Tenant::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("tenant"));
    Tenant t;
    t.id = r.string(QStringLiteral("id"));
    t.name = r.string(QStringLiteral("name"));
    t.notes = r.optionalString(QStringLiteral("notes"));
    auto connection = TenantConnection::fromJson(r.object(QStringLiteral("connection")));
    t.createdAt = r.time(QStringLiteral("createdAt"));
    t.updatedAt = r.optionalTime(QStringLiteral("updatedAt")).value_or(t.createdAt);
    t.version = r.optionalInteger(QStringLiteral("version")).value_or(1);
    auto grants = parseList<TenantGrant>(r.array(QStringLiteral("myGrants"), true), &TenantGrant::fromJson);
    if (!r.ok())
        return r.error();
    if (!connection)
        return connection.error();
    if (!grants)
        return grants.error();
    t.connection = std::move(connection).value();
    t.myGrants = std::move(grants).value();
    return t;
}

QString Tenant::roleName(const QString& roleDefinitionId) const
{
    for (const OfferedRole& role : connection.rolesOffered) {
        if (role.roleDefinitionId == roleDefinitionId && !role.displayName.isEmpty())
            return role.displayName;
    }
    return roleDefinitionId;
}

std::optional<QString> normalizeRoleDefinitionId(const QString& text)
{
    static const QRegularExpression guid(
        QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"));
    const QString lower = text.toLower();
    if (!guid.match(lower).hasMatch())
        return std::nullopt;
    return lower;
}

std::optional<QString> normalizeDomainName(const QString& text)
{
    static const QRegularExpression shape(
        QStringLiteral("^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$"));
    const QString lower = text.trimmed().toLower();
    if (!shape.match(lower).hasMatch())
        return std::nullopt;
    return lower;
}

namespace accountNaming {

std::optional<QString> validate(const QString& rule, QString* problem)
{
    const QString r = rule.trimmed().toLower();
    auto refuse = [&](const QString& why) -> std::optional<QString> {
        *problem = why;
        return std::nullopt;
    };
    if (r.isEmpty() || r.size() > kMaxRuleLength)
        return refuse(QStringLiteral("must be 1 to %1 characters").arg(kMaxRuleLength));
    bool hasPlaceholder = false;
    QString literals; // the rule with every placeholder replaced by 'x', to check the dots
    for (qsizetype i = 0; i < r.size(); ++i) {
        if (r.at(i) == QLatin1Char('{')) {
            const qsizetype close = r.indexOf(QLatin1Char('}'), i);
            const QString name = close < 0 ? QString() : r.mid(i + 1, close - i - 1);
            if (!kPlaceholders.contains(name))
                return refuse(QStringLiteral("knows only the placeholders {user}, {name} and {id}"));
            hasPlaceholder = true;
            literals += QLatin1Char('x');
            i = close;
        } else if (isLiteral(r.at(i))) {
            literals += r.at(i);
        } else {
            return refuse(QStringLiteral("may hold only a-z, 0-9, '.', '-', '_' and the placeholders {user}, {name} "
                                         "and {id}"));
        }
    }
    if (!hasPlaceholder)
        return refuse(QStringLiteral("must hold {user}, {name} or {id}, so that every technician gets an account of "
                                     "their own"));
    if (literals.startsWith(QLatin1Char('.')) || literals.endsWith(QLatin1Char('.'))
        || literals.contains(QStringLiteral("..")))
        return refuse(QStringLiteral("must not start or end with '.' or hold '..'"));
    return r;
}

QString expand(const QString& rule, const QString& email, const QString& displayName, const QString& personId)
{
    const QString idPart = personId.section(QLatin1Char('_'), 1).left(8);
    QString out = rule;
    out.replace(QStringLiteral("{user}"), keepLiteral(email.section(QLatin1Char('@'), 0, 0)));
    out.replace(QStringLiteral("{name}"), nameSlug(displayName));
    out.replace(QStringLiteral("{id}"), idPart);
    out = tidyLocalPart(out);
    // Only possible when the placeholders expanded to nothing usable (an email of symbols, a name without letters).
    return out.isEmpty() ? QStringLiteral("stint-") + idPart : out;
}

} // namespace accountNaming

} // namespace stint::models
