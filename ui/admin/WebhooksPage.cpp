// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/WebhooksPage.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/SelectionKeeper.h"
#include "ui/admin/WebhookDialog.h"
#include "ui/common/EmptyState.h"
#include "ui/common/ErrorText.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/DeliveriesModel.h"
#include "ui/models/RowSearchProxy.h"
#include "ui/models/WebhooksModel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace stint::ui {

using client::Workspace;

WebhooksPage::WebhooksPage(UiContext& context, QWidget* parent)
    : AdminPage(context, tr("Webhooks"),
                tr("Stint posts checkout, alert and connection events to these addresses as they happen: your PSA, "
                   "chat or SIEM."),
                parent)
    , m_model(new WebhooksModel(context.workspace, this))
    , m_proxy(new RowSearchProxy(this))
    , m_deliveries(new DeliveriesModel(context.workspace, this))
{
    setObjectName(QStringLiteral("webhooksPage"));
    auto* add = addToolbarButton(tr("&Add webhook…"), QStringLiteral("addWebhookButton"), "primary");
    m_proxy->setSourceModel(m_model);
    addSearchField(m_proxy, tr("Search webhooks"), QStringLiteral("webhookSearch"));
    m_table = makeTable(m_proxy, QStringLiteral("webhooksTable"), tr("Webhooks"));
    m_table->sortByColumn(WebhooksModel::Url, Qt::AscendingOrder);
    fitColumns(m_table, WebhooksModel::Url, {0, 130, 70, 120});
    m_selection = new SelectionKeeper(m_table);

    auto* card = makeDetailsCard(QStringLiteral("webhookDetails"));
    auto* cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(0, 0, 0, 0);
    m_detailsStack = new QStackedWidget(card);
    cardLayout->addWidget(m_detailsStack);
    auto* none = new QLabel(tr("Choose a webhook to see its deliveries."), card);
    none->setAlignment(Qt::AlignCenter);
    style::setRole(none, "muted");
    m_detailsStack->addWidget(none);
    auto* details = new QWidget(card);
    auto* layout = new QVBoxLayout(details);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    m_url = makeValueLabel(QStringLiteral("webhookUrl"), details);
    style::setRole(m_url, "subtitle");
    layout->addWidget(m_url);
    m_facts = makeValueLabel(QStringLiteral("webhookFacts"), details);
    layout->addWidget(m_facts);
    auto* actions = new QHBoxLayout;
    m_toggle = new QPushButton(details);
    m_toggle->setObjectName(QStringLiteral("toggleWebhookButton"));
    m_delete = new QPushButton(tr("&Delete…"), details);
    m_delete->setObjectName(QStringLiteral("deleteWebhookButton"));
    style::setRole(m_delete, "danger");
    actions->addWidget(m_toggle);
    actions->addWidget(m_delete);
    actions->addStretch(1);
    layout->addLayout(actions);
    m_actionStatus = new ActionStatus(details);
    m_actionStatus->setObjectName(QStringLiteral("webhookActionStatus"));
    layout->addWidget(m_actionStatus);
    auto* deliveriesHead = new QHBoxLayout;
    auto* deliveriesTitle = new QLabel(tr("Deliveries"), details);
    style::setRole(deliveriesTitle, "subtitle");
    m_deadOnly = new QCheckBox(tr("Given up &only"), details);
    m_deadOnly->setObjectName(QStringLiteral("deadOnlyCheck"));
    m_refresh = new QPushButton(tr("Re&fresh"), details);
    m_refresh->setObjectName(QStringLiteral("refreshDeliveriesButton"));
    deliveriesHead->addWidget(deliveriesTitle);
    deliveriesHead->addStretch(1);
    deliveriesHead->addWidget(m_deadOnly);
    deliveriesHead->addWidget(m_refresh);
    layout->addSpacing(style::kGap);
    layout->addLayout(deliveriesHead);
    m_deliveriesTable = makeTable(m_deliveries, QStringLiteral("deliveriesTable"), tr("Deliveries"));
    m_deliveriesTable->setSortingEnabled(false);
    fitColumns(m_deliveriesTable, DeliveriesModel::LastAnswer, {90, 80, 65, 0, 100});
    m_deliverySelection = new SelectionKeeper(m_deliveriesTable);
    layout->addWidget(m_deliveriesTable, 1);
    m_deliveriesNote = makeValueLabel(QStringLiteral("deliveriesNote"), details);
    style::setRole(m_deliveriesNote, "muted");
    layout->addWidget(m_deliveriesNote);
    auto* deliveryActions = new QHBoxLayout;
    m_redeliver = new QPushButton(tr("Send a&gain"), details);
    m_redeliver->setObjectName(QStringLiteral("redeliverButton"));
    m_redeliver->setToolTip(tr("Deliver this event again, with a new round of attempts"));
    deliveryActions->addWidget(m_redeliver);
    deliveryActions->addStretch(1);
    layout->addLayout(deliveryActions);
    m_detailsStack->addWidget(details);

    m_stack = new QStackedWidget(this);
    auto* empty = new EmptyState(this);
    empty->setContent(tr("No webhooks yet"),
                      tr("Add one to have Stint post checkouts, alerts and connection changes to your other tools."),
                      tr("Add a webhook"));
    m_stack->addWidget(empty);
    m_stack->addWidget(sideBySide(m_table, card));
    content()->addWidget(m_stack, 1);
    auto updateEmpty = [this]() { m_stack->setCurrentIndex(m_model->rowCount() == 0 ? 0 : 1); };
    connect(m_model, &QAbstractItemModel::modelReset, this, updateEmpty);
    updateEmpty();

    connect(add, &QPushButton::clicked, this, &WebhooksPage::addWebhook);
    connect(empty, &EmptyState::actionTriggered, this, &WebhooksPage::addWebhook);
    connect(m_toggle, &QPushButton::clicked, this, &WebhooksPage::toggleEnabled);
    connect(m_delete, &QPushButton::clicked, this, &WebhooksPage::deleteWebhook);
    connect(m_refresh, &QPushButton::clicked, this, &WebhooksPage::loadDeliveries);
    connect(m_deadOnly, &QCheckBox::toggled, this, &WebhooksPage::loadDeliveries);
    connect(m_redeliver, &QPushButton::clicked, this, &WebhooksPage::redeliver);
    connect(m_selection, &SelectionKeeper::currentChanged, this, &WebhooksPage::showDetails);
    connect(m_selection, &SelectionKeeper::currentUpdated, this, &WebhooksPage::showDetails);
    connect(m_deliverySelection, &SelectionKeeper::currentChanged, this, &WebhooksPage::updateDeliveryButtons);
    connect(m_deliverySelection, &SelectionKeeper::currentUpdated, this, &WebhooksPage::updateDeliveryButtons);
    showDetails();
}

