// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/SignInApi.h"

#include "cloud/authn/RateLimiter.h"
#include "cloud/authn/Sessions.h"
#include "cloud/authn/WebAuthn.h"
#include "cloud/directory/DirectoryStore.h"
#include "cloud/events/EventHub.h"
#include "cloud/http/RequestContext.h"
#include "cloud/metrics/Metrics.h"
#include "core/Crypto.h"
#include "core/Ids.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcSignIn, "stint.cloud.api.signin")

namespace stint::cloud::api {

namespace {

constexpr int kCeremonyTimeoutMs = 300'000;
const QString kRegister = QStringLiteral("register");
const QString kAddCredential = QStringLiteral("add-credential");
const QString kSignIn = QStringLiteral("signin");

ApiError invalidCeremony()
{
    return ApiError::badRequest(QStringLiteral("ceremony-invalid"),
                                QStringLiteral("This sign-in attempt is unknown, already used or expired. Start again."));
}

ApiError signInRejected(const QString& detail = {})
{
    return {401, QStringLiteral("signin-failed"), QStringLiteral("Sign-in failed."),
            detail.isEmpty() ? QStringLiteral("The passkey could not be verified.") : detail, {}};
}

QString b64(const QByteArray& bytes)
{
    return QString::fromLatin1(crypto::base64UrlEncode(bytes));
}

QString aaguidString(const QByteArray& aaguid)
{
    if (aaguid.size() != 16)
        return QStringLiteral("00000000-0000-0000-0000-000000000000");
    return QUuid::fromRfc4122(aaguid).toString(QUuid::WithoutBraces).toLower();
}

// The loopback hand-off parameters of a native app (RFC 8252 §7.3): http, a loopback IP literal, an explicit port.
struct NativeRequest
{
    QString redirectUri;
    QString codeChallenge;
    QString state;
    QJsonObject toJson() const
    {
        return {{QStringLiteral("redirectUri"), redirectUri},
                {QStringLiteral("codeChallenge"), codeChallenge},
                {QStringLiteral("state"), state}};
    }
};

std::optional<NativeRequest> readNativeRequest(json::ObjectReader& outer, const QJsonObject& o)
{
    json::ObjectReader r(o, QStringLiteral("native"));
    NativeRequest n;
    n.redirectUri = r.requiredString(QStringLiteral("redirectUri"), 512);
    n.codeChallenge = r.requiredString(QStringLiteral("codeChallenge"), 43, 43);
    r.requiredEnum(QStringLiteral("codeChallengeMethod"), {QStringLiteral("S256")});
    n.state = r.requiredString(QStringLiteral("state"), 256);
    const QUrl url(n.redirectUri, QUrl::StrictMode);
    const QString host = url.host();
    if (!n.redirectUri.isEmpty()
        && (!url.isValid() || url.scheme() != QLatin1String("http")
            || (host != QLatin1String("127.0.0.1") && host != QLatin1String("::1")) || url.port() <= 0
            || !url.userInfo().isEmpty() || url.hasFragment() || url.hasQuery()))
        r.fail(QStringLiteral("redirectUri"),
               QStringLiteral("must be http://127.0.0.1:<port>/<path> or http://[::1]:<port>/<path>"));
    if (!n.codeChallenge.isEmpty() && !crypto::base64UrlDecode(n.codeChallenge.toLatin1()).ok())
        r.fail(QStringLiteral("codeChallenge"), QStringLiteral("must be base64url"));
    for (QChar c : n.state) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7e) {
            r.fail(QStringLiteral("state"), QStringLiteral("must be visible ASCII"));
            break;
        }
    }
    if (auto ok = r.finish(); !ok) {
        outer.fail(QStringLiteral("native"), ok.error().message);
        return std::nullopt;
    }
    return n;
}

// The browser's PublicKeyCredential, as JSON with base64url binary fields.
struct CredentialResponse
{
    QByteArray rawId;
    QByteArray clientDataJson;
    QByteArray attestationObject; // registration
    QByteArray authenticatorData; // assertion
    QByteArray signature;         // assertion
    QByteArray userHandle;        // assertion, optional
};

