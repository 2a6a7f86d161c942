// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/Portals.h"
#include "core/Result.h"
#include "ui/common/UiContext.h"

#include <QHash>
#include <QMessageBox>
#include <QObject>
#include <QPointer>

class QWidget;

// The technician's actions on one checkout — end now, cancel a request, extend, launch a portal — in one place, so
// that a card's buttons and the expiry notification (routed through TechnicianView's slots) behave the same. It asks
// to confirm what cannot be undone (a non-modal message box that names what will happen), runs the call through the
// Workspace (so the answer shows at once), and keeps per checkout what is going on: busy with what, or the last
// outcome (a sentence, good or bad). Cards show that status and follow statusChanged().
namespace stint::ui {

class CheckoutActions : public QObject
{
    Q_OBJECT
public:
    struct Status
    {
        bool busy = false;
        QString text; // "Ending access…", "Extended by 30 min …", or the error said for people
        const char* tone = "neutral"; // "busy" | "good" | "bad" | "neutral"
        QString technical; // the error's code, for the tooltip
    };

    // Confirmations open over `dialogParent`.
    CheckoutActions(UiContext& context, QWidget* dialogParent, QObject* parent = nullptr);

    Status status(const QString& checkoutId) const { return m_status.value(checkoutId); }
    void clearStatus(const QString& checkoutId);

    // Asks to confirm, then ends a ready checkout or withdraws a request (requested, awaiting approval).
    void confirmEnd(const QString& checkoutId);
    // Extends a ready checkout by `minutes` now (no dialog; the card's "Extend…" dialog calls the API itself).
    void extend(const QString& checkoutId, int minutes);
    // Opens `portal` for the checkout's tenant with its account as login_hint. False (with a status) when it cannot.
    bool launch(const QString& checkoutId, client::portals::Portal portal);

    // Records an outcome that happened elsewhere (the extend dialog) so the card says it.
    void setStatus(const QString& checkoutId, const Status& status);

    // The confirmation box open now, if any (tests drive it).
    QMessageBox* openConfirmation() const { return m_confirm; }

signals:
    void statusChanged(const QString& checkoutId);

private:
    void end(const QString& checkoutId);
    void fail(const QString& checkoutId, const QString& what, const Error& error);

    UiContext& m_ctx;
    QPointer<QWidget> m_dialogParent;
    QPointer<QMessageBox> m_confirm;
    QHash<QString, Status> m_status;
};

} // namespace stint::ui
