// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Clock.h"

#include <QRegularExpression>

namespace stint {

QString toRfc3339(TimeMs t)
{
    return QDateTime::fromMSecsSinceEpoch(t, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

std::optional<TimeMs> fromRfc3339(const QString& text)
{
    static const QRegularExpression shape(QStringLiteral(
        R"(^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$)"));
    if (text.size() > 40 || !shape.match(text).hasMatch())
        return std::nullopt;
    QString normalized = text.toUpper();
    // Qt parses at most millisecond precision: trim longer fractions.
    const int dot = int(normalized.indexOf(QLatin1Char('.')));
    if (dot > 0) {
        int end = dot + 1;
        while (end < normalized.size() && normalized[end].isDigit())
            ++end;
        if (end - dot - 1 > 3)
            normalized.remove(dot + 4, end - dot - 4);
    }
    const QDateTime dt = QDateTime::fromString(normalized, Qt::ISODateWithMs);
    if (!dt.isValid())
        return std::nullopt;
    return dt.toMSecsSinceEpoch();
}

} // namespace stint
