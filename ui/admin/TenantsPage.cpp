// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/TenantsPage.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/AddTenantDialog.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/ConnectDialog.h"
#include "ui/admin/HealthView.h"
#include "ui/admin/SelectionKeeper.h"
#include "ui/admin/TenantSettingsDialog.h"
#include "ui/common/EmptyState.h"
#include "ui/common/ErrorText.h"
#include "ui/common/StatusChip.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/AdminTenantModel.h"
#include "ui/models/RowSearchProxy.h"

#include <QFrame>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace stint::ui {

using client::Workspace;

namespace {
QString credentialKindText(const QString& kind)
{
    if (kind == QLatin1String("tap"))
        return QCoreApplication::translate("stint::ui::TenantsPage", "Temporary Access Pass");
    if (kind == QLatin1String("both"))
        return QCoreApplication::translate("stint::ui::TenantsPage", "password and Temporary Access Pass");
    return QCoreApplication::translate("stint::ui::TenantsPage", "password");
}

bool isConnected(const QString& status)
{
    return status == QLatin1String("connected") || status == QLatin1String("unhealthy");
}
} // namespace

TenantsPage::TenantsPage(UiContext& context, QWidget* parent)
    : AdminPage(context, tr("Customer tenants"),
                tr("The Microsoft Entra ID tenants you manage: connect them, choose how Stint makes accounts there, "
                   "and keep an eye on their health."),
                parent)
    , m_model(new AdminTenantModel(context.workspace, this))
    , m_proxy(new RowSearchProxy(this))
{
    setObjectName(QStringLiteral("tenantsPage"));
    auto* add = addToolbarButton(tr("&Add tenant…"), QStringLiteral("addTenantButton"), "primary");
    m_proxy->setSourceModel(m_model);
    addSearchField(m_proxy, tr("Search tenants, domains, status"), QStringLiteral("tenantSearch"));
    connect(add, &QPushButton::clicked, this, &TenantsPage::addTenant);

    m_table = makeTable(m_proxy, QStringLiteral("tenantsTable"), tr("Customer tenants"));
    m_table->sortByColumn(AdminTenantModel::Name, Qt::AscendingOrder);
    fitColumns(m_table, AdminTenantModel::Domain, {170, 125, 0, 100});
    m_selection = new SelectionKeeper(m_table);

    // --- details ---
    auto* card = makeDetailsCard(QStringLiteral("tenantDetails"));
    auto* cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(0, 0, 0, 0);
    m_detailsStack = new QStackedWidget(card);
    cardLayout->addWidget(m_detailsStack);
    m_noSelection = new QLabel(tr("Choose a tenant to see its connection and health."), card);
    static_cast<QLabel*>(m_noSelection)->setAlignment(Qt::AlignCenter);
    static_cast<QLabel*>(m_noSelection)->setWordWrap(true);
    style::setRole(m_noSelection, "muted");
    m_detailsStack->addWidget(m_noSelection);

    auto* scroll = new QScrollArea(card);
    scroll->setObjectName(QStringLiteral("tenantDetailsScroll"));
    scroll->setAccessibleName(tr("Tenant details"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* details = new QWidget(scroll);
    auto* layout = new QVBoxLayout(details);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* head = new QHBoxLayout;
    m_name = makeValueLabel(QStringLiteral("tenantName"), details);
    style::setRole(m_name, "subtitle");
    m_chip = new StatusChip(details);
    m_chip->setObjectName(QStringLiteral("tenantStatusChip"));
    head->addWidget(m_name, 1);
    head->addWidget(m_chip, 0, Qt::AlignTop);
    layout->addLayout(head);
    m_facts = makeValueLabel(QStringLiteral("tenantFacts"), details);
    layout->addWidget(m_facts);
    m_notes = makeValueLabel(QStringLiteral("tenantNotes"), details);
    style::setRole(m_notes, "muted");
    layout->addWidget(m_notes);

    auto* actions = new QGridLayout;
    actions->setHorizontalSpacing(style::kGap);
    actions->setVerticalSpacing(style::kGap);
    m_connect = new QPushButton(tr("&Connect…"), details);
    m_connect->setObjectName(QStringLiteral("connectButton"));
    m_settings = new QPushButton(tr("S&ettings…"), details);
    m_settings->setObjectName(QStringLiteral("settingsButton"));
    m_check = new QPushButton(tr("C&heck now"), details);
    m_check->setObjectName(QStringLiteral("checkButton"));
    m_check->setToolTip(tr("Run the connection health check again"));
    m_reconcile = new QPushButton(tr("&Reconcile now"), details);
    m_reconcile->setObjectName(QStringLiteral("reconcileButton"));
    m_reconcile->setToolTip(tr("Revoke any Stint account in the tenant that has access without a live checkout"));
    m_disconnect = new QPushButton(tr("&Disconnect…"), details);
    m_disconnect->setObjectName(QStringLiteral("disconnectButton"));
    style::setRole(m_disconnect, "danger");
    m_remove = new QPushButton(tr("Re&move tenant…"), details);
    m_remove->setObjectName(QStringLiteral("removeTenantButton"));
    style::setRole(m_remove, "danger");
    actions->addWidget(m_connect, 0, 0);
    actions->addWidget(m_settings, 0, 1);
    actions->addWidget(m_check, 0, 2);
    actions->addWidget(m_reconcile, 1, 0);
    actions->addWidget(m_disconnect, 1, 1);
    actions->addWidget(m_remove, 1, 2);
    layout->addLayout(actions);
    m_actionStatus = new ActionStatus(details);
    m_actionStatus->setObjectName(QStringLiteral("tenantActionStatus"));
    layout->addWidget(m_actionStatus);
    auto* rule = new QFrame(details);
    rule->setFrameShape(QFrame::HLine);
    rule->setFrameShadow(QFrame::Plain);
    rule->setStyleSheet(QStringLiteral("color: #d9dee4;"));
    layout->addWidget(rule);
    m_health = new HealthView(details);
    layout->addWidget(m_health);
    layout->addStretch(1);
    scroll->setWidget(details);
    m_detailsStack->addWidget(scroll);

    connect(m_connect, &QPushButton::clicked, this, &TenantsPage::connectTenant);
    connect(m_settings, &QPushButton::clicked, this, &TenantsPage::openSettings);
    connect(m_check, &QPushButton::clicked, this, &TenantsPage::checkNow);
    connect(m_reconcile, &QPushButton::clicked, this, &TenantsPage::reconcileNow);
    connect(m_disconnect, &QPushButton::clicked, this, &TenantsPage::disconnectTenant);
    connect(m_remove, &QPushButton::clicked, this, &TenantsPage::removeTenant);
    connect(m_table, &QTableView::activated, this, [this]() { openSettings(); });

    // --- empty or not ---
    m_stack = new QStackedWidget(this);
    m_empty = new EmptyState(this);
    m_empty->setContent(tr("No customer tenants yet"),
                        tr("Add a customer, then connect it to Microsoft Entra ID so technicians can check out "
                           "access there."),
                        tr("Add a customer tenant"));
    connect(m_empty, &EmptyState::actionTriggered, this, &TenantsPage::addTenant);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(sideBySide(m_table, card));
    content()->addWidget(m_stack, 1);

    connect(m_selection, &SelectionKeeper::currentChanged, this, [this](const QString& id) {
        m_actionStatus->clear();
        if (!id.isEmpty())
            loadConnection(id);
        showDetails();
    });
    connect(m_selection, &SelectionKeeper::currentUpdated, this, &TenantsPage::showDetails);
    connect(&workspace(), &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Connections)
            showHealth();
        if (kind == Workspace::Kind::Tenants)
            updateEmpty();
        if (kind == Workspace::Kind::Checkouts)
            finishPendingDisconnect();
    });
    updateEmpty();
    showDetails();
}

