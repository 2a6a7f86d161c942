// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QStringList>

#include <optional>

// Strict JSON at the edge: every network input is parsed into typed values here and rejected when it does not fit.
namespace stint::json {

// Error codes produced here (the cloud maps them to problem types).
inline constexpr auto kMalformed = "request.malformed_json";
inline constexpr auto kTooLarge = "request.too_large";
inline constexpr auto kInvalid = "request.invalid";

// Parses `body` as exactly one JSON object. Rejects malformed or truncated JSON, other top-level types,
// bodies over `maxBytes` and nesting deeper than `maxDepth`.
Result<QJsonObject> parseObject(QByteArrayView body, qsizetype maxBytes, int maxDepth = 16);

QByteArray compact(const QJsonObject& object);

// Reads fields of one object with types and limits, collecting every problem; finish() also rejects any key that
// was never asked for, so unknown fields are an error rather than silently ignored.
class ObjectReader
{
public:
    explicit ObjectReader(QJsonObject object, QString path = {});

    QString requiredString(const QString& key, int maxLength, int minLength = 1);
    std::optional<QString> optionalString(const QString& key, int maxLength, int minLength = 0);
    std::optional<qint64> optionalInteger(const QString& key, qint64 min, qint64 max);
    qint64 requiredInteger(const QString& key, qint64 min, qint64 max);
    std::optional<bool> optionalBool(const QString& key);
    std::optional<QStringList> optionalStringList(const QString& key, int maxItems, int maxLength);
    std::optional<QJsonObject> optionalObject(const QString& key);
    std::optional<QJsonValue> optionalValue(const QString& key);
    // A string that must be one of `allowed`.
    std::optional<QString> optionalEnum(const QString& key, const QStringList& allowed);
    QString requiredEnum(const QString& key, const QStringList& allowed);

    // Records a problem found by the caller's own checks.
    void fail(const QString& key, const QString& problem);
    bool hasErrors() const { return !m_errors.isEmpty(); }
    QStringList errors() const { return m_errors; }

    Result<void> finish();

private:
    std::optional<QJsonValue> take(const QString& key);
    QString name(const QString& key) const;

    QJsonObject m_object;
    QString m_path;
    QSet<QString> m_seen;
    QStringList m_errors;
};

} // namespace stint::json
