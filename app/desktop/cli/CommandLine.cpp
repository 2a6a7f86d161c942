// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/CommandLine.h"

#include "cli/CliClient.h"
#include "cli/ExitCodes.h"
#include "cli/Terminal.h"

#include "client/ApiError.h"
#include "client/Portals.h"
#include "client/WebSocketEventChannel.h"
#include "ui/common/TimeText.h"

#include <QClipboard>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMimeData>
#include <QRegularExpression>
#include <QTimer>

namespace stint::cli {

namespace {

using client::Call;
using models::Checkout;
using models::CheckoutState;
using models::Tenant;

struct Command
{
    const char* name;
    const char* summary;
};

const Command kCommands[] = {
    {"login", "Sign in (security key, or --browser)."},
    {"logout", "Sign out and forget the session."},
    {"whoami", "Who is signed in, where."},
    {"tenants", "The customer tenants you may ask for access to."},
    {"request", "Ask for access to a tenant (roles, minutes; --wait for the credential)."},
    {"status", "Your requests and live access, with the time left."},
    {"credential", "Show (or --copy) the credential of a ready checkout."},
    {"extend", "Extend a ready checkout (within your policy)."},
    {"end", "End a checkout now (access is taken away)."},
    {"launch", "Open an admin portal of a tenant you have access to."},
};

QString exitCodesText()
{
    return QStringLiteral(
        "Exit codes:\n"
        "  0  done\n"
        "  1  the service refused or failed\n"
        "  2  wrong arguments\n"
        "  3  not signed in, or the session ended (run: stint login)\n"
        "  4  no such tenant, role or checkout\n"
        "  5  outside your policy (role not granted, too long, justification or ticket missing)\n"
        "  6  the service cannot be reached\n"
        "  7  --wait: the request ended without access (denied, failed, cancelled, expired)\n"
        "  8  the system keychain is not available\n"
        "  9  the sign-in did not complete\n"
        "130  interrupted\n");
}

QString usage()
{
    QString text = QStringLiteral("Usage: stint [<command> [options]]\n\n"
                                  "Without a command, stint opens the desktop app. Commands:\n");
    for (const Command& c : kCommands)
        text += QStringLiteral("  %1%2\n").arg(QString::fromLatin1(c.name).leftJustified(12), QString::fromLatin1(c.summary));
    text += QStringLiteral("\nEvery command takes --cloud URL (default: $STINT_CLOUD, else the app's setting), --json "
                           "(one JSON document on stdout)\nand --help. `stint <command> --help` says more.\n\n");
    return text + exitCodesText();
}

// --- output ---

// A JSON string literal for `bytes` (UTF-8), written without going through QString: secrets printed with --json
// leave no copies behind but this one, which the caller wipes.
QByteArray jsonString(QByteArrayView bytes)
{
    QByteArray out;
    out.reserve(bytes.size() + 2);
    out.append('"');
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (c < 0x20)
                out.append(QStringLiteral("\\u%1").arg(int(c), 4, 16, QLatin1Char('0')).toLatin1());
            else
                out.append(char(c));
        }
    }
    out.append('"');
    return out;
}

void printJson(const QJsonValue& value)
{
    const QByteArray text = value.isObject() ? QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented)
                                             : QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented);
    terminal::outBytes(text);
}

int codeFor(const Error& e)
{
    namespace errors = client::errors;
    if (e.code == QLatin1String("cli.interrupted"))
        return kInterrupted;
    if (e.code == QLatin1String("cli.usage"))
        return kUsage;
    if (e.code == QLatin1String("cli.not_found") || e.code == QLatin1String(errors::kNotFound))
        return kNotFound;
    if (e.code == QLatin1String("cli.not_signed_in") || errors::isUnauthorized(e))
        return kNotSignedIn;
    if (errors::isNetwork(e))
        return kUnreachable;
    if (e.code == QLatin1String("api.forbidden") || e.code == QLatin1String(errors::kValidation))
        return kNotAllowed;
    if (e.code == QLatin1String(client::kSecretsUnavailable))
        return kKeychain;
    if (e.code.startsWith(QLatin1String("fido2.")) || e.code.startsWith(QLatin1String("loopback.")))
        return kSignInFailed;
    if (e.code == QLatin1String("cli.not_ready"))
        return kNotReady;
    return kFailed;
}

// Says what went wrong (and what to do) and returns the exit code for it.
int fail(const Error& e, bool json)
{
    QString message = e.message;
    const auto fields = client::errors::fieldErrors(e);
    for (auto it = fields.begin(); it != fields.end(); ++it)
        message += QStringLiteral("\n  %1: %2").arg(it.key(), it.value());
    if (client::errors::isUnauthorized(e) || e.code == QLatin1String("cli.not_signed_in"))
        message += QStringLiteral("\nSign in with: stint login");
    terminal::err(QStringLiteral("stint: ") + message);
    if (json) {
        printJson(QJsonObject{{QStringLiteral("error"),
                               QJsonObject{{QStringLiteral("code"), e.code},
                                           {QStringLiteral("message"), e.message},
                                           {QStringLiteral("details"), e.details},
                                           {QStringLiteral("exitCode"), codeFor(e)}}}});
    }
    return codeFor(e);
}

