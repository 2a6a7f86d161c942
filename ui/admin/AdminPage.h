// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "ui/common/UiContext.h"

#include <QWidget>

class QAbstractItemModel;
class QBoxLayout;
class QFrame;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QVBoxLayout;

namespace stint::client {
class Workspace;
}

// What every admin page looks like: a title, one line saying what the page is for, a toolbar (the primary action
// first, search at the right), a status line for the page's calls, then the page's content — usually a table with a
// details pane beside it. The view's one clock reaches the page through tick() while it is shown.
namespace stint::ui {

class ActionStatus;
class RowSearchProxy;

class AdminPage : public QWidget
{
    Q_OBJECT
public:
    AdminPage(UiContext& context, const QString& title, const QString& explanation, QWidget* parent = nullptr);

    // Each second (on the second) while the page is shown.
    virtual void tick() { }
    // Ctrl+F: the page's search field, if it has one.
    void focusSearch();

protected:
    UiContext& context() const { return m_context; }
    client::Workspace& workspace() const;
    QHBoxLayout* toolbar() const { return m_toolbar; }
    QVBoxLayout* content() const { return m_content; }
    ActionStatus* status() const { return m_status; }

    QPushButton* addToolbarButton(const QString& text, const QString& objectName, const char* role = nullptr);
    // A search field at the toolbar's right that filters `proxy` as one types (the view's Ctrl+F focuses it).
    QLineEdit* addSearchField(RowSearchProxy* proxy, const QString& placeholder, const QString& objectName);
    // A read-only, row-selecting, sortable table over `model`.
    QTableView* makeTable(QAbstractItemModel* model, const QString& objectName, const QString& accessibleName);
    // Column widths for `table` (in model column order; 0 keeps the default); `stretch` takes the room left, so the
    // table fits its width instead of scrolling sideways.
    static void fitColumns(QTableView* table, int stretch, const QList<int>& widths);
    // A card for the details of the current object, and the two side by side (table wider).
    QFrame* makeDetailsCard(const QString& objectName);
    QWidget* sideBySide(QWidget* main, QWidget* details);

    // A label for a details pane: selectable, wrapping, with an object name for tests.
    QLabel* makeValueLabel(const QString& objectName, QWidget* parent);

private:
    UiContext& m_context;
    QHBoxLayout* m_toolbar;
    QVBoxLayout* m_content;
    ActionStatus* m_status;
    QLineEdit* m_search = nullptr;
};

} // namespace stint::ui
