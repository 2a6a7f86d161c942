// SPDX-License-Identifier: GPL-3.0-or-later
// entra-sim's Microsoft-like sign-in page in a real Chromium: a person (or a filler typing into the fields) signs in
// with a password or a one-time Temporary Access Pass and reaches the app's redirect URI with a code; a disabled
// account, a wrong password and a spent pass are refused in the right error element; login_hint pre-fills the
// username. The simulator is the real `entra-sim` binary with a scenario written here.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';

import { EntraSim, launchBrowser, loopbackListener } from './lib/entra-sim.mjs';

const tenantId = crypto.randomUUID();
const clientId = crypto.randomUUID();
const clientSecret = `e2e-${crypto.randomBytes(12).toString('base64url')}`;
const password = `Pw-${crypto.randomBytes(9).toString('base64url')}!1`;
const domain = 'contoso.example';
const users = {
    adele: `adele@${domain}`,
    disabled: `gone@${domain}`,
    tap: `tap.only@${domain}`,
};

let sim;
let browser;
let app;

before(async () => {
    app = await loopbackListener();
    sim = await EntraSim.start({
        tenants: [{
            id: tenantId,
            displayName: 'Contoso',
            initialDomain: 'contosoe2e',
            domains: [{ name: domain, isVerified: true, isDefault: true }],
            tapPolicy: { state: 'enabled', isUsableOnce: false },
            users: [
                { userPrincipalName: users.adele, displayName: 'Adele Vance', password },
                { userPrincipalName: users.disabled, displayName: 'Gone Away', password, accountEnabled: false },
                { userPrincipalName: users.tap, displayName: 'Tap Only' },
            ],
        }],
        apps: [{
            clientId,
            homeTenant: tenantId,
            displayName: 'Stint e2e',
            multiTenant: true,
            secrets: [{ value: clientSecret }],
            redirectUris: ['http://127.0.0.1/callback'], // loopback: any port matches
            requiredPermissions: ['UserAuthenticationMethod.ReadWrite.All', 'User.ReadWrite.All'],
        }],
        grants: [{ tenant: domain, clientId }],
    });
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
    await sim?.stop();
    app?.close();
});

let callbacks = 0;

function authorizeUrl({ loginHint, state = crypto.randomUUID() } = {}) {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const url = new URL(`${sim.base}/organizations/oauth2/v2.0/authorize`);
    url.search = new URLSearchParams({
        client_id: clientId, response_type: 'code', redirect_uri: app.redirectUri, scope: 'openid profile',
        state, code_challenge: challenge, code_challenge_method: 'S256',
        ...(loginHint ? { login_hint: loginHint } : {}),
    }).toString();
    return { url: url.toString(), verifier, state };
}

// Types like a person (key by key, so input events fire) into the field.
async function typeInto(page, selector, text) {
    const field = page.locator(selector);
    await field.click();
    await field.pressSequentially(text);
}

async function enterUsername(page, upn) {
    await typeInto(page, '#i0116', upn);
    await page.locator('#idSIButton9').click();
}

async function redeem(code, verifier) {
    return sim.postForm('/organizations/oauth2/v2.0/token', {
        client_id: clientId, client_secret: clientSecret, grant_type: 'authorization_code', code,
        redirect_uri: app.redirectUri, code_verifier: verifier,
    });
}

function diagnostics(page) {
    return `\n--- page at ${page.url()}\n--- browser events: ${JSON.stringify(browser.events)}\n` +
        `--- entra-sim log (tail):\n${sim.log().split('\n').slice(-20).join('\n')}`;
}

