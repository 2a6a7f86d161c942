// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/loopback/LoopbackPage.h"

#include <QCryptographicHash>

namespace stint::client {

namespace {

// One stylesheet for every page; the CSP allows exactly this text (by its hash), nothing else.
constexpr char kStyle[]
    = "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;"
      "font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
      "background:#f3f4f6;color:#1f2937}"
      "main{max-width:36rem;margin:2rem;padding:2rem 2.25rem;background:#fff;border-radius:12px;"
      "box-shadow:0 1px 3px rgba(0,0,0,.12);border-top:6px solid #6b7280}"
      "main.success{border-top-color:#15803d}main.problem{border-top-color:#b91c1c}"
      ".brand{margin:0 0 .5rem;font-size:.85rem;font-weight:600;letter-spacing:.08em;text-transform:uppercase;"
      "color:#6b7280}"
      "h1{margin:0 0 .75rem;font-size:1.4rem;line-height:1.3}"
      "p{margin:0 0 1rem}"
      "table{border-collapse:collapse;margin:0 0 1rem;font-size:.9rem}"
      "th{text-align:left;font-weight:600;padding:.15rem 1rem .15rem 0;color:#4b5563}"
      "td{padding:.15rem 0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
      "pre{white-space:pre-wrap;word-break:break-word;background:#f9fafb;border:1px solid #e5e7eb;border-radius:6px;"
      "padding:.75rem;font-size:.8rem;margin:0 0 1rem}"
      ".hint{color:#4b5563;font-size:.9rem;margin:0}"
      "@media (prefers-color-scheme:dark){body{background:#111827;color:#e5e7eb}main{background:#1f2937}"
      "th,.hint,.brand{color:#9ca3af}pre{background:#111827;border-color:#374151}}";

// Long texts from the redirect are cut: the page is for reading, and the browser gave the whole URL already.
constexpr int kMaxDetailChars = 4000;
constexpr int kMaxFactChars = 200;

QByteArray styleHash()
{
    static const QByteArray hash = QCryptographicHash::hash(QByteArray(kStyle), QCryptographicHash::Sha256).toBase64();
    return hash;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Error";
    }
}

QString escaped(const QString& text, int maxChars)
{
    QString cut = text.left(maxChars);
    // Controls other than line breaks and tabs have no business on a page (and NUL would end it in some parsers).
    for (QChar& c : cut) {
        if (c.unicode() < 0x20 && c != QLatin1Char('\n') && c != QLatin1Char('\t'))
            c = QLatin1Char(' ');
    }
    if (text.size() > maxChars)
        cut += QStringLiteral(" …");
    return cut.toHtmlEscaped();
}

QString closeHint()
{
    return LoopbackPage::tr("You can close this browser tab and return to Stint.");
}

} // namespace

