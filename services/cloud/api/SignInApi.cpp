// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/SignInApi.h"

#include "cloud/api/NativeHandoffApi.h"
#include "cloud/api/SessionReply.h"
#include "cloud/authn/CeremonyStore.h"
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
#include <QLoggingCategory>

#include <variant>

Q_LOGGING_CATEGORY(lcSignIn, "stint.cloud.api.signin")

namespace stint::cloud::api {

namespace {

constexpr int kCeremonyTimeoutMs = 300'000;
const QString kRegister = QStringLiteral("register");
const QString kAddCredential = QStringLiteral("add-credential");
const QString kSignIn = QStringLiteral("signin");
// The person a username-first ceremony is bound to when the address has no active account: matches no passkey.
constexpr auto kNoAccount = "per_none";

// A new ceremony for `purpose` lasting the configured challenge lifetime; returns its id.
Result<QString> startCeremony(RequestContext& ctx, const QString& purpose, const ceremonies::Ceremony& ceremony)
{
    const TimeMs now = ctx.cloud.clock.now();
    return ceremonies::create(ctx.cloud.db, purpose, ceremony, now,
                              now + qint64(ctx.cloud.config.challengeTtlSeconds) * 1000);
}

// Adding a passkey is a step-up: the session must come from a passkey ceremony (with user verification) this recent.
// A stolen session token alone must not let its holder plant a passkey of their own.
constexpr qint64 kFreshVerificationMs = 5 * 60'000;

ApiError verifyAgain()
{
    return {403, QStringLiteral("verification-required"), QStringLiteral("Verify again."),
            QStringLiteral("Adding a passkey needs a passkey check from the last %1 minutes: sign in again with a "
                           "passkey you have, then add the new one with that session.")
                .arg(kFreshVerificationMs / 60'000),
            {{QStringLiteral("verifyWithinSeconds"), kFreshVerificationMs / 1000}}};
}

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
    // PublicKeyCredential.toJSON() writes null for these when it has nothing to say.
    r.acceptNull(QStringLiteral("authenticatorAttachment"));
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
        rr.acceptNull(QStringLiteral("userHandle"));
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

// A ceremony's finish step: {ceremonyId, credential}, and for a registration an optional passkey name, read; and the
// ceremony consumed (nullopt when it was unknown, used or expired).
struct FinishRequest
{
    std::optional<ceremonies::Ceremony> ceremony;
    CredentialResponse credential;
    QString name; // registration only
};

std::variant<FinishRequest, ApiError> readFinishRequest(RequestContext& ctx, const QString& purpose)
{
    const bool registration = purpose != kSignIn;
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString ceremonyId = reader.requiredString(QStringLiteral("ceremonyId"), 64);
    const auto credentialJson = reader.optionalObject(QStringLiteral("credential"));
    FinishRequest request;
    if (registration)
        request.name = reader.optionalText(QStringLiteral("name"), 100, 1).value_or(QStringLiteral("Passkey"));
    std::optional<CredentialResponse> credential;
    if (!credentialJson)
        reader.fail(QStringLiteral("credential"), QStringLiteral("is required"));
    else
        credential = readCredential(reader, *credentialJson, registration);
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    auto ceremony = ceremonies::consume(ctx.cloud.db, ceremonyId, purpose, ctx.cloud.clock.now());
    if (!ceremony)
        return ctx.fail(ceremony.error());
    request.ceremony = *ceremony;
    request.credential = *credential;
    return request;
}

// Reads {ceremonyId, credential, name?} and verifies the registration against the consumed ceremony.
struct VerifiedRegistration
{
    ceremonies::Ceremony ceremony;
    stint::authn::RegisteredCredential credential;
    QString name;
};

std::variant<VerifiedRegistration, ApiError> verifyRegistrationRequest(RequestContext& ctx, const QString& purpose,
                                                                       AuditEvent failure)
{
    auto read = readFinishRequest(ctx, purpose);
    if (auto* e = std::get_if<ApiError>(&read))
        return *e;
    const FinishRequest& request = std::get<FinishRequest>(read);
    if (!request.ceremony)
        return invalidCeremony();
    const CredentialResponse& credential = request.credential;
    stint::authn::RegistrationExpectation expect;
    expect.challenge = request.ceremony->challenge;
    expect.rpId = ctx.cloud.rpId;
    expect.allowedOrigins = {ctx.cloud.origin};
    auto verified = stint::authn::verifyRegistration(expect, credential.clientDataJson, credential.attestationObject);
    if (!verified) {
        failure.outcome = QStringLiteral("failure");
        failure.details.insert(QStringLiteral("reason"), verified.error().code);
        if (!failure.orgId.isEmpty())
            ctx.auditAfterRollback(failure);
        return ctx.fail(verified.error());
    }
    if (verified->credentialId != credential.rawId)
        return ApiError::badRequest(QStringLiteral("webauthn-rejected"),
                                    QStringLiteral("The credential id does not match the attested one."));
    return VerifiedRegistration{*request.ceremony, *verified, request.name};
}

// Records the verified passkey; returns its id (crd_…). A passkey registered before is 409 credential-exists.
std::variant<QString, ApiError> addPasskey(RequestContext& ctx, const QString& orgId, const QString& personId,
                                           const VerifiedRegistration& v)
{
    auto added = directory::insertPasskey(ctx.cloud.db, orgId, personId, v.credential, v.name, ctx.cloud.clock.now());
    if (!added) {
        if (added.error().code == QLatin1String("store.constraint"))
            return ApiError::conflict(QStringLiteral("credential-exists"),
                                      QStringLiteral("This passkey is already registered."));
        return ctx.fail(added.error());
    }
    return *added;
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

// The authenticator policy for a passkey being registered: a refusal is audited as `failure` (after the rollback).
std::optional<ApiError> refuseAuthenticator(RequestContext& ctx, const QString& orgId, const QString& aaguid,
                                            AuditEvent failure)
{
    auto refused = checkAuthenticatorPolicy(ctx, orgId, aaguid);
    if (!refused)
        return std::nullopt;
    failure.orgId = orgId;
    failure.details.insert(QStringLiteral("reason"), QStringLiteral("authenticator-not-allowed"));
    failure.details.insert(QStringLiteral("aaguid"), aaguid);
    ctx.auditAfterRollback(failure);
    return refused;
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
        auto ids = directory::passkeyIdsOf(ctx.cloud.db, personId);
        if (!ids)
            return ctx.fail(ids.error());
        exclude = *ids;
    }
    const QByteArray challenge = crypto::randomBytes(32);
    auto ceremonyId = startCeremony(ctx, kRegister, {challenge, personId, inv.id, std::nullopt});
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

    auto invite = directory::loadInviteTerms(ctx.cloud.db, v.ceremony.inviteId);
    if (!invite || !invite->has_value())
        return ApiError::internal();
    const directory::InviteTerms& inv = **invite;
    const QString orgId = inv.orgId;
    const QString aaguid = stint::authn::aaguidString(v.credential.aaguid);
    if (auto refused = refuseAuthenticator(ctx, orgId, aaguid, failure))
        return *refused;

    store::Transaction tx(ctx.cloud.db);
    if (!tx.started().ok())
        return ApiError::internal();
    const TimeMs now = ctx.cloud.clock.now();
    auto used = directory::useInvite(ctx.cloud.db, v.ceremony.inviteId, now);
    if (!used)
        return ctx.fail(used.error());
    if (!*used)
        return ApiError::badRequest(QStringLiteral("invite-invalid"),
                                    QStringLiteral("The invite was used, revoked or expired meanwhile."));
    auto person = directory::loadPerson(ctx.cloud.db, orgId, v.ceremony.personId);
    if (!person)
        return ctx.fail(person.error());
    if (!person->has_value()) {
        models::Person enrolling;
        enrolling.id = v.ceremony.personId;
        enrolling.orgId = orgId;
        enrolling.email = inv.email;
        enrolling.displayName = inv.displayName;
        enrolling.role = inv.role;
        enrolling.status = QStringLiteral("active");
        if (auto inserted = directory::insertPerson(ctx.cloud.db, enrolling, now); !inserted) {
            if (inserted.error().code == QLatin1String("store.constraint"))
                return ApiError::conflict(QStringLiteral("person-exists"),
                                          QStringLiteral("Someone with this email already has an account."));
            return ctx.fail(inserted.error());
        }
        person = directory::loadPerson(ctx.cloud.db, orgId, v.ceremony.personId);
        if (!person || !person->has_value())
            return ApiError::internal();
    }
    auto added = addPasskey(ctx, orgId, v.ceremony.personId, v);
    if (auto* error = std::get_if<ApiError>(&added))
        return *error;
    const QString credentialRowId = std::get<QString>(added);
    auto session = openSession(ctx, v.ceremony.personId, orgId);
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
    return sessionReply(*session, **person);
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
    if (ctx.cloud.clock.now() - ctx.caller.verifiedAt > kFreshVerificationMs)
        return verifyAgain();
    auto person = directory::loadPerson(ctx.cloud.db, ctx.caller.orgId, ctx.caller.personId);
    if (!person || !person->has_value())
        return ApiError::internal();
    auto exclude = directory::passkeyIdsOf(ctx.cloud.db, ctx.caller.personId);
    if (!exclude)
        return ctx.fail(exclude.error());
    const QByteArray challenge = crypto::randomBytes(32);
    auto ceremonyId = startCeremony(ctx, kAddCredential, {challenge, ctx.caller.personId, {}, std::nullopt});
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
    const QString aaguid = stint::authn::aaguidString(v.credential.aaguid);
    if (auto refused = refuseAuthenticator(ctx, ctx.caller.orgId, aaguid, failure))
        return *refused;
    store::Transaction tx(ctx.cloud.db);
    if (!tx.started().ok())
        return ApiError::internal();
    auto added = addPasskey(ctx, ctx.caller.orgId, ctx.caller.personId, v);
    if (auto* error = std::get_if<ApiError>(&added))
        return *error;
    const QString credentialRowId = std::get<QString>(added);
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
    std::optional<ceremonies::NativeRequest> native;
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

    // Username-first sign-in names no credentials: every passkey is discoverable (residentKey "required" at
    // registration), so the answer can be the same for every address, known or not: same members, same empty
    // allowCredentials, same size, and the same one look-up on the way. The address only binds the ceremony: its
    // finish accepts a passkey of that account and no other, and a passkey of another account (or any, for an address
    // without one) gets the same refusal. Made-up credential ids could not do this: their number and lengths would
    // differ from a real account's.
    QString personId;
    if (email) {
        // No per-account count here: a look-up proves nothing, and counting it would let anyone who knows an address
        // spend its owner's allowance. The per-address limit applies.
        auto person = directory::findPersonByEmail(ctx.cloud.db, *email);
        if (!person)
            return ctx.fail(person.error());
        personId = person->has_value() && (*person)->status == QLatin1String("active") ? (*person)->id
                                                                                        : QString::fromLatin1(kNoAccount);
    }
    const QByteArray challenge = crypto::randomBytes(32);
    auto ceremonyId = startCeremony(ctx, kSignIn, {challenge, personId, {}, native});
    if (!ceremonyId)
        return ctx.fail(ceremonyId.error());
    QJsonObject options{{QStringLiteral("challenge"), b64(challenge)},
                        {QStringLiteral("rpId"), ctx.cloud.rpId},
                        {QStringLiteral("timeout"), kCeremonyTimeoutMs},
                        {QStringLiteral("userVerification"), QStringLiteral("required")},
                        {QStringLiteral("allowCredentials"), QJsonArray()}};
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("ceremonyId"), *ceremonyId}, {QStringLiteral("publicKey"), options}});
}

