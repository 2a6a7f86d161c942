// SPDX-License-Identifier: GPL-3.0-or-later
//
// Makes the known-answer data for tests/unit/TestPublicKey.cpp with implementations independent of Stint's code:
// keys and signatures from Node's crypto, X.509 certificates from the openssl CLI. RFC 8032 §7.1 Ed25519 test
// vectors are added verbatim. A dev tool run by hand; the unit tests only read the committed JSON:
//   node tests/e2e/tools/make-publickey-vectors.mjs [outFile]
// outFile defaults to tests/data/publickey/vectors.json.

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outFile = path.resolve(process.argv[2] ?? path.join(here, '..', '..', 'data', 'publickey', 'vectors.json'));
const b64url = (buf) => Buffer.from(buf).toString('base64url');

// A minimal CBOR encoder: integers, byte strings, text strings and Maps (encoded in insertion order).
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
    throw new Error('value too large for this encoder');
}

function cbor(value) {
    if (typeof value === 'number')
        return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
    if (typeof value === 'string') {
        const bytes = Buffer.from(value, 'utf8');
        return Buffer.concat([cborHead(3, bytes.length), bytes]);
    }
    if (value instanceof Uint8Array)
        return Buffer.concat([cborHead(2, value.length), Buffer.from(value)]);
    if (value instanceof Map) {
        const parts = [cborHead(5, value.size)];
        for (const [k, v] of value)
            parts.push(cbor(k), cbor(v));
        return Buffer.concat(parts);
    }
    throw new Error(`cannot encode ${typeof value}`);
}

function coseKey(alg, publicKey) {
    const jwk = publicKey.export({ format: 'jwk' });
    const d = (s) => Buffer.from(s, 'base64url');
    if (alg === -7)
        return cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, d(jwk.x)], [-3, d(jwk.y)]]));
    if (alg === -8)
        return cbor(new Map([[1, 1], [3, -8], [-1, 6], [-2, d(jwk.x)]]));
    return cbor(new Map([[1, 3], [3, -257], [-1, d(jwk.n)], [-2, d(jwk.e)]]));
}

