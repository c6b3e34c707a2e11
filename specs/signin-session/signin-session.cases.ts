// Local signin and the browser session (contract §3.1, §3.2, §5, §6.8; public doc "Authorisation
// Code Flow": "Local login, POST /auth/signin?email=…&password=…"). The session cookie is found
// by the generation's name (t.contract.sessionCookie) among the Set-Cookie values of the signin.
import { randomBytes } from 'node:crypto';
import type { CaseContext, ContractCase } from '../../helpers/case';
import type { Account } from '../../helpers/config';
import { accountFor, signIn, type ParamTransport } from '../../helpers/flows';
import type { HttpResponse } from '../../helpers/http';
import type { Level, Severity } from '../../helpers/model';
import { ensure, expectSchema, expectStatus, isDeletion, parseSetCookies, type SetCookie } from '../../helpers/kit';

export const area = 'signin-session';

const SIGNIN_REQ = ['PLACEOS-DOC-LOCAL-SIGNIN', 'PLACEOS-IMPL-SIGNIN'];

/** The session cookie the signin set (not a deletion), or a violation. */
function sessionCookieOf(t: CaseContext, res: HttpResponse): SetCookie {
  const name = t.contract.sessionCookie;
  const c = parseSetCookies(res).find((x) => x.name === name && !isDeletion(x));
  ensure(
    c,
    `signin did not set the session cookie ${name}`,
    `Set-Cookie: ${name}=…`,
    `Set-Cookie names: ${
      parseSetCookies(res)
        .map((x) => x.name)
        .join(', ') || 'none'
    }`,
  );
  return c;
}

// ---- session cookie attributes (contract §5): one row per attribute ----------------------------------
// HttpOnly, Secure and SameSite are security-session's checks (one fact, one check).

const cookieAttributes: {
  name: string;
  what: string;
  holds: (c: SetCookie) => boolean;
  shown: (c: SetCookie) => string;
  requirements: string[];
  severity: Severity;
}[] = [
  {
    name: 'path',
    what: 'Path=/auth',
    holds: (c) => c.attrs.get('path') === '/auth',
    shown: (c) => `Path=${c.attrs.get('path') ?? '(absent)'}`,
    requirements: [],
    severity: 'low',
  },
];

const attributeCases: ContractCase[] = cookieAttributes.map((a) => ({
  id: `${area}.cookie.${a.name}`,
  title: `the session cookie set by signin is ${a.what}`,
  requirements: [...SIGNIN_REQ, 'PLACEOS-IMPL-COOKIES', ...a.requirements],
  level: 'MUST',
  severity: a.severity,
  tags: ['session'],
  needs: ['user'],
  async run(t) {
    const res = await signIn(t, t.client('browser'), accountFor(t, 'user'));
    expectStatus(res, 202, 'signin');
    const c = sessionCookieOf(t, res);
    ensure(a.holds(c), `the session cookie ${c.name} is not ${a.what}`, a.what, a.shown(c));
  },
}));

// ---- signin outcomes ----------------------------------------------------------------------------------

interface SigninRow {
  name: string;
  title: string;
  via?: (t: CaseContext) => ParamTransport;
  credentials: (a: Account) => Account;
  /** `continue` sent with the signin. */
  continueTo?: (t: CaseContext) => string;
  /** Expected statuses. */
  status: (t: CaseContext) => number[];
  /** Where a redirect must go: a path on the deployment (resolved Location pathname + search). */
  location?: string;
  /** A session cookie is set (true) or not (false). */
  session: boolean | ((t: CaseContext) => boolean);
  level: Level;
  severity: Severity;
  requirements: string[];
  notes?: (t: CaseContext, res: HttpResponse) => void;
}

const same = (a: Account): Account => a;
const OFF_DOMAIN = ['https://evil.example/steal', '//evil.example/steal'];

