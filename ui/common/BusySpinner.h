// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QTimer>
#include <QWidget>

// A small turning arc that says "working on it" next to a button or a status line. It turns only while visible and
// running, so an idle window costs nothing.
namespace stint::ui {

class BusySpinner : public QWidget
{
    Q_OBJECT
public:
    explicit BusySpinner(QWidget* parent = nullptr);

    void start();
    void stop();
    bool isRunning() const { return m_timer.isActive(); }
    QSize sizeHint() const override { return {18, 18}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QTimer m_timer;
    int m_angle = 0;
};

} // namespace stint::ui
