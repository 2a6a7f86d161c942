// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/admin/AdminPage.h"

class QLabel;
class QPushButton;
class QStackedWidget;
class QTableView;

// Access policies: who may ask for which roles in which tenants, for how long, and what a request must carry. The
// details say it in a sentence; deleting names what it takes away (live checkouts it alone granted are revoked).
namespace stint::ui {

class PoliciesModel;
class RowSearchProxy;
class SelectionKeeper;

class PoliciesPage : public AdminPage
{
    Q_OBJECT
public:
    explicit PoliciesPage(UiContext& context, QWidget* parent = nullptr);

    QString currentPolicyId() const;
    void newPolicy();
    void editPolicy();
    void deletePolicy();

private:
    void showDetails();

    PoliciesModel* m_model;
    RowSearchProxy* m_proxy;
    QTableView* m_table;
    SelectionKeeper* m_selection;
    QStackedWidget* m_detailsStack;
    QLabel* m_name;
    QLabel* m_summary;
    QLabel* m_description;
    QPushButton* m_edit;
    QPushButton* m_delete;
};

} // namespace stint::ui
