// SPDX-License-Identifier: GPL-3.0-or-later
// Audit log throughput: (a) durable single-event appends, each its own committed transaction with synchronous=FULL
// (one fsync each); (a2) durable appends with group commit: --writers concurrent writers, each appending one event in
// its own deferred transaction and waiting until it is on disk (GroupCommit::whenDurable) before the next, as the
// cloud's requests do (the transactions started in one event-loop pass share a batch: one commit, one fsync); (b) verify() over a large chain built quickly in big transactions. Prints one "name value" line per
// figure, and exits non-zero when its own checks fail: the store is not in WAL mode with synchronous=FULL, an append
// fails or is never confirmed durable, the store does not hold every appended event, or verify does not find the
// whole chain intact.
#include "cloud/audit/AuditLog.h"
#include "cloud/schema/Schema.h"
#include "core/Crypto.h"
#include "store/GroupCommit.h"
#include "store/SqlCipherDatabase.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <algorithm>
#include <ctime>
#include <vector>

using namespace stint;
using namespace stint::cloud;

namespace {
QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

void figure(const char* name, const QString& value)
{
    out() << name << ' ' << value << Qt::endl;
}

[[noreturn]] void fail(const QString& what, const Error& error)
{
    QTextStream(stderr) << "bench_audit: " << what << ": " << error.message << " (" << error.code << ")\n";
    std::exit(1);
}

// A check of the benchmark's own: a figure measured on a run that fails one does not count.
void check(bool ok, const QString& what, int& failures)
{
    if (ok)
        return;
    QTextStream(stderr) << "bench_audit: check failed: " << what << '\n';
    figure("audit.bench.check_failed", what);
    ++failures;
}

QString percentileUs(std::vector<qint64> nanoseconds, double p)
{
    if (nanoseconds.empty())
        return QStringLiteral("0");
    std::sort(nanoseconds.begin(), nanoseconds.end());
    return QString::number(double(nanoseconds[size_t(double(nanoseconds.size() - 1) * p)]) / 1000.0, 'f', 0);
}

// Resident memory in KiB (Linux); 0 where unknown.
qint64 residentKib()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

AuditEvent event(const QString& org, qint64 i)
{
    AuditEvent e;
    e.orgId = org;
    e.actorId = QStringLiteral("prs_%1").arg(i % 50, 32, 16, QLatin1Char('0'));
    e.actorLabel = QStringLiteral("technician%1@msp.example.com").arg(i % 50);
    e.action = i % 3 == 0 ? QStringLiteral("checkout.transition") : QStringLiteral("credential.view");
    e.targetType = QStringLiteral("checkout");
    e.targetId = QStringLiteral("chk_%1").arg(i, 32, 16, QLatin1Char('0'));
    e.tenantId = QStringLiteral("tnt_%1").arg(i % 200, 32, 16, QLatin1Char('0'));
    e.sourceAddress = QStringLiteral("198.51.100.%1").arg(i % 250);
    e.outcome = QStringLiteral("success");
    e.details = QJsonObject {{QStringLiteral("from"), QStringLiteral("provisioning")},
                             {QStringLiteral("to"), QStringLiteral("ready")},
                             {QStringLiteral("roles"), QStringLiteral("User Administrator")}};
    return e;
}

std::unique_ptr<store::SqlCipherDatabase> openDatabase(const QString& path, const crypto::SecretBytes& key)
{
    auto db = store::SqlCipherDatabase::open(path, key, store::SqlCipherDatabase::OpenMode::CreateIfMissing);
    if (!db)
        fail(QStringLiteral("open"), db.error());
    return std::move(*db);
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Audit log benchmark"));
    parser.addHelpOption();
    const QCommandLineOption dirOption(QStringLiteral("dir"),
                                       QStringLiteral("Directory for the database (on the disk to measure)."),
                                       QStringLiteral("dir"), QDir::tempPath());
    const QCommandLineOption appendsOption(QStringLiteral("appends"), QStringLiteral("Durable appends to time."),
                                           QStringLiteral("n"), QStringLiteral("5000"));
    const QCommandLineOption eventsOption(QStringLiteral("events"), QStringLiteral("Events in the verified chain."),
                                          QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption orgsOption(QStringLiteral("orgs"),
                                        QStringLiteral("Organizations the verified events are spread over."),
                                        QStringLiteral("n"), QStringLiteral("1"));
    const QCommandLineOption groupOption(QStringLiteral("group-appends"),
                                         QStringLiteral("Durable appends to time with group commit."),
                                         QStringLiteral("n"), QStringLiteral("20000"));
    const QCommandLineOption writersOption(QStringLiteral("writers"),
                                           QStringLiteral("Concurrent writers during the group-commit appends (as "
                                                          "concurrent requests)."),
                                           QStringLiteral("n"), QStringLiteral("64"));
    parser.addOptions({dirOption, appendsOption, eventsOption, orgsOption, groupOption, writersOption});
    parser.process(app);
    const qint64 appends = std::max<qint64>(1, parser.value(appendsOption).toLongLong());
    const qint64 events = std::max<qint64>(1, parser.value(eventsOption).toLongLong());
    const int orgCount = std::max(1, parser.value(orgsOption).toInt());
    const qint64 groupAppends = std::max<qint64>(0, parser.value(groupOption).toLongLong());
    const int writers = std::max(1, parser.value(writersOption).toInt());
    int failures = 0;

    QTemporaryDir dir(QDir(parser.value(dirOption)).filePath(QStringLiteral("bench_audit-XXXXXX")));
    if (!dir.isValid()) {
        QTextStream(stderr) << "bench_audit: cannot create a directory in " << parser.value(dirOption) << '\n';
        return 1;
    }
    const QString path = dir.filePath(QStringLiteral("cloud.db"));
    const crypto::SecretBytes key(crypto::randomBytes(32));
    auto db = openDatabase(path, key);
    auto migrated = store::applyMigrations(*db, cloudMigrations(store::Backend::SqlCipher));
    if (!migrated)
        fail(QStringLiteral("migrate"), migrated.error());
    QStringList orgs;
    for (int i = 0; i < orgCount; ++i) {
        orgs << QStringLiteral("org_%1").arg(i, 32, 16, QLatin1Char('0'));
        auto r = db->exec(QStringLiteral("INSERT INTO organizations (id, name, settings, created_at, updated_at) "
                                         "VALUES (?, ?, '{}', 0, 0)"),
                          {orgs.last(), orgs.last()});
        if (!r)
            fail(QStringLiteral("insert organization"), r.error());
    }
    const SystemClock clock;

    figure("audit.bench.directory", dir.path());
    {
        auto sync = db->query(QStringLiteral("PRAGMA synchronous"));
        auto mode = db->query(QStringLiteral("PRAGMA journal_mode"));
        // 2 is FULL.
        const QString synchronous = sync && !sync->empty() ? sync->front().text(0) : QStringLiteral("?");
        const QString journal = mode && !mode->empty() ? mode->front().text(0) : QStringLiteral("?");
        figure("audit.bench.synchronous", synchronous);
        figure("audit.bench.journal_mode", journal);
        check(synchronous == QLatin1String("2"), QStringLiteral("the store is not synchronous=FULL"), failures);
        check(journal == QLatin1String("wal"), QStringLiteral("the store is not in WAL mode"), failures);
    }

    // (a) Durable appends: no outer transaction, so each append() begins and commits its own.
    {
        AuditLog log(*db, clock);
        std::vector<qint64> latencies;
        latencies.reserve(size_t(appends));
        QElapsedTimer total;
        total.start();
        for (qint64 i = 0; i < appends; ++i) {
            QElapsedTimer one;
            one.start();
            auto r = log.append(event(orgs.first(), i));
            if (!r)
                fail(QStringLiteral("durable append"), r.error());
            latencies.push_back(one.nsecsElapsed());
        }
        const double seconds = double(total.nsecsElapsed()) / 1e9;
        figure("audit.append.durable_events", QString::number(appends));
        figure("audit.append.durable_events_per_s", QString::number(qint64(double(appends) / seconds)));
        figure("audit.append.durable_p50_us", percentileUs(latencies, 0.50));
        figure("audit.append.durable_p99_us", percentileUs(latencies, 0.99));
    }

    // (a2) Durable appends with group commit: each writer appends one event in its own deferred transaction and
    // starts its next only once GroupCommit says the last is on disk.
    qint64 groupDurable = 0;
    if (groupAppends > 0) {
        AuditLog log(*db, clock);
        store::GroupCommit group(*db);
        std::vector<qint64> latencies;
        latencies.reserve(size_t(groupAppends));
        qint64 started = 0;
        qint64 refused = 0;
        QEventLoop loop;
        QElapsedTimer total;
        std::function<void()> appendOne = [&] {
            if (started >= groupAppends)
                return;
            const qint64 i = started++;
            QElapsedTimer one;
            one.start();
            store::Transaction tx(*db, store::Transaction::Mode::Write, store::Transaction::Durability::Deferred);
            if (!tx.started().ok())
                fail(QStringLiteral("begin"), tx.started().error());
            auto r = log.append(event(orgs.first(), appends + i));
            if (!r)
                fail(QStringLiteral("group append"), r.error());
            if (auto committed = tx.commit(); !committed)
                fail(QStringLiteral("group commit"), committed.error());
            group.whenDurable([&, one](bool durable) {
                latencies.push_back(one.nsecsElapsed());
                if (durable)
                    ++groupDurable;
                else
                    ++refused;
                if (groupDurable + refused == groupAppends)
                    loop.quit();
                else
                    appendOne();
            });
        };
        total.start();
        // Each writer's first append; the rest follow as their predecessors become durable.
        QMetaObject::invokeMethod(&loop, [&] {
            for (int w = 0; w < writers; ++w)
                appendOne();
        }, Qt::QueuedConnection);
        loop.exec();
        const double seconds = double(total.nsecsElapsed()) / 1e9;
        figure("audit.append.group_events", QString::number(groupAppends));
        figure("audit.append.group_writers", QString::number(writers));
        figure("audit.append.group_events_per_s", QString::number(qint64(double(groupDurable) / seconds)));
        figure("audit.append.group_fsyncs", QString::number(group.flushes()));
        figure("audit.append.group_events_per_fsync",
               QString::number(double(groupDurable) / double(std::max<quint64>(1, group.flushes())), 'f', 1));
        figure("audit.append.group_p50_us", percentileUs(latencies, 0.50));
        figure("audit.append.group_p99_us", percentileUs(latencies, 0.99));
        check(refused == 0, QStringLiteral("%1 group-commit appends were not confirmed durable").arg(refused),
              failures);
        check(group.flushes() > 0, QStringLiteral("group commit never flushed"), failures);
        auto sync = db->query(QStringLiteral("PRAGMA synchronous"));
        check(sync && !sync->empty() && sync->front().integer(0) == 2,
              QStringLiteral("synchronous=FULL was not restored after the deferred transactions"), failures);
    }

    // (b) Build the rest of the chain in big transactions (append() joins them), then verify all of it.
    const qint64 durableAppends = appends + groupDurable;
    {
        AuditLog log(*db, clock);
        const qint64 toBuild = std::max<qint64>(0, events - durableAppends);
        constexpr qint64 kBatch = 50'000;
        QElapsedTimer build;
        build.start();
        for (qint64 done = 0; done < toBuild;) {
            store::Transaction tx(*db);
            if (!tx.started().ok())
                fail(QStringLiteral("begin"), tx.started().error());
            const qint64 end = std::min(toBuild, done + kBatch);
            for (; done < end; ++done) {
                auto r = log.append(event(orgs.at(int(done % orgCount)), done));
                if (!r)
                    fail(QStringLiteral("batched append"), r.error());
            }
            auto committed = tx.commit();
            if (!committed)
                fail(QStringLiteral("commit"), committed.error());
        }
        const double seconds = double(build.nsecsElapsed()) / 1e9;
        figure("audit.append.batched_events_per_s", QString::number(qint64(double(toBuild) / std::max(seconds, 1e-9))));
    }
    figure("audit.bench.database_mib", QString::number(QFileInfo(path).size() / (1024 * 1024)));
    const qint64 expectedEvents = std::max(events, durableAppends);
    {
        auto stored = db->query(QStringLiteral("SELECT COUNT(*) FROM audit_events"));
        check(stored && !stored->empty() && stored->front().integer(0) == expectedEvents,
              QStringLiteral("the store does not hold the %1 events appended").arg(expectedEvents), failures);
        auto sizes = db->query(QStringLiteral("SELECT SUM(LENGTH(CAST(org_id AS BLOB)) + LENGTH(CAST(id AS BLOB))"
                                              " + LENGTH(CAST(actor_id AS BLOB)) + LENGTH(CAST(actor_label AS BLOB))"
                                              " + LENGTH(CAST(action AS BLOB)) + LENGTH(CAST(target_type AS BLOB))"
                                              " + LENGTH(CAST(target_id AS BLOB)) + LENGTH(CAST(tenant_id AS BLOB))"
                                              " + LENGTH(CAST(source_address AS BLOB)) + LENGTH(CAST(outcome AS BLOB))"
                                              " + LENGTH(CAST(details AS BLOB)) + LENGTH(prev_hash) + LENGTH(hash) + 16)"
                                              " FROM audit_events"));
        if (sizes && !sizes->empty() && expectedEvents > 0)
            figure("audit.bench.field_bytes_per_event", QString::number(sizes->front().integer(0) / expectedEvents));
        figure("audit.bench.file_bytes_per_event", QString::number(QFileInfo(path).size() / expectedEvents));
    }

    // A fresh connection, so verify() starts with SQLite's page cache empty (the OS cache stays warm).
    db.reset();
    db = openDatabase(path, key);
    {
        AuditLog log(*db, clock);
        const qint64 rssBefore = residentKib();
        const std::clock_t cpuStart = std::clock();
        QElapsedTimer timer;
        timer.start();
        auto report = log.verify();
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        const double cpuSeconds = double(std::clock() - cpuStart) / CLOCKS_PER_SEC;
        if (!report)
            fail(QStringLiteral("verify"), report.error());
        figure("audit.verify.events", QString::number(report->eventsChecked));
        figure("audit.verify.organizations", QString::number(orgCount));
        figure("audit.verify.intact", report->intact ? QStringLiteral("true") : QStringLiteral("false"));
        figure("audit.verify.seconds", QString::number(seconds, 'f', 2));
        // CPU time of this process: on a shared machine, wall time also counts waiting for a core.
        figure("audit.verify.cpu_seconds", QString::number(cpuSeconds, 'f', 2));
        figure("audit.verify.events_per_s", QString::number(qint64(double(report->eventsChecked) / seconds)));
        figure("audit.verify.rss_growth_kib", QString::number(residentKib() - rssBefore));
        figure("audit.verify.cores", QString::number(QThread::idealThreadCount()));
        check(report->intact, QStringLiteral("verify found the chain broken"), failures);
        check(report->eventsChecked == expectedEvents,
              QStringLiteral("verify checked %1 events of %2").arg(report->eventsChecked).arg(expectedEvents), failures);
    }
    return failures == 0 ? 0 : 1;
}
