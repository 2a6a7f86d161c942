// SPDX-License-Identifier: GPL-3.0-or-later
// stint-cloud: the management plane. A thin main() over services/cloud; see --help.
#include "CloudCommandLine.h"

#include "cloud/CloudService.h"
#include "cloud/audit/Actor.h"
#include "cloud/audit/AuditCommands.h"
#include "cloud/audit/AuditLog.h"
#include "cloud/directory/DirectoryStore.h"
#include "cloud/schema/Schema.h"
#include "core/Clock.h"
#include "core/Logging.h"
#include "core/ProcessHardening.h"
#include "store/KeyFile.h"
#include "store/SqlCipherDatabase.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <sys/stat.h>

using namespace stint;

namespace {

// The operator at this machine, running one of the commands below: the audit log records them as the system acting
// locally, labelled with the command.
cloud::Actor commandLineActor(const QString& command)
{
    return {QStringLiteral("system"), command, QStringLiteral("local"), {}};
}

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream& err()
{
    static QTextStream s(stderr);
    return s;
}

int fail(const Error& e)
{
    err() << "stint-cloud: " << e.message << Qt::endl;
    return 2;
}

QString defaultOrigin(const cloud::CloudConfig& c)
{
    return c.publicOrigin.isEmpty() ? QStringLiteral("http://localhost:%1").arg(c.listenPort) : c.publicOrigin;
}

int runInit(const app::Invocation& inv)
{
    const cloud::CloudConfig& c = inv.config;
    if (inv.org.isEmpty() || inv.admin.isEmpty())
        return fail(makeError(QStringLiteral("usage"), QStringLiteral("init needs --org NAME and --admin EMAIL.")));
    if (QFileInfo::exists(c.databasePath()))
        return fail(makeError(QStringLiteral("init.exists"),
                              QStringLiteral("%1 already holds a Stint store.").arg(c.dataDir)));
    if (!QDir().mkpath(c.dataDir) || ::chmod(QFile::encodeName(c.dataDir).constData(), 0700) != 0)
        return fail(makeError(QStringLiteral("init.dir"), QStringLiteral("Cannot create %1.").arg(c.dataDir)));
    if (!QFileInfo::exists(c.keyFilePath())) {
        if (auto created = store::createKeyFile(c.keyFilePath()); !created)
            return fail(created.error());
    }
    auto master = store::loadKeyFile(c.keyFilePath());
    if (!master)
        return fail(master.error());
    auto db = store::SqlCipherDatabase::open(c.databasePath(), store::deriveKey(*master, "store"),
                                             store::SqlCipherDatabase::OpenMode::CreateIfMissing);
    if (!db)
        return fail(db.error());
    if (auto migrated = store::applyMigrations(**db, cloud::cloudMigrations(store::Backend::SqlCipher)); !migrated)
        return fail(migrated.error());
    SystemClock clock;
    cloud::AuditLog audit(**db, clock);
    store::Transaction tx(**db);
    auto boot = cloud::directory::bootstrapOrganization(**db, clock, c, inv.org, inv.admin);
    if (!boot)
        return fail(boot.error());
    for (const auto& [action, targetType, targetId] :
         {std::tuple{QStringLiteral("organization.create"), QStringLiteral("organization"), boot->orgId},
          std::tuple{QStringLiteral("person.create"), QStringLiteral("person"), boot->adminId},
          std::tuple{QStringLiteral("invite.create"), QStringLiteral("invite"), boot->invite.invite.id}}) {
        cloud::AuditEvent e = cloud::auditEventFor(commandLineActor(QStringLiteral("stint-cloud init")), boot->orgId,
                                                   action, {targetType, targetId, {}});
        e.details.insert(QStringLiteral("email"), boot->invite.invite.email);
        if (auto appended = audit.append(e); !appended)
            return fail(appended.error());
    }
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    out() << "Created organization \"" << inv.org.trimmed() << "\" (" << boot->orgId << ") in " << c.dataDir << ".\n"
          << "Master key: " << c.keyFilePath() << " (keep it safe and backed up apart from the data).\n\n"
          << "Enrollment link for " << boot->invite.invite.email << " (one use, valid " << c.inviteTtlHours
          << " hours):\n  " << cloud::directory::enrollmentUrl(defaultOrigin(c), boot->invite.token) << Qt::endl;
    return 0;
}

int runInvite(const app::Invocation& inv)
{
    const cloud::CloudConfig& c = inv.config;
    if (inv.org.isEmpty() || inv.email.isEmpty() || (inv.role != QLatin1String("admin") && inv.role != QLatin1String("technician")))
        return fail(makeError(QStringLiteral("usage"),
                              QStringLiteral("invite needs --org ORG_ID, --email EMAIL and --role admin|technician.")));
    auto db = cloud::openCloudStore(c);
    if (!db)
        return fail(db.error());
    auto org = cloud::directory::loadOrganization(**db, inv.org);
    if (!org)
        return fail(org.error());
    if (!org->has_value())
        return fail(makeError(QStringLiteral("invite.org"), QStringLiteral("No organization %1.").arg(inv.org)));
    const auto email = cloud::directory::normalizeEmail(inv.email);
    if (!email)
        return fail(makeError(QStringLiteral("usage"), QStringLiteral("'%1' is not an email address.").arg(inv.email)));
    auto existing = cloud::directory::findPersonByEmail(**db, *email);
    if (!existing)
        return fail(existing.error());
    SystemClock clock;
    cloud::AuditLog audit(**db, clock);
    store::Transaction tx(**db);
    auto issued = cloud::directory::createInvite(**db, clock, c, inv.org, *email, email->section(QLatin1Char('@'), 0, 0),
                                                 inv.role, {});
    if (!issued)
        return fail(issued.error());
    cloud::AuditEvent e = cloud::auditEventFor(commandLineActor(QStringLiteral("stint-cloud invite")), inv.org,
                                               QStringLiteral("invite.create"),
                                               {QStringLiteral("invite"), issued->invite.id, {}});
    e.details.insert(QStringLiteral("email"), *email);
    e.details.insert(QStringLiteral("role"), inv.role);
    if (auto appended = audit.append(e); !appended)
        return fail(appended.error());
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    out() << "Enrollment link for " << *email << " (" << inv.role << ", one use, valid " << c.inviteTtlHours
          << " hours):\n  " << cloud::directory::enrollmentUrl(defaultOrigin(c), issued->token) << Qt::endl;
    return 0;
}

int runServe(const app::Invocation& inv)
{
    logging::install(inv.config.jsonLogs ? logging::Format::Json : logging::Format::Text);
    process::quitOnTerminationSignals();
    auto service = cloud::CloudService::open(inv.config);
    if (!service)
        return fail(service.error());
    auto port = (*service)->listen();
    if (!port)
        return fail(port.error());
    const QString scheme = inv.config.tlsCertificateFile.isEmpty() ? QStringLiteral("http") : QStringLiteral("https");
    QString host = inv.config.listenAddress.toString();
    if (inv.config.listenAddress.protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    out() << "stint-cloud ready on " << scheme << "://" << host << ':' << *port << " (origin "
          << (*service)->origin() << ")" << Qt::endl;
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char* argv[])
{
    process::hardenProcess();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("stint-cloud"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STINT_VERSION));
    auto parsed = app::parseCommandLine(QCoreApplication::arguments());
    if (!parsed) {
        err() << "stint-cloud: " << parsed.error().message << Qt::endl;
        return 64; // EX_USAGE
    }
    const app::Invocation& inv = *parsed;
    if (inv.help) {
        out() << app::usage();
        return 0;
    }
    if (inv.command == QLatin1String("init"))
        return runInit(inv);
    if (inv.command == QLatin1String("serve"))
        return runServe(inv);
    if (inv.command == QLatin1String("invite"))
        return runInvite(inv);

    auto db = cloud::openCloudStore(inv.config);
    if (!db)
        return fail(db.error());
    if (inv.command == QLatin1String("migrate")) {
        auto version = store::schemaVersion(**db);
        if (!version)
            return fail(version.error());
        out() << "Schema is at version " << *version << "." << Qt::endl;
        return 0;
    }
    if (inv.command == QLatin1String("backup")) {
        if (inv.out.isEmpty())
            return fail(makeError(QStringLiteral("usage"), QStringLiteral("backup needs --out FILE.")));
        if (auto done = (*db)->backupTo(inv.out); !done)
            return fail(done.error());
        out() << "Backup written to " << inv.out << " (encrypted with the same master key)." << Qt::endl;
        return 0;
    }
    // audit
    if (inv.subcommand == QLatin1String("verify")) {
        const int code = cloud::runAuditVerify(**db, out(), err(), inv.org);
        out().flush();
        err().flush();
        return code;
    }
    cloud::AuditExportOptions options{inv.org, inv.from, inv.to};
    if (inv.out.isEmpty()) {
        QFile stdoutFile;
        if (!stdoutFile.open(stdout, QIODevice::WriteOnly))
            return 2;
        return cloud::runAuditExport(**db, stdoutFile, err(), options);
    }
    QFile file(inv.out);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return fail(makeError(QStringLiteral("audit.out"), QStringLiteral("Cannot create %1 (it must not exist).").arg(inv.out)));
    return cloud::runAuditExport(**db, file, err(), options);
}
