// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QPair>
#include <QString>

// The small pages the loopback listener shows in the browser at the end of a round trip: connected, signed in,
// Microsoft refused (its error_description and the AADSTS code), the answer did not belong to this flow (state),
// too late, already done, and the plain HTTP refusals (400, 404, 405 …).
//
// Each page is one self-contained HTML document: no script, no external resource (the browser is on a loopback
// port the person did not choose, and the URL holds a one-time code), one inline stylesheet allowed by its hash in
// the Content-Security-Policy, every text escaped. The texts are for people (tr(), the app is translated); what a
// program needs to know stays in the flow's Error.
namespace stint::client {

class LoopbackPage
{
    Q_DECLARE_TR_FUNCTIONS(stint::client::LoopbackPage)
public:
    enum class Tone
    {
        Success,
        Problem,
        Neutral,
    };

    int status = 200;
    Tone tone = Tone::Neutral;
    QString title; // the window title and heading
    QString message; // one or two sentences: what happened and what to do now
    // Facts for support, shown as a small table ("Error code" → "AADSTS65004").
    QList<QPair<QString, QString>> facts;
    QString detail; // a longer text shown as-is (Microsoft's whole error_description)

    // The complete HTTP/1.1 response: status line, headers (Content-Type, Content-Length, Connection: close,
    // Cache-Control: no-store, a CSP with the stylesheet's hash, nosniff, no referrer, no framing) and the document.
    QByteArray response() const;
    QByteArray html() const;

    // The flows' pages.
    static LoopbackPage connected();
    static LoopbackPage signedIn(const QString& who);
    static LoopbackPage received(); // the flow took too long to say more
    // Microsoft redirected with an error: `description` is its error_description (AADSTS code first, as Entra writes
    // it), `error` the OAuth error.
    static LoopbackPage refusedByMicrosoft(const QString& error, const QString& description);
    // Stint (the cloud) refused to complete: `message` says why.
    static LoopbackPage failed(const QString& message, const QString& code = {});
    static LoopbackPage timedOut();
    static LoopbackPage cancelled();

    // The listener's own answers.
    static LoopbackPage stateMismatch();
    static LoopbackPage alreadyDone();
    static LoopbackPage badRequest(int status = 400);
    static LoopbackPage notFound();
    static LoopbackPage methodNotAllowed();

    // The AADSTS code at the start of an Entra error_description ("AADSTS65004"), or "".
    static QString aadstsCode(const QString& description);
    // The description's first line without the code ("User declined to consent to access the app.").
    static QString firstSentence(const QString& description);
};

} // namespace stint::client
