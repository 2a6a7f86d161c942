// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>

// A server executable run by a test: its output collected, started on a port of its own choosing and waited for
// until it prints its ready line, stopped with SIGTERM (or SIGKILL, as a crash would). CloudProcess and SimProcess
// build on it.
class ServerProcess
{
public:
    ServerProcess();
    virtual ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    void kill();     // SIGKILL, waits
    int terminate(); // SIGTERM, waits, returns the exit code (-1 when it had to be killed or crashed)

    quint16 port() const { return m_port; }
    // Talks to a server already running on `port` (started by someone else, e.g. scripts/run-demo.sh) instead of
    // starting one; kill() and terminate() then do nothing.
    void attach(quint16 port) { m_port = port; }
    QByteArray stderrText() const { return m_stderr; }

protected:
    // Starts `program arguments` and waits (≤ 20 s) for `ready` on stdout; its first capture is the port. False, with
    // a warning quoting what the program printed, when the line does not come.
    bool startAndWait(const QString& program, const QStringList& arguments, const QRegularExpression& ready);

    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    quint16 m_port = 0;
};
