// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"

#include <QCoreApplication>
#include <QString>

// Times and durations as people read them, in one place so every countdown and timestamp looks the same.
namespace stint::ui {

class TimeText
{
    Q_DECLARE_TR_FUNCTIONS(stint::ui::TimeText)
public:
    // A countdown: "1:04:09", "4:59", "0:00" (never negative).
    static QString countdown(qint64 remainingMs);
    // A duration in minutes: "45 min", "1 h", "1 h 30 min", "8 h".
    static QString minutes(int minutes);
    // A moment, in local time: "14:03" today, "Yesterday 14:03", "Tue 3 Dec 14:03", with the year when not this one.
    static QString when(TimeMs t, TimeMs now);
    // "3 min ago", "in 5 min", "just now".
    static QString relative(TimeMs t, TimeMs now);
};

} // namespace stint::ui
