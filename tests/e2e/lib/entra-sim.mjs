// SPDX-License-Identifier: GPL-3.0-or-later
//
// entra-sim for the end-to-end tests: starts the real `entra-sim` binary ($ENTRA_SIM) on a free port with a scenario
// written to a temporary directory, a headless Chromium (Debian's, through playwright-core), and a loopback
// listener that plays the app's redirect URI. Nothing waits for a fixed time: every wait is on output or a
// condition, bounded by a timeout.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { chromium, chromiumPath, requireBinary, withTimeout } from './prerequisites.mjs';

export { chromiumPath, withTimeout };
export const simBinary = requireBinary('ENTRA_SIM', 'build/bin/entra-sim');

const children = new Set();
process.on('exit', () => {
    for (const child of children)
        child.kill('SIGKILL');
});

// A running entra-sim with the given scenario (the JSON of POST /_sim/scenario, tests/entra-sim/README.md).
export class EntraSim {
    constructor(child, output, base, dir) {
        Object.assign(this, { child, output, base, dir });
    }

    static async start(scenario) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entra-sim-e2e-'));
        const file = path.join(dir, 'scenario.json');
        fs.writeFileSync(file, JSON.stringify(scenario, null, 2));
        const child = spawn(simBinary, ['--port', '0', '--scenario', file], { stdio: ['ignore', 'pipe', 'pipe'] });
        children.add(child);
        child.once('exit', () => children.delete(child));
        const output = { stdout: '', stderr: '' };
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (chunk) => { output.stderr += chunk; });
        const ready = new Promise((resolve, reject) => {
            child.stdout.on('data', (chunk) => {
                output.stdout += chunk;
                const m = /entra-sim ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout);
                if (m)
                    resolve(m[1]);
            });
            child.once('error', reject);
            child.once('exit', (code, signal) => reject(new Error(
                `entra-sim exited (${code ?? signal}) before it was ready:\n${output.stdout}${output.stderr}`)));
        });
        const base = await withTimeout(ready, 20_000, 'the "entra-sim ready" line');
        return new EntraSim(child, output, base, dir);
    }

    async stop() {
        if (this.child.exitCode === null && this.child.signalCode === null) {
            const exited = new Promise((resolve) => this.child.once('exit', resolve));
            this.child.kill('SIGTERM');
            await withTimeout(exited, 5_000, 'entra-sim to stop').catch(() => this.child.kill('SIGKILL'));
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    log() {
        return this.output.stdout + this.output.stderr;
    }

    // POST application/x-www-form-urlencoded; answers {status, body} with JSON parsed.
    async postForm(pathname, fields) {
        const response = await fetch(this.base + pathname, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(fields).toString(),
            signal: AbortSignal.timeout(15_000),
        });
        return { status: response.status, body: await response.json().catch(() => null) };
    }

    async graph(method, pathname, token, body) {
        const response = await fetch(`${this.base}/v1.0${pathname}`, {
            method,
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(15_000),
        });
        return { status: response.status, body: await response.json().catch(() => null) };
    }

    // An app-only Graph token for `tenant` with a client secret (protocols.md 1.3).
    async appToken(tenant, clientId, secret) {
        const r = await this.postForm(`/${tenant}/oauth2/v2.0/token`, {
            client_id: clientId, client_secret: secret, grant_type: 'client_credentials',
            scope: 'https://graph.microsoft.com/.default',
        });
        if (r.status !== 200)
            throw new Error(`client_credentials failed: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body.access_token;
    }
}

// The app's loopback redirect URI (RFC 8252 §7.3): records every callback to `pathname`.
export async function loopbackListener({ pathname = '/callback' } = {}) {
    const waiters = [];
    const received = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url, 'http://127.0.0.1');
        if (url.pathname !== pathname) {
            res.writeHead(404, { Connection: 'close' }).end();
            return;
        }
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', Connection: 'close' });
        res.end('<!DOCTYPE html><title>App</title><p>Signed in. You can close this window.</p>');
        received.push(url.searchParams);
        while (waiters.length)
            waiters.shift()();
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address();
    return {
        port,
        redirectUri: `http://127.0.0.1:${port}${pathname}`,
        // The next callback (the `count`-th overall), within `timeout`.
        async next(count, timeout = 20_000) {
            const until = new Promise((resolve) => {
                const check = () => (received.length >= count ? resolve(received[count - 1]) : waiters.push(check));
                check();
            });
            return withTimeout(until, timeout, `callback #${count} on port ${port}`);
        },
        count: () => received.length,
        close() {
            server.close();
            server.closeAllConnections();
        },
    };
}

export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// A headless Chromium with its own HOME; `newPage()` gives a fresh context (no cookies) whose console messages,
// page errors and CSP violations are collected in `events`.
export async function launchBrowser() {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'entra-sim-e2e-home-'));
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_CACHE_HOME: path.join(home, '.cache') };
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, env,
        timeout: 30_000 });
    const events = [];
    return {
        browser,
        events,
        async newPage() {
            const context = await browser.newContext();
            const page = await context.newPage();
            page.setDefaultTimeout(15_000);
            page.on('console', (m) => events.push({ kind: `console.${m.type()}`, text: m.text() }));
            page.on('pageerror', (e) => events.push({ kind: 'pageerror', text: String(e) }));
            await page.exposeBinding('__simReportViolation', (_source, v) =>
                events.push({ kind: 'csp-violation', text: JSON.stringify(v) }));
            await page.addInitScript(() => {
                document.addEventListener('securitypolicyviolation', (e) => {
                    window.__simReportViolation({ directive: e.violatedDirective, blocked: e.blockedURI });
                });
            });
            return { page, context };
        },
        async close() {
            await withTimeout(browser.close(), 15_000, 'Chromium to close').catch(() => {});
            fs.rmSync(home, { recursive: true, force: true });
        },
    };
}
