// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "SimHttp.h"

#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <functional>

class QTcpSocket;
class QTimer;

// A small, strict HTTP/1.1 server over QTcpServer: keep-alive, Content-Length bodies only, size caps, and answers
// that may come later (latency faults) or never (dropped connections). Requests on one connection are answered in
// order; different connections never wait for each other.
namespace stint::entrasim {

class SimConnection;

// Answers one request exactly once: respond() or drop(). Safe to call after the client went away (then a no-op).
class SimResponder
{
public:
    SimResponder() = default;
    explicit SimResponder(SimConnection* connection);
    void respond(const SimResponse& response) const;
    void drop() const; // closes the connection without an answer
    bool alive() const { return !m_connection.isNull(); }

private:
    QPointer<SimConnection> m_connection;
};

class SimServer : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(const SimRequest&, SimResponder)>;

    static constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
    static constexpr int kMaxHeaders = 100;
    static constexpr qsizetype kMaxBodyBytes = 4 * 1024 * 1024;
    static constexpr int kIdleTimeoutMs = 60'000;

    explicit SimServer(Handler handler, QObject* parent = nullptr);

    bool listen(const QHostAddress& address, quint16 port);
    quint16 port() const { return m_server.serverPort(); }
    QHostAddress address() const { return m_server.serverAddress(); }

private:
    friend class SimConnection;
    QTcpServer m_server;
    Handler m_handler;
};

class SimConnection : public QObject
{
    Q_OBJECT
public:
    SimConnection(QTcpSocket* socket, SimServer& server);

    void respond(const SimResponse& response);
    void drop();

private:
    void onReadyRead();
    void processBuffer();
    // Answers a protocol error and closes: the rest of the stream cannot be trusted.
    void reject(int status, const QByteArray& message);
    void finish();

    QTcpSocket* m_socket;
    SimServer& m_server;
    QTimer* m_idle;
    QByteArray m_buffer;
    bool m_busy = false; // a request is being handled; later ones wait in m_buffer
    bool m_closeAfter = false;
    bool m_headMethod = false;
    bool m_closed = false;
};

} // namespace stint::entrasim
