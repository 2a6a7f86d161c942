// SPDX-License-Identifier: GPL-3.0-or-later
#include "IdentitySignInDriver.h"

#include "IdentityProtocol.h"

#include <QEventLoop>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>

namespace stint::entrasim {

namespace {

struct Exchange
{
    int status = 0;
    QByteArray body;
    QUrl location; // resolved against the request URL
    QList<QByteArray> setCookies;
    QString networkError;
};

QString unescapeHtml(QString text)
{
    text.replace(QLatin1String("&lt;"), QLatin1String("<"));
    text.replace(QLatin1String("&gt;"), QLatin1String(">"));
    text.replace(QLatin1String("&quot;"), QLatin1String("\""));
    text.replace(QLatin1String("&#39;"), QLatin1String("'"));
    text.replace(QLatin1String("&amp;"), QLatin1String("&"));
    return text;
}

Exchange send(QNetworkAccessManager& network, const QUrl& url, const QByteArray& formBody, int timeoutMs)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply* reply = nullptr;
    if (formBody.isNull()) {
        reply = network.get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
        reply = network.post(request, formBody);
    }
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();
    Exchange out;
    if (!reply->isFinished()) {
        reply->abort();
        out.networkError = QStringLiteral("timed out after %1 ms").arg(timeoutMs);
    } else {
        out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        out.body = reply->readAll();
        const QByteArray location = reply->rawHeader("Location");
        if (!location.isEmpty())
            out.location = url.resolved(QUrl::fromEncoded(location, QUrl::StrictMode));
        for (const auto& [name, value] : reply->rawHeaderPairs())
            if (name.compare("Set-Cookie", Qt::CaseInsensitive) == 0)
                out.setCookies << value;
        if (out.status == 0)
            out.networkError = reply->errorString();
    }
    reply->deleteLater();
    return out;
}

QString capture(const QString& html, const QString& pattern)
{
    const QRegularExpressionMatch m = QRegularExpression(pattern).match(html);
    return m.hasMatch() ? unescapeHtml(m.captured(1)) : QString();
}

bool sameOrigin(const QUrl& a, const QUrl& b)
{
    return a.scheme() == b.scheme() && a.host() == b.host() && a.port() == b.port();
}

} // namespace

QUrl driveSignIn(QNetworkAccessManager& network, const QUrl& authorizeOrConsentUrl, const QString& upn,
                 const QString& secret, const SignInOptions& options, SignInFailure* failure)
{
    const auto fail = [failure](const QString& step, int aadsts, const QString& message) {
        if (failure)
            *failure = SignInFailure{step, aadsts, message};
        return QUrl();
    };
    QUrl url = authorizeOrConsentUrl;
    QByteArray body; // null → GET
    for (int hop = 0; hop < 16; ++hop) {
        const Exchange reply = send(network, url, body, options.timeoutMs);
        if (!reply.networkError.isEmpty())
            return fail(QStringLiteral("http"), 0, reply.networkError);
        if (reply.status >= 300 && reply.status < 400 && reply.location.isValid()) {
            if (!sameOrigin(reply.location, authorizeOrConsentUrl))
                return reply.location;
            url = reply.location;
            body = QByteArray();
            continue;
        }
        const QString html = QString::fromUtf8(reply.body);
        const QString step = capture(html, QStringLiteral("data-sim-step=\"([a-z]+)\""));
        if (step.isEmpty())
            return fail(QStringLiteral("http"), 0,
                        QStringLiteral("HTTP %1 without a sign-in page from %2").arg(reply.status).arg(url.path()));
        if (step == QLatin1String("error")) {
            const QString text = capture(html, QStringLiteral("<div id=\"errorCode\">([^<]*)</div>"));
            const QRegularExpressionMatch code = QRegularExpression(QStringLiteral("^AADSTS(\\d+)")).match(text);
            return fail(step, code.hasMatch() ? code.captured(1).toInt() : 0, text);
        }
        if (step == QLatin1String("formpost")) {
            QUrl target(capture(html, QStringLiteral("<form method=\"post\" action=\"([^\"]*)\"")));
            FormFields fields;
            const QRegularExpression input(
                QStringLiteral("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">"));
            for (auto it = input.globalMatch(html); it.hasNext();) {
                const QRegularExpressionMatch m = it.next();
                fields.append({unescapeHtml(m.captured(1)), unescapeHtml(m.captured(2))});
            }
            target.setQuery(QString::fromLatin1(encodeForm(fields)), QUrl::StrictMode);
            return target;
        }
        // An inline error on a step the driver already answered means the simulator refused the input.
        const QString error = capture(html, QStringLiteral("id=\"(?:usernameError|passwordError)\"[^>]*>([^<]*)</div>"));
        if (!error.isEmpty()) {
            const QString code = capture(html, QStringLiteral("data-aadsts=\"(\\d+)\""));
            return fail(step, code.toInt(), error);
        }
        const QString action = capture(html, QStringLiteral("<form method=\"post\" action=\"([^\"]*)\""));
        const QString ctx = capture(html, QStringLiteral("name=\"ctx\" value=\"([^\"]*)\""));
        if (action.isEmpty() || ctx.isEmpty())
            return fail(step, 0, QStringLiteral("the %1 page has no form").arg(step));
        FormFields fields{{QStringLiteral("ctx"), ctx}};
        if (step == QLatin1String("username")) {
            fields.append({QStringLiteral("loginfmt"), upn});
            fields.append({QStringLiteral("sim_action"), QString()});
        } else if (step == QLatin1String("password")) {
            fields.append({QStringLiteral("passwd"), secret});
            fields.append({QStringLiteral("sim_action"), QString()});
        } else if (step == QLatin1String("tap")) {
            if (options.useTemporaryAccessPass) {
                fields.append({QStringLiteral("accesspass"), secret});
                fields.append({QStringLiteral("sim_action"), QString()});
            } else {
                fields.append({QStringLiteral("sim_action"), QStringLiteral("use-password")});
            }
        } else if (step == QLatin1String("kmsi")) {
            fields.append({QStringLiteral("sim_action"), options.staySignedIn ? QString() : QStringLiteral("kmsi-no")});
        } else if (step == QLatin1String("consent")) {
            fields.append({QStringLiteral("sim_action"), options.acceptConsent ? QString() : QStringLiteral("cancel")});
        } else {
            return fail(step, 0, QStringLiteral("unknown sign-in step '%1'").arg(step));
        }
        url = url.resolved(QUrl(action));
        body = encodeForm(fields);
    }
    return fail(QStringLiteral("http"), 0, QStringLiteral("too many pages"));
}

} // namespace stint::entrasim
