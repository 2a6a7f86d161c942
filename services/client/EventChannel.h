// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Crypto.h"
#include "core/Result.h"

#include <QJsonObject>
#include <QObject>

// The cloud's live event channel (/v1/events) as the desktop side sees it: open with the session token and the last
// sequence number seen, get the backlog and then live events; `reset` when the backlog is gone (refetch); closed
// with a reason otherwise. WebSocketEventChannel speaks the real protocol; tests drive a fake through the same
// interface. Reconnecting is not this class's business: Workspace decides when, with backoff.
namespace stint::client {

struct LiveEvent
{
    qint64 seq = 0;
    QString type; // checkout.updated, tenant.updated, grants.changed, alert.raised …
    TimeMs at = 0;
    QJsonObject data;
};

class EventChannel : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // Opens (or reopens) the channel. `since`: the last sequence number applied, 0 for none.
    virtual void open(const crypto::SecretBytes& token, qint64 since) = 0;
    virtual void close() = 0;
    virtual bool isOpen() const = 0;

signals:
    // The backlog has been sent; `head` is the service's current sequence number.
    void ready(qint64 head);
    void event(const stint::client::LiveEvent& event);
    // The backlog after `since` is gone: refetch everything, then continue from `head`.
    void reset(qint64 head);
    // The channel closed. error.code: "events.session_ended" (sign in again), "network.unreachable" (retry later),
    // "events.protocol" (a frame this app cannot read), or the service's own code.
    void closed(const stint::Error& error);
};

inline constexpr auto kSessionEnded = "events.session_ended";
inline constexpr auto kEventProtocol = "events.protocol";

} // namespace stint::client
