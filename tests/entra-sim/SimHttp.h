// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

// The simulator's own request/response types: one parsed HTTP/1.1 request in, one response out. The server
// (SimServer) parses bytes into a SimRequest at the edge; every endpoint (Graph, identity, control) only ever sees
// these typed values.
namespace stint::entrasim {

struct SimRequest
{
    QByteArray method; // upper case as sent: "GET", "POST", …
    QString path; // percent-decoded path, e.g. "/v1.0/users/adele@contoso.com"
    QUrlQuery query; // the raw query; read values with QUrl::FullyDecoded
    QList<QPair<QByteArray, QByteArray>> headers; // in arrival order, names as sent
    QByteArray body;
    QHostAddress peer;

    // The first header with this name, compared case-insensitively; empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    // path + "?" + query as sent (for the request log and @odata.nextLink).
    QString pathAndQuery() const;
};

struct SimResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    static SimResponse json(int status, const QJsonObject& body);
    static SimResponse html(int status, QByteArray body);
    static SimResponse redirect(const QUrl& location); // 302 Found with Location
    static SimResponse empty(int status); // e.g. 204 No Content

    QByteArray header(QByteArrayView name) const;
    // Replaces any header of this name.
    void setHeader(const QByteArray& name, const QByteArray& value);
};

// The reason phrase for a status code ("Not Found"), for the status line.
QByteArray reasonPhrase(int status);

} // namespace stint::entrasim