QByteArray LoopbackPage::html() const
{
    const char* toneClass = tone == Tone::Success ? "success" : tone == Tone::Problem ? "problem" : "neutral";
    QString out;
    out += QStringLiteral("<!DOCTYPE html>\n<html lang=\"%1\">\n<head>\n<meta charset=\"utf-8\">\n")
               .arg(escaped(tr("en", "the language of the browser pages, as a BCP 47 tag"), 16));
    out += QStringLiteral("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out += QStringLiteral("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out += QStringLiteral("<title>%1 – Stint</title>\n").arg(escaped(title, 200));
    out += QStringLiteral("<style>") + QLatin1String(kStyle) + QStringLiteral("</style>\n</head>\n<body>\n");
    out += QStringLiteral("<main class=\"%1\" id=\"stint-loopback\" data-status=\"%2\">\n")
               .arg(QLatin1String(toneClass))
               .arg(status);
    out += QStringLiteral("<p class=\"brand\">Stint</p>\n");
    out += QStringLiteral("<h1 id=\"title\">%1</h1>\n").arg(escaped(title, 200));
    if (!message.isEmpty())
        out += QStringLiteral("<p id=\"message\">%1</p>\n").arg(escaped(message, kMaxDetailChars));
    if (!facts.isEmpty()) {
        out += QStringLiteral("<table id=\"facts\">\n");
        for (const auto& [name, value] : facts)
            out += QStringLiteral("<tr><th>%1</th><td>%2</td></tr>\n")
                       .arg(escaped(name, kMaxFactChars), escaped(value, kMaxFactChars));
        out += QStringLiteral("</table>\n");
    }
    if (!detail.isEmpty())
        out += QStringLiteral("<pre id=\"detail\">%1</pre>\n").arg(escaped(detail, kMaxDetailChars));
    out += QStringLiteral("<p class=\"hint\">%1</p>\n</main>\n</body>\n</html>\n").arg(escaped(closeHint(), 400));
    return out.toUtf8();
}

QByteArray LoopbackPage::response() const
{
    const QByteArray body = html();
    QByteArray out;
    out.reserve(body.size() + 600);
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    out += "Content-Type: text/html; charset=utf-8\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "Connection: close\r\n";
    out += "Cache-Control: no-store\r\n";
    out += "Pragma: no-cache\r\n";
    out += "Content-Security-Policy: default-src 'none'; style-src 'sha256-" + styleHash()
        + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n";
    out += "X-Content-Type-Options: nosniff\r\n";
    out += "X-Frame-Options: DENY\r\n";
    out += "Referrer-Policy: no-referrer\r\n";
    if (status == 405)
        out += "Allow: GET\r\n";
    out += "\r\n";
    out += body;
    return out;
}

// ---- the flows' pages

LoopbackPage LoopbackPage::connected()
{
    LoopbackPage p;
    p.tone = Tone::Success;
    p.title = tr("Microsoft's answer reached Stint");
    p.message = tr("Stint is now checking the connection to the customer's tenant. The result shows in the Stint "
                   "app in a moment.");
    return p;
}

LoopbackPage LoopbackPage::signedIn(const QString& who)
{
    LoopbackPage p;
    p.tone = Tone::Success;
    p.title = tr("You're signed in to Stint");
    p.message = who.isEmpty() ? tr("The Stint app is signed in.") : tr("The Stint app is signed in as %1.").arg(who);
    return p;
}

LoopbackPage LoopbackPage::received()
{
    LoopbackPage p;
    p.title = tr("Stint received the answer");
    p.message = tr("The Stint app is finishing; it shows the result.");
    return p;
}

LoopbackPage LoopbackPage::refusedByMicrosoft(const QString& error, const QString& description)
{
    LoopbackPage p;
    p.tone = Tone::Problem;
    p.title = tr("Microsoft did not grant access");
    const QString code = aadstsCode(description);
    const QString sentence = firstSentence(description);
    QString what = sentence.isEmpty() ? tr("Microsoft answered with the error “%1”.").arg(error) : sentence;
    if (code == QLatin1String("AADSTS90094"))
        what += QLatin1Char(' ')
            + tr("Sign in as a Global Administrator of the customer's tenant, or ask one to connect it.");
    else if (code == QLatin1String("AADSTS65004") || error == QLatin1String("access_denied"))
        what += QLatin1Char(' ') + tr("Nothing was changed; you can start again from Stint.");
    p.message = what;
    if (!code.isEmpty())
        p.facts.append({tr("Error code"), code});
    if (!error.isEmpty())
        p.facts.append({tr("Error"), error});
    // The whole description holds Microsoft's trace and correlation ids, which its support asks for.
    const QString whole = description.trimmed();
    if (whole.contains(QLatin1Char('\n')) || whole.contains(QLatin1Char('\r')))
        p.detail = whole;
    return p;
}

LoopbackPage LoopbackPage::failed(const QString& message, const QString& code)
{
    LoopbackPage p;
    p.tone = Tone::Problem;
    p.title = tr("Stint could not finish");
    p.message = message.isEmpty() ? tr("Something went wrong. Start again from the Stint app.") : message;
    if (!code.isEmpty())
        p.facts.append({tr("Error code"), code});
    return p;
}

LoopbackPage LoopbackPage::timedOut()
{
    LoopbackPage p;
    p.status = 410;
    p.tone = Tone::Problem;
    p.title = tr("This took too long");
    p.message = tr("Stint stopped waiting for this answer. Start again from the Stint app.");
    return p;
}

LoopbackPage LoopbackPage::cancelled()
{
    LoopbackPage p;
    p.status = 410;
    p.title = tr("Cancelled in Stint");
    p.message = tr("This was cancelled in the Stint app. Start again there if you still want to.");
    return p;
}

// ---- the listener's own answers

LoopbackPage LoopbackPage::stateMismatch()
{
    LoopbackPage p;
    p.status = 400;
    p.tone = Tone::Problem;
    p.title = tr("This answer is not for Stint");
    p.message = tr("The answer does not belong to the request the Stint app made, so Stint ignored it. If you "
                   "started in Stint, finish in the browser window that Stint opened, or start again.");
    return p;
}

LoopbackPage LoopbackPage::alreadyDone()
{
    LoopbackPage p;
    p.status = 409;
    p.title = tr("Already done");
    p.message = tr("Stint already received an answer for this request; this one was ignored.");
    return p;
}

LoopbackPage LoopbackPage::badRequest(int status)
{
    LoopbackPage p;
    p.status = status;
    p.tone = Tone::Problem;
    p.title = tr("Stint could not read this request");
    p.message = tr("The Stint app waits here only for Microsoft's or the Stint service's answer.");
    return p;
}

LoopbackPage LoopbackPage::notFound()
{
    LoopbackPage p = badRequest(404);
    p.title = tr("Nothing here");
    return p;
}

LoopbackPage LoopbackPage::methodNotAllowed()
{
    return badRequest(405);
}

// ---- reading Entra's error_description

QString LoopbackPage::aadstsCode(const QString& description)
{
    const QString text = description.trimmed();
    if (!text.startsWith(QLatin1String("AADSTS")))
        return {};
    qsizetype end = 6;
    while (end < text.size() && end < 6 + 10 && text.at(end).isDigit() && text.at(end).unicode() < 0x80)
        ++end;
    return end > 6 ? text.left(end) : QString();
}

QString LoopbackPage::firstSentence(const QString& description)
{
    QString line = description.trimmed();
    for (qsizetype i = 0; i < line.size(); ++i) {
        if (line.at(i) == QLatin1Char('\r') || line.at(i) == QLatin1Char('\n')) {
            line.truncate(i);
            break;
        }
    }
    const QString code = aadstsCode(line);
    if (!code.isEmpty()) {
        line.remove(0, code.size());
        if (line.startsWith(QLatin1Char(':')))
            line.remove(0, 1);
    }
    return line.trimmed();
}

} // namespace stint::client
