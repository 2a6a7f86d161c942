// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"
#include "support/CloudProcess.h"
#include "support/SimProcess.h"
#include "support/SoftAuthenticator.h"

#include <QStringList>

#include <map>
#include <memory>

// An MSP organization built the way people build it, through the real API of a running stint-cloud and the
// simulator's sign-in and consent pages: the first admin enrolls with the invite `init` printed, people join by
// invites (each with a software passkey), customer tenants are added and connected by admin consent as the customer's
// Global Administrator would, given settings from their health report, and granted by policies. The command line's
// tests, its benchmark, the demo (stint-demo-seed) and the screenshot tour all start from such a world.
namespace stint::test {

class DemoWorld
{
public:
    struct Person
    {
        QString id;
        QString email;
        QString displayName;
        QString role;
        QString token; // a live session
    };

    // `redirectUri`: the loopback redirect the MSP app lists (http://127.0.0.1/stint/connect in the demo world).
    DemoWorld(CloudProcess& cloud, SimProcess& sim, QString redirectUri = QStringLiteral("http://127.0.0.1:50000/stint/connect"));
    ~DemoWorld();

    // The first admin, from the enrollment link of `stint-cloud init`.
    Result<Person> enrollFirstAdmin(const QString& inviteToken, const QString& email);
    const Person& admin() const { return m_admin; }
    // An invited person with a passkey of their own and a session.
    Result<Person> addPerson(const QString& email, const QString& displayName, const QString& role);
    // A fresh session for a person enrolled here (their passkey signs in again).
    Result<QString> signIn(const QString& email);

    Result<QString> addTenant(const QString& name, const QString& notes = {});
    // Connects by admin consent: the consent page is answered as `customerAdminUpn`; waits until the health check has
    // run, and returns the connection's status ("connected", or "unhealthy" with its findings in the report).
    Result<QString> connectByConsent(const QString& tenantId, const QString& customerAdminUpn, const QString& password);
    // Settings from the tenant's health report: the account domain, the roles offered (by display name), durations,
    // credential kind ("password" | "tap" | "both") and expiry action.
    Result<void> configureTenant(const QString& tenantId, const QString& accountDomain, const QStringList& roleNames,
                                 int defaultMinutes, int maxMinutes, const QString& credentialKind,
                                 const QString& expiryAction = QStringLiteral("disable"));
    // Role definition ids by display name, from the tenant's health report.
    Result<QStringList> roleIds(const QString& tenantId, const QStringList& roleNames);
    Result<QString> addPolicy(const QString& name, const QStringList& tenantIds, const QStringList& roleIds,
                              const QStringList& personIds, int maxMinutes, bool requireJustification = false,
                              bool requireTicket = false, bool requireApproval = false);

    HttpResult asAdmin(const QString& method, const QString& path, const QJsonObject& body = {});

private:
    Result<QJsonObject> connection(const QString& tenantId);

    CloudProcess& m_cloud;
    SimProcess& m_sim;
    QString m_redirectUri;
    Person m_admin;
    std::map<QString, std::unique_ptr<SoftAuthenticator>> m_keys; // by email
};

} // namespace stint::test
