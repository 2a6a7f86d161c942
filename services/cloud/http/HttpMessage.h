// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

namespace stint::cloud {

// A request as the handlers see it, decoupled from QtHttpServer (a technology preview whose API changes).
struct HttpRequest
{
    QString method; // "GET", "POST", …
    QString path;   // decoded path, no query
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress remoteAddress;
    QString requestId;       // ours, always (the response's X-Request-Id, the logs, the audit log)
    QString clientRequestId; // the client's X-Request-Id, when plain; recorded as the client's, never as ours

    QByteArray header(QByteArrayView name) const;
};

struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    void addHeader(const QByteArray& name, const QByteArray& value) { headers.append(qMakePair(name, value)); }

    static HttpResponse json(int status, const QJsonObject& object);
    static HttpResponse json(int status, const QJsonArray& array);
    static HttpResponse noContent();
    static HttpResponse bytes(int status, QByteArray contentType, QByteArray body);
    static HttpResponse redirect(const QByteArray& location);
};

} // namespace stint::cloud
