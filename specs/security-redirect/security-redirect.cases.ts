// Redirect-based attacks (checklist §2.2, RFC 9700 §4.1, §4.11): the authorization endpoint never
// redirects to a redirect_uri that is not registered (one row per variant), an unknown client is
// never redirected, and `continue` on signin and logout is not an open redirector.
import type { CaseContext, ContractCase } from '../../helpers/case';
import { authorize, paramsAs } from '../../helpers/flows';
import type { HttpResponse } from '../../helpers/http';
import { pkcePair } from '../../helpers/pkce';
import { ensure, precondition, signedIn } from '../../helpers/kit';

export const area = 'security-redirect';

type Variant = { name: string; title: string; make: (registered: URL) => string };

/** Ways an attacker bends a registered redirect URI (RFC 9700 §4.1.3: exact string matching). */
const VARIANTS: Variant[] = [
  {
    name: 'path',
    title: 'another path on the same host',
    make: (u) => Object.assign(new URL(u), { pathname: u.pathname.replace(/[^/]*$/, 'attacker.html') }).toString(),
  },
  {
    name: 'path-traversal',
    title: 'a path that walks out of the registered one',
    make: (u) => `${u.origin}${u.pathname.replace(/[^/]*$/, '')}../attacker.html`,
  },
  { name: 'suffix', title: 'the registered URI with characters appended', make: (u) => `${u.toString()}.attacker.example` },
  { name: 'subpath', title: 'the registered URI with a sub-path appended', make: (u) => `${u.toString().replace(/\/?$/, '')}/attacker` },
  {
    name: 'query',
    title: 'the registered URI with an extra query parameter',
    make: (u) => `${u.toString()}${u.search ? '&' : '?'}next=https%3A%2F%2Fattacker.example%2F`,
  },
  { name: 'host', title: 'another host', make: (u) => Object.assign(new URL(u), { hostname: 'attacker.example' }).toString() },
  {
    name: 'host-suffix',
    title: 'the registered host as a subdomain of an attacker domain',
    make: (u) => Object.assign(new URL(u), { hostname: `${u.hostname}.attacker.example` }).toString(),
  },
  {
    name: 'scheme',
    title: 'another scheme (http ↔ https)',
    make: (u) => Object.assign(new URL(u), { protocol: u.protocol === 'https:' ? 'http:' : 'https:' }).toString(),
  },
  {
    name: 'port',
    title: 'another port',
    make: (u) => Object.assign(new URL(u), { port: String(((Number(u.port) || (u.protocol === 'https:' ? 443 : 80)) % 60000) + 1) }).toString(),
  },
  { name: 'userinfo', title: 'userinfo before the host (attacker@host)', make: (u) => `${u.protocol}//attacker.example@${u.host}${u.pathname}${u.search}` },
  { name: 'fragment', title: 'a fragment appended', make: (u) => `${u.toString()}#attacker` },
];

function describeResponse(res: HttpResponse): string {
  const loc = res.location;
  return `${res.status}${loc ? ` to ${loc.origin}${loc.pathname}` : ''}`;
}

/**
 * A redirect is a violation when it goes to the bad URI (by prefix, or same origin+path where the
 * bad URI differs from the registered one there) or carries a code / token / error to anywhere.
 */
