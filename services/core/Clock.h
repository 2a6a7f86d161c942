// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QString>

#include <atomic>
#include <optional>

namespace stint {

// Time as milliseconds since the Unix epoch, UTC. Stored as integers, shown as RFC 3339 on the wire.
using TimeMs = qint64;

// The source of "now". Passed in, never global, so tests move time forward instead of sleeping.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual TimeMs now() const = 0;
};

class SystemClock final : public Clock
{
public:
    TimeMs now() const override { return QDateTime::currentMSecsSinceEpoch(); }
};

// A clock that moves only when told. For tests.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(TimeMs start = 1'800'000'000'000)
        : m_now(start)
    {
    }
    TimeMs now() const override { return m_now.load(); }
    void advance(qint64 ms) { m_now += ms; }
    void set(TimeMs t) { m_now = t; }

private:
    std::atomic<TimeMs> m_now;
};

// RFC 3339 in UTC with milliseconds: 2026-11-27T20:58:01.123Z
QString toRfc3339(TimeMs t);
// Accepts RFC 3339 with 'Z' or an offset; returns nullopt for anything else.
std::optional<TimeMs> fromRfc3339(const QString& text);

} // namespace stint
