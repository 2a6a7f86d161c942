// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHostAddress>
#include <QString>
#include <QUrl>

namespace stint::cloud {

// Where Stint meets Microsoft: the endpoints of each national cloud (protocols.md 1.7), the MSP's multi-tenant app,
// and how hard the provisioning engine may work. Every URL can be pointed at any compatible endpoint (entra-sim in
// tests and the demo).
struct EntraConfig
{
    QUrl globalAuthority{QStringLiteral("https://login.microsoftonline.com")};
    QUrl globalGraph{QStringLiteral("https://graph.microsoft.com")};
    QUrl usgovAuthority{QStringLiteral("https://login.microsoftonline.us")};
    QUrl usgovGraph{QStringLiteral("https://graph.microsoft.us")};
    // The Entra documentation's host; the Graph documentation names login.chinacloudapi.cn (protocols.md 6.3).
    QUrl chinaAuthority{QStringLiteral("https://login.partner.microsoftonline.cn")};
    QUrl chinaGraph{QStringLiteral("https://microsoftgraph.chinacloudapi.cn")};
    // The resource tokens are asked for ("<resource>/.default"). Empty: the tenant's Graph URL, which is right for
    // Microsoft's clouds; set it (e.g. https://graph.microsoft.com) when the Graph URL is a proxy or entra-sim.
    QString graphResource;

    // The MSP's multi-tenant app registration (admin-consent connections). The secret or the private key is read
    // from a file (0600), never from a flag or the environment; empty: only per-customer app connections work.
    QString appClientId;
    QString appClientSecretFile;
    QString appCertificateFile; // PEM certificate registered on the app
    QString appPrivateKeyFile;  // its PEM private key

    int workerThreads = 16;         // concurrent Graph jobs
    int reconcileIntervalMinutes = 15;
    // Every connected tenant's health is checked this often (and once at start), so that an expiring secret or a
    // removed role shows before a checkout fails.
    int healthCheckIntervalHours = 6;
};

// Outgoing webhooks (services/cloud/webhooks).
struct WebhookConfig
{
    int maxAttempts = 8;         // then the delivery is a dead letter
    int firstRetrySeconds = 30;  // doubled per attempt (with jitter), capped at maxRetrySeconds
    int maxRetrySeconds = 6 * 3600;
    int timeoutSeconds = 10;
};

// How the provisioning engine paces itself (cloud/engine/ProvisioningEngine.h). Deadlines live in the store; these
// only say how often to look and how patiently to retry.
struct EngineConfig
{
    int pollIntervalMs = 5000; // the safety poll: the longest the engine sleeps even when nothing seems due
    int maxJobsPerTenant = 4;  // Graph jobs running at once against one customer tenant (Graph throttles per tenant)
    // Transient failures (throttled, unreachable, transient) are retried after base·2^attempt seconds with jitter,
    // at most the cap.
    int retryBaseSeconds = 2;
    int retryCapSeconds = 300;
    // A revocation not confirmed after this many tries raises the revoke_failed alert …
    int revokeAttemptsBeforeAlert = 5;
    // … and is then retried on this slower backoff until it is confirmed.
    int revokeFailedRetryBaseSeconds = 60;
    int revokeFailedRetryCapSeconds = 1800;
};

// Everything an operator can set. Filled by app/cloud from a file, the environment and flags (flags win over the
// environment, which wins over the file); defaults are the safe ones.
struct CloudConfig
{
    QString dataDir;
    QString masterKeyFile; // empty: <dataDir>/master.key
    QHostAddress listenAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 listenPort = 8443;
    QString tlsCertificateFile;
    QString tlsKeyFile;
    bool allowInsecureNonLoopback = false;

    // WebAuthn relying party. The origin is the URL people open; empty means http://localhost:<port>.
    QString publicOrigin;
    QString rpId; // empty: the host of publicOrigin
    QString rpName = QStringLiteral("Stint");

    int sessionIdleMinutes = 60;
    int sessionAbsoluteHours = 12;
    int challengeTtlSeconds = 300;
    int inviteTtlHours = 72;
    int nativeCodeTtlSeconds = 60;
    // How long a checkout waits for an admin's approval before it expires (fixed when the request is made).
    int approvalTtlHours = 24;

    // Sign-in attempt limits: per source address and per account, in a sliding window.
    int signInAttemptsPerAddress = 120;
    int signInAttemptsPerAccount = 10;
    int signInWindowSeconds = 300;

    EntraConfig entra;
    EngineConfig engine;
    WebhookConfig webhooks;
    // How often the background schedulers (health checks, reconciliation, webhook delivery) look for due work. Due
    // times are read from the clock, so this only bounds the delay.
    int schedulerTickMs = 5000;

    bool jsonLogs = false;
    qsizetype maxRequestBytes = 1024 * 1024; // a connection sending more without an answer is cut off
    // From the first byte of a request (or the opening of the connection, TLS handshake included) to the end of its
    // header fields; a slower client gets 408 and the connection is closed.
    int headerTimeoutSeconds = 20;
    // Open connections from one peer address; more are closed at once. 0: no cap. Trusted proxies are exempt.
    // 256: an MSP office behind one NAT address has a desktop app (live channel + requests) per technician.
    int maxConnectionsPerAddress = 256;
    // Reverse proxies whose X-Forwarded-For is believed (address/prefix). None by default: the TCP peer is the
    // client, whatever X-Forwarded-For says.
    QList<QPair<QHostAddress, int>> trustedProxies;

    QString databasePath() const { return dataDir + QStringLiteral("/stint.db"); }
    QString keyFilePath() const
    {
        return masterKeyFile.isEmpty() ? dataDir + QStringLiteral("/master.key") : masterKeyFile;
    }
};

} // namespace stint::cloud