function redirectProblem(res: HttpResponse, bad: string, registered: URL): string | undefined {
  if (res.status < 300 || res.status >= 400) return undefined;
  const loc = res.location;
  if (!loc) return undefined;
  const frag = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const carries = ['code', 'access_token', 'id_token', 'error'].filter((k) => loc.searchParams.has(k) || frag.has(k));
  const raw = res.header('location') ?? '';
  const badNoFrag = bad.replace(/#.*$/, '');
  let badUrl: URL | undefined;
  try {
    badUrl = new URL(bad);
  } catch {
    badUrl = undefined;
  }
  const toBad =
    raw.startsWith(badNoFrag) ||
    loc.toString().startsWith(badNoFrag) ||
    (!!badUrl &&
      (badUrl.origin !== registered.origin || badUrl.pathname !== registered.pathname) &&
      loc.origin === badUrl.origin &&
      loc.pathname === badUrl.pathname &&
      !!badUrl.username === !!loc.username);
  if (toBad) return `redirected to the unregistered URI${carries.length ? ` with ${carries.join(', ')}` : ''}`;
  if (carries.includes('code') || carries.includes('access_token') || carries.includes('id_token'))
    return `redirected with ${carries.join(', ')} although redirect_uri was not registered`;
  return undefined;
}

function variantCase(v: Variant): ContractCase {
  return {
    id: `${area}.unregistered-redirect-${v.name}`,
    title: `authorize never redirects to an unregistered redirect_uri: ${v.title}`,
    requirements: ['RFC6749-3.1.2.4', 'RFC6749-4.1.2.1', 'RFC9700-4.1.3', 'RFC9700-2.1'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const registered = new URL(t.settings.client.redirectUri);
      const bad = v.make(registered);
      if (bad === t.settings.client.redirectUri) t.notApplicable(`the ${v.name} variant equals the registered URI`);
      // RFC 8252 §7.3: a native app's loopback redirect may use any port (Doorkeeper URIChecker.loopback_uri?).
      if (v.name === 'port' && isLoopbackIpLiteral(registered.hostname)) {
        t.notApplicable(`the registered redirect_uri's host ${registered.hostname} is a loopback IP literal: any port is allowed for it (RFC 8252 §7.3)`);
      }
      const { session } = await signedIn(t);
      const pair = pkcePair('S256');
      const res = await authorize(t, session, { redirectUri: bad, state: `redirect-${v.name}`, codeChallenge: pair.challenge, codeChallengeMethod: 'S256' });
      const problem = redirectProblem(res, bad, registered);
      // The observation names what happened, not where (the port and host differ per deployment): a ledger entry can excuse exactly it.
      ensure(
        !problem,
        `${v.title}: ${problem} (${describeResponse(res)})`,
        `an error shown by the server (${t.contract.authorizeBadRedirect.status}${t.contract.authorizeBadRedirect.error ? ` ${t.contract.authorizeBadRedirect.error}` : ''}), no redirect`,
        `${res.status} ${problem}`,
      );
      const want = t.contract.authorizeBadRedirect;
      ensure(
        res.status === want.status,
        `${v.title}: the server did not show the documented error`,
        `${want.status}${want.error ? ` ${want.error}` : ''} error page`,
        describeResponse(res),
      );
    },
  };
}

/** Signin with correct credentials succeeded (202, or a redirect when continue was given). */
const signinAnswered = (res: HttpResponse): boolean => res.status === 202 || (res.status >= 300 && res.status < 400);

/** An IP literal of the loopback range (127.0.0.0/8, ::1): host names such as localhost are not. */
export function isLoopbackIpLiteral(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return h === '::1' || h === '0:0:0:0:0:0:0:1';
}

/** Off-domain `continue` targets: absolute, scheme-relative, and obfuscated forms. */
function continueTargets(t: CaseContext): string[] {
  const host = new URL(t.settings.url).host;
  return [
    'https://attacker.example/landing',
    '//attacker.example/landing',
    `https://attacker.example/${host}`,
    `https://${host}.attacker.example/`,
    `https://${host}@attacker.example/`,
    'javascript:alert(1)',
  ];
}

/** A path that PlaceOS's filter lets through (starts with `/`, no `//`) but browsers read as `//host`. */
const BACKSLASH_TARGETS = ['/\\attacker.example/landing', '/\\/attacker.example/landing'];

/** Where a browser would go: undefined (no redirect), or a URL that leaves the deployment's origin. */
function offDomain(t: CaseContext, res: HttpResponse): string | undefined {
  if (res.status < 300 || res.status >= 400) return undefined;
  const raw = res.header('location');
  if (!raw) return undefined;
  // Browsers treat a backslash like a slash in special URLs: normalise before resolving.
  const normalised = raw.replace(/\\/g, '/');
  let target: URL;
  try {
    target = new URL(normalised, t.settings.url);
  } catch {
    return undefined;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return `${target.protocol} URL`;
  const own = new URL(t.settings.url);
  if (target.host.toLowerCase() === own.host.toLowerCase() || target.hostname.toLowerCase() === own.hostname.toLowerCase()) return undefined;
  return target.host;
}

export const cases: ContractCase[] = [
  ...VARIANTS.map(variantCase),
  {
    id: `${area}.unknown-client-no-redirect`,
    title: 'authorize with an unknown client_id shows an error and does not redirect',
    requirements: ['RFC6749-4.1.2.1', 'RFC9700-4.11.2'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const bad = 'https://attacker.example/callback';
      const res = await authorize(t, session, {
        app: { ...t.settings.client, clientId: '0123456789abcdef0123456789abcdef' },
        redirectUri: bad,
        state: 'unknown-client',
      });
      const loc = res.location;
      const redirected = res.status >= 300 && res.status < 400 && !!loc && loc.hostname === 'attacker.example';
      ensure(!redirected, 'authorize redirected an unknown client to its redirect_uri', '4xx error page, no redirect', describeResponse(res));
      const code = loc?.searchParams.get('code');
      ensure(!code, 'authorize issued a code for an unknown client', 'no code', describeResponse(res));
      const want = t.contract.errors.unknownClient;
      ensure(
        res.status === want.status,
        'authorize did not answer an unknown client with the documented error',
        `${want.status} ${want.error}`,
        describeResponse(res),
      );
    },
  },
  {
    id: `${area}.signin-continue-open-redirect`,
    title: 'signin with an off-domain continue does not redirect off the deployment',
    requirements: ['RFC9700-4.11.2', 'RFC6749-10.15', 'PLACEOS-IMPL-OPEN-REDIRECT'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      const account = t.settings.user!;
      const problems: string[] = [];
      for (const target of continueTargets(t)) {
        const c = t.client('signin');
        const res = await c.post('/auth/signin', paramsAs('form', { email: account.email, password: account.password, continue: target }));
        for (const ck of await c.jar.getCookies(c.baseUrl)) t.secrets.add(ck.value, 'cookie');
        precondition(signinAnswered(res), `signing in with continue=${target}`, 'signin did not succeed', '202 or a redirect', String(res.status));
        const off = offDomain(t, res);
        if (off) problems.push(`continue=${target} → ${res.status} to ${off}`);
      }
      ensure(problems.length === 0, `signin redirected off the deployment: ${problems.join('; ')}`, 'a path on the deployment (or /)');
    },
  },
  {
    id: `${area}.logout-continue-open-redirect`,
    title: 'logout with an off-domain continue does not redirect off the deployment (except to the authority logout_url)',
    requirements: ['RFC9700-4.11.2', 'RFC6749-10.15', 'PLACEOS-IMPL-OPEN-REDIRECT'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'readonly'],
    async run(t) {
      // No session and no bearer: logout then changes nothing (contract doc §3.3).
      const authority = await t.client('authority').get('/auth/authority');
      const logoutUrl = (authority.json as { logout_url?: unknown } | undefined)?.logout_url;
      let allowedHost: string | undefined;
      if (typeof logoutUrl === 'string') {
        try {
          allowedHost = new URL(logoutUrl, t.settings.url).host;
        } catch {
          allowedHost = undefined;
        }
      }
      const problems: string[] = [];
      for (const target of continueTargets(t)) {
        const res = await t.client('logout').get('/auth/logout', { query: { continue: target }, noCookies: true });
        precondition(
          res.status >= 300 && res.status < 400,
          `logout with continue=${target}`,
          'logout did not redirect',
          t.contract.logoutStatuses.join(' / '),
          String(res.status),
        );
        const off = offDomain(t, res);
        if (off && off !== allowedHost) problems.push(`continue=${target} → ${res.status} to ${off}`);
      }
      ensure(problems.length === 0, `logout redirected off the deployment: ${problems.join('; ')}`, 'a path on the deployment, / or the authority logout_url');
    },
  },
  {
    id: `${area}.continue-backslash`,
    title: 'a continue path starting with /\\ (read by browsers as //host) is not passed through by signin or logout',
    requirements: ['RFC9700-4.11.2', 'RFC6749-10.15'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      const account = t.settings.user!;
      const problems: string[] = [];
      for (const target of BACKSLASH_TARGETS) {
        const c = t.client('signin');
        const res = await c.post('/auth/signin', paramsAs('form', { email: account.email, password: account.password, continue: target }));
        for (const ck of await c.jar.getCookies(c.baseUrl)) t.secrets.add(ck.value, 'cookie');
        precondition(signinAnswered(res), `signing in with continue=${target}`, 'signin did not succeed', '202 or a redirect', String(res.status));
        const off = offDomain(t, res);
        if (off) problems.push(`signin continue=${target} → ${res.status} to ${off}`);
        const out = await t.client('logout').get('/auth/logout', { query: { continue: target }, noCookies: true });
        precondition(
          out.status >= 300 && out.status < 400,
          `logout with continue=${target}`,
          'logout did not redirect',
          t.contract.logoutStatuses.join(' / '),
          String(out.status),
        );
        const off2 = offDomain(t, out);
        if (off2) problems.push(`logout continue=${target} → ${out.status} to ${off2}`);
      }
      ensure(problems.length === 0, 'a backslash path became an off-site redirect', 'a path on the deployment (or /)', problems.join('; '));
    },
  },
  {
    id: `${area}.no-307-after-credentials`,
    title: 'signin answers a credential POST with 302/303, never 307 (which would re-post the password)',
    requirements: ['RFC9700-4.12'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      const account = t.settings.user!;
      const c = t.client('signin');
      const res = await c.post('/auth/signin', paramsAs('form', { email: account.email, password: account.password, continue: '/backoffice/' }));
      for (const ck of await c.jar.getCookies(c.baseUrl)) t.secrets.add(ck.value, 'cookie');
      ensure(res.status !== 307 && res.status !== 308, 'signin redirected a credential POST with a method-preserving status', '302 / 303', String(res.status));
      precondition(
        res.status >= 300 && res.status < 400,
        'signing in with continue',
        'signin did not redirect, so how it redirects is unknown',
        `${t.contract.signinContinueStatus} to continue`,
        String(res.status),
      );
    },
  },
];
