// SPDX-License-Identifier: GPL-3.0-or-later
// bench_desktop_start: the desktop app from exec to a usable window with a warm cache, as a technician starts it in the
// morning. The real `stint` binary, signed in as the demo technician Ada (her session in the keychain, the service
// address in the app's settings, a home of the benchmark's own) against the real stint-cloud and entra-sim as
// processes, her saved data (SQLCipher replica) filled by a first start that waits for the first sync. Then `--runs`
// cold process starts, each timed from just before exec to
//   - the app's "usable after N ms" line on stderr (the first painted frame showing the saved tenants and checkouts),
//     as read here; the app's own figure (from main()) is printed too;
//   - with a DISPLAY (run under xvfb-run): the window mapped on the X server.
// Then the same with the service stopped: the saved state must come up as fast without it. Each run is quit by
// SIGTERM (the app flushes and exits 0) before the next starts. Target: p90 ≤ 250 ms.
//
// Needs the system keychain: run it as  tests/support/with-keychain.sh [xvfb-run -a] build/bin/bench_desktop_start
#include "DesktopBench.h"

#include <QCommandLineParser>
#include <QDir>

#ifdef STINT_BENCH_XCB
#include <QSocketNotifier>
#include <xcb/xcb.h>
#endif

#include <cstdlib>

using namespace stint;
using namespace stint::bench;

namespace {

#ifdef STINT_BENCH_XCB
// Watches the X server for the app's top-level window being mapped (MapNotify on the root window, the window's
// _NET_WM_PID the app's). Without a window manager the app's own map request maps it at once.
class MapWatch
{
public:
    MapWatch()
    {
        m_c = xcb_connect(nullptr, nullptr);
        if (xcb_connection_has_error(m_c)) {
            xcb_disconnect(m_c);
            m_c = nullptr;
            return;
        }
        const xcb_screen_t* screen = xcb_setup_roots_iterator(xcb_get_setup(m_c)).data;
        const uint32_t mask = XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY;
        xcb_change_window_attributes(m_c, screen->root, XCB_CW_EVENT_MASK, &mask);
        const char name[] = "_NET_WM_PID";
        xcb_intern_atom_reply_t* atom
            = xcb_intern_atom_reply(m_c, xcb_intern_atom(m_c, 0, sizeof name - 1, name), nullptr);
        m_pidAtom = atom ? atom->atom : xcb_atom_t(XCB_ATOM_NONE);
        std::free(atom);
        xcb_flush(m_c);
        m_notifier = std::make_unique<QSocketNotifier>(xcb_get_file_descriptor(m_c), QSocketNotifier::Read);
        QObject::connect(m_notifier.get(), &QSocketNotifier::activated, [this]() { drain(); });
    }
    ~MapWatch()
    {
        m_notifier.reset();
        if (m_c)
            xcb_disconnect(m_c);
    }
    bool ok() const { return m_c != nullptr; }

    void arm(AppProcess* app)
    {
        drain();
        m_app = app;
        mappedMs = -1;
    }

    double mappedMs = -1;

private:
    void drain()
    {
        if (!m_c)
            return;
        while (xcb_generic_event_t* e = xcb_poll_for_event(m_c)) {
            if ((e->response_type & 0x7f) == XCB_MAP_NOTIFY && m_app && mappedMs < 0) {
                const double at = double(m_app->clock().nsecsElapsed()) / 1e6;
                const auto* map = reinterpret_cast<xcb_map_notify_event_t*>(e);
                if (!map->override_redirect && pidOf(map->window) == m_app->pid()) {
                    mappedMs = at;
                    m_app->poke();
                }
            }
            std::free(e);
        }
    }

    qint64 pidOf(xcb_window_t window)
    {
        xcb_get_property_reply_t* r = xcb_get_property_reply(
            m_c, xcb_get_property(m_c, 0, window, m_pidAtom, XCB_ATOM_CARDINAL, 0, 1), nullptr);
        qint64 pid = -1;
        if (r && xcb_get_property_value_length(r) == 4)
            pid = *static_cast<const uint32_t*>(xcb_get_property_value(r));
        std::free(r);
        return pid;
    }

