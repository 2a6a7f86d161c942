// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/TenantSettingsDialog.h"

#include "client/ApiError.h"
#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/FormErrors.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/ChoiceListModel.h"
#include "ui/models/RowSearchProxy.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace stint::ui {

namespace {
QWidget* withError(QWidget* field, FormErrors& errors, const QStringList& paths, QWidget* extra = nullptr)
{
    auto* box = new QWidget(field->parentWidget());
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    field->setParent(box);
    layout->addWidget(field);
    if (extra) {
        extra->setParent(box);
        layout->addWidget(extra);
    }
    QLabel* message = errors.addField(field, paths);
    message->setParent(box);
    layout->addWidget(message);
    return box;
}

QSpinBox* durationSpin(QWidget* parent, const QString& objectName)
{
    auto* spin = new QSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setRange(models::kMinDurationMinutes, models::kMaxDurationMinutes);
    spin->setSingleStep(5);
    spin->setSuffix(QCoreApplication::translate("stint::ui::TenantSettingsDialog", " min"));
    spin->setAccelerated(true);
    return spin;
}
} // namespace

TenantSettingsDialog::TenantSettingsDialog(UiContext& context, const QString& tenantId, QWidget* parent)
    : QDialog(parent)
    , m_context(context)
    , m_tenantId(tenantId)
    , m_name(new QLineEdit(this))
    , m_notes(new QPlainTextEdit(this))
    , m_domain(new QComboBox(this))
    , m_domainNote(new QLabel(this))
    , m_rule(new QLineEdit(this))
    , m_preview(new QLabel(this))
    , m_credentialKind(new QComboBox(this))
    , m_expiryAction(new QComboBox(this))
    , m_expiryNote(new QLabel(this))
    , m_defaultDuration(durationSpin(this, QStringLiteral("defaultDurationSpin")))
    , m_maxDuration(durationSpin(this, QStringLiteral("maxDurationSpin")))
    , m_roleSearch(new QLineEdit(this))
    , m_roles(new QListView(this))
    , m_rolesSummary(new QLabel(this))
    , m_roleChoices(new ChoiceListModel(this))
    , m_roleProxy(new RowSearchProxy(this))
    , m_loadStatus(new ActionStatus(this))
    , m_status(new ActionStatus(this))
    , m_errors(std::make_unique<FormErrors>(m_status))
{
    setObjectName(QStringLiteral("tenantSettingsDialog"));
    setWindowModality(Qt::WindowModal);
    setAttribute(Qt::WA_DeleteOnClose);
    resize(940, 720);

    m_name->setObjectName(QStringLiteral("tenantNameEdit"));
    m_name->setMaxLength(200);
    m_notes->setObjectName(QStringLiteral("tenantNotesEdit"));
    m_notes->setTabChangesFocus(true);
    m_notes->setFixedHeight(56);
    m_domain->setObjectName(QStringLiteral("domainCombo"));
    m_domain->setMinimumContentsLength(18);
    m_domain->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_domainNote->setObjectName(QStringLiteral("domainNote"));
    m_domainNote->setWordWrap(true);
    style::setRole(m_domainNote, "muted");
    m_rule->setObjectName(QStringLiteral("namingRuleEdit"));
    m_rule->setMaxLength(models::accountNaming::kMaxRuleLength);
    m_rule->setToolTip(tr("Letters a–z, digits, '.', '-' and '_', with at least one of {user} (the technician's email "
                          "name), {name} (their display name) or {id} (a short unique id)."));
    m_preview->setObjectName(QStringLiteral("namingPreview"));
    m_preview->setTextFormat(Qt::PlainText);
    m_preview->setWordWrap(true);
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    style::setRole(m_preview, "muted");
    m_credentialKind->setObjectName(QStringLiteral("credentialKindCombo"));
    m_credentialKind->addItem(tr("Password"), QStringLiteral("password"));
    m_credentialKind->addItem(tr("Temporary Access Pass"), QStringLiteral("tap"));
    m_credentialKind->addItem(tr("Both"), QStringLiteral("both"));
    m_expiryAction->setObjectName(QStringLiteral("expiryActionCombo"));
    m_expiryAction->addItem(tr("Disable the account"), QStringLiteral("disable"));
    m_expiryAction->addItem(tr("Delete the account"), QStringLiteral("delete"));
    m_expiryNote->setObjectName(QStringLiteral("expiryNote"));
    m_expiryNote->setWordWrap(true);
    style::setRole(m_expiryNote, "muted");
    m_roleSearch->setObjectName(QStringLiteral("roleSearchEdit"));
    m_roleSearch->setPlaceholderText(tr("Search roles"));
    m_roleSearch->setClearButtonEnabled(true);
    m_roleSearch->setAccessibleName(tr("Search roles"));
    m_roleChoices->setFlagText(tr("privileged"));
    m_roleProxy->setSourceModel(m_roleChoices);
    m_roleProxy->sort(0);
    m_roles->setObjectName(QStringLiteral("rolesList"));
    m_roles->setModel(m_roleProxy);
    m_roles->setMinimumHeight(180);
    m_roles->setAccessibleName(tr("Roles offered"));
    m_roles->setAccessibleDescription(tr("Tick the roles technicians may be given in this tenant. Space ticks the "
                                         "selected role."));
    m_rolesSummary->setObjectName(QStringLiteral("rolesSummary"));
    style::setRole(m_rolesSummary, "muted");
    m_loadStatus->setObjectName(QStringLiteral("loadStatus"));
    m_status->setObjectName(QStringLiteral("saveStatus"));

    m_name->setAccessibleName(tr("Name"));
    m_notes->setAccessibleName(tr("Notes"));
    m_domain->setAccessibleName(tr("Account domain"));
    m_rule->setAccessibleName(tr("Account naming rule"));
    m_credentialKind->setAccessibleName(tr("Credential"));
    m_expiryAction->setAccessibleName(tr("When a checkout ends"));
    m_defaultDuration->setAccessibleName(tr("Default duration"));
    m_maxDuration->setAccessibleName(tr("Longest duration"));

    // Layout: two columns of groups in a scroll area, the buttons below.
    auto* page = new QWidget(this);
    auto* columns = new QHBoxLayout(page);
    columns->setContentsMargins(0, 0, 0, 0);
    columns->setSpacing(style::kMargin);
    auto* left = new QVBoxLayout;
    auto* right = new QVBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);

    auto* general = new QGroupBox(tr("General"), page);
    auto* generalForm = new QFormLayout(general);
    generalForm->addRow(tr("&Name"), withError(m_name, *m_errors, {QStringLiteral("name")}));
    generalForm->addRow(tr("N&otes"), withError(m_notes, *m_errors, {QStringLiteral("notes")}));
    left->addWidget(general);

    auto* accounts = new QGroupBox(tr("Accounts"), page);
    auto* accountsForm = new QFormLayout(accounts);
    accountsForm->addRow(tr("&Domain"),
                         withError(m_domain, *m_errors,
                                   {QStringLiteral("connection.accountDomain"), QStringLiteral("accountDomain")},
                                   m_domainNote));
    accountsForm->addRow(
        tr("Naming &rule"),
        withError(m_rule, *m_errors,
                  {QStringLiteral("connection.accountNamingRule"), QStringLiteral("accountNamingRule")}, m_preview));
    accountsForm->addRow(tr("&Credential"),
                         withError(m_credentialKind, *m_errors,
                                   {QStringLiteral("connection.credentialKind"), QStringLiteral("credentialKind")}));
    accountsForm->addRow(tr("When it &ends"),
                         withError(m_expiryAction, *m_errors,
                                   {QStringLiteral("connection.expiryAction"), QStringLiteral("expiryAction")},
                                   m_expiryNote));
    left->addWidget(accounts);

    auto* time = new QGroupBox(tr("Checkout length"), page);
    auto* timeForm = new QFormLayout(time);
    timeForm->addRow(
        tr("De&fault"),
        withError(m_defaultDuration, *m_errors,
                  {QStringLiteral("connection.defaultDurationMinutes"), QStringLiteral("defaultDurationMinutes")}));
    timeForm->addRow(
        tr("&Longest"),
        withError(m_maxDuration, *m_errors,
                  {QStringLiteral("connection.maxDurationMinutes"), QStringLiteral("maxDurationMinutes")}));
    left->addWidget(time);
    left->addStretch(1);

    auto* roles = new QGroupBox(tr("Roles offered"), page);
    auto* rolesLayout = new QVBoxLayout(roles);
    auto* rolesIntro = new QLabel(tr("Technicians can only be given the roles ticked here, and only those their "
                                     "policy grants."),
                                  roles);
    rolesIntro->setWordWrap(true);
    style::setRole(rolesIntro, "muted");
    rolesLayout->addWidget(rolesIntro);
    rolesLayout->addWidget(m_roleSearch);
    rolesLayout->addWidget(
        withError(m_roles, *m_errors, {QStringLiteral("connection.rolesOffered"), QStringLiteral("rolesOffered")}), 1);
    rolesLayout->addWidget(m_rolesSummary);
    right->addWidget(roles, 1);

    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("settingsScroll"));
    scroll->setAccessibleName(tr("Settings"));
    scroll->setWidget(page);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::NoFrame);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* title = new QLabel(this);
    title->setObjectName(QStringLiteral("settingsTitle"));
    style::setRole(title, "title");
    layout->addWidget(title);
    layout->addWidget(m_loadStatus);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_status);
    auto* buttons = new QDialogButtonBox(this);
    m_save = buttons->addButton(tr("&Save"), QDialogButtonBox::AcceptRole);
    m_save->setObjectName(QStringLiteral("saveButton"));
    m_save->setDefault(true);
    style::setRole(m_save, "primary");
    auto* cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    layout->addWidget(buttons);

    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_save, &QPushButton::clicked, this, &TenantSettingsDialog::save);
    connect(m_rule, &QLineEdit::textChanged, this, &TenantSettingsDialog::updatePreview);
    connect(m_domain, &QComboBox::currentTextChanged, this, &TenantSettingsDialog::updatePreview);
    connect(m_roleSearch, &QLineEdit::textChanged, m_roleProxy, &RowSearchProxy::setSearchText);
    connect(m_roleChoices, &ChoiceListModel::checkedChanged, this, &TenantSettingsDialog::updateRolesSummary);
    connect(m_expiryAction, &QComboBox::currentIndexChanged, this, &TenantSettingsDialog::updateExpiryNote);

    setTabOrder(m_name, m_notes);
    setTabOrder(m_notes, m_domain);
    setTabOrder(m_domain, m_rule);
    setTabOrder(m_rule, m_credentialKind);
    setTabOrder(m_credentialKind, m_expiryAction);
    setTabOrder(m_expiryAction, m_defaultDuration);
    setTabOrder(m_defaultDuration, m_maxDuration);
    setTabOrder(m_maxDuration, m_roleSearch);
    setTabOrder(m_roleSearch, m_roles);
    setTabOrder(m_roles, m_save);

    if (const models::Tenant* tenant = context.workspace.tenant(tenantId)) {
        title->setText(tr("%1 settings").arg(tenant->name));
        setWindowTitle(tr("%1 settings").arg(tenant->name));
        fill(*tenant);
    }
    loadConnection();
    m_name->setFocus();
}

