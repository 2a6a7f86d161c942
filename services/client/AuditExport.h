// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "models/Audit.h"

#include <QObject>
#include <QTimer>
#include <memory>

// Writes the organization's audit log, as filtered, to a file: every page of GET /v1/audit (newest first), one
// after another, streamed to disk as it arrives so a long log never sits in memory. Two formats:
//   CSV         RFC 4180 (fields quoted when they hold a comma, quote, CR or LF; quotes doubled; CRLF line ends),
//               a header row, `details` as compact JSON in one column. A cell that a spreadsheet would run as a
//               formula (leading = + - @ tab or CR) gets a leading apostrophe: the log holds text people typed.
//   JSON Lines  one event per line, exactly as the API gave it (AuditEvent::toJson), for tools and verification.
//
// The file appears only when the whole log was written (QSaveFile): a cancelled or failed export leaves nothing
// half-written behind, and an existing file is replaced only on success. A page that fails for a passing reason
// (timeout, 5xx, 429, the network) is asked again a few times with growing delays before the export fails.
//
// Lives in services/client because writing files is disk I/O, which ui/ never does: the UI only picks the name.
namespace stint::client {

class AuditExport : public QObject
{
    Q_OBJECT
public:
    enum class Format
    {
        Csv,
        JsonLines,
    };
    Q_ENUM(Format)

    // Error codes of a failed export (besides the API's own).
    static constexpr auto kBusy = "export.busy";
    static constexpr auto kIo = "export.io";
    static constexpr auto kCancelled = "export.cancelled";

    explicit AuditExport(CloudApi& api, QObject* parent = nullptr);
    ~AuditExport() override;

    // Writes every event that matches `filter` to `path`. Resolves with the number of events written, or fails
    // (export.busy while another export runs, export.io, export.cancelled, or the API's error).
    Call<qint64> start(const models::AuditFilter& filter, const QString& path, Format format);
    // Stops a running export: its call fails with export.cancelled and no file is written.
    void cancel();
    bool isRunning() const;

    // Events per page (1–200; the API's maximum is the default) and the first retry delay (doubling each time).
    void setPageSize(int events);
    void setRetryDelayMs(int ms);
    static constexpr int kMaxAttempts = 4;

    // The parts of the formats, public for their tests.
    static QByteArray csvHeader();
    static QByteArray csvRecord(const models::AuditEvent& event);
    static QByteArray csvField(const QString& value);
    static QByteArray jsonLine(const models::AuditEvent& event);

signals:
    // After each page: how many events are written so far, and the time of the oldest one (the log is read newest
    // first, so with a `from` filter this says how far along the export is).
    void progress(qint64 written, stint::TimeMs reachedAt);

private:
    struct Run;
    void fetchPage();
    void onPage(const Result<Page<models::AuditEvent>>& page);
    void finish(Result<qint64> result);

    CloudApi& m_api;
    std::unique_ptr<Run> m_run;
    int m_pageSize = 200;
    int m_retryDelayMs = 1000;
    quint64 m_generations = 0; // so a late page of a cancelled export is dropped
    QTimer m_retryTimer;
};

} // namespace stint::client
