// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/AlertsPage.h"

#include "client/Workspace.h"
#include "ui/admin/SelectionKeeper.h"
#include "ui/common/EmptyState.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/AlertsModel.h"
#include "ui/models/ApprovalsModel.h"
#include "ui/models/RowSearchProxy.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace stint::ui {

using client::Workspace;

AlertsPage::AlertsPage(UiContext& context, QWidget* parent)
    : AdminPage(context, tr("Alerts"),
                tr("Things Stint could not put right on its own: revocations it could not confirm, accounts found "
                   "out of step, connections that stopped working."),
                parent)
    , m_model(new AlertsModel(context.workspace, this))
    , m_proxy(new RowSearchProxy(this))
{
    setObjectName(QStringLiteral("alertsPage"));
    m_acknowledgeAll = addToolbarButton(tr("Mark all as &seen"), QStringLiteral("acknowledgeAllButton"));
    m_proxy->setSourceModel(m_model);
    addSearchField(m_proxy, tr("Search alerts"), QStringLiteral("alertSearch"));
    m_table = makeTable(m_proxy, QStringLiteral("alertsTable"), tr("Alerts"));
    m_table->sortByColumn(AlertsModel::Raised, Qt::DescendingOrder);
    fitColumns(m_table, AlertsModel::Message, {70, 180, 110, 0, 90});
    m_selection = new SelectionKeeper(m_table);

    auto* card = makeDetailsCard(QStringLiteral("alertDetails"));
    auto* cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(0, 0, 0, 0);
    m_detailsStack = new QStackedWidget(card);
    cardLayout->addWidget(m_detailsStack);
    auto* none = new QLabel(tr("Choose an alert to see it in full."), card);
    none->setAlignment(Qt::AlignCenter);
    style::setRole(none, "muted");
    m_detailsStack->addWidget(none);
    auto* details = new QWidget(card);
    auto* layout = new QVBoxLayout(details);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    m_title = makeValueLabel(QStringLiteral("alertTitle"), details);
    style::setRole(m_title, "subtitle");
    layout->addWidget(m_title);
    m_message = makeValueLabel(QStringLiteral("alertMessage"), details);
    layout->addWidget(m_message);
    m_advice = makeValueLabel(QStringLiteral("alertAdvice"), details);
    layout->addWidget(m_advice);
    m_when = makeValueLabel(QStringLiteral("alertWhen"), details);
    style::setRole(m_when, "muted");
    layout->addWidget(m_when);
    auto* actions = new QHBoxLayout;
    m_open = new QPushButton(details);
    m_open->setObjectName(QStringLiteral("openAlertSubjectButton"));
    m_acknowledge = new QPushButton(tr("Mark as s&een"), details);
    m_acknowledge->setObjectName(QStringLiteral("acknowledgeButton"));
    actions->addWidget(m_open);
    actions->addWidget(m_acknowledge);
    actions->addStretch(1);
    layout->addLayout(actions);
    layout->addStretch(1);
    m_detailsStack->addWidget(details);

    m_stack = new QStackedWidget(this);
    auto* empty = new EmptyState(this);
    empty->setContent(tr("All clear"),
                      tr("Revocations Stint cannot confirm, accounts found out of step and unhealthy "
                         "connections show up here."));
    m_stack->addWidget(empty);
    m_stack->addWidget(sideBySide(m_table, card));
    content()->addWidget(m_stack, 1);
    auto updateEmpty = [this]() {
        m_stack->setCurrentIndex(m_model->rowCount() == 0 ? 0 : 1);
        m_acknowledgeAll->setEnabled(m_model->unacknowledged() > 0);
    };
    connect(m_model, &QAbstractItemModel::modelReset, this, updateEmpty);
    connect(m_model, &QAbstractItemModel::dataChanged, this, updateEmpty);
    updateEmpty();

    connect(m_acknowledge, &QPushButton::clicked, this, &AlertsPage::acknowledge);
    connect(m_acknowledgeAll, &QPushButton::clicked, this, &AlertsPage::acknowledgeAll);
    connect(m_open, &QPushButton::clicked, this, [this]() {
        const auto* a = m_model->find(currentAlertId());
        if (!a)
            return;
        if (!a->checkoutId.isEmpty() && workspace().checkout(a->checkoutId))
            emit openCheckout(a->checkoutId);
        else if (!a->tenantId.isEmpty())
            emit openTenant(a->tenantId);
    });
    connect(m_table, &QTableView::activated, m_open, &QPushButton::click);
    connect(m_selection, &SelectionKeeper::currentChanged, this, &AlertsPage::showDetails);
    connect(m_selection, &SelectionKeeper::currentUpdated, this, &AlertsPage::showDetails);
    showDetails();
}

QString AlertsPage::currentAlertId() const
{
    return m_selection->currentId();
}

void AlertsPage::tick()
{
    m_model->refreshTimes();
}

void AlertsPage::showDetails()
{
    const Workspace::Alert* a = m_model->find(currentAlertId());
    if (!a) {
        m_detailsStack->setCurrentIndex(0);
        return;
    }
    m_detailsStack->setCurrentIndex(1);
    const QString tenant = a->tenantId.isEmpty() ? QString() : ApprovalsModel::tenantName(workspace(), a->tenantId);
    m_title->setText(tenant.isEmpty() ? AlertsModel::kindText(a->kind)
                                      : tr("%1: %2").arg(AlertsModel::kindText(a->kind), tenant));
    m_message->setText(a->message.isEmpty() ? tr("No details were given.") : a->message);
    m_when->setText(tr("Raised %1.").arg(TimeText::when(a->raisedAt, workspace().serverNow())));
    QString advice;
    if (a->kind == QLatin1String("revoke_failed"))
        advice = tr("What to do: Stint keeps trying. Meanwhile, check the account in the tenant's Entra admin center "
                    "and disable it by hand if it still has access.");
    else if (a->kind == QLatin1String("drift"))
        advice = tr("What to do: Stint has revoked what it found. Look in the audit log for who or what enabled the "
                    "account outside Stint.");
    else
        advice = tr("What to do: open the tenant and follow its health findings, then press Check now.");
    m_advice->setText(advice);
    const bool toCheckout = !a->checkoutId.isEmpty() && workspace().checkout(a->checkoutId);
    m_open->setText(toCheckout ? tr("&Open checkout") : tr("&Open tenant"));
    m_open->setEnabled(toCheckout || !a->tenantId.isEmpty());
    m_acknowledge->setEnabled(!a->acknowledged);
}

void AlertsPage::acknowledge()
{
    const QString id = currentAlertId();
    if (!id.isEmpty())
        workspace().acknowledgeAlert(id);
}

void AlertsPage::acknowledgeAll()
{
    for (const Workspace::Alert& a : workspace().alerts()) {
        if (!a.acknowledged)
            workspace().acknowledgeAlert(a.id);
    }
}

} // namespace stint::ui
