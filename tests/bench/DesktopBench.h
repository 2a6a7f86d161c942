// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the desktop app's benchmarks (bench_desktop_start, bench_desktop_memory) share: the demo organization on a real
// stint-cloud and entra-sim (processes), the technician Ada signed in for the app as the demo seed does it (her session
// in the keychain, the service address in the app's settings, in a home of the benchmark's own), and the real `stint`
// binary run as a person runs it, watched through its log lines and /proc. Header-only: two executables use it.
#include "client/CloudApi.h"
#include "client/HttpTransport.h"
#include "client/SecretStore.h"
#include "client/SessionKeeper.h"
#include "support/DemoWorld.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <sys/types.h>
#include <vector>

namespace stint::bench {

using ::CloudProcess;
using ::SimProcess;
using test::DemoWorld;

inline const char* g_name = "bench";

[[noreturn]] inline void die(const QString& what)
{
    std::fprintf(stderr, "%s: %s\n", g_name, what.toUtf8().constData());
    std::exit(1);
}

template <typename T> T need(Result<T> r, const char* what)
{
    if (!r.ok())
        die(QStringLiteral("%1: %2").arg(QLatin1String(what), r.error().message));
    return std::move(r).value();
}

inline void figure(const char* name, double value)
{
    std::printf("%s %.1f\n", name, value);
    std::fflush(stdout);
}

inline void figure(const char* name, const QString& value)
{
    std::printf("%s %s\n", name, value.toUtf8().constData());
    std::fflush(stdout);
}

inline double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p / 100.0 * double(v.size() - 1) + 0.5));
    return v[i];
}

// "offscreen" without a display; "xcb" when DISPLAY names one (run under xvfb-run for a real X server).
inline QString platformForApp()
{
    return qEnvironmentVariableIsEmpty("DISPLAY") ? QStringLiteral("offscreen") : QStringLiteral("xcb");
}

// The demo organization with Ada, technician, granted Contoso (and with `tenants` 2, Fabrikam), both connected by
// admin consent against the simulator.
class DesktopWorld
{
public:
    struct Tenant
    {
        QString id;
        QString name;
        QStringList roleIds;
    };