std::optional<CredentialResponse> readCredential(json::ObjectReader& outer, const QJsonObject& o, bool registration)
{
    json::ObjectReader r(o, QStringLiteral("credential"));
    CredentialResponse c;
    auto binary = [](json::ObjectReader& reader, const QString& key, int maxChars, bool required) -> QByteArray {
        const auto text = required ? std::optional<QString>(reader.requiredString(key, maxChars))
                                   : reader.optionalString(key, maxChars);
        if (!text || text->isEmpty())
            return {};
        auto bytes = crypto::base64UrlDecode(text->toLatin1());
        if (!bytes) {
            reader.fail(key, QStringLiteral("must be base64url"));
            return {};
        }
        return *bytes;
    };
    const QString id = r.requiredString(QStringLiteral("id"), 1400);
    c.rawId = binary(r, QStringLiteral("rawId"), 1400, true);
    r.requiredEnum(QStringLiteral("type"), {QStringLiteral("public-key")});
    r.optionalEnum(QStringLiteral("authenticatorAttachment"), {QStringLiteral("platform"), QStringLiteral("cross-platform")});
    r.optionalObject(QStringLiteral("clientExtensionResults"));
    if (!c.rawId.isEmpty() && id != b64(c.rawId))
        r.fail(QStringLiteral("id"), QStringLiteral("must be the base64url of rawId"));
    const auto response = r.optionalObject(QStringLiteral("response"));
    if (!response)
        r.fail(QStringLiteral("response"), QStringLiteral("is required"));
    else {
        json::ObjectReader rr(*response, QStringLiteral("credential.response"));
        c.clientDataJson = binary(rr, QStringLiteral("clientDataJSON"), 6000, true);
        if (registration) {
            c.attestationObject = binary(rr, QStringLiteral("attestationObject"), 90'000, true);
            rr.optionalStringList(QStringLiteral("transports"), 8, 32);
        } else {
            c.authenticatorData = binary(rr, QStringLiteral("authenticatorData"), 4000, true);
            c.signature = binary(rr, QStringLiteral("signature"), 2000, true);
            c.userHandle = binary(rr, QStringLiteral("userHandle"), 200, false);
        }
        if (auto ok = rr.finish(); !ok)
            r.fail(QStringLiteral("response"), ok.error().message);
    }
    if (auto ok = r.finish(); !ok) {
        outer.fail(QStringLiteral("credential"), ok.error().message);
        return std::nullopt;
    }
    return c;
}

struct Ceremony
{
    QByteArray challenge;
    QString personId;
    QString inviteId;
    std::optional<NativeRequest> native;
};

Result<QString> storeCeremony(RequestContext& ctx, const QString& purpose, const QByteArray& challenge,
                              const QString& personId, const QString& inviteId, const std::optional<NativeRequest>& native)
{
    const QString id = ids::newId(u"cer");
    const TimeMs now = ctx.cloud.clock.now();
    STINT_TRY(ctx.cloud.db.exec(
        QStringLiteral("INSERT INTO webauthn_challenges (id, challenge, purpose, person_id, invite_id, native_request,"
                       " created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)"),
        {id, challenge, purpose, personId.isEmpty() ? store::Value(nullptr) : store::Value(personId),
         inviteId.isEmpty() ? store::Value(nullptr) : store::Value(inviteId),
         native ? store::Value(QString::fromUtf8(json::compact(native->toJson()))) : store::Value(nullptr), now,
         now + qint64(ctx.cloud.config.challengeTtlSeconds) * 1000}));
    // Expired ceremonies are of no use to anyone: sweep them as new ones come in.
    STINT_TRY(ctx.cloud.db.exec(QStringLiteral("DELETE FROM webauthn_challenges WHERE expires_at < ?"),
                                {now - 3'600'000}));
    return id;
}

// Marks the ceremony used — committed on its own, before any verification, so that a challenge is good for exactly
// one attempt whatever its outcome.
Result<std::optional<Ceremony>> consumeCeremony(RequestContext& ctx, const QString& ceremonyId, const QString& purpose)
{
    if (!ids::isValidId(ceremonyId, u"cer"))
        return std::optional<Ceremony>();
    const TimeMs now = ctx.cloud.clock.now();
    auto n = ctx.cloud.db.execCount(QStringLiteral("UPDATE webauthn_challenges SET used_at = ? WHERE id = ?"
                                                   " AND purpose = ? AND used_at IS NULL AND expires_at > ?"),
                                    {now, ceremonyId, purpose, now});
    if (!n)
        return n.error();
    if (*n == 0)
        return std::optional<Ceremony>();
    auto rows = ctx.cloud.db.query(QStringLiteral("SELECT challenge, person_id, invite_id, native_request"
                                                  " FROM webauthn_challenges WHERE id = ?"),
                                   {ceremonyId});
    if (!rows)
        return rows.error();
    const store::Row& r = rows->front();
    Ceremony c{r.blob(0), r.text(1), r.text(2), std::nullopt};
    if (!r.isNull(3)) {
        const QJsonObject o = QJsonDocument::fromJson(r.text(3).toUtf8()).object();
        c.native = NativeRequest{o.value(QLatin1String("redirectUri")).toString(),
                                 o.value(QLatin1String("codeChallenge")).toString(),
                                 o.value(QLatin1String("state")).toString()};
    }
    return std::optional<Ceremony>(c);
}

QJsonObject creationOptions(RequestContext& ctx, const QByteArray& challenge, const QString& personId,
                            const QString& email, const QString& displayName, const QList<QByteArray>& exclude)
{
    QJsonArray excludeList;
    for (const auto& id : exclude)
        excludeList.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("public-key")}, {QStringLiteral("id"), b64(id)}});
    QJsonArray params;
    for (int alg : {-7, -8, -257})
        params.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("public-key")}, {QStringLiteral("alg"), alg}});
    return {{QStringLiteral("challenge"), b64(challenge)},
            {QStringLiteral("rp"), QJsonObject{{QStringLiteral("id"), ctx.cloud.rpId},
                                               {QStringLiteral("name"), ctx.cloud.config.rpName}}},
            {QStringLiteral("user"), QJsonObject{{QStringLiteral("id"), b64(personId.toUtf8())},
                                                 {QStringLiteral("name"), email},
                                                 {QStringLiteral("displayName"), displayName}}},
            {QStringLiteral("pubKeyCredParams"), params},
            {QStringLiteral("timeout"), kCeremonyTimeoutMs},
            {QStringLiteral("attestation"), QStringLiteral("direct")},
            {QStringLiteral("excludeCredentials"), excludeList},
            {QStringLiteral("authenticatorSelection"),
             QJsonObject{{QStringLiteral("residentKey"), QStringLiteral("required")},
                         {QStringLiteral("requireResidentKey"), true},
                         {QStringLiteral("userVerification"), QStringLiteral("required")}}}};
}

