// SPDX-License-Identifier: GPL-3.0-or-later
#include "entra/GraphGateway.h"

#include "entra/GraphGatewayInternal.h"
#include "entra/TextChecks.h"

#include <QThread>

namespace stint::entra {

namespace detail {

namespace {

constexpr auto kInvalidRequest = "entra.invalid_request";

} // namespace

GraphGateway::GraphGateway(GraphGatewayOptions options)
    : m_options(prepare(std::move(options)))
    , m_tokens(m_options.tokens)
    , m_graph(m_tokens, m_options.graph)
{
}

GraphGatewayOptions GraphGateway::prepare(GraphGatewayOptions options)
{
    // Waits and the budgets they count against must run on the same clock: a clock that moves only when told
    // (the cloud's tests) with real sleeps would never run out of budget. So Graph's deadlines and pacing follow
    // the injected clock only together with an injected sleep; tokens always follow the given clock.
    options.graph.clock = options.sleep ? options.clock : nullptr;
    if (!options.sleep)
        options.sleep = [](qint64 ms) { QThread::msleep(std::max<qint64>(0, ms)); };
    options.graph.sleep = options.sleep;
    options.tokens.clock = options.clock;
    options.tokens.sleep = options.sleep;
    return options;
}

namespace {

QString grantsKey(const TenantAccess& tenant, const QString& accountId)
{
    return tenant.entraTenantId.toLower() + QLatin1Char('/') + accountId.toLower();
}

} // namespace

TapPolicy GraphGateway::knownTapPolicy(const TenantAccess& tenant) const
{
    QMutexLocker lock(&m_knownMutex);
    return m_tapPolicies.value(tenant.entraTenantId.toLower(), TapPolicy {});
}

void GraphGateway::rememberTapPolicy(const TenantAccess& tenant, const TapPolicy& policy)
{
    QMutexLocker lock(&m_knownMutex);
    m_tapPolicies.insert(tenant.entraTenantId.toLower(), policy);
}

void GraphGateway::rememberGrants(const TenantAccess& tenant, const QString& accountId,
                                  const QList<Assignment>& assignments,
                                  const std::optional<QString>& temporaryAccessPassId)
{
    QMutexLocker lock(&m_knownMutex);
    GrantedObjects& grants = m_grants[grantsKey(tenant, accountId)];
    grants.roleAssignments = assignments;
    // "A user can only have one Temporary Access Pass": a new one replaces the one remembered.
    if (temporaryAccessPassId && !temporaryAccessPassId->isEmpty())
        grants.temporaryAccessPassIds = {*temporaryAccessPassId};
}

std::optional<GrantedObjects> GraphGateway::knownGrants(const TenantAccess& tenant, const QString& accountId) const
{
    QMutexLocker lock(&m_knownMutex);
    const auto found = m_grants.constFind(grantsKey(tenant, accountId));
    if (found == m_grants.constEnd())
        return std::nullopt;
    return *found;
}

void GraphGateway::forgetGrants(const TenantAccess& tenant, const QString& accountId)
{
    QMutexLocker lock(&m_knownMutex);
    m_grants.remove(grantsKey(tenant, accountId));
}

bool isGuid(const QString& text)
{
    return text::isGuid(text);
}

Error invalid(const QString& message)
{
    return makeError(QString::fromLatin1(kInvalidRequest), message);
}

QString userPath(const QString& idOrUpn)
{
    return QStringLiteral("/users/") + QString::fromLatin1(QUrl::toPercentEncoding(idOrUpn, "@"));
}

QString assignmentsOf(const QString& principalId)
{
    return QStringLiteral("/roleManagement/directory/roleAssignments?$filter=principalId%20eq%20'")
        + GraphClient::odataString(principalId) + QLatin1Char('\'');
}

GraphRequest get(const QString& url, bool retryNotFound)
{
    GraphRequest request;
    request.url = url;
    request.retryNotFound = retryNotFound;
    return request;
}

GraphRequest write(const QByteArray& method, const QString& url, std::optional<QJsonObject> body)
{
    GraphRequest request;
    request.method = method;
    request.url = url;
    request.body = std::move(body);
    return request;
}

QJsonArray values(const GraphResponse& response)
{
    return response.body.value(QStringLiteral("value")).toArray();
}

TapPolicy parseTapPolicy(const QJsonObject& body)
{
    TapPolicy policy;
    policy.enabled
        = body.value(QStringLiteral("state")).toString().compare(QStringLiteral("enabled"), Qt::CaseInsensitive) == 0;
    policy.minimumLifetimeMinutes
        = body.value(QStringLiteral("minimumLifetimeInMinutes")).toInt(policy.minimumLifetimeMinutes);
    policy.maximumLifetimeMinutes
        = body.value(QStringLiteral("maximumLifetimeInMinutes")).toInt(policy.maximumLifetimeMinutes);
    policy.defaultLifetimeMinutes
        = body.value(QStringLiteral("defaultLifetimeInMinutes")).toInt(policy.defaultLifetimeMinutes);
    policy.isUsableOnce = body.value(QStringLiteral("isUsableOnce")).toBool(false);
    return policy;
}

QList<Assignment> parseAssignments(const GraphResponse& response)
{
    QList<Assignment> out;
    for (const QJsonValue& value : values(response)) {
        const QJsonObject object = value.toObject();
        out.append({object.value(QStringLiteral("id")).toString(),
                    object.value(QStringLiteral("roleDefinitionId")).toString().toLower()});
    }
    return out;
}

} // namespace detail

crypto::SecretBytes newAccountPassword(int length)
{
    static constexpr const char* kClasses[4]
        = {"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#%+-.:=?@^_~"};
    const QByteArray all = QByteArray(kClasses[0]) + kClasses[1] + kClasses[2] + kClasses[3];
    length = std::max(16, std::min(length, 256));
    // Uniform picks by rejection sampling over CSPRNG bytes.
    const auto pick = [](QByteArrayView alphabet) {
        const int limit = 256 - (256 % int(alphabet.size()));
        for (;;) {
            QByteArray byte = crypto::randomBytes(1);
            const int value = static_cast<unsigned char>(byte[0]);
            if (value < limit)
                return alphabet[value % alphabet.size()];
        }
    };
    QByteArray password;
    password.reserve(length);
    for (const char* cls : kClasses)
        password.append(pick(QByteArrayView(cls)));
    while (password.size() < length)
        password.append(pick(all));
    for (qsizetype i = password.size() - 1; i > 0; --i) { // Fisher–Yates: the four guaranteed classes land anywhere
        const QByteArray r = crypto::randomBytes(4);
        const quint32 value = *reinterpret_cast<const quint32*>(r.constData());
        std::swap(password[i], password[qsizetype(value % quint32(i + 1))]);
    }
    return crypto::SecretBytes(std::move(password));
}

std::unique_ptr<EntraGateway> makeGraphGateway(const GraphGatewayOptions& options)
{
    return std::make_unique<detail::GraphGateway>(options);
}

} // namespace stint::entra
