// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/DemoWorld.h"

#include "IdentitySignInDriver.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QTest>
#include <QUrlQuery>

namespace stint::test {

namespace {
constexpr int kWaitMs = 30'000;

Error fail(const QString& what, const HttpResult& r)
{
    return Error{QStringLiteral("demo.api"),
                 QStringLiteral("%1: HTTP %2 %3").arg(what).arg(r.status).arg(QString::fromUtf8(r.body.left(400))),
                 {}};
}
} // namespace

DemoWorld::DemoWorld(CloudProcess& cloud, SimProcess& sim, QString redirectUri)
    : m_cloud(cloud)
    , m_sim(sim)
    , m_redirectUri(std::move(redirectUri))
{
}

DemoWorld::~DemoWorld() = default;

HttpResult DemoWorld::asAdmin(const QString& method, const QString& path, const QJsonObject& body)
{
    return m_cloud.request(method, path, body, m_admin.token);
}

namespace {
// The register ceremony with a software passkey: begin with the invite, create, finish.
Result<QString> enroll(CloudProcess& cloud, SoftAuthenticator& key, const QString& inviteToken)
{
    const HttpResult begin = cloud.post(QStringLiteral("/v1/auth/register/begin"), {{QStringLiteral("inviteToken"), inviteToken}});
    if (begin.status != 200)
        return fail(QStringLiteral("register/begin"), begin);
    const QJsonObject credential = key.create(begin.json.value(QLatin1String("publicKey")).toObject());
    const HttpResult finish = cloud.post(QStringLiteral("/v1/auth/register/finish"),
                                         {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                                          {QStringLiteral("name"), QStringLiteral("Demo passkey")},
                                          {QStringLiteral("credential"), credential}});
    if (finish.status != 200 && finish.status != 201)
        return fail(QStringLiteral("register/finish"), finish);
    return finish.json.value(QLatin1String("token")).toString();
}

Result<DemoWorld::Person> whoIs(CloudProcess& cloud, const QString& token)
{
    const HttpResult me = cloud.get(QStringLiteral("/v1/me"), token);
    if (me.status != 200)
        return fail(QStringLiteral("/v1/me"), me);
    const QJsonObject p = me.json.value(QLatin1String("person")).toObject();
    return DemoWorld::Person{p.value(QLatin1String("id")).toString(), p.value(QLatin1String("email")).toString(),
                             p.value(QLatin1String("displayName")).toString(), p.value(QLatin1String("role")).toString(),
                             token};
}
} // namespace

Result<DemoWorld::Person> DemoWorld::enrollFirstAdmin(const QString& inviteToken, const QString& email)
{
    auto key = std::make_unique<SoftAuthenticator>(m_cloud.origin());
    auto token = enroll(m_cloud, *key, inviteToken);
    if (!token)
        return token.error();
    auto person = whoIs(m_cloud, *token);
    if (!person)
        return person.error();
    m_admin = *person;
    m_keys[email] = std::move(key);
    return m_admin;
}

Result<DemoWorld::Person> DemoWorld::addPerson(const QString& email, const QString& displayName, const QString& role)
{
    const HttpResult invite = asAdmin(QStringLiteral("POST"), QStringLiteral("/v1/invites"),
                                      {{QStringLiteral("email"), email},
                                       {QStringLiteral("role"), role},
                                       {QStringLiteral("displayName"), displayName}});
    if (invite.status != 201)
        return fail(QStringLiteral("invite ") + email, invite);
    auto key = std::make_unique<SoftAuthenticator>(m_cloud.origin());
    auto token = enroll(m_cloud, *key, inviteTokenFromLink(invite.json.value(QLatin1String("enrollmentUrl")).toString()));
    if (!token)
        return token.error();
    auto person = whoIs(m_cloud, *token);
    if (!person)
        return person.error();
    m_keys[email] = std::move(key);
    return person;
}

Result<QString> DemoWorld::signIn(const QString& email)
{
    const auto it = m_keys.find(email);
    if (it == m_keys.end())
        return Error{QStringLiteral("demo.unknown_person"), QStringLiteral("%1 was not enrolled here").arg(email), {}};
    const HttpResult begin = m_cloud.post(QStringLiteral("/v1/auth/signin/begin"), {{QStringLiteral("email"), email}});
    if (begin.status != 200)
        return fail(QStringLiteral("signin/begin"), begin);
    const QJsonObject assertion = it->second->get(begin.json.value(QLatin1String("publicKey")).toObject());
    const HttpResult finish = m_cloud.post(QStringLiteral("/v1/auth/signin/finish"),
                                           {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                                            {QStringLiteral("credential"), assertion}});
    if (finish.status != 200)
        return fail(QStringLiteral("signin/finish"), finish);
    return finish.json.value(QLatin1String("token")).toString();
}

Result<QString> DemoWorld::addTenant(const QString& name, const QString& notes)
{
    QJsonObject body{{QStringLiteral("name"), name}};
    if (!notes.isEmpty())
        body.insert(QStringLiteral("notes"), notes);
    const HttpResult r = asAdmin(QStringLiteral("POST"), QStringLiteral("/v1/tenants"), body);
    if (r.status != 201)
        return fail(QStringLiteral("add tenant ") + name, r);
    return r.json.value(QLatin1String("id")).toString();
}

Result<QJsonObject> DemoWorld::connection(const QString& tenantId)
{
    const HttpResult r = asAdmin(QStringLiteral("GET"), QStringLiteral("/v1/tenants/%1/connection").arg(tenantId));
    if (r.status != 200)
        return fail(QStringLiteral("connection"), r);
    return r.json;
}

Result<QString> DemoWorld::connectByConsent(const QString& tenantId, const QString& customerAdminUpn,
                                            const QString& password)
{
    const HttpResult start = asAdmin(QStringLiteral("POST"), QStringLiteral("/v1/tenants/%1/connection/start").arg(tenantId),
                                     {{QStringLiteral("redirectUri"), m_redirectUri},
                                      {QStringLiteral("kind"), QStringLiteral("admin_consent")}});
    if (start.status != 200)
        return fail(QStringLiteral("connection/start"), start);
    entrasim::SignInFailure failure;
    const QUrl callback = entrasim::driveSignIn(m_sim.network(), QUrl(start.json.value(QLatin1String("authorizationUrl")).toString()),
                                                customerAdminUpn, password, {}, &failure);
    if (!callback.isValid())
        return Error{QStringLiteral("demo.consent"),
                     QStringLiteral("consent refused at %1: AADSTS%2 %3").arg(failure.step).arg(failure.aadsts).arg(failure.message),
                     {}};
    const HttpResult complete = asAdmin(QStringLiteral("POST"), QStringLiteral("/v1/tenants/%1/connection/complete").arg(tenantId),
                                        {{QStringLiteral("callbackUrl"), callback.toString()}});
    if (complete.status != 202)
        return fail(QStringLiteral("connection/complete"), complete);
    QString status;
    const QDeadlineTimer deadline(kWaitMs);
    while (!deadline.hasExpired()) {
        auto c = connection(tenantId);
        if (!c)
            return c.error();
        status = c->value(QLatin1String("status")).toString();
        if (status == QLatin1String("connected") || status == QLatin1String("unhealthy"))
            return status;
        QTest::qWait(100); // polling a remote service's status: no signal to wait on
    }
    return Error{QStringLiteral("demo.timeout"), QStringLiteral("the connection stayed %1").arg(status), {}};
}

Result<QStringList> DemoWorld::roleIds(const QString& tenantId, const QStringList& roleNames)
{
    auto c = connection(tenantId);
    if (!c)
        return c.error();
    const QJsonArray defs = c->value(QLatin1String("report")).toObject().value(QLatin1String("roleDefinitions")).toArray();
    QStringList ids;
    for (const QString& name : roleNames) {
        QString id;
        for (const QJsonValue& d : defs) {
            if (d.toObject().value(QLatin1String("displayName")).toString() == name)
                id = d.toObject().value(QLatin1String("id")).toString();
        }
        if (id.isEmpty())
            return Error{QStringLiteral("demo.role"), QStringLiteral("the tenant has no role named %1").arg(name), {}};
        ids << id;
    }
    return ids;
}

Result<void> DemoWorld::configureTenant(const QString& tenantId, const QString& accountDomain, const QStringList& roleNames,
                                        int defaultMinutes, int maxMinutes, const QString& credentialKind,
                                        const QString& expiryAction)
{
    auto ids = roleIds(tenantId, roleNames);
    if (!ids)
        return ids.error();
    QJsonArray roles;
    for (int i = 0; i < ids->size(); ++i)
        roles.append(QJsonObject{{QStringLiteral("roleDefinitionId"), ids->at(i)}, {QStringLiteral("displayName"), roleNames.at(i)}});
    const HttpResult current = asAdmin(QStringLiteral("GET"), QStringLiteral("/v1/tenants/") + tenantId);
    if (current.status != 200)
        return fail(QStringLiteral("tenant"), current);
    const HttpResult patched = asAdmin(QStringLiteral("PATCH"), QStringLiteral("/v1/tenants/") + tenantId,
                                       {{QStringLiteral("version"), current.json.value(QLatin1String("version"))},
                                        {QStringLiteral("connection"),
                                         QJsonObject{{QStringLiteral("accountDomain"), accountDomain},
                                                     {QStringLiteral("rolesOffered"), roles},
                                                     {QStringLiteral("defaultDurationMinutes"), defaultMinutes},
                                                     {QStringLiteral("maxDurationMinutes"), maxMinutes},
                                                     {QStringLiteral("credentialKind"), credentialKind},
                                                     {QStringLiteral("expiryAction"), expiryAction}}}});
    if (patched.status != 200)
        return fail(QStringLiteral("tenant settings"), patched);
    return {};
}

Result<QString> DemoWorld::addPolicy(const QString& name, const QStringList& tenantIds, const QStringList& roleIds,
                                     const QStringList& personIds, int maxMinutes, bool requireJustification,
                                     bool requireTicket, bool requireApproval)
{
    QJsonArray subjects;
    for (const QString& id : personIds)
        subjects.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("person")}, {QStringLiteral("id"), id}});
    const HttpResult r = asAdmin(QStringLiteral("POST"), QStringLiteral("/v1/policies"),
                                 {{QStringLiteral("name"), name},
                                  {QStringLiteral("tenantIds"), QJsonArray::fromStringList(tenantIds)},
                                  {QStringLiteral("subjects"), subjects},
                                  {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roleIds)},
                                  {QStringLiteral("maxDurationMinutes"), maxMinutes},
                                  {QStringLiteral("requireJustification"), requireJustification},
                                  {QStringLiteral("requireTicket"), requireTicket},
                                  {QStringLiteral("requireApproval"), requireApproval}});
    if (r.status != 201)
        return fail(QStringLiteral("policy ") + name, r);
    return r.json.value(QLatin1String("id")).toString();
}

} // namespace stint::test