Result<QList<QByteArray>> rawCredentialIdsOf(store::Database& db, const QString& personId)
{
    auto rows = db.query(QStringLiteral("SELECT credential_id FROM credentials WHERE person_id = ? ORDER BY id"),
                         {personId});
    if (!rows)
        return rows.error();
    QList<QByteArray> out;
    for (const auto& r : *rows)
        out << r.blob(0);
    return out;
}

Result<void> insertCredential(RequestContext& ctx, const QString& orgId, const QString& personId,
                              const stint::authn::RegisteredCredential& c, const QString& name, QString* credentialRowId)
{
    *credentialRowId = ids::newId(u"crd");
    return ctx.cloud.db.exec(
        QStringLiteral("INSERT INTO credentials (id, org_id, person_id, credential_id, public_key, algorithm, sign_count,"
                       " aaguid, backup_eligible, backup_state, attestation_format, attestation_type, name, flagged,"
                       " created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL)"),
        {*credentialRowId, orgId, personId, c.credentialId, c.publicKeyCose, qint64(c.algorithm), qint64(c.signCount),
         aaguidString(c.aaguid), qint64(c.backupEligible), qint64(c.backupState), c.attestationFormat,
         c.attestationType, name, ctx.cloud.clock.now()});
}

// Reads {ceremonyId, credential, name?} and verifies the registration against the consumed ceremony.
struct VerifiedRegistration
{
    Ceremony ceremony;
    stint::authn::RegisteredCredential credential;
    QString name;
};

std::variant<VerifiedRegistration, ApiError> verifyRegistrationRequest(RequestContext& ctx, const QString& purpose,
                                                                       AuditEvent failure)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString ceremonyId = reader.requiredString(QStringLiteral("ceremonyId"), 64);
    const auto credentialJson = reader.optionalObject(QStringLiteral("credential"));
    const QString name = reader.optionalString(QStringLiteral("name"), 100, 1).value_or(QStringLiteral("Passkey"));
    std::optional<CredentialResponse> credential;
    if (!credentialJson)
        reader.fail(QStringLiteral("credential"), QStringLiteral("is required"));
    else
        credential = readCredential(reader, *credentialJson, true);
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    auto ceremony = consumeCeremony(ctx, ceremonyId, purpose);
    if (!ceremony)
        return ctx.fail(ceremony.error());
    if (!ceremony->has_value())
        return invalidCeremony();
    stint::authn::RegistrationExpectation expect;
    expect.challenge = (*ceremony)->challenge;
    expect.rpId = ctx.cloud.rpId;
    expect.allowedOrigins = {ctx.cloud.origin};
    auto verified = stint::authn::verifyRegistration(expect, credential->clientDataJson, credential->attestationObject);
    if (!verified) {
        failure.outcome = QStringLiteral("failure");
        failure.details.insert(QStringLiteral("reason"), verified.error().code);
        if (!failure.orgId.isEmpty())
            ctx.auditAfterRollback(failure);
        return ctx.fail(verified.error());
    }
    if (verified->credentialId != credential->rawId)
        return ApiError::badRequest(QStringLiteral("webauthn-rejected"),
                                    QStringLiteral("The credential id does not match the attested one."));
    return VerifiedRegistration{**ceremony, *verified, name};
}

std::optional<ApiError> checkAuthenticatorPolicy(RequestContext& ctx, const QString& orgId, const QString& aaguid)
{
    auto org = directory::loadOrganization(ctx.cloud.db, orgId);
    if (!org || !org->has_value())
        return ApiError::internal();
    if (!(*org)->authenticatorPolicy.allows(aaguid))
        return ApiError{403, QStringLiteral("authenticator-not-allowed"),
                        QStringLiteral("This authenticator is not allowed."),
                        QStringLiteral("Your organization accepts only certain security keys (AAGUID %1 is not one "
                                       "of them). Ask your admin which to use.")
                            .arg(aaguid),
                        {{QStringLiteral("aaguid"), aaguid}}};
    return std::nullopt;
}

