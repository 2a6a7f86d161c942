// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QTimer>

#include <functional>

// One timer for a view's countdowns, firing just after each whole second of the clock the countdowns are read from
// (the service's time), so every countdown on screen changes together and none is ever a second behind. It runs only
// while something needs it (setActive), so an idle window costs nothing.
namespace stint::ui {

class SecondTicker : public QObject
{
    Q_OBJECT
public:
    using Now = std::function<qint64()>;

    explicit SecondTicker(Now now, QObject* parent = nullptr);

    void setActive(bool active);
    bool isActive() const { return m_active; }

signals:
    void tick();

private:
    void arm();

    Now m_now;
    QTimer m_timer;
    bool m_active = false;
};

} // namespace stint::ui
