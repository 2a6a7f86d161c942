// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/common/TimeText.h"

#include <QDateTime>
#include <QLocale>

namespace stint::ui {

QString TimeText::countdown(qint64 remainingMs)
{
    // Rounded up: a countdown that shows 0:00 has really ended.
    const qint64 total = remainingMs <= 0 ? 0 : (remainingMs + 999) / 1000;
    const qint64 h = total / 3600;
    const qint64 m = (total % 3600) / 60;
    const qint64 s = total % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

QString TimeText::minutes(int minutes)
{
    if (minutes < 60)
        return tr("%1 min").arg(minutes);
    const int h = minutes / 60;
    const int m = minutes % 60;
    return m == 0 ? tr("%1 h").arg(h) : tr("%1 h %2 min").arg(h).arg(m);
}

QString TimeText::when(TimeMs t, TimeMs now)
{
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(t).toLocalTime();
    const QDate today = QDateTime::fromMSecsSinceEpoch(now).toLocalTime().date();
    const QLocale locale;
    const QString time = locale.toString(at.time(), QLocale::ShortFormat);
    if (at.date() == today)
        return time;
    if (at.date() == today.addDays(-1))
        return tr("Yesterday %1").arg(time);
    // The date formats are QLocale formats a translation adapts ("ddd d. MMM" in German).
    const QString format = at.date().year() == today.year() ? tr("ddd d MMM", "date this year, QLocale format")
                                                            : tr("d MMM yyyy", "date in another year, QLocale format");
    return QStringLiteral("%1 %2").arg(locale.toString(at.date(), format), time);
}

QString TimeText::relative(TimeMs t, TimeMs now)
{
    const qint64 delta = (t - now) / 1000;
    const qint64 a = delta < 0 ? -delta : delta;
    if (a < 45)
        return tr("just now");
    const qint64 mins = (a + 30) / 60;
    QString span;
    if (mins < 60)
        span = tr("%n min", nullptr, int(mins));
    else if (mins < 48 * 60)
        span = tr("%n h", nullptr, int((mins + 30) / 60));
    else
        span = tr("%n day(s)", nullptr, int(mins / (24 * 60)));
    return delta < 0 ? tr("%1 ago").arg(span) : tr("in %1").arg(span);
}

} // namespace stint::ui
