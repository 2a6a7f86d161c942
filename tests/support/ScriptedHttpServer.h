// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

class QTcpServer;

namespace stint::test {

// A small HTTP/1.1 server on 127.0.0.1 (port 0) for tests of HTTP clients: it answers with queued or programmed
// responses and records every request. It runs on a thread of its own, so code under test may block the test's
// thread (or many threads) waiting for it.
struct ScriptedRequest
{
    QByteArray method;
    QByteArray target; // path and query as sent
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    qint64 receivedAtMs = 0; // steady clock, for counting requests per window

    QByteArray header(QByteArrayView name) const;
    QString path() const; // decoded, without the query
    QUrlQuery query() const;
    QJsonObject json() const; // the body as a JSON object (empty if it is none)
};

struct ScriptedResponse
{
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int delayMs = 0; // answer after this long (the connection stays open meanwhile)
    bool dropConnection = false; // close the connection without answering

    static ScriptedResponse json(int status, const QJsonObject& body,
                                 QList<std::pair<QByteArray, QByteArray>> headers = {});
    static ScriptedResponse dropped();
};

class ScriptedHttpServer
{
public:
    // Called (on the server's thread) for a request no queued response matches. Default: 404.
    using Handler = std::function<ScriptedResponse(const ScriptedRequest&)>;

    ScriptedHttpServer();
    ~ScriptedHttpServer();
    ScriptedHttpServer(const ScriptedHttpServer&) = delete;
    ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

    quint16 port() const { return m_port; }
    QUrl url(const QString& path = {}) const;

    void setHandler(Handler handler);
    // Answers the next request for `method` + `path` (query ignored) with `response`; queued responses go first.
    void enqueue(const QByteArray& method, const QString& path, ScriptedResponse response);

    QList<ScriptedRequest> requests() const;
    int count(const QByteArray& method, const QString& path) const;
    void clearRequests();

private:
    struct Connection;
    void onNewConnection();
    void onReadyRead(Connection* connection);
    ScriptedResponse respond(const ScriptedRequest& request);

    QThread m_thread;
    QObject* m_context = nullptr; // lives on m_thread
    QTcpServer* m_server = nullptr; // lives on m_thread
    quint16 m_port = 0;
    mutable std::mutex m_mutex;
    Handler m_handler;
    QHash<QString, QList<ScriptedResponse>> m_queued;
    QList<ScriptedRequest> m_requests;
};

} // namespace stint::test