test('a password sign-in reaches the redirect URI with a code that redeems', async () => {
    const { page, context } = await browser.newPage();
    try {
        const flow = authorizeUrl();
        const response = await page.goto(flow.url);
        assert.match(response.headers()['content-security-policy'], /script-src 'self'/);
        await assert.doesNotReject(page.locator('input#i0116[name=loginfmt][type=email]').waitFor());
        await enterUsername(page, users.adele);

        // The password step: Back comes before Sign in in the DOM, yet Enter in the field signs in.
        await page.locator('#i0118[name=passwd][type=password]').waitFor();
        await page.locator('#idA_PWD_ForgotPassword').waitFor();
        const order = await page.evaluate(() => {
            const back = document.getElementById('idBtn_Back');
            const submit = document.getElementById('idSIButton9');
            return Boolean(back.compareDocumentPosition(submit) & Node.DOCUMENT_POSITION_FOLLOWING);
        });
        assert.equal(order, true, '#idBtn_Back precedes #idSIButton9');
        assert.equal(await page.locator('#idSIButton9').inputValue(), 'Sign in');
        await typeInto(page, '#i0118', password);
        await page.keyboard.press('Enter');

        // "Stay signed in?" → No.
        await page.locator('#KmsiCheckboxField[name=DontShowAgain]').waitFor();
        await page.locator('#idBtn_Back').click();
        const params = await app.next(++callbacks);
        assert.equal(params.get('state'), new URL(flow.url).searchParams.get('state'));
        assert.ok(params.get('code'), 'a code came back');
        const token = await redeem(params.get('code'), flow.verifier);
        assert.equal(token.status, 200, JSON.stringify(token.body));
        assert.ok(token.body.id_token);
        assert.deepEqual(browser.events.filter((e) => e.kind === 'csp-violation' || e.kind === 'pageerror'), []);
    } catch (e) {
        e.message += diagnostics(page);
        throw e;
    } finally {
        await context.close();
    }
});

test('a one-time Temporary Access Pass signs in once and is refused the second time', async () => {
    // The app creates the pass through Graph, as Stint's engine does (protocols.md 2.8).
    const token = await sim.appToken(tenantId, clientId, clientSecret);
    const created = await sim.graph('POST', `/users/${users.tap}/authentication/temporaryAccessPassMethods`, token,
        { isUsableOnce: true, lifetimeInMinutes: 60 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const pass = created.body.temporaryAccessPass;
    assert.ok(pass);

    for (const attempt of [1, 2]) {
        const { page, context } = await browser.newPage(); // a fresh browser profile: no session cookie
        try {
            await page.goto(authorizeUrl().url);
            await enterUsername(page, users.tap);
            const field = page.locator('input[name=accesspass]');
            await field.waitFor();
            assert.equal(await field.getAttribute('placeholder'), 'Temporary Access Pass');
            await typeInto(page, 'input[name=accesspass]', pass);
            await page.locator('#idSIButton9').click();
            if (attempt === 1) {
                await page.locator('#KmsiCheckboxField').waitFor();
                await page.locator('#idSIButton9').click(); // Yes
                const params = await app.next(++callbacks);
                assert.ok(params.get('code'));
            } else {
                const error = page.locator('#passwordError');
                await error.waitFor();
                assert.match(await error.textContent(), /Temporary Access Pass is incorrect, expired, or has already been used/);
                assert.equal(await error.getAttribute('data-aadsts'), '50126');
            }
        } catch (e) {
            e.message += diagnostics(page);
            throw e;
        } finally {
            await context.close();
        }
    }
});

test('a disabled account and a wrong password are refused in #passwordError; an unknown user in #usernameError',
    async () => {
        const cases = [
            { upn: users.disabled, secret: password, element: '#passwordError', text: /disabled/, code: '50057' },
            { upn: users.adele, secret: 'not-the-password', element: '#passwordError', text: /password is incorrect/,
                code: '50126' },
            { upn: `nobody@${domain}`, secret: null, element: '#usernameError', text: /username may be incorrect/,
                code: '50034' },
        ];
        for (const c of cases) {
            const { page, context } = await browser.newPage();
            try {
                await page.goto(authorizeUrl().url);
                await enterUsername(page, c.upn);
                if (c.secret !== null) {
                    await typeInto(page, '#i0118', c.secret);
                    await page.locator('#idSIButton9').click();
                }
                const error = page.locator(c.element);
                await error.waitFor();
                assert.match(await error.textContent(), c.text);
                assert.equal(await error.getAttribute('data-aadsts'), c.code);
                assert.equal(await page.locator('#KmsiCheckboxField').count(), 0, 'not signed in');
            } catch (e) {
                e.message += diagnostics(page);
                throw e;
            } finally {
                await context.close();
            }
        }
        assert.equal(app.count(), callbacks, 'no refused sign-in reached the redirect URI');
    });

test('login_hint pre-fills the username field', async () => {
    const { page, context } = await browser.newPage();
    try {
        await page.goto(authorizeUrl({ loginHint: users.adele }).url);
        assert.equal(await page.locator('#i0116').inputValue(), users.adele);
        await page.locator('#idSIButton9').click();
        await page.locator('#i0118').waitFor();
        assert.equal(await page.locator('#displayName').textContent(), users.adele);
    } catch (e) {
        e.message += diagnostics(page);
        throw e;
    } finally {
        await context.close();
    }
});
