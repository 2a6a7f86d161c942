// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/http/GuardedTcpServer.h"

#include "cloud/http/Problem.h"

#include <QLoggingCategory>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcGuard, "stint.cloud.http.guard")

namespace stint::cloud {

namespace {
constexpr qsizetype kMaxRequestLine = 8192;

bool validRequestLine(const QByteArray& line)
{
    static const QRegularExpression shape(QStringLiteral(R"(^[A-Z]{3,10} [!-~]{1,8000} HTTP/1\.[01]\r?$)"));
    return shape.match(QString::fromLatin1(line)).hasMatch();
}
} // namespace

GuardedTcpSocket::GuardedTcpSocket(qsizetype maxRequestBytes, int idleTimeoutMs, QObject* parent)
    : QTcpSocket(parent)
    , m_maxRequestBytes(maxRequestBytes)
{
    m_idle.setSingleShot(true);
    m_idle.setInterval(idleTimeoutMs);
    connect(this, &QIODevice::readyRead, this, &GuardedTcpSocket::inspectIncoming);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        qCDebug(lcGuard) << "closing idle connection";
        abort();
    });
    m_idle.start();
}

void GuardedTcpSocket::inspectIncoming()
{
    // Runs before QtHttpServer's own readyRead slot (connected first), which then consumes everything available:
    // what is available now is exactly what arrived since the last notification.
    if (m_rejected) {
        readAll();
        return;
    }
    const qint64 available = bytesAvailable();
    if (available <= 0)
        return;
    m_idle.start();
    m_bytesSinceResponse += available;
    if (m_checkingRequestLine) {
        m_requestLine.append(peek(std::min<qint64>(available, kMaxRequestLine + 2 - m_requestLine.size())));
        // Leading empty lines before a request are allowed (RFC 9112 2.2).
        while (m_requestLine.startsWith("\r\n"))
            m_requestLine.remove(0, 2);
        const qsizetype eol = m_requestLine.indexOf('\n');
        if (eol >= 0) {
            m_checkingRequestLine = false;
            if (!validRequestLine(m_requestLine.left(eol)))
                return reject("400 Bad Request", "The request line is not HTTP/1.1: expected 'METHOD /path HTTP/1.1'.");
            m_requestLine.clear();
        } else if (m_requestLine.size() > kMaxRequestLine) {
            return reject("414 URI Too Long", "The request line is longer than 8 KiB.");
        }
    }
    if (m_bytesSinceResponse > m_maxRequestBytes)
        reject("413 Content Too Large", "The request is larger than this server accepts.");
}

qint64 GuardedTcpSocket::writeData(const char* data, qint64 size)
{
    // A response (or, after an upgrade, a WebSocket frame) starts a new budget and a new request line.
    m_bytesSinceResponse = 0;
    m_checkingRequestLine = !m_rejected;
    m_requestLine.clear();
    m_idle.start();
    return QTcpSocket::writeData(data, size);
}

void GuardedTcpSocket::reject(const QByteArray& statusLine, const QByteArray& detail)
{
    qCInfo(lcGuard) << "rejecting connection:" << statusLine;
    m_rejected = true;
    const int status = statusLine.left(3).toInt();
    const QByteArray body = "{\"type\":\"" + QByteArray(kProblemTypeBase) + "bad-request\",\"title\":\"Bad request.\""
        + ",\"status\":" + QByteArray::number(status) + ",\"detail\":\"" + detail + "\"}";
    const QByteArray response = "HTTP/1.1 " + statusLine + "\r\nContent-Type: application/problem+json\r\n"
        + "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    readAll(); // nothing of this request reaches the HTTP parser
    QTcpSocket::writeData(response.constData(), response.size());
    flush();
    disconnectFromHost();
}

GuardedTcpServer::GuardedTcpServer(qsizetype maxRequestBytes, int idleTimeoutMs, QObject* parent)
    : QTcpServer(parent)
    , m_maxRequestBytes(maxRequestBytes)
    , m_idleTimeoutMs(idleTimeoutMs)
{
}

void GuardedTcpServer::incomingConnection(qintptr handle)
{
    auto* socket = new GuardedTcpSocket(m_maxRequestBytes, m_idleTimeoutMs, this);
    if (!socket->setSocketDescriptor(handle)) {
        delete socket;
        return;
    }
    addPendingConnection(socket);
}

} // namespace stint::cloud
