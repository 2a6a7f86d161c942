// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/ConfirmDialog.h"

#include "ui/admin/ActionStatus.h"
#include "ui/common/Style.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace stint::ui {

ConfirmDialog::ConfirmDialog(QWidget* parent, const QString& title, const QString& consequence,
                             const QString& confirmText, Reason reasonKind, const QString& reasonLabel)
    : QDialog(parent)
    , m_reasonKind(reasonKind)
    , m_consequence(new QLabel(consequence, this))
    , m_status(new ActionStatus(this))
{
    setObjectName(QStringLiteral("confirmDialog"));
    setWindowTitle(title);
    setWindowModality(Qt::WindowModal);
    setAttribute(Qt::WA_DeleteOnClose);
    setMinimumWidth(440);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* heading = new QLabel(title, this);
    heading->setObjectName(QStringLiteral("confirmTitle"));
    style::setRole(heading, "subtitle");
    layout->addWidget(heading);
    m_consequence->setObjectName(QStringLiteral("confirmConsequence"));
    m_consequence->setWordWrap(true);
    m_consequence->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_consequence);

    if (reasonKind != Reason::None) {
        auto* label = new QLabel(reasonLabel.isEmpty() ? tr("&Reason") : reasonLabel, this);
        m_reason = new QLineEdit(this);
        m_reason->setObjectName(QStringLiteral("reasonEdit"));
        m_reason->setMaxLength(500);
        m_reason->setAccessibleName(label->text().remove(QLatin1Char('&')));
        m_reason->setPlaceholderText(reasonKind == Reason::Required ? tr("Required: it goes into the audit log")
                                                                    : tr("Optional: it goes into the audit log"));
        label->setBuddy(m_reason);
        layout->addSpacing(style::kGap / 2);
        layout->addWidget(label);
        layout->addWidget(m_reason);
        connect(m_reason, &QLineEdit::textChanged, this, &ConfirmDialog::updateButtons);
    }
    layout->addWidget(m_status);
    layout->addSpacing(style::kGap);

    auto* buttons = new QDialogButtonBox(this);
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_confirm = buttons->addButton(confirmText, QDialogButtonBox::AcceptRole);
    m_confirm->setObjectName(QStringLiteral("confirmButton"));
    style::setRole(m_confirm, "danger");
    layout->addWidget(buttons);
    connect(m_cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_confirm, &QPushButton::clicked, this, [this]() {
        if (m_reasonKind == Reason::Required && reason().isEmpty()) {
            m_status->refused(tr("Give a reason first."));
            m_reason->setFocus();
            return;
        }
        emit confirmed(reason());
    });
    updateButtons();
    if (m_reason)
        m_reason->setFocus();
    else
        m_cancel->setFocus();
}

QString ConfirmDialog::reason() const
{
    return m_reason ? m_reason->text().trimmed() : QString();
}

void ConfirmDialog::updateButtons()
{
    const bool ready = m_reasonKind != Reason::Required || !reason().isEmpty();
    m_confirm->setEnabled(ready && !m_status->isBusy());
    // Enter confirms only once a required reason shows the intent; otherwise it cancels.
    m_confirm->setDefault(ready && m_reasonKind == Reason::Required);
    m_cancel->setDefault(!m_confirm->isDefault());
}

void ConfirmDialog::busy(const QString& text)
{
    m_status->busy(text);
    m_confirm->setEnabled(false);
    if (m_reason)
        m_reason->setEnabled(false);
}

void ConfirmDialog::failed(const Error& error)
{
    m_status->failed(error);
    if (m_reason)
        m_reason->setEnabled(true);
    updateButtons();
}

void ConfirmDialog::finish()
{
    accept();
}

} // namespace stint::ui
