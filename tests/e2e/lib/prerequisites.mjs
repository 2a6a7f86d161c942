// SPDX-License-Identifier: GPL-3.0-or-later
//
// What every end-to-end test needs before it starts: an executable under test, Debian's Chromium and playwright-core.
// A missing one fails the test file with a message saying what to do: CI must not skip these.

import fs from 'node:fs';

export const chromiumPath = process.env.STINT_CHROMIUM || '/usr/bin/chromium';

export function prerequisite(ok, message) {
    if (!ok)
        throw new Error(`e2e prerequisite missing: ${message}`);
}

export const isExecutable = (file) => {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
};

// The binary named by environment variable `variable` (set by ctest), checked.
export function requireBinary(variable, buildPath) {
    const file = process.env[variable] || '';
    prerequisite(file !== '',
        `${variable} is not set. Run these tests through ctest (ctest -L e2e), or set ${variable}=${buildPath}.`);
    prerequisite(isExecutable(file), `${variable}=${file} is not an executable file. Build it first.`);
    return file;
}

prerequisite(isExecutable(chromiumPath),
    `Chromium is not at ${chromiumPath}. Install it (apt-get install chromium) or set STINT_CHROMIUM.`);

let playwright;
try {
    playwright = await import('playwright-core');
} catch (e) {
    throw new Error('e2e prerequisite missing: playwright-core cannot be loaded; run `npm ci` in tests/e2e. ' +
        `(${e.message})`);
}
export const chromium = playwright.chromium;

export function withTimeout(promise, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
