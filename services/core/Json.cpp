// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Json.h"

#include <QJsonDocument>

#include <cmath>

namespace stint::json {

namespace {
// QJsonDocument accepts very deep nesting; walk the bytes once to cap it before parsing.
bool nestingWithin(QByteArrayView body, int maxDepth)
{
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (char c : body) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[') {
            if (++depth > maxDepth)
                return false;
        } else if (c == '}' || c == ']')
            --depth;
    }
    return true;
}
} // namespace

Result<QJsonObject> parseObject(QByteArrayView body, qsizetype maxBytes, int maxDepth)
{
    if (body.size() > maxBytes)
        return makeError(QString::fromLatin1(kTooLarge),
                         QStringLiteral("The request body is larger than %1 bytes.").arg(maxBytes));
    if (!nestingWithin(body, maxDepth))
        return makeError(QString::fromLatin1(kMalformed), QStringLiteral("The JSON is nested too deeply."));
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        return makeError(QString::fromLatin1(kMalformed),
                         QStringLiteral("The body is not valid JSON: %1 at offset %2.")
                             .arg(error.errorString())
                             .arg(error.offset));
    if (!doc.isObject())
        return makeError(QString::fromLatin1(kMalformed), QStringLiteral("The body must be a JSON object."));
    return doc.object();
}

QByteArray compact(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

ObjectReader::ObjectReader(QJsonObject object, QString path)
    : m_object(std::move(object))
    , m_path(std::move(path))
{
}

QString ObjectReader::name(const QString& key) const
{
    return m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
}

void ObjectReader::fail(const QString& key, const QString& problem)
{
    m_errors << QStringLiteral("%1: %2").arg(name(key), problem);
}

std::optional<QJsonValue> ObjectReader::take(const QString& key)
{
    m_seen.insert(key);
    const auto it = m_object.constFind(key);
    if (it == m_object.constEnd() || it->isNull())
        return std::nullopt;
    return *it;
}

std::optional<QString> ObjectReader::optionalString(const QString& key, int maxLength, int minLength)
{
    const auto v = take(key);
    if (!v)
        return std::nullopt;
    if (!v->isString()) {
        fail(key, QStringLiteral("must be a string"));
        return std::nullopt;
    }
    const QString s = v->toString();
    if (s.size() > maxLength) {
        fail(key, QStringLiteral("must be at most %1 characters").arg(maxLength));
        return std::nullopt;
    }
    if (s.size() < minLength) {
        fail(key, QStringLiteral("must be at least %1 characters").arg(minLength));
        return std::nullopt;
    }
    for (QChar c : s) {
        if (c.category() == QChar::Other_Control && c != QLatin1Char('\n') && c != QLatin1Char('\t')) {
            fail(key, QStringLiteral("must not contain control characters"));
            return std::nullopt;
        }
    }
    return s;
}

QString ObjectReader::requiredString(const QString& key, int maxLength, int minLength)
{
    if (!m_object.contains(key) || m_object.value(key).isNull()) {
        m_seen.insert(key);
        fail(key, QStringLiteral("is required"));
        return {};
    }
    return optionalString(key, maxLength, minLength).value_or(QString());
}

std::optional<qint64> ObjectReader::optionalInteger(const QString& key, qint64 min, qint64 max)
{
    const auto v = take(key);
    if (!v)
        return std::nullopt;
    const double d = v->toDouble(std::nan(""));
    if (!v->isDouble() || std::isnan(d) || d != std::floor(d) || std::abs(d) > 9007199254740991.0) {
        fail(key, QStringLiteral("must be an integer"));
        return std::nullopt;
    }
    const auto i = qint64(d);
    if (i < min || i > max) {
        fail(key, QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        return std::nullopt;
    }
    return i;
}

qint64 ObjectReader::requiredInteger(const QString& key, qint64 min, qint64 max)
{
    if (!m_object.contains(key) || m_object.value(key).isNull()) {
        m_seen.insert(key);
        fail(key, QStringLiteral("is required"));
        return min;
    }
    return optionalInteger(key, min, max).value_or(min);
}

std::optional<bool> ObjectReader::optionalBool(const QString& key)
{
    const auto v = take(key);
    if (!v)
        return std::nullopt;
    if (!v->isBool()) {
        fail(key, QStringLiteral("must be true or false"));
        return std::nullopt;
    }
    return v->toBool();
}

std::optional<QStringList> ObjectReader::optionalStringList(const QString& key, int maxItems, int maxLength)
{
    const auto v = take(key);
    if (!v)
        return std::nullopt;
    if (!v->isArray()) {
        fail(key, QStringLiteral("must be an array of strings"));
        return std::nullopt;
    }
    const QJsonArray a = v->toArray();
    if (a.size() > maxItems) {
        fail(key, QStringLiteral("must have at most %1 items").arg(maxItems));
        return std::nullopt;
    }
    QStringList out;
    for (const auto& item : a) {
        if (!item.isString() || item.toString().isEmpty() || item.toString().size() > maxLength) {
            fail(key, QStringLiteral("must hold non-empty strings of at most %1 characters").arg(maxLength));
            return std::nullopt;
        }
        out << item.toString();
    }
    return out;
}

std::optional<QJsonObject> ObjectReader::optionalObject(const QString& key)
{
    const auto v = take(key);
    if (!v)
        return std::nullopt;
    if (!v->isObject()) {
        fail(key, QStringLiteral("must be an object"));
        return std::nullopt;
    }
    return v->toObject();
}

std::optional<QJsonValue> ObjectReader::optionalValue(const QString& key)
{
    return take(key);
}

std::optional<QString> ObjectReader::optionalEnum(const QString& key, const QStringList& allowed)
{
    const auto s = optionalString(key, 64);
    if (s && !allowed.contains(*s)) {
        fail(key, QStringLiteral("must be one of: %1").arg(allowed.join(QStringLiteral(", "))));
        return std::nullopt;
    }
    return s;
}

QString ObjectReader::requiredEnum(const QString& key, const QStringList& allowed)
{
    if (!m_object.contains(key) || m_object.value(key).isNull()) {
        m_seen.insert(key);
        fail(key, QStringLiteral("is required"));
        return {};
    }
    return optionalEnum(key, allowed).value_or(QString());
}

Result<void> ObjectReader::finish()
{
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        if (!m_seen.contains(it.key()))
            fail(it.key(), QStringLiteral("is not a known field"));
    }
    if (m_errors.isEmpty())
        return {};
    return makeError(QString::fromLatin1(kInvalid), m_errors.join(QStringLiteral("; ")));
}

} // namespace stint::json
