// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

// The one confirmation every destructive admin action goes through: it names what will happen ("Disconnecting Contoso
// revokes its 2 live checkouts first"), optionally takes a reason (required for a revocation, asked for a denial),
// and stays open while the service works, showing progress and any failure in place; it closes itself when the
// caller reports success. Opened window-modal with open(), never exec(), so nothing blocks and tests drive it
// directly. The safe choice is the default: Enter cancels unless a required reason has been typed.
namespace stint::ui {

class ActionStatus;

class ConfirmDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Reason
    {
        None,
        Optional,
        Required,
    };

    ConfirmDialog(QWidget* parent, const QString& title, const QString& consequence, const QString& confirmText,
                  Reason reason = Reason::None, const QString& reasonLabel = {});

    QString reason() const;
    // Progress and outcome of the action the caller runs on confirmed().
    void busy(const QString& text);
    void failed(const Error& error);
    void finish(); // the action succeeded: closes the dialog

signals:
    void confirmed(const QString& reason);

private:
    void updateButtons();

    Reason m_reasonKind;
    QLabel* m_consequence;
    QLineEdit* m_reason = nullptr;
    ActionStatus* m_status;
    QPushButton* m_confirm;
    QPushButton* m_cancel;
};

} // namespace stint::ui
