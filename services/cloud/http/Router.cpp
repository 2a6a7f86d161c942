// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/http/Router.h"

namespace stint::cloud {

void Router::add(Route route)
{
    route.segments = route.pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    m_routes.push_back(std::move(route));
}

RouteMatch Router::match(const QString& method, const QString& path) const
{
    RouteMatch result;
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    for (const Route& route : m_routes) {
        if (route.segments.size() != parts.size())
            continue;
        QHash<QString, QString> params;
        bool ok = true;
        for (int i = 0; i < parts.size() && ok; ++i) {
            const QString& seg = route.segments.at(i);
            if (seg.startsWith(QLatin1Char('{')) && seg.endsWith(QLatin1Char('}')))
                params.insert(seg.mid(1, seg.size() - 2), parts.at(i));
            else
                ok = seg == parts.at(i);
        }
        if (!ok)
            continue;
        if (route.method == method || (method == QLatin1String("HEAD") && route.method == QLatin1String("GET"))) {
            result.route = &route;
            result.params = std::move(params);
            return result;
        }
        result.pathKnown = true;
        result.allowedMethods << route.method;
    }
    return result;
}

} // namespace stint::cloud
