// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/Terminal.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QList>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <string>

#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

namespace stint::cli::terminal {

void out(const QString& text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void err(const QString& text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

void outBytes(QByteArrayView bytes)
{
    std::fwrite(bytes.data(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

bool stdinIsTerminal()
{
    return ::isatty(STDIN_FILENO) == 1;
}

bool stderrIsTerminal()
{
    return ::isatty(STDERR_FILENO) == 1;
}

namespace {
std::optional<crypto::SecretBytes> readLine()
{
    QByteArray line;
    line.reserve(256);
    for (;;) {
        const int c = std::fgetc(stdin);
        if (c == EOF) {
            if (line.isEmpty()) {
                crypto::wipe(line);
                return std::nullopt;
            }
            break;
        }
        if (c == '\n')
            break;
        if (line.size() >= 255) { // a PIN is at most 63 bytes; stop reading garbage early
            crypto::wipe(line);
            return std::nullopt;
        }
        line.append(char(c));
    }
    if (line.endsWith('\r'))
        line.chop(1);
    crypto::SecretBytes secret(line);
    crypto::wipe(line);
    return secret;
}
} // namespace

std::optional<crypto::SecretBytes> readSecretLine(const QString& prompt)
{
    if (!stdinIsTerminal())
        return std::nullopt;
    std::fputs(prompt.toUtf8().constData(), stderr);
    std::fflush(stderr);
    termios saved{};
    if (::tcgetattr(STDIN_FILENO, &saved) != 0)
        return std::nullopt;
    termios quiet = saved;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    auto line = readLine();
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    return line;
}

std::optional<crypto::SecretBytes> readStdinLine()
{
    return readLine();
}

} // namespace stint::cli::terminal

namespace stint::cli {

namespace {
int g_interruptFds[2] = {-1, -1};
QList<QEventLoop*> g_loops;

void onInterrupt(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_interruptFds[0], &c, 1);
}
} // namespace

void installInterruptHandler()
{
    if (g_interruptFds[0] >= 0 || ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_interruptFds) != 0)
        return;
    auto* notifier = new QSocketNotifier(g_interruptFds[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, QCoreApplication::instance(), [] {
        char c;
        [[maybe_unused]] const auto n = ::read(g_interruptFds[1], &c, 1);
        for (QEventLoop* loop : g_loops)
            loop->exit(130);
    });
    struct sigaction sa{};
    sa.sa_handler = onInterrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

InterruptibleLoop::InterruptibleLoop(QEventLoop& loop)
{
    g_loops.append(&loop);
}

InterruptibleLoop::~InterruptibleLoop()
{
    g_loops.removeLast();
}

} // namespace stint::cli
