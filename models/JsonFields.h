// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

// Reading the cloud's answers on the desktop side: every field the client relies on is checked for its type, and a
// missing or mistyped one makes the whole object an error (code "api.unexpected_response"), never a silently empty
// value. Unknown fields are ignored, so a newer cloud that adds fields does not break an older app — the opposite of
// the cloud's own request readers (core/Json.h), which refuse what they do not know.
namespace stint::models {

inline constexpr auto kUnexpectedResponse = "api.unexpected_response";

class FieldReader
{
public:
    explicit FieldReader(const QJsonObject& object, QString what);

    QString string(const QString& key);
    // Absent or null gives "".
    QString optionalString(const QString& key);
    std::optional<QString> nullableString(const QString& key);
    qint64 integer(const QString& key);
    std::optional<qint64> optionalInteger(const QString& key);
    bool boolean(const QString& key, std::optional<bool> fallback = std::nullopt);
    TimeMs time(const QString& key);
    std::optional<TimeMs> optionalTime(const QString& key);
    QStringList stringList(const QString& key, bool optional = false);
    QJsonObject object(const QString& key, bool optional = false);
    QJsonArray array(const QString& key, bool optional = false);

    void fail(const QString& key, const QString& problem);
    bool ok() const { return m_problems.isEmpty(); }
    // The error naming every problem, for Result<T>.
    Error error() const;

private:
    QJsonObject m_object;
    QString m_what;
    QStringList m_problems;
};

// Parses every element of `array` with `parse` (a function QJsonObject → Result<T>); the first failure wins.
template <typename T, typename Parse> Result<QList<T>> parseList(const QJsonArray& array, Parse parse)
{
    QList<T> out;
    out.reserve(array.size());
    for (const QJsonValue& v : array) {
        if (!v.isObject())
            return makeError(QString::fromLatin1(kUnexpectedResponse), QStringLiteral("a list item is not an object"));
        Result<T> item = parse(v.toObject());
        if (!item)
            return item.error();
        out.append(std::move(item).value());
    }
    return out;
}

} // namespace stint::models
