// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/loopback/LoopbackServer.h"

#include "core/Crypto.h"

#include <QLoggingCategory>
#include <QTcpSocket>

Q_LOGGING_CATEGORY(lcLoopback, "stint.client.loopbackserver")

namespace stint::client {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::optional<QByteArray> decodeComponent(QByteArrayView raw)
{
    QByteArray out;
    out.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        const char c = raw.at(i);
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= raw.size())
                return std::nullopt;
            const int hi = hexValue(raw.at(i + 1));
            const int lo = hexValue(raw.at(i + 2));
            if (hi < 0 || lo < 0)
                return std::nullopt;
            out += char(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

LoopbackServer::LoopbackServer(QString callbackPath, QObject* parent)
    : QObject(parent)
    , m_path(std::move(callbackPath))
{
    m_timeout.setSingleShot(true);
    m_answerDeadline.setSingleShot(true);
    m_linger.setSingleShot(true);
    connect(&m_tcp, &QTcpServer::newConnection, this, &LoopbackServer::acceptConnections);
    connect(&m_timeout, &QTimer::timeout, this, &LoopbackServer::expire);
    connect(&m_answerDeadline, &QTimer::timeout, this, [this]() { answer(LoopbackPage::received()); });
    connect(&m_linger, &QTimer::timeout, this, [this]() { close(); });
}

LoopbackServer::~LoopbackServer()
{
    close();
}

Result<void> LoopbackServer::listen()
{
    if (m_phase != Phase::Idle)
        return makeError(QStringLiteral("loopback.listen_failed"), tr("The listener was already used."));
    // 127.0.0.1 explicitly: QHostAddress::Any or "localhost" could mean another interface or address family.
    if (!m_tcp.listen(QHostAddress(QHostAddress::LocalHost), 0)) {
        qCWarning(lcLoopback) << "cannot listen on 127.0.0.1:" << m_tcp.errorString();
        return makeError(QStringLiteral("loopback.listen_failed"),
                         tr("Stint cannot receive the browser's answer: no port on 127.0.0.1 is free (%1).")
                             .arg(m_tcp.errorString()));
    }
    m_port = m_tcp.serverPort();
    m_phase = Phase::Listening;
    qCDebug(lcLoopback) << "listening on 127.0.0.1 port" << m_port << "path" << m_path;
    return {};
}

bool LoopbackServer::isListening() const
{
    return m_tcp.isListening();
}

QString LoopbackServer::redirectUri() const
{
    return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(m_path);
}

void LoopbackServer::awaitCallback(const QByteArray& expectedState, int timeoutMs)
{
    if (m_phase != Phase::Listening && m_phase != Phase::Waiting)
        return;
    m_expectedState = expectedState;
    m_phase = Phase::Waiting;
    m_timeout.start(std::max(0, timeoutMs));
}

void LoopbackServer::answer(const LoopbackPage& page)
{
    if (m_phase != Phase::Answering)
        return;
    m_answerDeadline.stop();
    m_phase = Phase::Done;
    if (m_held) {
        respond(m_held, page);
    } else {
        qCDebug(lcLoopback) << "the browser left before its page was ready";
    }
    m_held.clear();
}

void LoopbackServer::close(const std::optional<LoopbackPage>& page)
{
    if (m_phase == Phase::Answering && m_held && page)
        respond(m_held, *page);
    m_held.clear();
    m_phase = m_phase == Phase::Idle ? Phase::Idle : Phase::Closed;
    m_tcp.close();
    m_timeout.stop();
    m_answerDeadline.stop();
    m_linger.stop();
    // Connections that were answered have their page in the kernel's buffer already (respond() flushes); the rest
    // are dropped.
    auto connections = std::move(m_connections);
    m_connections.clear();
    for (auto& [socket, connection] : connections) {
        socket->disconnect(this);
        if (!connection.responded)
            socket->abort();
        socket->deleteLater();
    }
}

std::optional<QList<QPair<QByteArray, QByteArray>>> LoopbackServer::decodeQuery(QByteArrayView query)
{
    QList<QPair<QByteArray, QByteArray>> items;
    qsizetype start = 0;
    while (start <= query.size()) {
        qsizetype end = query.indexOf('&', start);
        if (end < 0)
            end = query.size();
        const QByteArrayView pair = query.sliced(start, end - start);
        if (!pair.isEmpty()) {
            const qsizetype eq = pair.indexOf('=');
            auto name = decodeComponent(eq < 0 ? pair : pair.first(eq));
            auto value = decodeComponent(eq < 0 ? QByteArrayView() : pair.sliced(eq + 1));
            if (!name || !value)
                return std::nullopt;
            items.append({std::move(*name), std::move(*value)});
        }
        start = end + 1;
    }
    return items;
}

// ---- connections

void LoopbackServer::acceptConnections()
{
    while (QTcpSocket* socket = m_tcp.nextPendingConnection()) {
        socket->setParent(this);
        if (int(m_connections.size()) >= m_limits.maxConnections || !socket->peerAddress().isLoopback()) {
            qCInfo(lcLoopback) << "connection dropped: too many open, or not from this machine";
            socket->abort();
            socket->deleteLater();
            continue;
        }
        // Qt buffers what the kernel holds; bound that too, not only what is parsed.
        socket->setReadBufferSize(qint64(m_limits.maxHeadBytes) + 1);
        Connection& connection = m_connections[socket];
        connection.deadline = new QTimer(socket);
        connection.deadline->setSingleShot(true);
        connect(connection.deadline, &QTimer::timeout, this, [this, socket]() {
            auto it = m_connections.find(socket);
            if (it == m_connections.end())
                return;
            if (it->second.responded) {
                // The peer does not take its page: give up on it.
                socket->abort();
                forget(socket);
            } else {
                refuse(socket, 408, QStringLiteral("no complete request in time"));
            }
        });
        connection.deadline->start(m_limits.readDeadlineMs);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket]() { readFrom(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket]() { forget(socket); });
        connect(socket, &QTcpSocket::errorOccurred, this, [this, socket](QAbstractSocket::SocketError error) {
            // A browser closing early is normal; the request is lost unless it was complete.
            if (error != QAbstractSocket::RemoteHostClosedError)
                qCDebug(lcLoopback) << "connection error" << error;
            if (socket->state() == QAbstractSocket::UnconnectedState)
                forget(socket);
        });
        // Bytes may have arrived with the connection.
        if (socket->bytesAvailable() > 0)
            readFrom(socket);
    }
}

void LoopbackServer::readFrom(QTcpSocket* socket)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    Connection& connection = it->second;
    if (connection.complete || connection.responded) {
        // One request per connection: what follows (pipelined or later) is drained, not read. The callback's own
        // connection keeps waiting for its page.
        socket->readAll();
        return;
    }
    // Never hold more than the cap plus one byte: enough to know the cap was passed.
    const qint64 room = qint64(m_limits.maxHeadBytes) + 1 - connection.buffer.size();
    if (room > 0)
        connection.buffer += socket->read(room);
    LoopbackRequest request;
    const LoopbackRequest::Parsed parsed = LoopbackRequest::parse(connection.buffer, m_limits, &request);
    switch (parsed.outcome) {
    case LoopbackRequest::Outcome::Incomplete:
        return;
    case LoopbackRequest::Outcome::Refused:
        refuse(socket, parsed.status, parsed.why);
        return;
    case LoopbackRequest::Outcome::Complete:
        connection.complete = true;
        connection.buffer.clear();
        connection.deadline->stop();
        handle(socket, request);
        return;
    }
}

