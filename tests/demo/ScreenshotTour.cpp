// SPDX-License-Identifier: GPL-3.0-or-later
// stint-screenshot-tour: the real desktop app (desktop::DesktopApp: the keychain, the settings on disk, the SQLCipher
// replica, the live channel) started inside the demo (scripts/run-demo.sh seeds it and signs Dana Admin in), driven
// through its main screens the way a person would, and photographed: the technician's tenants, the request dialog, a
// live checkout, the admin's connection health, approvals, live checkouts, the audit log and the sign-in page. The
// pictures are what the X server shows (the window and any dialog over it), so run it under Xvfb with a screen of
// the window's size (scripts/screenshots.sh does all of that). Documentation tooling, not a test.
//
//   stint-screenshot-tour --out docs/screenshots
#include "DesktopApp.h"
#include "client/Workspace.h"
#include "ui/admin/AdminView.h"
#include "ui/shell/CloudServices.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Shell.h"
#include "ui/shell/WorkspacePage.h"
#include "ui/technician/RequestAccessDialog.h"
#include "ui/technician/TechnicianView.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScreen>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>
#include <functional>

using namespace stint;

namespace {

constexpr int kWidth = 1280;
constexpr int kHeight = 800;

void say(const QString& text)
{
    std::fprintf(stdout, "%s\n", text.toUtf8().constData());
    std::fflush(stdout);
}

[[noreturn]] void die(const QString& why)
{
    std::fprintf(stderr, "stint-screenshot-tour: %s\n", why.toUtf8().constData());
    std::exit(1);
}

// Runs the event loop until `condition` holds (checked after every batch of events), or dies after `seconds`.
void waitFor(const QString& what, const std::function<bool()>& condition, int seconds = 60)
{
    QDeadlineTimer deadline(seconds * 1000);
    while (!condition()) {
        if (deadline.hasExpired())
            die(QStringLiteral("gave up waiting for %1").arg(what));
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    }
}

// Lets pending layouts, animations' first frames and paints happen before a picture is taken.
void settle(int ms = 400)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

template <typename T> T* find(QObject* from, const QString& name)
{
    T* w = from->findChild<T*>(name);
    if (!w)
        die(QStringLiteral("no %1 on the screen").arg(name));
    return w;
}

class Camera
{
public:
    explicit Camera(QString dir)
        : m_dir(std::move(dir))
    {
    }
    // What the X server shows where the window is: the window and whatever dialog is open over it.
    void shoot(QWidget& window, const QString& name)
    {
        settle();
        const QRect frame = window.frameGeometry();
        QScreen* screen = window.screen();
        const QPixmap picture = screen->grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height());
        const QString path = QDir(m_dir).filePath(name + QStringLiteral(".png"));
        if (picture.isNull() || !picture.save(path))
            die(QStringLiteral("could not save %1").arg(path));
        say(QStringLiteral("  %1 (%2×%3)").arg(path).arg(picture.width()).arg(picture.height()));
    }

private:
    QString m_dir;
};

QString tenantId(client::Workspace& workspace, const QString& name)
{
    for (const models::Tenant& t : workspace.tenants())
        if (t.name == name)
            return t.id;
    die(QStringLiteral("no tenant %1").arg(name));
}

bool selectTenant(QAbstractItemView* list, const QString& name)
{
    for (int i = 0; i < list->model()->rowCount(); ++i) {
        const QModelIndex index = list->model()->index(i, 0);
        if (index.data().toString() == name) {
            list->setCurrentIndex(index);
            return true;
        }
    }
    return false;
}

} // namespace

