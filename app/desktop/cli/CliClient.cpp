// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/CliClient.h"

#include "cli/Terminal.h"
#include "QSettingsStore.h"
#include "ui/shell/AppSettings.h"

#include "client/SecurityKeySignIn.h"
#include "client/fido2/Fido2SecurityKeys.h"
#include "client/fido2/HidDeviceSource.h"
#include "client/loopback/LoopbackFlows.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QTimer>

namespace stint::cli {

CliClient::CliClient(const QUrl& cloudUrl)
    : m_cloudUrl(cloudUrl)
    , m_transport(std::make_unique<client::HttpTransport>(cloudUrl))
    , m_api(std::make_unique<client::CloudApi>(*m_transport))
    , m_secrets(std::make_unique<client::KeychainSecretStore>())
    , m_session(std::make_unique<client::SessionKeeper>(*m_api, *m_secrets))
    , m_events(std::make_unique<client::WebSocketEventChannel>(cloudUrl))
{
}

CliClient::~CliClient() = default;

Result<QUrl> CliClient::resolveCloudUrl(const QString& flag)
{
    QString text = flag;
    if (text.isEmpty())
        text = qEnvironmentVariable("STINT_CLOUD");
    if (text.isEmpty()) {
        // The desktop app's own setting (~/.config/stint/stint.ini), read the way the app reads it.
        desktop::QSettingsStore store;
        text = ui::AppSettings(store).cloudUrl().toString();
    }
    if (text.isEmpty())
        return Error{QStringLiteral("cli.usage"),
                     QStringLiteral("Which Stint service? Say --cloud https://stint.example.com (or set STINT_CLOUD)."),
                     {}};
    const QUrl url(text);
    QString why;
    if (!client::HttpTransport::acceptableBaseUrl(url, &why))
        return Error{QStringLiteral("cli.usage"), QStringLiteral("The service address %1 cannot be used: %2").arg(text, why), {}};
    return url;
}

TimeMs CliClient::serverNow() const
{
    return QDateTime::currentMSecsSinceEpoch() + m_api->serverClockOffsetMs();
}

void CliClient::openEvents()
{
    if (!m_session->signedIn())
        return;
    QEventLoop loop;
    InterruptibleLoop interruptible(loop);
    QObject context;
    QObject::connect(m_events.get(), &client::EventChannel::ready, &context, [&](qint64) { loop.quit(); });
    QObject::connect(m_events.get(), &client::EventChannel::closed, &context, [&](const Error&) { loop.quit(); });
    QTimer::singleShot(5000, &context, [&]() { loop.quit(); });
    m_events->open(m_session->token(), 0);
    loop.exec();
}

Result<client::SharedSession> CliClient::signInWithSecurityKey(const QString& email, bool pinFromStdin)
{
    client::Fido2SecurityKeys keys(std::make_shared<client::HidDeviceSource>());
    client::SecurityKeySignIn signIn(*m_api, keys);
    QObject context;
    QObject::connect(&keys, &client::SecurityKeys::touchRequested, &context, [](int count) {
        terminal::err(count > 1 ? QStringLiteral("Touch the security key you want to use…")
                                : QStringLiteral("Touch your security key…"));
    });
    std::shared_ptr<const crypto::SecretBytes> pin;
    for (int attempt = 0; attempt < 4; ++attempt) {
        auto session = await(signIn.signIn(email, pin));
        if (session.ok() || attempt == 3)
            return session;
        const QString& code = session.error().code;
        const bool askPin = code == QLatin1String(client::fido2errors::kPinRequired)
            || code == QLatin1String(client::fido2errors::kPinInvalid);
        if (!askPin)
            return session;
        if (code == QLatin1String(client::fido2errors::kPinInvalid)) {
            const int left = session.error().details.value(QLatin1String("retriesLeft")).toInt(-1);
            terminal::err(left >= 0 ? QStringLiteral("Wrong PIN; %1 tries left before the key locks.").arg(left)
                                    : QStringLiteral("Wrong PIN."));
            if (pinFromStdin)
                return session; // the same PIN again would only use up tries
        }
        auto entered = pinFromStdin ? terminal::readStdinLine() : terminal::readSecretLine(QStringLiteral("Security key PIN: "));
        if (!entered || entered->isEmpty())
            return Error{QString::fromLatin1(client::fido2errors::kPinRequired),
                         QStringLiteral("This security key needs its PIN: run stint login at a terminal, or pass it with --pin-stdin."),
                         {}};
        pin = std::make_shared<const crypto::SecretBytes>(std::move(*entered));
    }
    return Error{QStringLiteral("fido2.failed"), QStringLiteral("The sign-in did not complete."), {}};
}

Result<client::SharedSession> CliClient::signInWithBrowser()
{
    const bool gui = qobject_cast<QGuiApplication*>(QCoreApplication::instance()) != nullptr;
    client::BrowserSignIn flow(*m_api, [gui](const QUrl& url) {
        if (gui && QDesktopServices::openUrl(url)) {
            terminal::err(QStringLiteral("Finish signing in in your browser…"));
            return true;
        }
        terminal::err(QStringLiteral("Open this address in a browser on this computer to sign in:"));
        terminal::err(url.toString());
        return true;
    });
    return await(flow.signIn());
}

} // namespace stint::cli
