// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/common/UiContext.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QListView;
class QPushButton;

// Makes a group, or changes one: its name and members (people, ticked in a searchable list). Policies name groups
// so that access follows membership.
namespace stint::ui {

class ActionStatus;
class ChoiceListModel;
class FormErrors;
class RowSearchProxy;

class GroupDialog : public QDialog
{
    Q_OBJECT
public:
    // `groupId` empty: a new group.
    GroupDialog(UiContext& context, const QString& groupId, QWidget* parent = nullptr);
    ~GroupDialog() override;

signals:
    void saved(const QString& groupId);

private:
    void save();
    void updateCount();

    UiContext& m_context;
    QString m_groupId;
    QLineEdit* m_name;
    QLineEdit* m_search;
    QListView* m_members;
    QLabel* m_count;
    ChoiceListModel* m_choices;
    RowSearchProxy* m_proxy;
    QPushButton* m_save;
    ActionStatus* m_status;
    std::unique_ptr<FormErrors> m_errors;
};

} // namespace stint::ui
