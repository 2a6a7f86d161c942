// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/common/BusySpinner.h"

#include <QPainter>

namespace stint::ui {

BusySpinner::BusySpinner(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("busySpinner"));
    setAccessibleName(tr("Working"));
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, [this]() {
        m_angle = (m_angle + 30) % 360;
        update();
    });
    setFixedSize(sizeHint());
    hide();
}

void BusySpinner::start()
{
    show();
    m_timer.start();
}

void BusySpinner::stop()
{
    m_timer.stop();
    hide();
}

void BusySpinner::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    QPen pen(palette().color(QPalette::Highlight), 2.5);
    pen.setCapStyle(Qt::RoundCap);
    p.setPen(pen);
    const QRectF r = QRectF(rect()).adjusted(3, 3, -3, -3);
    p.drawArc(r, -m_angle * 16, 270 * 16);
}

} // namespace stint::ui