HttpResponse sessionResponse(const Sessions::Issued& session, const models::Person& person)
{
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("token"), session.token},
                                               {QStringLiteral("sessionId"), session.sessionId},
                                               {QStringLiteral("expiresAt"), toRfc3339(session.absoluteExpiresAt)},
                                               {QStringLiteral("idleExpiresAt"), toRfc3339(session.idleExpiresAt)},
                                               {QStringLiteral("person"), person.toJson()}});
}

QString userAgent(const RequestContext& ctx)
{
    return QString::fromUtf8(ctx.request.header("User-Agent")).left(256);
}

} // namespace

Reply beginEnrollment(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString token = reader.requiredString(QStringLiteral("inviteToken"), 64);
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    auto invite = directory::findPendingInvite(ctx.cloud.db, ctx.cloud.clock, token);
    if (!invite)
        return ctx.fail(invite.error());
    if (!invite->has_value())
        return ApiError::badRequest(QStringLiteral("invite-invalid"),
                                    QStringLiteral("This invite link is unknown, used, revoked or expired. Ask your "
                                                   "admin for a new one."));
    const auto& inv = **invite;
    // The first admin exists before enrolling (stint-cloud init); everyone else is created when enrollment succeeds.
    auto existing = directory::findPersonByEmail(ctx.cloud.db, inv.email);
    if (!existing)
        return ctx.fail(existing.error());
    if (existing->has_value() && (*existing)->orgId != inv.orgId)
        return ApiError::conflict(QStringLiteral("person-exists"), QStringLiteral("This email belongs to another organization."));
    const QString personId = existing->has_value() ? (*existing)->id : ids::newId(u"per");
    QList<QByteArray> exclude;
    if (existing->has_value()) {
        auto ids = rawCredentialIdsOf(ctx.cloud.db, personId);
        if (!ids)
            return ctx.fail(ids.error());
        exclude = *ids;
    }
    const QByteArray challenge = crypto::randomBytes(32);
    auto ceremonyId = storeCeremony(ctx, kRegister, challenge, personId, inv.id, std::nullopt);
    if (!ceremonyId)
        return ctx.fail(ceremonyId.error());
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("ceremonyId"), *ceremonyId},
                                               {QStringLiteral("publicKey"),
                                                creationOptions(ctx, challenge, personId, inv.email, inv.displayName,
                                                                exclude)}});
}

Reply finishEnrollment(RequestContext& ctx)
{
    AuditEvent failure = ctx.auditEvent(QStringLiteral("auth.enroll"), QStringLiteral("failure"));
    auto outcome = verifyRegistrationRequest(ctx, kRegister, failure);
    if (auto* e = std::get_if<ApiError>(&outcome))
        return *e;
    auto& v = std::get<VerifiedRegistration>(outcome);

    auto inviteRows = ctx.cloud.db.query(QStringLiteral("SELECT org_id, email, display_name, role FROM invites WHERE id = ?"),
                                         {v.ceremony.inviteId});
    if (!inviteRows || inviteRows->empty())
        return ApiError::internal();
    const store::Row& inv = inviteRows->front();
    const QString orgId = inv.text(0);
    const QString aaguid = aaguidString(v.credential.aaguid);
    if (auto refused = checkAuthenticatorPolicy(ctx, orgId, aaguid)) {
        failure.orgId = orgId;
        failure.details.insert(QStringLiteral("reason"), QStringLiteral("authenticator-not-allowed"));
        failure.details.insert(QStringLiteral("aaguid"), aaguid);
        ctx.auditAfterRollback(failure);
        return *refused;
    }

    store::Transaction tx(ctx.cloud.db);
    if (!tx.started().ok())
        return ApiError::internal();
    const TimeMs now = ctx.cloud.clock.now();
    auto used = ctx.cloud.db.execCount(QStringLiteral("UPDATE invites SET used_at = ? WHERE id = ? AND used_at IS NULL"
                                                      " AND revoked_at IS NULL AND expires_at > ?"),
                                       {now, v.ceremony.inviteId, now});
    if (!used)
        return ctx.fail(used.error());
    if (*used == 0)
        return ApiError::badRequest(QStringLiteral("invite-invalid"),
                                    QStringLiteral("The invite was used, revoked or expired meanwhile."));
    auto person = directory::loadPerson(ctx.cloud.db, orgId, v.ceremony.personId);
    if (!person)
        return ctx.fail(person.error());
    if (!person->has_value()) {
        auto inserted = ctx.cloud.db.exec(QStringLiteral("INSERT INTO people (id, org_id, email, display_name, role,"
                                                         " status, created_at, updated_at)"
                                                         " VALUES (?, ?, ?, ?, ?, 'active', ?, ?)"),
                                          {v.ceremony.personId, orgId, inv.text(1), inv.text(2), inv.text(3), now, now});
        if (!inserted) {
            if (inserted.error().code == QLatin1String("store.constraint"))
                return ApiError::conflict(QStringLiteral("person-exists"),
                                          QStringLiteral("Someone with this email already has an account."));
            return ctx.fail(inserted.error());
        }
        person = directory::loadPerson(ctx.cloud.db, orgId, v.ceremony.personId);
        if (!person || !person->has_value())
            return ApiError::internal();
    }
    QString credentialRowId;
    if (auto r = insertCredential(ctx, orgId, v.ceremony.personId, v.credential, v.name, &credentialRowId); !r) {
        if (r.error().code == QLatin1String("store.constraint"))
            return ApiError::conflict(QStringLiteral("credential-exists"), QStringLiteral("This passkey is already registered."));
        return ctx.fail(r.error());
    }
    auto session = ctx.cloud.sessions.create(v.ceremony.personId, orgId, ctx.request.remoteAddress.toString(),
                                             userAgent(ctx));
    if (!session)
        return ctx.fail(session.error());

    Caller enrolled{(*person)->id, orgId, (*person)->role, (*person)->email, session->sessionId};
    ctx.caller = enrolled;
    AuditEvent e = ctx.auditEvent(QStringLiteral("auth.enroll"));
    e.targetType = QStringLiteral("person");
    e.targetId = enrolled.personId;
    e.details.insert(QStringLiteral("inviteId"), v.ceremony.inviteId);
    e.details.insert(QStringLiteral("credentialId"), credentialRowId);
    e.details.insert(QStringLiteral("aaguid"), aaguid);
    e.details.insert(QStringLiteral("attestation"), v.credential.attestationFormat + QLatin1Char('/') + v.credential.attestationType);
    AuditEvent signin = ctx.auditEvent(QStringLiteral("auth.signin"));
    signin.targetType = QStringLiteral("session");
    signin.targetId = session->sessionId;
    signin.details.insert(QStringLiteral("method"), QStringLiteral("enrollment"));
    if (!ctx.audit(e) || !ctx.audit(signin)
        || !ctx.publish(EventHub::audienceAdmins(), QStringLiteral("person.enrolled"), (*person)->toJson()))
        return ApiError::internal();
    if (auto committed = tx.commit(); !committed)
        return ctx.fail(committed.error());
    ctx.cloud.events.flushPending();
    ctx.cloud.metrics.increment(QStringLiteral("stint_signins_total"), QStringLiteral("outcome=\"enrolled\""));
    return sessionResponse(*session, **person);
}

