// SPDX-License-Identifier: GPL-3.0-or-later
#include "SimServer.h"

#include <QDateTime>
#include <QTcpSocket>
#include <QTimer>

namespace stint::entrasim {

SimResponder::SimResponder(SimConnection* connection)
    : m_connection(connection)
{
}

void SimResponder::respond(const SimResponse& response) const
{
    if (m_connection)
        m_connection->respond(response);
}

void SimResponder::drop() const
{
    if (m_connection)
        m_connection->drop();
}

SimServer::SimServer(Handler handler, QObject* parent)
    : QObject(parent)
    , m_handler(std::move(handler))
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* socket = m_server.nextPendingConnection())
            new SimConnection(socket, *this);
    });
}

bool SimServer::listen(const QHostAddress& address, quint16 port)
{
    return m_server.listen(address, port);
}

SimConnection::SimConnection(QTcpSocket* socket, SimServer& server)
    : QObject(&server)
    , m_socket(socket)
    , m_server(server)
    , m_idle(new QTimer(this))
{
    m_socket->setParent(this);
    m_idle->setSingleShot(true);
    m_idle->setInterval(SimServer::kIdleTimeoutMs);
    connect(m_idle, &QTimer::timeout, this, [this] {
        if (!m_busy)
            finish();
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &SimConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        m_closed = true;
        deleteLater();
    });
    m_idle->start();
}

void SimConnection::onReadyRead()
{
    m_buffer.append(m_socket->readAll());
    m_idle->start();
    if (m_buffer.size() > SimServer::kMaxHeaderBytes + SimServer::kMaxBodyBytes + 1024) {
        reject(413, "Request too large.");
        return;
    }
    processBuffer();
}

namespace {

bool isTokenChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

} // namespace

