// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Problem.h"
#include "cloud/http/Router.h"

#include <functional>

#include <QJsonArray>
#include <variant>

namespace stint::cloud {

class RequestContext;

// Cursor pagination shared by every list: `?limit=1..200` (default 50) and `?cursor=<opaque>` from the previous
// page's `nextCursor`. Lists are ordered by id; the cursor is the last id seen, base64url-encoded.
struct PageRequest
{
    int limit = 50;
    QString afterId; // empty: from the start
};

// Reads limit and cursor from the query string; rejects anything else in it unless named in `allowedParams`.
std::variant<PageRequest, ApiError> readPageRequest(const RequestContext& ctx, const QStringList& allowedParams = {});

// One listed item: its id (the sort key) and its JSON.
using PageItem = QPair<QString, QJsonObject>;

// {"items": [...], "nextCursor": "…" | null}. Fetch limit + 1 rows (ORDER BY id, WHERE id > afterId): the extra one
// only says that there is more.
HttpResponse pageResponse(const QList<PageItem>& rows, const PageRequest& page);

// The same from items already serialized: each its id and its JSON object (compact), written as it is.
using SerializedPageItem = QPair<QString, QByteArray>;
HttpResponse serializedPageResponse(const QList<SerializedPageItem>& rows, const PageRequest& page);

// A whole list route over one of the caller organization's tables, paged by id: reads limit and cursor, fetches
// the ids, and turns each into JSON with `load` (nullopt: a store failure, answered 500). `table` is a constant of
// the caller's, never input.
using ItemLoader = std::function<std::optional<QJsonObject>(const QString& id)>;
Reply listOrganizationPage(RequestContext& ctx, const QString& table, const ItemLoader& load);

QString encodeCursor(const QString& value);
std::optional<QString> decodeCursor(const QString& cursor);

} // namespace stint::cloud