QString WebhooksPage::currentWebhookId() const
{
    return m_selection->currentId();
}

QString WebhooksPage::currentDeliveryId() const
{
    return m_deliverySelection->currentId();
}

void WebhooksPage::showDetails()
{
    const models::Webhook* w = m_model->find(currentWebhookId());
    if (!w) {
        m_detailsStack->setCurrentIndex(0);
        m_deliveriesOf.clear();
        m_deliveries->clear();
        return;
    }
    m_detailsStack->setCurrentIndex(1);
    m_url->setText(w->url);
    QStringList facts;
    if (!w->description.isEmpty())
        facts << w->description;
    facts << tr("Events: %1").arg(WebhooksModel::eventTypesText(w->eventTypes));
    facts << (w->enabled ? tr("On: events are posted as they happen.") : tr("Paused: nothing is posted."));
    m_facts->setText(facts.join(QLatin1Char('\n')));
    m_toggle->setText(w->enabled ? tr("&Pause") : tr("&Resume"));
    if (m_deliveriesOf != w->id) {
        m_actionStatus->clear();
        loadDeliveries();
    }
}

void WebhooksPage::loadDeliveries()
{
    const QString id = currentWebhookId();
    if (id.isEmpty())
        return;
    if (m_deliveriesOf != id)
        m_deliveries->clear();
    m_deliveriesOf = id;
    const quint64 generation = ++m_generation;
    m_refresh->setEnabled(false);
    m_deliveriesNote->setText(tr("Reading deliveries…"));
    m_deliveriesNote->show();
    workspace()
        .api()
        .deliveries(id, m_deadOnly->isChecked())
        .then(this, [this, generation](const Result<QList<models::WebhookDelivery>>& r) {
            if (generation != m_generation)
                return;
            m_refresh->setEnabled(true);
            if (!r.ok()) {
                m_deliveriesNote->setText(ErrorText::describe(r.error()));
                return;
            }
            m_deliveries->setDeliveries(r.value());
            m_deliveriesNote->setText(r->isEmpty() ? (m_deadOnly->isChecked() ? tr("No delivery was given up on.")
                                                                              : tr("Nothing delivered yet."))
                                                   : QString());
            m_deliveriesNote->setVisible(r->isEmpty());
            updateDeliveryButtons();
        });
    updateDeliveryButtons();
}

