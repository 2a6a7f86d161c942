// SPDX-License-Identifier: GPL-3.0-or-later
// stint-cloud as a whole process: start-to-ready time, idle resident memory, and authenticated small reads under load
// (wrk, 64 connections, on loopback): the read chosen (a technician's tenant list by default) and, in the same run,
// GET /v1/me, the cheapest authenticated read, as the yardstick. Prints one "name value" line per figure; run
// build/bin/bench_cloud.
//
// Its own checks decide its exit status: the probe of the read must answer 2xx with the content it should (for the
// tenant list: the ten granted tenants, each with the technician's grant), and every request under load must have
// been answered 2xx (no non-2xx answer, no socket error or timeout), else it names the failed checks on stderr and
// exits 1 — a figure of requests that failed, or answered less, is no figure.
#include "support/AdminSession.h"
#include "support/ApiSeed.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>
#include <QTextStream>

#include <algorithm>

#include <unistd.h>

namespace {
QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

void figure(const QString& name, const QString& value)
{
    out() << name << ' ' << value << Qt::endl;
}

[[noreturn]] void fail(const QString& what)
{
    QTextStream(stderr) << "bench_cloud: " << what << Qt::endl;
    std::exit(1);
}

// The checks that failed, reported together at the end (after every figure is printed).
QStringList& failedChecks()
{
    static QStringList failed;
    return failed;
}

void check(bool ok, const QString& what)
{
    if (!ok)
        failedChecks() << what;
}

qint64 residentKib(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

// CPU time the process has used (user + system), in microseconds.
double cpuMicros(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    // Fields after the command name (which may hold spaces, so from the last ')'): utime and stime are the 12th and
    // 13th, in clock ticks.
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    const double ticks = double(sysconf(_SC_CLK_TCK));
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) * 1e6 / ticks;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// wrk's latency figures ("99%   12.34ms") in milliseconds.
double wrkMillis(const QString& text)
{
    static const QRegularExpression re(QStringLiteral(R"(([\d.]+)(us|ms|s)\b)"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return -1;
    const double v = m.captured(1).toDouble();
    return m.captured(2) == QLatin1String("us") ? v / 1000 : m.captured(2) == QLatin1String("s") ? v * 1000 : v;
}

struct LoadOptions
{
    QString threads;
    QString connections;
    QString seconds;
};

// Loads `path` with wrk as `token`, prints the figures under `prefix` and checks that every request was answered 2xx.
// Besides wrk's rate and latencies, the service's own CPU time per request (user + system, from /proc): on a machine
// shared with wrk and other work it varies far less than the rate. Returns the requests per second and the CPU time
// per request (0 when wrk gave none).
std::pair<double, double> load(CloudProcess& cloud, qint64 pid, const QString& path, const QString& token,
                               const LoadOptions& options, const QString& prefix)
{
    const double cpuBefore = cpuMicros(pid);
    QProcess wrk;
    wrk.start(QStringLiteral("wrk"), {QStringLiteral("-t") + options.threads, QStringLiteral("-c") + options.connections,
                                       QStringLiteral("-d") + options.seconds + QStringLiteral("s"), QStringLiteral("--latency"),
                                       QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + token,
                                       cloud.url(path).toString()});
    // Keep the event loop turning meanwhile: the service's log output is read by this process.
    if (!QTest::qWaitFor([&] { return wrk.state() == QProcess::NotRunning; }, options.seconds.toInt() * 1000 + 60000))
        fail(QStringLiteral("wrk did not finish"));
    const double cpuUsed = cpuMicros(pid) - cpuBefore;
    const QString report = QString::fromUtf8(wrk.readAllStandardOutput());
    static const QRegularExpression rps(QStringLiteral(R"(Requests/sec:\s+([\d.]+))"));
    static const QRegularExpression total(QStringLiteral(R"(\n\s*(\d+) requests in )"));
    static const QRegularExpression p99(QStringLiteral(R"(\n\s+99%\s+(\S+))"));
    static const QRegularExpression p50(QStringLiteral(R"(\n\s+50%\s+(\S+))"));
    static const QRegularExpression non2xx(QStringLiteral(R"(Non-2xx or 3xx responses:\s+(\d+))"));
    static const QRegularExpression socketErrors(
        QStringLiteral(R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))"));
    const auto rate = rps.match(report);
    const auto requests = total.match(report);
    const auto failed = non2xx.match(report);
    const auto errors = socketErrors.match(report);
    const qint64 non2xxCount = failed.hasMatch() ? failed.captured(1).toLongLong() : 0;
    qint64 socketErrorCount = 0;
    for (int i = 1; errors.hasMatch() && i <= 4; ++i)
        socketErrorCount += errors.captured(i).toLongLong();
    figure(prefix + QStringLiteral(".requests_per_s"), rate.captured(1));
    figure(prefix + QStringLiteral(".p50_ms"), QString::number(wrkMillis(p50.match(report).captured(1)), 'f', 2));
    figure(prefix + QStringLiteral(".p99_ms"), QString::number(wrkMillis(p99.match(report).captured(1)), 'f', 2));
    const qint64 requestCount = requests.captured(1).toLongLong();
    const double cpuPerRequest = requestCount > 0 ? cpuUsed / double(requestCount) : 0;
    figure(prefix + QStringLiteral(".cpu_us_per_request"), QString::number(cpuPerRequest, 'f', 1));
    figure(prefix + QStringLiteral(".non_2xx"), QString::number(non2xxCount));
    figure(prefix + QStringLiteral(".socket_errors"), QString::number(socketErrorCount)); // connect, read, write, timeout
    check(wrk.exitStatus() == QProcess::NormalExit && wrk.exitCode() == 0 && rate.hasMatch()
              && requestCount > 0,
          QStringLiteral("wrk on %1 ran no requests or failed: %2%3")
              .arg(path, report.left(400), QString::fromUtf8(wrk.readAllStandardError().left(400))));
    check(non2xxCount == 0, QStringLiteral("%1.non_2xx is %2, must be 0").arg(prefix).arg(non2xxCount));
    check(socketErrorCount == 0, QStringLiteral("%1.socket_errors is %2 (%3), must be 0").arg(prefix).arg(socketErrorCount).arg(errors.captured(0)));
    return {rate.captured(1).toDouble(), cpuPerRequest};
}
} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Benchmarks stint-cloud as a process."));
    parser.addHelpOption();
    QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("wrk duration (default 10)."), QStringLiteral("s"), QStringLiteral("10"));
    QCommandLineOption connections(QStringLiteral("connections"), QStringLiteral("wrk connections (default 64)."), QStringLiteral("n"), QStringLiteral("64"));
    QCommandLineOption starts(QStringLiteral("starts"), QStringLiteral("start-to-ready samples (default 10)."), QStringLiteral("n"), QStringLiteral("10"));
    QCommandLineOption path(QStringLiteral("path"), QStringLiteral("the read to load (default /v1/tenants)."), QStringLiteral("p"), QStringLiteral("/v1/tenants"));
    // One wrk thread by default: the service is single-threaded, and on a 2-core machine a second wrk thread takes
    // CPU from the service it measures.
    QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("wrk threads (default 1)."), QStringLiteral("n"), QStringLiteral("1"));
    parser.addOptions({seconds, connections, starts, path, threads});
    parser.process(app);

