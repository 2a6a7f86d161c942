// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/http/HttpMessage.h"

#include <QJsonDocument>

namespace stint::cloud {

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpResponse HttpResponse::json(int status, const QJsonObject& object)
{
    return {status, "application/json", QJsonDocument(object).toJson(QJsonDocument::Compact), {}};
}

HttpResponse HttpResponse::json(int status, const QJsonArray& array)
{
    return {status, "application/json", QJsonDocument(array).toJson(QJsonDocument::Compact), {}};
}

HttpResponse HttpResponse::noContent()
{
    return {204, {}, {}, {}};
}

HttpResponse HttpResponse::bytes(int status, QByteArray contentType, QByteArray body)
{
    return {status, std::move(contentType), std::move(body), {}};
}

HttpResponse HttpResponse::redirect(const QByteArray& location)
{
    return {303, {}, {}, {{"Location", location}}};
}

} // namespace stint::cloud
