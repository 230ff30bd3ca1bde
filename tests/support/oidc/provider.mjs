// A real OpenID provider for soleus-screen's access tests (panva's oidc-provider), on a free loopback port.
//
//   REDIRECT_URIS=http://127.0.0.1:PORT/login/oidc/callback node provider.mjs
//
// Prints one JSON line, {"issuer": "http://127.0.0.1:<port>"}, once it listens; stops on SIGTERM.
// Clients:
//   club-a-app / club-a-secret   client credentials: JWT access tokens for the audience soleus-screen,
//                                team club-a, the scopes it asks for among screen and history:read
//   club-b-app / club-b-secret   the same for team club-b
//   soleus-clinic / clinic-secret   authorization code + PKCE (the clinic pages' sign-in); any login works
//                                (the provider's development login page): "coach" signs in as a coach, any
//                                other name as a clinician of club-a
import http from 'node:http';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const AUDIENCE = 'soleus-screen';
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);

async function signingKey(alg, options) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `test-${alg}` };
}

const server = http.createServer();
server.listen(0, '127.0.0.1', async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const machine = (team) => ({
    client_id: `${team}-app`,
    client_secret: `${team}-secret`,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: 'screen history:read',
    team,
  });
  const provider = new Provider(issuer, {
    clients: [
      machine('club-a'),
      machine('club-b'),
      {
        client_id: 'soleus-clinic',
        client_secret: 'clinic-secret',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: redirectUris,
      },
    ],
    extraClientMetadata: { properties: ['team'] },
    jwks: { keys: [await signingKey('RS256', { modulusLength: 2048 }), await signingKey('ES256')] },
    scopes: ['openid', 'email', 'soleus', 'screen', 'history:read'],
    claims: { openid: ['sub'], email: ['email'], soleus: ['role', 'team'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => `urn:${AUDIENCE}`,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'screen history:read',
          audience: AUDIENCE,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    extraTokenClaims: async (ctx, token) =>
      token.kind === 'ClientCredentials' ? { team: ctx.oidc.client.team } : undefined,
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => ({
        sub: id,
        email: `${id}@clinic.example`,
        role: id === 'coach' ? 'coach' : 'clinician',
        team: ['club-a'],
      }),
    }),
  });
  server.on('request', provider.callback());
  process.stdout.write(JSON.stringify({ issuer }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
