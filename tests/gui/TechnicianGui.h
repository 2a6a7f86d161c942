// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "support/client/TechnicianWorld.h"
#include "ui/technician/TechnicianView.h"

#include <QAbstractButton>
#include <QApplication>
#include <QLabel>
#include <QtTest>
#include <memory>

// What the technician view's GUI tests share: a TechnicianWorld with the real TechnicianView on top, shown offscreen,
// and small helpers to find widgets by objectName (failing the test, not crashing, when one is missing).
namespace stint::test {

struct TechnicianGui : TechnicianWorld
{
    std::unique_ptr<ui::TechnicianView> view;

    // Signs in, waits for the workspace, and shows the view.
    bool open()
    {
        if (!start())
            return false;
        view = std::make_unique<ui::TechnicianView>(context);
        view->resize(1100, 760);
        view->show();
        return QTest::qWaitForWindowExposed(view.get());
    }

    // The visible widget named `name` under `root` (the view by default), or null.
    template <typename T> T* find(const QString& name, QWidget* root = nullptr) const
    {
        QWidget* from = root ? root : view.get();
        const QList<T*> all = from->findChildren<T*>(name);
        for (T* w : all) {
            if (w->isVisible())
                return w;
        }
        return all.isEmpty() ? nullptr : all.first();
    }

    // A top-level or child widget of type T named `name`, anywhere in the application (dialogs opened over the view).
    template <typename T> static T* anywhere(const QString& name)
    {
        for (QWidget* top : QApplication::topLevelWidgets()) {
            if (auto* w = qobject_cast<T*>(top); w && w->objectName() == name && w->isVisible())
                return w;
            for (T* w : top->findChildren<T*>(name)) {
                if (w->isVisible())
                    return w;
            }
        }
        return nullptr;
    }

    static QString text(QWidget* w)
    {
        if (auto* l = qobject_cast<QLabel*>(w))
            return l->text();
        if (auto* b = qobject_cast<QAbstractButton*>(w))
            return b->text();
        return {};
    }
};

} // namespace stint::test
