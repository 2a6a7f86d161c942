// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/AddTenantDialog.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/FormErrors.h"
#include "ui/common/Style.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace stint::ui {

AddTenantDialog::AddTenantDialog(UiContext& context, QWidget* parent)
    : QDialog(parent)
    , m_context(context)
    , m_name(new QLineEdit(this))
    , m_notes(new QPlainTextEdit(this))
    , m_status(new ActionStatus(this))
    , m_errors(std::make_unique<FormErrors>(m_status))
{
    setObjectName(QStringLiteral("addTenantDialog"));
    setWindowTitle(tr("Add a customer tenant"));
    setWindowModality(Qt::WindowModal);
    setAttribute(Qt::WA_DeleteOnClose);
    setMinimumWidth(460);

    m_name->setObjectName(QStringLiteral("tenantNameEdit"));
    m_name->setMaxLength(200);
    m_name->setPlaceholderText(tr("The customer's name, e.g. Contoso Ltd"));
    m_notes->setObjectName(QStringLiteral("tenantNotesEdit"));
    m_notes->setTabChangesFocus(true);
    m_notes->setPlaceholderText(tr("Optional: contract, contacts, anything technicians should know"));
    m_notes->setFixedHeight(80);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    auto* intro = new QLabel(tr("Add the customer first; then connect it to Microsoft Entra ID from its page."), this);
    intro->setWordWrap(true);
    style::setRole(intro, "muted");
    layout->addWidget(intro);
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto* nameLabel = new QLabel(tr("&Name"), this);
    nameLabel->setBuddy(m_name);
    auto* nameBox = new QVBoxLayout;
    nameBox->setSpacing(2);
    nameBox->addWidget(m_name);
    nameBox->addWidget(m_errors->addField(m_name, {QStringLiteral("name")}));
    form->addRow(nameLabel, nameBox);
    auto* notesLabel = new QLabel(tr("N&otes"), this);
    notesLabel->setBuddy(m_notes);
    auto* notesBox = new QVBoxLayout;
    notesBox->setSpacing(2);
    notesBox->addWidget(m_notes);
    notesBox->addWidget(m_errors->addField(m_notes, {QStringLiteral("notes")}));
    form->addRow(notesLabel, notesBox);
    m_name->setAccessibleName(tr("Name"));
    m_notes->setAccessibleName(tr("Notes"));
    layout->addLayout(form);
    layout->addWidget(m_status);

    auto* buttons = new QDialogButtonBox(this);
    m_create = buttons->addButton(tr("&Add tenant"), QDialogButtonBox::AcceptRole);
    m_create->setObjectName(QStringLiteral("createTenantButton"));
    m_create->setDefault(true);
    style::setRole(m_create, "primary");
    auto* cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    layout->addWidget(buttons);
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_create, &QPushButton::clicked, this, &AddTenantDialog::submit);
    m_name->setFocus();
}

AddTenantDialog::~AddTenantDialog() = default;

void AddTenantDialog::submit()
{
    m_errors->clear();
    const QString name = m_name->text().trimmed();
    if (name.isEmpty()) {
        m_errors->showField(QStringLiteral("name"), tr("Enter the customer's name"));
        m_name->setFocus();
        return;
    }
    m_create->setEnabled(false);
    m_status->busy(tr("Adding %1…").arg(name));
    auto& ws = m_context.workspace;
    ws.track(ws.api().createTenant(name, m_notes->toPlainText().trimmed()))
        .then(this, [this](const Result<models::Tenant>& r) {
            m_create->setEnabled(true);
            if (!r.ok()) {
                m_errors->show(r.error());
                return;
            }
            m_status->succeeded();
            emit created(r->id);
            accept();
        });
}

} // namespace stint::ui
