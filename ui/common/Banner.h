// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

// A one-line message across the top of a view — "Offline: showing what Stint last knew. Retrying in 8 s." — with an
// optional action button ("Retry now"). Hidden when there is nothing to say.
namespace stint::ui {

class Banner : public QFrame
{
    Q_OBJECT
public:
    explicit Banner(QWidget* parent = nullptr);

    // tone: "warn" | "bad" | "busy" | "good"
    void showMessage(const QString& text, const char* tone, const QString& actionText = {});
    void clear();
    QString text() const;

signals:
    void actionTriggered();

private:
    QLabel* m_text;
    QPushButton* m_action;
};

} // namespace stint::ui