Reply beginAddCredential(RequestContext& ctx)
{
    if (!ctx.request.body.isEmpty()) {
        auto body = ctx.jsonBody();
        if (!body)
            return ctx.fail(body.error());
        if (auto ok = json::ObjectReader(*body).finish(); !ok)
            return ctx.fail(ok.error());
    }
    auto person = directory::loadPerson(ctx.cloud.db, ctx.caller.orgId, ctx.caller.personId);
    if (!person || !person->has_value())
        return ApiError::internal();
    auto exclude = rawCredentialIdsOf(ctx.cloud.db, ctx.caller.personId);
    if (!exclude)
        return ctx.fail(exclude.error());
    const QByteArray challenge = crypto::randomBytes(32);
    auto ceremonyId = storeCeremony(ctx, kAddCredential, challenge, ctx.caller.personId, {}, std::nullopt);
    if (!ceremonyId)
        return ctx.fail(ceremonyId.error());
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("ceremonyId"), *ceremonyId},
                                               {QStringLiteral("publicKey"),
                                                creationOptions(ctx, challenge, ctx.caller.personId, (*person)->email,
                                                                (*person)->displayName, *exclude)}});
}

Reply finishAddCredential(RequestContext& ctx)
{
    AuditEvent failure = ctx.auditEvent(QStringLiteral("credential.add"), QStringLiteral("failure"));
    auto outcome = verifyRegistrationRequest(ctx, kAddCredential, failure);
    if (auto* e = std::get_if<ApiError>(&outcome))
        return *e;
    auto& v = std::get<VerifiedRegistration>(outcome);
    if (v.ceremony.personId != ctx.caller.personId)
        return invalidCeremony();
    const QString aaguid = aaguidString(v.credential.aaguid);
    if (auto refused = checkAuthenticatorPolicy(ctx, ctx.caller.orgId, aaguid)) {
        failure.details.insert(QStringLiteral("reason"), QStringLiteral("authenticator-not-allowed"));
        failure.details.insert(QStringLiteral("aaguid"), aaguid);
        ctx.auditAfterRollback(failure);
        return *refused;
    }
    store::Transaction tx(ctx.cloud.db);
    if (!tx.started().ok())
        return ApiError::internal();
    QString credentialRowId;
    if (auto r = insertCredential(ctx, ctx.caller.orgId, ctx.caller.personId, v.credential, v.name, &credentialRowId); !r) {
        if (r.error().code == QLatin1String("store.constraint"))
            return ApiError::conflict(QStringLiteral("credential-exists"), QStringLiteral("This passkey is already registered."));
        return ctx.fail(r.error());
    }
    AuditEvent e = ctx.auditEvent(QStringLiteral("credential.add"));
    e.targetType = QStringLiteral("person");
    e.targetId = ctx.caller.personId;
    e.details.insert(QStringLiteral("credentialId"), credentialRowId);
    e.details.insert(QStringLiteral("aaguid"), aaguid);
    if (!ctx.audit(e))
        return ApiError::internal();
    if (auto committed = tx.commit(); !committed)
        return ctx.fail(committed.error());
    auto creds = directory::passkeysOf(ctx.cloud.db, ctx.caller.orgId, ctx.caller.personId);
    if (!creds)
        return ctx.fail(creds.error());
    for (const auto& c : *creds) {
        if (c.id == credentialRowId)
            return HttpResponse::json(201, c.toJson());
    }
    return ApiError::internal();
}

