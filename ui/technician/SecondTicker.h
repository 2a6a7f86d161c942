// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"

#include <QObject>
#include <QTimer>
#include <functional>

// The one timer a view's countdowns run on: it fires just after each whole second of the service's clock, so every
// countdown on screen changes together and none skips or repeats a second. Views connect their cards to tick()
// instead of each card running a timer of its own.
namespace stint::ui {

class SecondTicker : public QObject
{
    Q_OBJECT
public:
    // `now`: the service's clock (Workspace::serverNow).
    explicit SecondTicker(std::function<TimeMs()> now, QObject* parent = nullptr);

    void start();
    void stop();
    bool isRunning() const { return m_timer.isActive(); }
    TimeMs now() const { return m_now(); }

signals:
    void tick(stint::TimeMs now);

private:
    void arm();

    std::function<TimeMs()> m_now;
    QTimer m_timer;
};

} // namespace stint::ui
