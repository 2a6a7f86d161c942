// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/EventChannel.h"

#include <QTimer>
#include <QUrl>

class QWebSocket;

namespace stint::client {

// EventChannel over a real WebSocket to <cloud>/v1/events (ws:// to a loopback cloud, wss:// otherwise). Every frame
// is parsed strictly; a frame that does not fit closes the channel with events.protocol rather than being guessed
// at. A silent connection is pinged, and closed as unreachable when the pong does not come.
class WebSocketEventChannel final : public EventChannel
{
    Q_OBJECT
public:
    // `cloudBaseUrl`: the same URL the HTTP transport uses.
    explicit WebSocketEventChannel(const QUrl& cloudBaseUrl, QObject* parent = nullptr);
    ~WebSocketEventChannel() override;

    void open(const crypto::SecretBytes& token, qint64 since) override;
    void close() override;
    bool isOpen() const override;

    // Frames larger than this are refused (the cloud's events are a few KiB).
    static constexpr qint64 kMaxFrameBytes = 1 << 20;

private:
    void onConnected();
    void onText(const QString& text);
    void onDisconnected();
    void finish(const Error& error);

    QUrl m_url;
    QWebSocket* m_socket = nullptr;
    crypto::SecretBytes m_token;
    qint64 m_since = 0;
    bool m_closing = false;
    bool m_errorSent = false;
    QTimer m_keepAlive;
    QTimer m_pongDeadline;
};

} // namespace stint::client
