// SPDX-License-Identifier: GPL-3.0-or-later
// Enrollment through the invite link, then sign-in on /signin: discoverable (no username) and username-first.

import assert from 'node:assert/strict';

import { e2eTest, enroll, enrolledMessage, shownError, signInOnPage } from './lib/harness.mjs';

e2eTest('enrolls through the invite link with the page button, then signs in with a discoverable passkey',
    async ({ cloud, newPage }, t) => {
        const { page, cdp, authenticatorId } = await newPage();
        const finishes = [];
        page.on('response', (r) => {
            if (r.url().endsWith('/v1/auth/register/finish'))
                finishes.push(r);
        });

        await page.goto(cloud.inviteUrl);
        // The token is read from the fragment and then taken out of the address bar and the history entry.
        await page.waitForFunction(() => window.location.hash === '');
        assert.equal(new URL(page.url()).pathname, '/enroll');
        assert.equal(await page.locator('h1').textContent(), 'Create your passkey');

        await page.getByRole('button', { name: 'Create your passkey' }).click();
        await page.locator('#status').filter({ hasText: enrolledMessage }).waitFor();
        assert.equal(finishes.length, 1);
        assert.equal(finishes[0].status(), 200);

        // The passkey is a discoverable credential for the relying party "localhost".
        const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
        assert.equal(credentials.length, 1);
        assert.equal(credentials[0].isResidentCredential, true);
        assert.equal(credentials[0].rpId, 'localhost');

        // The session token in the answer is neither shown nor kept.
        const { token } = await finishes[0].json();
        assert.ok(typeof token === 'string' && token.length > 10);
        const kept = await page.evaluate(() => [document.documentElement.outerHTML, JSON.stringify(localStorage),
            JSON.stringify(sessionStorage), document.cookie, window.location.href].join('\n'));
        assert.ok(!kept.includes(token), 'the session token must not be on the page or in storage');
        assert.ok(!kept.includes(cloud.inviteToken), 'the invite token must not stay on the page');

        const person = await signInOnPage(page, cloud);
        assert.equal(person.email, cloud.adminEmail);
        assert.equal(person.role, 'Admin');
        assert.match(person.status, /^Signed in as /);
        assert.equal(await page.locator('h1').textContent(), 'You\'re signed in');
        t.diagnostic(`signed in as ${person.name} <${person.email}>`);
    });

e2eTest('signs in username-first with the email field', async ({ cloud, newPage }) => {
    const { page } = await newPage();
    await enroll(page, cloud);

    const begins = [];
    page.on('request', (r) => {
        if (r.url().endsWith('/v1/auth/signin/begin'))
            begins.push(r.postDataJSON());
    });
    // Addresses are matched case-insensitively and trimmed.
    const person = await signInOnPage(page, cloud, { email: `  ${cloud.adminEmail.toUpperCase()} ` });
    assert.equal(person.email, cloud.adminEmail);
    assert.deepEqual(begins, [{ email: cloud.adminEmail.toUpperCase() }]);
});

e2eTest('the email field asks for an address before starting, and the page shows the server\'s problem detail',
    async ({ cloud, newPage }) => {
        const { page } = await newPage();
        await enroll(page, cloud);

        // An invite link is good for one enrollment: the second use shows the API's detail.
        await page.goto(cloud.inviteUrl);
        await page.getByRole('button', { name: 'Create your passkey' }).click();
        const reused = await shownError(page);
        assert.equal(reused.detail,
            'This invite link is unknown, used, revoked or expired. Ask your admin for a new one.');
        assert.equal(await page.locator('#error').getAttribute('data-slug'), 'invite-invalid');
        // Focus returns to the button so that trying again is one key press away.
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'create-passkey');

        await page.goto(`${cloud.origin}/signin`);
        const requests = [];
        page.on('request', (r) => {
            if (r.url().includes('/v1/'))
                requests.push(r.url());
        });
        await page.getByRole('button', { name: 'Continue with email' }).click();
        const field = page.getByLabel('Email address');
        assert.equal(await field.getAttribute('aria-invalid'), 'true');
        assert.match(await page.locator('#email-error').textContent(), /Enter your email address/);
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'email');
        await field.fill('not-an-address');
        await field.press('Enter');
        assert.match(await page.locator('#email-error').textContent(), /whole email address/);
        assert.deepEqual(requests, [], 'nothing is sent until the address looks like one');
        await field.fill(cloud.adminEmail);
        assert.equal(await field.getAttribute('aria-invalid'), null);
    });
