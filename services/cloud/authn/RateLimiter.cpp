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
    const TimeMs now = m_clock.now();
    const qint64 windowMs = qint64(windowSeconds) * 1000;
    if (m_attempts.size() >= m_maxKeys)
        prune(now, windowMs);
    auto& times = m_attempts[key];
    while (!times.empty() && times.front() <= now - windowMs)
        times.pop_front();
    if (int(times.size()) >= limit) {
        if (retryAfterSeconds)
            *retryAfterSeconds = int(std::max<qint64>(1, (times.front() + windowMs - now + 999) / 1000));
        return false;
    }
    times.push_back(now);
    return true;
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
