// SSO (contract §3.11; public doc "SSO login, GET /auth/oauth2?id=oauth2-id").
// The kick-off checks need only PLACEOS_SSO_ID and never touch the identity provider. The full
// login drives the IdP's own pages over HTTP (helpers/sso.ts) with its test account
// (PLACEOS_SSO_USERNAME / PLACEOS_SSO_PASSWORD); where the IdP asks for more than a plain form
// login the check is `n/a`, never `fail`. The callback checks send what an IdP (or an attacker)
// would send to /auth/oauth2/callback and judge the deployment's answer.
import type { CaseContext, ContractCase } from '../../helpers/case';
import { setup } from '../../helpers/case';
import { accountFor, authorize, codeFrom, signIn } from '../../helpers/flows';
import type { HttpClient, HttpResponse } from '../../helpers/http';
import { pkcePair } from '../../helpers/pkce';
import { callCallback, ssoKickOff, ssoToCallback } from '../../helpers/sso';
import { ensure, expectStatus, isDeletion, parseSetCookies, type SetCookie } from '../../helpers/kit';

export const area = 'sso';

const SSO_REQ = ['PLACEOS-DOC-SSO-LOGIN', 'PLACEOS-IMPL-SSO'];
const SCOPE_LIST = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

/** The parameters an OAuth2 client sends to the identity provider (RFC 6749 §4.1.1, §3.3). */
const IDP_PARAMS: { name: string; check: (v: string | null, t: CaseContext) => boolean; expected: string }[] = [
  { name: 'response_type', check: (v) => v === 'code', expected: 'code' },
  { name: 'client_id', check: (v) => !!v, expected: 'the strategy client_id' },
  {
    name: 'redirect_uri',
    check: (v, t) => !!v && URL.canParse(v) && new URL(v).host === new URL(t.settings.url).host && new URL(v).pathname.startsWith('/auth/oauth2/callback'),
    expected: 'this deployment /auth/oauth2/callback…',
  },
  { name: 'state', check: (v) => !!v && v.length >= 8, expected: 'an unguessable state (8+ characters)' },
  { name: 'scope', check: (v) => v === null || SCOPE_LIST.test(v), expected: 'absent or space-delimited scope tokens' },
];

const sessionSetBy = (t: CaseContext, res: HttpResponse): SetCookie | undefined =>
  parseSetCookies(res).find((c) => c.name === t.contract.sessionCookie && !isDeletion(c));
const shown = (res: HttpResponse): string => `${res.status}${res.location ? ` to ${res.location.pathname}` : ''}`;

/** Kick-off and the IdP login, as a setup step: the callback URL the IdP sent the browser to. */
function loginAtIdp(t: CaseContext, client: HttpClient, from?: () => Promise<URL>): Promise<{ callback: URL; state: string | null }> {
  return setup('the SSO login at the identity provider', () => ssoToCallback(t, client, from));
}

/** A successful SSO callback: a redirect (not to /auth/failure) that sets the session cookie. */
function expectSignedIn(t: CaseContext, res: HttpResponse): SetCookie {
  expectStatus(res, [302, 303], 'SSO callback');
  ensure(
    res.location && !res.location.pathname.startsWith('/auth/failure'),
    'SSO callback went to /auth/failure',
    'a redirect to continue or /',
    res.location?.pathname ?? 'no Location',
  );
  const session = sessionSetBy(t, res);
  ensure(
    session,
    `the SSO callback did not set the session cookie ${t.contract.sessionCookie}`,
    t.contract.sessionCookie,
    parseSetCookies(res)
      .map((c) => c.name)
      .join(', ') || 'no Set-Cookie',
  );
  t.secrets.add(session.value, 'cookie');
  return session;
}

/** A refused SSO callback: /auth/failure (auth.cr: or a 4xx), and no session cookie. */
function expectRefused(t: CaseContext, res: HttpResponse, what: string): void {
  ensure(!sessionSetBy(t, res), `${what}: the SSO callback signed the browser in`, 'no session cookie', `Set-Cookie ${t.contract.sessionCookie}`);
  const toFailure = res.status >= 300 && res.status < 400 && !!res.location?.pathname.startsWith('/auth/failure');
  const orStatus = t.contract.ssoRefusal === 'failure-redirect-or-4xx';
  ensure(
    toFailure || (orStatus && res.status >= 400 && res.status < 500),
    `${what}: the SSO callback did not refuse`,
    orStatus ? 'a redirect to /auth/failure (or a 4xx refusal)' : 'a redirect to /auth/failure',
    shown(res),
  );
}

