// SPDX-License-Identifier: GPL-3.0-or-later
// Audit log throughput: (a) durable single-event appends, each its own committed transaction with synchronous=FULL;
// (b) verify() over a large chain built quickly in big transactions. Prints one "name value" line per figure.
#include "cloud/audit/AuditLog.h"
#include "cloud/schema/Schema.h"
#include "core/Crypto.h"
#include "store/SqlCipherDatabase.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>
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
    parser.addOptions({dirOption, appendsOption, eventsOption, orgsOption});
    parser.process(app);
    const qint64 appends = std::max<qint64>(1, parser.value(appendsOption).toLongLong());
    const qint64 events = std::max<qint64>(1, parser.value(eventsOption).toLongLong());
    const int orgCount = std::max(1, parser.value(orgsOption).toInt());

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
        figure("audit.bench.synchronous", sync && !sync->empty() ? sync->front().text(0) : QStringLiteral("?"));
        figure("audit.bench.journal_mode", mode && !mode->empty() ? mode->front().text(0) : QStringLiteral("?"));
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
        std::sort(latencies.begin(), latencies.end());
        const auto percentile = [&](double p) {
            return QString::number(double(latencies[size_t(double(latencies.size() - 1) * p)]) / 1000.0, 'f', 0);
        };
        figure("audit.append.durable_events", QString::number(appends));
        figure("audit.append.durable_events_per_s", QString::number(qint64(double(appends) / seconds)));
        figure("audit.append.durable_p50_us", percentile(0.50));
        figure("audit.append.durable_p99_us", percentile(0.99));
    }

    // (b) Build the rest of the chain in big transactions (append() joins them), then verify all of it.
    {
        AuditLog log(*db, clock);
        const qint64 toBuild = std::max<qint64>(0, events - appends);
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
        if (!report->intact)
            return 1;
    }
    return 0;
}
