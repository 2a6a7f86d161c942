// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringView>
#include <optional>

// Small, exact shape checks for values that end up in URLs and OData filters. Hand-written rather than
// QRegularExpression: they are simple, and the regular-expression engine misbehaved in the sanitizer build.
namespace stint::entra::text {

inline bool isAsciiAlnum(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
}

inline bool isHex(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'f') || (u >= 'A' && u <= 'F');
}

// 8-4-4-4-12 hexadecimal digits.
inline bool isGuid(QStringView text)
{
    if (text.size() != 36)
        return false;
    for (qsizetype i = 0; i < 36; ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != QLatin1Char('-') : !isHex(text[i]))
            return false;
    }
    return true;
}

// A DNS name or GUID as a URL path segment: letters, digits, '.', '-'; starting and ending alphanumeric.
inline bool isHostLike(QStringView text)
{
    if (text.isEmpty() || text.size() > 253 || !isAsciiAlnum(text.front()) || !isAsciiAlnum(text.back()))
        return false;
    for (QChar c : text) {
        if (!isAsciiAlnum(c) && c != QLatin1Char('.') && c != QLatin1Char('-'))
            return false;
    }
    return true;
}

// The characters Entra allows in a UPN's local part and a mail nickname (protocols.md 2.2): A-Z a-z 0-9 ' . - _ ! # ^ ~
inline bool isLocalPart(QStringView text)
{
    if (text.isEmpty() || text.size() > 64)
        return false;
    for (QChar c : text) {
        if (!isAsciiAlnum(c) && !QStringView(u"'.-_!#^~").contains(c))
            return false;
    }
    return true;
}

inline bool isUserPrincipalName(QStringView text)
{
    const qsizetype at = text.indexOf(QLatin1Char('@'));
    return at > 0 && text.lastIndexOf(QLatin1Char('@')) == at && isLocalPart(text.left(at))
        && isHostLike(text.mid(at + 1));
}

inline QString firstLine(const QString& text, qsizetype maxLength = 300)
{
    qsizetype end = text.size();
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == QLatin1Char('\r') || text[i] == QLatin1Char('\n')) {
            end = i;
            break;
        }
    }
    return text.left(std::min(end, maxLength));
}

// The number of the first "AADSTSnnnn" in an error description.
inline std::optional<qint64> aadstsCode(const QString& text)
{
    const qsizetype at = text.indexOf(QLatin1String("AADSTS"));
    if (at < 0)
        return std::nullopt;
    qsizetype end = at + 6;
    while (end < text.size() && end - at - 6 < 12 && text[end].unicode() >= '0' && text[end].unicode() <= '9')
        ++end;
    if (end == at + 6)
        return std::nullopt;
    return text.mid(at + 6, end - at - 6).toLongLong();
}

} // namespace stint::entra::text
