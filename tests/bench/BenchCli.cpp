// SPDX-License-Identifier: GPL-3.0-or-later
// bench_cli: the command line's `stint request --wait` end to end, as a person at a terminal sees it — the real stint
// binary, the real stint-cloud and entra-sim as processes, every Microsoft answer delayed by --latency-ms (20). For an
// account that exists (disabled, from an earlier checkout), `--rounds` times: from the moment the cloud received the
// POST (the checkout's requestedAt) to the moment the credential reached the bench on the command's stdout, the Graph
// requests made meanwhile and the time the simulator held them (the union of their spans: the critical path inside
// "Microsoft"), and what is left: Stint's own time (service, engine, live channel, the command line). Target:
// POST → printed ≤ 3 Graph round trips + 50 ms.
//
// Needs the system keychain: run it as  tests/support/with-keychain.sh build/bin/bench_cli [--rounds 20]
#include "client/HttpTransport.h"
#include "client/SecretStore.h"
#include "client/SessionKeeper.h"
#include "support/DemoWorld.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>

using namespace stint;
using namespace stint::test;

namespace {

void line(const char* name, double value, const char* unit = "")
{
    std::printf("%s %.1f%s\n", name, value, unit);
    std::fflush(stdout);
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p / 100.0 * double(v.size() - 1) + 0.5));
    return v[i];
}

[[noreturn]] void die(const QString& what)
{
    std::fprintf(stderr, "bench_cli: %s\n", what.toUtf8().constData());
    std::exit(1);
}

template <typename T> T need(Result<T> r, const char* what)
{
    if (!r.ok())
        die(QStringLiteral("%1: %2").arg(QLatin1String(what), r.error().message));
    return std::move(r).value();
}

