// SPDX-License-Identifier: GPL-3.0-or-later
// The translations: the German .qm (built from translations/stint_de.ts into :/i18n) turns the real window, the
// technician and admin views, the sign-in page and the settings dialog German, with Qt's own German for its buttons;
// the English plural forms read right; and translations/*.ts are complete and current. "Complete" means every message
// finished, numerus forms filled, the placeholders (%1, %n) and the accelerator (&) of the source kept; "current" means
// lupdate, run over the same sources with the same options as the update_translations target, finds exactly the
// messages the file already has. The checker is itself tested on broken entries, so each of its rules can fail.
#include "client/Workspace.h"
#include "support/client/ShellHarness.h"
#include "ui/admin/AdminView.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/SettingsDialog.h"
#include "ui/shell/Shell.h"
#include "ui/shell/SignInPage.h"
#include "ui/shell/WorkspacePage.h"

#include <QAbstractButton>
#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDirIterator>
#include <QLabel>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QProcess>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>
#include <memory>

using namespace stint;
using stint::test::ShellHarness;
using stint::ui::MainWindow;

namespace {

const QString kSourceDir = QStringLiteral(STINT_SOURCE_DIR);
const QString kHelpdeskAdmin = QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8");

// --- Reading a .ts file ---

struct Message
{
    QString context;
    QString source;
    QString comment;
    bool numerus = false;
    QString type; // the translation's type attribute: "" when finished, "unfinished", "vanished", "obsolete"
    QStringList forms; // the translation, or its numerus forms
};

struct TsFile
{
    QString language;
    QList<Message> messages;
    QString error;
};

TsFile readTs(const QByteArray& xml)
{
    TsFile ts;
    QXmlStreamReader r(xml);
    QString context;
    while (r.readNextStartElement()) {
        if (r.name() == QLatin1String("TS")) {
            ts.language = r.attributes().value(QLatin1String("language")).toString();
            continue; // into its children
        }
        if (r.name() != QLatin1String("context")) {
            r.skipCurrentElement();
            continue;
        }
        while (r.readNextStartElement()) {
            if (r.name() == QLatin1String("name")) {
                context = r.readElementText();
            } else if (r.name() == QLatin1String("message")) {
                Message m;
                m.context = context;
                m.numerus = r.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
                while (r.readNextStartElement()) {
                    if (r.name() == QLatin1String("source")) {
                        m.source = r.readElementText();
                    } else if (r.name() == QLatin1String("comment")) {
                        m.comment = r.readElementText();
                    } else if (r.name() == QLatin1String("translation")) {
                        m.type = r.attributes().value(QLatin1String("type")).toString();
                        if (m.numerus) {
                            while (r.readNextStartElement()) {
                                if (r.name() == QLatin1String("numerusform"))
                                    m.forms << r.readElementText();
                                else
                                    r.skipCurrentElement();
                            }
                        } else {
                            m.forms << r.readElementText();
                        }
                    } else {
                        r.skipCurrentElement();
                    }
                }
                ts.messages << m;
            } else {
                r.skipCurrentElement();
            }
        }
    }
    if (r.hasError())
        ts.error = r.errorString();
    return ts;
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString keyOf(const Message& m)
{
    return m.context + QLatin1Char('|') + m.source + QLatin1Char('|') + m.comment
        + (m.numerus ? QStringLiteral("|n") : QString());
}

// --- The rules a finished translation keeps ---

// %1 … %99 (also %L1) and %n, sorted, each as often as it occurs.
QStringList placeholders(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("%L?(\\d{1,2}|n)"));
    QStringList found;
    for (auto it = re.globalMatch(text); it.hasNext();)
        found << it.next().captured(1);
    found.sort();
    return found;
}

// How many accelerators: "&" before a character that is neither space nor "&" ("&&" is a literal ampersand, and
// "Roles & admins" has none).
int accelerators(QString text)
{
    text.remove(QStringLiteral("&&"));
    static const QRegularExpression re(QStringLiteral("&[^\\s&]"));
    return int(text.count(re));
}

// Everything wrong with a .ts file, one line each. `pluralForms`: how many forms the language has (2 for German and
// English). `pluralOnly`: the file holds only the numerus messages (the source-language file).
QStringList problemsIn(const QByteArray& xml, int pluralForms, bool pluralOnly)
{
    const TsFile ts = readTs(xml);
    QStringList problems;
    if (!ts.error.isEmpty())
        return {QStringLiteral("unreadable: %1").arg(ts.error)};
    if (ts.messages.isEmpty())
        problems << QStringLiteral("no messages");
    QSet<QString> seen;
    for (const Message& m : ts.messages) {
        const QString where = QStringLiteral("[%1] \"%2\"").arg(m.context, m.source.left(60));
        if (seen.contains(keyOf(m)))
            problems << where + QStringLiteral(": twice");
        seen.insert(keyOf(m));
        if (pluralOnly && !m.numerus)
            problems << where + QStringLiteral(": not a plural message in a plural-only file");
        if (!m.type.isEmpty()) {
            problems << where + QStringLiteral(": %1").arg(m.type);
            continue;
        }
        if (m.numerus && m.forms.size() != pluralForms) {
            problems << where + QStringLiteral(": %1 plural forms, not %2").arg(m.forms.size()).arg(pluralForms);
            continue;
        }
        if (m.forms.isEmpty())
            problems << where + QStringLiteral(": no translation");
        for (const QString& form : m.forms) {
            if (form.trimmed().isEmpty()) {
                problems << where + QStringLiteral(": empty translation");
                continue;
            }
            if (placeholders(form) != placeholders(m.source))
                problems << where
                        + QStringLiteral(": placeholders %1 in \"%2\"")
                              .arg(placeholders(form).join(QLatin1Char(',')), form.left(60));
            if (accelerators(form) != accelerators(m.source))
                problems << where + QStringLiteral(": accelerator lost or added in \"%1\"").arg(form);
        }
    }
    return problems;
}

// The sources update_translations scans (app/desktop/CMakeLists.txt): ui/, services/client and app/desktop's own files,
// not its cli/ folder.
QStringList translatedSources()
{
    QStringList files;
    const QStringList filters {QStringLiteral("*.cpp"), QStringLiteral("*.h")};
    for (const QString& dir : {QStringLiteral("/ui"), QStringLiteral("/services/client")}) {
        QDirIterator it(kSourceDir + dir, filters, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            files << it.next();
    }
    QDirIterator app(kSourceDir + QStringLiteral("/app/desktop"), filters, QDir::Files);
    while (app.hasNext())
        files << app.next();
    files.sort();
    return files;
}

// --- Reading what a widget shows ---

QString shown(QObject* o)
{
    if (auto* l = qobject_cast<QLabel*>(o))
        return l->text();
    if (auto* b = qobject_cast<QAbstractButton*>(o))
        return b->text();
    if (auto* e = qobject_cast<QLineEdit*>(o))
        return e->placeholderText();
    if (auto* a = qobject_cast<QAction*>(o))
        return a->text();
    QStringList parts;
    if (auto* t = qobject_cast<QTabWidget*>(o)) {
        for (int i = 0; i < t->count(); ++i)
            parts << t->tabText(i);
    } else if (auto* list = qobject_cast<QListWidget*>(o)) {
        for (int i = 0; i < list->count(); ++i)
            parts << list->item(i)->text();
    } else if (auto* c = qobject_cast<QComboBox*>(o)) {
        for (int i = 0; i < c->count(); ++i)
            parts << c->itemText(i);
    } else if (auto* bar = qobject_cast<QMenuBar*>(o)) {
        for (QAction* a : bar->actions())
            parts << a->text();
    } else if (auto* box = qobject_cast<QDialogButtonBox*>(o)) {
        for (QAbstractButton* b : box->buttons())
            parts << b->text();
    }
    return parts.join(QLatin1Char('|'));
}

// The signed-in window of an admin (so it has both views), on the shell harness's fakes.
struct Window
{
    ShellHarness h;
    models::Person grace;

    bool open()
    {
        grace = h.cloud.addPerson(QStringLiteral("grace@msp.example"), QStringLiteral("Grace Hopper"),
                                  QStringLiteral("admin"));
        const QList<models::OfferedRole> roles {{kHelpdeskAdmin, QStringLiteral("Helpdesk Administrator")}};
        const auto contoso = h.cloud.addTenant(QStringLiteral("Contoso"), roles);
        const auto fabrikam = h.cloud.addTenant(QStringLiteral("Fabrikam"), roles);
        h.cloud.addPolicy(QStringLiteral("Helpdesk"), {contoso.id, fabrikam.id}, {grace.id}, {kHelpdeskAdmin}, 240);
        h.seedPreviousRun(grace);
        if (QTest::currentTestFailed())
            return false;
        h.makeShell().start();
        if (!QTest::qWaitFor([this]() { return h.shell().cloud()->workspace->link() == client::Workspace::Link::Live; }))
            return false;
        // The admin view is built right after the first paint.
        return QTest::qWaitFor([this]() { return h.shell().workspacePage()->adminView() != nullptr; });
    }
    MainWindow& window() { return h.shell().window(); }
};

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

    QTranslator m_stint;
    QTranslator m_qt;
    std::unique_ptr<Window> m_window;
    std::unique_ptr<ShellHarness> m_firstRun;

    // The screen a row names, built once.
    QWidget* screen(const QString& name)
    {
        if (name == QLatin1String("window") || name == QLatin1String("technician") || name == QLatin1String("admin")) {
            if (!m_window) {
                m_window = std::make_unique<Window>();
                if (!m_window->open()) {
                    m_window.reset();
                    return nullptr;
                }
            }
            if (name == QLatin1String("window"))
                return &m_window->window();
            if (name == QLatin1String("technician"))
                return m_window->window().findChild<QWidget*>(QStringLiteral("technicianView"));
            return m_window->h.shell().workspacePage()->adminView();
        }
        if (name == QLatin1String("signIn")) {
            // The first run: nobody signed in, no service yet.
            if (!m_firstRun) {
                m_firstRun = std::make_unique<ShellHarness>();
                m_firstRun->makeShell().start();
                if (!QTest::qWaitFor(
                        [this]() { return m_firstRun->shell().window().screen() == MainWindow::Screen::SignIn; }))
                    return nullptr;
            }
            return &m_firstRun->shell().window().signInPage();
        }
        return nullptr;
    }

private slots:
    void initTestCase()
    {
        // As DesktopApp::installTranslations does for language "de".
        const QLocale german(QLocale::German, QLocale::Germany);
        QVERIFY2(m_stint.load(german, QStringLiteral("stint"), QStringLiteral("_"), QStringLiteral(":/i18n")),
                 "no stint_de.qm at :/i18n");
        QVERIFY2(m_qt.load(german, QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath)),
                 "no qtbase_de.qm: install qt6-translations-l10n (scripts/setup.sh)");
        QVERIFY(QCoreApplication::installTranslator(&m_qt));
        QVERIFY(QCoreApplication::installTranslator(&m_stint));
        QLocale::setDefault(german);
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_firstRun.reset();
    }

