// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"

#include <QHash>
#include <QHostAddress>
#include <QString>

#include <deque>

namespace stint::cloud {

// Sign-in limits, in memory: attempts per source address and failed attempts per account, each a sliding window.
// Limits reset when the service restarts, which is acceptable for throttling guesses, not for lockout decisions.
//
// The two are kept in separate tables with separate bounds, so that a flood of addresses (easy with IPv6) can never
// wipe or evict an account's failure count. IPv6 addresses are counted per /64, the block one host is usually given.
// When a table is full, windows that have run out are forgotten first; if it is still full, the entries whose last
// attempt is oldest are evicted (a tenth of the table at a time, so eviction is not paid on every new key).
class RateLimiter
{
public:
    explicit RateLimiter(const Clock& clock, int maxAddresses = 100'000, int maxAccounts = 100'000);

    // The key an address is counted under: an IPv4 address (also IPv4-mapped IPv6) as itself, IPv6 by its /64.
    static QString addressKey(const QHostAddress& address);

    // Records one attempt from `address` and says whether it is within `limit` attempts per `windowSeconds`.
    // A refused attempt is not recorded. When refused, `retryAfterSeconds` tells when the oldest attempt leaves the
    // window.
    bool tryAcquireAddress(const QHostAddress& address, int limit, int windowSeconds, int* retryAfterSeconds = nullptr);

    // Failures per account, for limits that count only failures: check before (or after) the work, record after a
    // failure. With a limit of 10, the 10th failure in the window is already limited.
    bool isAccountLimited(const QString& accountId, int limit, int windowSeconds, int* retryAfterSeconds = nullptr);
    void recordAccountFailure(const QString& accountId, int limit, int windowSeconds);

    int addressEntries() const { return m_addresses.size(); }
    int accountEntries() const { return m_accounts.size(); }

private:
    // One table of sliding windows keyed by a string.
    class Windows
    {
    public:
        explicit Windows(int maxKeys);
        bool isLimited(const QString& key, int limit, TimeMs now, qint64 windowMs, int* retryAfterSeconds);
        // Keeps at most `limit` attempts per key: the window is limited once it holds `limit`, and the oldest of
        // them is the one that says when it stops being.
        void record(const QString& key, int limit, TimeMs now, qint64 windowMs);
        int size() const { return int(m_entries.size()); }

    private:
        struct Entry
        {
            std::deque<TimeMs> attempts;
            qint64 windowMs = 0;
        };
        void makeRoom(TimeMs now);

        int m_maxKeys;
        QHash<QString, Entry> m_entries;
    };

    const Clock& m_clock;
    Windows m_addresses;
    Windows m_accounts;
};

} // namespace stint::cloud
