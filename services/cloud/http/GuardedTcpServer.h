// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/HttpGuard.h"

#include <QHash>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <memory>

// The listeners of the cloud's HTTP server, plain and TLS: each connection they accept is counted against its peer
// address (a cap per address) and carries an HttpGuard, which sees its bytes (decrypted, for TLS) before
// QtHttpServer does.
namespace stint::cloud {

// Open connections per peer address, shared by a listener and its connections (which may outlive it).
class ConnectionCounter
{
public:
    bool tryAdd(const QHostAddress& peer, int cap);
    void remove(const QHostAddress& peer);

private:
    QHash<QString, int> m_open;
};

// The guard of a socket made by one of the servers below, or null.
HttpGuard* guardOf(QTcpSocket* socket);

// A connection with its guard. The plain and the TLS variant differ only in their base class.
class GuardedTcpSocket : public QTcpSocket
{
    Q_OBJECT
public:
    explicit GuardedTcpSocket(std::shared_ptr<const GuardSettings> settings, QObject* parent = nullptr);
    HttpGuard& guard() { return m_guard; }

protected:
    qint64 writeData(const char* data, qint64 size) override;

private:
    HttpGuard m_guard;
};

class GuardedSslSocket : public QSslSocket
{
    Q_OBJECT
public:
    explicit GuardedSslSocket(std::shared_ptr<const GuardSettings> settings, QObject* parent = nullptr);
    HttpGuard& guard() { return m_guard; }

protected:
    qint64 writeData(const char* data, qint64 size) override;

private:
    HttpGuard m_guard;
};

class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit GuardedTcpServer(std::shared_ptr<const GuardSettings> settings, QObject* parent = nullptr);

protected:
    void incomingConnection(qintptr handle) override;

private:
    std::shared_ptr<const GuardSettings> m_settings;
    std::shared_ptr<ConnectionCounter> m_counter = std::make_shared<ConnectionCounter>();
};

// QSslServer makes plain QSslSockets in its incomingConnection; this one makes guarded ones, so that TLS connections
// get exactly the plain listener's guard (on the decrypted bytes). The header deadline also bounds the handshake.
class GuardedSslServer : public QSslServer
{
    Q_OBJECT
public:
    explicit GuardedSslServer(std::shared_ptr<const GuardSettings> settings, QObject* parent = nullptr);

protected:
    void incomingConnection(qintptr handle) override;

private:
    std::shared_ptr<const GuardSettings> m_settings;
    std::shared_ptr<ConnectionCounter> m_counter = std::make_shared<ConnectionCounter>();
};

} // namespace stint::cloud
