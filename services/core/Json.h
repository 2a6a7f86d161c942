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

// Parses `body` as exactly one JSON object (RFC 8259, strictly). Rejects malformed or truncated JSON, other top-level
// types, bodies over `maxBytes` and nesting deeper than `maxDepth` (kMalformed, kTooLarge). Also rejects, as kInvalid,
// what QJsonDocument would silently change: a key repeated in one object at any depth (it keeps the last, so
// {"role":"technician","role":"admin"} would read as admin to us and as technician to a proxy), an escaped lone
// surrogate (\ud800, stored as "?"), and bytes that are not UTF-8 (replaced by U+FFFD). Every request body, the event
// channel's hello and WebAuthn's clientDataJSON come through here.
Result<QJsonObject> parseObject(QByteArrayView body, qsizetype maxBytes, int maxDepth = 16);

// Free text a person reviews (names, justifications, tickets, reasons, notes): the one rule for all of it. Refuses
// what makes text look other than it is: control characters (a line break only where `lines` is Many), format
// characters (Unicode category Cf: bidirectional overrides and isolates, zero-width spaces and joiners, the BOM, tag
// characters), noncharacters (U+FDD0..U+FDEF, U+xxFFFE/U+xxFFFF) and unpaired surrogates. Returns the problem, or
// nothing when `text` is acceptable. ObjectReader::optionalText/requiredText apply it to a field.
enum class TextLines { One, Many };
std::optional<QString> freeTextProblem(QStringView text, TextLines lines);

QByteArray compact(const QJsonObject& object);

// Reads fields of one object with types and limits, collecting every problem; finish() also rejects any key that
// was never asked for, so unknown fields are an error rather than silently ignored.
class ObjectReader
{
public:
    explicit ObjectReader(QJsonObject object, QString path = {});

    // Every typed read refuses an explicit null ("must not be null": leave a field out to keep its value) unless
    // acceptNull() named the field first; then null reads as absent. optionalValue() hands null to the caller.
    void acceptNull(const QString& key) { m_nullable.insert(key); }

    QString requiredString(const QString& key, int maxLength, int minLength = 1);
    std::optional<QString> optionalString(const QString& key, int maxLength, int minLength = 0);
    // Strings under the free-text rule (freeTextProblem()): for every field a person reviews.
    QString requiredText(const QString& key, int maxLength, int minLength = 1, TextLines lines = TextLines::One);
    std::optional<QString> optionalText(const QString& key, int maxLength, int minLength = 0,
                                        TextLines lines = TextLines::One);
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
    QSet<QString> m_nullable;
    QStringList m_errors;
};

} // namespace stint::json
