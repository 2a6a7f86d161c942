// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/PolicyEditor.h"

#include "client/ApiError.h"
#include "client/Workspace.h"
#include "models/Tenant.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/FormErrors.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/ChoiceListModel.h"
#include "ui/models/RowSearchProxy.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace stint::ui {

namespace {
// Subjects are listed together; their ids carry their type.
QString subjectKey(const models::PolicySubject& s)
{
    return s.type + QLatin1Char(':') + s.id;
}
models::PolicySubject subjectOf(const QString& key)
{
    return {key.section(QLatin1Char(':'), 0, 0), key.section(QLatin1Char(':'), 1)};
}
} // namespace

PolicyEditor::PolicyEditor(UiContext& context, const QString& policyId, QWidget* parent)
    : QDialog(parent)
    , m_context(context)
    , m_policyId(policyId)
    , m_name(new QLineEdit(this))
    , m_description(new QPlainTextEdit(this))
    , m_maxDuration(new QSpinBox(this))
    , m_requireApproval(new QCheckBox(tr("An admin &approves each request"), this))
    , m_requireTicket(new QCheckBox(tr("A &ticket number"), this))
    , m_requireJustification(new QCheckBox(tr("A &justification"), this))
    , m_subjects(new ChoiceListModel(this))
    , m_tenants(new ChoiceListModel(this))
    , m_roles(new ChoiceListModel(this))
    , m_subjectsProxy(new RowSearchProxy(this))
    , m_tenantsProxy(new RowSearchProxy(this))
    , m_rolesProxy(new RowSearchProxy(this))
    , m_status(new ActionStatus(this))
    , m_errors(std::make_unique<FormErrors>(m_status))
{
    setObjectName(QStringLiteral("policyEditor"));
    setWindowModality(Qt::WindowModal);
    setAttribute(Qt::WA_DeleteOnClose);
    resize(980, 660);
    const client::Workspace& ws = context.workspace;

    // --- choices ---
    QList<ChoiceListModel::Choice> subjects;
    for (const models::Group& g : ws.groups())
        subjects.append({subjectKey({QStringLiteral("group"), g.id}), tr("%1 (group)").arg(g.name),
                         tr("%n member(s)", nullptr, int(g.memberIds.size())), false});
    for (const models::Person& p : ws.people()) {
        QString label = p.displayName.isEmpty() ? p.email : p.displayName;
        if (p.status == QLatin1String("disabled"))
            label += tr(" (disabled)");
        subjects.append({subjectKey({QStringLiteral("person"), p.id}), label, p.email, false});
    }
    m_subjects->setChoices(subjects);
    QList<ChoiceListModel::Choice> tenants;
    for (const models::Tenant& t : ws.tenants())
        tenants.append({t.id, t.name, t.connection.accountDomain.value_or(QString()), false});
    m_tenants->setChoices(tenants);
    m_roles->setFlagText(tr("privileged"));

    m_name->setObjectName(QStringLiteral("policyNameEdit"));
    m_name->setMaxLength(200);
    m_name->setAccessibleName(tr("Policy name"));
    m_name->setPlaceholderText(tr("e.g. Helpdesk: password resets"));
    m_description->setObjectName(QStringLiteral("policyDescriptionEdit"));
    m_description->setTabChangesFocus(true);
    m_description->setFixedHeight(56);
    m_description->setAccessibleName(tr("Description"));
    m_maxDuration->setObjectName(QStringLiteral("maxDurationSpin"));
    m_maxDuration->setRange(models::kMinDurationMinutes, models::kMaxDurationMinutes);
    m_maxDuration->setSingleStep(15);
    m_maxDuration->setSuffix(tr(" min"));
    m_maxDuration->setValue(60);
    m_maxDuration->setAccessibleName(tr("Longest checkout"));
    m_requireApproval->setObjectName(QStringLiteral("requireApprovalCheck"));
    m_requireTicket->setObjectName(QStringLiteral("requireTicketCheck"));
    m_requireJustification->setObjectName(QStringLiteral("requireJustificationCheck"));
    m_requireJustification->setChecked(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* title = new QLabel(this);
    title->setObjectName(QStringLiteral("policyEditorTitle"));
    style::setRole(title, "title");
    layout->addWidget(title);

    auto* top = new QHBoxLayout;
    top->setSpacing(style::kMargin * 2);
    auto* form = new QFormLayout;
    auto addRow = [&](const QString& label, QWidget* field, const QStringList& paths) {
        auto* box = new QWidget(this);
        auto* boxLayout = new QVBoxLayout(box);
        boxLayout->setContentsMargins(0, 0, 0, 0);
        boxLayout->setSpacing(2);
        field->setParent(box);
        boxLayout->addWidget(field);
        QLabel* message = m_errors->addField(field, paths);
        message->setParent(box);
        boxLayout->addWidget(message);
        form->addRow(label, box);
    };
    addRow(tr("&Name"), m_name, {QStringLiteral("name")});
    addRow(tr("&Description"), m_description, {QStringLiteral("description")});
    top->addLayout(form, 3);
    auto* conditions = new QFormLayout;
    auto* durationBox = new QWidget(this);
    auto* durationLayout = new QVBoxLayout(durationBox);
    durationLayout->setContentsMargins(0, 0, 0, 0);
    durationLayout->setSpacing(2);
    m_maxDuration->setParent(durationBox);
    durationLayout->addWidget(m_maxDuration);
    QLabel* durationMessage = m_errors->addField(m_maxDuration, {QStringLiteral("maxDurationMinutes")});
    durationMessage->setParent(durationBox);
    durationLayout->addWidget(durationMessage);
    conditions->addRow(tr("&Longest checkout"), durationBox);
    auto* asks = new QVBoxLayout;
    asks->setSpacing(2);
    asks->addWidget(m_requireApproval);
    asks->addWidget(m_requireTicket);
    asks->addWidget(m_requireJustification);
    conditions->addRow(tr("Requests need"), asks);
    top->addLayout(conditions, 2);
    layout->addLayout(top);

    auto* lists = new QHBoxLayout;
    lists->setSpacing(style::kMargin);
    lists->addWidget(makeList(tr("&Who"), QStringLiteral("subjects"), m_subjects, m_subjectsProxy,
                              {QStringLiteral("subjects")}, &m_subjectsCount));
    lists->addWidget(makeList(tr("In which &tenants"), QStringLiteral("tenants"), m_tenants, m_tenantsProxy,
                              {QStringLiteral("tenantIds")}, &m_tenantsCount));
    lists->addWidget(makeList(tr("Which &roles"), QStringLiteral("roles"), m_roles, m_rolesProxy,
                              {QStringLiteral("roleDefinitionIds")}, &m_rolesCount));
    layout->addLayout(lists, 1);
    layout->addWidget(m_status);

    auto* buttons = new QDialogButtonBox(this);
    m_save = buttons->addButton(policyId.isEmpty() ? tr("&Create policy") : tr("&Save"), QDialogButtonBox::AcceptRole);
    m_save->setObjectName(QStringLiteral("saveButton"));
    m_save->setDefault(true);
    style::setRole(m_save, "primary");
    auto* cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    layout->addWidget(buttons);
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_save, &QPushButton::clicked, this, &PolicyEditor::save);
    connect(m_tenants, &ChoiceListModel::checkedChanged, this, &PolicyEditor::refreshRoles);
    connect(&context.workspace, &client::Workspace::changed, this, [this](client::Workspace::Kind kind) {
        if (kind == client::Workspace::Kind::Connections)
            refreshRoles();
    });
    for (ChoiceListModel* m : {m_subjects, m_tenants, m_roles})
        connect(m, &ChoiceListModel::checkedChanged, this, &PolicyEditor::updateCounts);

    const QString heading = policyId.isEmpty() ? tr("New access policy") : QString();
    title->setText(heading);
    setWindowTitle(heading);
    for (const models::Policy& p : ws.policies()) {
        if (p.id == policyId) {
            title->setText(tr("Change %1").arg(p.name));
            setWindowTitle(title->text());
            fill(p);
        }
    }
    refreshRoles();
    updateCounts();
    m_name->setFocus();
}

