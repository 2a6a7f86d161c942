// SPDX-License-Identifier: GPL-3.0-or-later
// entra-sim: a local stand-in for login.microsoftonline.com + graph.microsoft.com (README.md).
#include "Scenarios.h"
#include "Simulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &c, 1);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("entra-sim"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Local Entra ID + Microsoft Graph simulator"));
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"), QStringLiteral("TCP port (0 = any free)."),
                                        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption scenarioOption(QStringLiteral("scenario"), QStringLiteral("Scenario JSON to load."),
                                            QStringLiteral("FILE"));
    const QCommandLineOption latencyOption(QStringLiteral("latency-ms"),
                                           QStringLiteral("Latency added to every Graph and identity answer."),
                                           QStringLiteral("N"), QStringLiteral("0"));
    parser.addOptions({portOption, scenarioOption, latencyOption});
    parser.process(app);

    bool ok = false;
    const uint port = parser.value(portOption).toUInt(&ok);
    if (!ok || port > 65535) {
        std::fprintf(stderr, "entra-sim: --port must be 0..65535\n");
        return 2;
    }
    const int latency = parser.value(latencyOption).toInt(&ok);
    if (!ok || latency < 0 || latency > 600'000) {
        std::fprintf(stderr, "entra-sim: --latency-ms must be 0..600000\n");
        return 2;
    }

    stint::entrasim::Simulator simulator;
    if (parser.isSet(scenarioOption)) {
        QString error;
        if (!stint::entrasim::loadScenarioFile(simulator, parser.value(scenarioOption), &error)) {
            std::fprintf(stderr, "entra-sim: %s\n", qPrintable(error));
            return 2;
        }
    }
    if (latency > 0)
        simulator.faults().setLatency(latency);

    if (!simulator.listen(QHostAddress::LocalHost, quint16(port))) {
        std::fprintf(stderr, "entra-sim: cannot listen on 127.0.0.1:%u\n", port);
        return 1;
    }

    // SIGTERM/SIGINT → quit the event loop (self-pipe: only write() is async-signal-safe).
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) == 0) {
        auto* notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [] { QCoreApplication::quit(); });
        struct sigaction action
        {
        };
        action.sa_handler = onSignal;
        sigemptyset(&action.sa_mask);
        sigaction(SIGTERM, &action, nullptr);
        sigaction(SIGINT, &action, nullptr);
    }

    std::printf("entra-sim ready on http://127.0.0.1:%u\n", unsigned(simulator.baseUrl().port()));
    std::fflush(stdout);
    return app.exec();
}