Reply beginSignIn(RequestContext& ctx)
{
    QJsonObject bodyObject;
    if (!ctx.request.body.isEmpty()) {
        auto body = ctx.jsonBody();
        if (!body)
            return ctx.fail(body.error());
        bodyObject = *body;
    }
    json::ObjectReader reader(bodyObject);
    const auto rawEmail = reader.optionalString(QStringLiteral("email"), 254, 1);
    std::optional<NativeRequest> native;
    if (auto n = reader.optionalObject(QStringLiteral("native")))
        native = readNativeRequest(reader, *n);
    std::optional<QString> email;
    if (rawEmail) {
        email = directory::normalizeEmail(*rawEmail);
        if (!email)
            reader.fail(QStringLiteral("email"), QStringLiteral("is not an email address"));
    }
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());

    QJsonArray allow;
    QString personId;
    if (email) {
        // No per-account count here: a look-up proves nothing, and counting it would let anyone who knows an address
        // spend its owner's allowance. The per-address limit applies.
        auto person = directory::findPersonByEmail(ctx.cloud.db, *email);
        if (!person)
            return ctx.fail(person.error());
        QList<QByteArray> credentialIds;
        if (person->has_value() && (*person)->status == QLatin1String("active")) {
            personId = (*person)->id;
            auto ids = rawCredentialIdsOf(ctx.cloud.db, personId);
            if (!ids)
                return ctx.fail(ids.error());
            credentialIds = *ids;
        }
        if (credentialIds.isEmpty()) {
            // Unknown, disabled or not yet enrolled: answer with a stable made-up credential id so that the
            // response does not tell whether the address has an account.
            static const QByteArray pepper = crypto::randomBytes(32);
            credentialIds << crypto::hmacSha256(pepper, email->toUtf8());
        }
        for (const auto& id : credentialIds)
            allow.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("public-key")}, {QStringLiteral("id"), b64(id)}});
    }
    const QByteArray challenge = crypto::randomBytes(32);
    auto ceremonyId = storeCeremony(ctx, kSignIn, challenge, personId, {}, native);
    if (!ceremonyId)
        return ctx.fail(ceremonyId.error());
    QJsonObject options{{QStringLiteral("challenge"), b64(challenge)},
                        {QStringLiteral("rpId"), ctx.cloud.rpId},
                        {QStringLiteral("timeout"), kCeremonyTimeoutMs},
                        {QStringLiteral("userVerification"), QStringLiteral("required")},
                        {QStringLiteral("allowCredentials"), allow}};
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("ceremonyId"), *ceremonyId}, {QStringLiteral("publicKey"), options}});
}

