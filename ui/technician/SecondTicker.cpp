// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/SecondTicker.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSecondTicker, "stint.ui.secondticker")

namespace stint::ui {

namespace {
// Fire a little after the boundary: a timer that fires a hair early would show the old second again.
constexpr int kAfterBoundaryMs = 5;
} // namespace

SecondTicker::SecondTicker(std::function<TimeMs()> now, QObject* parent)
    : QObject(parent)
    , m_now(std::move(now))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this]() {
        emit tick(m_now());
        arm();
    });
}

void SecondTicker::start()
{
    if (!m_timer.isActive())
        arm();
}

void SecondTicker::stop()
{
    m_timer.stop();
}

void SecondTicker::arm()
{
    const TimeMs now = m_now();
    const qint64 intoSecond = ((now % 1000) + 1000) % 1000;
    m_timer.start(int(1000 - intoSecond + kAfterBoundaryMs));
}

} // namespace stint::ui
