// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/admin/AdminPage.h"

class QLabel;
class QPushButton;
class QStackedWidget;
class QTableView;

// Groups of people, which access policies name so that access follows membership: their members, the policies that
// use them, and make / change / delete (deleting names the policies it affects).
namespace stint::ui {

class GroupsModel;
class RowSearchProxy;
class SelectionKeeper;

class GroupsPage : public AdminPage
{
    Q_OBJECT
public:
    explicit GroupsPage(UiContext& context, QWidget* parent = nullptr);

    QString currentGroupId() const;
    void newGroup();
    void editGroup();
    void deleteGroup();

private:
    void showDetails();

    GroupsModel* m_model;
    RowSearchProxy* m_proxy;
    QTableView* m_table;
    SelectionKeeper* m_selection;
    QStackedWidget* m_detailsStack;
    QLabel* m_name;
    QLabel* m_members;
    QLabel* m_policies;
    QPushButton* m_edit;
    QPushButton* m_delete;
};

} // namespace stint::ui
