// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/loopback/LoopbackPage.h"
#include "client/loopback/LoopbackRequest.h"
#include "core/Result.h"

#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTimer>
#include <QUrl>
#include <memory>
#include <optional>
#include <unordered_map>

class QTcpSocket;

// The RFC 8252 loopback listener: the one place a browser hands an OAuth answer back to the desktop app.
//
// It listens on 127.0.0.1 only (never all interfaces, never `localhost`, which may resolve elsewhere; Entra refuses
// [::1]) at a port the system picks, and answers exactly one path. It is shaped by who else can reach the port:
// every process on this machine, and every web page the person opens (through their browser). So:
//   - each request head is read strictly (LoopbackRequest) within a size cap and a read deadline (slowloris), the
//     Host must be this listener (DNS rebinding), only `GET <path>?<query>` is accepted, every answer closes its
//     connection, and the number of connections is capped;
//   - a callback counts only when its `state` matches the flow's (compared in constant time); any other gets a 400
//     page and the listener keeps waiting;
//   - the first matching callback is the only one: the listener stops listening at once, and a request on a
//     connection that was already open is refused with a 409 page;
//   - that callback's browser gets its page when the flow knows the outcome (answer()), or a neutral page after a
//     deadline; if the browser has gone by then, nothing breaks;
//   - after the flow's timeout the listener answers its path with a "too late" page for a while, then closes.
//
// Signals are emitted from the socket's handlers: a receiver must not delete the server from them (deleteLater).
namespace stint::client {

class LoopbackServer : public QObject
{
    Q_OBJECT
public:
    struct Limits : LoopbackRequest::Limits
    {
        int readDeadlineMs = 10'000; // from connect to a complete request head
        int maxConnections = 16; // open at once; more are closed unanswered
        int answerDeadlineMs = 30'000; // how long the callback's browser waits for answer()
        int lingerMs = 5 * 60'000; // after the timeout: how long a late browser still gets the "too late" page
    };

    enum class Phase
    {
        Idle, // not listening yet
        Listening, // listening; no state to match yet (every callback is refused)
        Waiting, // waiting for the callback
        Answering, // the callback came; its browser waits for answer()
        Done, // answered; no longer listening
        Expired, // timed out; answering late browsers until the linger ends
        Closed,
    };

    // `callbackPath`: the path the redirect URI names ("/stint/connect"), compared exactly (case-sensitive).
    explicit LoopbackServer(QString callbackPath, QObject* parent = nullptr);
    ~LoopbackServer() override;

    void setLimits(const Limits& limits) { m_limits = limits; }
    const Limits& limits() const { return m_limits; }

    // Binds 127.0.0.1 at a free port.
    Result<void> listen();
    bool isListening() const;
    Phase phase() const { return m_phase; }
    quint16 port() const { return m_port; }
    // http://127.0.0.1:<port><path>: what the flow registers as its redirect URI.
    QString redirectUri() const;

    // From now on a callback with this `state` completes the wait; after `timeoutMs` without one, timedOut().
    void awaitCallback(const QByteArray& expectedState, int timeoutMs);
    // The page for the browser that brought the callback (once; later calls do nothing).
    void answer(const LoopbackPage& page);
    // Stops listening and drops every connection (an unanswered callback's browser gets `page` first).
    void close(const std::optional<LoopbackPage>& page = std::nullopt);

    // A query string's parameters, percent- and '+'-decoded (application/x-www-form-urlencoded, as Entra and
    // browsers write them); nullopt when an escape is malformed.
    static std::optional<QList<QPair<QByteArray, QByteArray>>> decodeQuery(QByteArrayView query);

signals:
    // The one callback whose state matched: the full URL as received, e.g. http://127.0.0.1:53100/stint/connect?…
    void callbackReceived(const QUrl& callbackUrl);
    void timedOut();
    // A request was refused (status and the reason, never request bytes): for the debug log and tests.
    void refused(int status, const QString& why);

private:
    struct Connection
    {
        QByteArray buffer;
        QTimer* deadline = nullptr;
        bool complete = false; // its request was read: whatever follows is drained, never parsed
        bool responded = false;
    };

    void acceptConnections();
    void readFrom(QTcpSocket* socket);
    void handle(QTcpSocket* socket, const LoopbackRequest& request);
    void respond(QTcpSocket* socket, const LoopbackPage& page);
    void refuse(QTcpSocket* socket, int status, const QString& why);
    void forget(QTcpSocket* socket);
    void expire();

    QString m_path;
    Limits m_limits;
    QTcpServer m_tcp;
    quint16 m_port = 0;
    Phase m_phase = Phase::Idle;
    QByteArray m_expectedState;
    QTimer m_timeout;
    QTimer m_answerDeadline;
    QTimer m_linger;
    QPointer<QTcpSocket> m_held; // the callback's connection, until answer()
    std::unordered_map<QTcpSocket*, Connection> m_connections;
};

} // namespace stint::client
