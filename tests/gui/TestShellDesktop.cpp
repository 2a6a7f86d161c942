// SPDX-License-Identifier: GPL-3.0-or-later
// ui::QtDesktop on a real (offscreen) clipboard and a real, private D-Bus session bus: a copied secret is marked for
// clipboard managers and cleared when its time is up — unless something else was copied since; notifications go to
// the freedesktop Notifications service with their buttons, and a button pressed there comes back as actionInvoked;
// without the service, Stint falls back to the tray.
#include "ui/shell/QtDesktop.h"

#include <QClipboard>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QGuiApplication>
#include <QMimeData>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

using stint::ui::QtDesktop;

// The freedesktop Notifications service as a desktop would run it, recording what it was asked.
class FakeNotificationServer : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Shown
    {
        QString app;
        QString summary;
        QString body;
        QStringList actions;
        QVariantMap hints;
    };
    QList<Shown> shown;
    uint next = 40;

public slots:
    uint Notify(const QString& app, uint replaces, const QString& icon, const QString& summary, const QString& body,
                const QStringList& actions, const QVariantMap& hints, int timeout)
    {
        Q_UNUSED(replaces);
        Q_UNUSED(icon);
        Q_UNUSED(timeout);
        shown.append({app, summary, body, actions, hints});
        return ++next;
    }
    QStringList GetCapabilities() { return {QStringLiteral("actions"), QStringLiteral("body")}; }
};

class TestShellDesktop : public QObject
{
    Q_OBJECT

private:
    QProcess m_bus;
    QString m_address;

private slots:
    void initTestCase()
    {
        // A session bus of our own (before anything asks Qt for the session bus).
        m_bus.start(QStringLiteral("dbus-daemon"),
                    {QStringLiteral("--session"), QStringLiteral("--nofork"), QStringLiteral("--print-address=1")});
        if (!m_bus.waitForStarted(5000))
            QSKIP("dbus-daemon is not installed");
        QTRY_VERIFY(m_bus.canReadLine());
        m_address = QString::fromLatin1(m_bus.readLine()).trimmed();
        QVERIFY(!m_address.isEmpty());
        qputenv("DBUS_SESSION_BUS_ADDRESS", m_address.toLatin1());
    }

    void cleanupTestCase()
    {
        m_bus.terminate();
        m_bus.waitForFinished(5000);
    }

    void secretIsMarkedAndCleared()
    {
        QtDesktop desktop;
        QSignalSpy expired(&desktop, &QtDesktop::secretExpired);
        desktop.copySecret(QByteArrayView("correct horse battery staple"), 100);
        const QMimeData* data = QGuiApplication::clipboard()->mimeData();
        QVERIFY(data);
        QCOMPARE(data->text(), QStringLiteral("correct horse battery staple"));
        QCOMPARE(data->data(QString::fromLatin1(QtDesktop::kPasswordManagerHint)), QByteArray("secret"));
        QVERIFY(expired.wait(5000));
        QCOMPARE(expired.first().first().toBool(), true);
        QCOMPARE(QGuiApplication::clipboard()->text(), QString());
    }

    void somethingCopiedSinceIsLeftAlone()
    {
        QtDesktop desktop;
        QSignalSpy expired(&desktop, &QtDesktop::secretExpired);
        desktop.copySecret(QByteArrayView("s3cret"), 100);
        QGuiApplication::clipboard()->setText(QStringLiteral("a note of mine"));
        QVERIFY(expired.wait(5000));
        QCOMPARE(expired.first().first().toBool(), false);
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("a note of mine"));
    }

    void plainTextIsNotMarkedNorCleared()
    {
        QtDesktop desktop;
        desktop.copyText(QStringLiteral("ada@contoso.example"));
        const QMimeData* data = QGuiApplication::clipboard()->mimeData();
        QVERIFY(!data->hasFormat(QString::fromLatin1(QtDesktop::kPasswordManagerHint)));
        QCOMPARE(data->text(), QStringLiteral("ada@contoso.example"));
    }

    void notificationsWithButtonsOverDBus()
    {
        QDBusConnection server = QDBusConnection::connectToBus(m_address, QStringLiteral("notification-server"));
        QVERIFY(server.isConnected());
        FakeNotificationServer fake;
        QVERIFY(server.registerObject(QStringLiteral("/org/freedesktop/Notifications"), &fake,
                                      QDBusConnection::ExportAllSlots));
        QVERIFY(server.registerService(QStringLiteral("org.freedesktop.Notifications")));

        QtDesktop desktop;
        QSignalSpy invoked(&desktop, &QtDesktop::actionInvoked);
        const QString id = desktop.notify(
            QStringLiteral("Access to Contoso ends in 5 minutes"), QStringLiteral("Extend it if you need more time."),
            {{QStringLiteral("extend"), QStringLiteral("Extend")}, {QStringLiteral("end"), QStringLiteral("End now")}});
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE(fake.shown.size(), 1);
        const auto shown = fake.shown.first();
        QCOMPARE(shown.app, QStringLiteral("Stint"));
        QCOMPARE(shown.summary, QStringLiteral("Access to Contoso ends in 5 minutes"));
        QCOMPARE(shown.actions,
                 (QStringList {QStringLiteral("extend"), QStringLiteral("Extend"), QStringLiteral("end"),
                               QStringLiteral("End now"), QStringLiteral("default"), QString()}));
        QCOMPARE(shown.hints.value(QStringLiteral("desktop-entry")).toString(), QStringLiteral("io.stint.Stint"));
        QVERIFY(desktop.notifiesThroughDBus());

        // The person presses "Extend" on it; another application's notification is not ours.
        auto press = [&](uint dbusId, const QString& key) {
            QDBusMessage signal = QDBusMessage::createSignal(QStringLiteral("/org/freedesktop/Notifications"),
                                                             QStringLiteral("org.freedesktop.Notifications"),
                                                             QStringLiteral("ActionInvoked"));
            signal << dbusId << key;
            QVERIFY(server.send(signal));
        };
        press(7, QStringLiteral("extend"));
        press(fake.next, QStringLiteral("extend"));
        QTRY_COMPARE(invoked.size(), 1);
        QCOMPARE(invoked.first().at(0).toString(), id);
        QCOMPARE(invoked.first().at(1).toString(), QStringLiteral("extend"));

        server.unregisterService(QStringLiteral("org.freedesktop.Notifications"));
        server.unregisterObject(QStringLiteral("/org/freedesktop/Notifications"));
        QDBusConnection::disconnectFromBus(QStringLiteral("notification-server"));
    }

    void withoutTheServiceFallsBackToTheTray()
    {
        QtDesktop desktop;
        QVERIFY(!QDBusConnection::sessionBus()
                     .interface()
                     ->isServiceRegistered(QStringLiteral("org.freedesktop.Notifications"))
                     .value());
        desktop.notify(QStringLiteral("Approval needed for Contoso"), QStringLiteral("Bob asks for access."), {});
        QTRY_VERIFY(!desktop.notifiesThroughDBus());
        // Later ones go straight to the tray (no tray here: they are dropped quietly).
        desktop.notify(QStringLiteral("Approval needed for Fabrikam"), QString(), {});
        QVERIFY(!desktop.notifiesThroughDBus());
    }
};

QTEST_MAIN(TestShellDesktop)
#include "TestShellDesktop.moc"
