// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/loopback/LoopbackRequest.h"

namespace stint::client {

namespace {

using Parsed = LoopbackRequest::Parsed;
using Outcome = LoopbackRequest::Outcome;

Parsed refuse(int status, const char* why)
{
    return Parsed {Outcome::Refused, status, QString::fromLatin1(why)};
}

// RFC 9110 5.6.2 tchar.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// field-value bytes: visible ASCII, SP, HTAB and obs-text (RFC 9110 5.5).
bool isFieldValue(QByteArrayView value)
{
    for (char c : value) {
        const auto b = uchar(c);
        if (b == '\t' || b == ' ' || (b >= 0x21 && b != 0x7f))
            continue;
        return false;
    }
    return true;
}

QByteArrayView trimmedBlanks(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

// The request line, once it is complete: exactly three parts, a token method, an origin-form target of visible
// ASCII, HTTP/1.0 or HTTP/1.1. Everything else is refused before any header is looked at.
Parsed readRequestLine(QByteArrayView line, LoopbackRequest* out)
{
    if (line.isEmpty())
        return refuse(400, "empty request line");
    const qsizetype first = line.indexOf(' ');
    const qsizetype last = line.lastIndexOf(' ');
    if (first <= 0 || last == first || last == line.size() - 1)
        return refuse(400, "request line is not METHOD SP TARGET SP VERSION");
    const QByteArrayView method = line.first(first);
    const QByteArrayView target = line.sliced(first + 1, last - first - 1);
    const QByteArrayView version = line.sliced(last + 1);
    if (!isToken(method))
        return refuse(400, "method is not a token");
    if (target.isEmpty() || target.front() != '/')
        return refuse(400, "target is not in origin form");
    for (char c : target) {
        const auto b = uchar(c);
        if (b < 0x21 || b > 0x7e)
            return refuse(400, "target holds a byte outside visible ASCII");
    }
    if (target.size() > 1 && target.at(1) == '/')
        return refuse(400, "target starts with //");
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return refuse(400, "version is not HTTP/1.0 or HTTP/1.1");
    if (method != "GET")
        return refuse(405, "method is not GET");
    out->method = method.toByteArray();
    out->target = target.toByteArray();
    out->version = version.toByteArray();
    return Parsed {Outcome::Complete, 0, {}};
}

} // namespace

QByteArray LoopbackRequest::header(QByteArrayView name) const
{
    for (const auto& [key, value] : headers) {
        if (key == name)
            return value;
    }
    return {};
}

int LoopbackRequest::headerCount(QByteArrayView name) const
{
    int n = 0;
    for (const auto& field : headers)
        n += field.first == name ? 1 : 0;
    return n;
}

LoopbackRequest::Parsed LoopbackRequest::parse(QByteArrayView bytes, const Limits& limits, LoopbackRequest* request)
{
    // One pass over the bytes: stray control bytes are refused wherever they are (even before the head is
    // complete, so a client cannot hold a connection open with garbage), and the caps apply to what has arrived.
    qsizetype lineEnd = -1; // the request line's CR
    qsizetype headEnd = -1; // the CR of the empty line ending the head
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes.at(i);
        if (c == '\0')
            return refuse(400, "NUL byte");
        if (c == '\n') {
            if (i == 0 || bytes.at(i - 1) != '\r')
                return refuse(400, "bare LF");
        } else if (c == '\r') {
            if (i + 1 < bytes.size() && bytes.at(i + 1) != '\n')
                return refuse(400, "bare CR");
            if (lineEnd < 0)
                lineEnd = i;
            // The empty line ending the head: CRLF right after another CRLF, with its LF arrived.
            if (i + 1 < bytes.size() && i >= 2 && bytes.at(i - 1) == '\n' && bytes.at(i - 2) == '\r'
                && i - 2 >= lineEnd) {
                headEnd = i;
                break;
            }
        } else if (c != '\t' && (uchar(c) < 0x20 || uchar(c) == 0x7f)) {
            return refuse(400, "control byte");
        }
        if (lineEnd < 0 && i >= limits.maxRequestLineBytes)
            return refuse(414, "request line too long");
        if (i >= limits.maxHeadBytes)
            return refuse(431, "request head too large");
    }
    if (lineEnd < 0)
        return Parsed {Outcome::Incomplete, 0, {}};
    if (lineEnd > limits.maxRequestLineBytes)
        return refuse(414, "request line too long");

    LoopbackRequest head;
    if (Parsed line = readRequestLine(bytes.first(lineEnd), &head); line.outcome != Outcome::Complete)
        return line;
    if (headEnd < 0)
        return Parsed {Outcome::Incomplete, 0, {}};

    // Header fields: from after the request line's CRLF up to the empty line.
    qsizetype pos = lineEnd + 2;
    while (pos < headEnd) {
        const qsizetype end = bytes.indexOf("\r\n", pos);
        const QByteArrayView line = bytes.sliced(pos, end - pos);
        pos = end + 2;
        if (line.front() == ' ' || line.front() == '\t')
            return refuse(400, "obsolete line folding");
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return refuse(400, "header field name is not a token");
        const QByteArrayView value = trimmedBlanks(line.sliced(colon + 1));
        if (!isFieldValue(value))
            return refuse(400, "header field value holds a control byte");
        if (head.headers.size() >= limits.maxHeaderFields)
            return refuse(431, "too many header fields");
        head.headers.append({line.first(colon).toByteArray().toLower(), value.toByteArray()});
    }
    if (head.headerCount("host") != 1)
        return refuse(400, "not exactly one Host");
    if (head.headerCount("transfer-encoding") > 0)
        return refuse(400, "a body (Transfer-Encoding)");
    if (const int n = head.headerCount("content-length"); n > 1 || (n == 1 && head.header("content-length") != "0"))
        return refuse(400, "a body (Content-Length)");
    *request = std::move(head);
    return Parsed {Outcome::Complete, 0, {}};
}

} // namespace stint::client