TenantSettingsDialog::~TenantSettingsDialog() = default;

void TenantSettingsDialog::fill(const models::Tenant& tenant)
{
    m_version = tenant.version;
    m_name->setText(tenant.name);
    m_notes->setPlainText(tenant.notes);
    const models::TenantConnection& c = tenant.connection;
    m_savedDomain = c.accountDomain.value_or(QString());
    m_offered = c.rolesOffered;
    m_rule->setText(c.accountNamingRule);
    m_credentialKind->setCurrentIndex(qMax(0, m_credentialKind->findData(c.credentialKind)));
    m_expiryAction->setCurrentIndex(qMax(0, m_expiryAction->findData(c.expiryAction)));
    updateExpiryNote();
    m_defaultDuration->setValue(c.defaultDurationMinutes);
    m_maxDuration->setValue(c.maxDurationMinutes);
    m_domain->clear(); // the saved domain is the one to show
    const models::ConnectionState* state = m_context.workspace.connection(m_tenantId);
    fillFromReport(state && state->report ? &*state->report : nullptr);
    m_roleChoices->setChecked(c.offeredRoleIds());
    updateRolesSummary();
    updatePreview();
}

void TenantSettingsDialog::fillFromReport(const models::ConnectionReport* report)
{
    const QString chosen = m_domain->count() > 0 ? m_domain->currentData().toString() : m_savedDomain;
    m_domain->clear();
    if (report && !report->domains.isEmpty()) {
        m_domain->setEditable(false);
        for (const models::VerifiedDomain& d : report->domains) {
            QString label = d.name;
            if (d.isDefault)
                label += tr(" (default)");
            else if (d.isInitial)
                label += tr(" (initial)");
            m_domain->addItem(label, d.name);
        }
        if (!m_savedDomain.isEmpty() && m_domain->findData(m_savedDomain) < 0)
            m_domain->addItem(tr("%1 (no longer verified)").arg(m_savedDomain), m_savedDomain);
        int at = m_domain->findData(chosen.isEmpty() ? m_savedDomain : chosen);
        if (at < 0) {
            for (int i = 0; i < report->domains.size(); ++i) {
                if (report->domains.at(i).isDefault)
                    at = i;
            }
        }
        m_domain->setCurrentIndex(qMax(0, at));
        m_domainNote->setText(tr("One of the tenant's verified domains."));
    } else {
        // Not connected yet: the domain can be typed, and is checked when the tenant connects.
        m_domain->setEditable(true);
        if (!m_savedDomain.isEmpty())
            m_domain->addItem(m_savedDomain, m_savedDomain);
        m_domain->setCurrentText(chosen);
        m_domainNote->setText(tr("Connect the tenant to choose from its verified domains."));
    }

    QList<ChoiceListModel::Choice> choices;
    QSet<QString> known;
    if (report) {
        for (const models::RoleDefinition& r : report->roleDefinitions) {
            choices.append({r.id, r.displayName, r.description, r.isPrivileged});
            known.insert(r.id);
        }
    }
    for (const models::OfferedRole& r : std::as_const(m_offered)) {
        if (!known.contains(r.roleDefinitionId))
            choices.append({r.roleDefinitionId, r.displayName,
                            report ? tr("The tenant no longer lists this role.") : QString(), false});
    }
    m_roleChoices->setChoices(choices);
    updateRolesSummary();
}

