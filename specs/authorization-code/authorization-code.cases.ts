// The authorization-code flow with a local session (contract §3.5, §3.6 "Grant:
// authorization_code", §4.3, §6.1-§6.3; public doc "Authorisation Code Flow"). The security area
// holds the full PKCE / redirect_uri / code-binding matrix; here are the contract flows and a
// couple of variants of each refusal.
import type { CaseContext, ContractCase } from '../../helpers/case';
import type { ClientApp } from '../../helpers/config';
import { accountFor, authorize, codeFrom, exchangeCode, signInOrFail, type AuthorizeParams } from '../../helpers/flows';
import type { HttpClient, HttpResponse } from '../../helpers/http';
import type { Level, SettingName, Severity } from '../../helpers/model';
import { pkcePair, type PkceMethod } from '../../helpers/pkce';
import { parseLocation } from '../../helpers/schemas';
import { authorizeRefusal, checkTokenResponse, ensure, expectNoRedirectTo, expectOAuthError, expectSchema, expectStatus, setup } from '../../helpers/kit';

export const area = 'authorization-code';

const FLOW_REQ = ['PLACEOS-DOC-AUTHCODE-FLOW', 'PLACEOS-IMPL-AUTHORIZE'];

/** A signed-in browser client. */
async function session(t: CaseContext): Promise<HttpClient> {
  const client = t.client('browser');
  await setup('signing in (POST /auth/signin)', () => signInOrFail(t, client, accountFor(t, 'user')));
  return client;
}

/**
 * The authorize redirect, checked: 302, the parsed Location matches schema authorize-redirect,
 * it goes to the registered redirect_uri (origin and path), and echoes `state` byte-exactly.
 */
function checkAuthorizeRedirect(t: CaseContext, res: HttpResponse, app: ClientApp, state: string | undefined, step: string): string {
  expectStatus(res, 302, step);
  const raw = res.header('location');
  ensure(raw, `${step}: no Location`, 'a Location', 'none');
  const loc = parseLocation(raw, res.url);
  expectSchema(t, 'authorize-redirect', loc, `${step} (parsed Location)`);
  const registered = new URL(app.redirectUri);
  ensure(
    loc.origin === registered.origin && loc.pathname === registered.pathname,
    `${step}: not redirected to the registered redirect_uri`,
    `${registered.origin}${registered.pathname}`,
    `${loc.origin}${loc.pathname}`,
  );
  if (state !== undefined)
    ensure(
      loc.query.state === state,
      `${step}: state is not echoed exactly`,
      `${state.length} characters as sent`,
      typeof loc.query.state === 'string' ? `${loc.query.state.length} characters, different` : 'absent',
    );
  return codeFrom(res);
}

// ---- successful flows --------------------------------------------------------------------------------

interface FlowRow {
  name: string;
  title: string;
  method: 'GET' | 'POST';
  pkce: PkceMethod | 'none';
  state?: string;
  /** The generation's contract decides whether the row applies (e.g. plain PKCE). */
  applies?: (t: CaseContext) => string | undefined;
  /** A refusal at authorize that is stronger than the contract (the row is then n/a with this reason). */
  strongerRefusal?: string;
  severity: Severity;
  requirements: string[];
}

const LONG_STATE = 'state-Ωx y+z/a?b=c&d%e~f.g_h-0123456789abcdefghijklmnopqrstuvwxyz';

const flowRows: FlowRow[] = [
  {
    name: 'get.s256',
    title: 'GET authorize with a session and S256 PKCE redirects with a code and state; the code exchange returns a token response',
    method: 'GET',
    pkce: 'S256',
    state: 'contract-state',
    severity: 'high',
    requirements: [...FLOW_REQ, 'PLACEOS-DOC-PKCE', 'RFC6749-4.1.2', 'RFC7636-4.6'],
  },
  {
    name: 'post.s256',
    title: 'POST authorize (form) with a session and S256 PKCE redirects with a code; the exchange returns a token response',
    method: 'POST',
    pkce: 'S256',
    state: 'contract-post',
    severity: 'medium',
    requirements: [...FLOW_REQ, 'RFC6749-3.1'],
  },
  {
    name: 'state.exact',
    title: 'a long state with spaces, reserved and non-ASCII characters comes back byte-exactly',
    method: 'GET',
    pkce: 'S256',
    state: LONG_STATE,
    severity: 'high',
    requirements: [...FLOW_REQ, 'RFC6749-4.1.2', 'RFC6749-10.12'],
  },
  {
    name: 'get.plain',
    title: 'PKCE with the plain method works where the generation supports it',
    method: 'GET',
    pkce: 'plain',
    state: 'contract-plain',
    applies: (t) => (t.contract.pkcePlain ? undefined : `plain PKCE is not part of the ${t.contract.label} contract (S256 only)`),
    strongerRefusal:
      'the deployment refuses code_challenge_method=plain, stronger than its generation (security-code-pkce.pkce-plain-refused holds that standard)',
    severity: 'low',
    requirements: [...FLOW_REQ, 'PLACEOS-IMPL-PKCE'],
  },
  {
    name: 'get.no-pkce',
    title: 'a public client without PKCE still gets a code and a token (PKCE is optional for registered apps)',
    method: 'GET',
    pkce: 'none',
    state: 'contract-nopkce',
    strongerRefusal: 'the deployment requires PKCE of public clients, stronger than its generation (RFC 9700 §2.1.1)',
    severity: 'low',
    requirements: [...FLOW_REQ],
  },
];

