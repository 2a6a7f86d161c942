// SPDX-License-Identifier: GPL-3.0-or-later
// The interactive half of the identity side: GET authorize and admin consent (v2 and v1) start a sign-in flow; the
// pages post each step back to POST /{tenant}/login with the flow's opaque `ctx`:
//   username → password | Temporary Access Pass → "Stay signed in?" → [consent] → redirect to the app.
// Errors the app can be told about go to its redirect_uri; errors before the redirect_uri is trusted (unknown app,
// unregistered redirect URI) are shown on a page, as Entra does.
#include "IdentityEndpoints.h"
#include "IdentityPages.h"
#include "Simulator.h"
#include "core/Crypto.h"

namespace stint::entrasim {

namespace {

constexpr qsizetype kMaxLoginBody = 16 * 1024;
constexpr auto kSessionCookie = "ESTSAUTH";
constexpr auto kPersistentCookie = "ESTSAUTHPERSISTENT";

QString opaque(int bytes)
{
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(bytes)));
}

const QString kTitle = QStringLiteral("Sign in to your account");

// Page texts as Microsoft's sign-in page shows them.
const QString kEnterUsername = QStringLiteral("Enter a valid email address, phone number, or Skype name.");
const QString kUnknownUser = QStringLiteral("This username may be incorrect. Make sure you typed it correctly. "
                                            "Otherwise, contact your admin.");
const QString kEnterPassword = QStringLiteral("Please enter your password.");
const QString kWrongPassword = QStringLiteral("Your account or password is incorrect. If you don't remember your "
                                              "password, reset it now.");
const QString kDisabled = QStringLiteral("Your account has been disabled. Contact your administrator.");
const QString kEnterPass = QStringLiteral("Please enter your Temporary Access Pass.");
const QString kWrongPass = QStringLiteral("The Temporary Access Pass is incorrect, expired, or has already been used.");
const QString kPassBlocked = QStringLiteral("Temporary Access Pass sign in was blocked due to User Credential Policy.");

QString cookieValue(const SimRequest& request, const QByteArray& name)
{
    for (const auto& [header, value] : request.headers) {
        if (header.compare("Cookie", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray& part : value.split(';')) {
            const QByteArray item = part.trimmed();
            if (item.startsWith(name + '='))
                return QString::fromLatin1(item.mid(name.size() + 1));
        }
    }
    return {};
}

} // namespace

// ---- shared helpers -------------------------------------------------------------------------------------------------

const BrowserSession* IdentityEndpoints::session(const SimRequest& request)
{
    for (const char* name : {kPersistentCookie, kSessionCookie}) {
        const QString value = cookieValue(request, name);
        auto it = m_memory.sessions.constFind(value);
        if (value.isEmpty() || it == m_memory.sessions.constEnd())
            continue;
        // A session ends when the account goes away or is disabled, and when its sessions are revoked
        // (revokeSignInSessions moves signInSessionsValidFrom past it).
        const SimUser* user = m_simulator.state().user(it->tenantId, it->userId);
        if (user && user->accountEnabled && it->createdAt >= user->signInSessionsValidFrom)
            return &*it;
    }
    return nullptr;
}

SimUser* IdentityEndpoints::findUser(const SignInFlow& flow, const QString& upn, QString* tenantId)
{
    SimState& state = m_simulator.state();
    if (upn.isEmpty() || upn.size() > 113)
        return nullptr;
    SimTenant* tenant = nullptr;
    if (!isAuthorityAlias(flow.tenantSegment)) {
        tenant = state.tenant(flow.tenantSegment);
    } else {
        const qsizetype at = upn.lastIndexOf(QLatin1Char('@'));
        tenant = at > 0 ? state.tenant(upn.mid(at + 1)) : nullptr;
    }
    SimUser* user = tenant ? state.userByUpn(tenant->id, upn) : nullptr;
    if (user)
        *tenantId = tenant->id;
    return user;
}