const signinRows: SigninRow[] = [
  {
    name: 'accepted',
    title: 'a correct local signin answers 202 with an empty body and sets the session cookie',
    credentials: same,
    status: () => [202],
    session: true,
    level: 'MUST',
    severity: 'high',
    requirements: SIGNIN_REQ,
  },
  {
    name: 'doc-query',
    title: "the public doc's signin (email and password in the query string) is answered as the generation's contract says",
    via: () => 'query',
    credentials: same,
    // Rails reads merged params (202); auth.cr reads the body only: a missing field is 422.
    status: (t) => (t.contract.signinReadsQuery ? [202] : [422]),
    session: (t) => t.contract.signinReadsQuery,
    level: 'MUST',
    severity: 'low',
    requirements: SIGNIN_REQ,
    notes: (t, res) => {
      if (res.status !== 202)
        t.finding(
          'DOC-SIGNIN-QUERY',
          `the public doc signs in with POST /auth/signin?email=…&password=…; this deployment reads credentials from the body only (answered ${res.status})`,
        );
    },
  },
  {
    name: 'wrong-password',
    title: 'a wrong password is refused with 401 and no session cookie',
    credentials: (a) => ({ ...a, password: `${a.password}-wrong` }),
    status: () => [401],
    session: false,
    level: 'MUST',
    severity: 'blocker',
    requirements: SIGNIN_REQ,
  },
  {
    name: 'unknown-user',
    title: 'an unknown email is refused with 401 and no session cookie',
    credentials: (a) => ({ ...a, email: `nobody-${randomBytes(6).toString('hex')}@example.invalid` }),
    status: () => [401],
    session: false,
    level: 'MUST',
    severity: 'high',
    requirements: SIGNIN_REQ,
  },
  {
    name: 'continue.relative',
    title: 'with a relative continue, signin redirects there (302 on Rails, 303 on auth.cr), path and query kept',
    credentials: same,
    continueTo: () => '/dashboard/?view=week',
    status: (t) => [t.contract.signinContinueStatus],
    location: '/dashboard/?view=week',
    session: true,
    level: 'MUST',
    severity: 'medium',
    requirements: [...SIGNIN_REQ, 'PLACEOS-IMPL-OPEN-REDIRECT'],
  },
  {
    name: 'continue.same-domain-absolute',
    title: "an absolute continue on the authority's own domain is reduced to its path and query",
    credentials: same,
    continueTo: (t) => `${t.settings.url}/backoffice/?tab=users`,
    status: (t) => [t.contract.signinContinueStatus],
    location: '/backoffice/?tab=users',
    session: true,
    level: 'MUST',
    severity: 'low',
    requirements: [...SIGNIN_REQ, 'PLACEOS-IMPL-OPEN-REDIRECT'],
  },
  ...OFF_DOMAIN.map(
    (target, i): SigninRow => ({
      name: `continue.off-domain-${i === 0 ? 'absolute' : 'protocol-relative'}`,
      title: `an off-domain continue (${target}) is not followed: signin redirects to / instead`,
      credentials: same,
      continueTo: () => target,
      status: (t) => [t.contract.signinContinueStatus],
      location: '/',
      session: true,
      level: 'MUST',
      severity: 'blocker',
      requirements: [...SIGNIN_REQ, 'PLACEOS-IMPL-OPEN-REDIRECT', 'RFC9700-4.11.2', 'RFC6749-10.15'],
    }),
  ),
];

const signinCases: ContractCase[] = signinRows.map((row) => ({
  id: `${area}.signin.${row.name}`,
  title: row.title,
  requirements: row.requirements,
  level: row.level,
  severity: row.severity,
  tags: row.via ? ['session', 'credentials-in-url'] : ['session'],
  needs: ['user'],
  async run(t) {
    const client = t.client('browser');
    const account = row.credentials(accountFor(t, 'user'));
    t.secrets.add(account.password, 'password');
    const res = await signIn(t, client, account, { via: row.via?.(t), continueTo: row.continueTo?.(t) });
    row.notes?.(t, res);
    expectStatus(res, row.status(t), 'signin');
    if (res.status === 202) ensure(res.text === '', 'signin 202: the body is not empty', 'an empty body', `${res.text.length} characters`);
    if (row.location !== undefined) {
      const loc = res.location;
      ensure(loc, 'signin redirect without a Location', 'a Location header', 'none');
      const base = new URL(t.settings.url);
      ensure(loc.host === base.host, 'signin redirected off the deployment', base.host, loc.host);
      ensure(
        `${loc.pathname}${loc.search}` === row.location,
        'signin redirected elsewhere than the filtered continue',
        row.location,
        `${loc.pathname}${loc.search}`,
      );
    }
    const cookie = parseSetCookies(res).find((x) => x.name === t.contract.sessionCookie && !isDeletion(x));
    if (typeof row.session === 'function' ? row.session(t) : row.session) sessionCookieOf(t, res);
    else ensure(!cookie, `a refused signin set the session cookie ${t.contract.sessionCookie}`, 'no session cookie', 'a session cookie');
  },
}));

