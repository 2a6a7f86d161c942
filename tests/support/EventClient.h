// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

// One client of /v1/events that keeps every message it got.
class EventClient : public QObject
{
public:
    explicit EventClient(quint16 port)
        : m_port(port)
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this,
                [this](const QString& m) { messages << QJsonDocument::fromJson(m.toUtf8()).object(); });
    }
    bool open()
    {
        QSignalSpy connected(&m_socket, &QWebSocket::connected);
        m_socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/events").arg(m_port)));
        return connected.wait(10000);
    }
    void send(const QByteArray& text) { m_socket.sendTextMessage(QString::fromUtf8(text)); }
    bool hello(const QString& token, qint64 since)
    {
        send(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("hello")},
                                       {QStringLiteral("token"), token},
                                       {QStringLiteral("since"), since}})
                 .toJson(QJsonDocument::Compact));
        return QTest::qWaitFor([this] { return has(QStringLiteral("ready")); }, 10000);
    }
    bool has(const QString& type) const
    {
        return std::any_of(messages.begin(), messages.end(),
                           [&](const QJsonObject& m) { return m.value(QLatin1String("type")).toString() == type; });
    }
    QList<QJsonObject> events() const
    {
        QList<QJsonObject> out;
        for (const auto& m : messages) {
            if (m.value(QLatin1String("type")).toString() == QLatin1String("event"))
                out << m;
        }
        return out;
    }
    qint64 lastSeq() const { return events().isEmpty() ? 0 : events().last().value(QLatin1String("seq")).toInteger(); }
    bool waitForEvents(int n) { return QTest::qWaitFor([&] { return events().size() >= n; }, 10000); }
    bool waitClosed()
    {
        return m_socket.state() == QAbstractSocket::UnconnectedState
            || QSignalSpy(&m_socket, &QWebSocket::disconnected).wait(10000);
    }
    void close()
    {
        m_socket.close();
        (void)waitClosed();
    }

    QList<QJsonObject> messages;

private:
    quint16 m_port;
    QWebSocket m_socket;
};

