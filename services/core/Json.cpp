// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Json.h"

#include <QJsonDocument>

#include <cmath>

namespace stint::json {

namespace {
// A strict RFC 8259 reader that builds nothing but the keys: it decides whether QJsonDocument may parse the bytes.
// QJsonDocument alone would keep the last of repeated keys, turn an escaped lone surrogate into U+FFFD (stored as "?")
// and accept very deep nesting; each of those is refused here instead.
class StrictScan
{
public:
    StrictScan(QByteArrayView in, int maxDepth)
        : m_in(in)
        , m_maxDepth(maxDepth)
    {
    }

    Result<void> run()
    {
        space();
        if (m_pos >= m_in.size() || m_in[m_pos] != '{')
            return makeError(QString::fromLatin1(kMalformed), QStringLiteral("The body must be a JSON object."));
        if (value()) {
            space();
            if (m_pos != m_in.size())
                malformed(QStringLiteral("text after the object"));
        }
        if (m_error)
            return *m_error;
        return {};
    }

private:
    bool malformed(const QString& why)
    {
        if (!m_error)
            m_error = Error{QString::fromLatin1(kMalformed),
                            QStringLiteral("The body is not valid JSON: %1 at offset %2.").arg(why).arg(m_pos)};
        return false;
    }
    bool invalid(const QString& why)
    {
        if (!m_error)
            m_error = Error{QString::fromLatin1(kInvalid), why};
        return false;
    }
    int peek() const { return m_pos < m_in.size() ? uchar(m_in[m_pos]) : -1; }
    void space()
    {
        while (m_pos < m_in.size()) {
            const char c = m_in[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_pos;
        }
    }

    bool value()
    {
        switch (peek()) {
        case '{':
            return object();
        case '[':
            return array();
        case '"':
            return string(nullptr);
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        case -1:
            return malformed(QStringLiteral("unexpected end"));
        default:
            if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
                return number();
            return malformed(QStringLiteral("unexpected character"));
        }
    }

    bool enter()
    {
        if (++m_depth > m_maxDepth) {
            if (!m_error)
                m_error = Error{QString::fromLatin1(kMalformed), QStringLiteral("The JSON is nested too deeply.")};
            return false;
        }
        ++m_pos;
        space();
        return true;
    }

    bool object()
    {
        if (!enter())
            return false;
        QSet<QString> keys;
        if (peek() == '}') {
            ++m_pos;
            --m_depth;
            return true;
        }
        for (;;) {
            if (peek() != '"')
                return malformed(QStringLiteral("expected a key"));
            const qsizetype at = m_pos;
            QString key;
            if (!string(&key))
                return false;
            if (keys.contains(key)) {
                m_pos = at;
                return invalid(QStringLiteral("The key \"%1\" appears more than once in one object (offset %2): "
                                              "send each key once.")
                                   .arg(key.left(64))
                                   .arg(at));
            }
            keys.insert(key);
            space();
            if (peek() != ':')
                return malformed(QStringLiteral("expected ':'"));
            ++m_pos;
            space();
            if (!value())
                return false;
            space();
            if (peek() == ',') {
                ++m_pos;
                space();
                continue;
            }
            if (peek() == '}') {
                ++m_pos;
                --m_depth;
                return true;
            }
            return malformed(QStringLiteral("expected ',' or '}'"));
        }
    }

    bool array()
    {
        if (!enter())
            return false;
        if (peek() == ']') {
            ++m_pos;
            --m_depth;
            return true;
        }
        for (;;) {
            if (!value())
                return false;
            space();
            if (peek() == ',') {
                ++m_pos;
                space();
                continue;
            }
            if (peek() == ']') {
                ++m_pos;
                --m_depth;
                return true;
            }
            return malformed(QStringLiteral("expected ',' or ']'"));
        }
    }

    bool literal(const char* word)
    {
        const QByteArrayView w(word);
        if (m_in.sliced(m_pos).startsWith(w)) {
            m_pos += w.size();
            return true;
        }
        return malformed(QStringLiteral("unexpected character"));
    }

    bool digits()
    {
        const qsizetype from = m_pos;
        while (peek() >= '0' && peek() <= '9')
            ++m_pos;
        return m_pos > from;
    }

    bool number()
    {
        if (peek() == '-')
            ++m_pos;
        if (peek() == '0')
            ++m_pos;
        else if (!digits())
            return malformed(QStringLiteral("bad number"));
        if (peek() == '.') {
            ++m_pos;
            if (!digits())
                return malformed(QStringLiteral("bad number"));
        }
        if (peek() == 'e' || peek() == 'E') {
            ++m_pos;
            if (peek() == '+' || peek() == '-')
                ++m_pos;
            if (!digits())
                return malformed(QStringLiteral("bad number"));
        }
        if (peek() >= '0' && peek() <= '9')
            return malformed(QStringLiteral("bad number"));
        return true;
    }

    int hex4()
    {
        if (m_pos + 4 > m_in.size())
            return -1;
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_in[m_pos + i];
            const int d = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f'         ? c - 'a' + 10
                : c >= 'A' && c <= 'F'         ? c - 'A' + 10
                                               : -1;
            if (d < 0)
                return -1;
            v = v * 16 + d;
        }
        m_pos += 4;
        return v;
    }

