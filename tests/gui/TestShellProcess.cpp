// SPDX-License-Identifier: GPL-3.0-or-later
// The real `stint` binary: it hardens itself first thing (no core dumps, private files), starts to a usable window
// (the sign-in screen on a first run) and says how long that took, answers --version, and quits cleanly on SIGTERM.
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>

class TestShellProcess : public QObject
{
    Q_OBJECT

private:
    QString m_binary;

    QProcessEnvironment environment(const QTemporaryDir& home)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.path() + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.path() + QStringLiteral("/data"));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.path());
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("stint.*.info=true"));
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        return env;
    }

    static QString procField(qint64 pid, const QString& file, const QString& prefix)
    {
        QFile f(QStringLiteral("/proc/%1/%2").arg(pid).arg(file));
        if (!f.open(QIODevice::ReadOnly))
            return {};
        for (const QByteArray& line : f.readAll().split('\n')) {
            if (line.startsWith(prefix.toLatin1()))
                return QString::fromLatin1(line.mid(prefix.size())).simplified();
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        m_binary = qEnvironmentVariable("STINT_DESKTOP_BINARY");
        if (m_binary.isEmpty() || !QFileInfo::exists(m_binary))
            QSKIP("STINT_DESKTOP_BINARY is not set (ctest sets it)");
    }

    void version()
    {
        QTemporaryDir home;
        QProcess stint;
        stint.setProcessEnvironment(environment(home));
        stint.start(m_binary, {QStringLiteral("--version")});
        QVERIFY(stint.waitForFinished(20000));
        QCOMPARE(stint.exitCode(), 0);
        QVERIFY2(stint.readAllStandardOutput().startsWith("stint 0."), "no version line");
    }

    void hardenedUsableAndQuitsOnSigterm()
    {
        QTemporaryDir home;
        QProcess stint;
        stint.setProcessEnvironment(environment(home));
        stint.start(m_binary, {});
        QVERIFY(stint.waitForStarted(10000));
        QByteArray log;
        QRegularExpression usable(QStringLiteral("usable after (\\d+) ms"));
        QRegularExpressionMatch match;
        QTRY_VERIFY_WITH_TIMEOUT(
            (log += stint.readAllStandardError(), match = usable.match(QString::fromUtf8(log)), match.hasMatch()),
            30000);
        qInfo("the sign-in screen was usable %s ms after the process started", qPrintable(match.captured(1)));

        const qint64 pid = stint.processId();
        // No core dumps, ever (RLIMIT_CORE 0 soft and hard), and files made private (umask 077).
        QCOMPARE(procField(pid, QStringLiteral("limits"), QStringLiteral("Max core file size")),
                 QStringLiteral("0 0 bytes"));
        QCOMPARE(procField(pid, QStringLiteral("status"), QStringLiteral("Umask:")), QStringLiteral("0077"));

        ::kill(pid_t(pid), SIGTERM);
        QVERIFY(stint.waitForFinished(20000));
        QCOMPARE(stint.exitStatus(), QProcess::NormalExit);
        QCOMPARE(stint.exitCode(), 0);
        // Nothing secret was written on a first run, and the settings file is private.
        const QFileInfo settings(home.path() + QStringLiteral("/config/stint/stint.ini"));
        if (settings.exists())
            QCOMPARE(settings.permissions() & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());
    }
};

QTEST_GUILESS_MAIN(TestShellProcess)
#include "TestShellProcess.moc"
