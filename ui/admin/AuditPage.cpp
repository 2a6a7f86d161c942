// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/AuditPage.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/AuditExportDialog.h"
#include "ui/admin/SelectionKeeper.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/ApprovalsModel.h"
#include "ui/models/AuditModel.h"
#include "ui/models/RowSearchProxy.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>

namespace stint::ui {

using client::Workspace;

namespace {
constexpr int kDebounceMs = 350;
}

AuditPage::AuditPage(UiContext& context, QWidget* parent)
    : AdminPage(context, tr("Audit log"),
                tr("Everything done in Stint, by whom and when, in a tamper-evident chain. Filter it, read each event "
                   "in full, and export it."),
                parent)
    , m_model(new AuditModel(context.workspace, this))
    , m_proxy(new RowSearchProxy(this))
{
    setObjectName(QStringLiteral("auditPage"));
    auto* exportButton = addToolbarButton(tr("E&xport…"), QStringLiteral("exportButton"), "primary");
    auto* refresh = addToolbarButton(tr("&Refresh"), QStringLiteral("refreshAuditButton"));
    m_proxy->setSourceModel(m_model);
    addSearchField(m_proxy, tr("Search the loaded events"), QStringLiteral("auditSearch"));

    // --- filters ---
    auto* filters = new QGridLayout;
    filters->setHorizontalSpacing(style::kGap);
    filters->setVerticalSpacing(4);
    m_fromCheck = new QCheckBox(tr("&From"), this);
    m_fromCheck->setObjectName(QStringLiteral("fromCheck"));
    m_from = new QDateTimeEdit(QDateTime::currentDateTime().addDays(-7), this);
    m_from->setObjectName(QStringLiteral("fromEdit"));
    m_from->setCalendarPopup(true);
    m_from->setEnabled(false);
    m_from->setAccessibleName(tr("From"));
    m_toCheck = new QCheckBox(tr("&To"), this);
    m_toCheck->setObjectName(QStringLiteral("toCheck"));
    m_to = new QDateTimeEdit(QDateTime::currentDateTime(), this);
    m_to->setObjectName(QStringLiteral("toEdit"));
    m_to->setCalendarPopup(true);
    m_to->setEnabled(false);
    m_to->setAccessibleName(tr("Until"));
    m_person = new QComboBox(this);
    m_person->setObjectName(QStringLiteral("personFilter"));
    m_person->setAccessibleName(tr("Person"));
    m_person->setMinimumContentsLength(16);
    m_tenant = new QComboBox(this);
    m_tenant->setObjectName(QStringLiteral("tenantFilter"));
    m_tenant->setAccessibleName(tr("Tenant"));
    m_tenant->setMinimumContentsLength(16);
    m_action = new QComboBox(this);
    m_action->setObjectName(QStringLiteral("actionFilter"));
    m_action->setEditable(true);
    m_action->setAccessibleName(tr("Action"));
    m_action->setAccessibleDescription(tr("An action's full name, or the start of it ending with a dot"));
    m_action->setInsertPolicy(QComboBox::NoInsert);
    m_action->addItem(QString());
    for (const char* prefix :
         {"checkout.", "tenant.", "policy.", "person.", "group.", "invite.", "session.", "webhook.", "reconcile."})
        m_action->addItem(QString::fromLatin1(prefix));
    m_action->lineEdit()->setPlaceholderText(tr("any action"));
    m_action->setMinimumContentsLength(14);
    auto* personLabel = new QLabel(tr("&Who"), this);
    personLabel->setBuddy(m_person);
    auto* tenantLabel = new QLabel(tr("T&enant"), this);
    tenantLabel->setBuddy(m_tenant);
    auto* actionLabel = new QLabel(tr("&Action"), this);
    actionLabel->setBuddy(m_action);
    auto* clear = new QPushButton(tr("C&lear filters"), this);
    clear->setObjectName(QStringLiteral("clearFiltersButton"));
    filters->addWidget(m_fromCheck, 0, 0);
    filters->addWidget(m_from, 0, 1);
    filters->addWidget(m_toCheck, 0, 2);
    filters->addWidget(m_to, 0, 3);
    filters->addWidget(personLabel, 1, 0);
    filters->addWidget(m_person, 1, 1);
    filters->addWidget(tenantLabel, 1, 2);
    filters->addWidget(m_tenant, 1, 3);
    filters->addWidget(actionLabel, 1, 4);
    filters->addWidget(m_action, 1, 5);
    filters->addWidget(clear, 1, 6);
    filters->setColumnStretch(7, 1);
    content()->addLayout(filters);

    // --- the log ---
    m_table = makeTable(m_proxy, QStringLiteral("auditTable"), tr("Audit events"));
    m_table->setSortingEnabled(false); // the log's own order (newest first) is the one that pages
    fitColumns(m_table, AuditModel::Action, {110, 130, 0, 80, 110, 0});
    // The target is an id: it is in the details, and in the search.
    m_table->setColumnHidden(AuditModel::Target, true);
    m_selection = new SelectionKeeper(m_table);
    auto* list = new QWidget(this);
    auto* listLayout = new QVBoxLayout(list);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->setSpacing(style::kGap);
    listLayout->addWidget(m_table, 1);
    auto* footer = new QHBoxLayout;
    m_count = new QLabel(list);
    m_count->setObjectName(QStringLiteral("auditCount"));
    style::setRole(m_count, "muted");
    m_loadMore = new QPushButton(tr("Load &more"), list);
    m_loadMore->setObjectName(QStringLiteral("loadMoreButton"));
    footer->addWidget(m_count, 1);
    footer->addWidget(m_loadMore);
    listLayout->addLayout(footer);

    auto* card = makeDetailsCard(QStringLiteral("auditDetails"));
    auto* cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(0, 0, 0, 0);
    m_detailsStack = new QStackedWidget(card);
    cardLayout->addWidget(m_detailsStack);
    auto* none = new QLabel(tr("Choose an event to read it in full."), card);
    none->setAlignment(Qt::AlignCenter);
    style::setRole(none, "muted");
    m_detailsStack->addWidget(none);
    auto* details = new QWidget(card);
    auto* layout = new QVBoxLayout(details);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    m_title = makeValueLabel(QStringLiteral("auditEventTitle"), details);
    style::setRole(m_title, "subtitle");
    layout->addWidget(m_title);
    m_facts = makeValueLabel(QStringLiteral("auditEventFacts"), details);
    layout->addWidget(m_facts);
    m_details = new QPlainTextEdit(details);
    m_details->setObjectName(QStringLiteral("auditEventDetails"));
    m_details->setReadOnly(true);
    m_details->setAccessibleName(tr("Event details"));
    m_details->setTabChangesFocus(true);
    QFont mono(QStringLiteral("DejaVu Sans Mono"));
    mono.setStyleHint(QFont::Monospace);
    m_details->setFont(mono);
    layout->addWidget(m_details, 1);
    m_detailsStack->addWidget(details);
    content()->addWidget(sideBySide(list, card), 1);

    // --- wiring ---
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &AuditPage::reload);
    auto changed = [this]() { m_debounce.start(); };
    connect(m_fromCheck, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_toCheck, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    connect(m_fromCheck, &QCheckBox::toggled, this, changed);
    connect(m_toCheck, &QCheckBox::toggled, this, changed);
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, changed);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, changed);
    connect(m_person, &QComboBox::currentIndexChanged, this, changed);
    connect(m_tenant, &QComboBox::currentIndexChanged, this, changed);
    connect(m_action, &QComboBox::currentTextChanged, this, changed);
    connect(clear, &QPushButton::clicked, this, [this]() {
        m_fromCheck->setChecked(false);
        m_toCheck->setChecked(false);
        m_person->setCurrentIndex(0);
        m_tenant->setCurrentIndex(0);
        m_action->setCurrentText(QString());
    });
    connect(m_loadMore, &QPushButton::clicked, this, &AuditPage::loadMore);
    connect(refresh, &QPushButton::clicked, this, &AuditPage::reload);
    connect(exportButton, &QPushButton::clicked, this, &AuditPage::exportLog);
    connect(m_selection, &SelectionKeeper::currentChanged, this, &AuditPage::showDetails);
    connect(m_selection, &SelectionKeeper::currentUpdated, this, &AuditPage::showDetails);
    connect(&workspace(), &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::People || kind == Workspace::Kind::Tenants)
            refillChoices();
    });
    refillChoices();
    updateFooter();
    showDetails();
}