    bool loneSurrogate(int unit, qsizetype at)
    {
        m_pos = at;
        return invalid(QStringLiteral("The JSON has a lone surrogate escape (\\u%1) at offset %2: strings must be "
                                      "Unicode text.")
                           .arg(unit, 4, 16, QLatin1Char('0'))
                           .arg(at));
    }

    // One code point of UTF-8, strictly (no overlong forms, no surrogates, nothing above U+10FFFF).
    bool utf8(QString* out)
    {
        const qsizetype at = m_pos;
        const int b0 = peek();
        int need = 0;
        char32_t cp = 0;
        int lo = 0x80, hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            need = 1;
            cp = b0 & 0x1F;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            need = 2;
            cp = b0 & 0x0F;
            if (b0 == 0xE0)
                lo = 0xA0;
            else if (b0 == 0xED)
                hi = 0x9F;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            need = 3;
            cp = b0 & 0x07;
            if (b0 == 0xF0)
                lo = 0x90;
            else if (b0 == 0xF4)
                hi = 0x8F;
        } else {
            return invalid(QStringLiteral("The body is not UTF-8 (offset %1).").arg(at));
        }
        ++m_pos;
        for (int i = 0; i < need; ++i) {
            const int b = peek();
            if (b < lo || b > hi)
                return invalid(QStringLiteral("The body is not UTF-8 (offset %1).").arg(at));
            lo = 0x80;
            hi = 0xBF;
            cp = (cp << 6) | char32_t(b & 0x3F);
            ++m_pos;
        }
        if (out)
            out->append(QString::fromUcs4(&cp, 1));
        return true;
    }

    bool string(QString* out)
    {
        ++m_pos; // the opening quote
        for (;;) {
            const int c = peek();
            if (c == -1)
                return malformed(QStringLiteral("unterminated string"));
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (c < 0x20)
                return malformed(QStringLiteral("control character in a string"));
            if (c >= 0x80) {
                if (!utf8(out))
                    return false;
                continue;
            }
            if (c != '\\') {
                if (out)
                    out->append(QLatin1Char(char(c)));
                ++m_pos;
                continue;
            }
            const qsizetype at = m_pos;
            ++m_pos;
            const int e = peek();
            ++m_pos;
            char plain = 0;
            switch (e) {
            case '"': plain = '"'; break;
            case '\\': plain = '\\'; break;
            case '/': plain = '/'; break;
            case 'b': plain = '\b'; break;
            case 'f': plain = '\f'; break;
            case 'n': plain = '\n'; break;
            case 'r': plain = '\r'; break;
            case 't': plain = '\t'; break;
            case 'u': break;
            default:
                m_pos = at;
                return malformed(QStringLiteral("bad escape"));
            }
            if (plain) {
                if (out)
                    out->append(QLatin1Char(plain));
                continue;
            }
            const int unit = hex4();
            if (unit < 0)
                return malformed(QStringLiteral("bad \\u escape"));
            if (unit >= 0xDC00 && unit <= 0xDFFF)
                return loneSurrogate(unit, at);
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                if (!(peek() == '\\' && m_pos + 1 < m_in.size() && m_in[m_pos + 1] == 'u'))
                    return loneSurrogate(unit, at);
                m_pos += 2;
                const int low = hex4();
                if (low < 0)
                    return malformed(QStringLiteral("bad \\u escape"));
                if (low < 0xDC00 || low > 0xDFFF)
                    return loneSurrogate(unit, at);
                if (out) {
                    out->append(QChar(char16_t(unit)));
                    out->append(QChar(char16_t(low)));
                }
                continue;
            }
            if (out)
                out->append(QChar(char16_t(unit)));
        }
    }