Reply finishSignIn(RequestContext& ctx)
{
    auto read = readFinishRequest(ctx, kSignIn);
    if (auto* e = std::get_if<ApiError>(&read))
        return *e;
    const FinishRequest& request = std::get<FinishRequest>(read);
    if (!request.ceremony) {
        ctx.cloud.metrics.increment(QStringLiteral("stint_signins_total"), QStringLiteral("outcome=\"failure\""));
        return invalidCeremony();
    }
    const ceremonies::Ceremony& c = *request.ceremony;
    const CredentialResponse& credential = request.credential;

    auto found = directory::findPasskey(ctx.cloud.db, credential.rawId);
    if (!found)
        return ctx.fail(found.error());
    if (!found->has_value() || (!c.personId.isEmpty() && (*found)->personId != c.personId)) {
        ctx.cloud.metrics.increment(QStringLiteral("stint_signins_total"), QStringLiteral("outcome=\"failure\""));
        return signInRejected(QStringLiteral("This passkey is not registered with Stint."));
    }
    const directory::PasskeyForSignIn& passkey = **found;
    const QString credentialRowId = passkey.id;
    const QString personId = passkey.personId;
    const QString orgId = passkey.orgId;
    ctx.caller = Caller{personId, orgId, passkey.role, passkey.email, {}};
    AuditEvent failure = ctx.auditEvent(QStringLiteral("auth.signin"), QStringLiteral("failure"));
    failure.targetType = QStringLiteral("person");
    failure.targetId = personId;
    failure.details.insert(QStringLiteral("credentialId"), credentialRowId);
    // Failed attempts count against the account and, past the limit, are answered with 429 to slow guessing down.
    // A valid assertion is never refused for the count: it proves possession of the key, and refusing it would let
    // anyone who knows a credential id lock its owner out.
    auto reject = [&](const QString& reason, const ApiError& error) -> Reply {
        ctx.cloud.limiter.recordAccountFailure(personId, ctx.cloud.config.signInAttemptsPerAccount,
                                               ctx.cloud.config.signInWindowSeconds);
        failure.details.insert(QStringLiteral("reason"), reason);
        (void)ctx.audit(failure);
        ctx.cloud.metrics.increment(QStringLiteral("stint_signins_total"), QStringLiteral("outcome=\"failure\""));
        int retryAfter = 0;
        if (ctx.cloud.limiter.isAccountLimited(personId, ctx.cloud.config.signInAttemptsPerAccount,
                                               ctx.cloud.config.signInWindowSeconds, &retryAfter)) {
            ctx.cloud.metrics.increment(QStringLiteral("stint_signin_rate_limited_total"), QStringLiteral("scope=\"account\""));
            return ApiError::tooManyRequests(retryAfter);
        }
        return error;
    };
    if (!credential.userHandle.isEmpty() && credential.userHandle != personId.toUtf8())
        return reject(QStringLiteral("user-handle-mismatch"), signInRejected());

    stint::authn::AssertionExpectation expect;
    expect.challenge = c.challenge;
    expect.rpId = ctx.cloud.rpId;
    expect.allowedOrigins = {ctx.cloud.origin};
    expect.publicKeyCose = passkey.publicKeyCose;
    expect.storedSignCount = passkey.signCount;
    auto verified = stint::authn::verifyAssertion(expect, credential.clientDataJson, credential.authenticatorData,
                                                  credential.signature);
    if (!verified)
        return reject(verified.error().code, ctx.fail(verified.error()));
    if (verified->signCountRegressed) {
        // A counter that goes backwards means two copies of one key exist. Flag the passkey for the admins.
        if (auto flagged = directory::flagPasskey(ctx.cloud.db, credentialRowId); !flagged)
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
    if (passkey.flagged)
        return reject(QStringLiteral("credential-flagged"),
                      signInRejected(QStringLiteral("This passkey is flagged as possibly cloned; ask your admin.")));
    if (passkey.status != QLatin1String("active"))
        return reject(QStringLiteral("person-disabled"),
                      ApiError::forbidden(QStringLiteral("Your account is disabled; ask your admin.")));
    if (auto refused = checkAuthenticatorPolicy(ctx, orgId, passkey.aaguid))
        return reject(QStringLiteral("authenticator-not-allowed"), *refused);

    store::Transaction tx(ctx.cloud.db);
    if (!tx.started().ok())
        return ApiError::internal();
    auto touched = directory::recordPasskeyUse(ctx.cloud.db, credentialRowId, verified->signCount,
                                               verified->backupState, ctx.cloud.clock.now());
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
        auto redirect = handOffRedirect(ctx, personId, orgId, *c.native);
        if (!redirect)
            return ctx.fail(redirect.error());
        success.details.insert(QStringLiteral("method"), QStringLiteral("native-handoff"));
        reply = HttpResponse::json(200, QJsonObject{{QStringLiteral("redirect"), *redirect},
                                                    {QStringLiteral("person"), (*person)->toJson()}});
    } else {
        auto session = openSession(ctx, personId, orgId);
        if (!session)
            return ctx.fail(session.error());
        success.details.insert(QStringLiteral("sessionId"), session->sessionId);
        reply = sessionReply(*session, **person);
    }
    if (!ctx.audit(success))
        return ApiError::internal();
    if (auto committed = tx.commit(); !committed)
        return ctx.fail(committed.error());
    ctx.cloud.metrics.increment(QStringLiteral("stint_signins_total"), QStringLiteral("outcome=\"success\""));
    return reply;
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
