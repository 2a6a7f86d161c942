// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/ApprovalsPage.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/SelectionKeeper.h"
#include "ui/common/EmptyState.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/ApprovalsModel.h"
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

ApprovalsPage::ApprovalsPage(UiContext& context, QWidget* parent)
    : AdminPage(context, tr("Approvals"),
                tr("Requests whose policy asks an admin to approve them. The technician waits until you decide."),
                parent)
    , m_model(new ApprovalsModel(context.workspace, this))
    , m_proxy(new RowSearchProxy(this))
{
    setObjectName(QStringLiteral("approvalsPage"));
    m_proxy->setSourceModel(m_model);
    addSearchField(m_proxy, tr("Search technicians, tenants, tickets"), QStringLiteral("approvalSearch"));
    m_table = makeTable(m_proxy, QStringLiteral("approvalsTable"), tr("Requests waiting for approval"));
    m_table->sortByColumn(ApprovalsModel::Waiting, Qt::AscendingOrder);
    fitColumns(m_table, ApprovalsModel::Roles, {150, 120, 0, 60, 100});
    m_selection = new SelectionKeeper(m_table);

    auto* card = makeDetailsCard(QStringLiteral("approvalDetails"));
    auto* cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(0, 0, 0, 0);
    m_detailsStack = new QStackedWidget(card);
    cardLayout->addWidget(m_detailsStack);
    auto* none = new QLabel(tr("Choose a request to decide it."), card);
    none->setAlignment(Qt::AlignCenter);
    style::setRole(none, "muted");
    m_detailsStack->addWidget(none);
    auto* details = new QWidget(card);
    auto* layout = new QVBoxLayout(details);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    m_title = makeValueLabel(QStringLiteral("approvalTitle"), details);
    style::setRole(m_title, "subtitle");
    layout->addWidget(m_title);
    m_facts = makeValueLabel(QStringLiteral("approvalFacts"), details);
    layout->addWidget(m_facts);
    m_justification = makeValueLabel(QStringLiteral("approvalJustification"), details);
    layout->addWidget(m_justification);
    m_waiting = makeValueLabel(QStringLiteral("approvalWaiting"), details);
    style::setRole(m_waiting, "muted");
    layout->addWidget(m_waiting);
    m_own = makeValueLabel(QStringLiteral("approvalOwnNote"), details);
    style::setRole(m_own, "muted");
    m_own->setText(tr("This is your own request: another admin decides it."));
    layout->addWidget(m_own);
    auto* commentLabel = new QLabel(tr("Co&mment for the technician (optional)"), details);
    m_comment = new QLineEdit(details);
    m_comment->setObjectName(QStringLiteral("approvalCommentEdit"));
    m_comment->setMaxLength(500);
    m_comment->setAccessibleName(tr("Comment for the technician"));
    commentLabel->setBuddy(m_comment);
    layout->addWidget(commentLabel);
    layout->addWidget(m_comment);
    auto* actions = new QHBoxLayout;
    m_approve = new QPushButton(tr("&Approve"), details);
    m_approve->setObjectName(QStringLiteral("approveButton"));
    style::setRole(m_approve, "primary");
    m_deny = new QPushButton(tr("&Deny…"), details);
    m_deny->setObjectName(QStringLiteral("denyButton"));
    style::setRole(m_deny, "danger");
    actions->addWidget(m_approve);
    actions->addWidget(m_deny);
    actions->addStretch(1);
    layout->addLayout(actions);
    m_actionStatus = new ActionStatus(details);
    m_actionStatus->setObjectName(QStringLiteral("approvalActionStatus"));
    layout->addWidget(m_actionStatus);
    layout->addStretch(1);
    m_detailsStack->addWidget(details);

    m_stack = new QStackedWidget(this);
    m_empty = new EmptyState(this);
    m_empty->setContent(tr("Nothing waiting"),
                        tr("Requests that need an admin's approval appear here, and Stint tells you when one "
                           "arrives."));
    m_stack->addWidget(m_empty);
    m_stack->addWidget(sideBySide(m_table, card));
    content()->addWidget(m_stack, 1);

    connect(m_approve, &QPushButton::clicked, this, &ApprovalsPage::approve);
    connect(m_deny, &QPushButton::clicked, this, &ApprovalsPage::deny);
    connect(m_comment, &QLineEdit::returnPressed, this, &ApprovalsPage::approve);
    connect(m_selection, &SelectionKeeper::currentChanged, this, &ApprovalsPage::showDetails);
    connect(m_selection, &SelectionKeeper::currentUpdated, this, &ApprovalsPage::showDetails);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ApprovalsPage::updateEmpty);
    updateEmpty();
    showDetails();
}

QString ApprovalsPage::currentCheckoutId() const
{
    return m_selection->currentId();
}

int ApprovalsPage::waitingForMe() const
{
    return m_model->decidableCount();
}

