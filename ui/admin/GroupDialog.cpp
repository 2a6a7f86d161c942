// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/GroupDialog.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/FormErrors.h"
#include "ui/common/Style.h"
#include "ui/models/ChoiceListModel.h"
#include "ui/models/PeopleModel.h"
#include "ui/models/RowSearchProxy.h"

#include <QDialogButtonBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QVBoxLayout>

namespace stint::ui {

GroupDialog::GroupDialog(UiContext& context, const QString& groupId, QWidget* parent)
    : QDialog(parent)
    , m_context(context)
    , m_groupId(groupId)
    , m_name(new QLineEdit(this))
    , m_search(new QLineEdit(this))
    , m_members(new QListView(this))
    , m_count(new QLabel(this))
    , m_choices(new ChoiceListModel(this))
    , m_proxy(new RowSearchProxy(this))
    , m_status(new ActionStatus(this))
    , m_errors(std::make_unique<FormErrors>(m_status))
{
    setObjectName(QStringLiteral("groupDialog"));
    setWindowModality(Qt::WindowModal);
    setAttribute(Qt::WA_DeleteOnClose);
    resize(480, 560);
    const client::Workspace& ws = context.workspace;
    QString name;
    QStringList members;
    for (const models::Group& g : ws.groups()) {
        if (g.id == groupId) {
            name = g.name;
            members = g.memberIds;
        }
    }
    setWindowTitle(groupId.isEmpty() ? tr("New group") : tr("Change %1").arg(name));

    QList<ChoiceListModel::Choice> choices;
    for (const models::Person& p : ws.people()) {
        QString label = p.displayName.isEmpty() ? p.email : p.displayName;
        if (p.status == QLatin1String("disabled"))
            label += tr(" (disabled)");
        choices.append({p.id, label, QStringLiteral("%1 · %2").arg(p.email, PeopleModel::roleText(p.role)), false});
    }
    m_choices->setChoices(choices);
    m_choices->setChecked(members);
    m_proxy->setSourceModel(m_choices);
    m_proxy->sort(0);

    m_name->setObjectName(QStringLiteral("groupNameEdit"));
    m_name->setText(name);
    m_name->setMaxLength(200);
    m_name->setAccessibleName(tr("Group name"));
    m_search->setObjectName(QStringLiteral("memberSearchEdit"));
    m_search->setPlaceholderText(tr("Search people"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search people"));
    m_members->setObjectName(QStringLiteral("membersList"));
    m_members->setModel(m_proxy);
    m_members->setAccessibleName(tr("Members"));
    m_members->setAccessibleDescription(tr("Tick the people in this group. Space ticks the selected person."));
    m_count->setObjectName(QStringLiteral("memberCount"));
    style::setRole(m_count, "muted");

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* title = new QLabel(windowTitle(), this);
    style::setRole(title, "title");
    layout->addWidget(title);
    auto* nameLabel = new QLabel(tr("&Name"), this);
    nameLabel->setBuddy(m_name);
    layout->addWidget(nameLabel);
    layout->addWidget(m_name);
    layout->addWidget(m_errors->addField(m_name, {QStringLiteral("name")}));
    auto* membersLabel = new QLabel(tr("&Members"), this);
    membersLabel->setBuddy(m_search);
    layout->addWidget(membersLabel);
    layout->addWidget(m_search);
    layout->addWidget(m_members, 1);
    layout->addWidget(m_errors->addField(m_members, {QStringLiteral("memberIds")}));
    layout->addWidget(m_count);
    layout->addWidget(m_status);
    auto* buttons = new QDialogButtonBox(this);
    m_save = buttons->addButton(groupId.isEmpty() ? tr("&Create group") : tr("&Save"), QDialogButtonBox::AcceptRole);
    m_save->setObjectName(QStringLiteral("saveButton"));
    m_save->setDefault(true);
    style::setRole(m_save, "primary");
    auto* cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    layout->addWidget(buttons);

    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_save, &QPushButton::clicked, this, &GroupDialog::save);
    connect(m_search, &QLineEdit::textChanged, m_proxy, &RowSearchProxy::setSearchText);
    connect(m_choices, &ChoiceListModel::checkedChanged, this, &GroupDialog::updateCount);
    updateCount();
    m_name->setFocus();
}

GroupDialog::~GroupDialog() = default;

void GroupDialog::updateCount()
{
    m_count->setText(tr("%n member(s).", nullptr, int(m_choices->checkedIds().size())));
}

void GroupDialog::save()
{
    m_errors->clear();
    const QString name = m_name->text().trimmed();
    if (name.isEmpty()) {
        m_errors->showField(QStringLiteral("name"), tr("Give the group a name"));
        return;
    }
    m_save->setEnabled(false);
    m_status->busy(tr("Saving…"));
    client::Workspace& ws = m_context.workspace;
    const QStringList members = m_choices->checkedIds();
    auto call = m_groupId.isEmpty()
        ? ws.api().createGroup(name, members)
        : ws.api().updateGroup(
            m_groupId,
            {{QStringLiteral("name"), name}, {QStringLiteral("memberIds"), QJsonArray::fromStringList(members)}});
    ws.track(call).then(this, [this](const Result<models::Group>& r) {
        m_save->setEnabled(true);
        if (!r.ok()) {
            m_errors->show(r.error());
            return;
        }
        emit saved(r->id);
        accept();
    });
}

} // namespace stint::ui