bool IdentityEndpoints::temporaryAccessPassStep(const SimUser& user, const QString& tenantId) const
{
    // Offered when the pass can be used now, and always to a user who has no password (then it is the only way in,
    // and a spent pass fails there).
    if (!user.tap)
        return false;
    if (user.passwordHash.isEmpty())
        return true;
    const SimTenant* tenant = m_simulator.state().tenant(tenantId);
    const SimTemporaryAccessPass& tap = *user.tap;
    const TimeMs t = now();
    return tenant && tenant->tapPolicy.enabled && !(tap.isUsableOnce && tap.used) && t >= tap.start && t < tap.end();
}

SimResponse IdentityEndpoints::redirectWith(const SignInFlow& flow, const QList<QPair<QString, QString>>& params)
{
    QUrl target = redirectTarget(flow.redirectUri);
    if (flow.responseMode == QLatin1String("form_post"))
        return IdentityPages::formPost(target, params);
    const QString encoded = QString::fromLatin1(encodeForm(params));
    if (flow.responseMode == QLatin1String("fragment")) {
        target.setFragment(encoded, QUrl::StrictMode);
    } else {
        const QString existing = target.query(QUrl::FullyEncoded);
        target.setQuery(existing.isEmpty() ? encoded : existing + QLatin1Char('&') + encoded, QUrl::StrictMode);
    }
    SimResponse response = SimResponse::redirect(target);
    response.setHeader("Cache-Control", "no-store, no-cache");
    return response;
}

SimResponse IdentityEndpoints::redirectWithError(const SignInFlow& flow, const AadError& error, const AadTrace& trace)
{
    QList<QPair<QString, QString>> params;
    if (flow.kind == FlowKind::AdminConsentV2)
        params << qMakePair(QStringLiteral("admin_consent"), QStringLiteral("True"));
    params << qMakePair(QStringLiteral("error"), error.error);
    // The v1 endpoint's documented error is plain text without an AADSTS prefix ("The admin canceled the request").
    params << qMakePair(QStringLiteral("error_description"),
                        flow.kind == FlowKind::AdminConsentV1 && error.code == 0 ? error.message
                                                                                 : aadDescription(error, trace));
    if (!flow.state.isEmpty())
        params << qMakePair(QStringLiteral("state"), flow.state);
    // `flow` may live in m_memory.flows: copy it before forgetting it.
    const SignInFlow done = flow;
    m_memory.flows.remove(done.ctx);
    return redirectWith(done, params);
}

// ---- GET authorize / adminconsent
// -------------------------------------------------------------------------------------

