// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/authn/RateLimiter.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace stint::cloud {

RateLimiter::RateLimiter(const Clock& clock, int maxAddresses, int maxAccounts)
    : m_clock(clock)
    , m_addresses(maxAddresses)
    , m_accounts(maxAccounts)
{
}

QString RateLimiter::addressKey(const QHostAddress& address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4); // also an IPv4-mapped IPv6 address
    if (isV4)
        return QHostAddress(v4).toString();
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address.toString();
    Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

bool RateLimiter::tryAcquireAddress(const QHostAddress& address, int limit, int windowSeconds, int* retryAfterSeconds)
{
    const TimeMs now = m_clock.now();
    const qint64 windowMs = qint64(windowSeconds) * 1000;
    const QString key = addressKey(address);
    if (m_addresses.isLimited(key, limit, now, windowMs, retryAfterSeconds))
        return false;
    m_addresses.record(key, limit, now, windowMs);
    return true;
}

bool RateLimiter::isAccountLimited(const QString& accountId, int limit, int windowSeconds, int* retryAfterSeconds)
{
    return m_accounts.isLimited(accountId, limit, m_clock.now(), qint64(windowSeconds) * 1000, retryAfterSeconds);
}

void RateLimiter::recordAccountFailure(const QString& accountId, int limit, int windowSeconds)
{
    m_accounts.record(accountId, limit, m_clock.now(), qint64(windowSeconds) * 1000);
}

RateLimiter::Windows::Windows(int maxKeys)
    : m_maxKeys(std::max(1, maxKeys))
{
}

bool RateLimiter::Windows::isLimited(const QString& key, int limit, TimeMs now, qint64 windowMs,
                                     int* retryAfterSeconds)
{
    const auto it = m_entries.find(key);
    if (it == m_entries.end())
        return false;
    std::deque<TimeMs>& attempts = it->attempts;
    while (!attempts.empty() && attempts.front() <= now - windowMs)
        attempts.pop_front();
    if (int(attempts.size()) < limit)
        return false;
    if (retryAfterSeconds)
        *retryAfterSeconds = int(std::max<qint64>(1, (attempts.front() + windowMs - now + 999) / 1000));
    return true;
}

void RateLimiter::Windows::record(const QString& key, int limit, TimeMs now, qint64 windowMs)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        if (m_entries.size() >= m_maxKeys)
            makeRoom(now);
        it = m_entries.insert(key, {});
    }
    it->windowMs = windowMs;
    it->attempts.push_back(now);
    while (int(it->attempts.size()) > std::max(1, limit))
        it->attempts.pop_front();
}

void RateLimiter::Windows::makeRoom(TimeMs now)
{
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (it->attempts.empty() || it->attempts.back() <= now - it->windowMs)
            it = m_entries.erase(it);
        else
            ++it;
    }
    if (m_entries.size() < m_maxKeys)
        return;
    // Still full of live windows: forget those whose last attempt is oldest, down to nine tenths of the bound.
    std::vector<std::pair<TimeMs, QString>> byLast;
    byLast.reserve(size_t(m_entries.size()));
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it)
        byLast.emplace_back(it->attempts.back(), it.key());
    const size_t evict = byLast.size() - size_t(m_maxKeys) * 9 / 10;
    std::nth_element(byLast.begin(), byLast.begin() + qsizetype(evict) - 1, byLast.end());
    for (size_t i = 0; i < evict; ++i)
        m_entries.remove(byLast[i].second);
}

} // namespace stint::cloud
