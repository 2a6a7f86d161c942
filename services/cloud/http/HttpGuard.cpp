// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/http/HttpGuard.h"

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSslSocket>
#include <QUrl>
#include <cstring>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

Q_LOGGING_CATEGORY(lcGuard, "stint.cloud.http.guard")

namespace stint::cloud {

namespace {
constexpr qsizetype kMaxRequestLine = 8192;
constexpr qsizetype kMaxHead = 64 * 1024; // request line and all header fields
constexpr int kMaxHeaderFields = 100;
constexpr qsizetype kMaxChunkLine = 1024; // chunk size and extensions
constexpr qsizetype kMaxTrailers = 8 * 1024;
constexpr int kLingerMs = 3000; // after a refusal, how long what the client still sends is read and dropped

const QRegularExpression& requestLineShape()
{
    static const QRegularExpression shape(QStringLiteral(R"(^([A-Z]{3,10}) ([!-~]{1,8000}) HTTP/1\.([01])$)"));
    return shape;
}

bool isTokenChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// A field value may hold visible characters, spaces and tabs, and obs-text; no NUL, CR, LF or other controls.
bool validFieldValue(QByteArrayView value)
{
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

QByteArray trimOws(QByteArray value)
{
    while (!value.isEmpty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove(0, 1);
    while (!value.isEmpty() && (value.back() == ' ' || value.back() == '\t'))
        value.chop(1);
    return value;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}
} // namespace

QByteArray RequestHead::header(QByteArrayView name) const
{
    for (const auto& [n, v] : headers) {
        if (QByteArrayView(n).compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

QString RequestHead::path() const
{
    // The path as the router sees it (percent-decoded, no query); the target is taken as a path even when it
    // starts with "//".
    const qsizetype query = target.indexOf('?');
    return QUrl::fromPercentEncoding(query < 0 ? target : target.left(query));
}

bool RequestHead::closeAfterResponse() const
{
    bool close = false;
    bool keepAlive = false;
    for (const auto& [n, v] : headers) {
        if (n.compare("Connection", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray& option : v.split(',')) {
            const QByteArray o = option.trimmed().toLower();
            close = close || o == "close";
            keepAlive = keepAlive || o == "keep-alive";
        }
    }
    return close || (minorVersion == 0 && !keepAlive);
}

HttpGuard::HttpGuard(QTcpSocket* socket, std::shared_ptr<const GuardSettings> settings)
    : m_socket(socket)
    , m_settings(std::move(settings))
{
    m_idle.setSingleShot(true);
    m_headerDeadline.setSingleShot(true);
    connect(m_socket, &QIODevice::readyRead, this, &HttpGuard::inspect);
    // Both timers are armed once and checked when they fire, not restarted on every read and write (a response is
    // dozens of writes, and restarting a QTimer each time was a tenth of the service's time under load): when one
    // fires early for what happened since, it is armed again for the rest.
    connect(&m_idle, &QTimer::timeout, this, [this] {
        if (const qint64 idle = m_sinceActive.elapsed(); idle < m_settings->idleTimeoutMs) {
            m_idle.start(int(m_settings->idleTimeoutMs - idle));
            return;
        }
        qCDebug(lcGuard) << "closing idle connection";
        m_socket->abort();
    });
    connect(&m_headerDeadline, &QTimer::timeout, this, [this] {
        if (!m_awaitingHead)
            return; // the head came; the next request arms it again
        if (const qint64 waited = m_headStarted.elapsed(); waited < m_settings->headerTimeoutMs) {
            m_headerDeadline.start(int(m_settings->headerTimeoutMs - waited));
            return;
        }
        // Before a TLS handshake finished there is no way to answer: just close.
        auto* ssl = qobject_cast<QSslSocket*>(m_socket);
        if (ssl && !ssl->isEncrypted()) {
            m_socket->abort();
            return;
        }
        refuse(408, QStringLiteral("request-timeout"), QStringLiteral("The request took too long."),
               QStringLiteral("The request's header fields must arrive within %1 seconds.")
                   .arg(m_settings->headerTimeoutMs / 1000.0));
    });
    m_sinceActive.start();
    m_idle.start(m_settings->idleTimeoutMs);
    // A new connection has this long for its first request's head (and TLS handshake).
    m_awaitingHead = true;
    m_headStarted.start();
    m_headerDeadline.start(m_settings->headerTimeoutMs);
}

HttpGuard::~HttpGuard()
{
    if (m_onDestroyed)
        m_onDestroyed();
}

bool HttpGuard::takeCloseAfterResponse()
{
    return m_closeAfter.isEmpty() ? false : m_closeAfter.dequeue();
}

void HttpGuard::wrote()
{
    m_sinceActive.restart();
}

void HttpGuard::inspect()
{
    if (m_refused) {
        m_socket->readAll(); // nothing more of this connection reaches the HTTP parser
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    m_sinceActive.restart();
    const QByteArray data = m_socket->peek(available);
    feed(data);
}

bool HttpGuard::takeLine(QByteArrayView data, qsizetype& i, QByteArray* line)
{
    const qsizetype eol = data.indexOf('\n', i);
    if (eol < 0) {
        m_buffer.append(data.sliced(i));
        i = data.size();
        return false;
    }
    m_buffer.append(data.sliced(i, eol - i));
    i = eol + 1;
    if (m_buffer.endsWith('\r'))
        m_buffer.chop(1);
    *line = std::exchange(m_buffer, {});
    return true;
}

void HttpGuard::feed(QByteArrayView data)
{
    qsizetype i = 0;
    while (i < data.size() && !m_refused) {
        switch (m_state) {
        case State::Head: {
            if (m_buffer.isEmpty()) {
                // Empty lines before a request line are allowed (RFC 9112 2.2).
                while (i < data.size() && (data[i] == '\r' || data[i] == '\n'))
                    ++i;
                if (i == data.size())
                    return;
                m_head.reset();
                m_requestLineChecked = false;
                if (!m_awaitingHead) {
                    m_awaitingHead = true;
                    m_headStarted.restart();
                    if (!m_headerDeadline.isActive())
                        m_headerDeadline.start(m_settings->headerTimeoutMs);
                }
            }
            const qsizetype searchFrom = std::max<qsizetype>(0, m_buffer.size() - 3);
            m_buffer.append(data.sliced(i));
            i = data.size();
            qsizetype end = -1;
            for (qsizetype p = m_buffer.indexOf('\n', searchFrom); p >= 0; p = m_buffer.indexOf('\n', p + 1)) {
                if (p + 1 < m_buffer.size() && m_buffer[p + 1] == '\n') {
                    end = p + 2;
                    break;
                }
                if (p + 2 < m_buffer.size() && m_buffer[p + 1] == '\r' && m_buffer[p + 2] == '\n') {
                    end = p + 3;
                    break;
                }
            }
            if (end < 0) {
                const qsizetype firstLine = m_buffer.indexOf('\n');
                if ((firstLine < 0 && m_buffer.size() > kMaxRequestLine) || firstLine > kMaxRequestLine)
                    return refuse(414, QStringLiteral("uri-too-long"), QStringLiteral("The request line is too long."),
                                  QStringLiteral("The request line is longer than 8 KiB."));
                if (m_buffer.size() > kMaxHead)
                    return refuse(431, QStringLiteral("headers-too-large"),
                                  QStringLiteral("The header fields are too large."),
                                  QStringLiteral("The request's header fields are larger than 64 KiB."));
                // Garbage (a TLS hello on the plain port, say) is answered now, not at the header deadline.
                if (firstLine >= 0 && !m_requestLineChecked) {
                    m_requestLineChecked = true;
                    QByteArray line = m_buffer.left(firstLine);
                    if (line.endsWith('\r'))
                        line.chop(1);
                    if (!requestLineShape().match(QString::fromLatin1(line)).hasMatch())
                        return refuse(
                            400, QStringLiteral("bad-request"), QStringLiteral("The request is not valid HTTP."),
                            QStringLiteral("The request line is not HTTP/1.1: expected 'METHOD /path HTTP/1.1'."));
                }
                return;
            }
            i = data.size() - (m_buffer.size() - end); // what follows the head is body or the next request
            m_buffer.truncate(end);
            if (!headComplete())
                return;
            break;
        }
        case State::Body: {
            const qint64 n = std::min<qint64>(m_remaining, data.size() - i);
            i += n;
            m_remaining -= n;
            if (m_remaining == 0)
                m_state = State::Head;
            break;
        }
        case State::ChunkSize: {
            QByteArray line;
            if (!takeLine(data, i, &line)) {
                if (m_buffer.size() > kMaxChunkLine)
                    return refuse(400, QStringLiteral("bad-request"), QStringLiteral("The request is not valid HTTP."),
                                  QStringLiteral("A chunk size line is too long."));
                break;
            }
            const QByteArray size = trimOws(line.left(line.indexOf(';') < 0 ? line.size() : line.indexOf(';')));
            bool ok = !size.isEmpty() && size.size() <= 15;
            for (char c : size)
                ok = ok && std::isxdigit(static_cast<unsigned char>(c));
            const qint64 n = ok ? size.toLongLong(&ok, 16) : 0;
            if (!ok)
                return refuse(400, QStringLiteral("bad-request"), QStringLiteral("The request is not valid HTTP."),
                              QStringLiteral("A chunk size is not a hexadecimal number."));
            m_bodyBytes += n;
            if (m_bodyBytes > m_maxBodyBytes)
                return refuse(413, QStringLiteral("body-too-large"), QStringLiteral("The request body is too large."),
                              QStringLiteral("This endpoint accepts at most %1 bytes.").arg(m_maxBodyBytes));
            m_remaining = n;
            m_trailerBytes = 0;
            m_state = n == 0 ? State::Trailers : State::ChunkData;
            break;
        }
        case State::ChunkData: {
            const qint64 n = std::min<qint64>(m_remaining, data.size() - i);
            i += n;
            m_remaining -= n;
            if (m_remaining == 0)
                m_state = State::ChunkEnd;
            break;
        }
        case State::ChunkEnd: {
            QByteArray line;
            if (!takeLine(data, i, &line)) {
                if (m_buffer.size() > 2)
                    return refuse(400, QStringLiteral("bad-request"), QStringLiteral("The request is not valid HTTP."),
                                  QStringLiteral("Chunk data is longer than its size says."));
                break;
            }
            if (!line.isEmpty())
                return refuse(400, QStringLiteral("bad-request"), QStringLiteral("The request is not valid HTTP."),
                              QStringLiteral("Chunk data is longer than its size says."));
            m_state = State::ChunkSize;
            break;
        }
        case State::Trailers: {
            QByteArray line;
            const qsizetype before = i;
            const bool complete = takeLine(data, i, &line);
            m_trailerBytes += i - before;
            if (m_trailerBytes > kMaxTrailers)
                return refuse(431, QStringLiteral("headers-too-large"),
                              QStringLiteral("The header fields are too large."),
                              QStringLiteral("The request's trailer fields are larger than 8 KiB."));
            if (complete && line.isEmpty())
                m_state = State::Head;
            break;
        }
        }
    }
}

bool HttpGuard::headComplete()
{
    const QByteArray head = std::exchange(m_buffer, {});
    m_awaitingHead = false;
    // The same limits as while the head was arriving, for a head that came in one piece.
    if (const qsizetype firstLine = head.indexOf('\n'); firstLine > kMaxRequestLine) {
        refuse(414, QStringLiteral("uri-too-long"), QStringLiteral("The request line is too long."),
               QStringLiteral("The request line is longer than 8 KiB."));
        return false;
    }
    if (head.size() > kMaxHead) {
        refuse(431, QStringLiteral("headers-too-large"), QStringLiteral("The header fields are too large."),
               QStringLiteral("The request's header fields are larger than 64 KiB."));
        return false;
    }
    QList<QByteArray> lines = head.split('\n');
    for (QByteArray& line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    while (!lines.isEmpty() && lines.back().isEmpty())
        lines.removeLast();
    const auto bad = [this](const QString& detail) {
        refuse(400, QStringLiteral("bad-request"), QStringLiteral("The request is not valid HTTP."), detail);
        return false;
    };
    if (lines.isEmpty())
        return bad(QStringLiteral("The request line is missing."));
    const QRegularExpressionMatch requestLine = requestLineShape().match(QString::fromLatin1(lines.front()));
    if (!requestLine.hasMatch())
        return bad(QStringLiteral("The request line is not HTTP/1.1: expected 'METHOD /path HTTP/1.1'."));
    RequestHead parsed;
    parsed.method = requestLine.captured(1).toLatin1();
    parsed.target = requestLine.captured(2).toLatin1();
    parsed.minorVersion = requestLine.captured(3).toInt();
    parsed.peer = m_socket->peerAddress();
    m_head = parsed; // lets the refusals below name the request
    if (lines.size() - 1 > kMaxHeaderFields) {
        refuse(431, QStringLiteral("headers-too-large"), QStringLiteral("The header fields are too large."),
               QStringLiteral("A request may have at most %1 header fields.").arg(kMaxHeaderFields));
        return false;
    }
    int hosts = 0;
    int contentLengths = 0;
    int transferEncodings = 0;
    for (qsizetype n = 1; n < lines.size(); ++n) {
        const QByteArray& line = lines.at(n);
        if (line.startsWith(' ') || line.startsWith('\t'))
            return bad(QStringLiteral("Header fields may not be folded over several lines (obs-fold)."));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return bad(QStringLiteral("A header field has no name or no colon."));
        const QByteArray name = line.left(colon);
        for (char c : name) {
            if (!isTokenChar(c))
                return bad(QStringLiteral("A header field name holds a character that is not allowed (no space "
                                          "before the colon)."));
        }
        const QByteArray value = trimOws(line.mid(colon + 1));
        if (!validFieldValue(value))
            return bad(QStringLiteral("The value of header field '%1' holds a control character.")
                           .arg(QString::fromLatin1(name)));
        if (name.compare("Host", Qt::CaseInsensitive) == 0)
            ++hosts;
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            ++contentLengths;
            bool ok = !value.isEmpty() && value.size() <= 15;
            for (char c : value)
                ok = ok && c >= '0' && c <= '9';
            if (!ok)
                return bad(QStringLiteral("Content-Length must be one decimal number of at most 15 digits."));
            parsed.contentLength = value.toLongLong();
        }
        if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            ++transferEncodings;
            parsed.chunked = value == "chunked";
        }
        parsed.headers.append({name, value});
    }
    m_head = parsed;
    if (contentLengths > 1)
        return bad(QStringLiteral("The request has more than one Content-Length."));
    if (transferEncodings > 0 && contentLengths > 0)
        return bad(QStringLiteral("The request has both Content-Length and Transfer-Encoding."));
    if (transferEncodings > 0 && parsed.minorVersion == 0)
        return bad(QStringLiteral("HTTP/1.0 has no Transfer-Encoding."));
    if (transferEncodings > 1 || (transferEncodings == 1 && !parsed.chunked)) {
        refuse(501, QStringLiteral("not-implemented"), QStringLiteral("Not implemented."),
               QStringLiteral("The only transfer coding this server accepts is 'Transfer-Encoding: chunked'."));
        return false;
    }
    if (parsed.minorVersion == 1 && hosts != 1)
        return bad(QStringLiteral("An HTTP/1.1 request has exactly one Host header field."));
    if (hosts > 1)
        return bad(QStringLiteral("The request has more than one Host header field."));

    Admission admission = m_settings->admit ? m_settings->admit(parsed) : Admission {};
    if (admission.refusal) {
        sendAndClose(*admission.refusal);
        return false;
    }
    m_maxBodyBytes = admission.maxBodyBytes >= 0 ? std::min<qint64>(admission.maxBodyBytes, m_settings->maxRequestBytes)
                                                 : m_settings->maxRequestBytes;
    if (parsed.contentLength > m_maxBodyBytes) {
        refuse(413, QStringLiteral("body-too-large"), QStringLiteral("The request body is too large."),
               QStringLiteral("This endpoint accepts at most %1 bytes.").arg(m_maxBodyBytes));
        return false;
    }
    m_closeAfter.enqueue(parsed.closeAfterResponse());
    m_bodyBytes = 0;
    if (parsed.chunked) {
        m_state = State::ChunkSize;
    } else if (parsed.contentLength > 0) {
        m_remaining = parsed.contentLength;
        m_state = State::Body;
    } else {
        m_state = State::Head;
    }
    return true;
}

void HttpGuard::refuse(int status, const QString& slug, const QString& title, const QString& detail)
{
    const RequestHead* head = m_head ? &*m_head : nullptr;
    HttpResponse response;
    if (m_settings->refuse) {
        response = m_settings->refuse(status, slug, title, detail, head, m_socket->peerAddress());
    } else {
        response.status = status;
        response.contentType = "text/plain";
        response.body = detail.toUtf8();
    }
    sendAndClose(response);
}

void HttpGuard::sendAndClose(const HttpResponse& response)
{
    qCInfo(lcGuard) << "refusing a request:" << response.status;
    m_refused = true;
    m_awaitingHead = false;
    QByteArray wire = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
    if (!response.contentType.isEmpty())
        wire += "Content-Type: " + response.contentType + "\r\n";
    for (const auto& [name, value] : response.headers)
        wire += name + ": " + value + "\r\n";
    wire += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    wire += "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    wire += response.body;
    m_socket->readAll(); // nothing of this connection reaches the HTTP parser
    m_socket->write(wire);
    // Closing while the client is still sending (the body of a refused request) would reset the connection and could
    // destroy the response in the client's buffers. So: end our side once the response is out (the client sees the
    // end of the stream and closes), keep discarding what still comes, and end it all after a grace period.
    auto* ssl = qobject_cast<QSslSocket*>(m_socket);
    const auto endOurSide = [this, ssl] {
        if (m_halfClosed || m_socket->bytesToWrite() > 0 || (ssl && ssl->encryptedBytesToWrite() > 0))
            return;
        m_halfClosed = true;
#ifdef Q_OS_UNIX
        if (m_socket->socketDescriptor() >= 0)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
#endif
    };
    if (ssl) {
        // TLS: only once the encrypted records reached the kernel (bytesToWrite() may already be 0 before that).
        connect(ssl, &QSslSocket::encryptedBytesWritten, this, endOurSide);
    } else {
        connect(m_socket, &QIODevice::bytesWritten, this, endOurSide);
        m_socket->flush();
        endOurSide();
    }
    QTimer::singleShot(kLingerMs, this, [this] { m_socket->abort(); });
}

} // namespace stint::cloud
