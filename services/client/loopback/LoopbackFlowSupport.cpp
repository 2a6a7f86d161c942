// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/loopback/LoopbackFlowSupport.h"

#include "client/ApiError.h"
#include "client/loopback/LoopbackServer.h"

#include <QHostAddress>

namespace stint::client::loopback {

Error flowError(const char* code, const QString& message, const QJsonObject& details)
{
    return Error {QString::fromLatin1(code), message, details};
}

bool acceptableBrowserUrl(const QUrl& url)
{
    if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty())
        return false;
    if (url.scheme() == QLatin1String("https"))
        return true;
    if (url.scheme() != QLatin1String("http"))
        return false;
    if (url.host().compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(url.host());
    return !address.isNull() && address.isLoopback();
}

std::optional<QueryItems> callbackParameters(const QUrl& callbackUrl)
{
    return LoopbackServer::decodeQuery(callbackUrl.query(QUrl::FullyEncoded).toLatin1());
}

std::optional<QString> single(const QueryItems& items, const char* name)
{
    std::optional<QString> found;
    for (const auto& [key, value] : items) {
        if (key != name)
            continue;
        if (found)
            return std::nullopt;
        found = QString::fromUtf8(value);
    }
    return found;
}

LoopbackPage pageForError(const Error& error)
{
    const QString slug = errors::slug(error);
    if (slug == QLatin1String("state-expired"))
        return LoopbackPage::timedOut();
    if (errors::isNetwork(error))
        return LoopbackPage::failed(LoopbackPage::tr("The Stint app cannot reach the Stint service. Check the "
                                                     "network and start again from the app."),
                                    error.code);
    return LoopbackPage::failed(error.message, error.code);
}

} // namespace stint::client::loopback