QString TenantsPage::currentTenantId() const
{
    return m_selection->currentId();
}

void TenantsPage::showTenant(const QString& tenantId)
{
    if (!m_selection->select(tenantId)) {
        // Hidden by the search: show everything, then select it.
        if (auto* search = findChild<QLineEdit*>(QStringLiteral("tenantSearch")))
            search->clear();
        m_selection->select(tenantId);
    }
    m_table->setFocus(Qt::OtherFocusReason);
}

void TenantsPage::updateEmpty()
{
    m_stack->setCurrentIndex(m_model->rowCount() == 0 ? 0 : 1);
    if (m_model->rowCount() > 0 && m_selection->currentId().isEmpty() && m_proxy->rowCount() > 0)
        m_table->selectRow(0);
}

void TenantsPage::tick()
{
    // "Checked 3 min ago" moves on; nothing else here runs on the clock. Once a minute is enough.
    const qint64 now = workspace().serverNow();
    if ((now / 1000) % 60 == 0)
        showHealth();
}

void TenantsPage::loadConnection(const QString& tenantId)
{
    if (m_loading == tenantId)
        return;
    m_loading = tenantId;
    if (!workspace().connection(tenantId))
        m_health->showLoading();
    workspace().refreshConnection(tenantId).then(this, [this, tenantId](const Result<models::ConnectionState>& r) {
        if (m_loading == tenantId)
            m_loading.clear();
        if (!r.ok() && tenantId == currentTenantId())
            m_health->showNothing(tr("The connection could not be read: %1").arg(ErrorText::describe(r.error())));
    });
}

