// SPDX-License-Identifier: GPL-3.0-or-later
// bench_desktop_memory: the desktop app's resident memory after a busy day replayed fast. The real `stint` binary,
// signed in as the demo technician Ada (as bench_desktop_start sets it up), window open, against the real stint-cloud
// and entra-sim as processes. Through the API, `--checkouts` (100) checkouts go through their whole life as fast as the
// engine allows — request → provisioning → ready → extended once → ended (every other one ended by Ada, the rest
// revoked by the admin) — two at a time, one per customer tenant (Contoso, Fabrikam: a person has one open checkout per
// tenant). The app receives every step as a live event and shows each checkout (its history grows to 100+); the
// benchmark follows the app's own view of each checkout in its debug log and reads /proc/<pid>/status (VmRSS, VmHWM)
// once the app has seen the last step: at the start (synced, window shown), after half and after all. Target: resident
// memory ≤ 120 MB after the day; the half-way figure shows whether it keeps growing.
//
// Needs the system keychain: run it as  tests/support/with-keychain.sh [xvfb-run -a] build/bin/bench_desktop_memory
#include "DesktopBench.h"

#include <QCommandLineParser>
#include <QDir>
#include <QSet>

using namespace stint;
using namespace stint::bench;

namespace {

// The app's view of checkouts, from its "checkout <id> is <state> version <n>" debug lines.
struct AppView
{
    QHash<QString, QString> state;
    int updates = 0;
};

const QRegularExpression kCheckoutLine(QStringLiteral("checkout (\\S+) is (\\S+) version (\\d+)"));

} // namespace

int main(int argc, char* argv[])
{
    g_name = "bench_desktop_memory";
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Resident memory of the real stint after 100 checkouts replayed fast."));
    p.addOption({QStringLiteral("checkouts"), QStringLiteral("Checkouts to replay (even)."), QStringLiteral("n"),
                 QStringLiteral("100")});
    p.addOption({QStringLiteral("app-log"), QStringLiteral("Print stint's log to stderr at the end.")});
    p.addHelpOption();
    p.process(app);
    const int total = std::max(2, p.value(QStringLiteral("checkouts")).toInt() / 2 * 2);
    AppProcess::showLog = p.isSet(QStringLiteral("app-log"));

    DesktopWorld w(2);
    QTemporaryDir home;
    for (const char* sub : {"config/stint", "data", "cache"})
        QDir().mkpath(home.filePath(QLatin1String(sub)));
    w.signInApp(home.path());
    const QString platform = platformForApp();

    qputenv("QT_LOGGING_RULES",
            "stint.app.desktop.info=true;stint.ui.shell.info=true;stint.client.workspace.debug=true");
    AppProcess stint(home.path(), platform);
    stint.start();
    stint.waitForLine(QRegularExpression(QStringLiteral("usable after")), 60'000);
    stint.waitForLine(QRegularExpression(QStringLiteral("in step with the service")), 60'000);

    // Follows the app's log for checkout lines (waitForLine consumes lines in order; this reads them all again).
    AppView view;
    size_t seenLines = 0;
    auto catchUp = [&]() {
        const QStringList lines = stint.log().split(QLatin1Char('\n'));
        for (; seenLines + 1 < size_t(lines.size()); ++seenLines) { // the last is an unfinished line (or empty)
            const auto m = kCheckoutLine.match(lines[qsizetype(seenLines)]);
            if (m.hasMatch()) {
                view.state.insert(m.captured(1), m.captured(2));
                ++view.updates;
            }
        }
    };
    // Waits until the app holds every one of `ids` as ended.
    auto appSawEnded = [&](const QStringList& ids) {
        stint.waitUntil(
            [&]() {
                catchUp();
                return std::all_of(ids.begin(), ids.end(),
                                   [&](const QString& id) { return view.state.value(id) == QLatin1String("ended"); });
            },
            QStringLiteral("the app's view of the ended checkouts"), 60'000);
    };

    const qint64 rssStart = stint.statusKb("VmRSS");
    figure("platform", platform);
    figure("checkouts", double(total));
    figure("rss_start_kb", double(rssStart));

    QStringList all;
    QElapsedTimer replay;
    replay.start();
    const int rounds = total / 2;
    for (int round = 0; round < rounds; ++round) {
        QStringList ids;
        for (const auto& t : w.tenants)
            ids << w.requestCheckout(t, 30);
        w.waitForStates(ids, {QStringLiteral("ready")});
        for (const QString& id : ids)
            w.call(QStringLiteral("POST"), QStringLiteral("/v1/checkouts/%1/extend").arg(id),
                   {{QStringLiteral("minutes"), 30}}, 200);
        for (int i = 0; i < ids.size(); ++i) {
            if ((round + i) % 2 == 0)
                w.call(QStringLiteral("POST"), QStringLiteral("/v1/checkouts/%1/end").arg(ids[i]), {}, 200);
            else
                w.call(QStringLiteral("POST"), QStringLiteral("/v1/checkouts/%1/revoke").arg(ids[i]),
                       {{QStringLiteral("reason"), QStringLiteral("Replay: revoked by the admin")}}, 200, true);
        }
        w.waitForStates(ids, {QStringLiteral("ended")});
        all << ids;
        if (all.size() - int(ids.size()) < total / 2 && all.size() >= total / 2) {
            appSawEnded(all);
            figure("rss_after_half_kb", double(stint.statusKb("VmRSS")));
        }
    }
    appSawEnded(all);
    const double replayS = double(replay.elapsed()) / 1000.0;
    const qint64 rssAfter = stint.statusKb("VmRSS");
    const qint64 hwm = stint.statusKb("VmHWM");
    figure("rss_after_kb", double(rssAfter));
    figure("hwm_kb", double(hwm));
    figure("rss_growth_kb", double(rssAfter - rssStart));
    figure("replay_s", replayS);
    figure("checkouts_per_s", double(total) / replayS);
    figure("app_checkout_updates", double(view.updates));
    // Every checkout went through at least provisioning, ready, extended, revoking or ending, ended.
    figure("app_updates_per_checkout", double(view.updates) / double(total));
    figure("rss_after_mb", double(rssAfter) / 1024.0);
    figure("target_mb", 120.0);
    stint.quit();
    return 0;
}