PolicyEditor::~PolicyEditor() = default;

QWidget* PolicyEditor::makeList(const QString& title, const QString& objectName, ChoiceListModel* model,
                                RowSearchProxy* proxy, const QStringList& paths, QLabel** count)
{
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* label = new QLabel(title, box);
    style::setRole(label, "subtitle");
    auto* search = new QLineEdit(box);
    search->setObjectName(objectName + QStringLiteral("Search"));
    search->setPlaceholderText(tr("Search"));
    search->setClearButtonEnabled(true);
    search->setAccessibleName(tr("Search %1").arg(QString(title).remove(QLatin1Char('&'))));
    label->setBuddy(search);
    proxy->setSourceModel(model);
    proxy->sort(0);
    auto* list = new QListView(box);
    list->setObjectName(objectName + QStringLiteral("List"));
    list->setModel(proxy);
    list->setAccessibleName(QString(title).remove(QLatin1Char('&')));
    list->setAccessibleDescription(tr("Space ticks the selected entry."));
    connect(search, &QLineEdit::textChanged, proxy, &RowSearchProxy::setSearchText);
    layout->addWidget(label);
    layout->addWidget(search);
    layout->addWidget(list, 1);
    QLabel* message = m_errors->addField(list, paths);
    message->setParent(box);
    layout->addWidget(message);
    *count = new QLabel(box);
    (*count)->setObjectName(objectName + QStringLiteral("Count"));
    style::setRole(*count, "muted");
    (*count)->setWordWrap(true);
    layout->addWidget(*count);
    return box;
}

