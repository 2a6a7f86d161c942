// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QJsonObject>
#include <QString>

#include <optional>
#include <span>

namespace stint::cloud {

// Every event type the live channel (/v1/events) carries, and who may receive it. The channel shows a person what the
// REST API would show them of the same data, no more: each type names the read operation whose authorization it
// follows (`restRead`, as in docs/openapi.json), and TestAuthorizationMatrix checks the two agree and that a
// technician's channel carries nothing else. EventHub::publish refuses an unknown type or a wider audience, so a new
// event cannot reach technicians by accident.
struct EventType
{
    enum class Audience {
        Admins,           // "admins": data only admins may read (groups, policies, people, connections, alerts)
        AdminsAndSubject, // "admins" or "admins|person:<id>": admins, and the one person the data is about
        Everyone,         // "org" with an empty payload: a nudge to refetch over REST, which filters per person
    };
    const char* type;
    Audience audience;
    const char* restRead; // "GET /v1/…": the operation that shows the same data
};

// The known event types, in no particular order.
std::span<const EventType> eventTypes();
std::optional<EventType> eventType(const QString& type);

inline constexpr auto kAudienceRefused = "events.audience_refused";

// Checks that `audience` is no wider than the type allows (and that an org-wide event carries no data).
Result<void> checkAudience(const QString& type, const QString& audience, const QJsonObject& data);

} // namespace stint::cloud
