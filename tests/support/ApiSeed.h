// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "support/CloudFixture.h"

// Building blocks for tests of the tenants, policies and checkouts API: made through the API itself, so the records
// are exactly what a client would create. Each helper records a test failure (and returns "" or {}) when the API
// does not answer as expected; callers QVERIFY the result.
namespace stint::test {

// Template ids of built-in Entra roles (protocols.md 2.4), as tenants offer them.
inline const QString kUserAdministrator = QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1");
inline const QString kHelpdeskAdministrator = QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8");
inline const QString kExchangeAdministrator = QStringLiteral("29232cdf-9323-42fd-ade2-1d097af3e4de");
inline const QString kGlobalAdministrator = QStringLiteral("62e90394-69f5-4237-9190-012177145e10");

struct SignedInPerson
{
    QString id;
    QString token;
};

// A person of the organization with a live session.
SignedInPerson addSignedInPerson(CloudFixture& cloud, const QString& orgId, const QString& email,
                                 const QString& role = QStringLiteral("technician"));

// A tenant body offering `roles` (named after themselves), with the given maximum duration.
QJsonObject tenantBody(const QString& name, const QStringList& roles, int maxDurationMinutes = 240);
// A policy body; `people` and `groups` become its subjects.
QJsonObject policyBody(const QString& name, const QStringList& tenantIds, const QStringList& roles,
                       const QStringList& people, const QStringList& groups = {}, int maxDurationMinutes = 60);

// POSTs the body and returns the new record's id.
QString createTenant(CloudFixture& cloud, const QString& token, const QJsonObject& body);
QString createPolicy(CloudFixture& cloud, const QString& token, const QJsonObject& body);
// Requests a checkout and returns it as the API answered (201 expected).
QJsonObject requestCheckout(CloudFixture& cloud, const QString& token, const QString& tenantId,
                            const QStringList& roles, int durationMinutes,
                            const QString& justification = QStringLiteral("ticket work"), const QString& ticket = {});

// Puts a checkout straight into a state, bypassing the state machine; bumps its version and clears its next action, so
// that the provisioning engine does not act on it.
void forceCheckoutState(CloudFixture& cloud, const QString& checkoutId, const QString& state);

} // namespace stint::test
