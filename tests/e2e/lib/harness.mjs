// SPDX-License-Identifier: GPL-3.0-or-later
//
// Shared pieces of the end-to-end tests: a real stint-cloud (init + serve in a temporary data dir), a real headless
// Chromium with a CDP virtual authenticator, and a few helpers. Every test gets its own temporary directory, HOME,
// port, server and browser, so the test files run side by side under `ctest -j`.
//
// Nothing here waits for a fixed time: every wait is on output or a condition, bounded by a timeout.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { chromium, chromiumPath, requireBinary, withTimeout } from './prerequisites.mjs';

export { chromiumPath, withTimeout };

// ---------------------------------------------------------------------------------------------------------------
// Prerequisites (lib/prerequisites.mjs): the binary under test, Chromium, playwright-core.

const cloudBinary = requireBinary('STINT_CLOUD', 'build/bin/stint-cloud');

// ---------------------------------------------------------------------------------------------------------------
// Small utilities.

export const sha256 = (data) => crypto.createHash('sha256').update(data).digest();
export const b64url = (bytes) => Buffer.from(bytes).toString('base64url');

export function pkcePair() {
    const verifier = b64url(crypto.randomBytes(32)); // 43 characters, RFC 7636 §4.1
    return { verifier, challenge: b64url(sha256(verifier)) };
}

// The last part of an RFC 9457 problem type, e.g. "ceremony-invalid".
export const problemSlug = (body) => String(body?.type ?? '').split('/').pop();

async function freePort() {
    const server = net.createServer();
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address();
    await new Promise((resolve) => server.close(resolve));
    return port;
}

// Children still alive when the process ends (a test that timed out, a crash) are killed rather than left behind.
const children = new Set();
process.on('exit', () => {
    for (const child of children)
        child.kill('SIGKILL');
});

function collect(child) {
    const output = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => { output.stdout += chunk; });
    child.stderr.on('data', (chunk) => { output.stderr += chunk; });
    return output;
}

function exited(child) {
    if (child.exitCode !== null || child.signalCode !== null)
        return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopProcess(child, graceMs = 5_000) {
    if (child.exitCode !== null || child.signalCode !== null)
        return;
    child.kill('SIGTERM');
    try {
        await withTimeout(exited(child), graceMs, 'stint-cloud to stop');
    } catch {
        child.kill('SIGKILL');
        await withTimeout(exited(child), graceMs, 'stint-cloud to die');
    }
}

// Runs one stint-cloud command to its end.
async function runCloud(args, env, timeoutMs = 30_000) {
    const child = spawn(cloudBinary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const output = collect(child);
    const code = await withTimeout(new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (c) => resolve(c));
    }), timeoutMs, `stint-cloud ${args[0]}`).finally(() => {
        if (child.exitCode === null)
            child.kill('SIGKILL');
        children.delete(child);
    });
    return { code, ...output };
}

// ---------------------------------------------------------------------------------------------------------------
// A running stint-cloud.

export class Cloud {
    constructor({ child, output, port, origin, dataDir, orgId, adminEmail, inviteToken }) {
        Object.assign(this, { child, output, port, origin, dataDir, orgId, adminEmail, inviteToken });
        this.exit = null;
        child.once('exit', (code, signal) => { this.exit = { code, signal }; });
        // The browser must use the WebAuthn origin exactly (http://localhost:PORT); Node talks to the socket's
        // address directly, which avoids localhost resolving to ::1 first.
        this.apiBase = `http://127.0.0.1:${port}`;
        this.inviteUrl = `${origin}/enroll#invite=${inviteToken}`;
    }