    // (a) The real screens, German.
    void screensAreGerman_data()
    {
        QTest::addColumn<QString>("screen");
        QTest::addColumn<QString>("objectName");
        QTest::addColumn<QString>("expected");
        QTest::newRow("menus") << "window" << "menuBar" << "&Stint|&Zugriff|&Ansicht|&Hilfe";
        QTest::newRow("sign out") << "window" << "actionSignOut" << "&Abmelden";
        QTest::newRow("request access action") << "window" << "actionRequestAccess" << "Zugriff &anfordern…";
        QTest::newRow("views") << "window" << "workspaceTabs" << "Zu&griff|&Verwaltung";
        QTest::newRow("technician tabs") << "technician" << "technicianTabs" << "Ma&ndanten|&Meine Zugriffe|V&erlauf";
        QTest::newRow("tenant search")
            << "technician" << "tenantSearch" << "Mandanten, Domänen, Rollen suchen (Strg+K)";
        QTest::newRow("tenant count") << "technician" << "tenantCount" << "2 Mandanten";
        QTest::newRow("request button") << "technician" << "requestButton" << "Zugriff an&fordern…";
        QTest::newRow("admin pages") << "admin" << "adminNav"
                                     << "Mandanten|Personen|Gruppen|Richtlinien|Genehmigungen|Laufende Zugriffe|"
                                        "Warnungen|Audit-Protokoll|Webhooks";
        QTest::newRow("sign in with key") << "signIn" << "signInWithKey" << "Mit &Sicherheitsschlüssel anmelden";
        QTest::newRow("sign in with browser") << "signIn" << "signInWithBrowser" << "Mit &Browser anmelden";
        QTest::newRow("service field") << "signIn" << "serviceField" << "https://stint.example.net";
    }

