// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/AuditExport.h"

#include "client/ApiError.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>

Q_LOGGING_CATEGORY(lcAuditExport, "stint.client.auditexport")

namespace stint::client {

namespace {
const QList<QByteArray> kCsvColumns {"occurredAt", "seq",      "action",     "outcome",  "actorId",
                                     "actorLabel", "tenantId", "targetType", "targetId", "sourceAddress",
                                     "details",    "id",       "prevHash",   "hash"};

// Passing troubles worth asking again for; anything else (403, 422, an unreadable answer) fails at once.
bool isTransient(const Error& e)
{
    if (e.code == QLatin1String(errors::kTls))
        return false;
    if (errors::isNetwork(e))
        return true;
    const int status = errors::httpStatus(e);
    return status == 429 || status >= 500;
}
} // namespace

struct AuditExport::Run
{
    models::AuditFilter filter;
    Format format = Format::Csv;
    QSaveFile file;
    Call<qint64> call;
    QString cursor;
    qint64 written = 0;
    int attempt = 0;
    quint64 generation = 0;
};

AuditExport::AuditExport(CloudApi& api, QObject* parent)
    : QObject(parent)
    , m_api(api)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &AuditExport::fetchPage);
}

AuditExport::~AuditExport()
{
    if (m_run)
        finish(makeError(QString::fromLatin1(kCancelled), tr("The export was stopped.")));
}

void AuditExport::setPageSize(int events)
{
    m_pageSize = qBound(1, events, 200);
}

void AuditExport::setRetryDelayMs(int ms)
{
    m_retryDelayMs = qMax(0, ms);
}

bool AuditExport::isRunning() const
{
    return m_run != nullptr;
}

Call<qint64> AuditExport::start(const models::AuditFilter& filter, const QString& path, Format format)
{
    if (m_run)
        return Call<qint64>::failed(makeError(QString::fromLatin1(kBusy), tr("An export is already running.")));
    auto run = std::make_unique<Run>();
    run->filter = filter;
    run->format = format;
    run->generation = ++m_generations;
    run->file.setFileName(path);
    if (!run->file.open(QIODevice::WriteOnly)) {
        return Call<qint64>::failed(
            makeError(QString::fromLatin1(kIo), tr("Stint cannot write %1: %2.").arg(path, run->file.errorString())));
    }
    if (format == Format::Csv && run->file.write(csvHeader()) < 0) {
        run->file.cancelWriting();
        return Call<qint64>::failed(
            makeError(QString::fromLatin1(kIo), tr("Stint cannot write %1: %2.").arg(path, run->file.errorString())));
    }
    Call<qint64> call = run->call;
    m_run = std::move(run);
    qCInfo(lcAuditExport) << "export started" << (format == Format::Csv ? "csv" : "jsonl");
    fetchPage();
    return call;
}

void AuditExport::cancel()
{
    if (m_run)
        finish(makeError(QString::fromLatin1(kCancelled), tr("The export was cancelled; no file was written.")));
}

void AuditExport::fetchPage()
{
    if (!m_run)
        return;
    const quint64 generation = m_run->generation;
    m_api.audit(m_run->filter, m_run->cursor, m_pageSize)
        .then(this, [this, generation](const Result<Page<models::AuditEvent>>& page) {
            if (m_run && m_run->generation == generation)
                onPage(page);
        });
}

void AuditExport::onPage(const Result<Page<models::AuditEvent>>& page)
{
    if (!page.ok()) {
        if (isTransient(page.error()) && ++m_run->attempt < kMaxAttempts) {
            const int retryAfterMs = errors::retryAfterSeconds(page.error()) * 1000;
            const int delay = qMax(retryAfterMs, m_retryDelayMs << (m_run->attempt - 1));
            qCInfo(lcAuditExport) << "page failed, asking again in" << delay << "ms:" << page.error().code;
            m_retryTimer.start(delay);
            return;
        }
        return finish(page.error());
    }
    m_run->attempt = 0;
    QByteArray chunk;
    TimeMs reached = 0;
    for (const models::AuditEvent& e : page->items) {
        chunk += m_run->format == Format::Csv ? csvRecord(e) : jsonLine(e);
        reached = e.occurredAt;
    }
    if (!chunk.isEmpty() && m_run->file.write(chunk) != chunk.size())
        return finish(
            makeError(QString::fromLatin1(kIo),
                      tr("Stint cannot write %1: %2.").arg(m_run->file.fileName(), m_run->file.errorString())));
    m_run->written += page->items.size();
    if (!page->items.isEmpty())
        emit progress(m_run->written, reached);
    if (page->nextCursor.isEmpty())
        return finish(m_run->written);
    if (page->nextCursor == m_run->cursor || page->items.isEmpty())
        // A cursor that does not move on would loop for ever.
        return finish(errors::unexpected(QStringLiteral("an audit page that does not advance")));
    m_run->cursor = page->nextCursor;
    fetchPage();
}

void AuditExport::finish(Result<qint64> result)
{
    m_retryTimer.stop();
    std::unique_ptr<Run> run = std::move(m_run);
    if (result.ok() && !run->file.commit()) {
        result = makeError(QString::fromLatin1(kIo),
                           tr("Stint cannot write %1: %2.").arg(run->file.fileName(), run->file.errorString()));
    }
    if (!result.ok()) {
        run->file.cancelWriting();
        qCInfo(lcAuditExport) << "export ended without a file:" << result.error().code;
    } else {
        qCInfo(lcAuditExport) << "export written:" << result.value() << "events";
    }
    run->call.resolve(std::move(result));
}

// --- formats ---

QByteArray AuditExport::csvField(const QString& value)
{
    QString text = value;
    // Spreadsheets run a cell that starts like a formula; the log holds what people typed (justifications, names).
    if (!text.isEmpty()) {
        const QChar first = text.front();
        if (first == QLatin1Char('=') || first == QLatin1Char('+') || first == QLatin1Char('-')
            || first == QLatin1Char('@') || first == QLatin1Char('\t') || first == QLatin1Char('\r'))
            text.prepend(QLatin1Char('\''));
    }
    QByteArray utf8 = text.toUtf8();
    const bool quote = utf8.contains(',') || utf8.contains('"') || utf8.contains('\r') || utf8.contains('\n');
    if (!quote)
        return utf8;
    utf8.replace("\"", "\"\"");
    return '"' + utf8 + '"';
}

QByteArray AuditExport::csvHeader()
{
    QByteArray line;
    for (qsizetype i = 0; i < kCsvColumns.size(); ++i) {
        if (i > 0)
            line += ',';
        line += kCsvColumns.at(i);
    }
    return line + "\r\n";
}

QByteArray AuditExport::csvRecord(const models::AuditEvent& e)
{
    const QString details = QString::fromUtf8(QJsonDocument(e.details).toJson(QJsonDocument::Compact));
    const QStringList cells {toRfc3339(e.occurredAt),
                             QString::number(e.seq),
                             e.action,
                             e.outcome,
                             e.actorId,
                             e.actorLabel,
                             e.tenantId,
                             e.targetType,
                             e.targetId,
                             e.sourceAddress,
                             details,
                             e.id,
                             e.prevHash,
                             e.hash};
    QByteArray line;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i > 0)
            line += ',';
        line += csvField(cells.at(i));
    }
    return line + "\r\n";
}

QByteArray AuditExport::jsonLine(const models::AuditEvent& e)
{
    return QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace stint::client
