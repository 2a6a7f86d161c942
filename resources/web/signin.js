// SPDX-License-Identifier: GPL-3.0-or-later
// The Stint sign-in page. One script for three jobs, chosen by the URL:
//   /enroll#invite=<token>          create a passkey from an invite (register/begin → create() → register/finish);
//   /signin                         sign in with a discoverable passkey, or username-first with an email address;
//   /signin?redirect_uri=…&code_challenge=…&code_challenge_method=S256&state=…
//                                   sign in on behalf of the desktop app and hand it a one-time code (RFC 8252).
// No framework and no third-party code; the page's CSP allows only this file, /stint.css and this origin's API.
// Session tokens the API returns are never shown or stored: this page only proves that the passkey works.

const api = {
    registerBegin: '/v1/auth/register/begin',
    registerFinish: '/v1/auth/register/finish',
    signInBegin: '/v1/auth/signin/begin',
    signInFinish: '/v1/auth/signin/finish',
};

const el = (id) => document.getElementById(id);
const ui = {
    heading: el('heading'),
    intro: el('intro'),
    enrollView: el('enroll-view'),
    createButton: el('create-passkey'),
    signInView: el('signin-view'),
    signInButton: el('signin-passkey'),
    emailForm: el('email-form'),
    email: el('email'),
    emailError: el('email-error'),
    emailButton: el('email-continue'),
    signedInView: el('signed-in-view'),
    personName: el('person-name'),
    personEmail: el('person-email'),
    personRole: el('person-role'),
    enrolledView: el('enrolled-view'),
    status: el('status'),
    error: el('error'),
    errorTitle: el('error-title'),
    errorDetail: el('error-detail'),
};

// ---------------------------------------------------------------------------------------------------------------
// Errors: every failure becomes a PageError with a title and a detail a person can act on.

class PageError extends Error {
    constructor(title, detail, slug = '') {
        super(detail || title);
        this.title = title;
        this.detail = detail;
        this.slug = slug;
    }
}

// An RFC 9457 problem from the API: its `detail` is written for people, its `type` ends in a slug.
function problemError(status, problem) {
    const isObject = problem && typeof problem === 'object';
    const text = (key) => (isObject && typeof problem[key] === 'string' ? problem[key] : '');
    const slug = text('type').split('/').pop();
    const title = text('title') || `The request failed (HTTP ${status}).`;
    return new PageError(title, text('detail') || 'Try again, or ask your admin if it keeps happening.', slug);
}

// What the browser's WebAuthn errors mean to the person in front of it.
function webAuthnError(error, creating) {
    switch (error && error.name) {
    case 'NotAllowedError':
        return new PageError('No passkey was used.',
            'The request was cancelled or timed out. Try again when you are ready.', 'not-allowed');
    case 'AbortError':
        return new PageError('The passkey request was interrupted.', 'Try again.', 'aborted');
    case 'InvalidStateError':
        return creating
            ? new PageError('This authenticator already has a passkey for your Stint account.',
                'Sign in with that passkey instead, or create the new one on a different device or security key.',
                'already-registered')
            : new PageError('The passkey could not be used.', 'Try again, or use a different passkey.',
                'invalid-state');
    case 'SecurityError':
        return new PageError('Your browser refused to use passkeys on this address.',
            `Passkeys for Stint work only at ${window.location.origin} over HTTPS or on localhost. ` +
            'Check the address, or ask your admin.', 'security');
    case 'NotSupportedError':
        return new PageError('This browser or authenticator cannot make the kind of passkey Stint needs.',
            'Try a different browser, device or security key.', 'not-supported');
    default:
        return new PageError('The passkey request failed.',
            (error && error.message) || 'Try again, or use a different browser.', 'webauthn');
    }
}

// ---------------------------------------------------------------------------------------------------------------
// base64url (RFC 4648 §5, no padding) ⇄ bytes, and the JSON shapes the API speaks.

function toBase64Url(data) {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000)
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
    if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text))
        throw new PageError('Stint sent an unexpected answer.', 'Reload the page and try again.', 'bad-response');
    const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
    const binary = atob(padded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; ++i)
        bytes[i] = binary.charCodeAt(i);
    return bytes;
}