void WebhooksPage::updateDeliveryButtons()
{
    const models::WebhookDelivery* d = m_deliveries->find(currentDeliveryId());
    m_redeliver->setEnabled(d && d->status != QLatin1String("pending"));
}

void WebhooksPage::redeliver()
{
    const models::WebhookDelivery* d = m_deliveries->find(currentDeliveryId());
    if (!d)
        return;
    const QString webhookId = m_deliveriesOf;
    const QString deliveryId = d->id;
    m_redeliver->setEnabled(false);
    m_actionStatus->busy(tr("Sending again…"));
    workspace().api().redeliver(webhookId, deliveryId).then(this, [this](const Result<void>& r) {
        if (!r.ok()) {
            m_actionStatus->failed(r.error());
            updateDeliveryButtons();
            return;
        }
        m_actionStatus->succeeded(tr("Queued to be sent again."));
        loadDeliveries();
    });
}

void WebhooksPage::addWebhook()
{
    auto* dialog = new WebhookDialog(context(), this);
    connect(dialog, &WebhookDialog::created, this, [this](const QString& id) {
        m_stack->setCurrentIndex(1);
        m_selection->select(id);
    });
    dialog->open();
}

void WebhooksPage::toggleEnabled()
{
    const models::Webhook* w = m_model->find(currentWebhookId());
    if (!w)
        return;
    const bool enable = !w->enabled;
    m_toggle->setEnabled(false);
    m_actionStatus->busy(enable ? tr("Resuming…") : tr("Pausing…"));
    workspace()
        .track(workspace().api().updateWebhook(w->id, {{QStringLiteral("enabled"), enable}}))
        .then(this, [this, enable](const Result<models::Webhook>& r) {
            m_toggle->setEnabled(true);
            if (!r.ok()) {
                m_actionStatus->failed(r.error());
                return;
            }
            m_actionStatus->succeeded(enable ? tr("Resumed.") : tr("Paused: events are not posted until you resume."));
        });
}

void WebhooksPage::deleteWebhook()
{
    const models::Webhook* w = m_model->find(currentWebhookId());
    if (!w)
        return;
    const QString id = w->id;
    const QString url = w->url;
    auto* dialog = new ConfirmDialog(this, tr("Delete this webhook?"),
                                     tr("Stint stops posting to %1 and forgets its delivery records, including any "
                                        "still being retried.")
                                         .arg(url),
                                     tr("Delete webhook"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, id]() {
        dialog->busy(tr("Deleting…"));
        workspace().api().deleteWebhook(id).then(dialog, [this, dialog, id](const Result<void>& r) {
            if (!r.ok()) {
                dialog->failed(r.error());
                return;
            }
            workspace().forget(Workspace::Kind::Webhooks, id);
            dialog->finish();
            status()->succeeded(tr("The webhook was deleted."));
        });
    });
    dialog->open();
}

} // namespace stint::ui
