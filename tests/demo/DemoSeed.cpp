// SPDX-License-Identifier: GPL-3.0-or-later
// stint-demo-seed: gives the demo's freshly initialized stint-cloud an organization to show, built through the real API
// and entra-sim's consent page (support/DemoWorld): the admin from `init`, a technician (Ada) and a second one,
// Contoso connected by admin consent with its settings and two access policies (one needing approval), and Fabrikam
// added but waiting to be connected. It then keeps Ada's session in the keychain and points the desktop app's settings
// at the service, so that `stint` starts signed in as Ada. Test tooling for scripts/run-demo.sh; the people sign in
// with software passkeys that live only in this process.
//
//   stint-demo-seed --cloud-port P --sim-port S --invite TOKEN --scenario demo.json
// Prints what it made; exit 0 when the world is ready.
#include "client/HttpTransport.h"
#include "client/SecretStore.h"
#include "client/SessionKeeper.h"
#include "models/Checkout.h"
#include "support/DemoWorld.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>
#include <QTimer>
#include <QUuid>

#include <cstdio>

using namespace stint;
using namespace stint::test;

namespace {

void say(const QString& text)
{
    std::fprintf(stdout, "%s\n", text.toUtf8().constData());
    std::fflush(stdout);
}

[[noreturn]] void die(const QString& what, const Error& e)
{
    std::fprintf(stderr, "stint-demo-seed: %s: %s\n", what.toUtf8().constData(), e.message.toUtf8().constData());
    std::exit(1);
}

template <typename T> T need(Result<T> r, const QString& what)
{
    if (!r.ok())
        die(what, r.error());
    return std::move(r).value();
}

void need(Result<void> r, const QString& what)
{
    if (!r.ok())
        die(what, r.error());
}

QString password(const QJsonObject& world, const QString& upn)
{
    for (const QJsonValue& t : world.value(QLatin1String("tenants")).toArray())
        for (const QJsonValue& u : t.toObject().value(QLatin1String("users")).toArray())
            if (u.toObject().value(QLatin1String("userPrincipalName")).toString() == upn)
                return u.toObject().value(QLatin1String("password")).toString();
    return {};
}

// Ada's session into the keychain, as the app's own sign-in would keep it (SessionKeeper).
Result<void> keepSession(const QString& origin, CloudProcess& cloud, const QString& token)
{
    const HttpResult me = cloud.get(QStringLiteral("/v1/me"), token);
    auto person = models::Person::fromJson(me.json.value(QLatin1String("person")).toObject());
    if (!person)
        return person.error();
    models::SignedInSession session;
    session.token = crypto::SecretBytes(token.toUtf8());
    session.sessionId = me.json.value(QLatin1String("sessionId")).toString();
    session.expiresAt = QDateTime::currentMSecsSinceEpoch() + 12 * 3'600'000LL;
    session.person = *person;
    client::HttpTransport transport{QUrl(origin)};
    client::CloudApi api(transport);
    client::KeychainSecretStore store;
    client::SessionKeeper keeper(api, store);
    std::optional<Result<void>> outcome;
    QEventLoop loop;
    QObject context;
    keeper.adopt(session).then(&context, [&](const Result<void>& r) {
        outcome = r;
        loop.quit();
    });
    QTimer::singleShot(30'000, &loop, &QEventLoop::quit);
    loop.exec();
    if (!outcome)
        return Error{QStringLiteral("demo.keychain"), QStringLiteral("the keychain did not answer"), {}};
    return *outcome;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOption({QStringLiteral("cloud-port"), QStringLiteral("stint-cloud's port on 127.0.0.1."), QStringLiteral("port")});
    p.addOption({QStringLiteral("sim-port"), QStringLiteral("entra-sim's port on 127.0.0.1."), QStringLiteral("port")});
    p.addOption({QStringLiteral("invite"), QStringLiteral("The first admin's invite token (from init)."), QStringLiteral("token")});
    p.addOption({QStringLiteral("admin-email"), QStringLiteral("The first admin's email."), QStringLiteral("email"),
                 QStringLiteral("admin@demo-msp.test")});
    p.addOption({QStringLiteral("scenario"), QStringLiteral("entra-sim's demo world (for the customers' admins)."), QStringLiteral("file")});
    p.addOption({QStringLiteral("sign-in-as"), QStringLiteral("Whose session the app starts with: ada (technician) or dana (admin)."),
                 QStringLiteral("who"), QStringLiteral("ada")});
    p.addOption({QStringLiteral("pending-approval"),
                 QStringLiteral("Ada also asks for Exchange Administrator at Contoso, waiting for an admin's approval.")});
    p.addHelpOption();
    p.process(app);

    QFile scenarioFile(p.value(QStringLiteral("scenario")));
    if (!scenarioFile.open(QIODevice::ReadOnly))
        die(QStringLiteral("scenario"), Error{{}, QStringLiteral("cannot read %1").arg(scenarioFile.fileName()), {}});
    const QJsonObject scenario = QJsonDocument::fromJson(scenarioFile.readAll()).object();

    CloudProcess cloud({});
    cloud.attach(quint16(p.value(QStringLiteral("cloud-port")).toUInt()));
    SimProcess sim;
    sim.attach(quint16(p.value(QStringLiteral("sim-port")).toUInt()));
    DemoWorld world(cloud, sim);

    const auto admin = need(world.enrollFirstAdmin(p.value(QStringLiteral("invite")), p.value(QStringLiteral("admin-email"))),
                            QStringLiteral("enrolling the first admin"));
    need(world.asAdmin(QStringLiteral("PATCH"), QStringLiteral("/v1/people/") + admin.id,
                       {{QStringLiteral("displayName"), QStringLiteral("Dana Admin")}}).status == 200
             ? Result<void>()
             : Result<void>(Error{{}, QStringLiteral("renaming the admin"), {}}),
         QStringLiteral("admin"));
    const auto ada = need(world.addPerson(QStringLiteral("ada@demo-msp.test"), QStringLiteral("Ada Lovelace"), QStringLiteral("technician")),
                          QStringLiteral("adding Ada"));
    const auto grace = need(world.addPerson(QStringLiteral("grace@demo-msp.test"), QStringLiteral("Grace Hopper"), QStringLiteral("technician")),
                            QStringLiteral("adding Grace"));
    say(QStringLiteral("People: Dana Admin (admin), Ada Lovelace and Grace Hopper (technicians)."));

    const QString contoso = need(world.addTenant(QStringLiteral("Contoso"), QStringLiteral("Managed since 2024; change window Fridays.")),
                                 QStringLiteral("adding Contoso"));
    const QString status = need(world.connectByConsent(contoso, QStringLiteral("admin@contoso.com"),
                                                       password(scenario, QStringLiteral("admin@contoso.com"))),
                                QStringLiteral("connecting Contoso"));
    const QStringList roles{QStringLiteral("User Administrator"), QStringLiteral("Exchange Administrator"),
                            QStringLiteral("Helpdesk Administrator"), QStringLiteral("Global Reader")};
    need(world.configureTenant(contoso, QStringLiteral("contoso.com"), roles, 60, 240, QStringLiteral("both")),
         QStringLiteral("Contoso's settings"));
    say(QStringLiteral("Contoso: %1 by admin consent; accounts on contoso.com, password and Temporary Access Pass.").arg(status));

    const QStringList everyday = need(world.roleIds(contoso, {roles.at(0), roles.at(2), roles.at(3)}), QStringLiteral("roles"));
    const QStringList exchange = need(world.roleIds(contoso, {roles.at(1)}), QStringLiteral("roles"));
    need(world.addPolicy(QStringLiteral("Contoso helpdesk"), {contoso}, everyday, {ada.id, grace.id, admin.id}, 120, true, false, false),
         QStringLiteral("policy"));
    need(world.addPolicy(QStringLiteral("Contoso Exchange (approval)"), {contoso}, exchange, {ada.id}, 240, true, true, true),
         QStringLiteral("policy"));
    say(QStringLiteral("Policies: Contoso helpdesk (User, Helpdesk Administrator, Global Reader; 2 h; Ada, Grace, Dana), "
                       "Contoso Exchange (Exchange Administrator; approval and ticket; Ada)."));

    need(world.addTenant(QStringLiteral("Fabrikam"), QStringLiteral("New customer: connect with their Global Administrator.")),
         QStringLiteral("adding Fabrikam"));
    say(QStringLiteral("Fabrikam: added, waiting to be connected."));

    if (p.isSet(QStringLiteral("pending-approval"))) {
        models::CheckoutRequest request;
        request.tenantId = contoso;
        request.roleDefinitionIds = exchange;
        request.durationMinutes = 120;
        request.justification = QStringLiteral("Mail flow rule for the finance team");
        request.ticket = QStringLiteral("CS-4711");
        const HttpResult asked = cloud.request(QStringLiteral("POST"), QStringLiteral("/v1/checkouts"), request.toJson(),
                                               ada.token, {{"Idempotency-Key", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)}});
        if (asked.status != 201 && asked.status != 202)
            die(QStringLiteral("Ada's request for approval"),
                Error{{}, QStringLiteral("HTTP %1: %2").arg(asked.status).arg(QString::fromUtf8(asked.body)), {}});
        say(QStringLiteral("Ada asked for Exchange Administrator at Contoso: waiting for an admin's approval."));
    }

    const QString origin = cloud.origin();
    const bool asDana = p.value(QStringLiteral("sign-in-as")) == QLatin1String("dana");
    need(keepSession(origin, cloud, asDana ? admin.token : ada.token), QStringLiteral("keeping the session in the keychain"));
    // The desktop app's settings (XDG_CONFIG_HOME chosen by run-demo.sh): which service.
    QSettings settings(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("stint"), QStringLiteral("stint"));
    settings.setValue(QStringLiteral("cloud/url"), origin);
    settings.sync();

    // An invite for whoever runs the demo, to try the admin view with a passkey of their own.
    const HttpResult invite = world.asAdmin(QStringLiteral("POST"), QStringLiteral("/v1/invites"),
                                            {{QStringLiteral("email"), QStringLiteral("you@demo-msp.test")},
                                             {QStringLiteral("role"), QStringLiteral("admin")},
                                             {QStringLiteral("displayName"), QStringLiteral("You")}});
    say(QStringLiteral("Signed in for the app: %1 at %2.").arg(asDana ? QStringLiteral("Dana Admin") : QStringLiteral("Ada Lovelace"), origin));
    if (invite.status == 201)
        say(QStringLiteral("To try the admin view with a passkey of your own, open in Chromium or Firefox:\n  %1\nthen in the app: "
                           "Sign out, Sign in with browser.")
                .arg(invite.json.value(QLatin1String("enrollmentUrl")).toString()));
    return 0;
}