Reply finishSignIn(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString ceremonyId = reader.requiredString(QStringLiteral("ceremonyId"), 64);
    const auto credentialJson = reader.optionalObject(QStringLiteral("credential"));
    std::optional<CredentialResponse> credential;
    if (!credentialJson)
        reader.fail(QStringLiteral("credential"), QStringLiteral("is required"));
    else
        credential = readCredential(reader, *credentialJson, false);
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    auto ceremony = consumeCeremony(ctx, ceremonyId, kSignIn);
    if (!ceremony)
        return ctx.fail(ceremony.error());
    if (!ceremony->has_value()) {
        ctx.cloud.metrics.increment(QStringLiteral("stint_signins_total"), QStringLiteral("outcome=\"failure\""));
        return invalidCeremony();
    }
    const Ceremony& c = **ceremony;

    auto rows = ctx.cloud.db.query(QStringLiteral("SELECT c.id, c.person_id, c.org_id, c.public_key, c.sign_count,"
                                                  " c.aaguid, c.flagged, p.email, p.role, p.status"
                                                  " FROM credentials c JOIN people p ON p.id = c.person_id"
                                                  " WHERE c.credential_id = ?"),
                                   {credential->rawId});
    if (!rows)
        return ctx.fail(rows.error());
    if (rows->empty() || (!c.personId.isEmpty() && rows->front().text(1) != c.personId)) {
        ctx.cloud.metrics.increment(QStringLiteral("stint_signins_total"), QStringLiteral("outcome=\"failure\""));
        return signInRejected(QStringLiteral("This passkey is not registered with Stint."));
    }
    const store::Row& row = rows->front();
    const QString credentialRowId = row.text(0);
    const QString personId = row.text(1);
    const QString orgId = row.text(2);
    ctx.caller = Caller{personId, orgId, row.text(8), row.text(7), {}};
    AuditEvent failure = ctx.auditEvent(QStringLiteral("auth.signin"), QStringLiteral("failure"));
    failure.targetType = QStringLiteral("person");
    failure.targetId = personId;
    failure.details.insert(QStringLiteral("credentialId"), credentialRowId);
    // Failed attempts count against the account and, past the limit, are answered with 429 to slow guessing down.
    // A valid assertion is never refused for the count: it proves possession of the key, and refusing it would let
    // anyone who knows a credential id lock its owner out.
    const QString accountKey = QStringLiteral("acct:") + personId;
    auto reject = [&](const QString& reason, const ApiError& error) -> Reply {
        ctx.cloud.limiter.record(accountKey, ctx.cloud.config.signInWindowSeconds);
        failure.details.insert(QStringLiteral("reason"), reason);
        (void)ctx.audit(failure);
        ctx.cloud.metrics.increment(QStringLiteral("stint_signins_total"), QStringLiteral("outcome=\"failure\""));
        int retryAfter = 0;
        if (ctx.cloud.limiter.isLimited(accountKey, ctx.cloud.config.signInAttemptsPerAccount,
                                        ctx.cloud.config.signInWindowSeconds, &retryAfter)) {
            ctx.cloud.metrics.increment(QStringLiteral("stint_signin_rate_limited_total"), QStringLiteral("scope=\"account\""));
            return ApiError::tooManyRequests(retryAfter);
        }
        return error;
    };
    if (!credential->userHandle.isEmpty() && credential->userHandle != personId.toUtf8())
        return reject(QStringLiteral("user-handle-mismatch"), signInRejected());

    stint::authn::AssertionExpectation expect;
    expect.challenge = c.challenge;
    expect.rpId = ctx.cloud.rpId;
    expect.allowedOrigins = {ctx.cloud.origin};
    expect.publicKeyCose = row.blob(3);
    expect.storedSignCount = quint32(row.integer(4));
    auto verified = stint::authn::verifyAssertion(expect, credential->clientDataJson, credential->authenticatorData,
                                                  credential->signature);
    if (!verified)
        return reject(verified.error().code, ctx.fail(verified.error()));
    if (verified->signCountRegressed) {
        // A counter that goes backwards means two copies of one key exist. Flag the passkey for the admins.
        if (auto flagged = ctx.cloud.db.exec(QStringLiteral("UPDATE credentials SET flagged = 1 WHERE id = ?"),
                                             {credentialRowId});
            !flagged)
            return ctx.fail(flagged.error());
        failure.details.insert(QStringLiteral("storedSignCount"), qint64(expect.storedSignCount));
        failure.details.insert(QStringLiteral("signCount"), qint64(verified->signCount));
        if (!ctx.publish(EventHub::audienceAdmins(), QStringLiteral("credential.flagged"),
                         {{QStringLiteral("personId"), personId}, {QStringLiteral("credentialId"), credentialRowId}}))
            return ApiError::internal();
        ctx.cloud.events.flushPending();
        return reject(QStringLiteral("sign-count-regression"),
                      signInRejected(QStringLiteral("This passkey's signature counter went backwards, which suggests "
                                                    "a cloned authenticator. It has been flagged; ask your admin.")));
    }
    if (row.integer(6) != 0)
        return reject(QStringLiteral("credential-flagged"),
                      signInRejected(QStringLiteral("This passkey is flagged as possibly cloned; ask your admin.")));
    if (row.text(9) != QLatin1String("active"))
        return reject(QStringLiteral("person-disabled"),
                      ApiError::forbidden(QStringLiteral("Your account is disabled; ask your admin.")));
    if (auto refused = checkAuthenticatorPolicy(ctx, orgId, row.text(5)))
        return reject(QStringLiteral("authenticator-not-allowed"), *refused);

    store::Transaction tx(ctx.cloud.db);
    if (!tx.started().ok())
        return ApiError::internal();
    const TimeMs now = ctx.cloud.clock.now();
    auto touched = ctx.cloud.db.exec(QStringLiteral("UPDATE credentials SET sign_count = ?, backup_state = ?,"
                                                    " last_used_at = ? WHERE id = ?"),
                                     {qint64(verified->signCount), qint64(verified->backupState), now, credentialRowId});
    if (!touched)
        return ctx.fail(touched.error());
    auto person = directory::loadPerson(ctx.cloud.db, orgId, personId);
    if (!person || !person->has_value())
        return ApiError::internal();
    AuditEvent success = ctx.auditEvent(QStringLiteral("auth.signin"));
    success.targetType = QStringLiteral("person");
    success.targetId = personId;
    success.details.insert(QStringLiteral("credentialId"), credentialRowId);
    Reply reply = ApiError::internal();
    if (c.native) {
        // Native app hand-off: a one-time code for the app's loopback listener, redeemable with the PKCE verifier.
        const QString code = ids::newToken();
        auto stored = ctx.cloud.db.exec(QStringLiteral("INSERT INTO native_codes (code_hash, person_id, org_id,"
                                                       " code_challenge, redirect_uri, created_at, expires_at, used_at)"
                                                       " VALUES (?, ?, ?, ?, ?, ?, ?, NULL)"),
                                        {ids::tokenHash(code), personId, orgId, c.native->codeChallenge,
                                         c.native->redirectUri, now,
                                         now + qint64(ctx.cloud.config.nativeCodeTtlSeconds) * 1000});
        if (!stored)
            return ctx.fail(stored.error());
        QUrl redirect(c.native->redirectUri);
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("code"), code);
        q.addQueryItem(QStringLiteral("state"), QString::fromLatin1(QUrl::toPercentEncoding(c.native->state)));
        redirect.setQuery(q);
        success.details.insert(QStringLiteral("method"), QStringLiteral("native-handoff"));
        reply = HttpResponse::json(200, QJsonObject{{QStringLiteral("redirect"), redirect.toString(QUrl::FullyEncoded)},
                                                    {QStringLiteral("person"), (*person)->toJson()}});
    } else {
        auto session = ctx.cloud.sessions.create(personId, orgId, ctx.request.remoteAddress.toString(), userAgent(ctx));
        if (!session)
            return ctx.fail(session.error());
        success.details.insert(QStringLiteral("sessionId"), session->sessionId);
        reply = sessionResponse(*session, **person);
    }
    if (!ctx.audit(success))
        return ApiError::internal();
    if (auto committed = tx.commit(); !committed)
        return ctx.fail(committed.error());
    ctx.cloud.metrics.increment(QStringLiteral("stint_signins_total"), QStringLiteral("outcome=\"success\""));
    return reply;
}

