// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/WebSocketEventChannel.h"

#include "client/ApiError.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcLiveChannel, "stint.client.events")

namespace stint::client {

namespace {
constexpr int kKeepAliveMs = 25'000;
constexpr int kPongDeadlineMs = 10'000;
} // namespace

WebSocketEventChannel::WebSocketEventChannel(const QUrl& cloudBaseUrl, QObject* parent)
    : EventChannel(parent)
{
    m_url = cloudBaseUrl.adjusted(QUrl::StripTrailingSlash);
    m_url.setScheme(cloudBaseUrl.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    m_url.setPath(m_url.path() + QStringLiteral("/v1/events"));
    m_keepAlive.setInterval(kKeepAliveMs);
    m_pongDeadline.setSingleShot(true);
    m_pongDeadline.setInterval(kPongDeadlineMs);
    connect(&m_keepAlive, &QTimer::timeout, this, [this]() {
        if (m_socket) {
            m_socket->ping();
            m_pongDeadline.start();
        }
    });
    connect(&m_pongDeadline, &QTimer::timeout, this, [this]() {
        finish(Error{QString::fromLatin1(errors::kUnreachable), tr("The live channel stopped answering."),
                     {}});
    });
}

WebSocketEventChannel::~WebSocketEventChannel()
{
    m_closing = true;
    if (m_socket)
        m_socket->abort();
}

bool WebSocketEventChannel::isOpen() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

void WebSocketEventChannel::open(const crypto::SecretBytes& token, qint64 since)
{
    close();
    m_token = crypto::SecretBytes(QByteArray(token.bytes().constData(), token.size()));
    m_since = since;
    m_closing = false;
    m_errorSent = false;
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setMaxAllowedIncomingFrameSize(kMaxFrameBytes);
    m_socket->setMaxAllowedIncomingMessageSize(kMaxFrameBytes);
    connect(m_socket, &QWebSocket::connected, this, &WebSocketEventChannel::onConnected);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &WebSocketEventChannel::onText);
    connect(m_socket, &QWebSocket::disconnected, this, &WebSocketEventChannel::onDisconnected);
    connect(m_socket, &QWebSocket::pong, this, [this]() { m_pongDeadline.stop(); });
    m_socket->open(m_url);
}

void WebSocketEventChannel::close()
{
    m_keepAlive.stop();
    m_pongDeadline.stop();
    if (!m_socket)
        return;
    m_closing = true;
    QWebSocket* socket = std::exchange(m_socket, nullptr);
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

void WebSocketEventChannel::onConnected()
{
    // The token goes in the first frame, never in the URL (which proxies and logs keep).
    QJsonObject hello{{QStringLiteral("type"), QStringLiteral("hello")},
                      {QStringLiteral("token"), QString::fromUtf8(m_token.bytes())},
                      {QStringLiteral("since"), m_since}};
    QByteArray frame = QJsonDocument(hello).toJson(QJsonDocument::Compact);
    m_socket->sendTextMessage(QString::fromUtf8(frame));
    crypto::wipe(frame);
    m_keepAlive.start();
}

void WebSocketEventChannel::onText(const QString& text)
{
    m_pongDeadline.stop();
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    const QJsonObject o = doc.object();
    const QString type = o.value(QLatin1String("type")).toString();
    auto protocolError = [this](const QString& what) {
        qCWarning(lcLiveChannel) << "unreadable live frame:" << what;
        finish(Error{QString::fromLatin1(kEventProtocol),
                     tr("The live channel sent something this app does not understand (%1).").arg(what),
                     {}});
    };
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return protocolError(QStringLiteral("not a JSON object"));
    if (type == QLatin1String("event")) {
        LiveEvent e;
        const QJsonValue seq = o.value(QLatin1String("seq"));
        const auto at = fromRfc3339(o.value(QLatin1String("at")).toString());
        if (!seq.isDouble() || seq.toInteger() <= 0 || !o.value(QLatin1String("event")).isString() || !at
            || !o.value(QLatin1String("data")).isObject())
            return protocolError(QStringLiteral("an event without seq, event, at or data"));
        e.seq = seq.toInteger();
        e.type = o.value(QLatin1String("event")).toString();
        e.at = *at;
        e.data = o.value(QLatin1String("data")).toObject();
        emit event(e);
    } else if (type == QLatin1String("ready") || type == QLatin1String("reset")) {
        const QJsonValue head = o.value(QLatin1String("head"));
        if (!head.isDouble() || head.toInteger() < 0)
            return protocolError(QStringLiteral("%1 without head").arg(type));
        if (type == QLatin1String("ready"))
            emit ready(head.toInteger());
        else
            emit reset(head.toInteger());
    } else if (type == QLatin1String("error")) {
        const QString code = o.value(QLatin1String("code")).toString();
        const QString message = o.value(QLatin1String("message")).toString();
        qCInfo(lcLiveChannel) << "the service closed the live channel:" << code;
        const bool sessionOver = code == QLatin1String("session-ended") || code == QLatin1String("unauthenticated");
        finish(Error{sessionOver ? QString::fromLatin1(kSessionEnded) : QStringLiteral("events.") + code,
                     message.isEmpty() ? tr("The live channel was closed by the service.") : message,
                     {}});
    } else {
        protocolError(QStringLiteral("unknown frame type '%1'").arg(type.left(40)));
    }
}

void WebSocketEventChannel::onDisconnected()
{
    if (m_closing)
        return;
    const QString reason = m_socket ? m_socket->errorString() : QString();
    finish(Error{QString::fromLatin1(errors::kUnreachable),
                 reason.isEmpty() ? tr("The live channel was disconnected.")
                                  : tr("The live channel was disconnected (%1).").arg(reason),
                 {}});
}

void WebSocketEventChannel::finish(const Error& error)
{
    if (m_errorSent)
        return;
    m_errorSent = true;
    close();
    emit closed(error);
}

} // namespace stint::client
