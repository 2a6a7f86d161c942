// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Audit.h"
#include "ui/admin/AdminPage.h"

#include <QTimer>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTableView;

// The organization's audit log, newest first: filtered by time (from, to), person, tenant and action (an exact name
// or a prefix such as "checkout."), read a page at a time ("Load more"), each event in full beside the list, and
// exported — all of the filtered log, not only what is loaded — to CSV or JSON Lines. Filters apply as they change
// (after a short pause), and a late answer for an older filter is dropped.
namespace stint::ui {

class AuditModel;
class RowSearchProxy;
class SelectionKeeper;

class AuditPage : public AdminPage
{
    Q_OBJECT
public:
    explicit AuditPage(UiContext& context, QWidget* parent = nullptr);

    models::AuditFilter filter() const;
    void reload();
    void loadMore();
    void exportLog();
    bool hasMore() const { return !m_cursor.isEmpty(); }

    static constexpr int kPageSize = 100;

protected:
    void showEvent(QShowEvent* event) override;

private:
    void fetch(bool append);
    void showDetails();
    void refillChoices();
    void updateFooter();

    AuditModel* m_model;
    RowSearchProxy* m_proxy;
    QTableView* m_table;
    SelectionKeeper* m_selection;
    QCheckBox* m_fromCheck;
    QDateTimeEdit* m_from;
    QCheckBox* m_toCheck;
    QDateTimeEdit* m_to;
    QComboBox* m_person;
    QComboBox* m_tenant;
    QComboBox* m_action;
    QPushButton* m_loadMore;
    QLabel* m_count;
    QStackedWidget* m_detailsStack;
    QLabel* m_title;
    QLabel* m_facts;
    QPlainTextEdit* m_details;
    QTimer m_debounce;
    QString m_cursor;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_loadedOnce = false;
};

} // namespace stint::ui
