// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/FakeEntraGateway.h"

#include <QThread>
#include <QUuid>

namespace stint::test {

FakeEntraGateway::FakeEntraGateway(std::shared_ptr<Directory> directory, const Clock* clock)
    : m_dir(std::move(directory))
    , m_clock(clock ? clock : &m_systemClock)
{
}

void FakeEntraGateway::failNextProvisions(int count, const QString& code, bool afterGrant)
{
    QMutexLocker lock(&m_dir->mutex);
    for (int i = 0; i < count; ++i)
        m_dir->provisionFailures.append(makeError(code, QStringLiteral("scripted failure")));
    m_dir->provisionFailureAfterGrant = afterGrant;
}

void FakeEntraGateway::failNextRevokes(int count, const QString& code)
{
    QMutexLocker lock(&m_dir->mutex);
    for (int i = 0; i < count; ++i)
        m_dir->revokeFailures.append(makeError(code, QStringLiteral("scripted failure")));
}

void FakeEntraGateway::failNextTapRenewals(int count, const QString& code)
{
    QMutexLocker lock(&m_dir->mutex);
    for (int i = 0; i < count; ++i)
        m_dir->renewFailures.append(makeError(code, QStringLiteral("scripted failure")));
}

void FakeEntraGateway::leaveNextRevokesUnconfirmed(int count)
{
    QMutexLocker lock(&m_dir->mutex);
    m_dir->unconfirmedRevokes = count;
}

void FakeEntraGateway::setDelay(int ms)
{
    QMutexLocker lock(&m_dir->mutex);
    m_dir->delayMs = ms;
}

void FakeEntraGateway::holdProvisions(bool hold)
{
    QMutexLocker lock(&m_dir->mutex);
    m_dir->holdProvisions = hold;
    m_dir->changed.wakeAll();
}

void FakeEntraGateway::holdRevokes(bool hold)
{
    QMutexLocker lock(&m_dir->mutex);
    m_dir->holdRevokes = hold;
    m_dir->changed.wakeAll();
}

int FakeEntraGateway::heldCalls() const
{
    QMutexLocker lock(&m_dir->mutex);
    return m_dir->held;
}

void FakeEntraGateway::addUnmanagedAccount(const QString& userPrincipalName)
{
    QMutexLocker lock(&m_dir->mutex);
    Account a;
    a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    a.userPrincipalName = userPrincipalName.toLower();
    a.managed = false;
    a.enabled = true;
    m_dir->accounts.insert(a.id, a);
}

QList<FakeEntraGateway::Call> FakeEntraGateway::calls() const
{
    QMutexLocker lock(&m_dir->mutex);
    return m_dir->calls;
}

int FakeEntraGateway::callCount(const QString& operation) const
{
    QMutexLocker lock(&m_dir->mutex);
    return int(std::count_if(m_dir->calls.begin(), m_dir->calls.end(),
                             [&](const Call& c) { return c.operation == operation; }));
}

std::optional<FakeEntraGateway::Account> FakeEntraGateway::accountByUpn(const QString& userPrincipalName) const
{
    QMutexLocker lock(&m_dir->mutex);
    for (const Account& a : std::as_const(m_dir->accounts)) {
        if (a.userPrincipalName == userPrincipalName.toLower())
            return a;
    }
    return std::nullopt;
}

int FakeEntraGateway::maxConcurrentCalls() const
{
    QMutexLocker lock(&m_dir->mutex);
    return m_dir->maxRunning;
}

namespace {
// Counts a call as running for as long as it lives (under the directory's mutex, which the caller holds).
struct Running
{
    explicit Running(FakeEntraGateway::Directory& d)
        : dir(d)
    {
        dir.maxRunning = std::max(dir.maxRunning, ++dir.running);
    }
    ~Running() { --dir.running; }
    FakeEntraGateway::Directory& dir;
};
} // namespace

int FakeEntraGateway::accountCount() const
{
    QMutexLocker lock(&m_dir->mutex);
    return int(m_dir->accounts.size());
}

void FakeEntraGateway::waitAtGate(QMutexLocker<QMutex>& lock, bool Directory::*hold)
{
    if (!(m_dir.get()->*hold))
        return;
    ++m_dir->held;
    m_dir->changed.wakeAll();
    while (m_dir.get()->*hold)
        m_dir->changed.wait(lock.mutex());
    --m_dir->held;
}

void FakeEntraGateway::delay(QMutexLocker<QMutex>& lock)
{
    // Graph's latency, so that many jobs overlap; not a synchronisation device.
    const int ms = m_dir->delayMs;
    if (ms <= 0)
        return;
    lock.unlock();
    QThread::msleep(ulong(ms));
    lock.relock();
}

Result<entra::ConnectionReport> FakeEntraGateway::inspect(const entra::TenantAccess& tenant)
{
    QMutexLocker lock(&m_dir->mutex);
    m_dir->calls.append({QStringLiteral("inspect"), tenant.entraTenantId, false});
    entra::ConnectionReport report;
    report.entraTenantId = tenant.entraTenantId;
    report.displayName = QStringLiteral("Fake tenant");
    return report;
}

Result<entra::ProvisionResult> FakeEntraGateway::provision(const entra::ProvisionRequest& request)
{
    QMutexLocker lock(&m_dir->mutex);
    const QString upn = request.userPrincipalName.toLower();
    m_dir->calls.append({QStringLiteral("provision"), upn, false});
    const Running running(*m_dir);
    waitAtGate(lock, &Directory::holdProvisions);
    delay(lock);
    std::optional<Error> failure;
    if (!m_dir->provisionFailures.isEmpty())
        failure = m_dir->provisionFailures.takeFirst();
    if (failure && !m_dir->provisionFailureAfterGrant)
        return *failure;

    Account* account = nullptr;
    if (request.knownAccountId && m_dir->accounts.contains(*request.knownAccountId))
        account = &m_dir->accounts[*request.knownAccountId];
    for (auto it = m_dir->accounts.begin(); !account && it != m_dir->accounts.end(); ++it) {
        if (it->userPrincipalName == upn)
            account = &*it;
    }
    entra::ProvisionResult result;
    if (account && !account->managed)
        return makeError(QString::fromLatin1(kAccountNotManaged),
                         QStringLiteral("The name is taken by an account Stint did not make."));
    if (!account) {
        Account a;
        a.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        a.userPrincipalName = upn;
        account = &*m_dir->accounts.insert(a.id, a);
        result.created = true;
    }
    account->enabled = true;
    for (const QString& role : request.roleDefinitionIds) {
        if (!account->roleDefinitionIds.contains(role))
            account->roleDefinitionIds << role;
    }
    if (failure)
        return *failure; // got partway: the account holds its roles
    result.accountId = account->id;
    result.userPrincipalName = upn;
    const int n = ++m_dir->passwordCounter;
    if (request.issuePassword) {
        result.password = crypto::SecretBytes(QStringLiteral("Pw-%1-%2!").arg(n).arg(account->id.left(8)).toUtf8());
        ++account->passwordsIssued;
    }
    if (request.issueTemporaryAccessPass) {
        result.temporaryAccessPass = crypto::SecretBytes(QStringLiteral("TAP%1x%2").arg(n).arg(account->id.left(6)).toUtf8());
        result.temporaryAccessPassId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        result.temporaryAccessPassExpiresAt = m_clock->now() + qint64(request.windowMinutes) * 60'000;
        ++account->tapsIssued;
    }
    for (int i = 0; i < request.roleDefinitionIds.size(); ++i)
        result.roleAssignmentIds << QUuid::createUuid().toString(QUuid::WithoutBraces);
    result.graphRoundTrips = 3;
    return result;
}

Result<entra::IssuedTemporaryAccessPass> FakeEntraGateway::renewTemporaryAccessPass(const entra::TapRenewal& request)
{
    QMutexLocker lock(&m_dir->mutex);
    m_dir->calls.append({QStringLiteral("renew_tap"), request.accountId, false});
    delay(lock);
    if (!m_dir->renewFailures.isEmpty())
        return m_dir->renewFailures.takeFirst();
    auto account = m_dir->accounts.find(request.accountId);
    if (account == m_dir->accounts.end())
        return makeError(QStringLiteral("entra.graph_error"), QStringLiteral("Request_ResourceNotFound"));
    const int n = ++m_dir->passwordCounter;
    ++account->tapsIssued;
    entra::IssuedTemporaryAccessPass out;
    out.pass = crypto::SecretBytes(QStringLiteral("TAP%1x%2").arg(n).arg(account->id.left(6)).toUtf8());
    out.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    out.expiresAt = m_clock->now() + qint64(std::min(request.windowMinutes, m_dir->tapMaximumMinutes)) * 60'000;
    out.graphRoundTrips = 2;
    return out;
}

Result<entra::RevokeReport> FakeEntraGateway::revoke(const entra::RevokeRequest& request)
{
    QMutexLocker lock(&m_dir->mutex);
    m_dir->calls.append({QStringLiteral("revoke"), request.accountId, request.deleteAccount});
    const Running running(*m_dir);
    waitAtGate(lock, &Directory::holdRevokes);
    delay(lock);
    if (!m_dir->revokeFailures.isEmpty())
        return m_dir->revokeFailures.takeFirst();
    entra::RevokeReport report;
    report.graphRoundTrips = 4;
    auto it = m_dir->accounts.find(request.accountId);
    if (it == m_dir->accounts.end()) {
        report.accountGone = true;
        return report;
    }
    report.removedRoleDefinitionIds = it->roleDefinitionIds;
    it->roleDefinitionIds.clear();
    it->enabled = false;
    report.sessionsRevoked = true;
    report.accountDisabled = true;
    report.credentialInvalidated = true;
    report.roleAssignmentsRemoved = true;
    if (m_dir->unconfirmedRevokes > 0) {
        --m_dir->unconfirmedRevokes;
        report.roleAssignmentsRemoved = false; // Graph still lists an assignment (replication lag, a stuck PIM request)
        report.detail = QStringLiteral("A role assignment is still visible after removal.");
        return report;
    }
    if (request.deleteAccount) {
        m_dir->accounts.erase(it);
        report.accountDeleted = true;
    }
    return report;
}

Result<QList<entra::ManagedAccount>> FakeEntraGateway::listManagedAccounts(const entra::TenantAccess&)
{
    QMutexLocker lock(&m_dir->mutex);
    m_dir->calls.append({QStringLiteral("list"), {}, false});
    QList<entra::ManagedAccount> out;
    for (const Account& a : std::as_const(m_dir->accounts)) {
        if (a.managed)
            out.append({a.id, a.userPrincipalName, a.enabled, a.roleDefinitionIds});
    }
    return out;
}

} // namespace stint::test
