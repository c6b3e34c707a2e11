// Each endpoint on each profile, over real HTTP against in-process targets.
import * as fs from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startReferenceTarget, type ReferenceTarget } from '../src/index';
import { PROFILES, type ProfileName } from '../src/profiles';
import { redirectUriMatches } from '../src/grants';
import { BEARER, BEARER_TRANSPORTS } from '../../helpers/kit/transports';
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

const targets = new Map<ProfileName, ReferenceTarget>();
beforeAll(async () => {
  const started = await Promise.all((['rails', 'rails-2023', 'authcr'] as const).map((p) => startReferenceTarget({ profile: p, quiet: true })));
  for (const t of started) targets.set(t.profile, t);
});
afterAll(async () => {
  await Promise.all([...targets.values()].map((t) => t.close()));
});
const T = (p: ProfileName): ReferenceTarget => targets.get(p)!;
const bearer = (tok: string) => ({ headers: BEARER.header.place(tok).headers });

describe.each(['rails', 'rails-2023', 'authcr'] as const)('profile %s', (profile) => {
  const P = PROFILES[profile];

  test('env has the documented keys and the public key file', () => {
    const t = T(profile);
    for (const k of [
      'PLACEOS_URL',
      'PLACEOS_OTHER_AUTHORITY_URL',
      'PLACEOS_CLIENT_ID',
      'PLACEOS_REDIRECT_URI',
      'PLACEOS_CLIENT_SCOPES',
      'PLACEOS_CONFIDENTIAL_CLIENT_ID',
      'PLACEOS_CONFIDENTIAL_CLIENT_SECRET',
      'PLACEOS_CONFIDENTIAL_REDIRECT_URI',
      'PLACEOS_SCOPED_CLIENT_ID',
      'PLACEOS_SCOPED_REDIRECT_URI',
      'PLACEOS_SCOPED_CLIENT_SCOPES',
      'PLACEOS_SERVICE_EMAIL',
      'PLACEOS_SERVICE_PASSWORD',
      'PLACEOS_USER_EMAIL',
      'PLACEOS_USER_PASSWORD',
      'PLACEOS_API_KEY',
      'PLACEOS_API_KEY_EXPIRED',
      'PLACEOS_EXPIRED_TOKEN',
      'PLACEOS_JWT_PUBLIC_KEY_FILE',
      'PLACEOS_JWT_SIGNING_KEY_FILE',
      'PLACEOS_SSO_ID',
      'PLACEOS_SSO_USERNAME',
      'PLACEOS_SSO_PASSWORD',
    ]) {
      expect(t.env[k]?.length).toBeGreaterThan(0);
    }
    expect(t.env.PLACEOS_GENERATION).toBeUndefined();
    expect(fs.readFileSync(env(t, 'PLACEOS_JWT_PUBLIC_KEY_FILE'), 'utf8')).toContain('BEGIN PUBLIC KEY');
    // The key pair the target signs with: the public key file is the public half of the signing key.
    const signing = fs.readFileSync(env(t, 'PLACEOS_JWT_SIGNING_KEY_FILE'), 'utf8');
    expect(signing).toContain('BEGIN PRIVATE KEY');
    expect(createPublicKey(signing).export({ type: 'spki', format: 'pem' }).toString()).toBe(fs.readFileSync(env(t, 'PLACEOS_JWT_PUBLIC_KEY_FILE'), 'utf8'));
    expect(t.envFile()).toContain(`PLACEOS_CLIENT_ID=${env(t, 'PLACEOS_CLIENT_ID')}`);
  });

  test('signin: 202 + session cookie attributes; wrong password 401', async () => {
    const t = T(profile);
    const ok = await call(`${t.url}/auth/signin`, { form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD') } });
    expect(ok.status).toBe(202);
    const session = ok.cookies.find((c) => c.startsWith(`${P.sessionCookieName}=`))!;
    expect(session).toMatch(/path=\/auth/);
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/secure/i);
    expect(ok.cookies.some((c) => c.startsWith('verified='))).toBe(true);
    const bad = await call(`${t.url}/auth/signin`, { form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: 'nope' } });
    expect(bad.status).toBe(401);
    const viaQuery = await call(
      `${t.url}/auth/signin?email=${encodeURIComponent(env(t, 'PLACEOS_USER_EMAIL'))}&password=${encodeURIComponent(env(t, 'PLACEOS_USER_PASSWORD'))}`,
      { method: 'POST' },
    );
    expect(viaQuery.status).toBe(P.signinReadsQuery ? 202 : P.signinMissingEmailStatus);
    const cont = await call(`${t.url}/auth/signin`, {
      form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD'), continue: '/dashboard' },
    });
    expect(cont.status).toBe(P.signinContinueStatus);
    expect(cont.location).toBe(P.locationStyle === 'absolute' ? `${t.url}/dashboard` : '/dashboard');
  });

  test('authorize: no session redirects to login; code flow with each PKCE method the profile accepts', async () => {
    const t = T(profile);
    const none = await authorize(t, '');
    expect(none.status).toBe(P.noSessionAuthorize.status);
    expect(none.location).toMatch(P.noSessionAuthorize.to === 'login_url' ? /\/login\?continue=%2Fauth%2Foauth%2Fauthorize/ : /^\/auth\/login$/);
    for (const method of P.pkceMethods) {
      const { verifier, challenge } = pkcePair();
      const c = method === 'plain' ? verifier : challenge;
      const r = await authorize(t, await signin(t), { challenge: c, method, state: 'xyz' });
      expect(r.status).toBe(302);
      expect(r.location!.startsWith(env(t, 'PLACEOS_REDIRECT_URI'))).toBe(true);
      expect(new URL(r.location!).searchParams.get('state')).toBe('xyz');
      const tok = await redeem(t, codeFrom(r), { code_verifier: verifier });
      expect(tok.status).toBe(200);
      expect(tok.headers['cache-control']).toMatch(/no-store/);
      expect(tok.headers.pragma).toBe('no-cache');
      const body = tok.json();
      expect(body.token_type).toBe('Bearer');
      expect(body.expires_in).toBe(7200);
      expect('created_at' in body).toBe(P.createdAtInTokenResponse);
      expect(decodePayload(body.access_token)).toMatchObject({ iss: 'POS', aud: 'localhost', scope: ['public'] });
      if (P.refreshTokenFormat === 'opaque') expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      else expect(body.refresh_token.split('.')).toHaveLength(3);
    }
    if (!P.pkceMethods.includes('plain') && P.pkce === 'enforced') {
      const { verifier } = pkcePair();
      const r = await authorize(t, await signin(t), { challenge: verifier, method: 'plain' });
      expect(r.status).toBe(400);
    }
  });

  test('authorize errors: unknown client, bad redirect_uri, unsupported response_type', async () => {
    const t = T(profile);
    const cookie = await signin(t);
    const unknown = await authorize(t, cookie, { clientId: 'nope' });
    expect(unknown.status).toBe(P.authorizeUnknownClientError.status);
    expect(unknown.location).toBeUndefined();
    expect(unknown.headers['content-type']).toMatch(P.authorizeErrorStyle === 'html' ? /text\/html/ : /json/);
    const badUri = await authorize(t, cookie, { redirectUri: 'https://evil.example/cb' });
    expect(badUri.status).toBe(P.authorizeRedirectMismatchError.status);
    const rt = await authorize(t, cookie, { responseType: 'CODE' });
    expect(rt.status).toBe(400);
    const deny = await call(
      `${t.url}/auth/oauth/authorize?response_type=code&client_id=${env(t, 'PLACEOS_CLIENT_ID')}&redirect_uri=${encodeURIComponent(env(t, 'PLACEOS_REDIRECT_URI'))}&state=s1`,
      { method: 'DELETE', headers: { cookie } },
    );
    expect(deny.status).toBe(302);
    expect(new URL(deny.location!).searchParams.get('error')).toBe('access_denied');
  });

  test('PKCE per generation: wrong verifier', async () => {
    const t = T(profile);
    const { challenge } = pkcePair();
    const r = await redeem(t, await getCode(t, { challenge }), { code_verifier: pkcePair().verifier });
    if (P.pkce === 'ignored') expect(r.status).toBe(200);
    else expect([r.status, r.json().error]).toEqual([P.pkceWrongVerifierStatus, 'invalid_grant']);
  });

  test('token endpoint errors', async () => {
    const t = T(profile);
    const code = await getCode(t);
    expect((await redeem(t, code)).status).toBe(200);
    const again = await redeem(t, code);
    expect([again.status, again.json().error]).toEqual([400, 'invalid_grant']);
    const noGrant = await call(`${t.url}/auth/oauth/token`, { form: { client_id: env(t, 'PLACEOS_CLIENT_ID') } });
    expect(noGrant.status).toBe(P.missingGrantTypeStatus);
    const unknownGrant = await call(`${t.url}/auth/oauth/token`, { form: { grant_type: 'magic' } });
    expect([unknownGrant.status, unknownGrant.json().error]).toEqual([400, 'unsupported_grant_type']);
    const pw = await passwordGrant(t);
    if (P.passwordGrant) {
      expect(pw.status).toBe(200);
      const wrong = await passwordGrant(t, { password: 'bad' });
      expect([wrong.status, wrong.json().error]).toEqual([400, 'invalid_grant']);
      expect(wrong.headers['www-authenticate']).toMatch(/realm="Doorkeeper"/);
      const badClient = await passwordGrant(t, { client_id: 'nope' });
      expect([badClient.status, badClient.json().error]).toEqual([401, 'invalid_client']);
      const json = await call(`${t.url}/auth/oauth/token`, {
        json: {
          grant_type: 'password',
          username: env(t, 'PLACEOS_USER_EMAIL'),
          password: env(t, 'PLACEOS_USER_PASSWORD'),
          client_id: env(t, 'PLACEOS_CLIENT_ID'),
        },
      });
      expect(json.status).toBe(200);
    } else {
      expect([pw.status, pw.json()]).toEqual([400, { error: 'unsupported_grant_type', error_description: 'the password grant has been disabled' }]);
      const json = await call(`${t.url}/auth/oauth/token`, { json: { grant_type: 'authorization_code' } });
      expect([json.status, json.json().parameter]).toEqual([422, 'grant_type']);
    }
    const repeated = await call(`${t.url}/auth/oauth/token`, {
      body: 'grant_type=password&grant_type=password',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([repeated.status, repeated.json().error]).toEqual([400, 'invalid_request']);
    const big = await call(`${t.url}/auth/oauth/token`, {
      body: `grant_type=${'x'.repeat(100_000)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(big.status).toBe(413);
    expect((await call(`${t.url}/auth/oauth/token`)).status).toBe(404); // GET: catch-all
  });

  test('refresh, revoke, introspect, token/info', async () => {
    const t = T(profile);
    const tok = await userToken(t);
    const cid = env(t, 'PLACEOS_CLIENT_ID');
    const refreshed = await call(`${t.url}/auth/oauth/token`, { form: { grant_type: 'refresh_token', refresh_token: tok.refresh_token, client_id: cid } });
    expect(refreshed.status).toBe(200);
    const info = await call(`${t.url}/auth/oauth/token/info`, bearer(tok.access_token));
    expect(info.status).toBe(200);
    expect(info.json()).toMatchObject({ scope: ['public'], application: { uid: cid } });
    const badInfo = await call(`${t.url}/auth/oauth/token/info`, bearer('nope'));
    expect([badInfo.status, badInfo.json().error]).toEqual([401, 'invalid_token']);
    expect(badInfo.headers['www-authenticate']).toMatch(/Bearer realm="Doorkeeper"/);
    const intro = await call(`${t.url}/auth/oauth/introspect`, { form: { token: tok.access_token, client_id: cid } });
    expect(intro.json()).toMatchObject({ active: true, client_id: cid, token_type: 'Bearer' });
    expect((await call(`${t.url}/auth/oauth/introspect`, { form: { token: tok.access_token } })).status).toBe(400);
    const r2 = refreshed.json();
    const rv = await call(`${t.url}/auth/oauth/revoke`, { form: { token: r2.refresh_token, client_id: cid } });
    expect(rv.status).toBe(200);
    expect(rv.body).toBe(P.revokeSuccessBody === 'empty' ? '' : '{}');
    const after = await call(`${t.url}/auth/oauth/token`, { form: { grant_type: 'refresh_token', refresh_token: r2.refresh_token, client_id: cid } });
    expect([after.status, after.json().error]).toEqual([400, 'invalid_grant']);
    if (P.revokeNeedsClient) expect((await call(`${t.url}/auth/oauth/revoke`, { form: { token: 'x' } })).status).toBe(403);
    // rest-api still accepts the revoked access token until exp (stateless JWT check)
    expect((await inspect(t.url, bearer(r2.access_token))).status).toBe(200);
  });

  test('rest-api: transports, precedence, envelopes, inspect shape', async () => {
    const t = T(profile);
    const tok = await userToken(t, { scoped: true, scope: 'public mqtt.read' });
    for (const o of [
      ...BEARER_TRANSPORTS.map((via) => ({ r: inspectWithBearer(t.url, via, tok.access_token) })),
      { r: inspectWithBearer(t.url, 'header', tok.access_token, 'Token') },
    ]) {
      const res = await o.r;
      expect(res.status).toBe(200);
      expect(Object.keys(res.json())).toEqual(['iss', 'iat', 'exp', 'aud', 'sub', 'scope', 'u']);
      expect(res.json().scope).toEqual(['public', 'mqtt.Read']);
      expect(Object.keys(res.json().u)).toEqual(['n', 'e', 'p', 'r']);
    }
    expect((await inspectWithBearer(t.url, 'header', tok.access_token, 'bearer')).status).toBe(401);
    expect((await inspect(t.url, { headers: { authorization: '  ' } }, `?bearer_token=${tok.access_token}`)).json()).toEqual({ error: '' });
    expect((await inspect(t.url)).json()).toEqual({ error: '' });
    expect((await inspectWithApiKey(t.url, 'header', 'keys-x.y')).json()).toEqual({ error: 'unknown X-API-Key' });
    const expired = await inspectWithApiKey(t.url, 'header', env(t, 'PLACEOS_API_KEY_EXPIRED'));
    // API-key expiry came with the June 2026 rest-api change: rails-2023 predates it.
    if (profile === 'rails-2023') expect(expired.status).toBe(200);
    else expect(expired.json()).toEqual({ error: 'API key has expired' });
    // API key wins over a valid bearer
    expect((await inspectWithApiKey(t.url, 'header', 'keys-x.y', BEARER.header.place(tok.access_token).headers)).status).toBe(401);
    const key = await inspectWithApiKey(t.url, 'param', env(t, 'PLACEOS_API_KEY'));
    expect(key.status).toBe(200);
    expect(key.json().u.p).toBe(0);
    const keyCookie = await inspect(t.url, { headers: { cookie: `api-key=${env(t, 'PLACEOS_API_KEY')}` } });
    expect(keyCookie.status).toBe(200);
    expect((await inspect(t.url, bearer(env(t, 'PLACEOS_EXPIRED_TOKEN')))).status).toBe(401);
    expect((await inspect(t.otherAuthorityUrl, bearer(tok.access_token))).json()).toEqual({ error: "authority domain does not match token's" });
    const unknownHost = await call(`${t.url}/api/engine/v2/api_keys/inspect`, {
      headers: { host: 'unknown.example', authorization: `Bearer ${tok.access_token}` },
    });
    expect(unknownHost.json()).toEqual({ error: 'authority not found' });
    const me = await call(`${t.url}/api/engine/v2/users/current`, bearer(tok.access_token));
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ id: decodePayload(tok.access_token).sub, email: env(t, 'PLACEOS_USER_EMAIL'), sys_admin: false, support: false });
  });

  test('logout: stamps logged_out_at, earlier JWTs rejected, later ones accepted', async () => {
    const t = T(profile);
    const before = await userToken(t);
    const cookie = await signin(t);
    const out = await call(`${t.url}/auth/logout`, { headers: { cookie } });
    expect(out.status).toBe(P.logoutStatus);
    expect(out.location).toBe(P.locationStyle === 'absolute' ? `${t.url}/` : '/');
    expect((await inspect(t.url, bearer(before.access_token))).json()).toEqual({ error: 'logged out' });
    const afterTok = await userToken(t);
    expect((await inspect(t.url, bearer(afterTok.access_token))).status).toBe(200);
    // API keys are not affected by logout
    expect((await inspect(t.url, { headers: { 'x-api-key': env(t, 'PLACEOS_API_KEY') } })).status).toBe(200);
  });

  test('authority, login, discovery, jwks, healthz, aliases, catch-all', async () => {
    const t = T(profile);
    const a = await call(`${t.url}/auth/authority`);
    expect(a.status).toBe(200);
    expect(a.json()).toMatchObject({ domain: 'localhost', version: 'v2.0.0', session: false, token_valid: false, login_url: '/login?continue={{url}}' });
    const cookie = await signin(t);
    expect((await call(`${t.url}/auth/authority`, { headers: { cookie } })).json().session).toBe(true);
    expect((await call(`${t.otherAuthorityUrl}/auth/authority`)).json().domain).toBe('127.0.0.1');
    const unknown = await call(`${t.url}/auth/authority`, { headers: { host: 'unknown.example' } });
    expect(unknown.status).toBe(404);
    expect((await call(`${t.url}/auth/authority?health`, { headers: { host: 'unknown.example' } })).status).toBe(200);
    const login = await call(`${t.url}/auth/login?continue=%2Fhome`);
    expect(login.status).toBe(303);
    expect(login.location).toBe(P.locationStyle === 'absolute' ? `${t.url}/login?continue=/home` : '/login?continue=/home');
    expect((await call(`${t.url}/auth/login?continue=/x.js`)).status).toBe(400);
    const disco = await call(`${t.url}/.well-known/openid-configuration`);
    expect(disco.status).toBe(P.discovery ? 200 : 404);
    if (P.discovery) expect(disco.json().jwks_uri).toBe(`${t.url}/auth/oauth/discovery/keys`);
    const keys = await call(`${t.url}/auth/oauth/discovery/keys`);
    expect(keys.status).toBe(P.jwks ? 200 : 404);
    if (P.jwks) expect(keys.json().keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect((await call(`${t.url}/auth/healthz`)).status).toBe(P.healthz ? 200 : 404);
    const alias = await call(`${t.url}/auth/token`, { form: { grant_type: 'magic' } });
    expect(alias.status).toBe(P.shortAliases ? 400 : 404);
    const other = await call(`${t.url}/auth/nothing-here`);
    expect([other.status, other.body]).toEqual([404, '']);
  });

  test('SSO: kick-off → the OpenID provider login form → callback sets the session; a forged state or an IdP error fails', async () => {
    const t = T(profile);
    const { callback, cookie } = await ssoToCallback(t);
    const forged = await call(callback.replace(/state=[^&]+/, 'state=forged'), { headers: { cookie } });
    expect(forged.location).toMatch(/\/auth\/failure\?message=csrf_detected/);
    const cb = await call(callback, { headers: { cookie } });
    expect(cb.status).toBe(302);
    expect(new URL(cb.location!, t.url).pathname).toBe('/');
    const session = cookieHeader(cb);
    expect(session).toContain(`${P.sessionCookieName}=`);
    expect((await call(`${t.url}/auth/authority`, { headers: { cookie: session } })).json().session).toBe(true);
    const again = await ssoToCallback(t);
    const denied = await call(again.callback.replace(/code=[^&]+/, 'error=access_denied'), { headers: { cookie: again.cookie } });
    expect(denied.location).toMatch(/\/auth\/failure\?message=access_denied/);
    const wrongPassword = await ssoToCallback(t, { password: 'not-the-password' }).catch((e: Error) => e.message);
    expect(wrongPassword).toMatch(/did not send the browser back|no login form/);
    expect((await call(`${t.url}/auth/oauth2`)).status).toBe(P.ssoMissingIdStatus);
  });
});

test('rails-2023 ignores PKCE entirely; rails enforces it', async () => {
  const { challenge } = pkcePair();
  const old = T('rails-2023');
  expect((await redeem(old, await getCode(old, { challenge }))).status).toBe(200);
  const cur = T('rails');
  const r = await redeem(cur, await getCode(cur, { challenge }));
  expect([r.status, r.json().error]).toEqual([400, 'invalid_request']);
  const down = await redeem(cur, await getCode(cur), { code_verifier: pkcePair().verifier });
  expect([down.status, down.json().error]).toEqual([400, 'invalid_grant']);
});

test('SSO: the identity provider starts on the first SSO request, once for concurrent ones, and stops with the target', async () => {
  const t = await startReferenceTarget({ quiet: true });
  let issuer = '';
  try {
    const kick = `${t.url}/auth/oauth2?id=${env(t, 'PLACEOS_SSO_ID')}`;
    const kicks = await Promise.all([call(kick), call(kick), call(kick)]);
    expect(kicks.map((k) => k.status)).toEqual([302, 302, 302]);
    const origins = new Set(kicks.map((k) => new URL(k.location!).origin));
    expect(origins.size).toBe(1);
    issuer = [...origins][0]!;
    expect((await call(`${issuer}/.well-known/openid-configuration`)).json().issuer).toBe(issuer);
    expect((await ssoToCallback(t)).callback).toContain(`${t.url}/auth/oauth2/callback`);
  } finally {
    await t.close();
  }
  await expect(call(`${issuer}/.well-known/openid-configuration`)).rejects.toThrow(/ECONNREFUSED/);
});

test('TLS: https with the generated CA, SAN covers localhost and 127.0.0.1', async () => {
  const t = await startReferenceTarget({ tls: true, quiet: true });
  try {
    const ca = fs.readFileSync(env(t, 'PLACEOS_CA_FILE'), 'utf8');
    expect(t.url).toMatch(/^https:\/\/localhost:/);
    expect((await call(`${t.url}/auth/authority`, { ca })).status).toBe(200);
    expect((await call(`${t.otherAuthorityUrl}/auth/authority`, { ca })).json().domain).toBe('127.0.0.1');
    expect(env(t, 'PLACEOS_REDIRECT_URI')).toMatch(/^https:\/\/localhost:\d+\/backoffice\/oauth-resp.html$/);
  } finally {
    await t.close();
  }
  expect(fs.existsSync(env(t, 'PLACEOS_CA_FILE'))).toBe(false);
});

test('lifetimes are configurable (access token expiry in seconds)', async () => {
  const t = await startReferenceTarget({ lifetimes: { accessTokenSeconds: 1 }, quiet: true });
  try {
    const tok = (await passwordGrant(t)).json();
    expect(tok.expires_in).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await inspect(t.url, bearer(tok.access_token))).status).toBe(401);
  } finally {
    await t.close();
  }
});

test('CLI: a bad option is one line naming it, exit 2', () => {
  const root = path.resolve(__dirname, '../..');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'reference/src/cli.ts'), '--profile', 'nope'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/--profile "nope".*rails, rails-2023, authcr/);
});

test('Doorkeeper (rails): the token endpoint splits scope on any whitespace; authorize refuses tabs and newlines', async () => {
  const t = T('rails');
  const scoped = env(t, 'PLACEOS_SCOPED_CLIENT_ID');
  for (const sep of ['\t', '\n']) {
    const r = await passwordGrant(t, { client_id: scoped, scope: `public${sep}mqtt.read` });
    expect([r.status, r.json().scope]).toEqual([200, 'public mqtt.read']);
    const a = await authorize(t, await signin(t), { clientId: scoped, redirectUri: env(t, 'PLACEOS_SCOPED_REDIRECT_URI'), scope: `public${sep}mqtt.read` });
    expect(a.status).toBe(400);
  }
  // auth.cr keeps space-only separation.
  const c = T('authcr');
  const code = await getCode(c, {
    clientId: env(c, 'PLACEOS_SCOPED_CLIENT_ID'),
    redirectUri: env(c, 'PLACEOS_SCOPED_REDIRECT_URI'),
    challenge: pkcePair().challenge,
    scope: 'public\tmqtt.read',
  }).catch((e: Error) => e);
  expect(code).toBeInstanceOf(Error);
});

test('Doorkeeper (rails): any port is accepted for a loopback IP literal redirect_uri, not for a host name (RFC 8252 §7.3)', async () => {
  const ctx = { profile: PROFILES.rails } as unknown as Parameters<typeof redirectUriMatches>[0];
  expect(redirectUriMatches(ctx, 'http://127.0.0.1:9999/cb', 'http://127.0.0.1:8080/cb')).toBe(true);
  expect(redirectUriMatches(ctx, 'http://[::1]:9999/cb', 'http://[::1]:8080/cb')).toBe(true);
  expect(redirectUriMatches(ctx, 'http://localhost:9999/cb', 'http://localhost:8080/cb')).toBe(false);
  expect(redirectUriMatches(ctx, 'http://127.0.0.1:9999/other', 'http://127.0.0.1:8080/cb')).toBe(false);
  // End to end on a host-name registration: another port is refused.
  const t = T('rails');
  const a = env(t, 'PLACEOS_REDIRECT_URI');
  const other = Object.assign(new URL(a), { port: String(Number(new URL(a).port) + 1) }).toString();
  expect((await authorize(t, await signin(t), { redirectUri: other })).status).toBe(400);
});

test.each(['rails', 'rails-2023', 'authcr'] as const)(
  'hardened %s: revocation checked at rest-api, S256 only, no implicit grant, SameSite=Lax, 1 h tokens',
  async (profile) => {
    const t = await startReferenceTarget({ profile, variant: 'hardened', quiet: true });
    try {
      const tok = await userToken(t);
      expect(tok.expires_in).toBe(3600);
      expect((await inspect(t.url, { headers: { authorization: `bearer ${tok.access_token}` } })).status).toBe(200);
      await call(`${t.url}/auth/oauth/revoke`, { form: { token: tok.access_token, client_id: env(t, 'PLACEOS_CLIENT_ID') } });
      expect((await inspect(t.url, bearer(tok.access_token))).status).toBe(401);
      const signinRes = await call(`${t.url}/auth/signin`, { form: { email: env(t, 'PLACEOS_USER_EMAIL'), password: env(t, 'PLACEOS_USER_PASSWORD') } });
      expect(signinRes.cookies.find((c) => /^(user|_placeos_auth_session)=/.test(c))).toMatch(/SameSite=Lax/);
      const cookie = cookieHeader(signinRes);
      expect((await authorize(t, cookie, { responseType: 'token' })).location ?? '').not.toMatch(/access_token=/);
      if (profile !== 'rails-2023') expect((await authorize(t, cookie, { challenge: 'x'.repeat(43), method: 'plain' })).status).toBe(400);
    } finally {
      await t.close();
    }
  },
);

test('doc-faithful rails: the password grant serves the service account only (400 invalid_grant for a normal user)', async () => {
  const t = await startReferenceTarget({ profile: 'rails', variant: 'doc-faithful', quiet: true });
  try {
    const user = await passwordGrant(t);
    expect([user.status, user.json().error]).toEqual([400, 'invalid_grant']);
    const service = await passwordGrant(t, { username: env(t, 'PLACEOS_SERVICE_EMAIL'), password: env(t, 'PLACEOS_SERVICE_PASSWORD') });
    expect(service.status).toBe(200);
  } finally {
    await t.close();
  }
});

test('an unknown variant is refused with the list of valid ones', async () => {
  await expect(startReferenceTarget({ variant: 'nope' as never })).rejects.toThrow(/valid variants: standard, hardened, doc-faithful/);
});
