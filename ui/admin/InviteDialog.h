// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/common/UiContext.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

// Invites a person: email, name and role. The answer carries the one-time enrollment link, which this dialog shows
// exactly once — with a Copy button (the clipboard is marked secret and cleared after a while) and the date it stops
// working — and which Stint keeps nowhere: closing the dialog forgets it.
namespace stint::ui {

class ActionStatus;
class FormErrors;

class InviteDialog : public QDialog
{
    Q_OBJECT
public:
    explicit InviteDialog(UiContext& context, QWidget* parent = nullptr);
    ~InviteDialog() override;

    static constexpr int kClipboardClearMs = 120'000;

signals:
    void invited(const QString& inviteId);

protected:
    void done(int result) override;

private:
    void submit();

    UiContext& m_context;
    QStackedWidget* m_pages;
    QLineEdit* m_email;
    QLineEdit* m_name;
    QComboBox* m_role;
    QLabel* m_linkIntro;
    QLineEdit* m_link;
    QLabel* m_copied;
    QPushButton* m_invite;
    QPushButton* m_cancel;
    QPushButton* m_copy;
    QPushButton* m_done;
    ActionStatus* m_status;
    std::unique_ptr<FormErrors> m_errors;
};

} // namespace stint::ui