void TenantsPage::showDetails()
{
    const QString id = currentTenantId();
    const models::Tenant* tenant = id.isEmpty() ? nullptr : workspace().tenant(id);
    for (QPushButton* b : {m_connect, m_settings, m_check, m_reconcile, m_disconnect, m_remove})
        b->setEnabled(tenant != nullptr);
    if (!tenant) {
        m_detailsStack->setCurrentWidget(m_noSelection);
        return;
    }
    m_detailsStack->setCurrentIndex(1);
    const models::TenantConnection& c = tenant->connection;
    m_name->setText(tenant->name);
    m_chip->showConnectionStatus(c.status);
    const int live = m_model->liveCheckouts(tenant->id);
    QStringList facts;
    if (c.entraTenantId)
        facts << tr("Entra tenant: %1").arg(*c.entraTenantId);
    if (c.nationalCloud != QLatin1String("global"))
        facts << tr("Cloud: %1").arg(c.nationalCloud);
    const QString domain = c.accountDomain.value_or(tr("<domain not chosen>"));
    facts << tr("Accounts: %1@%2, signing in with a %3; %4 when a checkout ends.")
                 .arg(c.accountNamingRule, domain, credentialKindText(c.credentialKind),
                      c.expiryAction == QLatin1String("delete") ? tr("deleted") : tr("disabled"));
    facts << tr("Checkouts: %1 by default, at most %2.")
                 .arg(TimeText::minutes(c.defaultDurationMinutes), TimeText::minutes(c.maxDurationMinutes));
    facts << (c.rolesOffered.isEmpty() ? tr("No roles offered yet: choose them in Settings.")
                                       : tr("%n role(s) offered.", nullptr, int(c.rolesOffered.size())));
    facts << (live > 0 ? tr("%n checkout(s) live now.", nullptr, live) : tr("No live checkouts."));
    m_facts->setText(facts.join(QLatin1Char('\n')));
    m_notes->setText(tenant->notes);
    m_notes->setVisible(!tenant->notes.isEmpty());

    const bool connected = isConnected(c.status);
    const bool busy = c.status == QLatin1String("connecting") || c.status == QLatin1String("verifying");
    m_connect->setText(connected ? tr("Re&connect…") : tr("&Connect…"));
    style::setRole(m_connect, connected ? "" : "primary");
    m_connect->setEnabled(!busy);
    m_check->setEnabled(connected);
    m_reconcile->setEnabled(connected);
    m_disconnect->setEnabled(c.status != QLatin1String("not_connected"));
    showHealth();
}

void TenantsPage::showHealth()
{
    const QString id = currentTenantId();
    if (id.isEmpty())
        return;
    if (const models::ConnectionState* state = workspace().connection(id))
        m_health->showState(*state, workspace().serverNow());
}

// --- actions ---

void TenantsPage::addTenant()
{
    auto* dialog = new AddTenantDialog(context(), this);
    connect(dialog, &AddTenantDialog::created, this, [this](const QString& id) {
        updateEmpty();
        showTenant(id);
        m_actionStatus->succeeded(tr("Added. Connect it to Microsoft Entra ID next."));
    });
    dialog->open();
}

void TenantsPage::connectTenant()
{
    const QString id = currentTenantId();
    if (id.isEmpty())
        return;
    auto* dialog = new ConnectDialog(context(), id, this);
    connect(dialog, &ConnectDialog::openSettings, this, [this](const QString& tenantId) {
        showTenant(tenantId);
        openSettings();
    });
    dialog->open();
}

void TenantsPage::openSettings()
{
    const QString id = currentTenantId();
    if (id.isEmpty())
        return;
    auto* dialog = new TenantSettingsDialog(context(), id, this);
    connect(dialog, &TenantSettingsDialog::saved, this, [this]() { m_actionStatus->succeeded(tr("Settings saved.")); });
    dialog->open();
}

void TenantsPage::checkNow()
{
    const QString id = currentTenantId();
    const models::Tenant* tenant = workspace().tenant(id);
    if (!tenant)
        return;
    m_check->setEnabled(false);
    m_actionStatus->busy(tr("Checking %1…").arg(tenant->name));
    const QString name = tenant->name;
    workspace()
        .track(workspace().api().checkConnection(id))
        .then(this, [this, name](const Result<models::ConnectionState>& r) {
            m_check->setEnabled(true);
            if (!r.ok()) {
                m_actionStatus->failed(r.error());
                return;
            }
            m_actionStatus->succeeded(tr("The health check of %1 is running; its findings appear below.").arg(name));
        });
}

