// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Policy.h"
#include "ui/common/UiContext.h"

#include <QDialog>
#include <QSet>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

// Makes or changes an access policy: its name and description; who it covers (people and groups), where (tenants)
// and what (the roles those tenants offer, each marked where it is privileged); the longest checkout; and what a
// request must carry (approval, ticket, justification). The three lists sit side by side, each searchable, so a 422
// from the service lands under the list it is about. A policy changed by someone else meanwhile (409) is read again
// and shown, not overwritten.
namespace stint::ui {

class ActionStatus;
class ChoiceListModel;
class FormErrors;
class RowSearchProxy;

class PolicyEditor : public QDialog
{
    Q_OBJECT
public:
    // `policyId` empty: a new policy.
    PolicyEditor(UiContext& context, const QString& policyId, QWidget* parent = nullptr);
    ~PolicyEditor() override;

signals:
    void saved(const QString& policyId);

private:
    void fill(const models::Policy& policy);
    void refreshRoles();
    void updateCounts();
    void save();
    models::Policy policy() const;
    QWidget* makeList(const QString& title, const QString& objectName, ChoiceListModel* model, RowSearchProxy* proxy,
                      const QStringList& paths, QLabel** count);

    UiContext& m_context;
    QString m_policyId;
    qint64 m_version = 1;
    QSet<QString> m_askedConnections;

    QLineEdit* m_name;
    QPlainTextEdit* m_description;
    QSpinBox* m_maxDuration;
    QCheckBox* m_requireApproval;
    QCheckBox* m_requireTicket;
    QCheckBox* m_requireJustification;
    ChoiceListModel* m_subjects;
    ChoiceListModel* m_tenants;
    ChoiceListModel* m_roles;
    RowSearchProxy* m_subjectsProxy;
    RowSearchProxy* m_tenantsProxy;
    RowSearchProxy* m_rolesProxy;
    QLabel* m_subjectsCount = nullptr;
    QLabel* m_tenantsCount = nullptr;
    QLabel* m_rolesCount = nullptr;
    QPushButton* m_save;
    ActionStatus* m_status;
    std::unique_ptr<FormErrors> m_errors;
};

} // namespace stint::ui
