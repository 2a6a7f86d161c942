// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "ui/common/UiContext.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

// Adds a webhook: where Stint posts (an https URL), a description, and which events (none ticked: all). The answer
// carries the signing secret, shown this once — hidden until asked, copyable as a secret — and dropped when the
// dialog closes; the receiver checks every delivery's signature with it.
namespace stint::ui {

class ActionStatus;
class FormErrors;

class WebhookDialog : public QDialog
{
    Q_OBJECT
public:
    explicit WebhookDialog(UiContext& context, QWidget* parent = nullptr);
    ~WebhookDialog() override;

    static constexpr int kClipboardClearMs = 60'000;

signals:
    void created(const QString& webhookId);

protected:
    void done(int result) override;

private:
    void submit();

    UiContext& m_context;
    client::SharedWebhook m_created;
    QStackedWidget* m_pages;
    QLineEdit* m_url;
    QLineEdit* m_description;
    QList<QCheckBox*> m_events;
    QLineEdit* m_secret;
    QPushButton* m_show;
    QPushButton* m_copy;
    QLabel* m_copied;
    QPushButton* m_create;
    QPushButton* m_cancel;
    QPushButton* m_done;
    ActionStatus* m_status;
    std::unique_ptr<FormErrors> m_errors;
};

} // namespace stint::ui
