// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/common/UiContext.h"

#include <QDialog>

class QLineEdit;
class QPlainTextEdit;
class QPushButton;

// Adds a customer tenant: a name and notes. Connecting it to Entra ID comes next, from the tenant's page.
namespace stint::ui {

class ActionStatus;
class FormErrors;

class AddTenantDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AddTenantDialog(UiContext& context, QWidget* parent = nullptr);
    ~AddTenantDialog() override;

signals:
    void created(const QString& tenantId);

private:
    void submit();

    UiContext& m_context;
    QLineEdit* m_name;
    QPlainTextEdit* m_notes;
    QPushButton* m_create;
    ActionStatus* m_status;
    std::unique_ptr<FormErrors> m_errors;
};

} // namespace stint::ui