SimResponse IdentityEndpoints::authorize(const SimRequest& request, const QString& tenantSegment, const AadTrace& trace)
{
    SimState& state = m_simulator.state();
    const auto query = parseForm(request.query.query(QUrl::FullyEncoded).toLatin1());
    if (!query)
        return IdentityPages::errorPage(aad::malformedRequest(), trace);
    const auto param = [&](const char* name) { return formValue(*query, QString::fromLatin1(name)); };

    const SimTenant* tenant = nullptr;
    if (tenantSegment.compare(QLatin1String("consumers"), Qt::CaseInsensitive) == 0)
        // The simulator has no personal Microsoft accounts.
        return IdentityPages::errorPage(aad::tenantNotFound(tenantSegment), trace);
    if (!isAuthorityAlias(tenantSegment) && !(tenant = state.tenant(tenantSegment)))
        return IdentityPages::errorPage(aad::tenantNotFound(tenantSegment.left(256)), trace);

    const QString clientId = param("client_id");
    if (clientId.isEmpty())
        return IdentityPages::errorPage(aad::missingParameter(QStringLiteral("client_id")), trace);
    const SimApp* app = state.app(clientId);
    if (!app || (tenant && !app->multiTenant && app->homeTenantId != tenant->id))
        return IdentityPages::errorPage(
            aad::applicationNotFound(clientId.left(64), tenant ? tenant->displayName : tenantSegment), trace);
    const QString redirectUri = param("redirect_uri");
    if (redirectUri.isEmpty())
        return IdentityPages::errorPage(aad::missingParameter(QStringLiteral("redirect_uri")), trace);
    if (!isAcceptableRedirectUri(redirectUri))
        return IdentityPages::errorPage(aad::invalidRedirectUri(redirectUri.left(256)), trace);
    if (!matchRedirectUri(redirectUri, app->redirectUris, RedirectMatch::Exact))
        return IdentityPages::errorPage(aad::replyUrlNotRegistered(redirectUri.left(256), app->clientId), trace);

    // From here on the redirect URI is trusted: errors go back to the app.
    SignInFlow flow;
    flow.ctx = opaque(32);
    flow.kind = FlowKind::Authorize;
    flow.tenantSegment = tenantSegment;
    flow.clientId = app->clientId;
    flow.redirectUri = redirectUri;
    flow.state = param("state");
    flow.scope = param("scope");
    flow.nonce = param("nonce");
    flow.prompt = param("prompt");
    flow.loginHint = param("login_hint");
    flow.createdAt = trace.now;
    flow.expiresAt = trace.now + IdentityMemory::kFlowLifetimeMs;
    const QString responseMode = param("response_mode");
    if (!responseMode.isEmpty() && responseMode != QLatin1String("query") && responseMode != QLatin1String("fragment")
        && responseMode != QLatin1String("form_post"))
        return redirectWithError(flow, aad::unsupportedResponseMode(responseMode.left(32)), trace);
    if (!responseMode.isEmpty())
        flow.responseMode = responseMode;
    const QString responseType = param("response_type");
    if (responseType != QLatin1String("code"))
        return redirectWithError(flow, aad::unsupportedResponseType(responseType.left(32)), trace);
    if (splitScopes(flow.scope).isEmpty())
        return redirectWithError(flow, aad::missingParameter(QStringLiteral("scope")), trace);
    const QString challenge = param("code_challenge");
    if (!challenge.isEmpty()) {
        flow.codeChallengeMethod = parsePkceMethod(param("code_challenge_method"));
        if (!flow.codeChallengeMethod)
            return redirectWithError(flow, aad::invalidCodeChallengeMethod(), trace);
        if (!isValidPkceString(challenge))
            return redirectWithError(flow, aad::invalidCodeChallenge(), trace);
        flow.codeChallenge = challenge;
    }
    static const QStringList prompts {QString(), QStringLiteral("none"), QStringLiteral("login"),
                                      QStringLiteral("consent"), QStringLiteral("select_account")};
    if (!prompts.contains(flow.prompt))
        return redirectWithError(
            flow,
            {QStringLiteral("invalid_request"), 90023,
             QStringLiteral("Invalid value for the 'prompt' parameter: '%1'.").arg(flow.prompt.left(32))},
            trace);
    if (m_memory.full())
        return IdentityPages::errorPage({QStringLiteral("temporarily_unavailable"), 90033,
                                         QStringLiteral("A transient error has occurred. Please try again."), 503},
                                        trace);

    // Single sign-on: a live session of a user who may sign in here skips the pages unless a prompt asks for them.
    const BrowserSession* existing = session(request);
    if (existing && tenant && existing->tenantId != tenant->id)
        existing = nullptr;
    if (flow.prompt == QLatin1String("none") && !existing)
        return redirectWithError(flow, aad::loginRequired(), trace);
    if (existing && (flow.prompt.isEmpty() || flow.prompt == QLatin1String("none"))) {
        const SimUser* user = state.user(existing->tenantId, existing->userId);
        flow.userTenantId = existing->tenantId;
        flow.userId = existing->userId;
        flow.upn = user->userPrincipalName;
        m_memory.flows.insert(flow.ctx, flow);
        return finish(m_memory.flows[flow.ctx], trace, {});
    }
    m_memory.flows.insert(flow.ctx, flow);
    return showStep(flow);
}

