// SPDX-License-Identifier: GPL-3.0-or-later
#include "DesktopApp.h"

#include "DesktopCloudServices.h"
#include "client/Workspace.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Shell.h"
#include "ui/common/Style.h"
#include "ui/shell/TrayIcon.h"

#include <QApplication>
#include <QDesktopServices>
#include <QLibraryInfo>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QTimer>
#include <QTranslator>

Q_LOGGING_CATEGORY(lcDesktopApp, "stint.app.desktop")

namespace stint::desktop {

DesktopApp::DesktopApp(QApplication& app, QString version, QElapsedTimer started)
    : m_app(app)
    , m_started(started)
    , m_settings(m_store)
{
    // Closing the window hides Stint to the tray; quitting is explicit (menu, tray, signal).
    app.setQuitOnLastWindowClosed(false);
    ui::style::apply(app);
    installTranslations(app, m_settings.language());

    const QString dataDirectory
        = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/replicas");
    auto factory = [this, dataDirectory](const QUrl& url) -> std::unique_ptr<ui::CloudServices> {
        auto openUrl = [](const QUrl& target) { return QDesktopServices::openUrl(target); };
        return std::make_unique<DesktopCloudServices>(url, m_clock, m_secrets, dataDirectory, openUrl);
    };
    m_shell = std::make_unique<ui::Shell>(m_settings, m_desktop, m_clock, factory);
    m_shell->setVersion(version);
    m_desktop.setAppIcon(QStringLiteral("io.stint.Stint"));
    m_desktop.setTrayIcon(&m_shell->tray().systemTrayIcon());

    connect(m_shell.get(), &ui::Shell::quitRequested, &app, &QApplication::quit, Qt::QueuedConnection);
    connect(&app, &QApplication::aboutToQuit, m_shell.get(), &ui::Shell::quit);
    // The benchmark (bench_desktop_start) reads this line; what became usable tells a warm start from a sign-in.
    connect(m_shell.get(), &ui::Shell::usable, this, [this]() {
        const char* what = "sign-in";
        if (m_shell->window().screen() == ui::MainWindow::Screen::Workspace)
            what = m_shell->cloud() && m_shell->cloud()->workspace->showingCachedState() ? "workspace from saved data"
                                                                                         : "workspace";
        qCInfo(lcDesktopApp).noquote() << "usable after" << m_started.elapsed() << "ms:" << what;
    });
}

DesktopApp::~DesktopApp() = default;

void DesktopApp::start()
{
    m_shell->start();
}

void DesktopApp::installTranslations(QApplication& app, const QString& language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    QLocale::setDefault(locale);
    auto* qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
    auto* own = new QTranslator(&app);
    const bool translated = own->load(locale, QStringLiteral("stint"), QStringLiteral("_"), QStringLiteral(":/i18n"));
    if (!translated && locale.language() != QLocale::English && locale.language() != QLocale::C)
        qCInfo(lcDesktopApp) << "no Stint translation for" << locale.name() << "- showing English";
    // English is the source language: stint_en holds only its plural forms ("1 tenant", "2 tenants"), which a locale
    // without a translation of its own (C, fr_FR) needs too, or it would read "%n tenant(s)".
    if (translated || own->load(QStringLiteral(":/i18n/stint_en.qm")))
        app.installTranslator(own);
}

} // namespace stint::desktop
