// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/RowTableModel.h"

#include <QPainter>
#include <QPixmap>

namespace stint::ui {

QColor RowTone::color(const QString& tone)
{
    // The status colours of ui/common/Style (text on white, WCAG AA).
    if (tone == QLatin1String("good"))
        return QColor(0x1b, 0x6b, 0x36);
    if (tone == QLatin1String("warn"))
        return QColor(0x8a, 0x53, 0x00);
    if (tone == QLatin1String("bad"))
        return QColor(0xa4, 0x22, 0x1a);
    if (tone == QLatin1String("busy"))
        return QColor(0x1d, 0x4f, 0x9c);
    return QColor(0x61, 0x6e, 0x7c);
}

QIcon RowTone::dot(const QString& tone)
{
    // Kept for the process (reachable, never destroyed): a pixmap must not outlive the application object.
    static auto* cache = new QHash<QString, QIcon>();
    const auto it = cache->constFind(tone);
    if (it != cache->constEnd())
        return *it;
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    {
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(Qt::NoPen);
        p.setBrush(color(tone));
        p.drawEllipse(QRectF(2, 2, 8, 8));
    }
    QIcon icon(pixmap);
    cache->insert(tone, icon);
    return icon;
}

} // namespace stint::ui