void PolicyEditor::fill(const models::Policy& p)
{
    m_version = p.version;
    m_name->setText(p.name);
    m_description->setPlainText(p.description);
    m_maxDuration->setValue(p.maxDurationMinutes);
    m_requireApproval->setChecked(p.requireApproval);
    m_requireTicket->setChecked(p.requireTicket);
    m_requireJustification->setChecked(p.requireJustification);
    QStringList subjects;
    for (const models::PolicySubject& s : p.subjects)
        subjects << subjectKey(s);
    m_subjects->setChecked(subjects);
    m_tenants->setChecked(p.tenantIds);
    refreshRoles();
    m_roles->setChecked(p.roleDefinitionIds);
}

// The roles on offer are those the chosen tenants offer; one offered by only some of them is granted only there.
void PolicyEditor::refreshRoles()
{
    client::Workspace& ws = m_context.workspace;
    const QStringList chosen = m_tenants->checkedOfferedIds();
    QMap<QString, QStringList> offeredBy; // role → tenant names
    QHash<QString, QString> names;
    QSet<QString> privileged;
    for (const QString& tenantId : chosen) {
        const models::Tenant* t = ws.tenant(tenantId);
        if (!t)
            continue;
        for (const models::OfferedRole& r : t->connection.rolesOffered) {
            offeredBy[r.roleDefinitionId] << t->name;
            names.insert(r.roleDefinitionId, r.displayName);
        }
        if (const models::ConnectionState* c = ws.connection(tenantId); c && c->report) {
            for (const models::RoleDefinition& d : c->report->roleDefinitions) {
                if (d.isPrivileged)
                    privileged.insert(d.id);
            }
        } else if (!m_askedConnections.contains(tenantId)) {
            // Which roles are privileged is in the tenant's connection report: read it once, mark them when it comes.
            m_askedConnections.insert(tenantId);
            ws.refreshConnection(tenantId);
        }
    }
    QList<ChoiceListModel::Choice> choices;
    for (auto it = offeredBy.begin(); it != offeredBy.end(); ++it) {
        const QString detail = it.value().size() == chosen.size()
            ? tr("Offered in every chosen tenant")
            : tr("Offered only in %1").arg(it.value().join(QStringLiteral(", ")));
        choices.append({it.key(), names.value(it.key()), detail, privileged.contains(it.key())});
    }
    // Roles still ticked but no longer offered stay listed, so saving does not drop them silently.
    for (const QString& id : m_roles->checkedIds()) {
        if (!offeredBy.contains(id))
            choices.append({id, names.value(id, id), tr("Not offered by the chosen tenants"), false});
    }
    m_roles->setChoices(choices);
    updateCounts();
}