// Union of the [received, answered] spans of Graph requests (the simulator's monotonic ms).
std::pair<int, qint64> graphOnly(const QJsonArray& log)
{
    std::vector<std::pair<qint64, qint64>> spans;
    int count = 0;
    for (const QJsonValue& v : log) {
        const QJsonObject r = v.toObject();
        if (r.value(QLatin1String("area")).toString() != QLatin1String("graph"))
            continue;
        ++count;
        spans.emplace_back(r.value(QLatin1String("receivedMs")).toInteger(), r.value(QLatin1String("answeredMs")).toInteger());
    }
    std::sort(spans.begin(), spans.end());
    qint64 inside = 0, end = 0;
    for (const auto& [a, b] : spans) {
        const qint64 start = std::max(a, end);
        if (b > start) {
            inside += b - start;
            end = b;
        }
    }
    return {count, inside};
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOption({QStringLiteral("rounds"), QStringLiteral("Requests to time (after one that makes the account)."), QStringLiteral("n"), QStringLiteral("20")});
    p.addOption({QStringLiteral("latency-ms"), QStringLiteral("Delay of every Microsoft answer."), QStringLiteral("ms"), QStringLiteral("20")});
    p.addHelpOption();
    p.process(app);
    const int rounds = p.value(QStringLiteral("rounds")).toInt();
    const int latency = p.value(QStringLiteral("latency-ms")).toInt();
    const QString stintBinary = QCoreApplication::applicationDirPath() + QStringLiteral("/stint");

    QTemporaryDir dir, secrets, home;
    const QString scenarioPath = QStringLiteral(STINT_SOURCE_DIR "/tests/entra-sim/scenarios/demo.json");
    QFile sf(scenarioPath);
    if (!sf.open(QIODevice::ReadOnly))
        die(QStringLiteral("no demo scenario"));
    const QJsonObject world = QJsonDocument::fromJson(sf.readAll()).object();
    const QJsonObject appReg = world.value(QLatin1String("apps")).toArray().first().toObject();
    const QString secretFile = secrets.filePath(QStringLiteral("app.secret"));
    QFile f(secretFile);
    if (!f.open(QIODevice::WriteOnly) || !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        die(QStringLiteral("secret file"));
    f.write(appReg.value(QLatin1String("secrets")).toArray().first().toObject().value(QLatin1String("value")).toString().toUtf8());
    f.close();
    QString adminPassword;
    for (const QJsonValue& t : world.value(QLatin1String("tenants")).toArray())
        for (const QJsonValue& u : t.toObject().value(QLatin1String("users")).toArray())
            if (u.toObject().value(QLatin1String("userPrincipalName")).toString() == QLatin1String("admin@contoso.com"))
                adminPassword = u.toObject().value(QLatin1String("password")).toString();

    SimProcess sim;
    if (!sim.start({QStringLiteral("--scenario"), scenarioPath}))
        die(QStringLiteral("entra-sim did not start"));
    const InitResult init = initDataDir(dir.path());
    CloudProcess cloud(dir.path());
    cloud.setLogFile(dir.filePath(QStringLiteral("cloud.log")));
    if (!cloud.start({QStringLiteral("--entra-global-authority"), sim.baseUrl(), QStringLiteral("--entra-global-graph"), sim.baseUrl(),
                      QStringLiteral("--entra-graph-resource"), QStringLiteral("https://graph.microsoft.com"),
                      QStringLiteral("--entra-app-client-id"), appReg.value(QLatin1String("clientId")).toString(),
                      QStringLiteral("--entra-app-client-secret-file"), secretFile}))
        die(QStringLiteral("stint-cloud did not start"));
    DemoWorld w(cloud, sim);
    need(w.enrollFirstAdmin(init.inviteToken, QStringLiteral("admin@msp.test")), "admin");
    const auto tech = need(w.addPerson(QStringLiteral("ada@msp.test"), QStringLiteral("Ada"), QStringLiteral("technician")), "technician");
    const QString tenant = need(w.addTenant(QStringLiteral("Contoso")), "tenant");
    if (need(w.connectByConsent(tenant, QStringLiteral("admin@contoso.com"), adminPassword), "connect") != QLatin1String("connected"))
        die(QStringLiteral("Contoso is not connected"));
    const QStringList roles{QStringLiteral("User Administrator"), QStringLiteral("Exchange Administrator")};
    if (auto ok = w.configureTenant(tenant, QStringLiteral("contoso.com"), roles, 30, 120, QStringLiteral("password")); !ok)
        die(ok.error().message);
    need(w.addPolicy(QStringLiteral("Helpdesk"), {tenant}, need(w.roleIds(tenant, roles), "roles"), {tech.id}, 120), "policy");

    // Ada's session in the keychain, as `stint login` keeps it.
    {
        const HttpResult me = cloud.get(QStringLiteral("/v1/me"), tech.token);
        models::SignedInSession s;
        s.token = crypto::SecretBytes(tech.token.toUtf8());
        s.sessionId = me.json.value(QLatin1String("sessionId")).toString();
        s.expiresAt = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
        s.person = *models::Person::fromJson(me.json.value(QLatin1String("person")).toObject());
        client::HttpTransport transport{QUrl(cloud.origin())};
        client::CloudApi api(transport);
        client::KeychainSecretStore store;
        client::SessionKeeper keeper(api, store);
        bool done = false, ok = false;
        QObject context;
        keeper.adopt(s).then(&context, [&](const Result<void>& r) {
            ok = r.ok();
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 30'000) || !ok)
            die(QStringLiteral("the keychain did not keep the session (run under tests/support/with-keychain.sh)"));
    }
    if (!sim.setFaults({{QStringLiteral("latency"), QJsonObject{{QStringLiteral("ms"), latency}}}}))
        die(QStringLiteral("latency fault"));

    std::vector<double> total, inside, own, graphRequests;
    for (int round = 0; round <= rounds; ++round) {
        sim.clearRequests();
        QProcess stint;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.remove(QStringLiteral("DISPLAY"));
        stint.setProcessEnvironment(env);
        qint64 printedAt = 0;
        QByteArray out;
        QObject::connect(&stint, &QProcess::readyReadStandardOutput, [&]() {
            out += stint.readAllStandardOutput();
            if (!printedAt && out.contains("\"password\""))
                printedAt = QDateTime::currentMSecsSinceEpoch();
        });
        stint.start(stintBinary, {QStringLiteral("request"), QStringLiteral("Contoso"), QStringLiteral("--cloud"), cloud.origin(),
                                  QStringLiteral("--role"), roles.at(0), QStringLiteral("--role"), roles.at(1), QStringLiteral("--minutes"),
                                  QStringLiteral("30"), QStringLiteral("--wait"), QStringLiteral("--json")});
        if (!stint.waitForFinished(120'000) || stint.exitCode() != 0)
            die(QStringLiteral("stint request failed: ") + QString::fromUtf8(stint.readAllStandardError()));
        out += stint.readAllStandardOutput();
        const QString checkoutId = QJsonDocument::fromJson(out).object().value(QLatin1String("checkoutId")).toString();
        const HttpResult c = cloud.get(QStringLiteral("/v1/checkouts/") + checkoutId, tech.token);
        const qint64 requestedAt = QDateTime::fromString(c.json.value(QLatin1String("requestedAt")).toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
        const auto [graphCount, graphMs] = graphOnly(sim.requests());
        if (round > 0) { // the first round makes the account; the rest re-enable it
            total.push_back(double(printedAt - requestedAt));
            inside.push_back(double(graphMs));
            own.push_back(double(printedAt - requestedAt - graphMs));
            graphRequests.push_back(graphCount);
        }
        // End it and wait until it is over, so the next round finds the account disabled.
        cloud.post(QStringLiteral("/v1/checkouts/%1/end").arg(checkoutId), {}, tech.token);
        const QDeadlineTimer deadline(60'000);
        while (!deadline.hasExpired()
               && cloud.get(QStringLiteral("/v1/checkouts/") + checkoutId, tech.token).json.value(QLatin1String("state")).toString()
                   != QLatin1String("ended"))
            QTest::qWait(50); // a remote service's state: polled
    }
    line("rounds", double(rounds));
    line("latency_ms", latency);
    line("post_to_printed_p50_ms", percentile(total, 50));
    line("post_to_printed_p99_ms", percentile(total, 99));
    line("post_to_printed_max_ms", percentile(total, 100));
    line("graph_requests_p50", percentile(graphRequests, 50));
    line("graph_critical_path_p50_ms", percentile(inside, 50));
    line("graph_round_trips_p50", percentile(inside, 50) / std::max(1, latency));
    line("stint_own_p50_ms", percentile(own, 50));
    line("stint_own_p99_ms", percentile(own, 99));
    line("target_ms", 3.0 * latency + 50);
    return 0;
}