Error cliError(const char* code, const QString& message)
{
    return Error{QString::fromLatin1(code), message, {}};
}

// --- finding things by what people type ---

// A tenant by id, exact name, or an unambiguous part of its name (case-insensitive).
Result<Tenant> findTenant(const QList<Tenant>& tenants, const QString& what)
{
    for (const Tenant& t : tenants) {
        if (t.id == what || t.name.compare(what, Qt::CaseInsensitive) == 0)
            return t;
    }
    QList<Tenant> matches;
    for (const Tenant& t : tenants) {
        if (t.name.contains(what, Qt::CaseInsensitive))
            matches.append(t);
    }
    if (matches.size() == 1)
        return matches.front();
    if (matches.isEmpty())
        return cliError("cli.not_found",
                        QStringLiteral("No tenant you may access matches \"%1\" (stint tenants lists them).").arg(what));
    QStringList names;
    for (const Tenant& t : matches)
        names << t.name;
    return cliError("cli.usage", QStringLiteral("\"%1\" matches several tenants: %2. Say which.").arg(what, names.join(QStringLiteral(", "))));
}

// Role ids from names or ids, among what the tenant's grants offer me.
Result<QStringList> findRoles(const Tenant& tenant, const QStringList& wanted)
{
    QStringList grantable;
    for (const models::TenantGrant& g : tenant.myGrants)
        for (const QString& r : g.roleDefinitionIds)
            if (!grantable.contains(r))
                grantable << r;
    QStringList ids;
    for (const QString& w : wanted) {
        QString found;
        for (const QString& r : grantable) {
            if (r.compare(w, Qt::CaseInsensitive) == 0 || tenant.roleName(r).compare(w, Qt::CaseInsensitive) == 0)
                found = r;
        }
        if (found.isEmpty()) {
            QStringList names;
            for (const QString& r : grantable)
                names << tenant.roleName(r);
            return cliError("cli.not_found", QStringLiteral("You may not ask for the role \"%1\" in %2. You may ask for: %3.")
                                                 .arg(w, tenant.name, names.isEmpty() ? QStringLiteral("nothing") : names.join(QStringLiteral(", "))));
        }
        if (!ids.contains(found))
            ids << found;
    }
    return ids;
}

QString stateText(const Checkout& c)
{
    switch (c.state) {
    case CheckoutState::Requested:
        return QStringLiteral("requested");
    case CheckoutState::AwaitingApproval:
        return QStringLiteral("awaiting approval");
    case CheckoutState::Provisioning:
        return QStringLiteral("preparing access");
    case CheckoutState::Ready:
        return QStringLiteral("ready");
    case CheckoutState::Revoking:
        return QStringLiteral("ending");
    case CheckoutState::RevokeFailed:
        return QStringLiteral("ending (retrying)");
    default:
        return models::toString(c.state);
    }
}

QJsonObject checkoutJson(const Checkout& c, const QString& tenantName)
{
    QJsonObject o = c.toJson();
    o.insert(QStringLiteral("tenantName"), tenantName);
    return o;
}

// --- the commands ---

class Runner
{
public:
    Runner(CliClient& client, bool json)
        : m_client(client)
        , m_json(json)
    {
    }

    int tenants();
    int whoami();
    int status();
    int request(const QString& tenant, const QStringList& roles, int minutes, const QString& ticket,
                const QString& justification, bool wait, int timeoutSeconds);
    int credential(const QString& which, bool copy, const QString& part);
    int extend(const QString& which, int minutes);
    int end(const QString& which);
    int launch(const QString& tenant, const QString& portal);
    int login(bool browser, const QString& email, bool pinFromStdin);
    int logout();

private:
    Result<void> needSession();
    Result<Checkout> findCheckout(const QString& which, bool readyOnly);
    Result<Checkout> waitUntilSettled(const Checkout& start, int timeoutSeconds);
    int printCredential(const Checkout& checkout, const QString& tenantName, const std::optional<Checkout>& also = {});
    QString tenantName(const QString& tenantId);

    CliClient& m_client;
    bool m_json;
    QList<Tenant> m_tenants;
};

Result<void> Runner::needSession()
{
    auto restored = m_client.await(m_client.session().restore());
    if (!restored)
        return restored.error();
    if (!*restored)
        return cliError("cli.not_signed_in", QStringLiteral("You are not signed in to %1.").arg(m_client.cloudUrl().toString()));
    return {};
}

QString Runner::tenantName(const QString& tenantId)
{
    for (const Tenant& t : m_tenants)
        if (t.id == tenantId)
            return t.name;
    return tenantId;
}