void TenantSettingsDialog::loadConnection()
{
    m_loadStatus->busy(tr("Reading the tenant's domains and roles…"));
    m_context.workspace.refreshConnection(m_tenantId).then(this, [this](const Result<models::ConnectionState>& r) {
        if (!r.ok()) {
            m_loadStatus->failed(r.error());
            return;
        }
        if (r->report)
            m_loadStatus->clear();
        else
            m_loadStatus->succeeded(tr("The tenant has not been checked yet: connect it to choose from its domains "
                                       "and roles."));
        fillFromReport(r->report ? &*r->report : nullptr);
    });
}

void TenantSettingsDialog::updatePreview()
{
    QString problem;
    const auto rule = models::accountNaming::validate(m_rule->text(), &problem);
    if (!rule) {
        m_errors->showField(QStringLiteral("accountNamingRule"), problem);
        m_preview->clear();
        return;
    }
    m_errors->clearField(QStringLiteral("accountNamingRule"));
    QString domain = m_domain->currentData().toString();
    if (domain.isEmpty() || m_domain->isEditable())
        domain = m_domain->currentText().trimmed();
    const auto& me = m_context.workspace.me();
    const QString email = me ? me->person.email : QStringLiteral("ada.lovelace@example.com");
    const QString name = me ? me->person.displayName : QStringLiteral("Ada Lovelace");
    const QString id = me ? me->person.id : QStringLiteral("per_0000000000000000");
    const QString local = models::accountNaming::expand(*rule, email, name, id);
    m_preview->setText(tr("Your account would be %1@%2").arg(local, domain.isEmpty() ? tr("<domain>") : domain));
}