const kickoffCases: ContractCase[] = [
  {
    id: `${area}.kickoff`,
    title:
      'GET /auth/oauth2?id= redirects to the identity provider with response_type=code, client_id, redirect_uri (the callback), state and well-formed scopes',
    requirements: [...SSO_REQ, 'RFC6749-3.3'],
    level: 'MUST',
    severity: 'medium',
    tags: ['readonly'],
    needs: ['ssoId'],
    async run(t) {
      const { idp } = await ssoKickOff(t, t.client('sso'));
      for (const p of IDP_PARAMS) {
        const v = idp.searchParams.get(p.name);
        ensure(
          p.check(v, t),
          `SSO kick-off: ${p.name} is not what an OAuth2 client sends`,
          p.expected,
          v === null ? 'absent' : p.name === 'state' ? `${v.length} characters` : v,
        );
      }
    },
  },
  {
    id: `${area}.state-differs`,
    title: 'two SSO kick-offs get different state values (state is not a constant)',
    requirements: [...SSO_REQ, 'RFC6749-10.12'],
    level: 'MUST',
    severity: 'medium',
    tags: ['readonly', 'security'],
    needs: ['ssoId'],
    async run(t) {
      const a = (await ssoKickOff(t, t.client('sso-a'))).state;
      const b = (await ssoKickOff(t, t.client('sso-b'))).state;
      ensure(a && b && a !== b, 'SSO kick-off: the state is the same on two kick-offs', 'different values', 'the same value');
    },
  },
  {
    id: `${area}.callback.idp-error`,
    title: 'an identity-provider error (error=access_denied with the right state) on the callback ends at /auth/failure, without a session',
    requirements: [...SSO_REQ, 'PLACEOS-IMPL-SSO-FAILURE'],
    level: 'MUST',
    severity: 'high',
    tags: ['session', 'security'],
    needs: ['ssoId'],
    async run(t) {
      const client = t.client('sso-browser');
      const { idp, state } = await setup('the SSO kick-off', () => ssoKickOff(t, client));
      const redirectUri = idp.searchParams.get('redirect_uri');
      ensure(redirectUri && URL.canParse(redirectUri), 'SSO kick-off: no redirect_uri to answer', 'a redirect_uri', 'none');
      const res = await callCallback(client, new URL(redirectUri), {
        error: 'access_denied',
        error_description: 'The user denied the request',
        state: state ?? '',
      });
      expectRefused(t, res, 'IdP error access_denied');
      const authority = await client.get('/auth/authority');
      expectStatus(authority, 200, '/auth/authority after the refused callback');
      ensure(
        (authority.json as { session?: unknown } | undefined)?.session === false,
        'after an IdP error, /auth/authority reports a session',
        'session: false',
        String((authority.json as { session?: unknown } | undefined)?.session),
      );
    },
  },
];

const loginCases: ContractCase[] = [
  {
    id: `${area}.login-to-session`,
    title: "the whole SSO login (kick-off → the identity provider's login form → callback) ends in a session cookie that then authorizes a code",
    requirements: [...SSO_REQ, 'PLACEOS-IMPL-COOKIES', 'PLACEOS-DOC-AUTHCODE-FLOW'],
    level: 'MUST',
    severity: 'high',
    tags: ['session'],
    needs: ['ssoId', 'ssoAccount'],
    async run(t) {
      const client = t.client('sso-browser');
      const { callback } = await loginAtIdp(t, client);
      expectSignedIn(t, await callCallback(client, callback));
      const pair = pkcePair('S256');
      codeFrom(await authorize(t, client, { state: 'contract-sso', codeChallenge: pair.challenge, codeChallengeMethod: 'S256' }));
    },
  },
  ...(
    [
      {
        name: 'wrong-state',
        what: 'a callback whose state is not the one the kick-off sent',
        change: (s: string | null) => ({ state: s ? `${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}` : 'contract-wrong-state' }),
      },
      { name: 'missing-state', what: 'a callback without state', change: () => ({ state: null }) },
    ] as const
  ).map(
    (row): ContractCase => ({
      id: `${area}.callback.${row.name}`,
      title: `${row.what}, carrying a fresh IdP code, is refused (/auth/failure, no session)`,
      requirements: [...SSO_REQ, 'RFC6749-10.12'],
      level: 'MUST',
      severity: 'blocker',
      tags: ['session', 'security'],
      needs: ['ssoId', 'ssoAccount'],
      async run(t) {
        const client = t.client('sso-browser');
        const { callback, state } = await loginAtIdp(t, client);
        expectRefused(t, await callCallback(client, callback, row.change(state)), row.what);
      },
    }),
  ),
  {
    id: `${area}.callback.code-replay`,
    title: 'an IdP code already used for a login, replayed on a new kick-off with its valid state, is refused (/auth/failure, no session)',
    requirements: [...SSO_REQ, 'RFC6749-10.5'],
    level: 'MUST',
    severity: 'high',
    tags: ['session', 'security'],
    needs: ['ssoId', 'ssoAccount'],
    async run(t) {
      const first = t.client('sso-browser');
      const { callback } = await loginAtIdp(t, first);
      await setup('the first SSO login', async () => expectSignedIn(t, await callCallback(first, callback)));
      const replay = t.client('sso-replay');
      const { state } = await setup('a second SSO kick-off', () => ssoKickOff(t, replay));
      expectRefused(t, await callCallback(replay, callback, { state: state ?? '' }), 'a replayed IdP code');
    },
  },
  {
    id: `${area}.cookie-flags`,
    title: 'the session cookie set by the SSO callback carries the flags of a local signin (HttpOnly, Secure, SameSite, Path)',
    requirements: [...SSO_REQ, 'PLACEOS-IMPL-COOKIES', 'RFC6265-4.1.2.6', 'RFC6265-4.1.2.5'],
    level: 'MUST',
    severity: 'high',
    tags: ['session', 'security'],
    needs: ['ssoId', 'ssoAccount', 'user'],
    async run(t) {
      const local = await setup('the local signin', async () => {
        const res = await signIn(t, t.client('browser'), accountFor(t, 'user'));
        expectStatus(res, 202, 'signin');
        const c = sessionSetBy(t, res);
        ensure(c, 'signin set no session cookie', t.contract.sessionCookie, 'none');
        return c;
      });
      const client = t.client('sso-browser');
      const { callback } = await loginAtIdp(t, client);
      const sso = expectSignedIn(t, await callCallback(client, callback));
      const flags = (c: SetCookie): string =>
        [
          c.attrs.has('httponly') ? 'HttpOnly' : '',
          c.attrs.has('secure') ? 'Secure' : '',
          `SameSite=${c.attrs.get('samesite')?.toLowerCase() ?? '(absent)'}`,
          `Path=${c.attrs.get('path') ?? '(absent)'}`,
        ]
          .filter(Boolean)
          .join('; ');
      ensure(sso.attrs.has('httponly') && sso.attrs.has('secure'), 'the SSO session cookie lacks HttpOnly or Secure', 'HttpOnly; Secure', flags(sso));
      ensure(flags(sso) === flags(local), 'the SSO session cookie differs from the local signin one', flags(local), flags(sso));
    },
  },
];

