// SPDX-License-Identifier: GPL-3.0-or-later
#include "CloudCommandLine.h"

#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSettings>
#include <QUrl>

namespace stint::app {

namespace {

// Every setting, its flag, environment variable and config-file key have the same stem.
struct Setting
{
    const char* name; // flag without "--", config key; env is STINT_ + upper snake case
    bool takesValue;
    const char* help;
};

const Setting kSettings[] = {
    {"data-dir", true, "Directory of the store (stint.db) and the master key (master.key). Required."},
    {"config", true, "Configuration file (INI). Default: <data-dir>/stint-cloud.conf if it exists."},
    {"master-key-file", true, "Master key file instead of <data-dir>/master.key (env STINT_MASTER_KEY_FILE)."},
    {"listen", true, "ADDR:PORT to listen on. Default 127.0.0.1:8443. Port 0 picks a free port."},
    {"tls-cert", true, "PEM certificate chain; with --tls-key the service speaks HTTPS."},
    {"tls-key", true, "PEM private key (RSA or EC) for --tls-cert."},
    {"allow-insecure-listen", false, "Allow a non-loopback --listen without TLS (only behind a TLS proxy)."},
    {"origin", true, "Public origin people open, e.g. https://stint.example.com. Default http://localhost:<port>."},
    {"rp-id", true, "WebAuthn relying-party id. Default: the host of --origin."},
    {"log-format", true, "text (default) or json: one JSON object per line with the request id."},
    {"session-idle-minutes", true, "Sign-in sessions end after this long unused. Default 60."},
    {"session-absolute-hours", true, "Sign-in sessions end this long after sign-in, used or not. Default 12."},
    {"invite-ttl-hours", true, "Invites expire after this long. Default 72."},
    {"header-timeout-seconds", true, "Time a client has from the first byte of a request to the end of its header fields. Default 20."},
    {"max-connections-per-address", true, "Open connections allowed from one address (trusted proxies exempt); 0: no cap. Default 256."},
    {"trusted-proxies", true, "Comma-separated addresses or subnets (ADDR/PREFIX) of reverse proxies whose X-Forwarded-For names the client. Default: none."},
    {"signin-attempts-per-address", true, "Sign-in attempts allowed per source address (IPv6: per /64) per 5 minutes. Default 120."},
    {"signin-attempts-per-account", true, "Failed sign-ins per account per 5 minutes: the Nth failure and every one after it get 429 (default 10: the 10th is refused)."},
    {"entra-global-authority", true, "Microsoft identity platform of the global cloud. Default https://login.microsoftonline.com."},
    {"entra-global-graph", true, "Microsoft Graph of the global cloud. Default https://graph.microsoft.com."},
    {"entra-usgov-authority", true, "Identity platform of US Government (GCC High). Default https://login.microsoftonline.us."},
    {"entra-usgov-graph", true, "Graph of US Government (GCC High). Default https://graph.microsoft.us (DoD: https://dod-graph.microsoft.us)."},
    {"entra-china-authority", true, "Identity platform of China (21Vianet). Default https://login.partner.microsoftonline.cn."},
    {"entra-china-graph", true, "Graph of China (21Vianet). Default https://microsoftgraph.chinacloudapi.cn."},
    {"entra-graph-resource", true, "Resource that Graph tokens are asked for. Default: the tenant's Graph URL. Set https://graph.microsoft.com when the Graph URL is a proxy or entra-sim."},
    {"entra-app-client-id", true, "Application (client) id of the MSP's multi-tenant app (admin-consent connections)."},
    {"entra-app-client-secret-file", true, "File (mode 0600) holding that app's client secret. Secrets are never taken from flags or the environment."},
    {"entra-app-certificate-file", true, "PEM certificate registered on that app (instead of a secret)."},
    {"entra-app-private-key-file", true, "File (mode 0600) holding the certificate's PEM RSA private key."},
    {"entra-worker-threads", true, "Concurrent Microsoft Graph jobs. Default 16."},
    {"reconcile-interval-minutes", true, "How often each connected tenant is reconciled. Default 15."},
    {"health-check-interval-hours", true, "How often each connected tenant's connection is checked (also at start). Default 6."},
    {"webhook-max-attempts", true, "Delivery attempts of a webhook event before it is a dead letter. Default 8."},
    {"webhook-timeout-seconds", true, "Time a webhook receiver has to answer. Default 10."},
    {"org", true, "init: the organization's name. invite, audit: the organization id."},
    {"admin", true, "init: the first admin's email address."},
    {"email", true, "invite: the invited person's email address."},
    {"role", true, "invite: admin or technician."},
    {"out", true, "backup: the file to write. audit export: the file (default: standard output)."},
    {"from", true, "audit export: first time included (RFC 3339)."},
    {"to", true, "audit export: first time excluded (RFC 3339)."},
};

QString envName(const QString& name)
{
    return QStringLiteral("STINT_") + QString(name).toUpper().replace(QLatin1Char('-'), QLatin1Char('_'));
}

const Setting* findSetting(const QString& name)
{
    for (const Setting& s : kSettings) {
        if (name == QLatin1String(s.name))
            return &s;
    }
    return nullptr;
}

Error usageError(const QString& message)
{
    return makeError(QStringLiteral("usage"), message);
}

Result<void> applySetting(Invocation& inv, const QString& name, const QString& value)
{
    cloud::CloudConfig& c = inv.config;
    auto positive = [&](int& field, int max) -> Result<void> {
        bool ok = false;
        const int v = value.toInt(&ok);
        if (!ok || v < 1 || v > max)
            return usageError(QStringLiteral("--%1 must be a whole number from 1 to %2.").arg(name).arg(max));
        field = v;
        return {};
    };
    if (name == QLatin1String("data-dir"))
        c.dataDir = value;
    else if (name == QLatin1String("master-key-file"))
        c.masterKeyFile = value;
    else if (name == QLatin1String("listen")) {
        const int colon = int(value.lastIndexOf(QLatin1Char(':')));
        bool ok = false;
        const uint port = colon > 0 ? value.mid(colon + 1).toUInt(&ok) : 0;
        QString host = colon > 0 ? value.left(colon) : QString();
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
        const QHostAddress address(host == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : host);
        if (!ok || port > 65535 || address.isNull())
            return usageError(QStringLiteral("--listen takes ADDR:PORT, e.g. 127.0.0.1:8443 or [::1]:8443."));
        c.listenAddress = address;
        c.listenPort = quint16(port);
    } else if (name == QLatin1String("tls-cert"))
        c.tlsCertificateFile = value;
    else if (name == QLatin1String("tls-key"))
        c.tlsKeyFile = value;
    else if (name == QLatin1String("allow-insecure-listen"))
        c.allowInsecureNonLoopback = value.isEmpty() || value == QLatin1String("true") || value == QLatin1String("1");
    else if (name == QLatin1String("origin"))
        c.publicOrigin = value;
    else if (name == QLatin1String("rp-id"))
        c.rpId = value;
    else if (name == QLatin1String("log-format")) {
        if (value != QLatin1String("json") && value != QLatin1String("text"))
            return usageError(QStringLiteral("--log-format is text or json."));
        c.jsonLogs = value == QLatin1String("json");
    } else if (name == QLatin1String("header-timeout-seconds"))
        return positive(c.headerTimeoutSeconds, 3600);
    else if (name == QLatin1String("max-connections-per-address")) {
        if (value == QLatin1String("0")) {
            c.maxConnectionsPerAddress = 0;
            return {};
        }
        return positive(c.maxConnectionsPerAddress, 1'000'000);
    } else if (name == QLatin1String("trusted-proxies")) {
        c.trustedProxies.clear();
        for (const QString& item : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString entry = item.trimmed();
            QPair<QHostAddress, int> subnet = entry.contains(QLatin1Char('/'))
                ? QHostAddress::parseSubnet(entry)
                : qMakePair(QHostAddress(entry), QHostAddress(entry).protocol() == QAbstractSocket::IPv6Protocol ? 128 : 32);
            if (subnet.first.isNull() || subnet.second < 0)
                return usageError(QStringLiteral("--trusted-proxies takes addresses or ADDR/PREFIX subnets, "
                                                 "separated by commas: '%1' is neither.").arg(entry));
            c.trustedProxies.append(subnet);
        }
    } else if (name == QLatin1String("session-idle-minutes"))
        return positive(c.sessionIdleMinutes, 24 * 60);
    else if (name == QLatin1String("session-absolute-hours"))
        return positive(c.sessionAbsoluteHours, 24 * 30);
    else if (name == QLatin1String("invite-ttl-hours"))
        return positive(c.inviteTtlHours, 24 * 30);
    else if (name == QLatin1String("signin-attempts-per-address"))
        return positive(c.signInAttemptsPerAddress, 1'000'000);
    else if (name == QLatin1String("signin-attempts-per-account"))
        return positive(c.signInAttemptsPerAccount, 1'000'000);
    else if (name.startsWith(QLatin1String("entra-")) && (name.endsWith(QLatin1String("-authority")) || name.endsWith(QLatin1String("-graph")))) {
        // https, or http to a loopback address (entra-sim); no path beyond the root, no query.
        const QUrl url(value, QUrl::StrictMode);
        const bool loopback = url.host() == QLatin1String("localhost") || QHostAddress(url.host()).isLoopback();
        if (!url.isValid() || url.host().isEmpty() || url.hasQuery() || url.hasFragment()
            || !(url.scheme() == QLatin1String("https") || (url.scheme() == QLatin1String("http") && loopback)))
            return usageError(QStringLiteral("--%1 must be an https URL (http only to a loopback address).").arg(name));
        const QUrl clean = url.adjusted(QUrl::StripTrailingSlash);
        cloud::EntraConfig& e = c.entra;
        QUrl* field = name == QLatin1String("entra-global-authority") ? &e.globalAuthority
            : name == QLatin1String("entra-global-graph")             ? &e.globalGraph
            : name == QLatin1String("entra-usgov-authority")          ? &e.usgovAuthority
            : name == QLatin1String("entra-usgov-graph")              ? &e.usgovGraph
            : name == QLatin1String("entra-china-authority")          ? &e.chinaAuthority
                                                                      : &e.chinaGraph;
        *field = clean;
    } else if (name == QLatin1String("entra-graph-resource")) {
        const QUrl url(value, QUrl::StrictMode);
        if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty() || url.hasQuery())
            return usageError(QStringLiteral("--entra-graph-resource must be an https URL such as https://graph.microsoft.com."));
        c.entra.graphResource = url.adjusted(QUrl::StripTrailingSlash).toString();
    } else if (name == QLatin1String("entra-app-client-id")) {
        static const QRegularExpression guid(
            QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
        if (!guid.match(value).hasMatch())
            return usageError(QStringLiteral("--entra-app-client-id must be the app's (client) id, a GUID."));
        c.entra.appClientId = value.toLower();
    } else if (name == QLatin1String("entra-app-client-secret-file"))
        c.entra.appClientSecretFile = value;
    else if (name == QLatin1String("entra-app-certificate-file"))
        c.entra.appCertificateFile = value;
    else if (name == QLatin1String("entra-app-private-key-file"))
        c.entra.appPrivateKeyFile = value;
    else if (name == QLatin1String("entra-worker-threads"))
        return positive(c.entra.workerThreads, 256);
    else if (name == QLatin1String("reconcile-interval-minutes"))
        return positive(c.entra.reconcileIntervalMinutes, 24 * 60);
    else if (name == QLatin1String("health-check-interval-hours"))
        return positive(c.entra.healthCheckIntervalHours, 24 * 7);
    else if (name == QLatin1String("webhook-max-attempts"))
        return positive(c.webhooks.maxAttempts, 50);
    else if (name == QLatin1String("webhook-timeout-seconds"))
        return positive(c.webhooks.timeoutSeconds, 120);
    else if (name == QLatin1String("org"))
        inv.org = value;
    else if (name == QLatin1String("admin"))
        inv.admin = value;
    else if (name == QLatin1String("email"))
        inv.email = value;
    else if (name == QLatin1String("role"))
        inv.role = value;
    else if (name == QLatin1String("out"))
        inv.out = value;
    else if (name == QLatin1String("from"))
        inv.from = value;
    else if (name == QLatin1String("to"))
        inv.to = value;
    return {};
}

} // namespace

QString usage()
{
    QString text = QStringLiteral(
        "Usage: stint-cloud <command> [options]\n\n"
        "Commands:\n"
        "  init      Create a data directory: master key, encrypted store, organization, first admin.\n"
        "            Prints a one-time enrollment link. Needs --data-dir, --org NAME, --admin EMAIL.\n"
        "  serve     Run the service (API, sign-in page, live events). Needs --data-dir.\n"
        "  invite    Print a one-time enrollment link for a new person (--org ID --email E --role R).\n"
        "  migrate   Bring the store's schema up to date and exit.\n"
        "  backup    Write a consistent, still-encrypted copy of the store to --out while the service runs.\n"
        "  audit verify   Check the audit log's hash chains; exit 0 when intact, 1 naming the first broken event.\n"
        "  audit export   Write audit events as JSON Lines (--org, --from, --to, --out).\n\n"
        "Options (each also read from the environment as STINT_<NAME> and from the config file as <name> = value;\n"
        "flags win over the environment, which wins over the file):\n");
    for (const Setting& s : kSettings)
        text += QStringLiteral("  --%1%2\n      %3\n")
                    .arg(QLatin1String(s.name), s.takesValue ? QStringLiteral(" VALUE") : QString(),
                         QLatin1String(s.help));
    text += QStringLiteral("  --help\n      Show this text.\n");
    return text;
}

Result<Invocation> parseCommandLine(const QStringList& arguments)
{
    Invocation inv;
    QHash<QString, QString> flags;
    QStringList positional;
    for (int i = 1; i < arguments.size(); ++i) {
        const QString& a = arguments.at(i);
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            inv.help = true;
            continue;
        }
        if (!a.startsWith(QLatin1String("--"))) {
            positional << a;
            continue;
        }
        QString name = a.mid(2);
        QString value;
        const int eq = int(name.indexOf(QLatin1Char('=')));
        const Setting* s = findSetting(eq >= 0 ? name.left(eq) : name);
        if (!s)
            return usageError(QStringLiteral("Unknown option %1. See --help.").arg(a));
        if (eq >= 0) {
            value = name.mid(eq + 1);
            name = name.left(eq);
        } else if (s->takesValue) {
            if (i + 1 >= arguments.size())
                return usageError(QStringLiteral("%1 needs a value.").arg(a));
            value = arguments.at(++i);
        }
        flags.insert(name, value);
    }
    if (inv.help)
        return inv;
    if (positional.isEmpty())
        return usageError(QStringLiteral("No command given. See --help."));
    inv.command = positional.takeFirst();
    static const QStringList commands{QStringLiteral("serve"), QStringLiteral("init"), QStringLiteral("invite"),
                                      QStringLiteral("migrate"), QStringLiteral("backup"), QStringLiteral("audit")};
    if (!commands.contains(inv.command))
        return usageError(QStringLiteral("Unknown command '%1'. See --help.").arg(inv.command));
    if (inv.command == QLatin1String("audit")) {
        if (positional.isEmpty() || (positional.first() != QLatin1String("verify") && positional.first() != QLatin1String("export")))
            return usageError(QStringLiteral("audit takes 'verify' or 'export'."));
        inv.subcommand = positional.takeFirst();
    }
    if (!positional.isEmpty())
        return usageError(QStringLiteral("Unexpected argument '%1'.").arg(positional.first()));