void SimConnection::processBuffer()
{
    if (m_busy || m_closed)
        return;
    const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (m_buffer.size() > SimServer::kMaxHeaderBytes)
            reject(431, "Request header fields too large.");
        return;
    }
    if (headerEnd > SimServer::kMaxHeaderBytes) {
        reject(431, "Request header fields too large.");
        return;
    }
    QByteArray block = m_buffer.left(headerEnd);
    // Every line ends with CRLF: strip those, then any lone CR or LF left is malformed.
    const QList<QByteArray> clean = block.replace("\r\n", "\n").split('\n');
    for (const QByteArray& line : clean) {
        if (line.contains('\r') || line.contains('\0')) {
            reject(400, "Lines must end with CRLF.");
            return;
        }
    }
    const QList<QByteArray> requestLine = clean.first().split(' ');
    if (requestLine.size() != 3 || requestLine[0].isEmpty() || !requestLine[1].startsWith('/')) {
        reject(400, "Malformed request line.");
        return;
    }
    for (char c : requestLine[0]) {
        if (!isTokenChar(c)) {
            reject(400, "Malformed method.");
            return;
        }
    }
    const QByteArray version = requestLine[2];
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        reject(505, "Unsupported HTTP version.");
        return;
    }
    for (char c : requestLine[1]) {
        if (uchar(c) <= 0x20 || uchar(c) >= 0x7f) {
            reject(400, "Malformed request target.");
            return;
        }
    }

    SimRequest request;
    request.method = requestLine[0];
    request.peer = m_socket->peerAddress();
    if (clean.size() - 1 > SimServer::kMaxHeaders) {
        reject(431, "Too many header fields.");
        return;
    }
    qint64 contentLength = -1;
    for (qsizetype i = 1; i < clean.size(); ++i) {
        const QByteArray& line = clean[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || line.startsWith(' ') || line.startsWith('\t')) {
            reject(400, "Malformed header field.");
            return;
        }
        const QByteArray name = line.left(colon);
        for (char c : name) {
            if (!isTokenChar(c)) {
                reject(400, "Malformed header name.");
                return;
            }
        }
        const QByteArray value = line.mid(colon + 1).trimmed();
        for (char c : value) {
            if ((uchar(c) < 0x20 && c != '\t') || uchar(c) == 0x7f) {
                reject(400, "Malformed header value.");
                return;
            }
        }
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            if (!ok || length < 0 || value.isEmpty() || value.front() == '+'
                || (contentLength >= 0 && contentLength != length)) {
                reject(400, "Malformed Content-Length.");
                return;
            }
            contentLength = length;
        }
        if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            reject(501, "Transfer-Encoding is not supported; send Content-Length.");
            return;
        }
        request.headers.append({name, value});
    }
    if (contentLength > SimServer::kMaxBodyBytes) {
        reject(413, "Request body too large.");
        return;
    }
    const qsizetype bodyStart = headerEnd + 4;
    const qsizetype bodyLength = contentLength < 0 ? 0 : qsizetype(contentLength);
    if (m_buffer.size() < bodyStart + bodyLength) {
        if (request.header("Expect").compare("100-continue", Qt::CaseInsensitive) == 0 && m_buffer.size() == bodyStart)
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        return; // wait for the rest of the body
    }
    request.body = m_buffer.mid(bodyStart, bodyLength);
    m_buffer.remove(0, bodyStart + bodyLength);

    const QByteArray target = requestLine[1];
    const qsizetype q = target.indexOf('?');
    const QByteArray rawPath = q < 0 ? target : target.left(q);
    const QByteArray decoded = QByteArray::fromPercentEncoding(rawPath);
    for (char c : decoded) {
        if (uchar(c) < 0x20 || uchar(c) == 0x7f) {
            reject(400, "Malformed path.");
            return;
        }
    }
    request.path = QString::fromUtf8(decoded);
    if (request.path.toUtf8() != decoded) {
        reject(400, "The path is not valid UTF-8.");
        return;
    }
    if (q >= 0)
        request.query = QUrlQuery(QString::fromUtf8(target.mid(q + 1)));

    const QByteArray connection = request.header("Connection").toLower();
    m_closeAfter = connection.contains("close") || (version == "HTTP/1.0" && !connection.contains("keep-alive"));
    m_headMethod = request.method == "HEAD";
    m_busy = true;
    m_idle->stop();
    m_server.m_handler(request, SimResponder(this));
}

void SimConnection::respond(const SimResponse& response)
{
    if (m_closed || !m_busy)
        return;
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
    for (const auto& [name, value] : response.headers) {
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0
            || name.compare("Connection", Qt::CaseInsensitive) == 0)
            continue;
        out += name + ": " + value + "\r\n";
    }
    out += "Date: " + QDateTime::currentDateTimeUtc().toString(u"ddd, dd MMM yyyy hh:mm:ss 'GMT'").toLatin1() + "\r\n";
    if (response.status != 204 && response.status != 304)
        out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    if (m_closeAfter)
        out += "Connection: close\r\n";
    out += "\r\n";
    if (!m_headMethod && response.status != 204 && response.status != 304)
        out += response.body;
    m_socket->write(out);
    m_busy = false;
    if (m_closeAfter) {
        finish();
        return;
    }
    m_idle->start();
    // A pipelined request may already be waiting.
    QTimer::singleShot(0, this, &SimConnection::processBuffer);
}

void SimConnection::drop()
{
    if (m_closed)
        return;
    m_closed = true;
    m_socket->abort();
    deleteLater();
}

void SimConnection::reject(int status, const QByteArray& message)
{
    m_busy = true;
    m_closeAfter = true;
    m_headMethod = false;
    SimResponse response;
    response.status = status;
    response.setHeader("Content-Type", "text/plain; charset=utf-8");
    response.body = message + '\n';
    respond(response);
}

void SimConnection::finish()
{
    if (m_closed)
        return;
    m_closed = true;
    m_socket->disconnectFromHost();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        deleteLater();
    else
        connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
}

} // namespace stint::entrasim
