// Each mutant differs from the correct target on the request it is about.
import { createPrivateKey, generateKeyPairSync, verify as cryptoVerify, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SignJWT } from 'jose';
import { startReferenceTarget, MUTANTS, type ReferenceOptions, type ReferenceTarget } from '../src/index';
import { mutantTable } from '../src/mutants';
import { BEARER } from '../../helpers/kit/transports';
import { attackerKey, keyServer, signAsAttacker, signHs256, thumbprintKid } from '../../helpers/jwt-attacks';
import { signWithKey } from '../../helpers/jwt';
import { IAT_AHEAD_SECONDS, NBF_AHEAD_SECONDS, UNKNOWN_EXTENSION } from '../../specs/security-jwt/claims';
import {
  authorize,
  call,
  codeFrom,
  cookieHeader,
  decodePayload,
  env,
  getCode,
  inspect,
  passwordGrant,
  pkcePair,
  redeem,
  signin,
  ssoToCallback,
  userToken,
  inspectWithApiKey,
  inspectWithBearer,
} from './support';

type Probe = (t: ReferenceTarget) => Promise<unknown>;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const bearer = (tok: string) => ({ headers: BEARER.header.place(tok).headers });
const status = async (p: Promise<{ status: number }>): Promise<number> => (await p).status;
const tokenBody = async (t: ReferenceTarget): Promise<any> => userToken(t);

const claims = (t: ReferenceTarget, sub: string) => {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'POS',
    iat: now,
    exp: now + 600,
    jti: 'x',
    aud: 'localhost',
    scope: ['public'],
    sub,
    u: { n: 'x', e: env(t, 'PLACEOS_USER_EMAIL'), p: 0, r: [] },
  };
};

// Issue 22: a real token's claims re-signed as an attacker would; discovery members as served.
const publicKeyOf = (t: ReferenceTarget) => createPublicKey(fs.readFileSync(env(t, 'PLACEOS_JWT_PUBLIC_KEY_FILE'), 'utf8'));
const forgedStatus = async (t: ReferenceTarget, forge: (claims: Record<string, unknown>) => Promise<string>): Promise<number> =>
  status(inspect(t.url, bearer(await forge(decodePayload((await tokenBody(t)).access_token)))));
const viaKeyServer = async (t: ReferenceTarget, member: 'jku' | 'x5u'): Promise<number> => {
  const server = await keyServer(await attackerKey());
  try {
    return await forgedStatus(t, (c) => signAsAttacker(c, { [member]: member === 'jku' ? server.jkuUrl : server.x5uUrl }));
  } finally {
    await server.close();
  }
};
// The crit, nbf and iat rows: the claims re-signed with the target's own key (PLACEOS_JWT_SIGNING_KEY_FILE).
const signingKeyOf = (t: ReferenceTarget) => createPrivateKey(fs.readFileSync(env(t, 'PLACEOS_JWT_SIGNING_KEY_FILE'), 'utf8'));
const ahead = (s: number): number => Math.floor(Date.now() / 1000) + s;
const discoveryDoc = async (t: ReferenceTarget): Promise<any> => (await call(`${t.url}/.well-known/openid-configuration`)).json();

