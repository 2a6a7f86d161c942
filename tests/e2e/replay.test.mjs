// SPDX-License-Identifier: GPL-3.0-or-later
// Captured ceremony bodies sent again: a WebAuthn challenge is good for one attempt, and an assertion is bound to
// its challenge.

import assert from 'node:assert/strict';

import { e2eTest, enrolledMessage, problemSlug, signInOnPage, waitForText } from './lib/harness.mjs';

// Records the body of every request to `pathname` while letting it through unchanged.
async function capture(page, pathname) {
    const bodies = [];
    await page.route(`**${pathname}`, async (route) => {
        bodies.push(route.request().postData());
        await route.continue();
    });
    return bodies;
}

e2eTest('a replayed signin/finish body is refused as ceremony-invalid', async ({ cloud, newPage }) => {
    const { page } = await newPage();
    const registrations = await capture(page, '/v1/auth/register/finish');
    await page.goto(cloud.inviteUrl);
    await page.getByRole('button', { name: 'Create your passkey' }).click();
    await waitForText(page, '#status', enrolledMessage);
    assert.equal(registrations.length, 1);

    const finishes = await capture(page, '/v1/auth/signin/finish');
    const person = await signInOnPage(page, cloud);
    assert.equal(person.email, cloud.adminEmail);
    assert.equal(finishes.length, 1);
    const captured = finishes[0];
    assert.deepEqual(Object.keys(JSON.parse(captured)).sort(), ['ceremonyId', 'credential']);

    const replayed = await cloud.request('POST', '/v1/auth/signin/finish', { raw: captured });
    assert.equal(replayed.status, 400, JSON.stringify(replayed.body));
    assert.equal(problemSlug(replayed.body), 'ceremony-invalid');
    assert.ok(!('token' in replayed.body));

    // The same for enrollment: its ceremony (and its invite) are spent.
    const replayedRegistration = await cloud.request('POST', '/v1/auth/register/finish', { raw: registrations[0] });
    assert.equal(replayedRegistration.status, 400, JSON.stringify(replayedRegistration.body));
    assert.equal(problemSlug(replayedRegistration.body), 'ceremony-invalid');

    // Grafted onto a fresh ceremony, the old assertion fails: it signed the old challenge.
    const begin = await cloud.request('POST', '/v1/auth/signin/begin', { body: {} });
    assert.equal(begin.status, 200, JSON.stringify(begin.body));
    const grafted = { ...JSON.parse(captured), ceremonyId: begin.body.ceremonyId };
    const refused = await cloud.request('POST', '/v1/auth/signin/finish', { body: grafted });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(problemSlug(refused.body), 'webauthn-rejected');
    // …and that ceremony is spent too, even though it failed.
    const again = await cloud.request('POST', '/v1/auth/signin/finish', { body: grafted });
    assert.equal(problemSlug(again.body), 'ceremony-invalid');

    // None of this harmed the real passkey.
    const later = await signInOnPage(page, cloud);
    assert.equal(later.email, cloud.adminEmail);
});
