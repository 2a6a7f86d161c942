// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/PoliciesPage.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/PolicyEditor.h"
#include "ui/admin/SelectionKeeper.h"
#include "ui/common/EmptyState.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/PoliciesModel.h"
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

PoliciesPage::PoliciesPage(UiContext& context, QWidget* parent)
    : AdminPage(context, tr("Access policies"),
                tr("Who may ask for which roles in which tenants, for how long, and what a request must carry. "
                   "Nobody has access without one."),
                parent)
    , m_model(new PoliciesModel(context.workspace, this))
    , m_proxy(new RowSearchProxy(this))
{
    setObjectName(QStringLiteral("policiesPage"));
    auto* add = addToolbarButton(tr("&New policy…"), QStringLiteral("newPolicyButton"), "primary");
    m_proxy->setSourceModel(m_model);
    addSearchField(m_proxy, tr("Search policies, people, tenants, roles"), QStringLiteral("policySearch"));
    m_table = makeTable(m_proxy, QStringLiteral("policiesTable"), tr("Access policies"));
    m_table->sortByColumn(PoliciesModel::Name, Qt::AscendingOrder);
    fitColumns(m_table, PoliciesModel::Who, {150, 0, 110, 110, 65, 100});
    m_selection = new SelectionKeeper(m_table);

    auto* card = makeDetailsCard(QStringLiteral("policyDetails"));
    auto* cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(0, 0, 0, 0);
    m_detailsStack = new QStackedWidget(card);
    cardLayout->addWidget(m_detailsStack);
    auto* none = new QLabel(tr("Choose a policy to see what it grants."), card);
    none->setAlignment(Qt::AlignCenter);
    none->setWordWrap(true);
    style::setRole(none, "muted");
    m_detailsStack->addWidget(none);
    auto* details = new QWidget(card);
    auto* layout = new QVBoxLayout(details);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    m_name = makeValueLabel(QStringLiteral("policyName"), details);
    style::setRole(m_name, "subtitle");
    layout->addWidget(m_name);
    m_description = makeValueLabel(QStringLiteral("policyDescription"), details);
    style::setRole(m_description, "muted");
    layout->addWidget(m_description);
    m_summary = makeValueLabel(QStringLiteral("policySummary"), details);
    layout->addWidget(m_summary);
    auto* actions = new QHBoxLayout;
    m_edit = new QPushButton(tr("&Change…"), details);
    m_edit->setObjectName(QStringLiteral("editPolicyButton"));
    m_delete = new QPushButton(tr("&Delete…"), details);
    m_delete->setObjectName(QStringLiteral("deletePolicyButton"));
    style::setRole(m_delete, "danger");
    actions->addWidget(m_edit);
    actions->addWidget(m_delete);
    actions->addStretch(1);
    layout->addLayout(actions);
    layout->addStretch(1);
    m_detailsStack->addWidget(details);

    auto* stack = new QStackedWidget(this);
    auto* empty = new EmptyState(this);
    empty->setContent(tr("No access policies yet"),
                      tr("Without a policy nobody can ask for access. Make one: who, which tenants, which roles."),
                      tr("Make a policy"));
    stack->addWidget(empty);
    stack->addWidget(sideBySide(m_table, card));
    content()->addWidget(stack, 1);
    auto updateEmpty = [this, stack]() { stack->setCurrentIndex(m_model->rowCount() == 0 ? 0 : 1); };
    connect(m_model, &QAbstractItemModel::modelReset, stack, updateEmpty);
    updateEmpty();

    connect(add, &QPushButton::clicked, this, &PoliciesPage::newPolicy);
    connect(empty, &EmptyState::actionTriggered, this, &PoliciesPage::newPolicy);
    connect(m_edit, &QPushButton::clicked, this, &PoliciesPage::editPolicy);
    connect(m_delete, &QPushButton::clicked, this, &PoliciesPage::deletePolicy);
    connect(m_table, &QTableView::activated, this, &PoliciesPage::editPolicy);
    connect(m_selection, &SelectionKeeper::currentChanged, this, &PoliciesPage::showDetails);
    connect(m_selection, &SelectionKeeper::currentUpdated, this, &PoliciesPage::showDetails);
    showDetails();
}

QString PoliciesPage::currentPolicyId() const
{
    return m_selection->currentId();
}

void PoliciesPage::showDetails()
{
    const models::Policy* p = m_model->find(currentPolicyId());
    m_edit->setEnabled(p);
    m_delete->setEnabled(p);
    if (!p) {
        m_detailsStack->setCurrentIndex(0);
        return;
    }
    m_detailsStack->setCurrentIndex(1);
    m_name->setText(p->name);
    m_description->setText(p->description);
    m_description->setVisible(!p->description.isEmpty());
    const QString who = m_model->subjectsText(*p);
    const QString where = m_model->tenantsText(*p);
    const QString what = m_model->rolesText(*p);
    QStringList lines;
    lines << tr("Who: %1").arg(who.isEmpty() ? tr("nobody yet") : who);
    lines << tr("Tenants: %1").arg(where.isEmpty() ? tr("none yet") : where);
    lines << tr("Roles: %1").arg(what.isEmpty() ? tr("none yet") : what);
    lines << tr("For at most %1 at a time.").arg(TimeText::minutes(p->maxDurationMinutes));
    lines << tr("Requests need: %1.").arg(PoliciesModel::conditionsText(*p).toLower());
    m_summary->setText(lines.join(QLatin1Char('\n')));
}

void PoliciesPage::newPolicy()
{
    auto* editor = new PolicyEditor(context(), QString(), this);
    connect(editor, &PolicyEditor::saved, this, [this](const QString& id) {
        m_selection->select(id);
        status()->succeeded(tr("Policy created."));
    });
    editor->open();
}

void PoliciesPage::editPolicy()
{
    const QString id = currentPolicyId();
    if (id.isEmpty())
        return;
    auto* editor = new PolicyEditor(context(), id, this);
    connect(editor, &PolicyEditor::saved, this, [this]() { status()->succeeded(tr("Policy saved.")); });
    editor->open();
}

void PoliciesPage::deletePolicy()
{
    const models::Policy* p = m_model->find(currentPolicyId());
    if (!p)
        return;
    const QString id = p->id;
    const QString name = p->name;
    int live = 0;
    for (const models::Checkout& c : workspace().liveCheckouts())
        live += c.policyId == id ? 1 : 0;
    QString consequence = tr("%1 stops granting access: people covered only by it can no longer ask for it.").arg(name);
    if (live > 0)
        consequence += QLatin1Char(' ')
            + tr("It granted %n live checkout(s): Stint revokes those that no other policy grants.", nullptr, live);
    auto* dialog = new ConfirmDialog(this, tr("Delete %1?").arg(name), consequence, tr("Delete policy"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, id, name]() {
        dialog->busy(tr("Deleting…"));
        workspace().api().deletePolicy(id).then(dialog, [this, dialog, id, name](const Result<void>& r) {
            if (!r.ok()) {
                dialog->failed(r.error());
                return;
            }
            workspace().forget(Workspace::Kind::Policies, id);
            dialog->finish();
            status()->succeeded(tr("%1 was deleted.").arg(name));
        });
    });
    dialog->open();
}

} // namespace stint::ui
