// SPDX-License-Identifier: GPL-3.0-or-later
#include "SimHttp.h"

#include <QJsonDocument>

namespace stint::entrasim {

QByteArray SimRequest::header(QByteArrayView name) const
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool SimRequest::hasHeader(QByteArrayView name) const
{
    for (const auto& header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QString SimRequest::pathAndQuery() const
{
    const QString q = query.toString(QUrl::FullyEncoded);
    return q.isEmpty() ? path : path + QLatin1Char('?') + q;
}

SimResponse SimResponse::json(int status, const QJsonObject& body)
{
    SimResponse response;
    response.status = status;
    response.setHeader(
        "Content-Type",
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8");
    response.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return response;
}

SimResponse SimResponse::html(int status, QByteArray body)
{
    SimResponse response;
    response.status = status;
    response.setHeader("Content-Type", "text/html; charset=utf-8");
    response.body = std::move(body);
    return response;
}

SimResponse SimResponse::redirect(const QUrl& location)
{
    SimResponse response;
    response.status = 302;
    response.setHeader("Location", location.toEncoded());
    return response;
}

SimResponse SimResponse::empty(int status)
{
    SimResponse response;
    response.status = status;
    return response;
}

QByteArray SimResponse::header(QByteArrayView name) const
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

void SimResponse::setHeader(const QByteArray& name, const QByteArray& value)
{
    headers.removeIf([&](const auto& h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
    headers.append({name, value});
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 424:
        return "Failed Dependency";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

} // namespace stint::entrasim