    explicit DesktopWorld(int tenants)
    {
        const QString scenarioPath = QStringLiteral(STINT_SOURCE_DIR "/tests/entra-sim/scenarios/demo.json");
        QFile sf(scenarioPath);
        if (!sf.open(QIODevice::ReadOnly))
            die(QStringLiteral("no demo scenario"));
        const QJsonObject scenario = QJsonDocument::fromJson(sf.readAll()).object();
        const QJsonObject appReg = scenario.value(QLatin1String("apps")).toArray().first().toObject();
        const QString secretFile = m_secrets.filePath(QStringLiteral("app.secret"));
        QFile f(secretFile);
        if (!f.open(QIODevice::WriteOnly) || !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
            die(QStringLiteral("secret file"));
        f.write(appReg.value(QLatin1String("secrets"))
                    .toArray()
                    .first()
                    .toObject()
                    .value(QLatin1String("value"))
                    .toString()
                    .toUtf8());
        f.close();
        auto password = [&](const QString& upn) {
            for (const QJsonValue& t : scenario.value(QLatin1String("tenants")).toArray())
                for (const QJsonValue& u : t.toObject().value(QLatin1String("users")).toArray())
                    if (u.toObject().value(QLatin1String("userPrincipalName")).toString() == upn)
                        return u.toObject().value(QLatin1String("password")).toString();
            return QString();
        };

        if (!sim.start({QStringLiteral("--scenario"), scenarioPath}))
            die(QStringLiteral("entra-sim did not start"));
        const InitResult init = initDataDir(m_data.path());
        cloud = std::make_unique<CloudProcess>(m_data.path());
        cloud->setLogFile(m_data.filePath(QStringLiteral("cloud.log")));
        m_cloudArguments
            = {QStringLiteral("--entra-global-authority"),       sim.baseUrl(),
               QStringLiteral("--entra-global-graph"),           sim.baseUrl(),
               QStringLiteral("--entra-graph-resource"),         QStringLiteral("https://graph.microsoft.com"),
               QStringLiteral("--entra-app-client-id"),          appReg.value(QLatin1String("clientId")).toString(),
               QStringLiteral("--entra-app-client-secret-file"), secretFile};
        if (!cloud->start(m_cloudArguments))
            die(QStringLiteral("stint-cloud did not start"));
        world = std::make_unique<DemoWorld>(*cloud, sim);
        need(world->enrollFirstAdmin(init.inviteToken, QStringLiteral("admin@msp.test")), "admin");
        ada = need(world->addPerson(QStringLiteral("ada@msp.test"), QStringLiteral("Ada Lovelace"),
                                    QStringLiteral("technician")),
                   "technician");
        const QStringList roles {QStringLiteral("User Administrator"), QStringLiteral("Exchange Administrator")};
        const std::vector<std::pair<QString, QString>> customers {
            {QStringLiteral("Contoso"), QStringLiteral("contoso.com")},
            {QStringLiteral("Fabrikam"), QStringLiteral("fabrikam.com")}};
        for (int i = 0; i < std::min<int>(tenants, int(customers.size())); ++i) {
            const auto& [name, domain] = customers[size_t(i)];
            Tenant t;
            t.name = name;
            t.id = need(world->addTenant(name), "tenant");
            const QString adminUpn = QStringLiteral("admin@") + domain;
            if (need(world->connectByConsent(t.id, adminUpn, password(adminUpn)), "connect")
                != QLatin1String("connected"))
                die(name + QStringLiteral(" is not connected"));
            if (auto ok = world->configureTenant(t.id, domain, roles, 30, 120, QStringLiteral("password")); !ok)
                die(ok.error().message);
            t.roleIds = need(world->roleIds(t.id, roles), "roles");
            need(world->addPolicy(name + QStringLiteral(" helpdesk"), {t.id}, t.roleIds, {ada.id}, 120), "policy");
            this->tenants.push_back(t);
        }
    }

    // Ada's session into the keychain, as the app's own sign-in keeps it (SessionKeeper), and the service address into
    // the app's settings in `home`: the next `stint` started on that home is signed in.
    void signInApp(const QString& home)
    {
        const HttpResult me = cloud->get(QStringLiteral("/v1/me"), ada.token);
        models::SignedInSession s;
        s.token = crypto::SecretBytes(ada.token.toUtf8());
        s.sessionId = me.json.value(QLatin1String("sessionId")).toString();
        s.expiresAt = QDateTime::currentMSecsSinceEpoch() + 12 * 3'600'000LL;
        s.person = need(models::Person::fromJson(me.json.value(QLatin1String("person")).toObject()), "me");
        client::HttpTransport transport {QUrl(cloud->origin())};
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
        QSettings settings(home + QStringLiteral("/config/stint/stint.ini"), QSettings::IniFormat);
        settings.setValue(QStringLiteral("cloud/url"), cloud->origin());
        settings.sync();
        if (settings.status() != QSettings::NoError)
            die(QStringLiteral("the app's settings could not be written"));
    }

    // Ada (or the admin with `asAdmin`) asks the service; dies on anything but `expect`.
    QJsonObject call(const QString& method, const QString& path, const QJsonObject& body, int expect,
                     bool asAdmin = false)
    {
        const HttpResult r = cloud->request(method, path, body, asAdmin ? world->admin().token : ada.token);
        if (r.status != expect)
            die(QStringLiteral("%1 %2: %3 %4")
                    .arg(method, path)
                    .arg(r.status)
                    .arg(QString::fromUtf8(r.body.left(400))));
        return r.json;
    }

    QString requestCheckout(const Tenant& t, int minutes)
    {
        return call(QStringLiteral("POST"), QStringLiteral("/v1/checkouts"),
                    {{QStringLiteral("tenantId"), t.id},
                     {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(t.roleIds)},
                     {QStringLiteral("durationMinutes"), minutes}},
                    201)
            .value(QLatin1String("id"))
            .toString();
    }

    QString state(const QString& checkoutId)
    {
        return call(QStringLiteral("GET"), QStringLiteral("/v1/checkouts/") + checkoutId, {}, 200)
            .value(QLatin1String("state"))
            .toString();
    }

    // Polls the service (a remote state: polled, 20 ms apart) until every checkout of `ids` is in one of `states`;
    // dies if one lands anywhere final that is not wanted, or after 120 s.
    void waitForStates(const QStringList& ids, const QStringList& states)
    {
        static const QStringList final {QStringLiteral("ready"),        QStringLiteral("ended"),
                                        QStringLiteral("denied"),       QStringLiteral("failed"),
                                        QStringLiteral("cancelled"),    QStringLiteral("expired"),
                                        QStringLiteral("revoke_failed")};
        const QDeadlineTimer deadline(120'000);
        for (const QString& id : ids) {
            for (;;) {
                const QString s = state(id);
                if (states.contains(s))
                    break;
                if (final.contains(s) || deadline.hasExpired())
                    die(QStringLiteral("checkout %1 is %2, not %3").arg(id, s, states.join(QLatin1Char('|'))));
                QTest::qWait(20);
            }
        }
    }

    bool stopCloud() { return cloud->terminate() == 0; }
    bool restartCloud() { return cloud->start(m_cloudArguments); }

    SimProcess sim;
    std::unique_ptr<CloudProcess> cloud;
    std::unique_ptr<DemoWorld> world;
    DemoWorld::Person ada;
    std::vector<Tenant> tenants;

private:
    QTemporaryDir m_data, m_secrets;
    QStringList m_cloudArguments;
};

// The real `stint` (next to this executable) on a home of its own, with the app's info lines on stderr. Waiting runs
// the event loop until what is awaited has happened, so a line is timed when it arrives (not at a polling tick).
class AppProcess
{
public:
    // `home` holds config/ and data/ (XDG_CONFIG_HOME, XDG_DATA_HOME), and is HOME. The keychain is the session's
    // (DBUS_SESSION_BUS_ADDRESS inherited from with-keychain.sh).
    AppProcess(const QString& home, const QString& platform)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/cache"));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), platform);
        if (!env.contains(QStringLiteral("QT_LOGGING_RULES")))
            env.insert(QStringLiteral("QT_LOGGING_RULES"),
                       QStringLiteral("stint.app.desktop.info=true;stint.ui.shell.info=true"));
        env.remove(QStringLiteral("STINT_CLOUD"));
        m_process.setProcessEnvironment(env);
        m_process.setStandardOutputFile(QProcess::nullDevice());
        QObject::connect(&m_process, &QProcess::readyReadStandardError, [this]() {
            const QByteArray chunk = m_process.readAllStandardError();
            const qint64 at = m_clock.nsecsElapsed();
            m_pending += chunk;
            qsizetype nl;
            while ((nl = m_pending.indexOf('\n')) >= 0) {
                m_lines.push_back({QString::fromUtf8(m_pending.left(nl)), at});
                m_pending.remove(0, nl + 1);
            }
            poke();
        });
        QObject::connect(&m_process, &QProcess::finished, [this]() { poke(); });
    }

    ~AppProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(10'000);
        }
    }

