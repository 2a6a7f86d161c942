// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QWidget>

// Looking at what a window shows, for GUI tests that check another helper's views without knowing their insides:
// the text of visible labels, buttons and item views' display data, and the dialogs that are open.
namespace stint::test::probe {

// Whether `text` appears (as a substring) in a visible label, button or line edit under `root`, or in the display
// text of a visible item view's rows (the first column's tree, enough for lists and tables).
bool shows(QWidget* root, const QString& text);
// The visible top-level or child widget with this object name, or null.
QWidget* visible(const QString& objectName);
template <typename T> T* visibleAs(const QString& objectName)
{
    return qobject_cast<T*>(visible(objectName));
}

} // namespace stint::test::probe
