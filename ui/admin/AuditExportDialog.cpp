// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/AuditExportDialog.h"

#include "client/AuditExport.h"
#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"

#include <QButtonGroup>
#include <QDate>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace stint::ui {

using client::AuditExport;

AuditExportDialog::AuditExportDialog(UiContext& context, const models::AuditFilter& filter,
                                     const QString& suggestedFolder, QWidget* parent)
    : QDialog(parent)
    , m_context(context)
    , m_filter(filter)
    , m_export(std::make_unique<AuditExport>(context.workspace.api()))
    , m_csv(new QRadioButton(tr("&CSV, for spreadsheets (details as JSON in one column)"), this))
    , m_jsonl(new QRadioButton(tr("&JSON Lines, one event per line as the API gives it (for tools)"), this))
    , m_path(new QLineEdit(this))
    , m_progress(new QProgressBar(this))
    , m_progressText(new QLabel(this))
    , m_status(new ActionStatus(this))
{
    setObjectName(QStringLiteral("auditExportDialog"));
    setWindowTitle(tr("Export the audit log"));
    setWindowModality(Qt::WindowModal);
    setAttribute(Qt::WA_DeleteOnClose);
    setMinimumWidth(560);

    m_csv->setObjectName(QStringLiteral("csvRadio"));
    m_jsonl->setObjectName(QStringLiteral("jsonlRadio"));
    auto* formats = new QButtonGroup(this);
    formats->addButton(m_csv);
    formats->addButton(m_jsonl);
    m_csv->setChecked(true);
    m_path->setObjectName(QStringLiteral("exportPathEdit"));
    m_path->setAccessibleName(tr("File"));
    const QString base = QStringLiteral("stint-audit-%1").arg(QDate::currentDate().toString(Qt::ISODate));
    m_path->setText(suggestedFolder.isEmpty() ? base + QStringLiteral(".csv")
                                              : suggestedFolder + QLatin1Char('/') + base + QStringLiteral(".csv"));
    m_progress->setObjectName(QStringLiteral("exportProgress"));
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_progressText->setObjectName(QStringLiteral("exportProgressText"));
    style::setRole(m_progressText, "muted");
    m_progressText->hide();

    QStringList scope;
    const TimeMs now = context.workspace.serverNow();
    if (filter.from)
        scope << tr("from %1").arg(TimeText::when(*filter.from, now));
    if (filter.to)
        scope << tr("until %1").arg(TimeText::when(*filter.to, now));
    if (!filter.actorId.isEmpty())
        scope << tr("by %1").arg(context.workspace.personName(filter.actorId));
    if (!filter.tenantId.isEmpty()) {
        const models::Tenant* t = context.workspace.tenant(filter.tenantId);
        scope << tr("in %1").arg(t ? t->name : filter.tenantId);
    }
    if (!filter.action.isEmpty())
        scope << tr("actions %1").arg(filter.action);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* title = new QLabel(tr("Export the audit log"), this);
    style::setRole(title, "title");
    layout->addWidget(title);
    auto* what = new QLabel(scope.isEmpty() ? tr("Every event of the log.")
                                            : tr("Every event %1.").arg(scope.join(QStringLiteral(", "))),
                            this);
    what->setObjectName(QStringLiteral("exportScope"));
    what->setWordWrap(true);
    style::setRole(what, "muted");
    layout->addWidget(what);
    layout->addWidget(m_csv);
    layout->addWidget(m_jsonl);
    auto* fileLabel = new QLabel(tr("&File"), this);
    fileLabel->setBuddy(m_path);
    layout->addWidget(fileLabel);
    auto* fileRow = new QHBoxLayout;
    auto* browseButton = new QPushButton(tr("&Browse…"), this);
    browseButton->setObjectName(QStringLiteral("exportBrowseButton"));
    browseButton->setAccessibleName(tr("Choose where to save"));
    fileRow->addWidget(m_path, 1);
    fileRow->addWidget(browseButton);
    layout->addLayout(fileRow);
    layout->addWidget(m_progress);
    layout->addWidget(m_progressText);
    layout->addWidget(m_status);
    auto* buttons = new QDialogButtonBox(this);
    m_start = buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_start->setObjectName(QStringLiteral("startExportButton"));
    m_start->setDefault(true);
    style::setRole(m_start, "primary");
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    layout->addWidget(buttons);

    connect(m_start, &QPushButton::clicked, this, &AuditExportDialog::start);
    connect(m_cancel, &QPushButton::clicked, this, &AuditExportDialog::reject);
    connect(browseButton, &QPushButton::clicked, this, &AuditExportDialog::browse);
    connect(m_csv, &QRadioButton::toggled, this, &AuditExportDialog::updateSuffix);
    connect(m_export.get(), &AuditExport::progress, this, [this](qint64 written, TimeMs reachedAt) {
        const TimeMs now = m_context.workspace.serverNow();
        if (m_filter.from && now > *m_filter.from) {
            // Newest first: how far back the export has come, out of the span asked for.
            const TimeMs top = m_filter.to.value_or(now);
            const double done = double(top - reachedAt) / double(std::max<TimeMs>(1, top - *m_filter.from));
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(qBound(0.0, done, 1.0) * 1000));
        }
        m_progressText->setText(
            tr("%n event(s) written, back to %1…", nullptr, int(written)).arg(TimeText::when(reachedAt, now)));
    });
}