const PROBES: Record<string, { probe: Probe; options?: ReferenceOptions }> = {
  'pkce-verifier-ignored': {
    probe: async (t) => {
      const { challenge } = pkcePair();
      return status(redeem(t, await getCode(t, { challenge }), { code_verifier: pkcePair().verifier }));
    },
  },
  'pkce-ignored': {
    probe: async (t) => {
      const { challenge } = pkcePair();
      return status(redeem(t, await getCode(t, { challenge }), { code_verifier: pkcePair().verifier }));
    },
  },
  'pkce-downgrade': { probe: async (t) => status(redeem(t, await getCode(t), { code_verifier: pkcePair().verifier })) },
  'pkce-challenge-dropped': {
    probe: async (t) => {
      const { challenge } = pkcePair();
      return status(redeem(t, await getCode(t, { challenge })));
    },
  },
  'pkce-s256-as-plain': {
    probe: async (t) => {
      const { challenge } = pkcePair();
      return status(redeem(t, await getCode(t, { challenge }), { code_verifier: challenge }));
    },
  },
  'code-reusable': {
    probe: async (t) => {
      const code = await getCode(t);
      await redeem(t, code);
      return status(redeem(t, code));
    },
  },
  'code-not-bound-to-client': { probe: async (t) => status(redeem(t, await getCode(t), { client_id: env(t, 'PLACEOS_SCOPED_CLIENT_ID') })) },
  'code-not-bound-to-redirect-uri': { probe: async (t) => status(redeem(t, await getCode(t), { redirect_uri: env(t, 'PLACEOS_SCOPED_REDIRECT_URI') })) },
  'code-never-expires': {
    options: { lifetimes: { codeSeconds: 1 } },
    probe: async (t) => {
      const code = await getCode(t);
      await sleep(1100);
      return status(redeem(t, code));
    },
  },
  'redirect-uri-any': { probe: async (t) => (await authorize(t, await signin(t), { redirectUri: 'https://evil.example/cb' })).status },
  'state-dropped': {
    probe: async (t) => {
      const r = await authorize(t, await signin(t), { state: 'state-0123456789-abcdefghij' });
      codeFrom(r);
      return new URL(r.location!).searchParams.get('state');
    },
  },
  'state-truncated': {
    probe: async (t) => new URL((await authorize(t, await signin(t), { state: 'state-0123456789-abcdefghij' })).location!).searchParams.get('state'),
  },
  'token-in-redirect': { probe: async (t) => new URL((await authorize(t, await signin(t))).location!).searchParams.has('access_token') },
  'scope-escalation': { probe: async (t) => status(passwordGrant(t, { scope: 'public mqtt.read' })) },
  'unknown-client-accepted': { probe: async (t) => status(passwordGrant(t, { client_id: 'no-such-client' })) },
  'confidential-secret-ignored': {
    probe: async (t) => status(passwordGrant(t, { client_id: env(t, 'PLACEOS_CONFIDENTIAL_CLIENT_ID'), client_secret: 'wrong' })),
  },
  'wrong-password-accepted': { probe: async (t) => status(passwordGrant(t, { password: 'wrong-password' })) },
  'password-grant-enabled': { probe: async (t) => status(passwordGrant(t)) },
  'created-at-missing': { probe: async (t) => 'created_at' in (await tokenBody(t)) },
  'token-type-mac': { probe: async (t) => (await tokenBody(t)).token_type },
  'expires-in-string': { probe: async (t) => typeof (await tokenBody(t)).expires_in },
  'no-store-missing': { probe: async (t) => (await passwordGrant(t)).headers['cache-control'] },
  'pragma-missing': { probe: async (t) => (await passwordGrant(t)).headers.pragma },
  'error-content-type-html': { probe: async (t) => (await call(`${t.url}/auth/oauth/token`, { form: { grant_type: 'nope' } })).headers['content-type'] },
  'www-authenticate-missing': { probe: async (t) => (await call(`${t.url}/auth/oauth/token/info`, bearer('garbage'))).headers['www-authenticate'] ?? null },
  'refresh-scope-widening': {
    probe: async (t) => {
      const tok = await userToken(t, { scoped: true, scope: 'public' });
      return status(
        call(`${t.url}/auth/oauth/token`, {
          form: { grant_type: 'refresh_token', refresh_token: tok.refresh_token, client_id: env(t, 'PLACEOS_SCOPED_CLIENT_ID'), scope: 'public mqtt.read' },
        }),
      );
    },
  },
  'refresh-other-client': {
    probe: async (t) => {
      const tok = await userToken(t);
      return status(
        call(`${t.url}/auth/oauth/token`, {
          form: { grant_type: 'refresh_token', refresh_token: tok.refresh_token, client_id: env(t, 'PLACEOS_SCOPED_CLIENT_ID') },
        }),
      );
    },
  },
  'refresh-token-reusable': {
    probe: async (t) => {
      const tok = await userToken(t);
      const refresh = () =>
        call(`${t.url}/auth/oauth/token`, { form: { grant_type: 'refresh_token', refresh_token: tok.refresh_token, client_id: env(t, 'PLACEOS_CLIENT_ID') } });
      await refresh();
      await sleep(2200);
      return status(refresh());
    },
  },
  'revoke-noop': {
    probe: async (t) => {
      const tok = await userToken(t);
      await call(`${t.url}/auth/oauth/revoke`, { form: { token: tok.refresh_token, client_id: env(t, 'PLACEOS_CLIENT_ID') } });
      return status(
        call(`${t.url}/auth/oauth/token`, { form: { grant_type: 'refresh_token', refresh_token: tok.refresh_token, client_id: env(t, 'PLACEOS_CLIENT_ID') } }),
      );
    },
  },
  'introspect-no-auth': {
    probe: async (t) => {
      const tok = await userToken(t);
      return (await call(`${t.url}/auth/oauth/introspect`, { form: { token: tok.access_token } })).status;
    },
  },
  'logout-no-revoke': {
    probe: async (t) => {
      const tok = await userToken(t);
      await call(`${t.url}/auth/logout`, bearer(tok.access_token));
      return status(call(`${t.url}/auth/oauth/token/info`, bearer(tok.access_token)));
    },
  },
  'session-cookie-not-httponly': {
    probe: async (t) =>
      (await call(`${t.url}/auth/signin`, { form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD') } })).cookies[0]!.includes(
        'HttpOnly',
      ),
  },
  'session-cookie-not-secure': {
    probe: async (t) =>
      /;\s*secure/i.test(
        (await call(`${t.url}/auth/signin`, { form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD') } })).cookies[0]!,
      ),
  },
  'open-redirect-continue': {
    probe: async (t) =>
      (
        await call(`${t.url}/auth/signin`, {
          form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD'), continue: 'https://evil.example/x' },
        })
      ).location,
  },
  'default-signing-key': {
    probe: async (t) => {
      const tok: string = (await tokenBody(t)).access_token;
      const pub = createPublicKey(fs.readFileSync(path.resolve(__dirname, '../../keys/placeos-default/public.pem'), 'utf8'));
      const [h, p, s] = tok.split('.') as [string, string, string];
      return cryptoVerify('RSA-SHA256', Buffer.from(`${h}.${p}`), pub, Buffer.from(s, 'base64url'));
    },
  },
  'expired-token-accepted': { probe: async (t) => status(inspect(t.url, bearer(env(t, 'PLACEOS_EXPIRED_TOKEN')))) },
  'logged-out-token-accepted': {
    probe: async (t) => {
      const tok = await tokenBody(t);
      await sleep(5);
      await call(`${t.url}/auth/logout`, { headers: { cookie: await signin(t) } });
      return status(inspect(t.url, bearer(tok.access_token)));
    },
  },
  'alg-none-accepted': {
    probe: async (t) => {
      const sub = decodePayload((await tokenBody(t)).access_token).sub;
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return status(inspect(t.url, bearer(`${enc({ alg: 'none' })}.${enc(claims(t, sub))}.`)));
    },
  },
  'wrong-key-accepted': {
    probe: async (t) => {
      const sub = decodePayload((await tokenBody(t)).access_token).sub;
      const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      return status(inspect(t.url, bearer(await new SignJWT(claims(t, sub)).setProtectedHeader({ alg: 'RS256' }).sign(key))));
    },
  },
  'cross-authority-token': { probe: async (t) => status(inspect(t.otherAuthorityUrl, bearer((await tokenBody(t)).access_token))) },
  'transport-header-ignored': { probe: async (t) => status(inspectWithBearer(t.url, 'header', (await tokenBody(t)).access_token)) },
  'transport-param-ignored': { probe: async (t) => status(inspectWithBearer(t.url, 'param', (await tokenBody(t)).access_token)) },
  'transport-cookie-ignored': { probe: async (t) => status(inspectWithBearer(t.url, 'cookie', (await tokenBody(t)).access_token)) },
  'transport-api-key-header-ignored': { probe: async (t) => status(inspectWithApiKey(t.url, 'header', env(t, 'PLACEOS_API_KEY'))) },
  'transport-api-key-param-ignored': { probe: async (t) => status(inspectWithApiKey(t.url, 'param', env(t, 'PLACEOS_API_KEY'))) },
  'api-key-any-secret': { probe: async (t) => status(inspect(t.url, { headers: { 'x-api-key': `${env(t, 'PLACEOS_API_KEY').split('.')[0]}.wrong` } })) },
  'api-key-expiry-ignored': { probe: async (t) => status(inspect(t.url, { headers: { 'x-api-key': env(t, 'PLACEOS_API_KEY_EXPIRED') } })) },
  'inspect-accepts-garbage': { probe: async (t) => status(inspect(t.url, bearer('garbage'))) },
  'inspect-drops-email': { probe: async (t) => 'e' in (await inspect(t.url, bearer((await tokenBody(t)).access_token))).json().u },
  'inspect-iat-string': { probe: async (t) => typeof (await inspect(t.url, bearer((await tokenBody(t)).access_token))).json().iat },
  'inspect-lowercase-suffix': {
    probe: async (t) => (await inspect(t.url, bearer((await userToken(t, { scoped: true, scope: 'public mqtt.read' })).access_token))).json().scope.join(' '),
  },
  'token-endpoint-get': {
    probe: async (t) =>
      status(
        call(
          `${t.url}/auth/oauth/token?${new URLSearchParams({ grant_type: 'password', username: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD'), client_id: env(t, 'PLACEOS_CLIENT_ID') })}`,
        ),
      ),
  },
  'authorize-cors': {
    probe: async (t) =>
      (await call(`${t.url}/auth/oauth/authorize`, { method: 'OPTIONS', headers: { origin: 'https://attacker.example' } })).headers[
        'access-control-allow-origin'
      ] ?? null,
  },
  'unknown-client-redirect': {
    probe: async (t) =>
      (await authorize(t, await signin(t), { clientId: '0123456789abcdef0123456789abcdef', redirectUri: 'https://attacker.example/cb' })).status,
  },
  'signin-307': {
    probe: async (t) =>
      (
        await call(`${t.url}/auth/signin`, {
          form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD'), continue: '/backoffice/' },
        })
      ).status,
  },
  'token-in-error-body': { probe: async (t) => (await inspect(t.url, bearer('eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl'))).body.includes('c2lnbmF0dXJl') },
  'token-type-lowercase': { probe: async (t) => (await tokenBody(t)).token_type },
  'token-response-extra-field': { probe: async (t) => Object.keys(await tokenBody(t)).join(',') },
  'pkce-wrong-verifier-500': {
    probe: async (t) => {
      const { challenge } = pkcePair();
      return status(redeem(t, await getCode(t, { challenge }), { code_verifier: pkcePair().verifier }));
    },
  },
  'code-replay-500': {
    probe: async (t) => {
      const code = await getCode(t);
      await redeem(t, code);
      return status(redeem(t, code));
    },
  },
  'unregistered-redirect-500': { probe: async (t) => (await authorize(t, await signin(t), { redirectUri: 'https://evil.example/cb' })).status },
  'basic-secret-ignored': {
    probe: async (t) => {
      const basic = Buffer.from(`${env(t, 'PLACEOS_CONFIDENTIAL_CLIENT_ID')}:wrong-secret`).toString('base64');
      return status(
        call(`${t.url}/auth/oauth/token`, {
          headers: { authorization: `Basic ${basic}` },
          form: { grant_type: 'password', username: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD') },
        }),
      );
    },
  },
  'refused-refresh-500': {
    probe: async (t) =>
      status(
        call(`${t.url}/auth/oauth/token`, {
          form: { grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token', client_id: env(t, 'PLACEOS_CLIENT_ID') },
        }),
      ),
  },
  'signin-broken': {
    probe: async (t) =>
      (await call(`${t.url}/auth/signin`, { form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD') } })).status,
  },
  'jti-hex': { probe: async (t) => /^[0-9a-f-]{36}$/.test(decodePayload((await tokenBody(t)).access_token).jti) },
  'sso-state-unchecked': {
    probe: async (t) => {
      const { callback, cookie } = await ssoToCallback(t);
      return (await call(callback.replace(/state=[^&]+/, 'state=forged'), { headers: { cookie } })).location;
    },
  },
  'sso-code-replay': {
    probe: async (t) => {
      const first = await ssoToCallback(t);
      await call(first.callback, { headers: { cookie: first.cookie } });
      const kick = await call(`${t.url}/auth/oauth2?id=${env(t, 'PLACEOS_SSO_ID')}`);
      const state = new URL(kick.location!).searchParams.get('state')!;
      return (await call(first.callback.replace(/state=[^&]+/, `state=${state}`), { headers: { cookie: cookieHeader(kick) } })).location;
    },
  },
  'sso-error-not-failure': {
    probe: async (t) => {
      const { callback, cookie } = await ssoToCallback(t);
      return (await call(callback.replace(/code=[^&]+/, 'error=access_denied'), { headers: { cookie } })).location;
    },
  },
  'sso-cookie-not-httponly': {
    probe: async (t) => {
      const { callback, cookie } = await ssoToCallback(t);
      return (await call(callback, { headers: { cookie } })).cookies.find((c) => c.startsWith('user='))?.includes('HttpOnly');
    },
  },
  'sso-open-redirect-continue': {
    probe: async (t) => {
      const { callback, cookie } = await ssoToCallback(t, { continueTo: 'https://evil.example/steal' });
      return (await call(callback, { headers: { cookie } })).location;
    },
  },
  'jwt-hs256-public-key-pem': {
    probe: async (t) => forgedStatus(t, (c) => signHs256(c, Buffer.from(publicKeyOf(t).export({ type: 'spki', format: 'pem' }).toString()))),
  },
  'jwt-hs256-public-key-der': { probe: async (t) => forgedStatus(t, (c) => signHs256(c, publicKeyOf(t).export({ type: 'spki', format: 'der' }))) },
  'jwt-known-kid-unverified': { probe: async (t) => forgedStatus(t, async (c) => signAsAttacker(c, { kid: await thumbprintKid(publicKeyOf(t)) })) },
  'jwt-embedded-jwk-trusted': { probe: async (t) => forgedStatus(t, async (c) => signAsAttacker(c, { jwk: (await attackerKey()).jwk })) },
  'jwt-jku-trusted': { probe: async (t) => viaKeyServer(t, 'jku') },
  'jwt-x5u-trusted': { probe: async (t) => viaKeyServer(t, 'x5u') },
  'jwt-crit-ignored': {
    probe: async (t) =>
      forgedStatus(t, (c) => signWithKey(c, signingKeyOf(t), { header: { crit: [UNKNOWN_EXTENSION], [UNKNOWN_EXTENSION]: true }, crit: [UNKNOWN_EXTENSION] })),
  },
  'jwt-nbf-ignored': { probe: async (t) => forgedStatus(t, (c) => signWithKey({ ...c, nbf: ahead(NBF_AHEAD_SECONDS) }, signingKeyOf(t))) },
  'jwt-iat-future-accepted': { probe: async (t) => forgedStatus(t, (c) => signWithKey({ ...c, iat: ahead(IAT_AHEAD_SECONDS) }, signingKeyOf(t))) },
  'discovery-issuer-mount': { probe: async (t) => (await discoveryDoc(t)).issuer.replace(t.url, '') },
  'discovery-internal-host': { probe: async (t) => new URL((await discoveryDoc(t)).revocation_endpoint).origin === new URL(t.url).origin },
  'jwks-stale-key': {
    probe: async (t) => (await call(`${t.url}/auth/oauth/discovery/keys`)).json().keys[0].n === publicKeyOf(t).export({ format: 'jwk' }).n,
  },
  'discovery-alg-mismatch': { probe: async (t) => (await discoveryDoc(t)).id_token_signing_alg_values_supported },
  // ---- hostile requests (issue 22) ----
  'revoke-ignores-client': {
    probe: async (t) => {
      const tok = await tokenBody(t);
      await call(`${t.url}/auth/oauth/revoke`, { form: { token: tok.access_token, client_id: env(t, 'PLACEOS_SCOPED_CLIENT_ID') } });
      return (await call(`${t.url}/auth/oauth/token/info`, bearer(tok.access_token))).status;
    },
  },
  'revoke-refusal-names-owner': {
    probe: async (t) => {
      const tok = await tokenBody(t);
      return (await call(`${t.url}/auth/oauth/revoke`, { form: { token: tok.access_token, client_id: env(t, 'PLACEOS_SCOPED_CLIENT_ID') } })).body;
    },
  },
  'revoke-refresh-keeps-access': {
    probe: async (t) => {
      const tok = await tokenBody(t);
      await call(`${t.url}/auth/oauth/revoke`, {
        form: { token: tok.refresh_token, token_type_hint: 'refresh_token', client_id: env(t, 'PLACEOS_CLIENT_ID') },
      });
      return (await call(`${t.url}/auth/oauth/token/info`, bearer(tok.access_token))).status;
    },
  },
  'token-malformed-json-500': {
    probe: async (t) => status(call(`${t.url}/auth/oauth/token`, { headers: { 'content-type': 'application/json' }, body: '{"grant_type": "pass' })),
  },
  'duplicate-param-first-wins': {
    probe: async (t) =>
      (
        await call(`${t.url}/auth/oauth/token`, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=refresh_token&refresh_token=nope&client_id=${env(t, 'PLACEOS_CLIENT_ID')}&grant_type=authorization_code`,
        })
      ).json().error,
  },
  'signin-non-utf8-500': {
    probe: async (t) =>
      status(call(`${t.url}/auth/signin`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=x%40example.com&password=%FF%FE' })),
  },
  'authorize-long-state-500': { probe: async (t) => (await authorize(t, await signin(t), { state: 's'.repeat(5000) })).status },
  'revoke-empty-body-500': {
    probe: async (t) => status(call(`${t.url}/auth/oauth/revoke`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })),
  },
  'signin-continue-cookie-not-httponly': {
    probe: async (t) =>
      (
        await call(`${t.url}/auth/signin`, {
          form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD'), continue: '/backoffice/' },
        })
      ).cookies
        .find((c) => c.startsWith('user='))
        ?.includes('HttpOnly'),
  },
  'signin-continue-cookie-no-samesite': {
    probe: async (t) =>
      (
        await call(`${t.url}/auth/signin`, {
          form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD'), continue: '/backoffice/' },
        })
      ).cookies
        .find((c) => c.startsWith('user='))
        ?.includes('SameSite'),
  },
  'token-cors-credentials': {
    probe: async (t) =>
      (await call(`${t.url}/auth/oauth/token`, { method: 'OPTIONS', headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST' } }))
        .headers['access-control-allow-credentials'] ?? null,
  },
  'rest-api-cors-credentials': {
    probe: async (t) => (await inspect(t.url, { headers: { origin: 'https://attacker.example' } })).headers['access-control-allow-credentials'] ?? null,
  },
};

test('catalogue: at least 30 mutants, unique names, a benign one, every mutant has a probe', () => {
  expect(MUTANTS.length).toBeGreaterThanOrEqual(30);
  expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length);
  expect(MUTANTS.find((m) => m.name === 'token-type-lowercase')?.benign).toBe(true);
  expect(Object.keys(PROBES).sort()).toEqual(MUTANTS.map((m) => m.name).sort());
  expect(mutantTable()).toContain('| `code-reusable` |');
});

test('unknown mutant name is rejected with the list of valid names', async () => {
  await expect(startReferenceTarget({ mutants: ['nope'] })).rejects.toThrow(/valid mutants: .*code-reusable/);
});

// One correct target per (profile, options) and one target per mutant, all started up front.
const targets = new Map<string, ReferenceTarget>();
const keyOf = (profile: string, options?: ReferenceOptions): string => `${profile}:${JSON.stringify(options ?? {})}`;

beforeAll(async () => {
  const jobs: [string, ReferenceOptions][] = [];
  for (const m of MUTANTS) {
    const profile = m.profiles?.[0] ?? 'rails';
    const options = PROBES[m.name]?.options;
    const good = keyOf(profile, options);
    if (!jobs.some(([k]) => k === good)) jobs.push([good, { ...options, profile, quiet: true }]);
    jobs.push([m.name, { ...options, profile, mutants: [m.name], quiet: true }]);
  }
  for (let i = 0; i < jobs.length; i += 8) {
    const batch = jobs.slice(i, i + 8);
    const started = await Promise.all(batch.map(([, o]) => startReferenceTarget(o)));
    batch.forEach(([k], j) => targets.set(k, started[j]!));
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([...targets.values()].map((t) => t.close()));
});

test.each(MUTANTS.map((m) => [m.name, m] as const))('mutant %s differs from the correct target', async (name, m) => {
  const profile = m.profiles?.[0] ?? 'rails';
  const entry = PROBES[name]!;
  const good = targets.get(keyOf(profile, entry.options))!;
  const bad = targets.get(name)!;
  const [a, b] = await Promise.all([entry.probe(good), entry.probe(bad)]);
  expect(b).not.toEqual(a);
});

void createPrivateKey;

test('the README lists exactly the catalogue (regenerate the table with mutantTable())', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
  expect(readme).toContain(mutantTable());
});