Reply exchangeNativeCode(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString code = reader.requiredString(QStringLiteral("code"), 64);
    const QString verifier = reader.requiredString(QStringLiteral("codeVerifier"), 128, 43);
    const QString redirectUri = reader.requiredString(QStringLiteral("redirectUri"), 512);
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    const ApiError invalidGrant = ApiError::badRequest(QStringLiteral("invalid-grant"),
                                                       QStringLiteral("The code is unknown, used, expired, or does not "
                                                                      "match the verifier or redirect URI."));
    const TimeMs now = ctx.cloud.clock.now();
    // Consume first, on its own: a code is good for one exchange attempt, right or wrong.
    auto consumed = ctx.cloud.db.execCount(QStringLiteral("UPDATE native_codes SET used_at = ? WHERE code_hash = ?"
                                                          " AND used_at IS NULL AND expires_at > ?"),
                                           {now, ids::tokenHash(code), now});
    if (!consumed)
        return ctx.fail(consumed.error());
    if (*consumed == 0)
        return invalidGrant;
    auto rows = ctx.cloud.db.query(QStringLiteral("SELECT person_id, org_id, code_challenge, redirect_uri FROM native_codes"
                                                  " WHERE code_hash = ?"),
                                   {ids::tokenHash(code)});
    if (!rows || rows->empty())
        return ApiError::internal();
    const store::Row& r = rows->front();
    const QString expected = QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(verifier.toLatin1())));
    if (!crypto::constantTimeEquals(expected.toLatin1(), r.text(2).toLatin1()) || redirectUri != r.text(3))
        return invalidGrant;
    auto person = directory::loadPerson(ctx.cloud.db, r.text(1), r.text(0));
    if (!person || !person->has_value())
        return ApiError::internal();
    if ((*person)->status != QLatin1String("active"))
        return ApiError::forbidden(QStringLiteral("Your account is disabled; ask your admin."));
    store::Transaction tx(ctx.cloud.db);
    if (!tx.started().ok())
        return ApiError::internal();
    auto session = ctx.cloud.sessions.create(r.text(0), r.text(1), ctx.request.remoteAddress.toString(), userAgent(ctx));
    if (!session)
        return ctx.fail(session.error());
    ctx.caller = Caller{r.text(0), r.text(1), (*person)->role, (*person)->email, session->sessionId};
    AuditEvent e = ctx.auditEvent(QStringLiteral("auth.native_exchange"));
    e.targetType = QStringLiteral("session");
    e.targetId = session->sessionId;
    if (!ctx.audit(e))
        return ApiError::internal();
    if (auto committed = tx.commit(); !committed)
        return ctx.fail(committed.error());
    return sessionResponse(*session, **person);
}

Reply signOut(RequestContext& ctx)
{
    auto revoked = ctx.cloud.sessions.revoke(ctx.caller.sessionId, ctx.caller.orgId);
    if (!revoked)
        return ctx.fail(revoked.error());
    AuditEvent e = ctx.auditEvent(QStringLiteral("auth.signout"));
    e.targetType = QStringLiteral("session");
    e.targetId = ctx.caller.sessionId;
    if (!ctx.audit(e))
        return ApiError::internal();
    ctx.cloud.events.closeSessions({ctx.caller.sessionId});
    return HttpResponse::noContent();
}

} // namespace stint::cloud::api