void AuditPage::showEvent(QShowEvent* event)
{
    AdminPage::showEvent(event);
    // The log is read when first looked at, not at start-up.
    if (!m_loadedOnce)
        reload();
}

void AuditPage::refillChoices()
{
    const QString person = m_person->currentData().toString();
    const QString tenant = m_tenant->currentData().toString();
    const QSignalBlocker blockPerson(m_person);
    const QSignalBlocker blockTenant(m_tenant);
    m_person->clear();
    m_person->addItem(tr("Anyone"), QString());
    for (const models::Person& p : workspace().people())
        m_person->addItem(p.displayName.isEmpty() ? p.email : p.displayName, p.id);
    m_person->setCurrentIndex(qMax(0, m_person->findData(person)));
    m_tenant->clear();
    m_tenant->addItem(tr("Any tenant"), QString());
    for (const models::Tenant& t : workspace().tenants())
        m_tenant->addItem(t.name, t.id);
    m_tenant->setCurrentIndex(qMax(0, m_tenant->findData(tenant)));
}

models::AuditFilter AuditPage::filter() const
{
    models::AuditFilter f;
    if (m_fromCheck->isChecked())
        f.from = m_from->dateTime().toMSecsSinceEpoch();
    if (m_toCheck->isChecked())
        f.to = m_to->dateTime().toMSecsSinceEpoch();
    f.actorId = m_person->currentData().toString();
    f.tenantId = m_tenant->currentData().toString();
    f.action = m_action->currentText().trimmed();
    return f;
}

