// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop app's sign-in (RFC 8252 loopback redirect with PKCE S256): the app opens
// /signin?redirect_uri=http://127.0.0.1:P/callback&code_challenge=…&code_challenge_method=S256&state=…, the person
// signs in with a passkey, the page sends the browser to the app's listener with a one-time code and the state, and
// the app trades the code and its verifier for a session at /v1/auth/native/token.

import assert from 'node:assert/strict';

import { e2eTest, enroll, loopbackListener, pkcePair, problemSlug, shownError } from './lib/harness.mjs';

// Plays the desktop app and the person: opens the hand-off URL, signs in, and answers what the listener received.
async function handOff(t, page, cloud, { state = 'xyz', email, host } = {}) {
    const listener = await loopbackListener(t, { host });
    const { verifier, challenge } = pkcePair();
    const query = new URLSearchParams({ redirect_uri: listener.redirectUri, code_challenge: challenge,
        code_challenge_method: 'S256', state });
    const begins = [];
    const onRequest = (r) => {
        if (r.url().endsWith('/v1/auth/signin/begin'))
            begins.push(r.postDataJSON());
    };
    page.on('request', onRequest);
    await page.goto(`${cloud.origin}/signin?${query}`);
    assert.equal(await page.locator('h1').textContent(), 'Signing in to the Stint desktop app');
    if (email) {
        await page.getByLabel('Email address').fill(email);
        await page.getByLabel('Email address').press('Enter');
    } else {
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    }
    const received = await listener.received();
    // The page itself went to the listener (window navigation, not a fetch).
    await page.waitForURL((url) => url.href.startsWith(`${listener.redirectUri}?`));
    page.off('request', onRequest);

    const expectedNative = { redirectUri: listener.redirectUri, codeChallenge: challenge,
        codeChallengeMethod: 'S256', state };
    assert.deepEqual(begins, [email ? { email, native: expectedNative } : { native: expectedNative }]);
    assert.deepEqual([...received.query.keys()].sort(), ['code', 'state']);
    return { code: received.query.get('code'), state: received.query.get('state'), verifier,
        redirectUri: listener.redirectUri };
}

const exchange = (cloud, code, codeVerifier, redirectUri) =>
    cloud.request('POST', '/v1/auth/native/token', { body: { code, codeVerifier, redirectUri } });

e2eTest('hands the desktop app a one-time code that its PKCE verifier redeems exactly once',
    async ({ cloud, newPage }, t) => {
        const { page } = await newPage();
        await enroll(page, cloud);

        const handoff = await handOff(t, page, cloud, { state: 'xyz' });
        assert.equal(handoff.state, 'xyz');
        assert.ok(handoff.code.length >= 20, `a code worth guessing nothing: ${handoff.code}`);

        const first = await exchange(cloud, handoff.code, handoff.verifier, handoff.redirectUri);
        assert.equal(first.status, 200, JSON.stringify(first.body));
        assert.equal(first.body.person.email, cloud.adminEmail);
        assert.ok(first.body.token && first.body.sessionId && first.body.expiresAt);

        const me = await cloud.request('GET', '/v1/me', { token: first.body.token });
        assert.equal(me.status, 200, JSON.stringify(me.body));
        assert.equal(me.body.person.email, cloud.adminEmail);
        assert.equal(me.body.organization.id, cloud.orgId);
        assert.equal(me.body.sessionId, first.body.sessionId);

        const second = await exchange(cloud, handoff.code, handoff.verifier, handoff.redirectUri);
        assert.equal(second.status, 400, JSON.stringify(second.body));
        assert.equal(problemSlug(second.body), 'invalid-grant');
        // The first session is unaffected by the refused second exchange.
        assert.equal((await cloud.request('GET', '/v1/me', { token: first.body.token })).status, 200);
    });

e2eTest('a wrong verifier or redirect URI gets 400 and spends the code', async ({ cloud, newPage }, t) => {
    const { page } = await newPage();
    await enroll(page, cloud);

    const a = await handOff(t, page, cloud);
    const wrongVerifier = await exchange(cloud, a.code, pkcePair().verifier, a.redirectUri);
    assert.equal(wrongVerifier.status, 400, JSON.stringify(wrongVerifier.body));
    assert.equal(problemSlug(wrongVerifier.body), 'invalid-grant');
    const afterWrong = await exchange(cloud, a.code, a.verifier, a.redirectUri);
    assert.equal(afterWrong.status, 400, 'a code is good for one exchange attempt, right or wrong');

    const b = await handOff(t, page, cloud);
    const otherPort = new URL(b.redirectUri).port === '1' ? '2' : '1';
    const wrongRedirect = await exchange(cloud, b.code, b.verifier,
        b.redirectUri.replace(/:\d+\//, `:${otherPort}/`));
    assert.equal(wrongRedirect.status, 400, JSON.stringify(wrongRedirect.body));
    assert.equal(problemSlug(wrongRedirect.body), 'invalid-grant');

    const c = await handOff(t, page, cloud);
    const verifierAsCode = await exchange(cloud, c.verifier, c.verifier, c.redirectUri);
    assert.equal(verifierAsCode.status, 400);
    const good = await exchange(cloud, c.code, c.verifier, c.redirectUri);
    assert.equal(good.status, 200, 'an unrelated failed exchange does not spend this code');
});

e2eTest('returns the state unchanged whatever URL characters it holds; username-first; IPv6 loopback',
    async ({ cloud, newPage }, t) => {
        const { page } = await newPage();
        await enroll(page, cloud);
        const state = 'a+b/c=d&e%f?g#h~i';
        const handoff = await handOff(t, page, cloud, { state, email: cloud.adminEmail });
        assert.equal(handoff.state, state);
        const exchanged = await exchange(cloud, handoff.code, handoff.verifier, handoff.redirectUri);
        assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));

        // An app listening on the IPv6 loopback address gets its code there.
        const v6 = await handOff(t, page, cloud, { host: '::1' });
        assert.match(v6.redirectUri, /^http:\/\/\[::1\]:\d+\/callback$/);
        assert.equal(v6.state, 'xyz');
        const v6Exchanged = await exchange(cloud, v6.code, v6.verifier, v6.redirectUri);
        assert.equal(v6Exchanged.status, 200, JSON.stringify(v6Exchanged.body));
    });

e2eTest('refuses a hand-off to anything but a loopback address, showing the server\'s detail',
    async ({ cloud, newPage }) => {
        const { page } = await newPage();
        await enroll(page, cloud);
        const navigations = [];
        page.on('framenavigated', (f) => {
            if (f === page.mainFrame())
                navigations.push(f.url());
        });
        const query = new URLSearchParams({ redirect_uri: 'http://evil.example:8080/callback',
            code_challenge: pkcePair().challenge, code_challenge_method: 'S256', state: 'xyz' });
        await page.goto(`${cloud.origin}/signin?${query}`);
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        const error = await shownError(page);
        assert.match(error.detail, /redirectUri/);
        assert.match(error.detail, /127\.0\.0\.1/);
        assert.ok(navigations.every((u) => u.startsWith(cloud.origin)), navigations.join('\n'));

        // An incomplete request from the app is refused on the page, before any passkey prompt.
        await page.goto(`${cloud.origin}/signin?redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&state=x`);
        const incomplete = await shownError(page);
        assert.equal(incomplete.title, 'The desktop app\'s sign-in request is incomplete.');
        assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey' }).isDisabled(), true);
    });
