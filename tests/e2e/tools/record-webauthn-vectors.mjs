// SPDX-License-Identifier: GPL-3.0-or-later
//
// Records WebAuthn known-answer vectors for tests/unit/TestWebAuthn.cpp from implementations independent of
// Stint's verifier:
//   - Chromium's CDP virtual authenticator (headless Debian /usr/bin/chromium driven by playwright-core), serving a
//     blank page from a tiny local HTTP server on http://localhost:<port>;
//   - Node's own crypto (plus the openssl CLI for attestation certificates) for what the virtual authenticator
//     cannot produce: packed self attestation with Ed25519 and RSA-2048 when Chromium lacks them, assertions with
//     cleared UP/UV flags that are still validly signed, and packed full attestation with defective certificates.
//
// A dev tool run by hand; the unit tests only read the committed JSON:
//   cd tests/e2e && npm install && node tools/record-webauthn-vectors.mjs [outDir]
// outDir defaults to ../data/webauthn (i.e. tests/data/webauthn). Existing files there are overwritten.

import { chromium } from 'playwright-core';

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(process.argv[2] ?? path.join(here, '..', '..', 'data', 'webauthn'));
const rpId = 'localhost';
const overallTimeoutMs = 120_000;
const stepTimeoutMs = 15_000;

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

