// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/HttpMessage.h"

#include <QHostAddress>
#include <QElapsedTimer>
#include <QQueue>
#include <QTcpSocket>
#include <QTimer>
#include <functional>
#include <memory>
#include <optional>

namespace stint::cloud {

// The head of one request as the guard read it off the wire (request line and header fields), before any of its
// body reached QtHttpServer.
struct RequestHead
{
    QByteArray method;
    QByteArray target; // as sent, e.g. "/v1/groups?limit=5"
    int minorVersion = 1; // HTTP/1.<minorVersion>
    QList<QPair<QByteArray, QByteArray>> headers;
    QHostAddress peer; // the TCP peer
    qint64 contentLength = 0; // 0 when absent
    bool chunked = false;

    QByteArray header(QByteArrayView name) const;
    QString path() const; // the decoded path of the target, without the query
    bool hasBody() const { return chunked || contentLength > 0; }
    bool closeAfterResponse() const; // Connection: close, or HTTP/1.0 without keep-alive
};

// The server's word on a request whose head is complete: refused (answered with `refusal`, the connection closed,
// no byte of the body read), or admitted with a body of at most `maxBodyBytes`.
struct Admission
{
    std::optional<HttpResponse> refusal;
    qint64 maxBodyBytes = -1; // -1: the connection's own cap (GuardSettings::maxRequestBytes)
};

struct GuardSettings
{
    qsizetype maxRequestBytes = 1024 * 1024; // one request, head and body
    int idleTimeoutMs = 120'000; // nothing read or written for this long: the connection is closed
    int headerTimeoutMs = 20'000; // from the first byte of a request to the end of its head
    int maxConnectionsPerAddress = 64; // open connections from one TCP peer address; 0: no cap
    // Peers exempt from the per-address cap (trusted reverse proxies carry everyone's connections).
    std::function<bool(const QHostAddress&)> exemptFromCap;
    // Decides on each complete head (see Admission). Unset: everything is admitted.
    std::function<Admission(const RequestHead&)> admit;
    // Builds the problem response for the guard's own refusals (400, 408, 413, 414, 431, 501): the same body,
    // request id and logging as the router's. `head` is null when the request line could not be read.
    std::function<HttpResponse(int status, const QString& slug, const QString& title, const QString& detail,
                               const RequestHead* head, const QHostAddress& peer)>
        refuse;
};

// The HTTP/1.1 discipline QtHttpServer 6.4 lacks, applied to the bytes of one connection (plain, or decrypted TLS)
// before QtHttpServer's parser sees them: it reads each request's head itself, within limits and a deadline, refuses
// ambiguous framing (RFC 9112 6.3: Content-Length with Transfer-Encoding, several or malformed Content-Lengths, any
// coding but "chunked"), a missing Host on HTTP/1.1, control characters and obs-fold in field values, then asks the
// server (GuardSettings::admit) before any body byte is passed on, and follows Content-Length or the chunks to find
// where the next request starts. A refusal is a problem response with Connection: close; everything the connection
// sent is dropped. Works on readyRead, which it connects before QtHttpServer does: what is available in its slot is
// exactly what arrived since the last one (QtHttpServer then reads it all).
class HttpGuard : public QObject
{
    Q_OBJECT
public:
    HttpGuard(QTcpSocket* socket, std::shared_ptr<const GuardSettings> settings);
    ~HttpGuard() override;

    void setOnDestroyed(std::function<void()> f) { m_onDestroyed = std::move(f); }

    // Whether the connection must close after the response to the oldest request not yet answered (Connection:
    // close, HTTP/1.0); called once per request by the server when it answers.
    bool takeCloseAfterResponse();
    void wrote(); // the socket wrote something (a response, a WebSocket frame): not idle

private:
    enum class State
    {
        Head,
        Body, // m_remaining bytes of a Content-Length body
        ChunkSize, // a chunk-size line
        ChunkData, // m_remaining bytes of chunk data
        ChunkEnd, // the CRLF after chunk data
        Trailers, // trailer fields up to the empty line
    };
    void inspect();
    void feed(QByteArrayView data);
    bool headComplete();
    void refuse(int status, const QString& slug, const QString& title, const QString& detail);
    void sendAndClose(const HttpResponse& response);
    bool takeLine(QByteArrayView data, qsizetype& i, QByteArray* line);

    QTcpSocket* m_socket;
    std::shared_ptr<const GuardSettings> m_settings;
    State m_state = State::Head;
    QByteArray m_buffer; // the head, or a chunk-size / trailer line, until complete
    std::optional<RequestHead> m_head;
    qint64 m_remaining = 0;
    qint64 m_bodyBytes = 0;
    qint64 m_maxBodyBytes = 0;
    qsizetype m_trailerBytes = 0;
    QQueue<bool> m_closeAfter;
    bool m_refused = false;
    bool m_halfClosed = false;
    bool m_requestLineChecked = false;
    QTimer m_idle; // fires at the earliest the connection can have been idle for the timeout
    QElapsedTimer m_sinceActive; // since the last byte read or written
    QTimer m_headerDeadline; // fires at the earliest the head awaited can be late
    QElapsedTimer m_headStarted; // since the head awaited began (or the connection, for its first)
    bool m_awaitingHead = false;
    std::function<void()> m_onDestroyed;
};

} // namespace stint::cloud