void ApprovalsPage::showApproval(const QString& checkoutId)
{
    if (!m_selection->select(checkoutId)) {
        if (auto* search = findChild<QLineEdit*>(QStringLiteral("approvalSearch")))
            search->clear();
        m_selection->select(checkoutId);
    }
    m_comment->setFocus(Qt::OtherFocusReason);
}

void ApprovalsPage::updateEmpty()
{
    m_stack->setCurrentIndex(m_model->rowCount() == 0 ? 0 : 1);
    if (m_model->rowCount() > 0 && currentCheckoutId().isEmpty() && m_proxy->rowCount() > 0)
        m_table->selectRow(0);
}

void ApprovalsPage::tick()
{
    m_model->refreshTimes();
    updateTimes();
}

void ApprovalsPage::showDetails()
{
    const QString id = currentCheckoutId();
    const models::Checkout* c = m_model->find(id);
    if (!c) {
        m_detailsStack->setCurrentIndex(0);
        return;
    }
    m_detailsStack->setCurrentIndex(1);
    const Workspace& ws = workspace();
    const QString who = ws.personName(c->technicianId);
    const QString tenant = ApprovalsModel::tenantName(ws, c->tenantId);
    m_title->setText(tr("%1 asks for access to %2").arg(who, tenant));
    QStringList facts;
    if (const models::Person* p = ws.person(c->technicianId))
        facts << p->email;
    facts << tr("Roles: %1").arg(ApprovalsModel::roleNames(ws, *c));
    facts << tr("For %1").arg(TimeText::minutes(c->durationMinutes));
    if (!c->ticket.isEmpty())
        facts << tr("Ticket: %1").arg(c->ticket);
    m_facts->setText(facts.join(QLatin1Char('\n')));
    m_justification->setText(c->justification.isEmpty() ? tr("No justification given.")
                                                        : tr("Why: %1").arg(c->justification));
    const bool mine = ws.me() && ws.me()->person.id == c->technicianId;
    m_own->setVisible(mine);
    m_approve->setEnabled(!mine);
    m_deny->setEnabled(!mine);
    m_comment->setEnabled(!mine);
    updateTimes();
}

void ApprovalsPage::updateTimes()
{
    const models::Checkout* c = m_model->find(currentCheckoutId());
    if (!c)
        return;
    const TimeMs now = workspace().serverNow();
    QString text
        = tr("Asked %1 (%2).").arg(TimeText::relative(c->requestedAt, now), TimeText::when(c->requestedAt, now));
    if (c->nextActionAt && *c->nextActionAt > now)
        text += QLatin1Char(' ')
            + tr("Unless decided within %1, the request lapses.").arg(TimeText::countdown(*c->nextActionAt - now));
    m_waiting->setText(text);
}

void ApprovalsPage::approve()
{
    const models::Checkout* c = m_model->find(currentCheckoutId());
    if (!c || !m_approve->isEnabled())
        return;
    const QString id = c->id;
    const QString who = workspace().personName(c->technicianId);
    const QString tenant = ApprovalsModel::tenantName(workspace(), c->tenantId);
    m_approve->setEnabled(false);
    m_deny->setEnabled(false);
    m_actionStatus->busy(tr("Approving…"));
    workspace()
        .track(workspace().api().approve(id, m_comment->text().trimmed()))
        .then(this, [this, who, tenant](const Result<models::Checkout>& r) {
            m_approve->setEnabled(true);
            m_deny->setEnabled(true);
            if (!r.ok()) {
                m_actionStatus->failed(r.error());
                return;
            }
            m_comment->clear();
            m_actionStatus->clear();
            status()->succeeded(tr("Approved: Stint is preparing %1's access to %2.").arg(who, tenant));
        });
}

void ApprovalsPage::deny()
{
    const models::Checkout* c = m_model->find(currentCheckoutId());
    if (!c || !m_deny->isEnabled())
        return;
    const QString id = c->id;
    const QString who = workspace().personName(c->technicianId);
    const QString tenant = ApprovalsModel::tenantName(workspace(), c->tenantId);
    auto* dialog = new ConfirmDialog(this, tr("Deny %1's request?").arg(who),
                                     tr("%1 does not get access to %2, and sees your comment.").arg(who, tenant),
                                     tr("Deny"), ConfirmDialog::Reason::Optional, tr("&Comment for %1").arg(who));
    if (auto* reason = dialog->findChild<QLineEdit*>(QStringLiteral("reasonEdit")))
        reason->setText(m_comment->text());
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, id, who](const QString& reason) {
        dialog->busy(tr("Denying…"));
        workspace()
            .track(workspace().api().deny(id, reason))
            .then(dialog, [this, dialog, who](const Result<models::Checkout>& r) {
                if (!r.ok()) {
                    dialog->failed(r.error());
                    return;
                }
                dialog->finish();
                m_comment->clear();
                status()->succeeded(tr("Denied. %1 has been told.").arg(who));
            });
    });
    dialog->open();
}

} // namespace stint::ui
