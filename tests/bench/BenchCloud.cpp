// SPDX-License-Identifier: GPL-3.0-or-later
// stint-cloud as a whole process: start-to-ready time, idle resident memory, and authenticated small reads under load
// (wrk, 64 connections, on loopback). Prints one "name value" line per figure; run build/bin/bench_cloud.
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
    figure(QStringLiteral("cloud.load.path"), parser.value(path));
    figure(QStringLiteral("cloud.load.probe_status"), QString::number(probe.status));
    figure(QStringLiteral("cloud.load.probe_items"), QString::number(probe.json.value(QLatin1String("items")).toArray().size()));

    // 3. Idle memory: after set-up, with the service doing nothing.
    const qint64 pid = [&] {
        QProcess pgrep;
        pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-f"), QStringLiteral("serve --data-dir %1 ").arg(dir.path())});
        pgrep.waitForFinished();
        return QString::fromLatin1(pgrep.readAllStandardOutput()).split(QLatin1Char('\n')).value(0).toLongLong();
    }();
    figure(QStringLiteral("cloud.idle_rss_mib"), QString::number(double(residentKib(pid)) / 1024.0, 'f', 1));

    // 4. Load with wrk.
    QProcess wrk;
    wrk.start(QStringLiteral("wrk"), {QStringLiteral("-t") + parser.value(threads), QStringLiteral("-c") + parser.value(connections),
                                       QStringLiteral("-d") + parser.value(seconds) + QStringLiteral("s"), QStringLiteral("--latency"),
                                       QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + tech,
                                       cloud.url(parser.value(path)).toString()});
    // Keep the event loop turning meanwhile: the service's log output is read by this process.
    if (!QTest::qWaitFor([&] { return wrk.state() == QProcess::NotRunning; }, parser.value(seconds).toInt() * 1000 + 60000))
        fail(QStringLiteral("wrk did not finish"));
    const QString report = QString::fromUtf8(wrk.readAllStandardOutput());
    static const QRegularExpression rps(QStringLiteral(R"(Requests/sec:\s+([\d.]+))"));
    static const QRegularExpression p99(QStringLiteral(R"(\n\s+99%\s+(\S+))"));
    static const QRegularExpression p50(QStringLiteral(R"(\n\s+50%\s+(\S+))"));
    static const QRegularExpression non2xx(QStringLiteral(R"(Non-2xx or 3xx responses:\s+(\d+))"));
    figure(QStringLiteral("cloud.read.requests_per_s"), rps.match(report).captured(1));
    figure(QStringLiteral("cloud.read.p50_ms"), QString::number(wrkMillis(p50.match(report).captured(1)), 'f', 2));
    figure(QStringLiteral("cloud.read.p99_ms"), QString::number(wrkMillis(p99.match(report).captured(1)), 'f', 2));
    figure(QStringLiteral("cloud.read.non_2xx"), non2xx.match(report).hasMatch() ? non2xx.match(report).captured(1) : QStringLiteral("0"));
    figure(QStringLiteral("cloud.loaded_rss_mib"), QString::number(double(residentKib(pid)) / 1024.0, 'f', 1));
    return 0;
}
