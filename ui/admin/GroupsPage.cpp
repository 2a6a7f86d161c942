// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/GroupsPage.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/GroupDialog.h"
#include "ui/admin/SelectionKeeper.h"
#include "ui/common/Style.h"
#include "ui/models/GroupsModel.h"
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

GroupsPage::GroupsPage(UiContext& context, QWidget* parent)
    : AdminPage(context, tr("Groups"),
                tr("Groups of people. Access policies can name a group, so that access follows membership."), parent)
    , m_model(new GroupsModel(context.workspace, this))
    , m_proxy(new RowSearchProxy(this))
{
    setObjectName(QStringLiteral("groupsPage"));
    auto* add = addToolbarButton(tr("&New group…"), QStringLiteral("newGroupButton"), "primary");
    m_proxy->setSourceModel(m_model);
    addSearchField(m_proxy, tr("Search groups and members"), QStringLiteral("groupSearch"));
    m_table = makeTable(m_proxy, QStringLiteral("groupsTable"), tr("Groups"));
    m_table->sortByColumn(GroupsModel::Name, Qt::AscendingOrder);
    fitColumns(m_table, GroupsModel::Name, {0, 90, 130});
    m_selection = new SelectionKeeper(m_table);

    auto* card = makeDetailsCard(QStringLiteral("groupDetails"));
    auto* cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(0, 0, 0, 0);
    m_detailsStack = new QStackedWidget(card);
    cardLayout->addWidget(m_detailsStack);
    auto* none = new QLabel(tr("Choose a group to see its members and the policies that use it."), card);
    none->setAlignment(Qt::AlignCenter);
    none->setWordWrap(true);
    style::setRole(none, "muted");
    m_detailsStack->addWidget(none);
    auto* details = new QWidget(card);
    auto* layout = new QVBoxLayout(details);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    m_name = makeValueLabel(QStringLiteral("groupName"), details);
    style::setRole(m_name, "subtitle");
    layout->addWidget(m_name);
    m_members = makeValueLabel(QStringLiteral("groupMembers"), details);
    layout->addWidget(m_members);
    m_policies = makeValueLabel(QStringLiteral("groupPolicies"), details);
    style::setRole(m_policies, "muted");
    layout->addWidget(m_policies);
    auto* actions = new QHBoxLayout;
    m_edit = new QPushButton(tr("&Change…"), details);
    m_edit->setObjectName(QStringLiteral("editGroupButton"));
    m_delete = new QPushButton(tr("&Delete…"), details);
    m_delete->setObjectName(QStringLiteral("deleteGroupButton"));
    style::setRole(m_delete, "danger");
    actions->addWidget(m_edit);
    actions->addWidget(m_delete);
    actions->addStretch(1);
    layout->addLayout(actions);
    layout->addStretch(1);
    m_detailsStack->addWidget(details);
    content()->addWidget(sideBySide(m_table, card), 1);

    connect(add, &QPushButton::clicked, this, &GroupsPage::newGroup);
    connect(m_edit, &QPushButton::clicked, this, &GroupsPage::editGroup);
    connect(m_delete, &QPushButton::clicked, this, &GroupsPage::deleteGroup);
    connect(m_table, &QTableView::activated, this, &GroupsPage::editGroup);
    connect(m_selection, &SelectionKeeper::currentChanged, this, &GroupsPage::showDetails);
    connect(m_selection, &SelectionKeeper::currentUpdated, this, &GroupsPage::showDetails);
    showDetails();
}

QString GroupsPage::currentGroupId() const
{
    return m_selection->currentId();
}

void GroupsPage::showDetails()
{
    const models::Group* g = m_model->find(currentGroupId());
    m_edit->setEnabled(g);
    m_delete->setEnabled(g);
    if (!g) {
        m_detailsStack->setCurrentIndex(0);
        return;
    }
    m_detailsStack->setCurrentIndex(1);
    m_name->setText(g->name);
    QStringList names;
    for (const QString& id : g->memberIds)
        names << workspace().personName(id);
    names.sort(Qt::CaseInsensitive);
    m_members->setText(names.isEmpty()
                           ? tr("No members yet.")
                           : tr("%n member(s): %1", nullptr, int(names.size())).arg(names.join(QStringLiteral(", "))));
    const QStringList policies = m_model->policiesUsing(g->id);
    m_policies->setText(policies.isEmpty() ? tr("No access policy names this group.")
                                           : tr("Used by: %1").arg(policies.join(QStringLiteral(", "))));
}

void GroupsPage::newGroup()
{
    auto* dialog = new GroupDialog(context(), QString(), this);
    connect(dialog, &GroupDialog::saved, this, [this](const QString& id) {
        m_selection->select(id);
        status()->succeeded(tr("Group created."));
    });
    dialog->open();
}

void GroupsPage::editGroup()
{
    const QString id = currentGroupId();
    if (id.isEmpty())
        return;
    auto* dialog = new GroupDialog(context(), id, this);
    connect(dialog, &GroupDialog::saved, this, [this]() { status()->succeeded(tr("Group saved.")); });
    dialog->open();
}

void GroupsPage::deleteGroup()
{
    const models::Group* g = m_model->find(currentGroupId());
    if (!g)
        return;
    const QString id = g->id;
    const QString name = g->name;
    const QStringList policies = m_model->policiesUsing(id);
    const QString consequence = policies.isEmpty()
        ? tr("No access policy names %1, so nobody's access changes.").arg(name)
        : tr("%1 is removed from %n access polic(ies) (%2): its %3 member(s) lose what those policies grant them "
             "through it.",
             nullptr, int(policies.size()))
              .arg(name, policies.join(QStringLiteral(", ")))
              .arg(g->memberIds.size());
    auto* dialog = new ConfirmDialog(this, tr("Delete %1?").arg(name), consequence, tr("Delete group"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, id, name]() {
        dialog->busy(tr("Deleting…"));
        workspace().api().deleteGroup(id).then(dialog, [this, dialog, id, name](const Result<void>& r) {
            if (!r.ok()) {
                dialog->failed(r.error());
                return;
            }
            workspace().forget(Workspace::Kind::Groups, id);
            dialog->finish();
            status()->succeeded(tr("%1 was deleted.").arg(name));
        });
    });
    dialog->open();
}

} // namespace stint::ui
