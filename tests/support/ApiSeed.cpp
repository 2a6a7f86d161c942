// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/ApiSeed.h"

#include <QTest>

namespace stint::test {

namespace {
QString createdId(const ApiReply& r, const char* what)
{
    if (r.status != 201 || r.json.value(QLatin1String("id")).toString().isEmpty()) {
        QTest::qFail(
            qPrintable(
                QStringLiteral("creating a %1 failed: %2").arg(QLatin1String(what), QString::fromUtf8(r.describe()))),
            __FILE__, __LINE__);
        return {};
    }
    return r.json.value(QLatin1String("id")).toString();
}
} // namespace

SignedInPerson addSignedInPerson(CloudFixture& cloud, const QString& orgId, const QString& email, const QString& role)
{
    SignedInPerson p;
    p.id = cloud.addPerson(orgId, email, role);
    if (!p.id.isEmpty())
        p.token = cloud.signIn(p.id);
    return p;
}

QJsonObject tenantBody(const QString& name, const QStringList& roles, int maxDurationMinutes)
{
    QJsonArray offered;
    for (const QString& role : roles)
        offered.append(QJsonObject{{QStringLiteral("roleDefinitionId"), role},
                                   {QStringLiteral("displayName"), QStringLiteral("Role ") + role.left(8)}});
    return {{QStringLiteral("name"), name},
            {QStringLiteral("connection"),
             QJsonObject{{QStringLiteral("rolesOffered"), offered},
                         {QStringLiteral("defaultDurationMinutes"), std::min(60, maxDurationMinutes)},
                         {QStringLiteral("maxDurationMinutes"), maxDurationMinutes}}}};
}

QJsonObject policyBody(const QString& name, const QStringList& tenantIds, const QStringList& roles,
                       const QStringList& people, const QStringList& groups, int maxDurationMinutes)
{
    QJsonArray subjects;
    for (const QString& id : people)
        subjects.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("person")}, {QStringLiteral("id"), id}});
    for (const QString& id : groups)
        subjects.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("group")}, {QStringLiteral("id"), id}});
    return {{QStringLiteral("name"), name},
            {QStringLiteral("tenantIds"), QJsonArray::fromStringList(tenantIds)},
            {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roles)},
            {QStringLiteral("subjects"), subjects},
            {QStringLiteral("maxDurationMinutes"), maxDurationMinutes}};
}

QString createTenant(CloudFixture& cloud, const QString& token, const QJsonObject& body)
{
    return createdId(cloud.api().post(QStringLiteral("/v1/tenants"), token, body), "tenant");
}

QString createPolicy(CloudFixture& cloud, const QString& token, const QJsonObject& body)
{
    return createdId(cloud.api().post(QStringLiteral("/v1/policies"), token, body), "policy");
}

QJsonObject requestCheckout(CloudFixture& cloud, const QString& token, const QString& tenantId,
                            const QStringList& roles, int durationMinutes, const QString& justification,
                            const QString& ticket)
{
    QJsonObject body{{QStringLiteral("tenantId"), tenantId},
                     {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roles)},
                     {QStringLiteral("durationMinutes"), durationMinutes}};
    if (!justification.isEmpty())
        body.insert(QStringLiteral("justification"), justification);
    if (!ticket.isEmpty())
        body.insert(QStringLiteral("ticket"), ticket);
    const ApiReply r = cloud.api().post(QStringLiteral("/v1/checkouts"), token, body);
    if (createdId(r, "checkout").isEmpty())
        return {};
    return r.json;
}

void forceCheckoutState(CloudFixture& cloud, const QString& checkoutId, const QString& state)
{
    // Nothing scheduled (next_action_at NULL): the running provisioning engine leaves a forced row alone, so that a
    // test sees exactly the state it set.
    auto updated = cloud.db().exec(
        QStringLiteral("UPDATE checkouts SET state = ?, version = version + 1, next_action_at = NULL WHERE id = ?"),
        {state, checkoutId});
    if (!updated)
        QTest::qFail(qPrintable(updated.error().message), __FILE__, __LINE__);
}

} // namespace stint::test