const message = Buffer.from('Stint known-answer message: a technician checked out an admin account.', 'utf8');
const signatures = [];
for (const [name, alg, keygen] of [
    ['es256', -7, () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['eddsa', -8, () => crypto.generateKeyPairSync('ed25519')],
    ['rs256-2048', -257, () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['rs256-3072', -257, () => crypto.generateKeyPairSync('rsa', { modulusLength: 3072 })],
]) {
    const { publicKey, privateKey } = keygen();
    const signature = crypto.sign(alg === -8 ? null : 'sha256', message, privateKey);
    if (!crypto.verify(alg === -8 ? null : 'sha256', message, publicKey, signature))
        throw new Error('self-check failed');
    signatures.push({
        name, alg, source: 'node-crypto',
        coseKey: b64url(coseKey(alg, publicKey)),
        spki: b64url(publicKey.export({ format: 'der', type: 'spki' })),
        message: b64url(message),
        signature: b64url(signature),
    });
}

// RFC 8032 §7.1, TEST 1 and TEST 2.
const rfc8032 = [
    ['rfc8032-test1', 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '',
     'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
     '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'],
    ['rfc8032-test2', '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72',
     '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
     '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'],
];
for (const [name, pub, msg, sig] of rfc8032) {
    signatures.push({
        name, alg: -8, source: 'RFC 8032 section 7.1',
        coseKey: b64url(cbor(new Map([[1, 1], [3, -8], [-1, 6], [-2, Buffer.from(pub, 'hex')]]))),
        message: b64url(Buffer.from(msg, 'hex')),
        signature: b64url(Buffer.from(sig, 'hex')),
    });
}

// A 1024-bit RSA key: well-formed but too weak.
const weak = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
const weakRsaKey = b64url(coseKey(-257, weak.publicKey));

// Certificates from the openssl CLI.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stint-publickey-'));
const openssl = (args) => execFileSync('openssl', args, { cwd: tmp, timeout: 15000, stdio: ['ignore', 'pipe', 'pipe'] });
function makeCert(name, { keyArgs, subject, extensions, v1 = false }) {
    openssl([...keyArgs, '-out', `${name}.key`]);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
    const args = ['x509', '-req', '-in', `${name}.csr`, '-key', `${name}.key`, '-days', '36500', '-outform', 'DER',
                  '-out', `${name}.der`];
    if (!v1) {
        fs.writeFileSync(path.join(tmp, `${name}.ext`), extensions.join('\n') + '\n');
        args.push('-extfile', `${name}.ext`);
    }
    openssl(args);
    const der = fs.readFileSync(path.join(tmp, `${name}.der`));
    const key = crypto.createPrivateKey(fs.readFileSync(path.join(tmp, `${name}.key`)));
    return { der, key };
}
const ec = ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'];
const p384 = ['ecparam', '-name', 'secp384r1', '-genkey', '-noout'];
const ed = ['genpkey', '-algorithm', 'ed25519'];
const rsa = ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
const aaguid = '000102030405060708090a0b0c0d0e0f';
const aaguidExt = (hex, critical = false) =>
    `1.3.6.1.4.1.45724.1.1.4=${critical ? 'critical,' : ''}DER:04:10:${hex.match(/../g).join(':')}`;
const subject = '/C=SE/O=Stint Test Vendor/OU=Authenticator Attestation/CN=Stint Test Authenticator';
const certCases = [
    { name: 'es256-full', keyArgs: ec, subject, extensions: ['basicConstraints=critical,CA:FALSE', aaguidExt(aaguid)],
      expect: { version: 3, ca: false, hasBasicConstraints: true, aaguid, keyAlg: -7, country: 'SE',
                organization: 'Stint Test Vendor', organizationalUnit: 'Authenticator Attestation',
                commonName: 'Stint Test Authenticator' } },
    { name: 'eddsa-no-aaguid', keyArgs: ed, subject, extensions: ['basicConstraints=CA:FALSE'],
      expect: { version: 3, ca: false, hasBasicConstraints: true, aaguid: null, keyAlg: -8 } },
    { name: 'rsa-ca', keyArgs: rsa, subject, extensions: ['basicConstraints=critical,CA:TRUE'],
      expect: { version: 3, ca: true, hasBasicConstraints: true, aaguid: null, keyAlg: -257 } },
    { name: 'es256-v1', keyArgs: ec, subject, v1: true,
      expect: { version: 1, ca: false, hasBasicConstraints: false, aaguid: null, keyAlg: -7 } },
    { name: 'es256-no-basic-constraints', keyArgs: ec, subject: '/CN=Only a common name',
      extensions: ['subjectKeyIdentifier=hash'],
      expect: { version: 3, ca: false, hasBasicConstraints: false, aaguid: null, keyAlg: -7, country: '',
                organization: '', organizationalUnit: '', commonName: 'Only a common name' } },
    { name: 'es256-aaguid-critical', keyArgs: ec, subject,
      extensions: ['basicConstraints=CA:FALSE', aaguidExt(aaguid, true)],
      expect: { version: 3, ca: false, hasBasicConstraints: true, aaguid, aaguidCritical: true, keyAlg: -7 } },
    { name: 'es256-aaguid-wrong-length', keyArgs: ec, subject,
      extensions: ['basicConstraints=CA:FALSE', '1.3.6.1.4.1.45724.1.1.4=DER:04:03:01:02:03'],
      expect: { error: 'x509.malformed' } },
    { name: 'p384', keyArgs: p384, subject, extensions: ['basicConstraints=CA:FALSE'],
      expect: { version: 3, ca: false, hasBasicConstraints: true, aaguid: null, keyAlg: null } },
];
const certificates = [];
const certMessage = Buffer.from('signed by an attestation key', 'utf8');
try {
    for (const c of certCases) {
        const { der, key } = makeCert(c.name, c);
        const entry = { name: c.name, source: 'openssl-cli', der: b64url(der), expected: c.expect };
        if (c.expect.keyAlg) {
            entry.message = b64url(certMessage);
            entry.signature = b64url(crypto.sign(c.expect.keyAlg === -8 ? null : 'sha256', certMessage, key));
        }
        certificates.push(entry);
    }
} finally {
    fs.rmSync(tmp, { recursive: true, force: true });
}

fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify({ signatures, weakRsaKey, certificates }, null, 2) + '\n');
console.log(`wrote ${outFile}`);