// ---- the session in use, and /auth/login -------------------------------------------------------------------

const otherCases: ContractCase[] = [
  {
    id: `${area}.session.authority-sees-it`,
    title: 'after signin, /auth/authority reports session: true for the same cookie jar (and false without it)',
    requirements: [...SIGNIN_REQ, 'PLACEOS-IMPL-AUTHORITY'],
    level: 'MUST',
    severity: 'medium',
    tags: ['session'],
    needs: ['user'],
    async run(t) {
      const anonymous = await t.client('anonymous').get('/auth/authority');
      expectStatus(anonymous, 200, 'authority without a session');
      expectSchema(t, 'authority', anonymous.json, 'authority without a session');
      ensure((anonymous.json as { session: boolean }).session === false, 'authority without a cookie reports a session', 'session: false', 'true');
      const client = t.client('browser');
      expectStatus(await signIn(t, client, accountFor(t, 'user')), 202, 'signin');
      const res = await client.get('/auth/authority');
      expectStatus(res, 200, 'authority with the session');
      expectSchema(t, 'authority', res.json, 'authority with the session');
      ensure((res.json as { session: boolean }).session === true, 'authority does not see the signed-in session', 'session: true', 'false');
    },
  },
  {
    id: `${area}.login.redirect`,
    title: '/auth/login?continue=/home redirects (303) to the authority login_url with {{url}} replaced by the continue value',
    requirements: ['PLACEOS-IMPL-LOGIN-REDIRECT'],
    level: 'MUST',
    severity: 'medium',
    tags: ['readonly'],
    async run(t) {
      const client = t.client('browser');
      const authority = await client.get('/auth/authority');
      expectStatus(authority, 200, 'authority');
      const loginUrl = (authority.json as { login_url: string }).login_url;
      const res = await client.get('/auth/login', { query: { continue: '/home' } });
      expectStatus(res, 303, '/auth/login');
      const expected = new URL(loginUrl.replace('{{url}}', '/home'), t.settings.url);
      const loc = res.location;
      ensure(loc, '/auth/login: no Location', 'a Location', 'none');
      ensure(
        loc.origin === expected.origin && loc.pathname === expected.pathname,
        '/auth/login: not the authority login_url',
        `${expected.origin}${expected.pathname}`,
        `${loc.origin}${loc.pathname}`,
      );
      for (const [k, v] of expected.searchParams)
        ensure(loc.searchParams.get(k) === v, `/auth/login: login_url parameter ${k} differs`, v, String(loc.searchParams.get(k)));
    },
  },
  {
    id: `${area}.login.provider`,
    title: '/auth/login with provider and id redirects (303) to /auth/<provider>?id=<id>',
    requirements: ['PLACEOS-IMPL-LOGIN-REDIRECT'],
    level: 'MUST',
    severity: 'low',
    tags: ['readonly'],
    async run(t) {
      const id = t.settings.ssoId ?? 'oauth_strat-contract';
      const res = await t.client('browser').get('/auth/login', { query: { provider: 'oauth2', id, continue: '/home' } });
      expectStatus(res, 303, '/auth/login with a provider');
      const loc = res.location;
      ensure(
        loc && loc.pathname === '/auth/oauth2' && loc.searchParams.get('id') === id,
        '/auth/login did not send the browser to the SSO provider',
        `/auth/oauth2?id=${id}`,
        loc ? `${loc.pathname}?id=${loc.searchParams.get('id') ?? ''}` : 'no Location',
      );
    },
  },
];

export const cases: ContractCase[] = [...signinCases, ...attributeCases, ...otherCases];