int Runner::whoami()
{
    if (auto ok = needSession(); !ok)
        return fail(ok.error(), m_json);
    auto me = m_client.await(m_client.api().me());
    if (!me)
        return fail(me.error(), m_json);
    if (m_json) {
        QJsonObject o = me->toJson();
        o.insert(QStringLiteral("cloud"), m_client.cloudUrl().toString());
        printJson(o);
    } else {
        terminal::out(QStringLiteral("%1 <%2>, %3 of %4, at %5")
                          .arg(me->person.displayName, me->person.email, me->person.role, me->organization.name,
                               m_client.cloudUrl().toString()));
    }
    return kOk;
}

int Runner::tenants()
{
    if (auto ok = needSession(); !ok)
        return fail(ok.error(), m_json);
    auto list = m_client.await(m_client.api().tenants());
    if (!list)
        return fail(list.error(), m_json);
    if (m_json) {
        QJsonArray items;
        for (const Tenant& t : *list)
            items.append(t.toJson());
        printJson(QJsonObject{{QStringLiteral("tenants"), items}});
        return kOk;
    }
    if (list->isEmpty()) {
        terminal::out(QStringLiteral("No tenants: no access policy grants you any yet. Ask an admin."));
        return kOk;
    }
    bool anyApproval = false;
    for (const Tenant& t : *list) {
        // Per role: the longest any grant allows, and whether every grant of it needs approval.
        QStringList roles;
        int maxMinutes = 0;
        for (const models::TenantGrant& g : t.myGrants) {
            maxMinutes = std::max(maxMinutes, g.maxDurationMinutes);
            for (const QString& r : g.roleDefinitionIds) {
                bool withoutApproval = false;
                for (const models::TenantGrant& other : t.myGrants)
                    withoutApproval = withoutApproval || (other.roleDefinitionIds.contains(r) && !other.requireApproval);
                const QString name = t.roleName(r) + (withoutApproval ? QString() : QStringLiteral(" *"));
                if (!roles.contains(name))
                    roles << name;
                anyApproval = anyApproval || !withoutApproval;
            }
        }
        terminal::out(QStringLiteral("%1  [%2]").arg(t.name, t.connection.status));
        terminal::out(QStringLiteral("    roles: %1").arg(roles.isEmpty() ? QStringLiteral("-") : roles.join(QStringLiteral(", "))));
        terminal::out(QStringLiteral("    up to %1 (default %2)")
                          .arg(ui::TimeText::minutes(maxMinutes), ui::TimeText::minutes(t.connection.defaultDurationMinutes)));
    }
    if (anyApproval)
        terminal::out(QStringLiteral("* needs an admin's approval"));
    return kOk;
}

int Runner::status()
{
    if (auto ok = needSession(); !ok)
        return fail(ok.error(), m_json);
    auto tenants = m_client.await(m_client.api().tenants());
    if (!tenants)
        return fail(tenants.error(), m_json);
    m_tenants = *tenants;
    auto me = m_client.await(m_client.api().me());
    if (!me)
        return fail(me.error(), m_json);
    client::CheckoutFilter mine;
    mine.technicianId = me->person.id;
    auto checkouts = m_client.await(m_client.api().checkouts(mine));
    if (!checkouts)
        return fail(checkouts.error(), m_json);
    QList<Checkout> open;
    for (const Checkout& c : *checkouts)
        if (!c.isOver())
            open.append(c);
    const TimeMs now = m_client.serverNow();
    if (m_json) {
        QJsonArray items;
        for (const Checkout& c : open) {
            QJsonObject o = checkoutJson(c, tenantName(c.tenantId));
            if (c.expiresAt)
                o.insert(QStringLiteral("remainingSeconds"), qMax<qint64>(0, (*c.expiresAt - now) / 1000));
            items.append(o);
        }
        printJson(QJsonObject{{QStringLiteral("checkouts"), items}});
        return kOk;
    }
    if (open.isEmpty()) {
        terminal::out(QStringLiteral("No open requests or live access."));
        return kOk;
    }
    for (const Checkout& c : open) {
        QString line = QStringLiteral("%1  %2  %3").arg(c.id, tenantName(c.tenantId), stateText(c));
        if (c.state == CheckoutState::Ready && c.expiresAt)
            line += QStringLiteral("  %1 left (until %2)").arg(ui::TimeText::countdown(*c.expiresAt - now), ui::TimeText::when(*c.expiresAt, now));
        if (c.accountUpn)
            line += QStringLiteral("  as %1").arg(*c.accountUpn);
        terminal::out(line);
        if (!c.stateReason.isEmpty() && c.state != CheckoutState::Ready)
            terminal::out(QStringLiteral("    %1").arg(c.stateReason));
    }
    return kOk;
}