const descriptorsFromJson = (list) => (Array.isArray(list) ? list : [])
    .map((d) => ({ ...d, id: fromBase64Url(d.id) }));

function creationOptionsFromJson(o) {
    return {
        ...o,
        challenge: fromBase64Url(o.challenge),
        user: { ...o.user, id: fromBase64Url(o.user.id) },
        excludeCredentials: descriptorsFromJson(o.excludeCredentials),
    };
}

function requestOptionsFromJson(o) {
    return { ...o, challenge: fromBase64Url(o.challenge), allowCredentials: descriptorsFromJson(o.allowCredentials) };
}

// Extension outputs may hold binary values; the API takes them as base64url, like PublicKeyCredential.toJSON().
function jsonValue(value) {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value))
        return toBase64Url(value);
    if (Array.isArray(value))
        return value.map(jsonValue);
    if (value && typeof value === 'object')
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
    return value;
}

// Exactly the fields the API accepts (it rejects unknown ones), which is why toJSON() is not used.
function credentialToJson(credential, response) {
    const json = { id: credential.id, rawId: toBase64Url(credential.rawId), type: credential.type, response };
    if (credential.authenticatorAttachment === 'platform' || credential.authenticatorAttachment === 'cross-platform')
        json.authenticatorAttachment = credential.authenticatorAttachment;
    if (typeof credential.getClientExtensionResults === 'function')
        json.clientExtensionResults = jsonValue(credential.getClientExtensionResults());
    return json;
}

function attestationToJson(credential) {
    const r = credential.response;
    const response = {
        clientDataJSON: toBase64Url(r.clientDataJSON),
        attestationObject: toBase64Url(r.attestationObject),
    };
    const transports = typeof r.getTransports === 'function' ? r.getTransports() : null;
    if (Array.isArray(transports) && transports.length > 0)
        response.transports = transports.slice(0, 8);
    return credentialToJson(credential, response);
}

function assertionToJson(credential) {
    const r = credential.response;
    const response = {
        clientDataJSON: toBase64Url(r.clientDataJSON),
        authenticatorData: toBase64Url(r.authenticatorData),
        signature: toBase64Url(r.signature),
    };
    if (r.userHandle && r.userHandle.byteLength > 0)
        response.userHandle = toBase64Url(r.userHandle);
    return credentialToJson(credential, response);
}

// ---------------------------------------------------------------------------------------------------------------
// The API.

async function post(path, body) {
    let response;
    try {
        response = await fetch(path, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
            body: JSON.stringify(body),
            credentials: 'same-origin',
            cache: 'no-store',
        });
    } catch {
        throw new PageError('Stint could not be reached.', 'Check your connection and try again.', 'network');
    }
    let data = null;
    try {
        data = await response.json();
    } catch {
        data = null;
    }
    if (!response.ok)
        throw problemError(response.status, data);
    if (!data || typeof data !== 'object')
        throw new PageError('Stint sent an unexpected answer.', 'Reload the page and try again.', 'bad-response');
    return data;
}

async function createCredential(publicKeyJson) {
    const publicKey = creationOptionsFromJson(publicKeyJson);
    try {
        const credential = await navigator.credentials.create({ publicKey });
        if (!credential)
            throw webAuthnError({ name: 'NotAllowedError' }, true);
        return credential;
    } catch (e) {
        throw e instanceof PageError ? e : webAuthnError(e, true);
    }
}

