// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

// What a list shows when it has nothing to show: a title, a sentence on why and what to do, and an optional button
// ("No tenants yet — Add a customer tenant"). Better than an empty grey box.
namespace stint::ui {

class EmptyState : public QWidget
{
    Q_OBJECT
public:
    explicit EmptyState(QWidget* parent = nullptr);

    void setContent(const QString& title, const QString& text, const QString& actionText = {});

signals:
    void actionTriggered();

private:
    QLabel* m_title;
    QLabel* m_text;
    QPushButton* m_action;
};

} // namespace stint::ui