Result<Checkout> Runner::findCheckout(const QString& which, bool readyOnly)
{
    if (which.startsWith(QLatin1String("chk_"))) {
        auto c = m_client.await(m_client.api().checkout(which));
        if (!c)
            return c.error();
        return c.value();
    }
    auto tenants = m_client.await(m_client.api().tenants());
    if (!tenants)
        return tenants.error();
    m_tenants = *tenants;
    auto tenant = findTenant(*tenants, which);
    if (!tenant)
        return tenant.error();
    auto me = m_client.await(m_client.api().me());
    if (!me)
        return me.error();
    client::CheckoutFilter mine;
    mine.technicianId = me->person.id;
    mine.tenantId = tenant->id;
    auto checkouts = m_client.await(m_client.api().checkouts(mine));
    if (!checkouts)
        return checkouts.error();
    for (const Checkout& c : *checkouts) {
        if (readyOnly ? c.state == CheckoutState::Ready : !c.isOver())
            return c;
    }
    return cliError("cli.not_found", readyOnly ? QStringLiteral("You have no ready access to %1.").arg(tenant->name)
                                               : QStringLiteral("You have no open request or access for %1.").arg(tenant->name));
}

// Follows a checkout until it is ready or over, through the live channel (with a slow poll as a safety net), and
// says on stderr what it is waiting for.
Result<Checkout> Runner::waitUntilSettled(const Checkout& start, int timeoutSeconds)
{
    Checkout current = start;
    auto settled = [](const Checkout& c) { return c.state == CheckoutState::Ready || c.isOver(); };
    if (settled(current))
        return current;
    QEventLoop loop;
    QObject context;
    QString lastSaid;
    auto say = [&](const Checkout& c) {
        QString text = QStringLiteral("%1: %2").arg(tenantName(c.tenantId), stateText(c));
        if (!c.stateReason.isEmpty() && c.state != CheckoutState::Ready)
            text += QStringLiteral(" (%1%2)").arg(c.stateReason, c.attempts > 1 ? QStringLiteral(", attempt %1").arg(c.attempts) : QString());
        if (text != lastSaid && !m_json && !settled(c))
            terminal::err(text + QStringLiteral("…"));
        lastSaid = text;
    };
    say(current);
    auto consider = [&](const Checkout& c) {
        if (c.id != current.id || c.version < current.version)
            return;
        current = c;
        say(current);
        if (settled(current))
            loop.quit();
    };
    QObject::connect(&m_client.events(), &client::EventChannel::event, &context, [&](const client::LiveEvent& e) {
        if (e.type != QLatin1String("checkout.updated"))
            return;
        if (auto c = Checkout::fromJson(e.data))
            consider(*c);
    });
    QTimer poll;
    poll.setInterval(m_client.events().isOpen() ? 10'000 : 2'000);
    auto lookNow = [&]() {
        m_client.api().checkout(current.id).then(&context, [&](const Result<Checkout>& r) {
            if (r.ok())
                consider(r.value());
        });
    };
    QObject::connect(&poll, &QTimer::timeout, &context, lookNow);
    poll.start();
    QTimer deadline;
    deadline.setSingleShot(true);
    bool timedOut = false;
    QObject::connect(&deadline, &QTimer::timeout, &context, [&]() {
        timedOut = true;
        loop.quit();
    });
    deadline.start(timeoutSeconds * 1000);
    // One look right away: the channel may have opened after the change.
    QTimer::singleShot(0, &context, lookNow);
    InterruptibleLoop interruptible(loop);
    const int interrupted = loop.exec();
    if (interrupted != 0)
        return cliError("cli.interrupted", QStringLiteral("Interrupted; the request stays as it is (stint status)."));
    if (timedOut)
        return cliError("cli.not_ready", QStringLiteral("Still %1 after %2 s; the request stays open (stint status).")
                                             .arg(stateText(current))
                                             .arg(timeoutSeconds));
    return current;
}

int Runner::request(const QString& tenantArg, const QStringList& roleArgs, int minutes, const QString& ticket,
                    const QString& justification, bool wait, int timeoutSeconds)
{
    if (auto ok = needSession(); !ok)
        return fail(ok.error(), m_json);
    auto tenants = m_client.await(m_client.api().tenants());
    if (!tenants)
        return fail(tenants.error(), m_json);
    m_tenants = *tenants;
    auto tenant = findTenant(*tenants, tenantArg);
    if (!tenant)
        return fail(tenant.error(), m_json);
    auto roles = findRoles(*tenant, roleArgs);
    if (!roles)
        return fail(roles.error(), m_json);
    if (minutes <= 0)
        minutes = tenant->connection.defaultDurationMinutes;
    if (wait)
        m_client.openEvents(); // before the request, so that no change is missed
    models::CheckoutRequest req{tenant->id, *roles, minutes, justification, ticket};
    auto created = m_client.await(m_client.api().requestCheckout(req, client::CloudApi::newIdempotencyKey()));
    if (!created)
        return fail(created.error(), m_json);
    if (!wait) {
        if (m_json)
            printJson(checkoutJson(*created, tenant->name));
        else
            terminal::out(QStringLiteral("Requested %1 in %2 for %3: %4 (%5).")
                              .arg(roleArgs.join(QStringLiteral(", ")), tenant->name, ui::TimeText::minutes(minutes),
                                   stateText(*created), created->id));
        return kOk;
    }
    auto settled = waitUntilSettled(*created, timeoutSeconds);
    if (!settled)
        return fail(settled.error(), m_json);
    if (settled->state != CheckoutState::Ready) {
        return fail(cliError("cli.not_ready", QStringLiteral("The request ended without access: %1%2.")
                                                  .arg(stateText(*settled), settled->stateReason.isEmpty()
                                                                                ? QString()
                                                                                : QStringLiteral(" (%1)").arg(settled->stateReason))),
                    m_json);
    }
    return printCredential(*settled, tenant->name);
}