SimResponse IdentityEndpoints::adminConsent(const SimRequest& request, const QString& tenantSegment, FlowKind kind,
                                            const AadTrace& trace)
{
    SimState& state = m_simulator.state();
    const auto query = parseForm(request.query.query(QUrl::FullyEncoded).toLatin1());
    if (!query)
        return IdentityPages::errorPage(aad::malformedRequest(), trace);
    const auto param = [&](const char* name) { return formValue(*query, QString::fromLatin1(name)); };

    const SimTenant* tenant = nullptr;
    if (tenantSegment.compare(QLatin1String("consumers"), Qt::CaseInsensitive) == 0)
        return IdentityPages::errorPage(aad::tenantNotFound(tenantSegment), trace);
    if (!isAuthorityAlias(tenantSegment) && !(tenant = state.tenant(tenantSegment)))
        return IdentityPages::errorPage(aad::tenantNotFound(tenantSegment.left(256)), trace);

    const QString clientId = param("client_id");
    if (clientId.isEmpty())
        return IdentityPages::errorPage(aad::missingParameter(QStringLiteral("client_id")), trace);
    const SimApp* app = state.app(clientId);
    if (!app || (tenant && !app->multiTenant && app->homeTenantId != tenant->id))
        return IdentityPages::errorPage(
            aad::applicationNotFound(clientId.left(64), tenant ? tenant->displayName : tenantSegment), trace);

    QString redirectUri = param("redirect_uri");
    const RedirectMatch rule
        = kind == FlowKind::AdminConsentV1 ? RedirectMatch::AllowExtraPathSegments : RedirectMatch::Exact;
    if (redirectUri.isEmpty()) {
        // v2 requires it (v2-admin-consent.md); the v1 endpoint falls back to the app's registered reply URL.
        if (kind == FlowKind::AdminConsentV2 || app->redirectUris.isEmpty())
            return IdentityPages::errorPage(aad::missingParameter(QStringLiteral("redirect_uri")), trace);
        redirectUri = app->redirectUris.first();
    }
    if (!isAcceptableRedirectUri(redirectUri))
        return IdentityPages::errorPage(aad::invalidRedirectUri(redirectUri.left(256)), trace);
    if (!matchRedirectUri(redirectUri, app->redirectUris, rule))
        return IdentityPages::errorPage(aad::replyUrlNotRegistered(redirectUri.left(256), app->clientId), trace);

    SignInFlow flow;
    flow.ctx = opaque(32);
    flow.kind = kind;
    flow.tenantSegment = tenantSegment;
    flow.clientId = app->clientId;
    flow.redirectUri = redirectUri;
    flow.state = param("state");
    flow.scope = param("scope");
    flow.loginHint = param("login_hint");
    flow.createdAt = trace.now;
    flow.expiresAt = trace.now + IdentityMemory::kFlowLifetimeMs;
    if (kind == FlowKind::AdminConsentV2 && splitScopes(flow.scope).isEmpty())
        return redirectWithError(flow, aad::missingParameter(QStringLiteral("scope")), trace);
    if (m_memory.full())
        return IdentityPages::errorPage({QStringLiteral("temporarily_unavailable"), 90033,
                                         QStringLiteral("A transient error has occurred. Please try again."), 503},
                                        trace);
    m_memory.flows.insert(flow.ctx, flow);
    return showStep(flow);
}

// ---- the pages
// ---------------------------------------------------------------------------------------------------------

