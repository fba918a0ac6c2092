// A real OpenID Connect provider for the tests: the certified `oidc-provider` package.
//
// OIDC_PROVIDER_HOME=/work/oidc-provider-test node provider.mjs PORT REDIRECT_URI CLIENT_ID SECRET
//
// The package lives outside the checkout (OIDC_PROVIDER_HOME, where `npm install` put it);
// an ES module resolves its imports from its own folder, so it is imported by its path.
// One confidential client (code flow, PKCE required), a fresh RSA signing key per run, and
// the package's own development login and consent pages: any login name is accepted, and the
// accounts below decide the claims (an unknown name has no role claim at all).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const home = process.env.OIDC_PROVIDER_HOME;
const entry = createRequire(join(home, 'package.json')).resolve('oidc-provider');
const { default: Provider } = await import(pathToFileURL(entry).href);

const [port, redirectUri, clientId, clientSecret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  'pb-sanne': { name: 'Sanne de Procesbegeleider', hotspot_role: 'procesbegeleider' },
  'ib-anna': { name: 'Anna de Informatiebeheerder', hotspot_role: 'informatiebeheerder' },
  'ar-piet': { name: 'Piet de Archivaris', hotspot_role: 'archivaris' },
  'geen-rol': { name: 'Gerrit Zonder Rol' },
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'hotspot_role'],
  },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const known = ACCOUNTS[id] || { name: id };
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, ...known };
      },
    };
  },
});

const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