    void screensAreGerman()
    {
        QFETCH(QString, screen);
        QFETCH(QString, objectName);
        QFETCH(QString, expected);
        QWidget* root = this->screen(screen);
        QVERIFY2(root, qPrintable(QStringLiteral("the screen %1 did not open").arg(screen)));
        QObject* o = objectName == QLatin1String("menuBar") ? m_window->window().menuBar()
                                                             : root->findChild<QObject*>(objectName);
        QVERIFY2(o, qPrintable(objectName));
        QCOMPARE(shown(o), expected);
    }

    // The language setting offers the three choices, says when it applies, and Qt's own buttons are German too.
    void settingsDialogIsGerman_data()
    {
        QTest::addColumn<QString>("objectName");
        QTest::addColumn<QString>("expected");
        QTest::newRow("languages") << "settingsLanguage" << "Systemstandard|English|Deutsch";
        QTest::newRow("applies at next start") << "settingsLanguageNote"
                                               << "Eine neue Sprache gilt ab dem nächsten Start von Stint.";
        QTest::newRow("forget") << "settingsForget" << "Gespeicherte Daten &vergessen…";
        QTest::newRow("Qt's own Cancel") << "settingsCancel" << "Abbrechen";
    }

    void settingsDialogIsGerman()
    {
        QFETCH(QString, objectName);
        QFETCH(QString, expected);
        ui::SettingsDialog dialog(QUrl(QStringLiteral("https://stint.example.net")), QStringLiteral("de"), true);
        QObject* o = dialog.findChild<QObject*>(objectName);
        QVERIFY2(o, qPrintable(objectName));
        QCOMPARE(shown(o), expected);
    }

