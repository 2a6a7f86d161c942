// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/common/SecondTicker.h"

namespace stint::ui {

namespace {
// A few milliseconds past the boundary: a timer that fires a hair early would show the old second once more.
constexpr int kPastBoundaryMs = 5;
} // namespace

SecondTicker::SecondTicker(Now now, QObject* parent)
    : QObject(parent)
    , m_now(std::move(now))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this]() {
        arm();
        emit tick();
    });
}

void SecondTicker::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    if (active)
        arm();
    else
        m_timer.stop();
}

void SecondTicker::arm()
{
    if (!m_active)
        return;
    const qint64 now = m_now();
    const qint64 intoSecond = ((now % 1000) + 1000) % 1000;
    m_timer.start(int(1000 - intoSecond) + kPastBoundaryMs);
}

} // namespace stint::ui
