// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/http/GuardedTcpServer.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcListener, "stint.cloud.http.listener")

namespace stint::cloud {

bool ConnectionCounter::tryAdd(const QHostAddress& peer, int cap)
{
    int& open = m_open[peer.toString()];
    if (cap > 0 && open >= cap)
        return false;
    ++open;
    return true;
}

void ConnectionCounter::remove(const QHostAddress& peer)
{
    const QString key = peer.toString();
    if (--m_open[key] <= 0)
        m_open.remove(key);
}

GuardedTcpSocket::GuardedTcpSocket(std::shared_ptr<const GuardSettings> settings, QObject* parent)
    : QTcpSocket(parent)
    , m_guard(this, std::move(settings))
{
}

qint64 GuardedTcpSocket::writeData(const char* data, qint64 size)
{
    m_guard.wrote();
    return QTcpSocket::writeData(data, size);
}

GuardedSslSocket::GuardedSslSocket(std::shared_ptr<const GuardSettings> settings, QObject* parent)
    : QSslSocket(parent)
    , m_guard(this, std::move(settings))
{
}

qint64 GuardedSslSocket::writeData(const char* data, qint64 size)
{
    m_guard.wrote();
    return QSslSocket::writeData(data, size);
}

HttpGuard* guardOf(QTcpSocket* socket)
{
    if (auto* plain = qobject_cast<GuardedTcpSocket*>(socket))
        return &plain->guard();
    if (auto* tls = qobject_cast<GuardedSslSocket*>(socket))
        return &tls->guard();
    return nullptr;
}

namespace {
// Counts the connection against its address while it exists; false (and the connection closed) over the cap.
bool admitConnection(QTcpSocket* socket, const std::shared_ptr<ConnectionCounter>& counter,
                     const GuardSettings& settings)
{
    const QHostAddress peer = socket->peerAddress();
    const bool exempt = settings.exemptFromCap && settings.exemptFromCap(peer);
    if (exempt)
        return true;
    if (!counter->tryAdd(peer, settings.maxConnectionsPerAddress)) {
        qCInfo(lcListener) << "refusing a connection: too many open from one address";
        return false;
    }
    // Not QObject::destroyed: QtHttpServer disconnects every signal of a connection it upgrades to a WebSocket.
    guardOf(socket)->setOnDestroyed([counter, peer] { counter->remove(peer); });
    return true;
}
} // namespace

GuardedTcpServer::GuardedTcpServer(std::shared_ptr<const GuardSettings> settings, QObject* parent)
    : QTcpServer(parent)
    , m_settings(std::move(settings))
{
}

void GuardedTcpServer::incomingConnection(qintptr handle)
{
    auto* socket = new GuardedTcpSocket(m_settings, this);
    if (!socket->setSocketDescriptor(handle) || !admitConnection(socket, m_counter, *m_settings)) {
        socket->abort();
        delete socket;
        return;
    }
    addPendingConnection(socket);
}

GuardedSslServer::GuardedSslServer(std::shared_ptr<const GuardSettings> settings, QObject* parent)
    : QSslServer(parent)
    , m_settings(std::move(settings))
{
}

void GuardedSslServer::incomingConnection(qintptr handle)
{
    auto* socket = new GuardedSslSocket(m_settings, this);
    socket->setSslConfiguration(sslConfiguration());
    if (!socket->setSocketDescriptor(handle) || !admitConnection(socket, m_counter, *m_settings)) {
        socket->abort();
        delete socket;
        return;
    }
    // As QSslServer does: the connection is handed to the HTTP server once encrypted; a failed handshake ends it.
    connect(socket, &QSslSocket::encrypted, this, [this, socket] {
        socket->disconnect(this);
        addPendingConnection(socket);
        emit newConnection();
    });
    connect(socket, &QSslSocket::sslErrors, this, [socket](const QList<QSslError>&) { socket->deleteLater(); });
    connect(socket, &QAbstractSocket::errorOccurred, this, [this, socket](QAbstractSocket::SocketError) {
        if (!socket->isEncrypted())
            socket->deleteLater();
    });
    connect(socket, &QAbstractSocket::disconnected, this, [socket] {
        if (!socket->isEncrypted())
            socket->deleteLater();
    });
    socket->startServerEncryption();
}

} // namespace stint::cloud
