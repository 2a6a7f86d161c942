// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/OpsApi.h"

#include "cloud/http/RequestContext.h"
#include "cloud/metrics/Metrics.h"

#include <QFile>

namespace stint::cloud::api {

namespace {
QByteArray resource(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The page loads only its own script and stylesheet, talks only to this origin, and may not be framed.
constexpr auto kPageCsp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                          "img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
} // namespace

Reply health(RequestContext&)
{
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}});
}

Reply ready(RequestContext& ctx)
{
    auto rows = ctx.cloud.db.query(QStringLiteral("SELECT COUNT(*) FROM schema_migrations"));
    if (!rows)
        return ApiError{503, QStringLiteral("not-ready"), QStringLiteral("The store does not answer."), {}, {}};
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("status"), QStringLiteral("ready")}});
}

Reply metrics(RequestContext& ctx)
{
    return HttpResponse::bytes(200, "text/plain; version=0.0.4; charset=utf-8", ctx.cloud.metrics.render());
}

Reply openApi(RequestContext&)
{
    static const QByteArray document = resource(QStringLiteral(":/api/openapi.json"));
    return HttpResponse::bytes(200, "application/json", document);
}

Reply home(RequestContext&)
{
    return HttpResponse::redirect("/signin");
}

Reply webAsset(RequestContext& ctx)
{
    const QString& path = ctx.request.path;
    QString file;
    QByteArray type;
    if (path == QLatin1String("/signin") || path == QLatin1String("/enroll")) {
        file = QStringLiteral(":/web/signin.html");
        type = "text/html; charset=utf-8";
    } else if (path == QLatin1String("/signin.js")) {
        file = QStringLiteral(":/web/signin.js");
        type = "text/javascript; charset=utf-8";
    } else if (path == QLatin1String("/stint.css")) {
        file = QStringLiteral(":/web/stint.css");
        type = "text/css; charset=utf-8";
    } else {
        return ApiError::notFound();
    }
    HttpResponse r = HttpResponse::bytes(200, type, resource(file));
    r.addHeader("Content-Security-Policy", kPageCsp);
    r.addHeader("Cache-Control", "no-cache");
    return r;
}

Reply eventsWithoutUpgrade(RequestContext&)
{
    return ApiError{426, QStringLiteral("upgrade-required"), QStringLiteral("Use a WebSocket."),
                    QStringLiteral("/v1/events is a WebSocket endpoint (see docs/api.md, live events)."), {}};
}

} // namespace stint::cloud::api