// ---- continue after SSO: the open-redirect rules of signin ------------------------------------------------
const continueRows = [
  {
    name: 'relative',
    continueTo: () => '/dashboard/?view=week',
    location: '/dashboard/?view=week',
    severity: 'medium',
    requirements: ['PLACEOS-IMPL-OPEN-REDIRECT'],
  },
  {
    name: 'off-domain-absolute',
    continueTo: () => 'https://evil.example/steal',
    location: '/',
    severity: 'blocker',
    requirements: ['PLACEOS-IMPL-OPEN-REDIRECT', 'RFC9700-4.11.2', 'RFC6749-10.15'],
  },
  {
    name: 'off-domain-protocol-relative',
    continueTo: () => '//evil.example/steal',
    location: '/',
    severity: 'blocker',
    requirements: ['PLACEOS-IMPL-OPEN-REDIRECT', 'RFC9700-4.11.2', 'RFC6749-10.15'],
  },
] as const;

const continueCases: ContractCase[] = continueRows.map((row) => ({
  id: `${area}.continue.${row.name}`,
  title: `SSO started by /auth/login?provider=oauth2&continue=${row.continueTo()} ends with a redirect to ${row.location} on this deployment, as signin does`,
  requirements: [...SSO_REQ, 'PLACEOS-IMPL-LOGIN-REDIRECT', ...row.requirements],
  level: 'MUST',
  severity: row.severity,
  tags: ['session', 'security'],
  needs: ['ssoId', 'ssoAccount'],
  async run(t) {
    const client = t.client('sso-browser');
    const { callback } = await loginAtIdp(t, client, async () => {
      const login = await client.get('/auth/login', { query: { provider: 'oauth2', id: t.settings.ssoId!, continue: row.continueTo() } });
      expectStatus(login, [302, 303], '/auth/login with a provider');
      ensure(login.location, '/auth/login: no Location', 'a redirect to /auth/oauth2', 'none');
      const kick = await client.get(login.location.toString());
      expectStatus(kick, [302, 303], 'SSO kick-off');
      ensure(kick.location, 'SSO kick-off: no Location', 'a Location to the identity provider', 'none');
      return kick.location;
    });
    const res = await callCallback(client, callback);
    expectSignedIn(t, res);
    const loc = res.location!;
    const base = new URL(t.settings.url);
    ensure(loc.host === base.host, 'the SSO callback redirected off the deployment', base.host, loc.host);
    ensure(
      `${loc.pathname}${loc.search}` === row.location,
      'the SSO callback redirected elsewhere than the filtered continue',
      row.location,
      `${loc.pathname}${loc.search}`,
    );
  },
}));

export const cases: ContractCase[] = [...kickoffCases, ...loginCases, ...continueCases];
