// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

// The head of one HTTP/1.x request to the loopback listener, read strictly (RFC 9112) before anything looks at it:
// a request line of exactly `METHOD SP origin-form-target SP HTTP/1.x`, header fields `token: value`, CRLF line
// ends only, no NUL or other control bytes, no obsolete line folding, no body (no Transfer-Encoding, Content-Length
// at most 0), exactly one Host — all within size caps. Anyone on this machine can connect to the port (and a
// browser sends whatever a web page tells it to), so what does not fit is refused here, with the status to answer.
//
// It is a pure function of the bytes received so far, so it is tested row by row without sockets.
namespace stint::client {

struct LoopbackRequest
{
    struct Limits
    {
        int maxRequestLineBytes = 8 * 1024; // Entra's codes and error descriptions fit several times over
        int maxHeadBytes = 32 * 1024; // request line and header fields together
        int maxHeaderFields = 64;
    };

    enum class Outcome
    {
        Incomplete, // a valid prefix: wait for more
        Complete, // `request` holds the head
        Refused, // answer `status` and close
    };

    struct Parsed
    {
        Outcome outcome = Outcome::Incomplete;
        int status = 0; // when refused: 400, 405, 414 or 431
        QString why; // for the debug log (never holds request bytes)
    };

    QByteArray method;
    QByteArray target; // origin-form: "/path?query", visible ASCII only
    QByteArray version;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased, values without surrounding blanks

    // The value of the only field named `name` (lower case), or a null QByteArray.
    QByteArray header(QByteArrayView name) const;
    int headerCount(QByteArrayView name) const;

    // Reads `bytes` (everything received on the connection so far). On Complete, fills *request.
    static Parsed parse(QByteArrayView bytes, const Limits& limits, LoopbackRequest* request);
};

} // namespace stint::client
