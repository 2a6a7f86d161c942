// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/events/EventAudience.h"

#include <array>

namespace stint::cloud {

namespace {
using A = EventType::Audience;
constexpr std::array kTypes{
    // A checkout is shown to admins and to the technician who asked for it.
    EventType{"checkout.updated", A::AdminsAndSubject, "GET /v1/checkouts/{checkoutId}"},
    // Technicians read tenants filtered by their grants; the admins' view is whole, so only a nudge reaches them.
    EventType{"tenant.created", A::Admins, "GET /v1/tenants/{tenantId}"},
    EventType{"tenant.updated", A::Admins, "GET /v1/tenants/{tenantId}"},
    EventType{"tenant.deleted", A::Admins, "GET /v1/tenants/{tenantId}"},
    EventType{"tenant.connection", A::Admins, "GET /v1/tenants/{tenantId}/connection"},
    EventType{"policy.created", A::Admins, "GET /v1/policies/{policyId}"},
    EventType{"policy.updated", A::Admins, "GET /v1/policies/{policyId}"},
    EventType{"policy.deleted", A::Admins, "GET /v1/policies/{policyId}"},
    EventType{"group.created", A::Admins, "GET /v1/groups/{groupId}"},
    EventType{"group.updated", A::Admins, "GET /v1/groups/{groupId}"},
    EventType{"group.deleted", A::Admins, "GET /v1/groups/{groupId}"},
    EventType{"grants.changed", A::Everyone, "GET /v1/tenants"},
    EventType{"person.enrolled", A::Admins, "GET /v1/people/{personId}"},
    // A person sees their own record; admins see everyone's (GET /v1/people/{personId}).
    EventType{"person.updated", A::AdminsAndSubject, "GET /v1/me"},
    EventType{"credential.flagged", A::Admins, "GET /v1/people/{personId}/credentials"},
    EventType{"organization.updated", A::Admins, "GET /v1/organization"},
    EventType{"alert.raised", A::Admins, "GET /v1/tenants/{tenantId}/connection"},
};

Result<void> refused(const QString& why)
{
    return makeError(QString::fromLatin1(kAudienceRefused), why);
}
} // namespace

std::span<const EventType> eventTypes()
{
    return kTypes;
}

std::optional<EventType> eventType(const QString& type)
{
    for (const EventType& t : kTypes) {
        if (type == QLatin1String(t.type))
            return t;
    }
    return std::nullopt;
}

Result<void> checkAudience(const QString& type, const QString& audience, const QJsonObject& data)
{
    const auto known = eventType(type);
    if (!known)
        return refused(QStringLiteral("%1 is not a known event type").arg(type));
    const bool admins = audience == QLatin1String("admins");
    switch (known->audience) {
    case A::Admins:
        if (admins)
            return {};
        break;
    case A::AdminsAndSubject:
        if (admins
            || (audience.startsWith(QLatin1String("admins|person:")) && !audience.mid(14).contains(QLatin1Char('|'))))
            return {};
        break;
    case A::Everyone:
        if (audience == QLatin1String("org") && data.isEmpty())
            return {};
        break;
    }
    return refused(QStringLiteral("%1 may not go to \"%2\"").arg(type, audience));
}

} // namespace stint::cloud
