// SPDX-License-Identifier: GPL-3.0-or-later
#include "IdentityPages.h"

#include <QFile>
#include <QRegularExpression>

namespace stint::entrasim {

namespace {

// The Qt resource folder that holds pages/ (see CMakeLists.txt).
const QString kResourceRoot = QStringLiteral(":/entra-sim/pages/");

void setCommonHeaders(SimResponse& response, const QString& formTargetOrigin)
{
    QString formAction = QStringLiteral("'self'");
    if (!formTargetOrigin.isEmpty())
        formAction += QLatin1Char(' ') + formTargetOrigin;
    const QString csp = QStringLiteral("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                       "connect-src 'none'; form-action %1; frame-ancestors 'none'; base-uri 'none'")
                            .arg(formAction);
    response.setHeader("Content-Security-Policy", csp.toUtf8());
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setHeader("Cache-Control", "no-store, no-cache");
    response.setHeader("Pragma", "no-cache");
}

} // namespace

QString IdentityPages::assetsPath()
{
    return QStringLiteral("/common/_assets");
}

std::optional<SimResponse> IdentityPages::asset(const QString& name)
{
    QByteArray type;
    if (name == QLatin1String("signin.css"))
        type = "text/css; charset=utf-8";
    else if (name == QLatin1String("signin.js"))
        type = "text/javascript; charset=utf-8";
    else
        return std::nullopt;
    QFile file(kResourceRoot + name);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    SimResponse response;
    response.status = 200;
    response.body = file.readAll();
    response.setHeader("Content-Type", type);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Cache-Control", "no-cache");
    return response;
}

QString IdentityPages::escape(const QString& text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\''), QLatin1String("&#39;"));
}

QString IdentityPages::origin(const QUrl& url)
{
    return url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo)
        .toString(QUrl::FullyEncoded);
}

QString IdentityPages::load(const QString& name)
{
    QFile file(kResourceRoot + name);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("<p>entra-sim: the page template %1 is missing from the resources.</p>").arg(name);
    return QString::fromUtf8(file.readAll());
}

QString IdentityPages::render(const QString& templateText, const QHash<QString, QString>& values)
{
    static const QRegularExpression placeholder(QStringLiteral("\\{\\{([A-Za-z_]+)\\}\\}"));
    QString out;
    out.reserve(templateText.size() + 512);
    qsizetype last = 0;
    auto it = placeholder.globalMatch(templateText);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(templateText).mid(last, m.capturedStart() - last);
        const QString key = m.captured(1);
        const QString value = values.value(key);
        out += key.endsWith(QLatin1String("_html")) ? value : escape(value);
        last = m.capturedEnd();
    }
    out += QStringView(templateText).mid(last);
    return out;
}

SimResponse IdentityPages::page(int status, const QString& title, const QString& step, const QString& fragment,
                                const QHash<QString, QString>& values, const QString& formTargetOrigin)
{
    const QString content = render(load(fragment), values);
    const QString html = render(load(QStringLiteral("layout.html")),
                                {{QStringLiteral("title"), title},
                                 {QStringLiteral("assets"), assetsPath()},
                                 {QStringLiteral("step"), step},
                                 {QStringLiteral("content_html"), content}});
    SimResponse response = SimResponse::html(status, html.toUtf8());
    setCommonHeaders(response, formTargetOrigin);
    return response;
}

SimResponse IdentityPages::errorPage(const AadError& error, const AadTrace& trace)
{
    return page(error.httpStatus >= 400 && error.httpStatus != 401 ? error.httpStatus : 400,
                QStringLiteral("Sign in to your account"), QStringLiteral("error"), QStringLiteral("error.html"),
                {{QStringLiteral("heading"), QStringLiteral("Sorry, but we’re having trouble signing you in.")},
                 {QStringLiteral("code"), QString::number(error.code)},
                 {QStringLiteral("message"), error.message},
                 {QStringLiteral("traceId"), trace.traceId},
                 {QStringLiteral("correlationId"), trace.correlationId},
                 {QStringLiteral("timestamp"), aadTimestamp(trace.now)}});
}

SimResponse IdentityPages::formPost(const QUrl& redirect, const QList<QPair<QString, QString>>& fields)
{
    QString inputs;
    for (const auto& [name, value] : fields)
        inputs += QStringLiteral("    <input type=\"hidden\" name=\"%1\" value=\"%2\">\n").arg(escape(name), escape(value));
    return page(200, QStringLiteral("Working..."), QStringLiteral("formpost"), QStringLiteral("formpost.html"),
                {{QStringLiteral("redirect"), redirect.toString(QUrl::FullyEncoded)},
                 {QStringLiteral("fields_html"), inputs}},
                origin(redirect));
}

QString IdentityPages::errorBlock(const QString& id, int aadstsCode, const QString& text)
{
    return QStringLiteral("    <div id=\"%1\" class=\"error\" role=\"alert\" data-aadsts=\"%2\">%3</div>")
        .arg(escape(id), QString::number(aadstsCode), escape(text));
}

} // namespace stint::entrasim
