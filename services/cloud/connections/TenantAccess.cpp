// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/connections/TenantAccess.h"

#include "cloud/CloudContext.h"
#include "cloud/connections/AppCredentialStore.h"

#include <QFile>
#include <QRegularExpression>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stint::cloud::connections {

namespace {
constexpr qint64 kMaxSecretFileBytes = 64 * 1024;

// Reads a secret file the way the master key is read: a regular file that only its owner may read or write.
Result<crypto::SecretBytes> readSecretFile(const QString& path, bool trimmed)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return makeError(QStringLiteral("config.secret_missing"),
                         QStringLiteral("Cannot read %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno))));
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(QStringLiteral("config.secret_missing"), QStringLiteral("%1 is not a file.").arg(path));
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        return makeError(QStringLiteral("config.secret_permissions"),
                         QStringLiteral("%1 may be read or written by group or others; chmod 600 it.").arg(path));
    }
    if (st.st_size > kMaxSecretFileBytes) {
        ::close(fd);
        return makeError(QStringLiteral("config.secret_missing"), QStringLiteral("%1 is too large.").arg(path));
    }
    QByteArray bytes(qsizetype(st.st_size), '\0');
    qsizetype got = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + got, size_t(bytes.size() - got));
        if (n <= 0)
            break;
        got += n;
    }
    ::close(fd);
    bytes.truncate(got);
    if (trimmed) {
        // A secret file holds one line; a trailing newline is not part of the secret.
        while (!bytes.isEmpty() && (bytes.back() == '\n' || bytes.back() == '\r' || bytes.back() == ' '))
            bytes.chop(1);
    }
    if (bytes.isEmpty())
        return makeError(QStringLiteral("config.secret_missing"), QStringLiteral("%1 is empty.").arg(path));
    return crypto::SecretBytes(std::move(bytes));
}
} // namespace

std::optional<QString> normalizeTenantGuid(const QString& text)
{
    static const QRegularExpression guid(QStringLiteral(
        "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    if (!guid.match(text).hasMatch())
        return std::nullopt;
    return text.toLower();
}

entra::CloudEndpoints endpointsFor(const EntraConfig& config, const QString& nationalCloud)
{
    entra::CloudEndpoints endpoints;
    if (nationalCloud == QLatin1String("usgov")) {
        endpoints.authority = config.usgovAuthority;
        endpoints.graph = config.usgovGraph;
    } else if (nationalCloud == QLatin1String("china")) {
        endpoints.authority = config.chinaAuthority;
        endpoints.graph = config.chinaGraph;
    } else {
        endpoints.authority = config.globalAuthority;
        endpoints.graph = config.globalGraph;
    }
    endpoints.graphResource = config.graphResource;
    return endpoints;
}

bool mspAppConfigured(const EntraConfig& config)
{
    return !config.appClientId.isEmpty()
        && (!config.appClientSecretFile.isEmpty()
            || (!config.appCertificateFile.isEmpty() && !config.appPrivateKeyFile.isEmpty()));
}

Result<entra::AppCredential> loadMspApp(const EntraConfig& config)
{
    if (!mspAppConfigured(config))
        return makeError(QStringLiteral("connection.no_msp_app"),
                         QStringLiteral("No multi-tenant app is configured (--entra-app-client-id with "
                                        "--entra-app-client-secret-file or --entra-app-certificate-file and "
                                        "--entra-app-private-key-file)."));
    entra::AppCredential app;
    app.clientId = config.appClientId;
    if (!config.appCertificateFile.isEmpty()) {
        QFile cert(config.appCertificateFile);
        if (!cert.open(QIODevice::ReadOnly))
            return makeError(QStringLiteral("config.secret_missing"),
                             QStringLiteral("Cannot read %1.").arg(config.appCertificateFile));
        app.certificatePem = cert.readAll();
        auto key = readSecretFile(config.appPrivateKeyFile, false);
        if (!key)
            return key.error();
        app.privateKeyPem = std::move(*key);
        return app;
    }
    auto secret = readSecretFile(config.appClientSecretFile, true);
    if (!secret)
        return secret.error();
    app.clientSecret = std::move(*secret);
    return app;
}

Result<void> checkMspAppConfig(const EntraConfig& config)
{
    const bool partial = !config.appClientSecretFile.isEmpty() || !config.appCertificateFile.isEmpty()
        || !config.appPrivateKeyFile.isEmpty();
    if (config.appClientId.isEmpty() && !partial)
        return {};
    if (!config.appClientSecretFile.isEmpty() && !config.appCertificateFile.isEmpty())
        return makeError(QStringLiteral("config.entra_app"),
                         QStringLiteral("Give the multi-tenant app a client secret file or a certificate, not both."));
    if (config.appCertificateFile.isEmpty() != config.appPrivateKeyFile.isEmpty())
        return makeError(QStringLiteral("config.entra_app"),
                         QStringLiteral("--entra-app-certificate-file and --entra-app-private-key-file go together."));
    if (!mspAppConfigured(config))
        return makeError(QStringLiteral("config.entra_app"),
                         QStringLiteral("The multi-tenant app needs --entra-app-client-id and a secret file or a "
                                        "certificate and key."));
    auto app = loadMspApp(config);
    if (!app)
        return app.error();
    if (app->usesCertificate()) {
        AppCredentialSummary summary;
        STINT_TRY(describeAppCertificate(app->certificatePem, app->privateKeyPem, &summary));
    }
    return {};
}

Result<entra::TenantAccess> tenantAccess(CloudContext& cloud, const models::Tenant& tenant)
{
    return tenantAccess(cloud, tenant, tenant.connection.entraTenantId.value_or(QString()));
}

Result<entra::TenantAccess> tenantAccess(CloudContext& cloud, const models::Tenant& tenant,
                                         const QString& candidateTenantId)
{
    entra::TenantAccess access;
    access.endpoints = endpointsFor(cloud.config.entra, tenant.connection.nationalCloud);
    access.entraTenantId = tenant.connection.entraTenantId.value_or(candidateTenantId);
    if (access.entraTenantId.isEmpty())
        return makeError(QStringLiteral("connection.no_tenant_id"),
                         QStringLiteral("The tenant's Entra tenant id is not known yet: connect the tenant first."));
    auto own = loadAppCredential(cloud.db, cloud.connectionsKey, tenant.orgId, tenant.id);
    if (!own)
        return own.error();
    if (own->has_value()) {
        access.app = std::move(**own);
        return access;
    }
    if (!mspAppConfigured(cloud.config.entra))
        return makeError(QStringLiteral("connection.no_credential"),
                         QStringLiteral("This tenant has no app registration of its own and no multi-tenant app is "
                                        "configured."));
    auto msp = loadMspApp(cloud.config.entra);
    if (!msp)
        return msp.error();
    access.app = std::move(*msp);
    return access;
}

} // namespace stint::cloud::connections