void TenantSettingsDialog::updateExpiryNote()
{
    const bool deletes = m_expiryAction->currentData().toString() == QLatin1String("delete");
    m_expiryNote->setText(deletes ? tr("Each checkout then starts from a new account: its sign-in history and "
                                       "mailbox do not carry over.")
                                  : tr("The technician's account stays in the tenant, disabled and without roles, "
                                       "between checkouts."));
}

void TenantSettingsDialog::updateRolesSummary()
{
    int privileged = 0;
    const QStringList checked = m_roleChoices->checkedOfferedIds();
    for (const ChoiceListModel::Choice& c : m_roleChoices->choices()) {
        if (c.flagged && checked.contains(c.id))
            ++privileged;
    }
    m_rolesSummary->setText(
        privileged > 0 ? tr("%1 of %2 roles offered, %3 of them privileged.")
                             .arg(checked.size())
                             .arg(m_roleChoices->choices().size())
                             .arg(privileged)
                       : tr("%1 of %2 roles offered.").arg(checked.size()).arg(m_roleChoices->choices().size()));
}

QJsonObject TenantSettingsDialog::patch() const
{
    QJsonArray roles;
    for (const QString& id : m_roleChoices->checkedIds()) {
        QString name = id;
        for (const ChoiceListModel::Choice& c : m_roleChoices->choices()) {
            if (c.id == id)
                name = c.label;
        }
        roles.append(models::OfferedRole {id, name}.toJson());
    }
    QString domain = m_domain->isEditable() ? m_domain->currentText().trimmed() : m_domain->currentData().toString();
    QJsonObject connection {
        {QStringLiteral("accountDomain"), domain.isEmpty() ? QJsonValue() : QJsonValue(domain.toLower())},
        {QStringLiteral("accountNamingRule"), m_rule->text().trimmed()},
        {QStringLiteral("credentialKind"), m_credentialKind->currentData().toString()},
        {QStringLiteral("expiryAction"), m_expiryAction->currentData().toString()},
        {QStringLiteral("defaultDurationMinutes"), m_defaultDuration->value()},
        {QStringLiteral("maxDurationMinutes"), m_maxDuration->value()},
        {QStringLiteral("rolesOffered"), roles},
    };
    return {{QStringLiteral("name"), m_name->text().trimmed()},
            {QStringLiteral("notes"), m_notes->toPlainText().trimmed()},
            {QStringLiteral("connection"), connection}};
}

