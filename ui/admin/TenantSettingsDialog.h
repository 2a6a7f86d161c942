// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Connection.h"
#include "models/Tenant.h"
#include "ui/common/UiContext.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

// A tenant's settings: its name and notes; the verified domain accounts are made on (from the tenant's own list),
// the roles technicians may be given (from its role definitions, searchable, privileged ones marked), the default
// and longest checkout, the account naming rule with a live preview of the name it makes, the credential kind and
// what happens to the account when a checkout ends. Saved with the version that was read: when someone else saved
// first (409), the form reloads their version and says so, rather than overwriting it.
namespace stint::ui {

class ActionStatus;
class ChoiceListModel;
class FormErrors;
class RowSearchProxy;

class TenantSettingsDialog : public QDialog
{
    Q_OBJECT
public:
    TenantSettingsDialog(UiContext& context, const QString& tenantId, QWidget* parent = nullptr);
    ~TenantSettingsDialog() override;

    qint64 version() const { return m_version; }

signals:
    void saved(const QString& tenantId);

private:
    void fill(const models::Tenant& tenant);
    void fillFromReport(const models::ConnectionReport* report);
    void loadConnection();
    void updatePreview();
    void updateRolesSummary();
    void updateExpiryNote();
    void save();
    QJsonObject patch() const;

    UiContext& m_context;
    QString m_tenantId;
    qint64 m_version = 0;
    QString m_savedDomain;
    QList<models::OfferedRole> m_offered;

    QLineEdit* m_name;
    QPlainTextEdit* m_notes;
    QComboBox* m_domain;
    QLabel* m_domainNote;
    QLineEdit* m_rule;
    QLabel* m_preview;
    QComboBox* m_credentialKind;
    QComboBox* m_expiryAction;
    QLabel* m_expiryNote;
    QSpinBox* m_defaultDuration;
    QSpinBox* m_maxDuration;
    QLineEdit* m_roleSearch;
    QListView* m_roles;
    QLabel* m_rolesSummary;
    ChoiceListModel* m_roleChoices;
    RowSearchProxy* m_roleProxy;
    ActionStatus* m_loadStatus;
    ActionStatus* m_status;
    QPushButton* m_save;
    std::unique_ptr<FormErrors> m_errors;
};

} // namespace stint::ui
