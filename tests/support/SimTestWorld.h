// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// For the simulator's own tests (tests/*/TestEntraSim*.cpp): an in-process Simulator on a manual clock with a
// seeded customer tenant, two apps (one whose service principal holds Privileged Authentication Administrator, one
// without directory roles) and a Graph client. Header-only, so the entra_sim library does not depend on test code;
// it uses nothing of the cloud (the clock is core's, the HTTP client support/ApiClient).
#include "Simulator.h"
#include "core/Clock.h"
#include "support/ApiClient.h"

#include <QDateTime>

namespace stint::entrasim::testing {

inline const QStringList kAllPermissions {"Organization.Read.All",
                                          "Domain.Read.All",
                                          "User.ReadWrite.All",
                                          "User-PasswordProfile.ReadWrite.All",
                                          "User.DeleteRestore.All",
                                          "RoleManagement.ReadWrite.Directory",
                                          "UserAuthenticationMethod.ReadWrite.All",
                                          "Policy.Read.All"};

class SimTestWorld
{
public:
    SimTestWorld()
        : clock(QDateTime::currentMSecsSinceEpoch())
        , sim(&clock)
    {
    }

    // Listens and seeds. Call once per test (a fresh world per test function keeps tests independent).
    bool start()
    {
        if (!sim.listen())
            return false;
        api.setBase(sim.baseUrl());
        SimState& s = sim.state();
        SimTenant& t = s.createTenant(QStringLiteral("Contoso"), QStringLiteral("contoso"));
        tenantId = t.id;
        t.tapPolicy.enabled = true;
        SimDomain verified {QStringLiteral("contoso.com"), true, true, false, QStringLiteral("Managed")};
        SimDomain unverified {QStringLiteral("unverified.contoso.com"), false, false, false, QStringLiteral("Managed")};
        SimDomain federated {QStringLiteral("fed.contoso.com"), true, false, false, QStringLiteral("Federated")};
        if (!s.addDomain(tenantId, verified) || !s.addDomain(tenantId, unverified) || !s.addDomain(tenantId, federated))
            return false;
        SimTenant& msp = s.createTenant(QStringLiteral("Northwind MSP"), QStringLiteral("northwind"));
        SimApp& privileged = s.registerApp(msp.id, QStringLiteral("Stint"), kAllPermissions);
        privilegedAppId = privileged.clientId;
        SimApp& plain = s.registerApp(msp.id, QStringLiteral("Plain"), kAllPermissions);
        plainAppId = plain.clientId;
        if (!s.grantServicePrincipal(tenantId, privilegedAppId, kAllPermissions,
                                     {roles::kPrivilegedAuthenticationAdministrator})
            || !s.grantServicePrincipal(tenantId, plainAppId, kAllPermissions, {}))
            return false;
        auto admin = s.createUser(tenantId, QStringLiteral("admin@contoso.com"), QStringLiteral("Contoso Admin"),
                                  QStringLiteral("Adm1n-Passw0rd!"));
        if (!admin)
            return false;
        adminId = (*admin)->id;
        return s.assignRole(tenantId, adminId, roles::kGlobalAdministrator).ok();
    }

    // A Graph token for the privileged app (or the plain one) with these roles (default: all it was granted).
    QString token(const QStringList& roles = kAllPermissions, bool privileged = true)
    {
        const QString appId = privileged ? privilegedAppId : plainAppId;
        SimServicePrincipal* sp = sim.state().servicePrincipal(tenantId, appId);
        return QString::fromLatin1(sim.tokens().issueAppToken({tenantId, appId, sp->objectId, roles, 1}, clock.now()));
    }

    QJsonObject newUserBody(const QString& upn, const QString& password = QStringLiteral("Str0ng!Passw0rd")) const
    {
        QString nickname;
        for (QChar c : upn.section('@', 0, 0)) {
            if (c.unicode() < 128 && c.isLetterOrNumber())
                nickname += c;
        }
        return QJsonObject {
            {"accountEnabled", true},
            {"displayName", upn.section('@', 0, 0)},
            {"mailNickname", nickname.isEmpty() ? QStringLiteral("user") : nickname},
            {"userPrincipalName", upn},
            {"passwordProfile", QJsonObject {{"forceChangePasswordNextSignIn", false}, {"password", password}}}};
    }

    SimTenant& tenant() { return *sim.state().tenant(tenantId); }
    int userCount() { return int(tenant().users.size()); }

    static QString graphCode(const test::ApiReply& r)
    {
        return r.json.value("error").toObject().value("code").toString();
    }
    static QString graphMessage(const test::ApiReply& r)
    {
        return r.json.value("error").toObject().value("message").toString();
    }

    ManualClock clock;
    Simulator sim;
    test::ApiClient api;
    QString tenantId;
    QString privilegedAppId;
    QString plainAppId;
    QString adminId;
};

} // namespace stint::entrasim::testing