    // Starts the process; times below are from this moment (just before exec).
    void start()
    {
        const QString stint = QCoreApplication::applicationDirPath() + QStringLiteral("/stint");
        m_clock.start();
        if (wrapper.isEmpty())
            m_process.start(stint, {});
        else
            m_process.start(wrapper.front(), wrapper.mid(1) << stint);
        if (!m_process.waitForStarted(10'000))
            die(QStringLiteral("stint did not start"));
    }

    // A command the app runs under (e.g. perf record -g -o FILE --), for finding where the time goes; the pid and
    // /proc figures are then the wrapper's.
    static inline QStringList wrapper;
    // Whether each run's log goes to stderr after it quit (QT_LOGGING_RULES and QT_MESSAGE_PATTERN pass through).
    static inline bool showLog = false;

    qint64 pid() const { return m_process.processId(); }
    const QElapsedTimer& clock() const { return m_clock; }
    bool running() const { return m_process.state() != QProcess::NotRunning; }

    // Something awaited may have happened (a line, an exit, an X event): the waiting loop checks again.
    void poke()
    {
        if (m_loop)
            m_loop->quit();
    }

    // Runs the event loop until `done()` holds; dies after `timeoutMs`, or if the app ends meanwhile.
    template <typename F> void waitUntil(F done, const QString& what, int timeoutMs = 30'000)
    {
        const QDeadlineTimer deadline(timeoutMs);
        while (!done()) {
            if (!running())
                die(QStringLiteral("stint ended while waiting for %1:\n%2").arg(what, log()));
            if (deadline.hasExpired())
                die(QStringLiteral("no %1 from stint within %2 ms:\n%3").arg(what).arg(timeoutMs).arg(log()));
            QEventLoop loop;
            m_loop = &loop;
            QTimer::singleShot(std::max<qint64>(1, deadline.remainingTime()), &loop, &QEventLoop::quit);
            loop.exec();
            m_loop = nullptr;
        }
    }

    // Waits for a stderr line matching `pattern`; returns the match and when it was read (ms since start()).
    std::pair<QRegularExpressionMatch, double> waitForLine(const QRegularExpression& pattern, int timeoutMs = 30'000)
    {
        std::pair<QRegularExpressionMatch, double> found;
        waitUntil(
            [&]() {
                for (; m_next < m_lines.size(); ++m_next) {
                    const auto match = pattern.match(m_lines[m_next].first);
                    if (match.hasMatch()) {
                        found = {match, double(m_lines[m_next++].second) / 1e6};
                        return true;
                    }
                }
                return false;
            },
            QLatin1Char('"') + pattern.pattern() + QLatin1Char('"'), timeoutMs);
        return found;
    }

    // SIGTERM (the app quits cleanly: flushes its saved data) and waits for the exit.
    void quit()
    {
        ::kill(pid_t(m_process.processId()), SIGTERM);
        if (!m_process.waitForFinished(30'000) || m_process.exitStatus() != QProcess::NormalExit
            || m_process.exitCode() != 0)
            die(QStringLiteral("stint did not quit cleanly:\n") + log());
        if (showLog) {
            m_pending += m_process.readAllStandardError();
            std::fprintf(stderr, "--- stint's log\n%s", log().toUtf8().constData());
        }
    }

    QString log() const
    {
        QString all;
        for (const auto& [text, at] : m_lines)
            all += text + QLatin1Char('\n');
        return all + QString::fromUtf8(m_pending);
    }

    // A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or -1.
    qint64 statusKb(const char* field) const
    {
        QFile f(QStringLiteral("/proc/%1/status").arg(pid()));
        if (!f.open(QIODevice::ReadOnly))
            return -1;
        const QByteArray prefix = QByteArray(field) + ':';
        for (const QByteArray& line : f.readAll().split('\n'))
            if (line.startsWith(prefix))
                return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
        return -1;
    }

private:
    QProcess m_process;
    QElapsedTimer m_clock;
    QByteArray m_pending;
    std::vector<std::pair<QString, qint64>> m_lines; // line, ns since start() when it was read
    size_t m_next = 0;
    QEventLoop* m_loop = nullptr;
};

} // namespace stint::bench
