// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QList>
#include <QUrl>
#include <utility>

// Blocking HTTP/1.1 for the engine's worker threads: each thread gets its own QNetworkAccessManager (connections are
// reused per thread) and waits for one reply in a local event loop. Bounded in time and in response size; no
// redirects are followed (a token or a Graph request never goes anywhere but where it was sent) and no HTTP/2.
namespace stint::entra {

inline constexpr auto kUnreachable = "entra.unreachable"; // no response: refused, reset, timed out, TLS failure
inline constexpr auto kResponseTooLarge = "entra.response_too_large";

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct HttpRequest
{
    QByteArray method = "GET";
    QUrl url;
    HttpHeaders headers;
    QByteArray body; // wiped by the caller when it held a secret
    int timeoutMs = 30'000;
    qsizetype maxResponseBytes = 16 * 1024 * 1024;
};

struct HttpResponse
{
    int status = 0;
    HttpHeaders headers;
    QByteArray body;

    // The first header of that name (case-insensitive), or an empty array.
    QByteArray header(QByteArrayView name) const;
};

// Sends one request and waits for its response on the calling thread. Any HTTP status is a response; only the
// absence of one is an error ("entra.unreachable", or "entra.response_too_large").
Result<HttpResponse> httpSend(const HttpRequest& request);

QByteArray findHeader(const HttpHeaders& headers, QByteArrayView name);

} // namespace stint::entra
