// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"

#include <QHash>
#include <QString>

#include <deque>

namespace stint::cloud {

// Sliding-window attempt counter keyed by a string ("addr:127.0.0.1", "acct:alice@example.com"). In memory: limits
// reset when the service restarts, which is acceptable for throttling guesses, not for lockout decisions.
class RateLimiter
{
public:
    explicit RateLimiter(const Clock& clock, int maxKeys = 100'000);

    // Records one attempt and says whether it is within `limit` attempts per `windowSeconds`.
    // When refused, `retryAfterSeconds` tells when the oldest attempt leaves the window.
    bool tryAcquire(const QString& key, int limit, int windowSeconds, int* retryAfterSeconds = nullptr);

    // The two halves of tryAcquire, for limits that count only failures: check before the work, record after a
    // failure.
    bool isLimited(const QString& key, int limit, int windowSeconds, int* retryAfterSeconds = nullptr);
    void record(const QString& key, int windowSeconds);

private:
    void prune(TimeMs now, qint64 windowMs);

    const Clock& m_clock;
    int m_maxKeys;
    QHash<QString, std::deque<TimeMs>> m_attempts;
};

} // namespace stint::cloud