void LoopbackServer::handle(QTcpSocket* socket, const LoopbackRequest& request)
{
    // DNS rebinding: a page of another site that resolves its name to 127.0.0.1 still sends its own Host.
    const QByteArray expectedHost = "127.0.0.1:" + QByteArray::number(m_port);
    if (request.header("host").compare(expectedHost, Qt::CaseInsensitive) != 0)
        return refuse(socket, 400, QStringLiteral("Host is not this listener"));
    if (m_phase == Phase::Answering || m_phase == Phase::Done) {
        emit refused(409, QStringLiteral("a request after the callback"));
        return respond(socket, LoopbackPage::alreadyDone());
    }
    const qsizetype question = request.target.indexOf('?');
    const QByteArrayView path = QByteArrayView(request.target).first(question < 0 ? request.target.size() : question);
    const QByteArrayView query = question < 0 ? QByteArrayView() : QByteArrayView(request.target).sliced(question + 1);
    if (path != m_path.toUtf8()) {
        emit refused(404, QStringLiteral("another path"));
        return respond(socket, LoopbackPage::notFound());
    }
    if (m_phase == Phase::Expired) {
        emit refused(410, QStringLiteral("a callback after the timeout"));
        return respond(socket, LoopbackPage::timedOut());
    }
    const QUrl url = QUrl::fromEncoded("http://" + expectedHost + request.target, QUrl::StrictMode);
    const auto items = decodeQuery(query);
    if (!url.isValid() || !items)
        return refuse(socket, 400, QStringLiteral("the target is not a valid URL"));

    QList<QByteArray> states;
    for (const auto& [name, value] : *items) {
        if (name == "state")
            states.append(value);
    }
    // One state, and the expected one. Compared in constant time, so the port does not leak it byte by byte.
    const bool matches = m_phase == Phase::Waiting && states.size() == 1 && !m_expectedState.isEmpty()
        && crypto::constantTimeEquals(states.first(), m_expectedState);
    if (!matches) {
        qCInfo(lcLoopback) << "a callback with a missing or wrong state was refused";
        emit refused(400, QStringLiteral("state mismatch"));
        return respond(socket, LoopbackPage::stateMismatch());
    }

    // The one callback: stop listening before anything else can arrive, and hold its browser for the page.
    m_tcp.close();
    m_timeout.stop();
    m_phase = Phase::Answering;
    m_held = socket;
    m_answerDeadline.start(m_limits.answerDeadlineMs);
    qCInfo(lcLoopback) << "callback received; listener closed";
    emit callbackReceived(url);
}

void LoopbackServer::respond(QTcpSocket* socket, const LoopbackPage& page)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end() || it->second.responded)
        return;
    it->second.responded = true;
    // The peer gets a few seconds to take the page; then the connection is dropped.
    it->second.deadline->start(std::min(m_limits.readDeadlineMs, 5000));
    if (socket->state() != QAbstractSocket::ConnectedState) {
        forget(socket);
        return;
    }
    socket->write(page.response());
    socket->flush();
    socket->disconnectFromHost();
}

void LoopbackServer::refuse(QTcpSocket* socket, int status, const QString& why)
{
    qCInfo(lcLoopback) << "request refused:" << status << why;
    emit refused(status, why);
    if (status == 405)
        respond(socket, LoopbackPage::methodNotAllowed());
    else
        respond(socket, LoopbackPage::badRequest(status));
}

void LoopbackServer::forget(QTcpSocket* socket)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    m_connections.erase(it);
    socket->disconnect(this);
    socket->deleteLater();
}

void LoopbackServer::expire()
{
    if (m_phase != Phase::Waiting)
        return;
    m_phase = Phase::Expired;
    qCInfo(lcLoopback) << "no callback in time";
    m_linger.start(m_limits.lingerMs);
    emit timedOut();
}

} // namespace stint::client