    xcb_connection_t* m_c = nullptr;
    xcb_atom_t m_pidAtom = XCB_ATOM_NONE;
    std::unique_ptr<QSocketNotifier> m_notifier;
    AppProcess* m_app = nullptr;
};
#else
struct MapWatch
{
    bool ok() const { return false; }
    void arm(AppProcess*) { }
    double mappedMs = -1;
};
#endif

struct Figures
{
    std::vector<double> usable; // exec → the usable line read here
    std::vector<double> reported; // the app's own "usable after N ms"
    std::vector<double> mapped; // exec → MapNotify
};

const QRegularExpression kUsable(QStringLiteral("usable after (\\d+) ms(.*)$"));

Figures measure(const QString& home, const QString& platform, int runs, MapWatch& x)
{
    Figures f;
    for (int i = 0; i < runs; ++i) {
        AppProcess app(home, platform);
        app.start();
        x.arm(&app);
        const auto [match, at] = app.waitForLine(kUsable);
        // What became usable must be the saved workspace, not a sign-in screen.
        if (!match.captured(2).contains(QLatin1String("workspace")))
            die(QStringLiteral("stint became usable without the saved workspace:\n") + app.log());
        f.usable.push_back(at);
        f.reported.push_back(match.captured(1).toDouble());
        if (x.ok()) {
            app.waitUntil([&]() { return x.mappedMs >= 0; }, QStringLiteral("mapped window"));
            f.mapped.push_back(x.mappedMs);
        }
        x.arm(nullptr);
        app.quit();
    }
    return f;
}

void print(const char* prefix, const Figures& f)
{
    auto three = [prefix](const char* what, const std::vector<double>& v) {
        if (v.empty())
            return;
        for (const auto& [suffix, p] : {std::pair {"p50", 50.0}, std::pair {"p90", 90.0}, std::pair {"max", 100.0}})
            figure(QStringLiteral("%1%2_%3_ms")
                       .arg(QLatin1String(prefix), QLatin1String(what), QLatin1String(suffix))
                       .toUtf8()
                       .constData(),
                   percentile(v, p));
    };
    three("exec_to_usable", f.usable);
    three("app_reported_usable", f.reported);
    three("exec_to_mapped", f.mapped);
}

} // namespace

int main(int argc, char* argv[])
{
    g_name = "bench_desktop_start";
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Exec to a usable window of the real stint with a warm cache."));
    p.addOption({QStringLiteral("runs"), QStringLiteral("Cold process starts to time, each way."), QStringLiteral("n"),
                 QStringLiteral("20")});
    p.addOption({QStringLiteral("history"), QStringLiteral("Ended checkouts in the saved data (besides one live)."),
                 QStringLiteral("n"), QStringLiteral("20")});
    p.addOption({QStringLiteral("wrap"),
                 QStringLiteral("Run the timed starts under this command (space-separated, e.g. \"perf record -g -o "
                                "/tmp/perf.data --\"): to find where the time goes, not for figures."),
                 QStringLiteral("command")});
    p.addOption({QStringLiteral("app-log"), QStringLiteral("Print each run's log of stint to stderr.")});
    p.addHelpOption();
    p.process(app);
    const int runs = std::max(1, p.value(QStringLiteral("runs")).toInt());
    const int history = std::max(0, p.value(QStringLiteral("history")).toInt());

    DesktopWorld w(2);
    // What the saved data holds: two tenants, `history` ended checkouts and one live (ready for two hours).
    for (int i = 0; i < history; ++i) {
        const QString id = w.requestCheckout(w.tenants[size_t(i) % w.tenants.size()], 30);
        w.waitForStates({id}, {QStringLiteral("ready")});
        w.call(QStringLiteral("POST"), QStringLiteral("/v1/checkouts/%1/end").arg(id), {}, 200);
        w.waitForStates({id}, {QStringLiteral("ended")});
    }
    const QString live = w.requestCheckout(w.tenants.front(), 120);
    w.waitForStates({live}, {QStringLiteral("ready")});

    QTemporaryDir home;
    for (const char* sub : {"config/stint", "data", "cache"})
        QDir().mkpath(home.filePath(QLatin1String(sub)));
    w.signInApp(home.path());
    const QString platform = platformForApp();
    MapWatch x;
    if (platform == QLatin1String("xcb") && !x.ok())
        std::fprintf(stderr, "bench_desktop_start: the X server cannot be watched; no exec_to_mapped figures\n");

    // The first start fills the saved data: it is usable (from nothing saved yet), then in step with the service.
    {
        AppProcess first(home.path(), platform);
        first.start();
        first.waitForLine(QRegularExpression(QStringLiteral("in step with the service")), 60'000);
        first.quit();
    }
    if (QDir(home.filePath(QStringLiteral("data/stint/replicas"))).isEmpty(QDir::Files))
        die(QStringLiteral("the first start left no saved data in ")
            + home.filePath(QStringLiteral("data/stint/replicas")));

    AppProcess::showLog = p.isSet(QStringLiteral("app-log"));
    AppProcess::wrapper = p.value(QStringLiteral("wrap")).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    figure("platform", platform);
    figure("runs", double(runs));
    figure("saved_checkouts", double(history + 1));
    figure("saved_tenants", double(w.tenants.size()));
    print("", measure(home.path(), platform, runs, x));

    // The service is gone (stopped): the saved state must come up as fast.
    if (!w.stopCloud())
        die(QStringLiteral("stint-cloud did not stop cleanly"));
    print("offline_", measure(home.path(), platform, runs, x));
    figure("target_ms", 250.0);
    return 0;
}
