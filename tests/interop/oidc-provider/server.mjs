// SPDX-License-Identifier: GPL-3.0-or-later
// An independent, real OAuth 2.0 authorization server (panva/oidc-provider, OpenID Certified) for
// tests/integration/TestTokenInterop: client credentials with a client secret (post and basic) and with
// private_key_jwt client assertions signed PS256 or RS256 by the key of a certificate the test made.
//
//   INTEROP_CLIENT_SECRET=… node server.mjs <certificate.pem>
// Listens on 127.0.0.1:0 and prints one JSON line: {"port":…,"issuer":…,"tokenEndpoint":…,"scope":…}.
import http from 'node:http';
import fs from 'node:fs';
import { createPublicKey } from 'node:crypto';
import Provider from 'oidc-provider';

const certificatePath = process.argv[2];
if (!certificatePath) {
  console.error('usage: node server.mjs <certificate.pem>');
  process.exit(2);
}
const jwk = createPublicKey(fs.readFileSync(certificatePath)).export({ format: 'jwk' });

// The scope TokenProvider asks for is "<graph root>/.default"; the test points its Graph root here.
const scope = 'https://graph.interop.test/.default';
const secret = process.env.INTEROP_CLIENT_SECRET;
if (!secret) {
  console.error('INTEROP_CLIENT_SECRET is not set');
  process.exit(2);
}
const machine = {
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope,
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      { ...machine, client_id: 'secret-post-client', client_secret: secret, token_endpoint_auth_method: 'client_secret_post' },
      { ...machine, client_id: 'secret-basic-client', client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' },
      {
        ...machine,
        client_id: 'cert-ps256-client',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'PS256',
        jwks: { keys: [{ ...jwk, use: 'sig' }] },
      },
      {
        ...machine,
        client_id: 'cert-rs256-client',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS256',
        jwks: { keys: [{ ...jwk, use: 'sig' }] },
      },
    ],
    scopes: [scope],
    clientAuthMethods: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
    enabledJWA: { clientAuthSigningAlgValues: ['PS256', 'RS256'] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
    },
  });
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  provider.on('grant.error', (ctx, error) => console.error('grant.error', error.message, error.error_description ?? ''));
  server.on('request', provider.callback());
  console.log(JSON.stringify({ port, issuer, tokenEndpoint: `${issuer}/token`, scope }));
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
