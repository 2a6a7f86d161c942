// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/SecurityKeySignIn.h"

#include "client/ApiError.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUrl>

Q_LOGGING_CATEGORY(lcKeySignIn, "stint.client.securitykeysignin")

namespace stint::client {

namespace {

constexpr int kMinChallengeBytes = 16;
constexpr int kMaxChallengeBytes = 64;
constexpr int kMaxAllowedCredentials = 64;
constexpr int kMaxCredentialIdBytes = 1023;
// The cloud's timeout, kept within what a person needs to find and touch a key.
constexpr int kDefaultTimeoutMs = 60'000;
constexpr int kMinTimeoutMs = 15'000;
constexpr int kMaxTimeoutMs = 120'000;

QString b64(const QByteArray& bytes)
{
    return QString::fromLatin1(crypto::base64UrlEncode(bytes));
}

// A JSON string literal with JSON's escaping (quotes included).
QByteArray jsonString(const QString& text)
{
    QByteArray array = QJsonDocument(QJsonArray {text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2); // ["…"] → "…"
}

// The PublicKeyCredentialRequestOptions of signin/begin, read into what the key needs.
struct RequestOptions
{
    QString challenge; // as sent (base64url), for clientDataJSON
    QString rpId;
    QList<QByteArray> allowCredentialIds;
    bool userVerification = true;
    int timeoutMs = kDefaultTimeoutMs;
};

// Whether `rpId` is the origin's host or a parent domain of it (WebAuthn §5.1.4.1 step 8, without the public suffix
// list: an RP ID is never a bare top-level label here, since it must contain the host).
bool rpIdFitsOrigin(const QString& rpId, const QString& origin)
{
    const QUrl url(origin, QUrl::StrictMode);
    const QString host = url.host().toLower();
    const QString rp = rpId.toLower();
    if (!url.isValid() || host.isEmpty() || rp.isEmpty() || rp.startsWith(QLatin1Char('.')))
        return false;
    return host == rp || host.endsWith(QLatin1Char('.') + rp);
}

Result<RequestOptions> readOptions(const QJsonObject& o, const QString& origin)
{
    RequestOptions options;
    const QJsonValue challenge = o.value(QLatin1String("challenge"));
    const auto challengeBytes = crypto::base64UrlDecode(challenge.toString().toLatin1());
    if (!challenge.isString() || !challengeBytes || challengeBytes->size() < kMinChallengeBytes
        || challengeBytes->size() > kMaxChallengeBytes)
        return errors::unexpected(QStringLiteral("sign-in challenge"));
    options.challenge = challenge.toString();

    const QJsonValue rpId = o.value(QLatin1String("rpId"));
    if (!rpId.isString() || rpId.toString().isEmpty() || rpId.toString().size() > 253)
        return errors::unexpected(QStringLiteral("sign-in relying party"));
    if (!rpIdFitsOrigin(rpId.toString(), origin)) {
        qCWarning(lcKeySignIn) << "refusing a sign-in for relying party" << rpId.toString() << "from" << origin;
        return errors::unexpected(QStringLiteral("sign-in for another site"));
    }
    options.rpId = rpId.toString();

    const QJsonValue allow = o.value(QLatin1String("allowCredentials"));
    if (!allow.isUndefined() && !allow.isNull()) {
        if (!allow.isArray() || allow.toArray().size() > kMaxAllowedCredentials)
            return errors::unexpected(QStringLiteral("allowed credentials"));
        for (const QJsonValue& entry : allow.toArray()) {
            const QJsonObject descriptor = entry.toObject();
            if (!entry.isObject() || !descriptor.value(QLatin1String("type")).isString())
                return errors::unexpected(QStringLiteral("allowed credentials"));
            // WebAuthn: descriptors of a type this client does not know are skipped.
            if (descriptor.value(QLatin1String("type")).toString() != QLatin1String("public-key"))
                continue;
            const auto id = crypto::base64UrlDecode(descriptor.value(QLatin1String("id")).toString().toLatin1());
            if (!descriptor.value(QLatin1String("id")).isString() || !id || id->isEmpty()
                || id->size() > kMaxCredentialIdBytes)
                return errors::unexpected(QStringLiteral("allowed credentials"));
            options.allowCredentialIds << *id;
        }
    }

    const QJsonValue uv = o.value(QLatin1String("userVerification"));
    if (!uv.isUndefined() && !uv.isString())
        return errors::unexpected(QStringLiteral("user verification"));
    options.userVerification = uv.toString() != QLatin1String("discouraged");

    const QJsonValue timeout = o.value(QLatin1String("timeout"));
    if (!timeout.isUndefined()) {
        if (!timeout.isDouble() || timeout.toDouble() <= 0)
            return errors::unexpected(QStringLiteral("sign-in timeout"));
        options.timeoutMs = int(qBound(double(kMinTimeoutMs), timeout.toDouble(), double(kMaxTimeoutMs)));
    }
    return options;
}

Error cancelledError()
{
    return Error {QString::fromLatin1(fido2errors::kCancelled),
                  SecurityKeySignIn::tr("Signing in with the security key was cancelled."),
                  {}};
}

} // namespace

struct SecurityKeySignIn::Attempt
{
    Call<SharedSession> call;
    bool finishing = false; // the assertion is on its way: too late to cancel
};

SecurityKeySignIn::SecurityKeySignIn(CloudApi& api, SecurityKeys& keys, QObject* parent)
    : QObject(parent)
    , m_api(api)
    , m_keys(keys)
{
}

QByteArray SecurityKeySignIn::clientDataJson(const QString& challengeB64Url, const QString& origin)
{
    // Written by hand: WebAuthn fixes the member order (type, challenge, origin, crossOrigin), which QJsonObject
    // would sort away.
    return QByteArrayLiteral("{\"type\":\"webauthn.get\",\"challenge\":") + jsonString(challengeB64Url)
        + QByteArrayLiteral(",\"origin\":") + jsonString(origin) + QByteArrayLiteral(",\"crossOrigin\":false}");
}

Call<SharedSession> SecurityKeySignIn::signIn(const QString& email, std::shared_ptr<const crypto::SecretBytes> pin)
{
    cancel();
    auto attempt = std::make_shared<Attempt>();
    m_attempt = attempt;
    m_api.signInBegin(email).then(this, [this, attempt, pin](const Result<CeremonyStart>& begun) {
        if (attempt->call.isFinished())
            return; // cancelled meanwhile
        if (!begun)
            return attempt->call.fail(begun.error());
        askKey(attempt, *begun, pin);
    });
    return attempt->call;
}

void SecurityKeySignIn::cancel()
{
    if (!m_attempt || m_attempt->finishing || m_attempt->call.isFinished())
        return;
    m_attempt->call.fail(cancelledError());
    m_keys.cancel();
}

void SecurityKeySignIn::askKey(const std::shared_ptr<Attempt>& attempt, const CeremonyStart& start,
                               std::shared_ptr<const crypto::SecretBytes> pin)
{
    const QString origin = m_api.transport().origin();
    auto options = readOptions(start.publicKey, origin);
    if (!options)
        return attempt->call.fail(options.error());
    const QByteArray clientData = clientDataJson(options->challenge, origin);
    AssertionRequest request;
    request.rpId = options->rpId;
    request.clientDataHash = crypto::sha256(clientData);
    request.allowCredentialIds = options->allowCredentialIds;
    request.userVerification = options->userVerification;
    request.pin = std::move(pin);
    request.timeoutMs = options->timeoutMs;
    const QString ceremonyId = start.ceremonyId;
    m_keys.getAssertion(request).then(this, [this, attempt, ceremonyId, clientData](const Result<Assertion>& key) {
        if (attempt->call.isFinished())
            return;
        if (!key)
            return attempt->call.fail(key.error());
        finish(attempt, ceremonyId, clientData, *key);
    });
}

void SecurityKeySignIn::finish(const std::shared_ptr<Attempt>& attempt, const QString& ceremonyId,
                               const QByteArray& clientData, const Assertion& assertion)
{
    // The PublicKeyCredential a browser would post (WebAuthn's JSON serialization, base64url without padding).
    QJsonObject response {{QStringLiteral("clientDataJSON"), b64(clientData)},
                          {QStringLiteral("authenticatorData"), b64(assertion.authenticatorData)},
                          {QStringLiteral("signature"), b64(assertion.signature)}};
    if (!assertion.userHandle.isEmpty())
        response.insert(QStringLiteral("userHandle"), b64(assertion.userHandle));
    const QJsonObject credential {{QStringLiteral("id"), b64(assertion.credentialId)},
                                  {QStringLiteral("rawId"), b64(assertion.credentialId)},
                                  {QStringLiteral("type"), QStringLiteral("public-key")},
                                  {QStringLiteral("authenticatorAttachment"), QStringLiteral("cross-platform")},
                                  {QStringLiteral("clientExtensionResults"), QJsonObject()},
                                  {QStringLiteral("response"), response}};
    attempt->finishing = true;
    m_api.signInFinish(ceremonyId, credential).then(this, [attempt](const Result<SharedSession>& session) {
        attempt->call.resolve(session);
    });
}

} // namespace stint::client