void TenantSettingsDialog::save()
{
    m_errors->clear();
    // What can be told before asking: said under the field, and nothing is sent.
    bool refused = false;
    if (m_name->text().trimmed().isEmpty()) {
        m_errors->showField(QStringLiteral("name"), tr("Enter the tenant's name"));
        refused = true;
    }
    QString problem;
    if (!models::accountNaming::validate(m_rule->text(), &problem)) {
        m_errors->showField(QStringLiteral("accountNamingRule"), problem);
        refused = true;
    }
    if (m_defaultDuration->value() > m_maxDuration->value()) {
        m_errors->showField(
            QStringLiteral("defaultDurationMinutes"),
            tr("The default must not be longer than the longest (%1)").arg(TimeText::minutes(m_maxDuration->value())));
        refused = true;
    }
    if (refused) {
        m_status->refused(tr("Some fields need a change; see the messages below them."));
        return;
    }

    m_save->setEnabled(false);
    m_status->busy(tr("Saving…"));
    auto& ws = m_context.workspace;
    ws.track(ws.api().updateTenant(m_tenantId, m_version, patch())).then(this, [this](const Result<models::Tenant>& r) {
        m_save->setEnabled(true);
        if (r.ok()) {
            m_status->succeeded(tr("Saved."));
            emit saved(m_tenantId);
            accept();
            return;
        }
        if (r.error().code == QLatin1String(client::errors::kVersionConflict)) {
            // Someone saved first: show their version instead of overwriting it.
            m_status->busy(tr("Someone else changed this tenant; reading their version…"));
            auto& ws = m_context.workspace;
            ws.track(ws.api().tenant(m_tenantId)).then(this, [this](const Result<models::Tenant>& fresh) {
                if (!fresh.ok()) {
                    m_status->failed(fresh.error());
                    return;
                }
                fill(fresh.value());
                m_status->refused(tr("Someone else saved changes to %1 while you were editing. The form now "
                                     "shows their version; make your change again and save.")
                                      .arg(fresh->name));
            });
            return;
        }
        m_errors->show(r.error());
    });
}

} // namespace stint::ui