    // Lowest precedence first: file, then environment, then flags.
    const QString dataDir = flags.value(QStringLiteral("data-dir"), qEnvironmentVariable("STINT_DATA_DIR"));
    QString configFile = flags.value(QStringLiteral("config"), qEnvironmentVariable("STINT_CONFIG"));
    if (configFile.isEmpty() && !dataDir.isEmpty() && QFileInfo::exists(dataDir + QStringLiteral("/stint-cloud.conf")))
        configFile = dataDir + QStringLiteral("/stint-cloud.conf");
    if (!configFile.isEmpty()) {
        if (!QFileInfo(configFile).isReadable())
            return usageError(QStringLiteral("Cannot read the config file %1.").arg(configFile));
        QSettings file(configFile, QSettings::IniFormat);
        for (const QString& key : file.allKeys()) {
            if (!findSetting(key) || key == QLatin1String("config"))
                return usageError(QStringLiteral("%1: unknown setting '%2'.").arg(configFile, key));
            STINT_TRY(applySetting(inv, key, file.value(key).toString()));
        }
    }
    for (const Setting& s : kSettings) {
        const QString name = QLatin1String(s.name);
        const QByteArray env = envName(name).toLatin1();
        if (qEnvironmentVariableIsSet(env.constData()))
            STINT_TRY(applySetting(inv, name, qEnvironmentVariable(env.constData())));
    }
    for (auto it = flags.constBegin(); it != flags.constEnd(); ++it)
        STINT_TRY(applySetting(inv, it.key(), it.value()));
    if (inv.config.dataDir.isEmpty())
        return usageError(QStringLiteral("--data-dir is required."));
    if (inv.config.tlsCertificateFile.isEmpty() != inv.config.tlsKeyFile.isEmpty())
        return usageError(QStringLiteral("--tls-cert and --tls-key go together."));
    const cloud::EntraConfig& entra = inv.config.entra;
    if (!entra.appClientSecretFile.isEmpty() && !entra.appCertificateFile.isEmpty())
        return usageError(QStringLiteral("Give the multi-tenant app --entra-app-client-secret-file or "
                                         "--entra-app-certificate-file, not both."));
    if (entra.appCertificateFile.isEmpty() != entra.appPrivateKeyFile.isEmpty())
        return usageError(QStringLiteral("--entra-app-certificate-file and --entra-app-private-key-file go together."));
    if (entra.appClientId.isEmpty() != (entra.appClientSecretFile.isEmpty() && entra.appCertificateFile.isEmpty()))
        return usageError(QStringLiteral("The multi-tenant app needs --entra-app-client-id and a secret file or a "
                                         "certificate and key file."));
    return inv;
}

} // namespace stint::app