void PolicyEditor::updateCounts()
{
    int people = 0;
    int groups = 0;
    for (const QString& key : m_subjects->checkedIds())
        (key.startsWith(QLatin1String("group:")) ? groups : people)++;
    m_subjectsCount->setText(tr("%n person(s)", nullptr, people) + QStringLiteral(", ")
                             + tr("%n group(s)", nullptr, groups));
    m_tenantsCount->setText(tr("%n tenant(s)", nullptr, int(m_tenants->checkedIds().size())));
    m_rolesCount->setText(m_roles->choices().isEmpty()
                              ? tr("Choose tenants first: the roles they offer are listed here.")
                              : tr("%n role(s)", nullptr, int(m_roles->checkedIds().size())));
}

models::Policy PolicyEditor::policy() const
{
    models::Policy p;
    p.id = m_policyId;
    p.version = m_version;
    p.name = m_name->text().trimmed();
    p.description = m_description->toPlainText().trimmed();
    p.maxDurationMinutes = m_maxDuration->value();
    p.requireApproval = m_requireApproval->isChecked();
    p.requireTicket = m_requireTicket->isChecked();
    p.requireJustification = m_requireJustification->isChecked();
    for (const QString& key : m_subjects->checkedIds())
        p.subjects.append(subjectOf(key));
    p.tenantIds = m_tenants->checkedIds();
    p.roleDefinitionIds = m_roles->checkedIds();
    return p;
}

void PolicyEditor::save()
{
    m_errors->clear();
    if (m_name->text().trimmed().isEmpty()) {
        m_errors->showField(QStringLiteral("name"), tr("Give the policy a name"));
        m_name->setFocus();
        return;
    }
    m_save->setEnabled(false);
    m_status->busy(tr("Saving…"));
    client::Workspace& ws = m_context.workspace;
    const models::Policy p = policy();
    auto call = m_policyId.isEmpty() ? ws.api().createPolicy(p) : ws.api().updatePolicy(p);
    ws.track(call).then(this, [this](const Result<models::Policy>& r) {
        m_save->setEnabled(true);
        if (r.ok()) {
            emit saved(r->id);
            accept();
            return;
        }
        if (r.error().code == QLatin1String(client::errors::kVersionConflict)) {
            m_status->busy(tr("Someone else changed this policy; reading their version…"));
            client::Workspace& ws = m_context.workspace;
            ws.api().policies().then(this, [this](const Result<QList<models::Policy>>& all) {
                if (!all.ok()) {
                    m_status->failed(all.error());
                    return;
                }
                for (const models::Policy& fresh : all.value()) {
                    if (fresh.id != m_policyId)
                        continue;
                    m_context.workspace.track(client::Call<models::Policy>::resolved(fresh));
                    fill(fresh);
                    m_status->refused(tr("Someone else saved changes to this policy while you were editing. The form "
                                         "now shows their version; make your change again and save."));
                    return;
                }
                m_status->refused(tr("Someone else deleted this policy while you were editing it."));
                m_save->setEnabled(false);
            });
            return;
        }
        m_errors->show(r.error());
    });
}

} // namespace stint::ui