    // Starts `stint-cloud init` and `serve` in dir, on a free port whose origin is http://localhost:<port>.
    static async start(dir, env, { org = 'Acme IT', admin = 'ada@example.com' } = {}) {
        const dataDir = path.join(dir, 'data');
        let port = await freePort();
        const init = await runCloud(['init', '--data-dir', dataDir, '--org', org, '--admin', admin,
            '--origin', `http://localhost:${port}`], env);
        if (init.code !== 0)
            throw new Error(`stint-cloud init failed (${init.code}):\n${init.stdout}${init.stderr}`);
        const link = /\/enroll#invite=([A-Za-z0-9_-]+)/.exec(init.stdout);
        const orgMatch = /\((org_[0-9a-f]{32})\)/.exec(init.stdout);
        if (!link || !orgMatch)
            throw new Error(`stint-cloud init printed no enrollment link or organization id:\n${init.stdout}`);

        // The port picked here may be taken by someone else before serve binds it: then serve exits and we retry
        // with another one (the invite token does not depend on the origin).
        let lastFailure = '';
        for (let attempt = 0; attempt < 5; ++attempt, port = await freePort()) {
            const origin = `http://localhost:${port}`;
            const child = spawn(cloudBinary, ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`,
                '--origin', origin], { env, stdio: ['ignore', 'pipe', 'pipe'] });
            children.add(child);
            child.once('exit', () => children.delete(child));
            const output = collect(child);
            const ready = new Promise((resolve, reject) => {
                const onData = () => {
                    const m = /stint-cloud ready on http:\/\/127\.0\.0\.1:(\d+) \(origin ([^)]+)\)/.exec(output.stdout);
                    if (m) {
                        child.stdout.off('data', onData);
                        resolve({ port: Number(m[1]), origin: m[2] });
                    }
                };
                child.stdout.on('data', onData);
                child.once('error', reject);
                child.once('exit', (code, signal) => reject(new Error(
                    `stint-cloud serve exited (${code ?? signal}) before it was ready:\n${output.stdout}${output.stderr}`)));
            });
            try {
                const seen = await withTimeout(ready, 20_000, 'the "stint-cloud ready" line');
                if (seen.port !== port || seen.origin !== origin)
                    throw new Error(`stint-cloud is ready on port ${seen.port} with origin ${seen.origin}; ` +
                        `expected ${port} and ${origin}`);
                return new Cloud({ child, output, port, origin, dataDir, orgId: orgMatch[1], adminEmail: admin,
                    inviteToken: link[1] });
            } catch (e) {
                await stopProcess(child);
                lastFailure = e.message;
                if (!/exited/.test(e.message))
                    throw e;
            }
        }
        throw new Error(`stint-cloud serve did not start: ${lastFailure}`);
    }

    async stop() {
        await stopProcess(this.child);
    }

    // Calls the API from Node; answers {status, headers, body} with the body parsed when it is JSON.
    async request(method, pathname, { body, token, raw } = {}) {
        const headers = {};
        if (body !== undefined || raw !== undefined)
            headers['Content-Type'] = 'application/json';
        if (token)
            headers.Authorization = `Bearer ${token}`;
        const response = await fetch(this.apiBase + pathname, {
            method,
            headers,
            body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
            signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        let parsed = text;
        try {
            parsed = text ? JSON.parse(text) : null;
        } catch {
            // not JSON: keep the text
        }
        return { status: response.status, headers: response.headers, body: parsed };
    }

    log() {
        return this.output.stdout + this.output.stderr;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// A browser page with a virtual passkey authenticator.

export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const passkeyAuthenticator = {
    protocol: 'ctap2',
    transport: 'internal',
    hasResidentKey: true,
    hasUserVerification: true,
    isUserVerified: true,
    automaticPresenceSimulation: true,
};

// Everything a test needs, torn down by the test's after hook. `diagnostics()` is appended to a failure.
export class Session {
    constructor(t) {
        this.t = t;
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stint-e2e-'));
        this.home = path.join(this.dir, 'home');
        fs.mkdirSync(this.home);
        this.env = { ...process.env, HOME: this.home, XDG_CONFIG_HOME: path.join(this.home, '.config'),
            XDG_CACHE_HOME: path.join(this.home, '.cache') };
        this.pages = [];
        this.events = []; // console messages, page errors and CSP violations of every page, in order
        this.cloud = null;
        this.browser = null;
        this.newPage = this.newPage.bind(this); // tests destructure the session
    }

    async start(options = {}) {
        this.cloud = await Cloud.start(this.dir, this.env, options);
        this.browser = await chromium.launch({
            executablePath: chromiumPath,
            headless: true,
            args: chromiumArgs,
            env: this.env,
            timeout: 30_000,
        });
        return this;
    }

    // A fresh browser context and page with its own virtual authenticator (so its own passkeys).
    async newPage({ beforeLoad } = {}) {
        const context = await this.browser.newContext();
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        page.setDefaultNavigationTimeout(15_000);
        const index = this.pages.length;
        page.on('console', (m) => this.events.push({ page: index, kind: `console.${m.type()}`, text: m.text() }));
        page.on('pageerror', (e) => this.events.push({ page: index, kind: 'pageerror', text: String(e) }));
        page.on('requestfailed', (r) => this.events.push({ page: index, kind: 'requestfailed',
            text: `${r.method()} ${r.url()}: ${r.failure()?.errorText}` }));
        // CDP-injected, so the page's CSP does not apply to it.
        await page.exposeBinding('__stintReportViolation', (_source, v) =>
            this.events.push({ page: index, kind: 'csp-violation', text: JSON.stringify(v) }));
        await page.addInitScript(() => {
            document.addEventListener('securitypolicyviolation', (e) => {
                window.__stintReportViolation({ directive: e.violatedDirective, blocked: e.blockedURI,
                    source: e.sourceFile, line: e.lineNumber, sample: e.sample });
            });
        });
        if (beforeLoad)
            await page.addInitScript(beforeLoad);
        const cdp = await context.newCDPSession(page);
        await cdp.send('WebAuthn.enable', { enableUI: false });
        const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator',
            { options: passkeyAuthenticator });
        const handle = { page, context, cdp, authenticatorId };
        this.pages.push(handle);
        return handle;
    }

    cspViolations() {
        return this.events.filter((e) => e.kind === 'csp-violation'
            || (e.kind.startsWith('console') && /Content Security Policy/i.test(e.text)));
    }

    async diagnostics() {
        const tail = (text, n) => text.split('\n').slice(-n).join('\n');
        const parts = [];
        if (this.cloud) {
            const state = this.cloud.exit ? `exited: ${JSON.stringify(this.cloud.exit)}` : 'running';
            parts.push(`--- stint-cloud (${this.cloud.origin}, ${state}) log, last lines:\n${tail(this.cloud.log(), 40)}`);
        }
        for (const [index, { page }] of this.pages.entries()) {
            const shown = await withTimeout(page.evaluate(() => ({
                status: document.getElementById('status')?.textContent ?? null,
                error: document.getElementById('error')?.hidden === false
                    ? document.getElementById('error').textContent.replace(/\s+/g, ' ').trim() : null,
            })), 5_000, 'page state').catch((e) => ({ unavailable: e.message }));
            parts.push(`--- page ${index} at ${page.url()}: ${JSON.stringify(shown)}`);
        }
        if (this.events.length)
            parts.push('--- browser events:\n' + this.events.map((e) => `[page ${e.page}] ${e.kind}: ${e.text}`)
                .join('\n'));
        return parts.join('\n');
    }

    async close() {
        const steps = [];
        if (this.browser)
            steps.push(withTimeout(this.browser.close(), 15_000, 'Chromium to close').catch(() => {}));
        if (this.cloud)
            steps.push(this.cloud.stop());
        await Promise.allSettled(steps);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

// node:test's test() with a started Session: torn down in an after hook, its logs attached to a failure.
export function e2eTest(name, body, { timeout = 120_000, cloud = {} } = {}) {
    return test(name, { timeout }, async (t) => {
        const session = new Session(t);
        t.after(() => session.close());
        try {
            await session.start(cloud);
            await body(session, t);
        } catch (e) {
            // The reporter prints the stack, which was fixed when the error was made: extend both.
            if (e instanceof Error) {
                const more = `\n${await session.diagnostics()}`;
                e.message += more;
                if (typeof e.stack === 'string')
                    e.stack += more;
            }
            throw e;
        }
    });
}

// ---------------------------------------------------------------------------------------------------------------
// The page, as a person uses it.

export const enrolledMessage = 'Passkey saved. You can now sign in to Stint.';

export async function waitForText(page, selector, text, timeout = 15_000) {
    await page.locator(selector).filter({ hasText: text }).waitFor({ state: 'visible', timeout });
}

// The error box's title and detail, once it shows.
export async function shownError(page, timeout = 15_000) {
    await page.locator('#error').waitFor({ state: 'visible', timeout });
    return {
        title: (await page.locator('#error-title').textContent()).trim(),
        detail: (await page.locator('#error-detail').textContent()).trim(),
    };
}

// Follows the invite link and creates the passkey with the page's button.
export async function enroll(page, cloud) {
    await page.goto(cloud.inviteUrl);
    await page.getByRole('button', { name: 'Create your passkey' }).click();
    await waitForText(page, '#status', enrolledMessage);
}

// Signs in on /signin with the discoverable passkey, or with the email field; answers the shown person.
export async function signInOnPage(page, cloud, { email } = {}) {
    await page.goto(`${cloud.origin}/signin`);
    if (email) {
        await page.getByLabel('Email address').fill(email);
        await page.getByRole('button', { name: 'Continue with email' }).click();
    } else {
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    }
    await page.locator('#signed-in-view').waitFor({ state: 'visible' });
    return {
        name: (await page.locator('#person-name').textContent()).trim(),
        email: (await page.locator('#person-email').textContent()).trim(),
        role: (await page.locator('#person-role').textContent()).trim(),
        status: (await page.locator('#status').textContent()).trim(),
    };
}

// The desktop app's loopback listener (RFC 8252 §7.3): answers the first request to `pathname`, then closes.
// `host` is 127.0.0.1 or ::1.
export async function loopbackListener(t, { host = '127.0.0.1', pathname = '/callback' } = {}) {
    let received;
    const hit = new Promise((resolve) => { received = resolve; });
    const server = http.createServer((req, res) => {
        const url = new URL(req.url, 'http://127.0.0.1');
        if (url.pathname !== pathname) {
            res.writeHead(404, { Connection: 'close' }).end();
            return;
        }
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', Connection: 'close' });
        res.end('<!DOCTYPE html><title>Stint</title><p>Signed in. You can close this window.</p>');
        server.close();
        received({ url: req.url, query: url.searchParams });
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, resolve);
    });
    t.after(() => {
        server.close();
        server.closeAllConnections();
    });
    const { port } = server.address();
    return {
        redirectUri: `http://${host.includes(':') ? `[${host}]` : host}:${port}${pathname}`,
        received: (timeout = 20_000) => withTimeout(hit, timeout, `the loopback callback on port ${port}`),
    };
}