SimResponse IdentityEndpoints::showStep(const SignInFlow& flow, const QString& errorHtml)
{
    const SimApp* app = m_simulator.state().app(flow.clientId);
    const QString appName = app ? app->displayName : flow.clientId;
    QHash<QString, QString> values {
        {QStringLiteral("action"),
         QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(flow.tenantSegment))
             + QStringLiteral("/login")},
        {QStringLiteral("ctx"), flow.ctx},
        {QStringLiteral("upn"), flow.upn},
        {QStringLiteral("error_html"), errorHtml},
    };
    const QString formTarget = IdentityPages::origin(redirectTarget(flow.redirectUri));
    switch (flow.step) {
    case FlowStep::Username:
        values.insert(QStringLiteral("loginHint"), flow.loginHint.left(113));
        values.insert(QStringLiteral("subtitle"), QStringLiteral("to continue to %1").arg(appName));
        return IdentityPages::page(200, kTitle, QStringLiteral("username"), QStringLiteral("username.html"), values,
                                   formTarget);
    case FlowStep::Password:
        values.insert(QStringLiteral("forgotUrl"), QStringLiteral("https://passwordreset.microsoftonline.com/"));
        return IdentityPages::page(200, kTitle, QStringLiteral("password"), QStringLiteral("password.html"), values,
                                   formTarget);
    case FlowStep::TemporaryAccessPass: {
        const SimUser* user = m_simulator.state().user(flow.userTenantId, flow.userId);
        if (user && !user->passwordHash.isEmpty())
            values.insert(QStringLiteral("switch_html"),
                          QStringLiteral("        <a href=\"#\" id=\"idA_UsePassword\" role=\"link\" "
                                         "data-sim-action=\"use-password\">Use your password instead</a>"));
        return IdentityPages::page(200, kTitle, QStringLiteral("tap"), QStringLiteral("tap.html"), values, formTarget);
    }
    case FlowStep::StaySignedIn:
        return IdentityPages::page(200, kTitle, QStringLiteral("kmsi"), QStringLiteral("kmsi.html"), values,
                                   formTarget);
    case FlowStep::Consent: {
        QStringList permissions;
        const bool adminConsent = flow.kind != FlowKind::Authorize;
        const QStringList scopes = splitScopes(flow.scope);
        const bool isDefault = std::any_of(scopes.begin(), scopes.end(),
                                           [](const QString& s) { return s.endsWith(QLatin1String("/.default")); });
        if (flow.kind == FlowKind::AdminConsentV1 || isDefault) {
            if (app)
                permissions = app->requiredPermissions;
        } else {
            for (const QString& s : scopes)
                permissions << s.mid(s.lastIndexOf(QLatin1Char('/')) + 1);
        }
        QString items;
        for (const QString& p : permissions)
            items += QStringLiteral("        <li class=\"permission\">%1</li>\n").arg(IdentityPages::escape(p));
        if (permissions.isEmpty())
            items = QStringLiteral("        <li class=\"permission\">Sign you in and read your profile</li>\n");
        values.insert(QStringLiteral("appName"), appName);
        values.insert(QStringLiteral("appPublisher"), QStringLiteral("unverified"));
        values.insert(QStringLiteral("permissions_html"), items);
        values.insert(QStringLiteral("scopeNote"),
                      adminConsent ? QStringLiteral("Consent on behalf of your organization") : QString());
        return IdentityPages::page(200, QStringLiteral("Permissions requested"), QStringLiteral("consent"),
                                   QStringLiteral("consent.html"), values, formTarget);
    }
    }
    return IdentityPages::errorPage(aad::malformedRequest(), AadTrace::make({}, now()));
}