const flowCases: ContractCase[] = flowRows.map((row) => ({
  id: `${area}.${row.name}`,
  title: row.title,
  requirements: row.requirements,
  level: 'MUST',
  severity: row.severity,
  tags: row.name === 'get.s256' ? ['smoke', 'session'] : ['session'],
  needs: ['user'],
  async run(t) {
    const na = row.applies?.(t);
    if (na) t.notApplicable(na);
    const app = t.settings.client;
    const client = await session(t);
    const pair = row.pkce === 'none' ? undefined : pkcePair(row.pkce);
    const res = await authorize(t, client, { state: row.state, codeChallenge: pair?.challenge, codeChallengeMethod: pair?.method }, row.method);
    if (row.strongerRefusal) {
      const refusal = authorizeRefusal(res, app.redirectUri);
      if (refusal && /invalid_request|invalid_code_challenge_method|400 error page/.test(refusal))
        t.notApplicable(`${row.strongerRefusal}: authorize answered ${refusal}`);
    }
    const code = checkAuthorizeRedirect(t, res, app, row.state, `${row.method} authorize`);
    const tok = await exchangeCode(t, client, { code, verifier: pair?.verifier });
    checkTokenResponse(t, tok, { step: 'code exchange', account: accountFor(t, 'user'), scopes: ['public'] });
  },
}));

// ---- refusals at authorize ------------------------------------------------------------------------------

const UNREGISTERED: { name: string; uri: (app: ClientApp) => string }[] = [
  { name: 'other-host', uri: () => 'https://evil.example/backoffice/oauth-resp.html' },
  { name: 'other-path', uri: (app) => new URL('/evil/oauth-resp.html', app.redirectUri).toString() },
];

const authorizeRefusals: ContractCase[] = [
  ...UNREGISTERED.map(
    (v): ContractCase => ({
      id: `${area}.redirect-uri.${v.name}`,
      title: `an unregistered redirect_uri (${v.name}) is never redirected to: the generation's error (Doorkeeper HTML 400 / auth.cr 401 JSON)`,
      requirements: ['RFC6749-3.1.2.4', 'RFC6749-4.1.2.1', 'PLACEOS-IMPL-REDIRECT-URI-MATCH'],
      level: 'MUST',
      severity: 'blocker',
      tags: ['session', 'security'],
      needs: ['user'],
      async run(t) {
        const client = await session(t);
        const bad = v.uri(t.settings.client);
        const pair = pkcePair('S256');
        const res = await authorize(t, client, {
          redirectUri: bad,
          state: 'contract-bad-redirect',
          codeChallenge: pair.challenge,
          codeChallengeMethod: 'S256',
        });
        expectNoRedirectTo(res, bad);
        const want = t.contract.authorizeBadRedirect;
        expectStatus(res, want.status, 'authorize with an unregistered redirect_uri');
        if (t.contract.authorizeErrors === 'json') {
          expectOAuthError(t, res, { status: want.status, error: want.error }, 'authorize with an unregistered redirect_uri');
        } else {
          ensure(
            /text\/html/i.test(res.header('content-type') ?? ''),
            'authorize error: not the Doorkeeper HTML error page',
            'text/html',
            res.header('content-type') ?? '(none)',
          );
        }
      },
    }),
  ),
  {
    id: `${area}.no-session`,
    title: 'authorize without a session redirects to the login page (Rails: 302 to login_url with the authorize URL as continue; auth.cr: 303 to /auth/login)',
    requirements: ['PLACEOS-IMPL-AUTHORIZE'],
    level: 'MUST',
    severity: 'high',
    tags: ['readonly'],
    async run(t) {
      const client = t.client('anonymous');
      const authority = await client.get('/auth/authority');
      expectStatus(authority, 200, 'authority');
      const res = await authorize(t, client, { state: 'contract-nosession' });
      const want = t.contract.noSessionRedirect;
      expectStatus(res, want.statuses, 'authorize without a session');
      const loc = res.location;
      ensure(loc, 'authorize without a session: no Location', 'a Location', 'none');
      ensure(!loc.searchParams.has('code'), 'authorize without a session issued a code', 'no code', 'a code');
      if (want.to === '/auth/login') {
        ensure(loc.pathname === '/auth/login', 'authorize without a session: not sent to /auth/login', '/auth/login', loc.pathname);
        return;
      }
      const loginUrl = (authority.json as { login_url: string }).login_url;
      const expected = new URL(loginUrl.replace('{{url}}', 'PLACEHOLDER'), t.settings.url);
      ensure(loc.pathname === expected.pathname, 'authorize without a session: not sent to the authority login_url', expected.pathname, loc.pathname);
      const cont = [...expected.searchParams].find(([, v]) => v === 'PLACEHOLDER')?.[0];
      if (cont) {
        const back = loc.searchParams.get(cont) ?? '';
        ensure(
          back.startsWith('/auth/oauth/authorize') && back.includes('contract-nosession'),
          'authorize without a session: the login URL does not carry the authorize request back',
          `${cont}=/auth/oauth/authorize?…`,
          back.split('?')[0] || '(empty)',
        );
      }
    },
  },
  {
    id: `${area}.deny`,
    title: 'DELETE authorize (deny) redirects to redirect_uri with error=access_denied and the state, and no code',
    requirements: ['RFC6749-4.1.2.1', 'PLACEOS-IMPL-AUTHORIZE'],
    level: 'MUST',
    severity: 'medium',
    tags: ['session'],
    needs: ['user'],
    async run(t) {
      const client = await session(t);
      const app = t.settings.client;
      const q: Record<string, string> = { response_type: 'code', client_id: app.clientId, redirect_uri: app.redirectUri, state: 'contract-deny' };
      const res = await client.request('DELETE', '/auth/oauth/authorize', { query: q });
      expectStatus(res, 302, 'deny');
      const raw = res.header('location');
      ensure(raw, 'deny: no Location', 'a Location', 'none');
      const loc = parseLocation(raw, res.url);
      expectSchema(t, 'authorize-error-redirect', loc, 'deny (parsed Location)');
      const registered = new URL(app.redirectUri);
      ensure(
        loc.origin === registered.origin && loc.pathname === registered.pathname,
        'deny: not redirected to the registered redirect_uri',
        `${registered.origin}${registered.pathname}`,
        `${loc.origin}${loc.pathname}`,
      );
      ensure(loc.query.error === 'access_denied', 'deny: error is not access_denied', 'access_denied', String(loc.query.error));
      ensure(loc.query.state === 'contract-deny', 'deny: state is not echoed', 'contract-deny', String(loc.query.state));
    },
  },
];