    QByteArrayView m_in;
    qsizetype m_pos = 0;
    int m_depth = 0;
    int m_maxDepth;
    std::optional<Error> m_error;
};

QString codePoint(char32_t cp)
{
    return QStringLiteral("U+") + QString::number(uint(cp), 16).toUpper().rightJustified(4, QLatin1Char('0'));
}
} // namespace

Result<QJsonObject> parseObject(QByteArrayView body, qsizetype maxBytes, int maxDepth)
{
    if (body.size() > maxBytes)
        return makeError(QString::fromLatin1(kTooLarge),
                         QStringLiteral("The request body is larger than %1 bytes.").arg(maxBytes));
    STINT_TRY(StrictScan(body, maxDepth).run());
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

std::optional<QString> freeTextProblem(QStringView text, TextLines lines)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t cp = text[i].unicode();
        if (QChar::isHighSurrogate(cp) && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            cp = QChar::surrogateToUcs4(text[i], text[i + 1]);
            ++i;
        } else if (QChar::isSurrogate(cp)) {
            return QStringLiteral("must be Unicode text (it has an unpaired surrogate)");
        }
        const bool lineBreak = cp == u'\n' || cp == u'\t';
        const auto category = QChar::category(cp);
        if (category == QChar::Other_Control || category == QChar::Separator_Line
            || category == QChar::Separator_Paragraph) {
            if (lineBreak && lines == TextLines::Many)
                continue;
            return lines == TextLines::Many
                ? QStringLiteral("must not contain control characters (%1) other than line breaks and tabs")
                      .arg(codePoint(cp))
                : QStringLiteral("must be one line without control characters (%1)").arg(codePoint(cp));
        }
        if (category == QChar::Other_Format)
            return QStringLiteral("must not contain invisible formatting characters such as bidirectional or "
                                  "zero-width marks (%1)")
                .arg(codePoint(cp));
        if (QChar::isNonCharacter(cp))
            return QStringLiteral("must not contain Unicode noncharacters (%1)").arg(codePoint(cp));
    }
    return std::nullopt;
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
    if (it == m_object.constEnd())
        return std::nullopt;
    if (it->isNull()) {
        // null is not "unchanged" and not "cleared" unless the field says so: refusing it keeps a PATCH honest.
        if (!m_nullable.contains(key))
            fail(key, QStringLiteral("must not be null (leave the field out to keep its value)"));
        return std::nullopt;
    }
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
    m_seen.insert(key);
    const auto it = m_object.constFind(key);
    if (it == m_object.constEnd() || it->isNull())
        return std::nullopt;
    return *it;
}

std::optional<QString> ObjectReader::optionalText(const QString& key, int maxLength, int minLength, TextLines lines)
{
    auto s = optionalString(key, maxLength, minLength);
    if (s) {
        if (auto problem = freeTextProblem(*s, lines)) {
            fail(key, *problem);
            return std::nullopt;
        }
    }
    return s;
}

QString ObjectReader::requiredText(const QString& key, int maxLength, int minLength, TextLines lines)
{
    if (!m_object.contains(key) || m_object.value(key).isNull()) {
        m_seen.insert(key);
        fail(key, QStringLiteral("is required"));
        return {};
    }
    return optionalText(key, maxLength, minLength, lines).value_or(QString());
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