int Runner::printCredential(const Checkout& checkout, const QString& name, const std::optional<Checkout>&)
{
    auto credential = m_client.await(m_client.api().credential(checkout.id));
    if (!credential)
        return fail(credential.error(), m_json);
    const models::CheckoutCredential& c = **credential;
    const TimeMs now = m_client.serverNow();
    if (m_json) {
        QByteArray out = "{\n  \"checkoutId\": " + jsonString(checkout.id.toUtf8()) + ",\n  \"tenantId\": "
            + jsonString(checkout.tenantId.toUtf8()) + ",\n  \"tenantName\": " + jsonString(name.toUtf8())
            + ",\n  \"userPrincipalName\": " + jsonString(c.userPrincipalName.toUtf8()) + ",\n  \"expiresAt\": "
            + jsonString(toRfc3339(c.expiresAt).toUtf8());
        if (!c.password.isEmpty())
            out += ",\n  \"password\": " + jsonString(c.password.bytes());
        if (!c.temporaryAccessPass.isEmpty())
            out += ",\n  \"temporaryAccessPass\": " + jsonString(c.temporaryAccessPass.bytes());
        if (c.temporaryAccessPassExpiresAt)
            out += ",\n  \"temporaryAccessPassExpiresAt\": " + jsonString(toRfc3339(*c.temporaryAccessPassExpiresAt).toUtf8());
        out += "\n}\n";
        terminal::outBytes(out);
        crypto::wipe(out);
        return kOk;
    }
    terminal::out(QStringLiteral("Ready: access to %1 until %2 (%3 left).")
                      .arg(name, ui::TimeText::when(c.expiresAt, now), ui::TimeText::countdown(c.expiresAt - now)));
    terminal::out(QStringLiteral("  Account:  %1").arg(c.userPrincipalName));
    if (!c.password.isEmpty()) {
        terminal::outBytes("  Password: ");
        terminal::outBytes(c.password.bytes());
        terminal::outBytes("\n");
    }
    if (!c.temporaryAccessPass.isEmpty()) {
        terminal::outBytes("  Temporary Access Pass: ");
        terminal::outBytes(c.temporaryAccessPass.bytes());
        terminal::outBytes("\n");
        if (c.temporaryAccessPassExpiresAt)
            terminal::out(QStringLiteral("  (the pass works until %1)").arg(ui::TimeText::when(*c.temporaryAccessPassExpiresAt, now)));
    }
    return kOk;
}

int Runner::credential(const QString& which, bool copy, const QString& part)
{
    if (auto ok = needSession(); !ok)
        return fail(ok.error(), m_json);
    auto checkout = findCheckout(which, true);
    if (!checkout)
        return fail(checkout.error(), m_json);
    if (checkout->state != CheckoutState::Ready)
        return fail(cliError("cli.not_ready", QStringLiteral("%1 is %2, not ready: there is no credential.").arg(checkout->id, stateText(*checkout))), m_json);
    if (m_tenants.isEmpty()) {
        if (auto t = m_client.await(m_client.api().tenants()))
            m_tenants = *t;
    }
    if (!copy)
        return printCredential(*checkout, tenantName(checkout->tenantId));

    auto* gui = qobject_cast<QGuiApplication*>(QCoreApplication::instance());
    if (!gui || !gui->clipboard())
        return fail(cliError("cli.usage", QStringLiteral("--copy needs a display for the clipboard; leave it out to print the credential.")), m_json);
    auto credential = m_client.await(m_client.api().credential(checkout->id));
    if (!credential)
        return fail(credential.error(), m_json);
    const models::CheckoutCredential& c = **credential;
    const bool wantTap = part == QLatin1String("tap") || (part.isEmpty() && c.password.isEmpty());
    const crypto::SecretBytes& secret = wantTap ? c.temporaryAccessPass : c.password;
    if (secret.isEmpty())
        return fail(cliError("cli.not_found", wantTap ? QStringLiteral("This checkout has no Temporary Access Pass.")
                                                      : QStringLiteral("This checkout has no password.")),
                    m_json);
    auto* mime = new QMimeData;
    mime->setData(QStringLiteral("text/plain;charset=utf-8"), secret.bytes());
    mime->setData(QStringLiteral("x-kde-passwordManagerHint"), QByteArrayLiteral("secret"));
    gui->clipboard()->setMimeData(mime);
    constexpr int kClearAfterMs = 30'000;
    terminal::err(QStringLiteral("Copied the %1 for %2 (account %3). It is cleared in 30 s; Ctrl-C clears it now.")
                      .arg(wantTap ? QStringLiteral("Temporary Access Pass") : QStringLiteral("password"),
                           tenantName(checkout->tenantId), c.userPrincipalName));
    QEventLoop loop;
    InterruptibleLoop interruptible(loop);
    QTimer::singleShot(kClearAfterMs, &loop, &QEventLoop::quit);
    const int result = loop.exec();
    // Clear only what is still ours: something copied since stays.
    const QMimeData* now = gui->clipboard()->mimeData();
    if (now && now->data(QStringLiteral("x-kde-passwordManagerHint")) == "secret")
        gui->clipboard()->clear();
    return result == 0 ? kOk : kInterrupted;
}