async function getCredential(publicKeyJson) {
    const publicKey = requestOptionsFromJson(publicKeyJson);
    try {
        const credential = await navigator.credentials.get({ publicKey });
        if (!credential)
            throw webAuthnError({ name: 'NotAllowedError' }, false);
        return credential;
    } catch (e) {
        throw e instanceof PageError ? e : webAuthnError(e, false);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The page state: one status line (announced politely), one error box (announced at once), busy buttons.

function setStatus(text, tone = 'info') {
    ui.status.textContent = text;
    ui.status.dataset.tone = tone;
}

function clearError() {
    ui.error.hidden = true;
    ui.errorTitle.textContent = '';
    ui.errorDetail.textContent = '';
}

function showError(error) {
    const e = error instanceof PageError ? error
        : new PageError('Something went wrong.', (error && error.message) || 'Reload the page and try again.');
    setStatus('');
    ui.errorTitle.textContent = e.title;
    ui.errorDetail.textContent = e.detail || '';
    ui.error.dataset.slug = e.slug || '';
    ui.error.hidden = false;
}

const actionButtons = () => [ui.createButton, ui.signInButton, ui.emailButton];
let busy = false;

// While a ceremony runs the buttons are aria-disabled rather than disabled: a disabled button would drop the
// keyboard focus (and a screen reader's place) to the top of the page.
function setBusy(value, activeButton = null) {
    busy = value;
    for (const button of actionButtons()) {
        if (value)
            button.setAttribute('aria-disabled', 'true');
        else
            button.removeAttribute('aria-disabled');
        button.classList.toggle('is-working', value && button === activeButton);
    }
    ui.email.readOnly = value;
}

// Runs one ceremony from a button: busy while it runs, errors shown, focus back on the button if it failed. A
// ceremony that answers true is leaving the page and stays busy until it is gone.
async function run(button, ceremony) {
    if (busy)
        return;
    clearError();
    setBusy(true, button);
    try {
        if (!await ceremony())
            setBusy(false);
    } catch (e) {
        setBusy(false);
        showError(e);
        button.focus();
    }
}

function show(view) {
    for (const v of [ui.enrollView, ui.signInView, ui.signedInView, ui.enrolledView])
        v.hidden = v !== view;
}

function setHeading(title, intro) {
    ui.heading.textContent = title;
    ui.intro.textContent = intro;
    document.title = `${title} · Stint`;
}

function disableAll(error) {
    for (const button of actionButtons())
        button.disabled = true;
    ui.email.disabled = true;
    showError(error);
}

// ---------------------------------------------------------------------------------------------------------------
// Enrollment.

function startEnrollment() {
    // The invite token travels in the fragment so that it never reaches a server log or a Referer header; take it
    // out of the address bar (and history) before anything else happens.
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const inviteToken = fragment.get('invite') || '';
    if (window.location.hash)
        history.replaceState(history.state, '', window.location.pathname + window.location.search);

    // Another invite link opened in this tab changes only the fragment, which loads nothing: start over with it.
    window.addEventListener('hashchange', () => window.location.reload());

    setHeading('Create your passkey',
        'You have been invited to Stint. A passkey lets you sign in without a password.');
    show(ui.enrollView);
    if (!inviteToken)
        return new PageError('This enrollment link is incomplete.',
            'Open the whole link from your invitation, or ask your admin for a new one.', 'invite-missing');
    ui.createButton.addEventListener('click', () => run(ui.createButton, async () => {
        setStatus('Preparing your passkey…');
        const begin = await post(api.registerBegin, { inviteToken });
        setStatus('Follow your browser\'s prompt to create the passkey…');
        const credential = await createCredential(begin.publicKey);
        setStatus('Saving your passkey…');
        await post(api.registerFinish, { ceremonyId: begin.ceremonyId, credential: attestationToJson(credential) });
        // The answer carries a session token; this page has no use for it and lets it go.
        setHeading('Passkey saved', 'Use it whenever you sign in to Stint, on the web or in the desktop app.');
        show(ui.enrolledView);
        setStatus('Passkey saved. You can now sign in to Stint.', 'success');
        ui.heading.focus();
    }));
    return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Sign-in, for the web and for the desktop app.

// The desktop app's loopback hand-off, read from the query (RFC 8252 §7.3, PKCE S256). The server checks the
// values; here they only have to be present.
function readNativeRequest(query) {
    const redirectUri = query.get('redirect_uri');
    const codeChallenge = query.get('code_challenge');
    const codeChallengeMethod = query.get('code_challenge_method');
    const state = query.get('state');
    if (!redirectUri || !codeChallenge || !state || codeChallengeMethod !== 'S256')
        return null;
    return { redirectUri, codeChallenge, codeChallengeMethod, state };
}

// The server builds the redirect from the redirect URI the app gave; go there only if it is that URI.
function isExpectedRedirect(redirect, redirectUri) {
    try {
        const target = new URL(redirect);
        const expected = new URL(redirectUri);
        const loopback = ['127.0.0.1', '[::1]'].includes(target.hostname);
        return loopback && target.protocol === 'http:' && target.origin === expected.origin
            && target.pathname === expected.pathname;
    } catch {
        return false;
    }
}

function showPerson(person) {
    const p = person && typeof person === 'object' ? person : {};
    const role = typeof p.role === 'string' ? p.role : '';
    ui.personName.textContent = p.displayName || p.email || '';
    ui.personEmail.textContent = p.email || '';
    ui.personRole.textContent = role ? role.charAt(0).toUpperCase() + role.slice(1) : '';
}

function startSignIn(native, desktop = Boolean(native)) {
    if (desktop)
        setHeading('Signing in to the Stint desktop app',
            'Sign in with your passkey; Stint then takes you back to the desktop app.');
    else
        setHeading('Sign in to Stint', 'Use the passkey you created when you enrolled.');
    show(ui.signInView);

    const signIn = async (email) => {
        setStatus('Starting sign-in…');
        const request = {};
        if (email)
            request.email = email;
        if (native)
            request.native = native;
        const begin = await post(api.signInBegin, request);
        setStatus('Follow your browser\'s prompt to use your passkey…');
        const credential = await getCredential(begin.publicKey);
        setStatus('Checking your passkey…');
        const result = await post(api.signInFinish,
            { ceremonyId: begin.ceremonyId, credential: assertionToJson(credential) });
        const person = result.person || {};
        if (native) {
            if (typeof result.redirect !== 'string' || !isExpectedRedirect(result.redirect, native.redirectUri))
                throw new PageError('Stint sent an unexpected answer.',
                    'The hand-off address does not match the desktop app\'s. Start again from the app.',
                    'bad-redirect');
            setStatus(`Signed in as ${person.displayName || person.email || 'you'}. ` +
                'Returning to the Stint desktop app…', 'success');
            window.location.replace(result.redirect);
            return true;
        }
        showPerson(person);
        setHeading('You\'re signed in', 'Your passkey works. You can close this page.');
        show(ui.signedInView);
        setStatus(`Signed in as ${person.displayName || person.email || 'you'}.`, 'success');
        ui.heading.focus();
        return false;
    };

    ui.signInButton.addEventListener('click', () => run(ui.signInButton, () => signIn(null)));
    ui.email.addEventListener('input', () => {
        ui.email.removeAttribute('aria-invalid');
        ui.emailError.hidden = true;
        ui.email.setAttribute('aria-describedby', 'email-hint');
    });
    ui.emailForm.addEventListener('submit', (event) => {
        event.preventDefault();
        if (busy || ui.emailButton.disabled)
            return;
        const email = ui.email.value.trim();
        if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
            ui.emailError.textContent = email ? 'Enter a whole email address, like name@example.com.'
                : 'Enter your email address, or use “Sign in with a passkey” above.';
            ui.emailError.hidden = false;
            ui.email.setAttribute('aria-invalid', 'true');
            ui.email.setAttribute('aria-describedby', 'email-error email-hint');
            ui.email.focus();
            return;
        }
        run(ui.emailButton, () => signIn(email));
    });
    return null;
}

// ---------------------------------------------------------------------------------------------------------------

function passkeysUnavailable() {
    if (!window.isSecureContext)
        return new PageError('Passkeys need a secure connection.',
            'Open this page over HTTPS. Ask your admin for the right address.', 'insecure');
    if (typeof window.PublicKeyCredential !== 'function' || !navigator.credentials
        || typeof navigator.credentials.create !== 'function' || typeof navigator.credentials.get !== 'function')
        return new PageError('This browser cannot use passkeys.',
            'Open this page in a current version of Chrome, Edge, Firefox or Safari.', 'unsupported');
    return null;
}

function main() {
    const path = window.location.pathname.replace(/\/+$/, '');
    const query = new URLSearchParams(window.location.search);
    let problem;
    if (path === '/enroll') {
        problem = startEnrollment();
    } else if (query.has('redirect_uri')) {
        const native = readNativeRequest(query);
        problem = startSignIn(native, true);
        if (!native)
            problem = new PageError('The desktop app\'s sign-in request is incomplete.',
                'Start signing in again from the Stint desktop app.', 'native-request-invalid');
    } else {
        problem = startSignIn(null);
    }
    problem = problem || passkeysUnavailable();
    if (problem)
        disableAll(problem);
}

main();