// ---- refusals at the token endpoint ---------------------------------------------------------------------------

interface ExchangeRow {
  name: string;
  title: string;
  /** The bad exchange, after one good authorize (S256). */
  exchange(t: CaseContext, client: HttpClient, code: string, verifier: string): Promise<HttpResponse>;
  expect(t: CaseContext): { status: number; error?: string };
  needs?: SettingName[];
  level: Level;
  severity: Severity;
  requirements: string[];
}

const exchangeRows: ExchangeRow[] = [
  {
    name: 'code-reuse',
    title: 'an authorization code works once: the second exchange is refused with invalid_grant',
    exchange: async (t, client, code, verifier) => {
      checkTokenResponse(t, await exchangeCode(t, client, { code, verifier }), { step: 'first code exchange' });
      return exchangeCode(t, client, { code, verifier });
    },
    expect: () => ({ status: 400, error: 'invalid_grant' }),
    level: 'MUST',
    severity: 'blocker',
    requirements: ['RFC6749-4.1.2', 'RFC6749-10.5', 'PLACEOS-IMPL-CODE'],
  },
  {
    name: 'wrong-client',
    title: 'another app cannot redeem the code, even with the right redirect_uri and verifier (400 invalid_grant: issued to another client)',
    exchange: (t, client, code, verifier) =>
      exchangeCode(t, client, { code, verifier, app: t.settings.scopedClient!, redirectUri: t.settings.client.redirectUri }),
    expect: () => ({ status: 400, error: 'invalid_grant' }),
    needs: ['scopedClient'],
    level: 'MUST',
    severity: 'blocker',
    requirements: ['RFC6749-4.1.3', 'RFC6819-5.2.4.4', 'PLACEOS-IMPL-CODE'],
  },
  {
    name: 'wrong-redirect-uri',
    title: "a redirect_uri at the token endpoint other than the authorize one is refused (the generation's error)",
    exchange: (t, client, code, verifier) => exchangeCode(t, client, { code, verifier, redirectUri: `${t.settings.client.redirectUri}x` }),
    expect: (t) => t.contract.errors.redirectMismatchAtToken,
    level: 'MUST',
    severity: 'blocker',
    requirements: ['RFC6749-4.1.3', 'RFC6749-10.6', 'RFC6819-5.2.4.5', 'PLACEOS-IMPL-CODE'],
  },
];

const exchangeCases: ContractCase[] = exchangeRows.map((row) => ({
  id: `${area}.${row.name}`,
  title: row.title,
  requirements: row.requirements,
  level: row.level,
  severity: row.severity,
  tags: ['session', 'security'],
  needs: ['user', ...(row.needs ?? [])],
  async run(t) {
    const client = await session(t);
    const pair = pkcePair('S256');
    const p: AuthorizeParams = { state: `contract-${row.name}`, codeChallenge: pair.challenge, codeChallengeMethod: 'S256' };
    const code = checkAuthorizeRedirect(t, await authorize(t, client, p), t.settings.client, p.state, 'authorize');
    const res = await row.exchange(t, client, code, pair.verifier);
    expectOAuthError(t, res, row.expect(t), `code exchange (${row.name})`);
  },
}));

export const cases: ContractCase[] = [...flowCases, ...authorizeRefusals, ...exchangeCases];
