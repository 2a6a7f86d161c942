// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to the Graph endpoint files (GraphEndpoints.cpp, GraphUsers.cpp, GraphRoles.cpp).
#include "GraphEndpoints.h"

#include <QDateTime>
#include <QList>
#include <QPair>
#include <QString>
#include <optional>

namespace stint::entrasim {

inline const QString kGraphBase = QStringLiteral("https://graph.microsoft.com/v1.0");

// innerError.date has no timezone suffix (protocols.md 2.1).
inline QString innerErrorDate()
{
    return QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd'T'hh:mm:ss");
}

// Everything one Graph request (or one $batch item) carries through the pipeline.
struct GraphEndpoints::Call
{
    const SimRequest& request;
    QString path; // Graph path without the version, e.g. "/users/abc"
    QString requestId;
    QString clientRequestId;
    TokenClaims claims;
    SimTenant* tenant = nullptr;
    SimServicePrincipal* servicePrincipal = nullptr;
    bool throttled = false;
    QList<QPair<QByteArray, QByteArray>> extraHeaders; // throttling headers for the answer
    TimeMs now = 0;
};

// One `$filter` clause "property eq literal"; a filter is clauses joined by "and" (the subset Stint uses).
struct FilterClause
{
    QString property;
    QString value; // strings unquoted; booleans as "true"/"false"
    bool isString = true;
};

// Parses the `$filter` subset; nullopt when it is not of that form.
std::optional<QList<FilterClause>> parseFilter(const QString& text);

} // namespace stint::entrasim
