// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/ScriptedHttpServer.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace stint::test {
namespace {

qint64 steadyMs()
{
    static QElapsedTimer timer = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return timer.elapsed();
}

QString routeKey(const QByteArray& method, const QString& path)
{
    return QString::fromLatin1(method.toUpper()) + QLatin1Char(' ') + path;
}

const char* reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

} // namespace

struct ScriptedHttpServer::Connection
{
    QTcpSocket* socket = nullptr;
    QByteArray buffer;
};

QByteArray ScriptedRequest::header(QByteArrayView name) const
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QString ScriptedRequest::path() const
{
    const qsizetype q = target.indexOf('?');
    return QUrl::fromPercentEncoding(q < 0 ? target : target.left(q));
}

QUrlQuery ScriptedRequest::query() const
{
    const qsizetype q = target.indexOf('?');
    return q < 0 ? QUrlQuery() : QUrlQuery(QString::fromUtf8(target.mid(q + 1)));
}

QJsonObject ScriptedRequest::json() const
{
    return QJsonDocument::fromJson(body).object();
}

ScriptedResponse ScriptedResponse::json(int status, const QJsonObject& body,
                                        QList<std::pair<QByteArray, QByteArray>> headers)
{
    ScriptedResponse response;
    response.status = status;
    response.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    response.headers = std::move(headers);
    response.headers.append(std::make_pair(QByteArray("Content-Type"), QByteArray("application/json")));
    return response;
}

ScriptedResponse ScriptedResponse::dropped()
{
    ScriptedResponse response;
    response.dropConnection = true;
    return response;
}

ScriptedHttpServer::ScriptedHttpServer()
{
    m_thread.setObjectName(QStringLiteral("ScriptedHttpServer"));
    m_thread.start();
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            m_server = new QTcpServer(m_context);
            if (m_server->listen(QHostAddress(QHostAddress::LocalHost), 0))
                m_port = m_server->serverPort();
            QObject::connect(m_server, &QTcpServer::newConnection, m_context, [this] { onNewConnection(); });
        },
        Qt::BlockingQueuedConnection);
}

ScriptedHttpServer::~ScriptedHttpServer()
{
    QMetaObject::invokeMethod(
        m_context, [this] { delete m_context; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QUrl ScriptedHttpServer::url(const QString& path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
}

void ScriptedHttpServer::setHandler(Handler handler)
{
    std::lock_guard lock(m_mutex);
    m_handler = std::move(handler);
}

void ScriptedHttpServer::enqueue(const QByteArray& method, const QString& path, ScriptedResponse response)
{
    std::lock_guard lock(m_mutex);
    m_queued[routeKey(method, path)].append(std::move(response));
}

QList<ScriptedRequest> ScriptedHttpServer::requests() const
{
    std::lock_guard lock(m_mutex);
    return m_requests;
}

int ScriptedHttpServer::count(const QByteArray& method, const QString& path) const
{
    std::lock_guard lock(m_mutex);
    int n = 0;
    for (const ScriptedRequest& request : m_requests)
        n += request.method == method && request.path() == path ? 1 : 0;
    return n;
}

void ScriptedHttpServer::clearRequests()
{
    std::lock_guard lock(m_mutex);
    m_requests.clear();
}

ScriptedResponse ScriptedHttpServer::respond(const ScriptedRequest& request)
{
    Handler handler;
    {
        std::lock_guard lock(m_mutex);
        m_requests.append(request);
        auto it = m_queued.find(routeKey(request.method, request.path()));
        if (it != m_queued.end() && !it->isEmpty())
            return it->takeFirst();
        handler = m_handler;
    }
    if (handler)
        return handler(request);
    return ScriptedResponse::json(404, {{QStringLiteral("error"), QStringLiteral("no scripted response")}});
}

void ScriptedHttpServer::onNewConnection()
{
    while (QTcpSocket* socket = m_server->nextPendingConnection()) {
        auto* connection = new Connection {socket, {}};
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, connection] { onReadyRead(connection); });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        // No context object: the server (and m_context) may be going away when the socket is destroyed.
        QObject::connect(socket, &QObject::destroyed, [connection] { delete connection; });
    }
}

void ScriptedHttpServer::onReadyRead(Connection* connection)
{
    QTcpSocket* socket = connection->socket;
    connection->buffer += socket->readAll();
    for (;;) {
        const qsizetype headerEnd = connection->buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QList<QByteArray> lines = connection->buffer.left(headerEnd).split('\n');
        ScriptedRequest request;
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        request.target = requestLine.value(1);
        qsizetype contentLength = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed();
            const QByteArray value = line.mid(colon + 1).trimmed();
            request.headers.append({name, value});
            if (name.compare("content-length", Qt::CaseInsensitive) == 0)
                contentLength = value.toLongLong();
        }
        if (connection->buffer.size() < headerEnd + 4 + contentLength)
            return;
        request.body = connection->buffer.mid(headerEnd + 4, contentLength);
        connection->buffer.remove(0, headerEnd + 4 + contentLength);
        request.receivedAtMs = steadyMs();

        const ScriptedResponse response = respond(request);
        QPointer<QTcpSocket> guard(socket);
        auto answer = [guard, response] {
            if (!guard)
                return;
            if (response.dropConnection) {
                guard->abort();
                return;
            }
            QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reason(response.status) + "\r\n";
            for (const auto& [name, value] : response.headers)
                out += name + ": " + value + "\r\n";
            out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n\r\n" + response.body;
            guard->write(out);
        };
        if (response.delayMs > 0)
            QTimer::singleShot(response.delayMs, socket, answer);
        else
            answer();
        if (response.dropConnection)
            return;
    }
}

} // namespace stint::test