void TenantsPage::reconcileNow()
{
    const QString id = currentTenantId();
    const models::Tenant* tenant = workspace().tenant(id);
    if (!tenant)
        return;
    m_reconcile->setEnabled(false);
    m_actionStatus->busy(tr("Starting reconciliation…"));
    const QString name = tenant->name;
    workspace().api().reconcile(id).then(this, [this, name](const Result<void>& r) {
        m_reconcile->setEnabled(true);
        if (!r.ok()) {
            m_actionStatus->failed(r.error());
            return;
        }
        m_actionStatus->succeeded(tr("Reconciling %1: any Stint account there with access but no live checkout is "
                                     "revoked, and each one found becomes an alert.")
                                      .arg(name));
    });
}

void TenantsPage::disconnectTenant()
{
    const QString id = currentTenantId();
    const models::Tenant* tenant = workspace().tenant(id);
    if (!tenant)
        return;
    const int live = m_model->liveCheckouts(id);
    const QString name = tenant->name;
    const QString consequence = live > 0
        ? tr("Disconnecting %1 revokes its %n live checkout(s) first. Then Stint forgets the tenant's proven identity "
             "and health report, and nobody can check out access there until it is connected again.",
             nullptr, live)
              .arg(name)
        : tr("Stint forgets %1's proven identity and health report, and nobody can check out access there until it "
             "is connected again.")
              .arg(name);
    auto* dialog = new ConfirmDialog(this, tr("Disconnect %1?").arg(name), consequence,
                                     live > 0 ? tr("Revoke and disconnect") : tr("Disconnect"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, id, name, live]() {
        dialog->busy(live > 0 ? tr("Revoking and disconnecting…") : tr("Disconnecting…"));
        workspace()
            .track(workspace().api().disconnect(id))
            .then(dialog, [this, dialog, id, name](const Result<models::ConnectionState>& r) {
                if (!r.ok()) {
                    dialog->failed(r.error());
                    return;
                }
                dialog->finish();
                if (r->status == QLatin1String("not_connected")) {
                    m_actionStatus->succeeded(tr("%1 is disconnected.").arg(name));
                } else {
                    // 202: the tenant stays connected while its checkouts are revoked; finish when they have ended.
                    m_pendingDisconnect = id;
                    m_actionStatus->busy(tr("Revoking the live checkouts of %1; it is disconnected once they have "
                                            "ended.")
                                             .arg(name));
                    finishPendingDisconnect();
                }
            });
    });
    dialog->open();
}

void TenantsPage::finishPendingDisconnect()
{
    if (m_pendingDisconnect.isEmpty() || m_model->liveCheckouts(m_pendingDisconnect) > 0)
        return;
    const QString id = std::exchange(m_pendingDisconnect, QString());
    const models::Tenant* tenant = workspace().tenant(id);
    const QString name = tenant ? tenant->name : id;
    workspace()
        .track(workspace().api().disconnect(id))
        .then(this, [this, id, name](const Result<models::ConnectionState>& r) {
            if (!r.ok()) {
                m_actionStatus->failed(r.error());
                return;
            }
            if (r->status == QLatin1String("not_connected")) {
                m_actionStatus->succeeded(tr("%1 is disconnected.").arg(name));
            } else {
                m_pendingDisconnect = id; // another checkout went live meanwhile
            }
        });
}

void TenantsPage::removeTenant()
{
    const QString id = currentTenantId();
    const models::Tenant* tenant = workspace().tenant(id);
    if (!tenant)
        return;
    const QString name = tenant->name;
    auto* dialog = new ConfirmDialog(
        this, tr("Remove %1?").arg(name),
        tr("Stint forgets %1 and its settings, and access policies stop covering it. The audit log keeps its "
           "history. This cannot be undone.")
            .arg(name),
        tr("Remove tenant"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, id, name]() {
        dialog->busy(tr("Removing %1…").arg(name));
        workspace().api().deleteTenant(id).then(dialog, [this, dialog, id, name](const Result<void>& r) {
            if (!r.ok()) {
                dialog->failed(r.error());
                return;
            }
            workspace().forget(Workspace::Kind::Tenants, id);
            dialog->finish();
            m_actionStatus->clear();
            status()->succeeded(tr("%1 was removed.").arg(name));
        });
    });
    dialog->open();
}

} // namespace stint::ui
