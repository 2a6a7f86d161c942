// SPDX-License-Identifier: GPL-3.0-or-later
// The sign-in page itself: it works under its strict CSP, with the keyboard alone, and says clearly what went wrong
// when the passkey prompt is cancelled or the browser cannot use passkeys.

import assert from 'node:assert/strict';

import { e2eTest, enroll, enrolledMessage, shownError, signInOnPage, waitForText } from './lib/harness.mjs';

const pageCsp = 'default-src \'none\'; script-src \'self\'; style-src \'self\'; connect-src \'self\'; ' +
    'img-src \'self\'; form-action \'none\'; frame-ancestors \'none\'; base-uri \'none\'';

// Presses Tab until `id` has the focus; fails if it is not reached within `limit` presses.
async function tabTo(page, id, limit = 8) {
    for (let i = 0; i < limit; ++i) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(() => document.activeElement?.id) === id)
            return;
    }
    assert.fail(`#${id} was not reached with ${limit} presses of Tab`);
}

const activeId = (page) => page.evaluate(() => document.activeElement?.id ?? null);

e2eTest('the page is self-contained and runs under its strict CSP without violations', async (session) => {
    const { cloud, newPage } = session;
    for (const pathname of ['/signin', '/enroll']) {
        const r = await cloud.request('GET', pathname);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('content-security-policy'), pageCsp);
        assert.match(r.headers.get('content-type'), /^text\/html/);
        const html = r.body;
        // Nothing inline for the CSP to block, and nothing from elsewhere.
        assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script');
        assert.doesNotMatch(html, /<style\b/i, 'no style element');
        assert.doesNotMatch(html, /\sstyle\s*=/i, 'no style attribute');
        assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handler');
        assert.doesNotMatch(html, /(?:src|href)\s*=\s*["'](?:https?:)?\/\//i, 'no third-party resource');
    }
    for (const [pathname, type] of [['/signin.js', /^text\/javascript/], ['/stint.css', /^text\/css/]]) {
        const r = await cloud.request('GET', pathname);
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type'), type);
    }

    const { page } = await newPage();
    await enroll(page, cloud);
    // The stylesheet applied (a card of 27rem) and the script ran (it put the status there).
    assert.equal(await page.locator('.card').evaluate((e) => getComputedStyle(e).maxWidth), '432px');
    await signInOnPage(page, cloud);
    await signInOnPage(page, cloud, { email: cloud.adminEmail });
    await page.goto(cloud.inviteUrl); // spent: an error from the API
    await page.getByRole('button', { name: 'Create your passkey' }).click();
    await shownError(page);
    await page.goto(`${cloud.origin}/signin`);
    await page.getByRole('button', { name: 'Continue with email' }).click(); // a field error
    await page.locator('#email-error').waitFor();

    assert.deepEqual(session.cspViolations(), []);
    assert.deepEqual(session.events.filter((e) => e.kind === 'pageerror'), []);
});

e2eTest('enrollment and sign-in work with the keyboard alone', async ({ cloud, newPage }) => {
    const { page } = await newPage();
    await page.goto(cloud.inviteUrl);
    await tabTo(page, 'create-passkey');
    assert.equal(await page.locator('#create-passkey').evaluate((e) => e.matches(':focus-visible')), true);
    const outline = await page.locator('#create-passkey').evaluate((e) => getComputedStyle(e).outlineStyle);
    assert.equal(outline, 'solid', 'the focused button shows a focus ring');
    await page.keyboard.press('Enter');
    await waitForText(page, '#status', enrolledMessage);
    assert.equal(await activeId(page), 'heading', 'focus moves to the result');
    assert.equal(await page.locator('#status').getAttribute('role'), 'status');

    await page.goto(`${cloud.origin}/signin`);
    await tabTo(page, 'signin-passkey');
    await page.keyboard.press('Enter');
    await page.locator('#signed-in-view').waitFor();
    assert.equal(await page.locator('#person-email').textContent(), cloud.adminEmail);
    assert.equal(await activeId(page), 'heading');

    await page.goto(`${cloud.origin}/signin`);
    await tabTo(page, 'email');
    await page.keyboard.type(cloud.adminEmail);
    await page.keyboard.press('Enter');
    await page.locator('#signed-in-view').waitFor();
    assert.equal(await page.locator('#person-email').textContent(), cloud.adminEmail);
});

e2eTest('a cancelled passkey prompt and an unsupported browser get clear messages', async ({ cloud, newPage }) => {
    const { page, cdp, authenticatorId } = await newPage();

    // The person does not confirm (user verification fails): the browser answers NotAllowedError. The invite is
    // not spent by that, and a second try works.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    await page.goto(cloud.inviteUrl);
    await page.getByRole('button', { name: 'Create your passkey' }).click();
    const notCreated = await shownError(page);
    assert.equal(notCreated.title, 'No passkey was used.');
    assert.equal(await activeId(page), 'create-passkey');
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    await page.getByRole('button', { name: 'Create your passkey' }).click();
    await waitForText(page, '#status', enrolledMessage);
    assert.equal(await page.locator('#error').isHidden(), true);

    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    await page.goto(`${cloud.origin}/signin`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const cancelled = await shownError(page);
    assert.equal(cancelled.title, 'No passkey was used.');
    assert.match(cancelled.detail, /cancelled or timed out/);
    assert.equal(await page.locator('#error').getAttribute('role'), 'alert');
    assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey' }).isEnabled(), true);
    assert.equal(await activeId(page), 'signin-passkey', 'focus goes back to the button to try again');

    // Trying again after confirming works, and clears the error.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.locator('#signed-in-view').waitFor();
    assert.equal(await page.locator('#error').isHidden(), true);

    // A browser without WebAuthn.
    const old = await newPage({ beforeLoad: () => { delete window.PublicKeyCredential; } });
    for (const url of [`${cloud.origin}/signin`, `${cloud.origin}/enroll#invite=whatever`]) {
        await old.page.goto(url);
        const unsupported = await shownError(old.page);
        assert.equal(unsupported.title, 'This browser cannot use passkeys.');
        for (const button of await old.page.locator('button').all())
            assert.equal(await button.isDisabled(), true);
    }

    // An enrollment link without its token.
    await page.goto(`${cloud.origin}/enroll`);
    const incomplete = await shownError(page);
    assert.equal(incomplete.title, 'This enrollment link is incomplete.');
    assert.equal(await page.getByRole('button', { name: 'Create your passkey' }).isDisabled(), true);
});