    // Plural forms: German from stint_de.qm, English from stint_en.qm (the source language has only those).
    void pluralForms_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("n");
        QTest::addColumn<QString>("expected");
        const QString editor = QStringLiteral("stint::ui::PolicyEditor");
        const QString tenants = QStringLiteral("%n tenant(s)");
        QTest::newRow("en 1 tenant") << "en" << editor << tenants << 1 << "1 tenant";
        QTest::newRow("en 3 tenants") << "en" << editor << tenants << 3 << "3 tenants";
        QTest::newRow("en 1 person") << "en" << editor << "%n person(s)" << 1 << "1 person";
        QTest::newRow("en 2 people") << "en" << editor << "%n person(s)" << 2 << "2 people";
        QTest::newRow("de 1 Mandant") << "de" << editor << tenants << 1 << "1 Mandant";
        QTest::newRow("de 3 Mandanten") << "de" << editor << tenants << 3 << "3 Mandanten";
        QTest::newRow("de 0 Mandanten") << "de" << editor << tenants << 0 << "0 Mandanten";
        QTest::newRow("de 1 Tag") << "de" << "stint::ui::TimeText" << "%n day(s)" << 1 << "1 Tag";
        QTest::newRow("de 2 Tagen") << "de" << "stint::ui::TimeText" << "%n day(s)" << 2 << "2 Tagen";
    }

    void pluralForms()
    {
        QFETCH(QString, language);
        QFETCH(QString, context);
        QFETCH(QString, source);
        QFETCH(int, n);
        QFETCH(QString, expected);
        QTranslator t;
        QVERIFY(t.load(QStringLiteral(":/i18n/stint_%1.qm").arg(language)));
        const QString form = t.translate(context.toUtf8().constData(), source.toUtf8().constData(), nullptr, n);
        QVERIFY2(!form.isEmpty(), "no translation");
        QCOMPARE(QString(form).replace(QStringLiteral("%n"), QString::number(n)), expected);
    }

    // (b) Complete: every message finished, with its placeholders and accelerator.
    void complete_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("pluralOnly");
        QTest::newRow("de") << "stint_de.ts" << false;
        QTest::newRow("en (plural forms)") << "stint_en.ts" << true;
    }

    void complete()
    {
        QFETCH(QString, file);
        QFETCH(bool, pluralOnly);
        const QByteArray xml = readFile(kSourceDir + QStringLiteral("/translations/") + file);
        QVERIFY2(!xml.isEmpty(), qPrintable(file));
        const QStringList problems = problemsIn(xml, 2, pluralOnly);
        QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("%1 problem(s) in %2:\n").arg(problems.size()).arg(file)
                                                 + problems.mid(0, 30).join(QLatin1Char('\n'))));
        const TsFile ts = readTs(xml);
        int numerus = 0;
        for (const Message& m : ts.messages)
            numerus += m.numerus ? 1 : 0;
        qInfo("%s: %lld messages (%d with plural forms), all finished", qPrintable(file), qlonglong(ts.messages.size()),
              numerus);
    }

    // The checker itself: each rule catches a broken entry.
    void checkerCatches_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("problem");
        QTest::newRow("fine") << "<source>Save %1</source><translation>%1 speichern</translation>" << "";
        QTest::newRow("unfinished") << "<source>Save</source><translation type=\"unfinished\">Speichern</translation>"
                                    << "unfinished";
        QTest::newRow("untranslated") << "<source>Save</source><translation type=\"unfinished\"></translation>"
                                      << "unfinished";
        QTest::newRow("empty") << "<source>Save</source><translation></translation>" << "empty translation";
        QTest::newRow("vanished") << "<source>Gone</source><translation type=\"vanished\">Weg</translation>"
                                  << "vanished";
        QTest::newRow("drops %1") << "<source>Save %1</source><translation>Speichern</translation>" << "placeholders";
        QTest::newRow("adds %2") << "<source>Save %1</source><translation>%1 %2 speichern</translation>"
                                 << "placeholders";
        QTest::newRow("swaps %1 for %2") << "<source>Save %1</source><translation>%2 speichern</translation>"
                                         << "placeholders";
        QTest::newRow("drops accelerator") << "<source>&amp;Save</source><translation>Speichern</translation>"
                                           << "accelerator";
        QTest::newRow("adds accelerator") << "<source>Save</source><translation>&amp;Speichern</translation>"
                                          << "accelerator";
        QTest::newRow("literal ampersand is no accelerator")
            << "<source>Roles &amp; admins</source><translation>Rollen und Administratoren</translation>" << "";
        QTest::newRow("numerus fine") << "<source>%n day(s)</source><translation><numerusform>%n Tag</numerusform>"
                                         "<numerusform>%n Tage</numerusform></translation>"
                                      << "";
        QTest::newRow("numerus form missing")
            << "<source>%n day(s)</source><translation><numerusform>%n Tag</numerusform></translation>"
            << "plural forms";
        QTest::newRow("numerus form empty") << "<source>%n day(s)</source><translation><numerusform>%n Tag"
                                               "</numerusform><numerusform></numerusform></translation>"
                                            << "empty translation";
        QTest::newRow("numerus drops %n") << "<source>%n day(s)</source><translation><numerusform>ein Tag"
                                             "</numerusform><numerusform>%n Tage</numerusform></translation>"
                                          << "placeholders";
    }

    void checkerCatches()
    {
        QFETCH(QString, message);
        QFETCH(QString, problem);
        const bool numerus = message.contains(QLatin1String("numerusform"));
        const QString xml = QStringLiteral("<?xml version=\"1.0\" encoding=\"utf-8\"?><!DOCTYPE TS>"
                                           "<TS version=\"2.1\" language=\"de\" sourcelanguage=\"en\"><context>"
                                           "<name>stint::ui::Test</name><message%1>%2</message></context></TS>")
                                .arg(numerus ? QStringLiteral(" numerus=\"yes\"") : QString(), message);
        const QStringList problems = problemsIn(xml.toUtf8(), 2, false);
        if (problem.isEmpty()) {
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        } else {
            QCOMPARE(problems.size(), 1);
            QVERIFY2(problems.first().contains(problem), qPrintable(problems.first()));
        }
    }

    // (b) Current: lupdate over today's sources finds exactly the messages the file has (a new, changed or removed
    // tr() string fails this until `cmake --build build --target update_translations` and a translation).
    void current_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("pluralOnly");
        QTest::newRow("de") << "stint_de.ts" << false;
        QTest::newRow("en (plural forms)") << "stint_en.ts" << true;
    }

    void current()
    {
        QFETCH(QString, file);
        QFETCH(bool, pluralOnly);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString original = kSourceDir + QStringLiteral("/translations/") + file;
        const QString copy = dir.filePath(file);
        QVERIFY(QFile::copy(original, copy));
        QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);

        // The options of update_translations (app/desktop/CMakeLists.txt).
        QStringList args {QStringLiteral("-I"),         kSourceDir,
                          QStringLiteral("-I"),         kSourceDir + QStringLiteral("/services"),
                          QStringLiteral("-locations"), QStringLiteral("none"),
                          QStringLiteral("-no-obsolete")};
        if (pluralOnly)
            args << QStringLiteral("-pluralonly");
        args << translatedSources() << QStringLiteral("-ts") << copy;
        QProcess lupdate;
        lupdate.setProcessChannelMode(QProcess::MergedChannels);
        lupdate.start(QStringLiteral(STINT_LUPDATE), args);
        QVERIFY2(lupdate.waitForFinished(120000), "lupdate did not finish");
        const QByteArray output = lupdate.readAll();
        QVERIFY2(lupdate.exitStatus() == QProcess::NormalExit && lupdate.exitCode() == 0, output.constData());

        const TsFile before = readTs(readFile(original));
        const TsFile after = readTs(readFile(copy));
        QVERIFY(before.error.isEmpty());
        QVERIFY(after.error.isEmpty());
        QSet<QString> had;
        QSet<QString> has;
        for (const Message& m : before.messages)
            had.insert(keyOf(m));
        for (const Message& m : after.messages) {
            if (m.type != QLatin1String("vanished") && m.type != QLatin1String("obsolete"))
                has.insert(keyOf(m));
        }
        QStringList added = QSet<QString>(has).subtract(had).values();
        QStringList gone = QSet<QString>(had).subtract(has).values();
        added.sort();
        gone.sort();
        QVERIFY2(added.isEmpty() && gone.isEmpty(),
                 qPrintable(QStringLiteral("%1 is out of date with the sources; run `cmake --build build --target "
                                           "update_translations` and translate.\nnew in the sources:\n  %2\n"
                                           "gone from the sources:\n  %3")
                                .arg(file, added.join(QStringLiteral("\n  ")), gone.join(QStringLiteral("\n  ")))));
        QCOMPARE(after.messages.size(), before.messages.size());
    }
};

QTEST_MAIN(TestTranslations)
#include "TestTranslations.moc"
