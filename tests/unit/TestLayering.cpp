// SPDX-License-Identifier: GPL-3.0-or-later
// The layering of docs/architecture.md, checked on the sources' own #include lines so that the house stays as drawn:
// the desktop side (ui/, services/client, app/desktop, its test fakes) never includes the cloud or the Entra engine,
// the widgets do no network or disk I/O, the simulator stays an independent judge of the cloud, and the lower
// libraries never reach up. One row per rule; a failure lists every offending file:line. Inside services/cloud, the
// folders (and the files at its root) keep the order docs/architecture.md draws: each includes only what stands below.
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
    bool markedUpward = false; // the line says why it reaches up: `// upward: <reason>`
};

// The parts of services/cloud from the bottom up, as docs/architecture.md ("The cloud's floors") draws them: a folder,
// or a file at the folder's root by its name. A part includes only parts below it (and itself).
const QStringList kCloudOrder{
    // the ground: configuration, the schema, counters, the audit log, the worker threads
    QStringLiteral("CloudConfig"), QStringLiteral("schema"), QStringLiteral("metrics"), QStringLiteral("audit"),
    QStringLiteral("WorkerPool"), QStringLiteral("CloudContext"),
    // who is calling, what they are told live, and the request toolkit
    QStringLiteral("authn"), QStringLiteral("events"), QStringLiteral("CloudTransaction"), QStringLiteral("http"),
    // the organization's records, then what lives on them
    QStringLiteral("directory"), QStringLiteral("policies"), QStringLiteral("tenants"), QStringLiteral("checkouts"),
    QStringLiteral("webhooks"), QStringLiteral("connections"),
    // the work on the customer tenants
    QStringLiteral("engine"), QStringLiteral("reconcile"),
    // the HTTP handlers, then the composition root that wires it all
    QStringLiteral("api"), QStringLiteral("CloudHttpServer"), QStringLiteral("ConnectionScheduler"), QStringLiteral("Routes"),
    QStringLiteral("CloudService")};

// The part of services/cloud a path below it belongs to ("checkouts/CheckoutStore.h" → checkouts,
// "CloudService.cpp" → CloudService).
QString cloudPart(const QString& pathInCloud)
{
    const qsizetype slash = pathInCloud.indexOf(QLatin1Char('/'));
    if (slash >= 0)
        return pathInCloud.left(slash);
    return pathInCloud.section(QLatin1Char('.'), 0, 0);
}

// Every #include of the C++ files below `folder` (relative to the source root).
QList<Include> includesUnder(const QString& folder)
{
    static const QRegularExpression directive(QStringLiteral("^\\s*#\\s*include\\s*[\"<]([^\">]+)[\">]"));
    const QDir root(QStringLiteral(STINT_SOURCE_DIR));
    QList<Include> out;
    static const QRegularExpression upward(QStringLiteral("//\\s*upward:\\s*\\S"));
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
                out.append({root.relativeFilePath(path), number, m.captured(1), upward.match(line).hasMatch()});
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

    void cloudPartsIncludeOnlyWhatStandsBelow()
    {
        const QString prefix = QStringLiteral("services/cloud/");
        QStringList violations;
        QStringList unplaced;
        QStringList marked;
        for (const Include& inc : includesUnder(QStringLiteral("services/cloud"))) {
            const QString from = cloudPart(inc.file.mid(prefix.size()));
            if (!kCloudOrder.contains(from)) {
                if (!unplaced.contains(from))
                    unplaced << from;
                continue;
            }
            if (!inc.target.startsWith(QLatin1String("cloud/")))
                continue;
            const QString to = cloudPart(inc.target.mid(6));
            const QString where = QStringLiteral("%1:%2 (%3) includes %4 (%5)")
                                      .arg(inc.file).arg(inc.line).arg(from, inc.target, to);
            if (!kCloudOrder.contains(to))
                violations << where + QStringLiteral(", which is not in the order");
            else if (kCloudOrder.indexOf(to) > kCloudOrder.indexOf(from)) {
                if (inc.markedUpward)
                    marked << where;
                else
                    violations << where + QStringLiteral(", which stands above it");
            }
        }
        for (const QString& m : std::as_const(marked))
            qInfo().noquote() << "upward on purpose:" << m;
        QVERIFY2(unplaced.isEmpty(),
                 qPrintable(QStringLiteral("parts of services/cloud missing from the order (place them in kCloudOrder and "
                                           "docs/architecture.md): ") + unplaced.join(QStringLiteral(", "))));
        QVERIFY2(violations.isEmpty(), qPrintable(violations.join(QLatin1Char('\n'))));
        // A handful at most, each with its reason on the line.
        QVERIFY2(marked.size() <= 5, qPrintable(marked.join(QLatin1Char('\n'))));
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
