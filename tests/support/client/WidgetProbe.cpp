// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/client/WidgetProbe.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>

namespace stint::test::probe {

namespace {
bool modelShows(const QAbstractItemModel* model, const QModelIndex& parent, const QString& text, int depth)
{
    if (!model || depth > 3)
        return false;
    const int rows = model->rowCount(parent);
    const int columns = model->columnCount(parent);
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < columns; ++c) {
            const QModelIndex index = model->index(r, c, parent);
            if (index.data(Qt::DisplayRole).toString().contains(text))
                return true;
        }
        if (modelShows(model, model->index(r, 0, parent), text, depth + 1))
            return true;
    }
    return false;
}
} // namespace

bool shows(QWidget* root, const QString& text)
{
    if (!root || !root->isVisible())
        return false;
    for (QLabel* label : root->findChildren<QLabel*>()) {
        if (label->isVisible() && label->text().contains(text))
            return true;
    }
    for (QAbstractButton* button : root->findChildren<QAbstractButton*>()) {
        if (button->isVisible() && button->text().contains(text))
            return true;
    }
    for (QLineEdit* edit : root->findChildren<QLineEdit*>()) {
        if (edit->isVisible() && edit->text().contains(text))
            return true;
    }
    for (QAbstractItemView* view : root->findChildren<QAbstractItemView*>()) {
        if (view->isVisible() && modelShows(view->model(), QModelIndex(), text, 0))
            return true;
    }
    return false;
}

QWidget* visible(const QString& objectName)
{
    for (QWidget* top : QApplication::topLevelWidgets()) {
        if (!top->isVisible())
            continue;
        if (top->objectName() == objectName)
            return top;
        for (QWidget* w : top->findChildren<QWidget*>(objectName)) {
            if (w->isVisible())
                return w;
        }
    }
    return nullptr;
}

} // namespace stint::test::probe
