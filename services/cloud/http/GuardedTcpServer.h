// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace stint::cloud {

// QtHttpServer 6.4 reads a whole request into memory before anyone sees it and keeps idle connections forever.
// These connections enforce what it does not: a byte budget per request (counted from the last response), an idle
// timeout, and a well-formed request line (answered with a 400 problem when it is not, instead of silence).
class GuardedTcpSocket : public QTcpSocket
{
    Q_OBJECT
public:
    GuardedTcpSocket(qsizetype maxRequestBytes, int idleTimeoutMs, QObject* parent = nullptr);

protected:
    qint64 writeData(const char* data, qint64 size) override;

private:
    void inspectIncoming();
    void reject(const QByteArray& statusLine, const QByteArray& detail);

    qsizetype m_maxRequestBytes;
    qsizetype m_bytesSinceResponse = 0;
    QByteArray m_requestLine; // the start of the current request, until its first line is complete
    bool m_checkingRequestLine = true;
    bool m_rejected = false;
    QTimer m_idle;
};

class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    GuardedTcpServer(qsizetype maxRequestBytes, int idleTimeoutMs, QObject* parent = nullptr);

protected:
    void incomingConnection(qintptr handle) override;

private:
    qsizetype m_maxRequestBytes;
    int m_idleTimeoutMs;
};

} // namespace stint::cloud