int main(int argc, char* argv[])
{
    QElapsedTimer started;
    started.start();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("stint"));
    QApplication::setApplicationDisplayName(QStringLiteral("Stint"));
    QApplication::setDesktopFileName(QStringLiteral("io.stint.Stint"));
    QCommandLineParser options;
    options.addOption({QStringLiteral("out"), QStringLiteral("Where the PNGs go."), QStringLiteral("dir")});
    options.addHelpOption();
    options.process(app);
    const QString out = options.value(QStringLiteral("out"));
    if (out.isEmpty() || !QDir().mkpath(out))
        die(QStringLiteral("say --out DIR (a directory that can be made)"));
    if (QGuiApplication::platformName() != QLatin1String("xcb"))
        die(QStringLiteral("needs an X server (it photographs the screen): run it under Xvfb"));

    desktop::DesktopApp stint(app, QStringLiteral(STINT_VERSION), started);
    ui::Shell& shell = stint.shell();
    ui::MainWindow& window = shell.window();
    stint.start();
    window.setGeometry(0, 0, kWidth, kHeight);
    Camera camera(out);

    say(QStringLiteral("Waiting for the workspace (the demo signed Dana Admin in)…"));
    waitFor(QStringLiteral("the workspace"), [&]() { return shell.signedIn() && shell.workspacePage() && shell.cloud(); });
    client::Workspace& workspace = *shell.cloud()->workspace;
    waitFor(QStringLiteral("the first sync"), [&]() { return workspace.tenants().size() >= 2; });
    ui::WorkspacePage& page = *shell.workspacePage();
    page.setCurrentTab(ui::WorkspacePage::Tab::MyAccess);
    ui::TechnicianView& technician = page.technicianView();

    // 1. The technician's tenants, Contoso picked.
    auto* list = find<QAbstractItemView>(&technician, QStringLiteral("tenantList"));
    waitFor(QStringLiteral("Contoso in the list"), [&]() { return selectTenant(list, QStringLiteral("Contoso")); });
    camera.shoot(window, QStringLiteral("technician-tenants"));

    // 2. The request dialog (Ctrl+R), filled in.
    technician.requestAccess();
    ui::RequestAccessDialog* dialog = nullptr;
    waitFor(QStringLiteral("the request dialog"), [&]() {
        dialog = technician.findChild<ui::RequestAccessDialog*>(QStringLiteral("requestAccessDialog"));
        return dialog && dialog->isVisible();
    });
    auto* roles = find<QListWidget>(dialog, QStringLiteral("roleList"));
    waitFor(QStringLiteral("the roles on offer"), [&]() { return roles->count() > 0; });
    for (int i = 0; i < roles->count(); ++i)
        if (roles->item(i)->text().startsWith(QLatin1String("User Administrator")))
            roles->item(i)->setCheckState(Qt::Checked);
    find<QLineEdit>(dialog, QStringLiteral("justificationEdit"))->setText(QStringLiteral("Reset MFA for j.doe@contoso.com"));
    camera.shoot(window, QStringLiteral("request-dialog"));

    // 3. Sent: provisioning against entra-sim, then ready with its countdown.
    find<QPushButton>(dialog, QStringLiteral("submitButton"))->click();
    waitFor(QStringLiteral("the checkout to be ready"), [&]() {
        for (const models::Checkout& c : workspace.checkouts())
            if (c.state == models::CheckoutState::Ready)
                return true;
        return false;
    });
    auto* tabs = find<QTabWidget>(&technician, QStringLiteral("technicianTabs"));
    tabs->setCurrentIndex(0);
    settle(800);
    camera.shoot(window, QStringLiteral("technician-live-checkout"));

    // 4. The admin view: Contoso's connection health.
    page.setCurrentTab(ui::WorkspacePage::Tab::Administration);
    ui::AdminView* admin = page.ensureAdminView();
    admin->showTenant(tenantId(workspace, QStringLiteral("Contoso")));
    waitFor(QStringLiteral("Contoso's health"),
            [&]() { return !find<QLabel>(admin, QStringLiteral("healthVerdict"))->text().isEmpty(); });
    camera.shoot(window, QStringLiteral("admin-connection-health"));

    // 5. Approvals (Ada's request for Exchange Administrator), live checkouts, the audit log.
    admin->showPage(ui::AdminView::Page::Approvals);
    camera.shoot(window, QStringLiteral("admin-approvals"));
    admin->showPage(ui::AdminView::Page::LiveCheckouts);
    camera.shoot(window, QStringLiteral("admin-live-checkouts"));
    admin->showPage(ui::AdminView::Page::Audit);
    settle(1000);
    camera.shoot(window, QStringLiteral("admin-audit"));

    // 6. Signed out: the sign-in page.
    shell.signOut();
    waitFor(QStringLiteral("the sign-in page"), [&]() { return window.screen() == ui::MainWindow::Screen::SignIn; });
    camera.shoot(window, QStringLiteral("sign-in"));

    say(QStringLiteral("Done."));
    shell.quit();
    return 0;
}
