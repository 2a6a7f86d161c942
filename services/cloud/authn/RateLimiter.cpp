// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/authn/RateLimiter.h"

namespace stint::cloud {

RateLimiter::RateLimiter(const Clock& clock, int maxKeys)
    : m_clock(clock)
    , m_maxKeys(maxKeys)
{
}

bool RateLimiter::tryAcquire(const QString& key, int limit, int windowSeconds, int* retryAfterSeconds)
{
    if (isLimited(key, limit, windowSeconds, retryAfterSeconds))
        return false;
    record(key, windowSeconds);
    return true;
}

bool RateLimiter::isLimited(const QString& key, int limit, int windowSeconds, int* retryAfterSeconds)
{
    const auto it = m_attempts.find(key);
    if (it == m_attempts.end())
        return false;
    const TimeMs now = m_clock.now();
    const qint64 windowMs = qint64(windowSeconds) * 1000;
    while (!it->empty() && it->front() <= now - windowMs)
        it->pop_front();
    if (int(it->size()) < limit)
        return false;
    if (retryAfterSeconds)
        *retryAfterSeconds = int(std::max<qint64>(1, (it->front() + windowMs - now + 999) / 1000));
    return true;
}

void RateLimiter::record(const QString& key, int windowSeconds)
{
    const TimeMs now = m_clock.now();
    if (m_attempts.size() >= m_maxKeys)
        prune(now, qint64(windowSeconds) * 1000);
    m_attempts[key].push_back(now);
}

void RateLimiter::prune(TimeMs now, qint64 windowMs)
{
    for (auto it = m_attempts.begin(); it != m_attempts.end();) {
        if (it->empty() || it->back() <= now - windowMs)
            it = m_attempts.erase(it);
        else
            ++it;
    }
    // Still full of live keys (a flood of addresses): forget everything rather than grow without bound.
    if (m_attempts.size() >= m_maxKeys)
        m_attempts.clear();
}

} // namespace stint::cloud
