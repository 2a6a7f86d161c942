// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/CheckoutActions.h"

#include "client/ApiError.h"
#include "client/Workspace.h"
#include "ui/common/Desktop.h"
#include "ui/common/ErrorText.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"

#include <QLoggingCategory>
#include <QMessageBox>
#include <QPushButton>

Q_LOGGING_CATEGORY(lcCheckoutActions, "stint.ui.checkoutactions")

namespace stint::ui {

using models::CheckoutState;
namespace portals = client::portals;

namespace {
bool isRequest(CheckoutState s)
{
    return s == CheckoutState::Requested || s == CheckoutState::AwaitingApproval;
}
} // namespace

CheckoutActions::CheckoutActions(UiContext& context, QWidget* dialogParent, QObject* parent)
    : QObject(parent)
    , m_ctx(context)
    , m_dialogParent(dialogParent)
{
    // An outcome belongs to the state it was about: when the checkout moves on, the card's chip says the rest.
    connect(&m_ctx.workspace, &client::Workspace::checkoutChanged, this,
            [this](const models::Checkout& c, const QString& previous) {
                const auto it = m_status.constFind(c.id);
                if (it != m_status.constEnd() && !it->busy && previous != models::toString(c.state))
                    clearStatus(c.id);
            });
}

void CheckoutActions::setStatus(const QString& checkoutId, const Status& status)
{
    m_status.insert(checkoutId, status);
    emit statusChanged(checkoutId);
}

void CheckoutActions::clearStatus(const QString& checkoutId)
{
    if (m_status.remove(checkoutId))
        emit statusChanged(checkoutId);
}

void CheckoutActions::fail(const QString& checkoutId, const QString& what, const Error& error)
{
    qCInfo(lcCheckoutActions) << what << "failed for" << checkoutId << ":" << error.code;
    setStatus(
        checkoutId,
        {false, QStringLiteral("%1 %2").arg(what, ErrorText::describe(error)), "bad", ErrorText::technical(error)});
}

void CheckoutActions::confirmEnd(const QString& checkoutId)
{
    const models::Checkout* c = m_ctx.workspace.checkout(checkoutId);
    if (!c || status(checkoutId).busy)
        return;
    const bool request = isRequest(c->state);
    if (!request && c->state != CheckoutState::Ready) {
        setStatus(checkoutId, {false, tr("This access is not live any more: there is nothing to end."), "neutral", {}});
        return;
    }
    const models::Tenant* tenant = m_ctx.workspace.tenant(c->tenantId);
    const QString tenantName = tenant ? tenant->name : c->tenantId;
    if (m_confirm)
        m_confirm->close();

    auto* box = new QMessageBox(m_dialogParent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(request ? QStringLiteral("confirmCancelDialog") : QStringLiteral("confirmEndDialog"));
    box->setIcon(QMessageBox::Warning);
    box->setWindowTitle(request ? tr("Withdraw request") : tr("End access"));
    if (request) {
        box->setText(tr("Withdraw your request for access to %1?").arg(tenantName));
        box->setInformativeText(tr("Nothing has been granted yet. You can ask again later."));
    } else {
        box->setText(tr("End your access to %1 now?").arg(tenantName));
        box->setInformativeText(
            tr("Stint takes the roles away from %1, disables the account and forgets its credential. Anything you "
               "are signed in to with it stops working. You can request access again later.")
                .arg(c->accountUpn.value_or(tr("your account"))));
    }
    QPushButton* confirm
        = box->addButton(request ? tr("&Withdraw request") : tr("&End access"), QMessageBox::DestructiveRole);
    confirm->setObjectName(QStringLiteral("confirmButton"));
    style::setRole(confirm, "danger");
    QPushButton* keep = box->addButton(request ? tr("&Keep request") : tr("&Keep access"), QMessageBox::RejectRole);
    keep->setObjectName(QStringLiteral("keepButton"));
    box->setDefaultButton(keep); // Enter does the harmless thing; Esc too
    box->setEscapeButton(keep);
    connect(box, &QMessageBox::finished, this, [this, box, confirm, checkoutId](int) {
        if (box->clickedButton() == confirm)
            end(checkoutId);
    });
    m_confirm = box;
    box->open();
}

void CheckoutActions::end(const QString& checkoutId)
{
    const models::Checkout* c = m_ctx.workspace.checkout(checkoutId);
    if (!c)
        return;
    // Looked at again: it may have moved on while the confirmation was open (expired, revoked by an admin).
    const bool request = isRequest(c->state);
    if (!request && c->state != CheckoutState::Ready) {
        setStatus(checkoutId, {false, tr("It had already ended."), "neutral", {}});
        return;
    }
    client::CloudApi& api = m_ctx.workspace.api();
    setStatus(checkoutId, {true, request ? tr("Withdrawing the request…") : tr("Ending access…"), "busy", {}});
    const QString what = request ? tr("The request was not withdrawn.") : tr("Access was not ended.");
    m_ctx.workspace.track(request ? api.cancel(checkoutId) : api.end(checkoutId))
        .then(this, [this, checkoutId, what](const Result<models::Checkout>& r) {
            if (!r.ok())
                return fail(checkoutId, what, r.error());
            clearStatus(checkoutId);
        });
}

void CheckoutActions::extend(const QString& checkoutId, int minutes)
{
    const models::Checkout* c = m_ctx.workspace.checkout(checkoutId);
    if (!c || status(checkoutId).busy)
        return;
    if (c->state != CheckoutState::Ready) {
        setStatus(checkoutId, {false, tr("Only ready access can be extended."), "neutral", {}});
        return;
    }
    if (minutes <= 0) {
        setStatus(
            checkoutId,
            {false, tr("Not extended: this access already lasts as long as your access policy allows."), "bad", {}});
        return;
    }
    setStatus(checkoutId, {true, tr("Extending by %1…").arg(TimeText::minutes(minutes)), "busy", {}});
    m_ctx.workspace.track(m_ctx.workspace.api().extend(checkoutId, minutes))
        .then(this, [this, checkoutId, minutes](const Result<models::Checkout>& r) {
            if (!r.ok()) {
                const QString field = client::errors::fieldErrors(r.error()).value(QStringLiteral("minutes"));
                if (!field.isEmpty())
                    return setStatus(checkoutId,
                                     {false, tr("Not extended: the access policy says it %1.").arg(field), "bad",
                                      ErrorText::technical(r.error())});
                return fail(checkoutId, tr("Not extended."), r.error());
            }
            const TimeMs now = m_ctx.workspace.serverNow();
            setStatus(checkoutId,
                      {false,
                       r->expiresAt ? tr("Extended by %1. Access now ends at %2.")
                                          .arg(TimeText::minutes(minutes), TimeText::when(*r->expiresAt, now))
                                    : tr("Extended by %1.").arg(TimeText::minutes(minutes)),
                       "good",
                       {}});
        });
}

bool CheckoutActions::launch(const QString& checkoutId, portals::Portal portal)
{
    const models::Checkout* c = m_ctx.workspace.checkout(checkoutId);
    if (!c)
        return false;
    if (c->state != CheckoutState::Ready) {
        setStatus(checkoutId, {false, tr("Admin portals open once your access is ready."), "neutral", {}});
        return false;
    }
    portals::Target target;
    if (const models::Tenant* tenant = m_ctx.workspace.tenant(c->tenantId))
        target = portals::Target::forCheckout(*tenant, *c);
    else
        target.loginHint = c->accountUpn.value_or(QString());
    const portals::Link link = portals::link(portal, target);
    if (!m_ctx.desktop.openUrl(link.url)) {
        m_ctx.desktop.copyText(link.url.toString(QUrl::FullyEncoded));
        setStatus(checkoutId,
                  {false,
                   tr("Stint could not open your web browser. The link to the %1 was copied instead: paste it into "
                      "your browser.")
                       .arg(portals::displayName(portal)),
                   "bad",
                   {}});
        return false;
    }
    setStatus(
        checkoutId,
        {false,
         target.loginHint.isEmpty()
             ? tr("Opened the %1 in your browser.").arg(portals::displayName(portal))
             : tr("Opened the %1 in your browser. Sign in as %2.").arg(portals::displayName(portal), target.loginHint),
         "good",
         {}});
    return true;
}

} // namespace stint::ui