void AuditPage::reload()
{
    m_debounce.stop();
    m_loadedOnce = true;
    m_cursor.clear();
    m_model->clear();
    fetch(false);
}

void AuditPage::loadMore()
{
    if (!m_cursor.isEmpty() && !m_loading)
        fetch(true);
}

void AuditPage::fetch(bool append)
{
    const models::AuditFilter f = filter();
    if (f.from && f.to && *f.from >= *f.to) {
        status()->refused(tr("“From” must be before “To”."));
        updateFooter();
        return;
    }
    const quint64 generation = ++m_generation;
    m_loading = true;
    status()->busy(append ? tr("Reading older events…") : tr("Reading the log…"));
    updateFooter();
    workspace()
        .api()
        .audit(f, append ? m_cursor : QString(), kPageSize)
        .then(this, [this, generation, append](const Result<client::Page<models::AuditEvent>>& page) {
            if (generation != m_generation)
                return; // an answer for filters that have changed since
            m_loading = false;
            if (!page.ok()) {
                status()->failed(page.error());
                updateFooter();
                return;
            }
            status()->clear();
            if (append)
                m_model->appendEvents(page->items);
            else
                m_model->setEvents(page->items);
            m_cursor = page->nextCursor;
            updateFooter();
            if (!append && m_proxy->rowCount() > 0 && m_selection->currentId().isEmpty())
                m_table->selectRow(0);
        });
}

void AuditPage::updateFooter()
{
    const int n = m_model->rowCount();
    m_loadMore->setVisible(!m_cursor.isEmpty());
    m_loadMore->setEnabled(!m_loading);
    if (m_loading && n == 0)
        m_count->setText(QString());
    else if (n == 0)
        m_count->setText(tr("No events match these filters."));
    else if (m_cursor.isEmpty())
        m_count->setText(tr("All %n event(s) shown.", nullptr, n));
    else
        m_count->setText(tr("The newest %n event(s) shown.", nullptr, n));
}

void AuditPage::showDetails()
{
    const models::AuditEvent* e = m_model->find(m_selection->currentId());
    if (!e) {
        m_detailsStack->setCurrentIndex(0);
        return;
    }
    m_detailsStack->setCurrentIndex(1);
    const TimeMs now = workspace().serverNow();
    m_title->setText(tr("%1 · %2").arg(e->action, AuditModel::outcomeText(e->outcome)));
    QStringList facts;
    facts << tr("By %1").arg(m_model->data(m_model->indexOfId(e->id, AuditModel::Person), Qt::DisplayRole).toString());
    facts << tr("At %1 (%2)").arg(TimeText::when(e->occurredAt, now), toRfc3339(e->occurredAt));
    if (!e->tenantId.isEmpty())
        facts << tr("Tenant: %1").arg(ApprovalsModel::tenantName(workspace(), e->tenantId));
    if (!e->targetId.isEmpty())
        facts << tr("Target: %1 %2").arg(e->targetType, e->targetId);
    if (!e->sourceAddress.isEmpty())
        facts << tr("From %1").arg(e->sourceAddress);
    facts << tr("Event %1 · hash %2").arg(e->seq).arg(e->hash.left(16));
    m_facts->setText(facts.join(QLatin1Char('\n')));
    m_details->setPlainText(e->details.isEmpty()
                                ? tr("(no details)")
                                : QString::fromUtf8(QJsonDocument(e->details).toJson(QJsonDocument::Indented)));
}

void AuditPage::exportLog()
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    auto* dialog = new AuditExportDialog(context(), filter(), folder, this);
    dialog->open();
}

} // namespace stint::ui