function withTimeout(promise, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------------------------
// A small CBOR encoder (RFC 8949): unsigned/negative integers, byte strings (Buffer/Uint8Array), text strings,
// arrays, Maps (encoded in insertion order: callers build them in CTAP2 canonical order) and booleans.

function cborHead(major, value) {
    if (value < 24)
        return Buffer.from([(major << 5) | value]);
    if (value < 0x100)
        return Buffer.from([(major << 5) | 24, value]);
    if (value < 0x10000) {
        const b = Buffer.alloc(3);
        b[0] = (major << 5) | 25;
        b.writeUInt16BE(value, 1);
        return b;
    }
    if (value < 0x100000000) {
        const b = Buffer.alloc(5);
        b[0] = (major << 5) | 26;
        b.writeUInt32BE(value, 1);
        return b;
    }
    throw new Error('CBOR value too large for this encoder');
}

function cbor(value) {
    if (typeof value === 'number') {
        if (!Number.isInteger(value))
            throw new Error('only integers');
        return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
    }
    if (typeof value === 'boolean')
        return Buffer.from([value ? 0xf5 : 0xf4]);
    if (typeof value === 'string') {
        const bytes = Buffer.from(value, 'utf8');
        return Buffer.concat([cborHead(3, bytes.length), bytes]);
    }
    if (value instanceof Uint8Array)
        return Buffer.concat([cborHead(2, value.length), Buffer.from(value)]);
    if (Array.isArray(value))
        return Buffer.concat([cborHead(4, value.length), ...value.map(cbor)]);
    if (value instanceof Map) {
        const parts = [cborHead(5, value.size)];
        for (const [k, v] of value)
            parts.push(cbor(k), cbor(v));
        return Buffer.concat(parts);
    }
    throw new Error(`cannot CBOR-encode ${typeof value}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Node-built authenticator pieces.

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

function u32be(n) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n, 0);
    return b;
}

function u16be(n) {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n, 0);
    return b;
}

function coseKeyFor(alg, publicKey) {
    const jwk = publicKey.export({ format: 'jwk' });
    const d = (s) => Buffer.from(s, 'base64url');
    // CTAP2 canonical order: shorter encodings first, so 1, 3, -1, -2, -3.
    if (alg === -7)
        return cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, d(jwk.x)], [-3, d(jwk.y)]]));
    if (alg === -8)
        return cbor(new Map([[1, 1], [3, -8], [-1, 6], [-2, d(jwk.x)]]));
    if (alg === -257)
        return cbor(new Map([[1, 3], [3, -257], [-1, d(jwk.n)], [-2, d(jwk.e)]]));
    throw new Error(`unsupported alg ${alg}`);
}

function generateKey(alg) {
    if (alg === -7)
        return crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    if (alg === -8)
        return crypto.generateKeyPairSync('ed25519');
    if (alg === -257)
        return crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    throw new Error(`unsupported alg ${alg}`);
}

function signWith(alg, privateKey, data) {
    // ES256: DER ECDSA-Sig-Value (Node's default); EdDSA: raw 64 bytes; RS256: PKCS#1 v1.5 (Node's default for RSA).
    return crypto.sign(alg === -8 ? null : 'sha256', data, privateKey);
}

function clientDataJson(type, challenge, origin) {
    // The serialization browsers use (W3C WebAuthn §5.8.1.1): type, challenge, origin, crossOrigin.
    return Buffer.from(JSON.stringify({ type, challenge: b64url(challenge), origin, crossOrigin: false }), 'utf8');
}

function authData({ flags, signCount, aaguid, credentialId, coseKey }) {
    const parts = [sha256(rpId), Buffer.from([flags]), u32be(signCount)];
    if (flags & FLAG_AT)
        parts.push(aaguid, u16be(credentialId.length), credentialId, coseKey);
    return Buffer.concat(parts);
}

function attestationObject(fmt, attStmt, authDataBytes) {
    return cbor(new Map([['fmt', fmt], ['attStmt', attStmt], ['authData', authDataBytes]]));
}

function registrationRecord({ challenge, cdj, attObj, expected }) {
    return {
        challenge: b64url(challenge),
        clientDataJSON: b64url(cdj),
        attestationObject: b64url(attObj),
        expected,
    };
}

function nodeAssertion({ alg, privateKey, origin, signCount, flags }) {
    const challenge = crypto.randomBytes(32);
    const cdj = clientDataJson('webauthn.get', challenge, origin);
    const ad = authData({ flags, signCount });
    const signature = signWith(alg, privateKey, Buffer.concat([ad, sha256(cdj)]));
    return {
        challenge: b64url(challenge),
        clientDataJSON: b64url(cdj),
        authenticatorData: b64url(ad),
        signature: b64url(signature),
        expected: {
            signCount,
            userPresent: !!(flags & FLAG_UP),
            userVerified: !!(flags & FLAG_UV),
        },
    };
}

// Packed self attestation (no x5c; signed by the credential key itself) plus two assertions.
function nodeSelfAttestedVector(alg, origin) {
    const { publicKey, privateKey } = generateKey(alg);
    const credentialId = crypto.randomBytes(32);
    const aaguid = crypto.randomBytes(16);
    const challenge = crypto.randomBytes(32);
    const cdj = clientDataJson('webauthn.create', challenge, origin);
    const ad = authData({ flags: FLAG_UP | FLAG_UV | FLAG_AT, signCount: 0, aaguid, credentialId,
                          coseKey: coseKeyFor(alg, publicKey) });
    const sig = signWith(alg, privateKey, Buffer.concat([ad, sha256(cdj)]));
    const attObj = attestationObject('packed', new Map([['alg', alg], ['sig', sig]]), ad);
    return {
        keys: { publicKey, privateKey },
        registration: registrationRecord({
            challenge, cdj, attObj,
            expected: {
                alg, fmt: 'packed', attestationType: 'self', signCount: 0, credentialId: b64url(credentialId),
                aaguid: aaguid.toString('hex'), userVerified: true, backupEligible: false, backupState: false,
            },
        }),
        assertions: [1, 2].map((signCount) =>
            nodeAssertion({ alg, privateKey, origin, signCount, flags: FLAG_UP | FLAG_UV })),
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Packed full attestation with certificates made by the openssl CLI: one good certificate and several that break
// one requirement of W3C WebAuthn §8.2.1 each.

function openssl(args, cwd) {
    return execFileSync('openssl', args, { cwd, timeout: stepTimeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

function makeAttestationCert(dir, name, { subject, extensions, v1 = false }) {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
    const args = ['x509', '-req', '-in', `${name}.csr`, '-key', `${name}.key`, '-days', '36500', '-outform', 'DER',
                  '-out', `${name}.der`];
    if (!v1) {
        fs.writeFileSync(path.join(dir, `${name}.ext`), extensions.join('\n') + '\n');
        args.push('-extfile', `${name}.ext`);
    }
    openssl(args, dir);
    const der = fs.readFileSync(path.join(dir, `${name}.der`));
    const privateKey = crypto.createPrivateKey(fs.readFileSync(path.join(dir, `${name}.key`)));
    return { der, privateKey };
}

function nodeFullAttestationVectors(origin, tmp) {
    const aaguid = crypto.randomBytes(16);
    const otherAaguid = crypto.randomBytes(16);
    const aaguidExt = (a) => `1.3.6.1.4.1.45724.1.1.4=DER:04:10:${a.toString('hex').match(/../g).join(':')}`;
    const goodSubject = '/C=SE/O=Stint Test Vendor/OU=Authenticator Attestation/CN=Stint Test Authenticator';
    const cases = [
        { name: 'good', subject: goodSubject, extensions: ['basicConstraints=critical,CA:FALSE', aaguidExt(aaguid)],
          error: null },
        { name: 'no-aaguid-ext', subject: goodSubject, extensions: ['basicConstraints=CA:FALSE'], error: null },
        { name: 'ca-true', subject: goodSubject, extensions: ['basicConstraints=critical,CA:TRUE', aaguidExt(aaguid)],
          error: 'webauthn.bad_attestation' },
        { name: 'wrong-ou', subject: '/C=SE/O=Stint Test Vendor/OU=Something Else/CN=Stint Test Authenticator',
          extensions: ['basicConstraints=CA:FALSE', aaguidExt(aaguid)], error: 'webauthn.bad_attestation' },
        { name: 'aaguid-mismatch', subject: goodSubject,
          extensions: ['basicConstraints=CA:FALSE', aaguidExt(otherAaguid)], error: 'webauthn.bad_attestation' },
        { name: 'aaguid-ext-critical', subject: goodSubject,
          extensions: ['basicConstraints=CA:FALSE', aaguidExt(aaguid).replace('=DER', '=critical,DER')],
          error: 'webauthn.bad_attestation' },
        { name: 'v1', subject: goodSubject, v1: true, error: 'webauthn.bad_attestation' },
    ];
    const vectors = {};
    for (const c of cases) {
        const cert = makeAttestationCert(tmp, c.name, c);
        const { publicKey, privateKey } = generateKey(-7);
        const credentialId = crypto.randomBytes(32);
        const challenge = crypto.randomBytes(32);
        const cdj = clientDataJson('webauthn.create', challenge, origin);
        const ad = authData({ flags: FLAG_UP | FLAG_UV | FLAG_AT, signCount: 0, aaguid, credentialId,
                              coseKey: coseKeyFor(-7, publicKey) });
        const sig = signWith(-7, cert.privateKey, Buffer.concat([ad, sha256(cdj)]));
        const attObj = attestationObject('packed', new Map([['alg', -7], ['sig', sig], ['x5c', [cert.der]]]), ad);
        const expected = c.error
            ? { error: c.error }
            : { alg: -7, fmt: 'packed', attestationType: 'basic', signCount: 0, credentialId: b64url(credentialId),
                aaguid: aaguid.toString('hex'), userVerified: true, backupEligible: false, backupState: false };
        vectors[`node-packed-full-es256-${c.name}`] = {
            description: `Node-built packed full attestation, openssl CLI certificate: ${c.name}`,
            source: 'node-crypto+openssl-cli',
            rpId, origin,
            registration: registrationRecord({ challenge, cdj, attObj, expected }),
            assertions: [1].map((signCount) =>
                nodeAssertion({ alg: -7, privateKey, origin, signCount, flags: FLAG_UP | FLAG_UV })),
        };
        if (c.error)
            vectors[`node-packed-full-es256-${c.name}`].assertions = [];
    }
    return vectors;
}

// ---------------------------------------------------------------------------------------------------------------
// Chromium's virtual authenticator.

const page = `<!doctype html><html><head><meta charset="utf-8"><title>webauthn vectors</title></head>
<body><p>webauthn vectors</p></body></html>`;

function startServer() {
    const server = http.createServer((req, res) => {
        if (req.url === '/' || req.url === '/index.html') {
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
            res.end(page);
        } else {
            res.writeHead(404);
            res.end();
        }
    });
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
    });
}

// Runs in the page. Receives and returns base64url strings.
async function pageCreate({ challenge, userId, algs, attestation, userVerification, residentKey }) {
    const d = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const e = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
        .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const cred = await navigator.credentials.create({
        publicKey: {
            rp: { id: 'localhost', name: 'Stint test' },
            user: { id: d(userId), name: 'tech@example.test', displayName: 'Test Technician' },
            challenge: d(challenge),
            pubKeyCredParams: algs.map((alg) => ({ type: 'public-key', alg })),
            authenticatorSelection: { residentKey, userVerification },
            attestation,
            timeout: 10000,
        },
    });
    return {
        id: cred.id,
        rawId: e(cred.rawId),
        clientDataJSON: e(cred.response.clientDataJSON),
        attestationObject: e(cred.response.attestationObject),
        authenticatorData: e(cred.response.getAuthenticatorData()),
        publicKeyAlgorithm: cred.response.getPublicKeyAlgorithm(),
        transports: cred.response.getTransports(),
    };
}

async function pageGet({ challenge, credentialId, userVerification }) {
    const d = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const e = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
        .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const cred = await navigator.credentials.get({
        publicKey: {
            rpId: 'localhost',
            challenge: d(challenge),
            allowCredentials: [{ type: 'public-key', id: d(credentialId) }],
            userVerification,
            timeout: 10000,
        },
    });
    return {
        rawId: e(cred.rawId),
        clientDataJSON: e(cred.response.clientDataJSON),
        authenticatorData: e(cred.response.authenticatorData),
        signature: e(cred.response.signature),
        userHandle: cred.response.userHandle ? e(cred.response.userHandle) : null,
    };
}

function describeAuthData(ad) {
    const flags = ad[32];
    const signCount = ad.readUInt32BE(33);
    const out = { flags, signCount, userPresent: !!(flags & 1), userVerified: !!(flags & 4),
                  backupEligible: !!(flags & 8), backupState: !!(flags & 16) };
    if (flags & FLAG_AT)
        out.aaguid = ad.subarray(37, 53).toString('hex');
    return out;
}

// Reads `fmt` from an attestationObject without a CBOR decoder: Chromium emits the CTAP2 canonical map
// {"fmt": tstr, "attStmt": map, "authData": bstr}, so "fmt" comes first.
function fmtOf(attObj) {
    const key = Buffer.from([0x63, 0x66, 0x6d, 0x74]); // tstr(3) "fmt"
    const at = attObj.indexOf(key);
    if (at !== 1)
        throw new Error('unexpected attestationObject layout');
    const head = attObj[at + 4];
    if ((head >> 5) !== 3 || (head & 31) >= 24)
        throw new Error('unexpected fmt encoding');
    return attObj.subarray(at + 5, at + 5 + (head & 31)).toString('utf8');
}

function hasX5c(attObj) {
    return attObj.includes(Buffer.from([0x63, 0x78, 0x35, 0x63])); // tstr(3) "x5c"
}

async function recordChromium(origin, vectors) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stint-webauthn-home-'));
    const browser = await withTimeout(chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
               '--disable-component-update', '--disable-sync'],
        env: { ...process.env, HOME: home },
        timeout: stepTimeoutMs,
    }), stepTimeoutMs, 'launch chromium');
    const notes = [];
    try {
        const context = await browser.newContext();
        context.setDefaultTimeout(stepTimeoutMs);
        const tab = await context.newPage();
        await tab.goto(origin + '/', { timeout: stepTimeoutMs });
        const cdp = await context.newCDPSession(tab);
        await withTimeout(cdp.send('WebAuthn.enable', { enableUI: false }), stepTimeoutMs, 'WebAuthn.enable');

        const authenticators = {
            internal: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true,
                        hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
            usbNoUv: { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: false,
                       isUserVerified: false, automaticPresenceSimulation: true },
            u2f: { protocol: 'u2f', transport: 'usb', hasResidentKey: false, hasUserVerification: false,
                   automaticPresenceSimulation: true },
            backedUp: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true,
                        hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
                        defaultBackupEligibility: true, defaultBackupState: true },
        };
        const scenarios = [
            { name: 'es256-none', auth: 'internal', algs: [-7], attestation: 'none', uv: 'required' },
            { name: 'es256-direct', auth: 'internal', algs: [-7], attestation: 'direct', uv: 'required' },
            { name: 'eddsa-none', auth: 'internal', algs: [-8], attestation: 'none', uv: 'required' },
            { name: 'eddsa-direct', auth: 'internal', algs: [-8], attestation: 'direct', uv: 'required' },
            { name: 'rs256-none', auth: 'internal', algs: [-257], attestation: 'none', uv: 'required' },
            { name: 'rs256-direct', auth: 'internal', algs: [-257], attestation: 'direct', uv: 'required' },
            { name: 'es256-none-up-only', auth: 'usbNoUv', algs: [-7], attestation: 'none', uv: 'discouraged',
              rk: 'discouraged' },
            { name: 'es256-direct-up-only', auth: 'usbNoUv', algs: [-7], attestation: 'direct', uv: 'discouraged',
              rk: 'discouraged' },
            { name: 'u2f-none', auth: 'u2f', algs: [-7], attestation: 'none', uv: 'discouraged', rk: 'discouraged' },
            { name: 'u2f-direct', auth: 'u2f', algs: [-7], attestation: 'direct', uv: 'discouraged',
              rk: 'discouraged' },
            { name: 'es256-none-backed-up', auth: 'backedUp', algs: [-7], attestation: 'none', uv: 'required' },
        ];

        for (const s of scenarios) {
            const { authenticatorId } = await withTimeout(
                cdp.send('WebAuthn.addVirtualAuthenticator', { options: authenticators[s.auth] }), stepTimeoutMs,
                'addVirtualAuthenticator');
            try {
                const challenge = crypto.randomBytes(32);
                let created;
                try {
                    created = await withTimeout(tab.evaluate(pageCreate, {
                        challenge: b64url(challenge), userId: b64url(crypto.randomBytes(16)), algs: s.algs,
                        attestation: s.attestation, userVerification: s.uv, residentKey: s.rk ?? 'preferred',
                    }), stepTimeoutMs, `create ${s.name}`);
                } catch (err) {
                    notes.push(`${s.name}: Chromium's virtual authenticator refused: ${err.message.split('\n')[0]}`);
                    continue;
                }
                const attObj = Buffer.from(created.attestationObject, 'base64url');
                const ad = Buffer.from(created.authenticatorData, 'base64url');
                const info = describeAuthData(ad);
                const fmt = fmtOf(attObj);
                const attestationType = fmt === 'none' ? 'none' : hasX5c(attObj) ? 'basic' : 'self';
                // Stint accepts only the 'none' and 'packed' formats.
                const unsupportedFormat = fmt !== 'none' && fmt !== 'packed';
                notes.push(`${s.name}: alg ${created.publicKeyAlgorithm}, fmt ${fmt} (${attestationType}), ` +
                           `signCount ${info.signCount}, flags 0x${info.flags.toString(16)}`);
                const assertions = [];
                for (let i = 0; i < 2; ++i) {
                    const getChallenge = crypto.randomBytes(32);
                    const got = await withTimeout(tab.evaluate(pageGet, {
                        challenge: b64url(getChallenge), credentialId: created.rawId, userVerification: s.uv,
                    }), stepTimeoutMs, `get ${s.name} #${i + 1}`);
                    const gad = describeAuthData(Buffer.from(got.authenticatorData, 'base64url'));
                    assertions.push({
                        challenge: b64url(getChallenge),
                        clientDataJSON: got.clientDataJSON,
                        authenticatorData: got.authenticatorData,
                        signature: got.signature,
                        userHandle: got.userHandle,
                        expected: { signCount: gad.signCount, userPresent: gad.userPresent,
                                    userVerified: gad.userVerified },
                    });
                }
                vectors[`chromium-${s.name}`] = {
                    description: `Chromium ${authenticators[s.auth].transport} virtual authenticator, ` +
                                 `pubKeyCredParams [${s.algs}], attestation '${s.attestation}', ` +
                                 `userVerification '${s.uv}'`,
                    source: 'chromium-virtual-authenticator',
                    authenticator: authenticators[s.auth],
                    rpId, origin,
                    registration: {
                        challenge: b64url(challenge),
                        clientDataJSON: created.clientDataJSON,
                        attestationObject: created.attestationObject,
                        expected: unsupportedFormat ? { error: 'webauthn.bad_attestation', fmt } : {
                            alg: created.publicKeyAlgorithm, fmt, attestationType, signCount: info.signCount,
                            credentialId: created.rawId, aaguid: info.aaguid, userVerified: info.userVerified,
                            backupEligible: info.backupEligible, backupState: info.backupState,
                        },
                    },
                    assertions,
                };
            } finally {
                await withTimeout(cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId }), stepTimeoutMs,
                                  'removeVirtualAuthenticator');
            }
        }
        return notes;
    } finally {
        await withTimeout(browser.close(), stepTimeoutMs, 'close chromium').catch(() => {});
        fs.rmSync(home, { recursive: true, force: true });
    }
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
    const server = await startServer();
    const origin = `http://localhost:${server.address().port}`;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stint-webauthn-certs-'));
    const vectors = {};
    try {
        const notes = await recordChromium(origin, vectors);
        for (const note of notes)
            console.log(note);

        // Node-built vectors: always for EdDSA and RS256 (so both exist whatever Chromium supports), and for the
        // flag cases Chromium cannot be made to sign.
        for (const [name, alg] of [['eddsa', -8], ['rs256', -257], ['es256', -7]]) {
            const v = nodeSelfAttestedVector(alg, origin);
            vectors[`node-packed-self-${name}`] = {
                description: `Node-built packed self attestation, ${name}`,
                source: 'node-crypto',
                rpId, origin,
                registration: v.registration,
                assertions: v.assertions,
            };
            if (alg === -7) {
                // Validly signed assertions whose flags say the user was not verified / not present.
                vectors[`node-packed-self-${name}`].flagAssertions = [
                    nodeAssertion({ alg, privateKey: v.keys.privateKey, origin, signCount: 3, flags: FLAG_UP }),
                    nodeAssertion({ alg, privateKey: v.keys.privateKey, origin, signCount: 4, flags: 0 }),
                ];
            }
        }
        Object.assign(vectors, nodeFullAttestationVectors(origin, tmp));
    } finally {
        server.close();
        fs.rmSync(tmp, { recursive: true, force: true });
    }

    fs.mkdirSync(outDir, { recursive: true });
    for (const [name, vector] of Object.entries(vectors)) {
        const file = path.join(outDir, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify({ name, ...vector }, null, 2) + '\n');
        console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
}

const watchdog = setTimeout(() => {
    console.error(`record-webauthn-vectors: gave up after ${overallTimeoutMs} ms`);
    process.exit(2);
}, overallTimeoutMs);
watchdog.unref();

main().then(() => process.exit(0), (err) => {
    console.error(err);
    process.exit(1);
});
