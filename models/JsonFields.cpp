// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/JsonFields.h"

namespace stint::models {

FieldReader::FieldReader(const QJsonObject& object, QString what)
    : m_object(object)
    , m_what(std::move(what))
{
}

void FieldReader::fail(const QString& key, const QString& problem)
{
    m_problems << QStringLiteral("%1: %2").arg(key, problem);
}

Error FieldReader::error() const
{
    return makeError(QString::fromLatin1(kUnexpectedResponse),
                     QStringLiteral("The service sent a %1 this app does not understand (%2).")
                         .arg(m_what, m_problems.join(QStringLiteral("; "))));
}

QString FieldReader::string(const QString& key)
{
    const QJsonValue v = m_object.value(key);
    if (!v.isString()) {
        fail(key, v.isUndefined() ? QStringLiteral("missing") : QStringLiteral("not a string"));
        return {};
    }
    return v.toString();
}

QString FieldReader::optionalString(const QString& key)
{
    return nullableString(key).value_or(QString());
}

std::optional<QString> FieldReader::nullableString(const QString& key)
{
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    if (!v.isString()) {
        fail(key, QStringLiteral("not a string"));
        return std::nullopt;
    }
    return v.toString();
}

qint64 FieldReader::integer(const QString& key)
{
    const QJsonValue v = m_object.value(key);
    if (!v.isDouble()) {
        fail(key, v.isUndefined() ? QStringLiteral("missing") : QStringLiteral("not a number"));
        return 0;
    }
    return v.toInteger();
}

std::optional<qint64> FieldReader::optionalInteger(const QString& key)
{
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    if (!v.isDouble()) {
        fail(key, QStringLiteral("not a number"));
        return std::nullopt;
    }
    return v.toInteger();
}

bool FieldReader::boolean(const QString& key, std::optional<bool> fallback)
{
    const QJsonValue v = m_object.value(key);
    if ((v.isUndefined() || v.isNull()) && fallback)
        return *fallback;
    if (!v.isBool()) {
        fail(key, v.isUndefined() ? QStringLiteral("missing") : QStringLiteral("not true or false"));
        return false;
    }
    return v.toBool();
}

TimeMs FieldReader::time(const QString& key)
{
    const QJsonValue v = m_object.value(key);
    const auto t = v.isString() ? fromRfc3339(v.toString()) : std::nullopt;
    if (!t) {
        fail(key, v.isUndefined() ? QStringLiteral("missing") : QStringLiteral("not an RFC 3339 time"));
        return 0;
    }
    return *t;
}

std::optional<TimeMs> FieldReader::optionalTime(const QString& key)
{
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    const auto t = v.isString() ? fromRfc3339(v.toString()) : std::nullopt;
    if (!t)
        fail(key, QStringLiteral("not an RFC 3339 time"));
    return t;
}

QStringList FieldReader::stringList(const QString& key, bool optional)
{
    const QJsonValue v = m_object.value(key);
    if (optional && (v.isUndefined() || v.isNull()))
        return {};
    if (!v.isArray()) {
        fail(key, v.isUndefined() ? QStringLiteral("missing") : QStringLiteral("not a list"));
        return {};
    }
    QStringList out;
    for (const QJsonValue& item : v.toArray()) {
        if (!item.isString()) {
            fail(key, QStringLiteral("holds something other than strings"));
            return {};
        }
        out << item.toString();
    }
    return out;
}

QJsonObject FieldReader::object(const QString& key, bool optional)
{
    const QJsonValue v = m_object.value(key);
    if (optional && (v.isUndefined() || v.isNull()))
        return {};
    if (!v.isObject()) {
        fail(key, v.isUndefined() ? QStringLiteral("missing") : QStringLiteral("not an object"));
        return {};
    }
    return v.toObject();
}

QJsonArray FieldReader::array(const QString& key, bool optional)
{
    const QJsonValue v = m_object.value(key);
    if (optional && (v.isUndefined() || v.isNull()))
        return {};
    if (!v.isArray()) {
        fail(key, v.isUndefined() ? QStringLiteral("missing") : QStringLiteral("not a list"));
        return {};
    }
    return v.toArray();
}

} // namespace stint::models
