// SPDX-License-Identifier: GPL-3.0-or-later
// The shell's "usable" mark (what the start-up benchmark times): it comes after the window has painted the screen a
// person can use — the saved workspace with its tenants and checkouts, or the sign-in screen — and not when the shell
// merely chose that screen (the first version emitted it before anything was painted).
#include "client/Workspace.h"
#include "support/client/ShellHarness.h"
#include "support/client/WidgetProbe.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Shell.h"
#include "ui/shell/SignInPage.h"
#include "ui/shell/WorkspacePage.h"

#include <QApplication>
#include <QSignalSpy>
#include <QtTest>

using namespace stint;
using stint::test::ShellHarness;
using stint::ui::MainWindow;
using stint::ui::Shell;
namespace probe = stint::test::probe;

namespace {
const QString kHelpdeskAdmin = QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8");

// Counts the paint events each watched widget received, application-wide (the pages are made during the test).
class PaintCounter : public QObject
{
public:
    PaintCounter() { qApp->installEventFilter(this); }
    ~PaintCounter() override { qApp->removeEventFilter(this); }
    int paintsOf(const QObject* o) const { return m_paints.value(o); }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Paint)
            ++m_paints[watched];
        return false;
    }

private:
    QHash<const QObject*, int> m_paints;
};
} // namespace

class TestShellFirstFrame : public QObject
{
    Q_OBJECT

private slots:
    void usableAfterTheScreenIsPainted_data()
    {
        QTest::addColumn<bool>("previousRun");
        QTest::addColumn<MainWindow::Screen>("screen");
        QTest::newRow("saved workspace") << true << MainWindow::Screen::Workspace;
        QTest::newRow("first run: sign-in") << false << MainWindow::Screen::SignIn;
    }

    void usableAfterTheScreenIsPainted()
    {
        QFETCH(bool, previousRun);
        QFETCH(MainWindow::Screen, screen);
        ShellHarness h;
        const models::Person ada = h.cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Lovelace"),
                                                     QStringLiteral("technician"));
        const models::Tenant contoso
            = h.cloud.addTenant(QStringLiteral("Contoso"),
                                {models::OfferedRole {kHelpdeskAdmin, QStringLiteral("Helpdesk Administrator")}});
        h.cloud.addPolicy(QStringLiteral("Helpdesk"), {contoso.id}, {ada.id}, {kHelpdeskAdmin}, 240);
        if (previousRun) {
            h.seedPreviousRun(ada);
            QVERIFY(!QTest::currentTestFailed());
        }
        h.cloud.setDelayMs(2000); // the service answers late: what shows first is the saved state

        PaintCounter paints;
        Shell& shell = h.makeShell();
        struct AtUsable
        {
            MainWindow::Screen screen = MainWindow::Screen::Starting;
            int screenPaints = 0;
            bool showsContoso = false;
            bool cached = false;
        };
        std::optional<AtUsable> at;
        QSignalSpy usable(&shell, &Shell::usable);
        connect(&shell, &Shell::usable, this, [&]() {
            AtUsable a;
            a.screen = shell.window().screen();
            QWidget* page = a.screen == MainWindow::Screen::Workspace ? static_cast<QWidget*>(shell.workspacePage())
                                                                      : &shell.window().signInPage();
            a.screenPaints = paints.paintsOf(page);
            a.showsContoso = probe::shows(page, QStringLiteral("Contoso"));
            a.cached = shell.cloud() && shell.cloud()->workspace->showingCachedState();
            at = a;
        });
        shell.start();
        QTRY_COMPARE(usable.count(), 1);
        QVERIFY(at);
        QCOMPARE(at->screen, screen);
        QVERIFY2(at->screenPaints > 0, "usable before the screen was painted");
        if (previousRun) {
            QVERIFY(at->showsContoso);
            QVERIFY(at->cached); // the saved state, not the service's answer
        }
        // Once only, whatever paints later: a synchronous repaint, then the zero timer an emission would use.
        shell.window().repaint();
        QCoreApplication::processEvents();
        QCOMPARE(usable.count(), 1);
    }
};

QTEST_MAIN(TestShellFirstFrame)
#include "TestShellFirstFrame.moc"