int Runner::extend(const QString& which, int minutes)
{
    if (auto ok = needSession(); !ok)
        return fail(ok.error(), m_json);
    auto checkout = findCheckout(which, true);
    if (!checkout)
        return fail(checkout.error(), m_json);
    auto extended = m_client.await(m_client.api().extend(checkout->id, minutes));
    if (!extended)
        return fail(extended.error(), m_json);
    if (m_json)
        printJson(checkoutJson(*extended, tenantName(extended->tenantId)));
    else if (extended->expiresAt)
        terminal::out(QStringLiteral("Extended: access to %1 now ends at %2.")
                          .arg(tenantName(extended->tenantId), ui::TimeText::when(*extended->expiresAt, m_client.serverNow())));
    return kOk;
}

int Runner::end(const QString& which)
{
    if (auto ok = needSession(); !ok)
        return fail(ok.error(), m_json);
    auto checkout = findCheckout(which, false);
    if (!checkout)
        return fail(checkout.error(), m_json);
    // A request not yet ready is withdrawn; live access is ended (and then taken away by the service).
    const bool live = checkout->state == CheckoutState::Ready;
    auto ended = m_client.await(live ? m_client.api().end(checkout->id) : m_client.api().cancel(checkout->id));
    if (!ended)
        return fail(ended.error(), m_json);
    if (m_json)
        printJson(checkoutJson(*ended, tenantName(ended->tenantId)));
    else
        terminal::out(live ? QStringLiteral("Ending access to %1: the account's roles are being removed and it is being disabled.")
                                 .arg(tenantName(ended->tenantId))
                           : QStringLiteral("Withdrew the request for %1.").arg(tenantName(ended->tenantId)));
    return kOk;
}

int Runner::launch(const QString& tenantArg, const QString& portalArg)
{
    const auto portal = client::portals::fromId(portalArg.toLower());
    if (!portal) {
        QStringList ids;
        for (auto p : client::portals::all())
            ids << client::portals::id(p);
        return fail(cliError("cli.usage", QStringLiteral("Unknown portal \"%1\"; one of: %2.").arg(portalArg, ids.join(QStringLiteral(", ")))), m_json);
    }
    if (auto ok = needSession(); !ok)
        return fail(ok.error(), m_json);
    auto checkout = findCheckout(tenantArg, true);
    if (!checkout)
        return fail(checkout.error(), m_json);
    const Tenant* tenant = nullptr;
    for (const Tenant& t : m_tenants)
        if (t.id == checkout->tenantId)
            tenant = &t;
    if (!tenant) {
        auto t = m_client.await(m_client.api().tenant(checkout->tenantId));
        if (!t)
            return fail(t.error(), m_json);
        m_tenants.append(*t);
        tenant = &m_tenants.back();
    }
    const auto link = client::portals::link(*portal, client::portals::Target::forCheckout(*tenant, *checkout));
    const bool opened = qobject_cast<QGuiApplication*>(QCoreApplication::instance()) && QDesktopServices::openUrl(link.url);
    if (m_json) {
        printJson(QJsonObject{{QStringLiteral("url"), link.url.toString()}, {QStringLiteral("opened"), opened}});
    } else if (opened) {
        terminal::out(QStringLiteral("Opened %1 for %2 (sign in as %3).")
                          .arg(client::portals::displayName(*portal), tenant->name, checkout->accountUpn.value_or(QString())));
    } else {
        terminal::out(link.url.toString());
        terminal::err(QStringLiteral("No browser could be opened here; open the address above."));
    }
    return kOk;
}

int Runner::login(bool browser, const QString& email, bool pinFromStdin)
{
    Result<client::SharedSession> session = browser ? m_client.signInWithBrowser() : m_client.signInWithSecurityKey(email, pinFromStdin);
    if (!session)
        return fail(session.error(), m_json);
    auto adopted = m_client.await(m_client.session().adopt(**session));
    if (!adopted)
        return fail(adopted.error(), m_json);
    const models::Person& p = (*session)->person;
    if (m_json)
        printJson(QJsonObject{{QStringLiteral("person"), p.toJson()}, {QStringLiteral("cloud"), m_client.cloudUrl().toString()}});
    else
        terminal::out(QStringLiteral("Signed in to %1 as %2 <%3> (%4).").arg(m_client.cloudUrl().toString(), p.displayName, p.email, p.role));
    return kOk;
}

