// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Audit.h"
#include "ui/common/UiContext.h"

#include <QDialog>
#include <memory>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;

namespace stint::client {
class AuditExport;
}

// Exports the audit log as filtered on the page — every page of it, not only what is loaded — to CSV or JSON Lines,
// with progress (how many events, how far back) and cancel. The writing is client::AuditExport's; this dialog only
// picks the format and the file name.
namespace stint::ui {

class ActionStatus;

class AuditExportDialog : public QDialog
{
    Q_OBJECT
public:
    AuditExportDialog(UiContext& context, const models::AuditFilter& filter, const QString& suggestedFolder,
                      QWidget* parent = nullptr);
    ~AuditExportDialog() override;

    bool isExporting() const;

public slots:
    void reject() override;

private:
    void start();
    void browse();
    void updateSuffix();

    UiContext& m_context;
    models::AuditFilter m_filter;
    std::unique_ptr<client::AuditExport> m_export;
    QRadioButton* m_csv;
    QRadioButton* m_jsonl;
    QLineEdit* m_path;
    QProgressBar* m_progress;
    QLabel* m_progressText;
    ActionStatus* m_status;
    QPushButton* m_start;
    QPushButton* m_cancel;
};

} // namespace stint::ui
