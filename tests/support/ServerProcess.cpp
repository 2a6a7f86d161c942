// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/ServerProcess.h"

#include <QDebug>
#include <QTest>

ServerProcess::ServerProcess()
{
    QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process,
                     [this] { m_stdout += m_process.readAllStandardOutput(); });
    QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process,
                     [this] { m_stderr += m_process.readAllStandardError(); });
}

ServerProcess::~ServerProcess()
{
    if (m_process.state() != QProcess::NotRunning)
        terminate();
}

bool ServerProcess::startAndWait(const QString& program, const QStringList& arguments, const QRegularExpression& ready)
{
    m_stdout.clear();
    m_port = 0;
    m_process.start(program, arguments);
    const bool ok = QTest::qWaitFor(
        [&] { return ready.match(QString::fromUtf8(m_stdout)).hasMatch() || m_process.state() == QProcess::NotRunning; },
        20000);
    const auto match = ready.match(QString::fromUtf8(m_stdout));
    if (!ok || !match.hasMatch()) {
        qWarning() << program << "did not become ready:" << m_stdout << m_stderr;
        return false;
    }
    m_port = quint16(match.captured(1).toUInt());
    return true;
}

void ServerProcess::kill()
{
    m_process.kill();
    m_process.waitForFinished(10000);
}

int ServerProcess::terminate()
{
    m_process.terminate();
    if (!m_process.waitForFinished(15000)) {
        m_process.kill();
        m_process.waitForFinished();
        return -1;
    }
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}