int Runner::logout()
{
    auto restored = m_client.await(m_client.session().restore());
    if (!restored)
        return fail(restored.error(), m_json);
    if (!*restored) {
        if (!m_json)
            terminal::out(QStringLiteral("Not signed in to %1.").arg(m_client.cloudUrl().toString()));
        return kOk;
    }
    auto out = m_client.await(m_client.session().signOut());
    if (!out)
        return fail(out.error(), m_json);
    if (!m_json)
        terminal::out(QStringLiteral("Signed out of %1; the session is forgotten.").arg(m_client.cloudUrl().toString()));
    return kOk;
}

// --- parsing ---

struct Parsed
{
    QCommandLineParser parser;
    QString command;
    bool json = false;
};

void addCommon(QCommandLineParser& p)
{
    p.addOption({QStringLiteral("cloud"), QStringLiteral("The Stint service (default $STINT_CLOUD, else the app's setting)."),
                 QStringLiteral("url")});
    p.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document on stdout.")});
    p.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
}

} // namespace

bool wantsCommandLine(const QStringList& arguments)
{
    if (arguments.size() < 2)
        return false;
    const QString first = arguments.at(1);
    if (first == QLatin1String("--help") || first == QLatin1String("-h") || first == QLatin1String("help")
        || first == QLatin1String("--version"))
        return true;
    for (const Command& c : kCommands)
        if (first == QLatin1String(c.name))
            return true;
    return false;
}

bool wantsGui(const QStringList& arguments)
{
    if (arguments.size() < 2)
        return false;
    const QString& cmd = arguments.at(1);
    const bool display = qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
    if (!display)
        return false;
    return cmd == QLatin1String("launch") || (cmd == QLatin1String("credential") && arguments.contains(QStringLiteral("--copy")))
        || (cmd == QLatin1String("login") && arguments.contains(QStringLiteral("--browser")));
}

