// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "entra/EntraGateway.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QWaitCondition>

#include <memory>

// An Entra ID tenant in memory behind the real gateway interface, for the provisioning engine's tests: it keeps
// Stint's accounts (by UPN, with their roles and whether they are enabled), is idempotent like the real gateway
// (a second provision finds the account by id or by name and never makes a duplicate), and can be scripted: errors for
// the next calls, revocations that read back unconfirmed, a delay per call, and a gate that holds calls until the test
// releases them. Every call is logged. Thread-safe: the engine calls it from its worker threads.
//
// The state lives in a shared Tenant so that a test can give the same directory to a second service (a restart).
namespace stint::test {

class FakeEntraGateway final : public entra::EntraGateway
{
public:
    struct Account
    {
        QString id;
        QString userPrincipalName;
        bool managed = true; // carries Stint's tag
        bool enabled = false;
        QStringList roleDefinitionIds;
        int passwordsIssued = 0;
        int tapsIssued = 0;
    };
    struct Call
    {
        QString operation; // "provision" | "revoke" | "renew_tap" | "list" | "inspect"
        QString subject;   // the UPN (provision) or the account id (revoke)
        bool deleteRequested = false;
    };
    // Shared between gateways (one per service instance).
    struct Directory
    {
        QMutex mutex;
        QWaitCondition changed;
        QHash<QString, Account> accounts; // by id
        QList<Call> calls;
        QList<Error> provisionFailures; // consumed one per provision call
        bool provisionFailureAfterGrant = false; // the scripted failure comes after the account got its roles
        QList<Error> revokeFailures;
        QList<Error> renewFailures;     // consumed one per renewTemporaryAccessPass call
        int tapMaximumMinutes = 480;    // the tenant's policy bound for a pass's lifetime
        int unconfirmedRevokes = 0;     // the next revocations read back a role assignment still there
        int delayMs = 0;
        bool holdProvisions = false;
        bool holdRevokes = false;
        int held = 0;                   // calls waiting at the gate
        int passwordCounter = 0;
        int running = 0;       // provision and revoke calls in progress
        int maxRunning = 0;    // the most at once
    };

    explicit FakeEntraGateway(std::shared_ptr<Directory> directory = std::make_shared<Directory>(),
                              const Clock* clock = nullptr);

    std::shared_ptr<Directory> directory() const { return m_dir; }

    // --- Scripting (any thread) ---
    void failNextProvisions(int count, const QString& code, bool afterGrant = false);
    void failNextRevokes(int count, const QString& code);
    void failNextTapRenewals(int count, const QString& code);
    void leaveNextRevokesUnconfirmed(int count);
    void setDelay(int ms);
    void holdProvisions(bool hold);
    void holdRevokes(bool hold);
    int heldCalls() const;
    void addUnmanagedAccount(const QString& userPrincipalName);

    // --- Inspection ---
    QList<Call> calls() const;
    int callCount(const QString& operation) const;
    std::optional<Account> accountByUpn(const QString& userPrincipalName) const;
    int accountCount() const;
    int maxConcurrentCalls() const;

    // --- entra::EntraGateway ---
    Result<entra::ConnectionReport> inspect(const entra::TenantAccess& tenant) override;
    Result<entra::ProvisionResult> provision(const entra::ProvisionRequest& request) override;
    Result<entra::RevokeReport> revoke(const entra::RevokeRequest& request) override;
    Result<entra::IssuedTemporaryAccessPass> renewTemporaryAccessPass(const entra::TapRenewal& request) override;
    Result<QList<entra::ManagedAccount>> listManagedAccounts(const entra::TenantAccess& tenant) override;

private:
    void waitAtGate(QMutexLocker<QMutex>& lock, bool Directory::*hold);
    void delay(QMutexLocker<QMutex>& lock);

    std::shared_ptr<Directory> m_dir;
    const Clock* m_clock;
    SystemClock m_systemClock;
};

} // namespace stint::test