AuditExportDialog::~AuditExportDialog() = default;

bool AuditExportDialog::isExporting() const
{
    return m_export->isRunning();
}

void AuditExportDialog::updateSuffix()
{
    QString path = m_path->text();
    const QString want = m_csv->isChecked() ? QStringLiteral(".csv") : QStringLiteral(".jsonl");
    const QString other = m_csv->isChecked() ? QStringLiteral(".jsonl") : QStringLiteral(".csv");
    if (path.endsWith(other)) {
        path.chop(other.size());
        m_path->setText(path + want);
    }
}

void AuditExportDialog::browse()
{
    auto* dialog = new QFileDialog(this, tr("Save the audit log as"));
    dialog->setObjectName(QStringLiteral("exportFileDialog"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters(m_csv->isChecked() ? QStringList {tr("CSV files (*.csv)")}
                                              : QStringList {tr("JSON Lines files (*.jsonl)")});
    dialog->setDefaultSuffix(m_csv->isChecked() ? QStringLiteral("csv") : QStringLiteral("jsonl"));
    dialog->selectFile(m_path->text());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, m_path, &QLineEdit::setText);
    dialog->open();
}

void AuditExportDialog::start()
{
    const QString path = m_path->text().trimmed();
    if (path.isEmpty()) {
        m_status->refused(tr("Choose a file to save to."));
        return;
    }
    m_start->setEnabled(false);
    m_csv->setEnabled(false);
    m_jsonl->setEnabled(false);
    m_path->setEnabled(false);
    m_progress->setRange(0, 0); // busy until the span is known
    m_progress->show();
    m_progressText->setText(tr("Reading the log…"));
    m_progressText->show();
    m_status->clear();
    const auto format = m_csv->isChecked() ? AuditExport::Format::Csv : AuditExport::Format::JsonLines;
    m_export->start(m_filter, path, format).then(this, [this, path](const Result<qint64>& r) {
        m_start->setEnabled(true);
        m_csv->setEnabled(true);
        m_jsonl->setEnabled(true);
        m_path->setEnabled(true);
        m_progress->hide();
        if (!r.ok()) {
            m_progressText->hide();
            if (r.error().code != QLatin1String(AuditExport::kCancelled))
                m_status->failed(r.error());
            else
                m_status->succeeded(r.error().message);
            return;
        }
        m_progressText->hide();
        m_status->succeeded(tr("%n event(s) written to %1.", nullptr, int(r.value())).arg(path));
        m_start->hide();
        m_cancel->setText(tr("Close"));
        m_cancel->setDefault(true);
    });
}

void AuditExportDialog::reject()
{
    // Closing while it runs stops it: nothing half-written is left behind.
    if (m_export->isRunning()) {
        m_export->cancel();
        return;
    }
    QDialog::reject();
}

} // namespace stint::ui
