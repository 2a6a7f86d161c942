// SPDX-License-Identifier: GPL-3.0-or-later
// The layering of docs/architecture.md, checked on the sources' own #include lines so that the house stays as drawn:
// the desktop side (ui/, services/client, app/desktop, its test fakes) never includes the cloud or the Entra engine,
// the widgets do no network or disk I/O, the simulator stays an independent judge of the cloud, and the lower
// libraries never reach up. One row per rule; a failure lists every offending file:line.
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

namespace {

struct Include
{
    QString file; // relative to the source root
    int line = 0;
    QString target; // what is between the quotes or angle brackets
};

// Every #include of the C++ files below `folder` (relative to the source root).
QList<Include> includesUnder(const QString& folder)
{
    static const QRegularExpression directive(QStringLiteral("^\\s*#\\s*include\\s*[\"<]([^\">]+)[\">]"));
    const QDir root(QStringLiteral(STINT_SOURCE_DIR));
    QList<Include> out;
    QDirIterator it(root.filePath(folder), {QStringLiteral("*.h"), QStringLiteral("*.cpp")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        int number = 0;
        while (!f.atEnd()) {
            const QString line = QString::fromUtf8(f.readLine());
            ++number;
            const auto m = directive.match(line);
            if (m.hasMatch())
                out.append({root.relativeFilePath(path), number, m.captured(1)});
        }
    }
    return out;
}

} // namespace

class TestLayering : public QObject
{
    Q_OBJECT
private slots:
    void rule_data()
    {
        QTest::addColumn<QString>("folder");
        // Regular expressions matched against the include target.
        QTest::addColumn<QStringList>("forbidden");

        const QString cloudOrEntra = QStringLiteral("^(services/)?(cloud|entra)/");
        const QString testCloud = QStringLiteral("^support/(CloudFixture|CloudProcess|ApiSeed|AdminSession|FakeEntraGateway|"
                                                 "FakeConnectGateway|SimTestWorld|StintInEntra)");
        // Network and disk access (and the store) that widgets must leave to services/client.
        const QString io = QStringLiteral("^(QNetwork\\w*|QTcp\\w*|QUdp\\w*|QSslSocket|QWebSocket\\w*|QLocal(Socket|Server)|"
                                          "QFile|QSaveFile|QTemporaryFile|QDir|QDirIterator|QFileInfo|QSettings|"
                                          "QLockFile|sqlite3\\.h|(services/)?store/.*)$");

        QTest::newRow("ui never includes cloud or entra") << QStringLiteral("ui") << QStringList{cloudOrEntra};
        QTest::newRow("ui does no network or disk I/O") << QStringLiteral("ui") << QStringList{io};
        QTest::newRow("client never includes cloud, entra or ui")
            << QStringLiteral("services/client") << QStringList{cloudOrEntra, QStringLiteral("^ui/")};
        QTest::newRow("app/desktop never includes cloud or entra") << QStringLiteral("app/desktop") << QStringList{cloudOrEntra};
        QTest::newRow("desktop test fakes never include the cloud")
            << QStringLiteral("tests/support/client") << QStringList{cloudOrEntra, testCloud};
        QTest::newRow("client tests never include the cloud")
            << QStringLiteral("tests/client") << QStringList{cloudOrEntra, testCloud};
        QTest::newRow("GUI tests never include the cloud") << QStringLiteral("tests/gui") << QStringList{cloudOrEntra, testCloud};
        QTest::newRow("entra-sim stays independent of the cloud and the engine")
            << QStringLiteral("tests/entra-sim")
            << QStringList{cloudOrEntra, testCloud, QStringLiteral("^(services/)?(client|store)/"),
                           QStringLiteral("^models/")};
        QTest::newRow("core uses nothing of the project above it")
            << QStringLiteral("services/core")
            << QStringList{QStringLiteral("^(services/)?(cloud|entra|client|store|browser|nativemsg)/"),
                           QStringLiteral("^(models|ui)/")};
        QTest::newRow("store and models stay below the features")
            << QStringLiteral("services/store")
            << QStringList{QStringLiteral("^(services/)?(cloud|entra|client|browser)/"), QStringLiteral("^ui/")};
        QTest::newRow("models are shared, so they include no side")
            << QStringLiteral("models")
            << QStringList{QStringLiteral("^(services/)?(cloud|entra|client|store|browser)/"), QStringLiteral("^ui/"),
                           QStringLiteral("^QAbstract\\w*Model$")};
        QTest::newRow("entra never includes the cloud or the store")
            << QStringLiteral("services/entra")
            << QStringList{QStringLiteral("^(services/)?(cloud|store|client|browser)/"), QStringLiteral("^(models|ui)/")};
        QTest::newRow("cloud never includes the desktop side")
            << QStringLiteral("services/cloud")
            << QStringList{QStringLiteral("^(services/)?(client|browser|nativemsg)/"), QStringLiteral("^ui/")};
    }

    void rule()
    {
        QFETCH(QString, folder);
        QFETCH(QStringList, forbidden);
        QList<QRegularExpression> patterns;
        for (const QString& f : forbidden)
            patterns.append(QRegularExpression(f));
        const QList<Include> includes = includesUnder(folder);
        QStringList violations;
        for (const Include& inc : includes) {
            for (const QRegularExpression& p : patterns) {
                if (p.match(inc.target).hasMatch())
                    violations << QStringLiteral("%1:%2 includes %3").arg(inc.file).arg(inc.line).arg(inc.target);
            }
        }
        if (!violations.isEmpty())
            QFAIL(qPrintable(violations.join(QLatin1Char('\n'))));
    }

    // The check itself must see files: a moved folder must not make every rule pass vacuously.
    void rulesSeeTheirFolders_data()
    {
        QTest::addColumn<QString>("folder");
        for (const char* f : {"ui", "services/client", "app/desktop", "tests/entra-sim", "services/core", "services/cloud",
                              "services/entra", "models", "services/store"})
            QTest::newRow(f) << QString::fromLatin1(f);
    }

    void rulesSeeTheirFolders()
    {
        QFETCH(QString, folder);
        QVERIFY2(!includesUnder(folder).isEmpty(), qPrintable(folder + QStringLiteral(" has no includes: moved?")));
    }
};

QTEST_GUILESS_MAIN(TestLayering)
#include "TestLayering.moc"
