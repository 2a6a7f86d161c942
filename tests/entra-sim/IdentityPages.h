// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "IdentityErrors.h"
#include "SimHttp.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QUrl>

// The sign-in and consent pages (pages/*.html, compiled into the simulator as Qt resources). A page is the layout
// around one step's fragment; `{{name}}` placeholders take HTML-escaped values, `{{name_html}}` ones take markup
// built here. Every page goes out with a strict CSP: scripts and styles only from the simulator itself, forms only
// to the simulator and to the one redirect origin of the flow (Chromium applies form-action to the redirect that
// follows a form post).
namespace stint::entrasim {

class IdentityPages
{
public:
    // Where signin.css and signin.js are served ("/common/_assets").
    static QString assetsPath();
    // Answers GET {assetsPath()}/<name> for the two assets; std::nullopt for anything else.
    static std::optional<SimResponse> asset(const QString& name);

    // `step` is written into the page (data-sim-step) for tests and the HTTP driver: username, password, tap, kmsi,
    // consent, error, formpost.
    static SimResponse page(int status, const QString& title, const QString& step, const QString& fragment,
                            const QHash<QString, QString>& values, const QString& formTargetOrigin = {});

    // An error page (no redirect): unknown app, unregistered redirect URI, expired flow.
    static SimResponse errorPage(const AadError& error, const AadTrace& trace);
    // response_mode=form_post: a page that posts `fields` to `redirect`.
    static SimResponse formPost(const QUrl& redirect, const QList<QPair<QString, QString>>& fields);

    // The inline error of a step: <div id="usernameError"|"passwordError" …>text</div>, carrying the AADSTS code
    // in data-aadsts so tests and the driver can tell the reasons apart.
    static QString errorBlock(const QString& id, int aadstsCode, const QString& text);

    static QString escape(const QString& text);
    static QString origin(const QUrl& url); // "http://127.0.0.1:5000"

private:
    static QString render(const QString& templateText, const QHash<QString, QString>& values);
    static QString load(const QString& name);
};

} // namespace stint::entrasim