SimResponse IdentityEndpoints::loginPost(const SimRequest& request, const QString& tenantSegment, const AadTrace& trace)
{
    Q_UNUSED(tenantSegment) // the flow remembers its own
    if (request.body.size() > kMaxLoginBody)
        return IdentityPages::errorPage(aad::requestTooLarge(), trace);
    if (!request.header("Content-Type").trimmed().toLower().startsWith("application/x-www-form-urlencoded"))
        return IdentityPages::errorPage(aad::malformedRequest(), trace);
    auto form = parseForm(request.body);
    if (!form)
        return IdentityPages::errorPage(aad::malformedRequest(), trace);
    const FormWiper wiper(*form);
    auto it = m_memory.flows.find(formValue(*form, QStringLiteral("ctx")));
    if (it == m_memory.flows.end() || it->expiresAt <= trace.now)
        return IdentityPages::errorPage({QStringLiteral("invalid_request"), 50089,
                                         QStringLiteral("Authentication failed due to flow token expired. Please "
                                                        "sign in again from the start.")},
                                        trace);
    SignInFlow& flow = *it;
    SimState& state = m_simulator.state();
    const QString action = formValue(*form, QStringLiteral("sim_action"));

    switch (flow.step) {
    case FlowStep::Username: {
        const QString upn = formValue(*form, QStringLiteral("loginfmt")).trimmed();
        if (upn.isEmpty())
            return showStep(flow, IdentityPages::errorBlock(QStringLiteral("usernameError"), 0, kEnterUsername));
        QString tenantId;
        const SimUser* user = findUser(flow, upn, &tenantId);
        if (!user) {
            flow.loginHint = upn.left(113);
            return showStep(flow, IdentityPages::errorBlock(QStringLiteral("usernameError"), 50034, kUnknownUser));
        }
        flow.userTenantId = tenantId;
        flow.userId = user->id;
        flow.upn = user->userPrincipalName;
        flow.step = temporaryAccessPassStep(*user, tenantId) ? FlowStep::TemporaryAccessPass : FlowStep::Password;
        return showStep(flow);
    }
    case FlowStep::Password:
    case FlowStep::TemporaryAccessPass: {
        if (action == QLatin1String("back")) {
            flow.loginHint = flow.upn;
            flow.step = FlowStep::Username;
            return showStep(flow);
        }
        SimUser* user = state.user(flow.userTenantId, flow.userId);
        if (!user) {
            flow.step = FlowStep::Username;
            return showStep(flow, IdentityPages::errorBlock(QStringLiteral("usernameError"), 50034, kUnknownUser));
        }
        if (flow.step == FlowStep::TemporaryAccessPass && action == QLatin1String("use-password")
            && !user->passwordHash.isEmpty()) {
            flow.step = FlowStep::Password;
            return showStep(flow);
        }
        const auto fail = [&](int code, const QString& text) {
            return showStep(flow, IdentityPages::errorBlock(QStringLiteral("passwordError"), code, text));
        };
        if (flow.step == FlowStep::Password) {
            const QString password = formValue(*form, QStringLiteral("passwd"));
            if (password.isEmpty())
                return fail(0, kEnterPassword);
            const bool ok = !user->passwordHash.isEmpty() && state.checkPassword(*user, password);
            if (!ok)
                return fail(50126, kWrongPassword);
            if (!user->accountEnabled)
                return fail(50057, kDisabled);
        } else {
            const QString pass = formValue(*form, QStringLiteral("accesspass"));
            if (pass.isEmpty())
                return fail(0, kEnterPass);
            // A disabled account is refused before the pass is looked at, so that a one-time pass is not spent.
            if (!user->accountEnabled)
                return fail(50057, kDisabled);
            const SimTenant* tenant = state.tenant(flow.userTenantId);
            if (!tenant || !tenant->tapPolicy.enabled)
                return fail(50126, kPassBlocked);
            const bool ok = state.redeemTemporaryAccessPass(*user, pass, trace.now);
            if (!ok)
                return fail(50126, kWrongPass);
        }
        return afterCredential(flow, trace);
    }
    case FlowStep::StaySignedIn: {
        flow.staySignedIn = action != QLatin1String("kmsi-no");
        const QString value = opaque(32);
        m_memory.sessions.insert(
            value,
            BrowserSession {flow.userTenantId, flow.userId, trace.now, trace.now + IdentityMemory::kSessionLifetimeMs});
        const QByteArray cookie = flow.staySignedIn
            ? QByteArray(kPersistentCookie) + '=' + value.toLatin1() + "; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax"
            : QByteArray(kSessionCookie) + '=' + value.toLatin1() + "; Path=/; HttpOnly; SameSite=Lax";
        return afterStaySignedIn(flow, trace, cookie);
    }
    case FlowStep::Consent:
        if (action == QLatin1String("cancel")) {
            if (flow.kind == FlowKind::AdminConsentV1)
                return redirectWithError(
                    flow, {QStringLiteral("permission_denied"), 0, QStringLiteral("The admin canceled the request")},
                    trace);
            if (flow.kind == FlowKind::AdminConsentV2)
                return redirectWithError(flow, aad::userDeclinedConsent(), trace);
            return redirectWithError(
                flow,
                {QStringLiteral("access_denied"), 65004, QStringLiteral("User declined to consent to access the app.")},
                trace);
        }
        return consentAccepted(flow, trace);
    }
    return IdentityPages::errorPage(aad::malformedRequest(), trace);
}

SimResponse IdentityEndpoints::afterCredential(SignInFlow& flow, const AadTrace& trace)
{
    Q_UNUSED(trace)
    flow.step = FlowStep::StaySignedIn;
    return showStep(flow);
}