    QTemporaryDir dir;
    const InitResult init = initDataDir(dir.path());
    if (init.inviteToken.isEmpty())
        fail(QStringLiteral("init failed"));

    // 1. Start to ready on an empty store: process start until the ready line (the listener is up).
    std::vector<double> readyMs;
    for (int i = 0; i < parser.value(starts).toInt(); ++i) {
        QProcess p;
        QByteArray text;
        QObject::connect(&p, &QProcess::readyReadStandardOutput, &p, [&] { text += p.readAllStandardOutput(); });
        QElapsedTimer t;
        t.start();
        p.start(QStringLiteral(STINT_CLOUD_BINARY), {QStringLiteral("serve"), QStringLiteral("--data-dir"), dir.path(),
                                                     QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
        if (!QTest::qWaitFor([&] { return text.contains("ready on"); }, 10000))
            fail(QStringLiteral("serve did not become ready"));
        readyMs.push_back(double(t.nsecsElapsed()) / 1e6);
        p.terminate();
        p.waitForFinished();
    }
    figure(QStringLiteral("cloud.start_to_ready_ms.median"), QString::number(median(readyMs), 'f', 1));
    figure(QStringLiteral("cloud.start_to_ready_ms.max"), QString::number(*std::max_element(readyMs.begin(), readyMs.end()), 'f', 1));

    // 2. A technician with access to a few tenants, for the load.
    CloudProcess cloud(dir.path());
    cloud.setLogFile(dir.filePath(QStringLiteral("cloud.log")));
    if (!cloud.start())
        fail(QStringLiteral("serve failed"));
    SoftAuthenticator adminKey(cloud.origin());
    const QString admin = enrollWithInvite(cloud, adminKey, init.inviteToken);
    const HttpResult invite = cloud.post(QStringLiteral("/v1/invites"),
                                         {{QStringLiteral("email"), QStringLiteral("tech@msp.test")},
                                          {QStringLiteral("role"), QStringLiteral("technician")}},
                                         admin);
    SoftAuthenticator techKey(cloud.origin());
    const QString tech = enrollWithInvite(cloud, techKey, inviteTokenFromLink(invite.json.value(QLatin1String("enrollmentUrl")).toString()));
    if (admin.isEmpty() || tech.isEmpty())
        fail(QStringLiteral("enrollment failed"));
    const HttpResult me = cloud.get(QStringLiteral("/v1/me"), tech);
    const QString techId = me.json.value(QLatin1String("person")).toObject().value(QLatin1String("id")).toString();
    const QString role = QStringLiteral("62e90394-69f5-4237-9190-012177145e10");
    QStringList tenantIds;
    for (int i = 0; i < 20; ++i) {
        const HttpResult t = cloud.post(QStringLiteral("/v1/tenants"),
                                        stint::test::tenantBody(QStringLiteral("Customer %1").arg(i), {role}), admin);
        if (t.status != 201)
            fail(QStringLiteral("creating a tenant failed: ") + QString::fromUtf8(t.body));
        tenantIds << t.json.value(QLatin1String("id")).toString();
    }
    // The technician is granted half of them.
    const HttpResult policy = cloud.post(QStringLiteral("/v1/policies"),
                                         stint::test::policyBody(QStringLiteral("Bench"), tenantIds.mid(0, 10), {role}, {techId}),
                                         admin);
    if (policy.status != 201)
        fail(QStringLiteral("creating the policy failed: ") + QString::fromUtf8(policy.body));
    const HttpResult probe = cloud.get(parser.value(path), tech);
    const QJsonArray probeItems = probe.json.value(QLatin1String("items")).toArray();
    figure(QStringLiteral("cloud.load.path"), parser.value(path));
    figure(QStringLiteral("cloud.load.probe_status"), QString::number(probe.status));
    figure(QStringLiteral("cloud.load.probe_items"), QString::number(probeItems.size()));
    figure(QStringLiteral("cloud.load.probe_bytes"), QString::number(probe.body.size()));
    check(probe.status >= 200 && probe.status < 300,
          QStringLiteral("cloud.load.probe_status is %1, must be 2xx: %2")
              .arg(probe.status)
              .arg(QString::fromUtf8(probe.body.left(300))));
    if (parser.value(path) == QLatin1String("/v1/tenants")) {
        // The tenant list must say what it is there to say: the ten granted tenants, each with the grant.
        QStringList listed;
        bool everyGranted = true;
        for (const QJsonValue& item : probeItems) {
            listed << item.toObject().value(QLatin1String("id")).toString();
            const QJsonArray grants = item.toObject().value(QLatin1String("myGrants")).toArray();
            everyGranted = everyGranted && grants.size() == 1
                && grants.at(0).toObject().value(QLatin1String("policyId")) == policy.json.value(QLatin1String("id"));
        }
        QStringList granted = tenantIds.mid(0, 10);
        granted.sort();
        check(listed == granted, QStringLiteral("the tenant list does not list exactly the ten granted tenants"));
        check(everyGranted, QStringLiteral("a listed tenant lacks the technician's grant"));
    }
    // 3. Idle memory: after set-up, with the service doing nothing.
    const qint64 pid = [&] {
        QProcess pgrep;
        pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-f"), QStringLiteral("serve --data-dir %1 ").arg(dir.path())});
        pgrep.waitForFinished();
        return QString::fromLatin1(pgrep.readAllStandardOutput()).split(QLatin1Char('\n')).value(0).toLongLong();
    }();
    if (pid <= 0)
        fail(QStringLiteral("cannot find the service's process"));
    figure(QStringLiteral("cloud.idle_rss_mib"), QString::number(double(residentKib(pid)) / 1024.0, 'f', 1));

    // 4. Load with wrk: the read, then GET /v1/me as the yardstick in the same run.
    const LoadOptions options{parser.value(threads), parser.value(connections), parser.value(seconds)};
    const auto [readRate, readCpu] = load(cloud, pid, parser.value(path), tech, options, QStringLiteral("cloud.read"));
    figure(QStringLiteral("cloud.loaded_rss_mib"), QString::number(double(residentKib(pid)) / 1024.0, 'f', 1));
    const auto [meRate, meCpu] = load(cloud, pid, QStringLiteral("/v1/me"), tech, options, QStringLiteral("cloud.me"));
    // The read's rate as a share of /v1/me's in this run, and the same by CPU time per request (me's / the read's).
    figure(QStringLiteral("cloud.read.share_of_me"), QString::number(meRate > 0 ? readRate / meRate : 0, 'f', 3));
    figure(QStringLiteral("cloud.read.cpu_share_of_me"), QString::number(readCpu > 0 ? meCpu / readCpu : 0, 'f', 3));

    for (const QString& failed : std::as_const(failedChecks()))
        QTextStream(stderr) << "bench_cloud: check failed: " << failed << Qt::endl;
    return failedChecks().isEmpty() ? 0 : 1;
}
