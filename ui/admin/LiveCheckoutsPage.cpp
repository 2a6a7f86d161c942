// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/LiveCheckoutsPage.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/SelectionKeeper.h"
#include "ui/common/EmptyState.h"
#include "ui/common/StatusChip.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/ApprovalsModel.h"
#include "ui/models/LiveCheckoutsModel.h"
#include "ui/models/RowSearchProxy.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace stint::ui {

using client::Workspace;
using models::CheckoutState;

LiveCheckoutsPage::LiveCheckoutsPage(UiContext& context, QWidget* parent)
    : AdminPage(context, tr("Live checkouts"),
                tr("Who has administrator access in which customer tenant right now, and for how long. Revoke ends "
                   "it at once."),
                parent)
    , m_model(new LiveCheckoutsModel(context.workspace, this))
    , m_proxy(new RowSearchProxy(this))
{
    setObjectName(QStringLiteral("liveCheckoutsPage"));
    m_proxy->setSourceModel(m_model);
    addSearchField(m_proxy, tr("Search technicians, tenants, accounts"), QStringLiteral("liveSearch"));
    m_table = makeTable(m_proxy, QStringLiteral("liveCheckoutsTable"), tr("Live checkouts"));
    m_table->sortByColumn(LiveCheckoutsModel::Remaining, Qt::AscendingOrder);
    fitColumns(m_table, LiveCheckoutsModel::Roles, {130, 110, 160, 0, 75, 0});
    // The account is in the details; the table keeps to what fits.
    m_table->setColumnHidden(LiveCheckoutsModel::Account, true);
    m_selection = new SelectionKeeper(m_table);

    auto* card = makeDetailsCard(QStringLiteral("checkoutDetails"));
    auto* cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(0, 0, 0, 0);
    m_detailsStack = new QStackedWidget(card);
    cardLayout->addWidget(m_detailsStack);
    auto* none = new QLabel(tr("Choose a checkout to see it, or revoke it."), card);
    none->setAlignment(Qt::AlignCenter);
    style::setRole(none, "muted");
    m_detailsStack->addWidget(none);
    auto* details = new QWidget(card);
    auto* layout = new QVBoxLayout(details);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* head = new QHBoxLayout;
    m_title = makeValueLabel(QStringLiteral("checkoutTitle"), details);
    style::setRole(m_title, "subtitle");
    m_chip = new StatusChip(details);
    m_chip->setObjectName(QStringLiteral("checkoutStateChip"));
    head->addWidget(m_title, 1);
    head->addWidget(m_chip, 0, Qt::AlignTop);
    layout->addLayout(head);
    m_remaining = makeValueLabel(QStringLiteral("remainingLabel"), details);
    style::setRole(m_remaining, "title");
    layout->addWidget(m_remaining);
    m_facts = makeValueLabel(QStringLiteral("checkoutFacts"), details);
    layout->addWidget(m_facts);
    m_reason = makeValueLabel(QStringLiteral("checkoutReason"), details);
    style::setRole(m_reason, "danger");
    layout->addWidget(m_reason);
    m_offline = makeValueLabel(QStringLiteral("offlineNote"), details);
    style::setRole(m_offline, "muted");
    m_offline->setText(tr("Offline: the time counts down from what Stint last knew; the checkout may have changed."));
    layout->addWidget(m_offline);
    auto* actions = new QHBoxLayout;
    m_revoke = new QPushButton(tr("&Revoke…"), details);
    m_revoke->setObjectName(QStringLiteral("revokeButton"));
    style::setRole(m_revoke, "danger");
    actions->addWidget(m_revoke);
    actions->addStretch(1);
    layout->addLayout(actions);
    m_actionStatus = new ActionStatus(details);
    m_actionStatus->setObjectName(QStringLiteral("checkoutActionStatus"));
    layout->addWidget(m_actionStatus);
    layout->addStretch(1);
    m_detailsStack->addWidget(details);

    m_stack = new QStackedWidget(this);
    auto* empty = new EmptyState(this);
    empty->setContent(tr("Nobody has access right now"),
                      tr("When a technician checks out access to a tenant, it shows here with the time left."));
    m_stack->addWidget(empty);
    m_stack->addWidget(sideBySide(m_table, card));
    content()->addWidget(m_stack, 1);

    connect(m_revoke, &QPushButton::clicked, this, &LiveCheckoutsPage::revoke);
    connect(m_selection, &SelectionKeeper::currentChanged, this, &LiveCheckoutsPage::showDetails);
    connect(m_selection, &SelectionKeeper::currentUpdated, this, &LiveCheckoutsPage::showDetails);
    connect(m_model, &QAbstractItemModel::modelReset, this, &LiveCheckoutsPage::updateEmpty);
    connect(&workspace(), &Workspace::linkChanged, this, &LiveCheckoutsPage::showDetails);
    updateEmpty();
    showDetails();
}