SimResponse IdentityEndpoints::afterStaySignedIn(SignInFlow& flow, const AadTrace& trace, const QByteArray& cookie)
{
    SimState& state = m_simulator.state();
    SimResponse response;
    if (flow.kind == FlowKind::Authorize) {
        if (flow.prompt != QLatin1String("consent"))
            return finish(flow, trace, cookie);
        flow.step = FlowStep::Consent;
        response = showStep(flow);
    } else {
        const SimApp* app = state.app(flow.clientId);
        if (!app || (!app->multiTenant && app->homeTenantId != flow.userTenantId)) {
            const SimTenant* tenant = state.tenant(flow.userTenantId);
            response = IdentityPages::errorPage(
                aad::applicationNotFound(flow.clientId, tenant ? tenant->displayName : flow.userTenantId), trace);
            const QString ctx = flow.ctx;
            m_memory.flows.remove(ctx); // `flow` is gone from here on
        } else if (!state.holdsRole(flow.userTenantId, flow.userId, roles::kGlobalAdministrator)) {
            // Tenant-wide consent needs a Global Administrator (the brief's rule; Entra also lets some other admin
            // roles consent to some permissions, which the simulator does not model).
            const AadError needAdmin = aad::adminConsentRequired();
            response = flow.kind == FlowKind::AdminConsentV1 ? redirectWithError(
                           flow, {QStringLiteral("permission_denied"), needAdmin.code, needAdmin.message}, trace)
                                                             : redirectWithError(flow, needAdmin, trace);
        } else {
            flow.step = FlowStep::Consent;
            response = showStep(flow);
        }
    }
    response.headers.append({QByteArrayLiteral("Set-Cookie"), cookie});
    return response;
}

SimResponse IdentityEndpoints::finish(SignInFlow& flow, const AadTrace& trace, const QByteArray& cookie)
{
    AuthorizationCode code;
    code.clientId = flow.clientId;
    code.tenantId = flow.userTenantId;
    code.userId = flow.userId;
    code.redirectUri = flow.redirectUri;
    code.scope = flow.scope;
    code.nonce = flow.nonce;
    code.codeChallenge = flow.codeChallenge;
    code.codeChallengeMethod = flow.codeChallengeMethod;
    code.issuedAt = trace.now;
    code.expiresAt = trace.now + IdentityMemory::kCodeLifetimeMs;
    const QString value = QStringLiteral("1.A") + opaque(48);
    m_memory.codes.insert(value, code);

    QList<QPair<QString, QString>> params {{QStringLiteral("code"), value}};
    if (!flow.state.isEmpty())
        params << qMakePair(QStringLiteral("state"), flow.state);
    params << qMakePair(QStringLiteral("session_state"), SimState::newGuid());
    const SignInFlow done = flow;
    m_memory.flows.remove(done.ctx);
    SimResponse response = redirectWith(done, params);
    if (!cookie.isEmpty())
        response.headers.append({QByteArrayLiteral("Set-Cookie"), cookie});
    return response;
}

SimResponse IdentityEndpoints::consentAccepted(SignInFlow& flow, const AadTrace& trace)
{
    SimState& state = m_simulator.state();
    if (flow.kind == FlowKind::Authorize)
        return finish(flow, trace, {});

    const QStringList scopes = splitScopes(flow.scope);
    const bool isDefault = std::any_of(scopes.begin(), scopes.end(),
                                       [](const QString& s) { return s.endsWith(QLatin1String("/.default")); });
    if (flow.kind == FlowKind::AdminConsentV1 || isDefault) {
        state.consent(flow.userTenantId, flow.clientId);
    } else if (!state.servicePrincipal(flow.userTenantId, flow.clientId)) {
        // Dynamic (delegated) scopes: consent creates the service principal but grants no application permission
        // ("In order to request app permissions, you must use the /.default value", protocols.md 1.1).
        const auto created = state.grantServicePrincipal(flow.userTenantId, flow.clientId, {}, {});
        Q_UNUSED(created)
    }
    QList<QPair<QString, QString>> params;
    if (flow.kind == FlowKind::AdminConsentV2) {
        params << qMakePair(QStringLiteral("admin_consent"), QStringLiteral("True"))
               << qMakePair(QStringLiteral("tenant"), flow.userTenantId)
               << qMakePair(QStringLiteral("scope"), flow.scope);
        if (!flow.state.isEmpty())
            params << qMakePair(QStringLiteral("state"), flow.state);
    } else {
        params << qMakePair(QStringLiteral("tenant"), flow.userTenantId);
        if (!flow.state.isEmpty())
            params << qMakePair(QStringLiteral("state"), flow.state);
        params << qMakePair(QStringLiteral("admin_consent"), QStringLiteral("True"));
    }
    const SignInFlow done = flow;
    m_memory.flows.remove(done.ctx);
    return redirectWith(done, params);
}

} // namespace stint::entrasim