int run(const QStringList& arguments)
{
    const QString first = arguments.value(1);
    if (first == QLatin1String("--version")) {
        terminal::out(QStringLiteral("stint %1").arg(QStringLiteral(STINT_VERSION)));
        return kOk;
    }
    if (first == QLatin1String("--help") || first == QLatin1String("-h") || first == QLatin1String("help")) {
        terminal::out(usage());
        return kOk;
    }
    const QString command = first;
    QCommandLineParser p;
    p.setApplicationDescription(QString());
    addCommon(p);
    QString synopsis;
    if (command == QLatin1String("login")) {
        p.addOption({QStringLiteral("browser"), QStringLiteral("Sign in in the browser (with its passkeys) instead of a security key.")});
        p.addOption({QStringLiteral("email"), QStringLiteral("Your email, for a key that holds no passkey of its own (username-first)."), QStringLiteral("email")});
        p.addOption({QStringLiteral("pin-stdin"), QStringLiteral("Read the security key's PIN from stdin instead of the terminal.")});
        synopsis = QStringLiteral("stint login [--browser] [--email EMAIL] [--pin-stdin]");
    } else if (command == QLatin1String("request")) {
        p.addOption({QStringLiteral("role"), QStringLiteral("A role to ask for, by name or id (repeat for several)."), QStringLiteral("name")});
        p.addOption({QStringLiteral("minutes"), QStringLiteral("How long (default: the tenant's default)."), QStringLiteral("n")});
        p.addOption({QStringLiteral("ticket"), QStringLiteral("The ticket this work belongs to."), QStringLiteral("ticket")});
        p.addOption({QStringLiteral("justification"), QStringLiteral("Why you need it."), QStringLiteral("text")});
        p.addOption({QStringLiteral("wait"), QStringLiteral("Wait until the access is ready (or refused) and print the credential.")});
        p.addOption({QStringLiteral("timeout"), QStringLiteral("With --wait: give up waiting after this many seconds (default 600)."), QStringLiteral("s")});
        p.addPositionalArgument(QStringLiteral("tenant"), QStringLiteral("The tenant, by name or id."));
        synopsis = QStringLiteral("stint request TENANT --role NAME [--role NAME…] [--minutes N] [--ticket T] [--justification J] [--wait]");
    } else if (command == QLatin1String("credential")) {
        p.addOption({QStringLiteral("copy"), QStringLiteral("Copy to the clipboard (cleared after 30 s) instead of printing.")});
        p.addOption({QStringLiteral("part"), QStringLiteral("With --copy: password or tap (default: the password, else the pass)."), QStringLiteral("part")});
        p.addPositionalArgument(QStringLiteral("checkout"), QStringLiteral("A checkout id, or the tenant's name."));
        synopsis = QStringLiteral("stint credential CHECKOUT [--copy [--part password|tap]]");
    } else if (command == QLatin1String("extend")) {
        p.addOption({QStringLiteral("minutes"), QStringLiteral("How many minutes more (default 30)."), QStringLiteral("n")});
        p.addPositionalArgument(QStringLiteral("checkout"), QStringLiteral("A checkout id, or the tenant's name."));
        synopsis = QStringLiteral("stint extend CHECKOUT [--minutes N]");
    } else if (command == QLatin1String("end")) {
        p.addPositionalArgument(QStringLiteral("checkout"), QStringLiteral("A checkout id, or the tenant's name."));
        synopsis = QStringLiteral("stint end CHECKOUT");
    } else if (command == QLatin1String("launch")) {
        p.addPositionalArgument(QStringLiteral("tenant"), QStringLiteral("The tenant, by name or id (you need ready access)."));
        p.addPositionalArgument(QStringLiteral("portal"), QStringLiteral("entra, azure, m365, intune or exchange."));
        synopsis = QStringLiteral("stint launch TENANT PORTAL");
    } else {
        synopsis = QStringLiteral("stint %1").arg(command);
    }
    QStringList args = arguments;
    args.removeAt(1); // the command
    if (!p.parse(args)) {
        terminal::err(QStringLiteral("stint %1: %2\nUsage: %3").arg(command, p.errorText(), synopsis));
        return kUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        QString help = p.helpText();
        help.replace(QRegularExpression(QStringLiteral("^Usage: [^\n]*")), QStringLiteral("Usage: ") + synopsis);
        terminal::out(help + QLatin1Char('\n') + exitCodesText());
        return kOk;
    }
    const bool json = p.isSet(QStringLiteral("json"));
    auto usageError = [&](const QString& text) {
        terminal::err(QStringLiteral("stint %1: %2\nUsage: %3").arg(command, text, synopsis));
        return int(kUsage);
    };
    const QStringList pos = p.positionalArguments();
    auto intOption = [&](const QString& name, int fallback, bool* ok) {
        if (!p.isSet(name))
            return fallback;
        return p.value(name).toInt(ok);
    };

    auto cloudUrl = CliClient::resolveCloudUrl(p.value(QStringLiteral("cloud")));
    if (!cloudUrl)
        return fail(cloudUrl.error(), json);
    CliClient client(*cloudUrl);
    Runner runner(client, json);

    if (command == QLatin1String("login")) {
        if (!pos.isEmpty())
            return usageError(QStringLiteral("login takes no arguments."));
        return runner.login(p.isSet(QStringLiteral("browser")), p.value(QStringLiteral("email")), p.isSet(QStringLiteral("pin-stdin")));
    }
    if (command == QLatin1String("logout") || command == QLatin1String("whoami") || command == QLatin1String("tenants")
        || command == QLatin1String("status")) {
        if (!pos.isEmpty())
            return usageError(QStringLiteral("%1 takes no arguments.").arg(command));
        if (command == QLatin1String("logout"))
            return runner.logout();
        if (command == QLatin1String("whoami"))
            return runner.whoami();
        return command == QLatin1String("tenants") ? runner.tenants() : runner.status();
    }
    if (command == QLatin1String("request")) {
        if (pos.size() != 1)
            return usageError(QStringLiteral("name one tenant."));
        const QStringList roles = p.values(QStringLiteral("role"));
        if (roles.isEmpty())
            return usageError(QStringLiteral("name at least one --role."));
        bool ok = true;
        const int minutes = intOption(QStringLiteral("minutes"), 0, &ok);
        if (!ok || minutes < 0)
            return usageError(QStringLiteral("--minutes takes a whole number of minutes."));
        const int timeout = intOption(QStringLiteral("timeout"), 600, &ok);
        if (!ok || timeout <= 0)
            return usageError(QStringLiteral("--timeout takes a whole number of seconds."));
        return runner.request(pos.front(), roles, minutes, p.value(QStringLiteral("ticket")),
                              p.value(QStringLiteral("justification")), p.isSet(QStringLiteral("wait")), timeout);
    }
    if (command == QLatin1String("credential")) {
        if (pos.size() != 1)
            return usageError(QStringLiteral("name one checkout."));
        const QString part = p.value(QStringLiteral("part"));
        if (!part.isEmpty() && part != QLatin1String("password") && part != QLatin1String("tap"))
            return usageError(QStringLiteral("--part is password or tap."));
        return runner.credential(pos.front(), p.isSet(QStringLiteral("copy")), part);
    }
    if (command == QLatin1String("extend")) {
        if (pos.size() != 1)
            return usageError(QStringLiteral("name one checkout."));
        bool ok = true;
        const int minutes = intOption(QStringLiteral("minutes"), 30, &ok);
        if (!ok || minutes <= 0)
            return usageError(QStringLiteral("--minutes takes a whole number of minutes."));
        return runner.extend(pos.front(), minutes);
    }
    if (command == QLatin1String("end")) {
        if (pos.size() != 1)
            return usageError(QStringLiteral("name one checkout."));
        return runner.end(pos.front());
    }
    if (command == QLatin1String("launch")) {
        if (pos.size() != 2)
            return usageError(QStringLiteral("name a tenant and a portal."));
        return runner.launch(pos.at(0), pos.at(1));
    }
    return usageError(QStringLiteral("unknown command."));
}

} // namespace stint::cli