QString LiveCheckoutsPage::currentCheckoutId() const
{
    return m_selection->currentId();
}

void LiveCheckoutsPage::showCheckout(const QString& checkoutId)
{
    if (!m_selection->select(checkoutId)) {
        if (auto* search = findChild<QLineEdit*>(QStringLiteral("liveSearch")))
            search->clear();
        m_selection->select(checkoutId);
    }
}

void LiveCheckoutsPage::updateEmpty()
{
    m_stack->setCurrentIndex(m_model->rowCount() == 0 ? 0 : 1);
    if (m_model->rowCount() > 0 && currentCheckoutId().isEmpty() && m_proxy->rowCount() > 0)
        m_table->selectRow(0);
}

void LiveCheckoutsPage::tick()
{
    m_model->refreshTimes();
    updateRemaining();
}

void LiveCheckoutsPage::showDetails()
{
    const models::Checkout* c = m_model->find(currentCheckoutId());
    if (!c) {
        m_detailsStack->setCurrentIndex(0);
        return;
    }
    m_detailsStack->setCurrentIndex(1);
    const Workspace& ws = workspace();
    const QString who = ws.personName(c->technicianId);
    const QString tenant = ApprovalsModel::tenantName(ws, c->tenantId);
    m_title->setText(tr("%1 in %2").arg(who, tenant));
    m_chip->showCheckoutState(c->state);
    const TimeMs now = ws.serverNow();
    QStringList facts;
    facts << tr("Roles: %1").arg(ApprovalsModel::roleNames(ws, *c));
    if (c->accountUpn)
        facts << tr("Account: %1").arg(*c->accountUpn);
    if (c->readyAt)
        facts << tr("Access since %1").arg(TimeText::when(*c->readyAt, now));
    if (c->expiresAt)
        facts << tr("Ends %1").arg(TimeText::when(*c->expiresAt, now));
    if (!c->ticket.isEmpty())
        facts << tr("Ticket: %1").arg(c->ticket);
    if (!c->justification.isEmpty())
        facts << tr("Why: %1").arg(c->justification);
    if (c->decidedBy)
        facts << tr("Approved by %1").arg(ws.personName(*c->decidedBy));
    m_facts->setText(facts.join(QLatin1Char('\n')));
    QString reason;
    if (c->state == CheckoutState::RevokeFailed)
        reason = tr("Stint could not confirm that the access was taken away%1. It keeps trying; check the tenant.")
                     .arg(c->stateReason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(c->stateReason));
    else if (c->attempts > 1 && !c->stateReason.isEmpty())
        reason = tr("Retrying (attempt %1): %2").arg(c->attempts).arg(c->stateReason);
    m_reason->setText(reason);
    m_reason->setVisible(!reason.isEmpty());
    m_offline->setVisible(ws.link() == Workspace::Link::Offline);
    m_revoke->setEnabled(c->state == CheckoutState::Provisioning || c->state == CheckoutState::Ready);
    updateRemaining();
}

void LiveCheckoutsPage::updateRemaining()
{
    const models::Checkout* c = m_model->find(currentCheckoutId());
    if (!c)
        return;
    const QString text = m_model->remainingText(*c);
    if (text.isEmpty()) {
        m_remaining->setText(c->state == CheckoutState::Provisioning ? tr("Preparing…") : QString());
        m_remaining->setAccessibleName({});
    } else {
        m_remaining->setText(tr("%1 left").arg(text));
        m_remaining->setAccessibleName(tr("%1 left").arg(text));
    }
}

void LiveCheckoutsPage::revoke()
{
    const models::Checkout* c = m_model->find(currentCheckoutId());
    if (!c || !m_revoke->isEnabled())
        return;
    const QString id = c->id;
    const QString who = workspace().personName(c->technicianId);
    const QString tenant = ApprovalsModel::tenantName(workspace(), c->tenantId);
    auto* dialog = new ConfirmDialog(
        this, tr("Revoke %1's access to %2?").arg(who, tenant),
        tr("%1 loses administrator access to %2 now: Stint removes the account's roles, ends its sign-in sessions and "
           "disables it. The reason goes into the audit log and to %1.")
            .arg(who, tenant),
        tr("Revoke access"), ConfirmDialog::Reason::Required, tr("&Why (required)"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, id, who, tenant](const QString& reason) {
        dialog->busy(tr("Revoking…"));
        workspace()
            .track(workspace().api().revoke(id, reason))
            .then(dialog, [this, dialog, who, tenant](const Result<models::Checkout>& r) {
                if (!r.ok()) {
                    dialog->failed(r.error());
                    return;
                }
                dialog->finish();
                m_actionStatus->succeeded(tr("Revoking %1's access to %2…").arg(who, tenant));
            });
    });
    dialog->open();
}

} // namespace stint::ui
