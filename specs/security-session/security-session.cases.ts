// Sessions (checklist §2.5, §2.6): session cookie attributes. Logout revoking the bearer it was
// called with is lifecycle.logout.bearer (PLACEOS-IMPL-LOGOUT); tokens of a logged-out user
// refused in every transport is lifecycle.logout.session.
import type { CaseContext, ContractCase } from '../../helpers/case';
import { accountFor, authorize, signIn } from '../../helpers/flows';
import type { HttpResponse } from '../../helpers/http';
import { ensure, isDeletion, parseSetCookies, precondition, setup, type SetCookie } from '../../helpers/kit';
import { callCallback, ssoToCallback } from '../../helpers/sso';

export const area = 'security-session';

/** The session cookie(s) a successful signin sets, under this generation's name (setup steps). */
async function sessionCookies(t: CaseContext): Promise<SetCookie[]> {
  const res = await signIn(t, t.client('signin'), accountFor(t, 'user'));
  precondition(
    res.status === 202 || (res.status >= 300 && res.status < 400),
    'signing in (POST /auth/signin)',
    'signin did not succeed',
    '202',
    String(res.status),
  );
  const all = parseSetCookies(res);
  const named = all.filter((c) => c.name === t.contract.sessionCookie);
  precondition(
    named.length > 0,
    'getting the session cookie',
    `signin set no ${t.contract.sessionCookie} session cookie`,
    t.contract.sessionCookie,
    all.map((c) => c.name).join(', ') || '(none)',
  );
  return named;
}

// ---- every path that sets the session cookie (issue 22) -------------------------------------------------

/** The session cookie an answer sets (not a deletion), if any. */
const sessionSetBy = (t: CaseContext, res: HttpResponse): SetCookie | undefined =>
  parseSetCookies(res).find((c) => c.name === t.contract.sessionCookie && !isDeletion(c));

/**
 * Every answer that sets the session cookie: signin without and with `continue` (setup: each must
 * sign in), authorize without a session (auth.cr keeps `continue` in the session cookie; judged
 * only where it sets one), and the SSO callback where an identity provider is configured.
 */
async function sessionCookiePaths(t: CaseContext): Promise<{ path: string; cookie: SetCookie }[]> {
  const account = accountFor(t, 'user');
  const out: { path: string; cookie: SetCookie }[] = [];
  const signins: [string, string | undefined][] = [
    ['signin', undefined],
    ['signin with continue', '/backoffice/'],
  ];
  for (const [path, continueTo] of signins) {
    const res = await signIn(t, t.client(path.replace(/ /g, '-')), account, continueTo ? { continueTo } : {});
    const cookie = sessionSetBy(t, res);
    precondition(
      cookie,
      `${path} (POST /auth/signin)`,
      `${path} set no ${t.contract.sessionCookie} session cookie`,
      t.contract.sessionCookie,
      String(res.status),
    );
    out.push({ path, cookie });
  }
  const reissued = sessionSetBy(t, await authorize(t, t.client('no-session'), { state: 'cookie-paths' }));
  if (reissued) out.push({ path: 'authorize without a session', cookie: reissued });
  if (t.settings.ssoId && t.settings.ssoAccount) {
    const client = t.client('sso-browser');
    const { callback } = await setup('the SSO login at the identity provider', () => ssoToCallback(t, client));
    const cookie = sessionSetBy(t, await callCallback(client, callback));
    precondition(cookie, 'the SSO callback', `the SSO callback set no ${t.contract.sessionCookie} session cookie`, t.contract.sessionCookie, '(none)');
    out.push({ path: 'the SSO callback', cookie });
  }
  return out;
}

/** HttpOnly, Secure, SameSite (when present: a missing one is session-cookie-samesite-every-path) and Path. */
function flags(c: SetCookie): string {
  const sameSite = c.attrs.get('samesite');
  return [
    c.attrs.has('httponly') ? 'HttpOnly' : 'no HttpOnly',
    c.attrs.has('secure') ? 'Secure' : 'no Secure',
    ...(sameSite !== undefined ? [`SameSite=${sameSite.toLowerCase()}`] : []),
    `Path=${c.attrs.get('path') ?? '(absent)'}`,
  ].join('; ');
}

export const cases: ContractCase[] = [
  {
    id: `${area}.session-cookie-flags-every-path`,
    title:
      'every answer that sets the session cookie (signin with and without continue, a re-issue on authorize, the SSO callback) sets it HttpOnly, Secure on https, with Path=/auth and the SameSite of a plain signin',
    requirements: ['PLACEOS-IMPL-COOKIE-PATHS', 'RFC6265-4.1.2.6', 'RFC6265-4.1.2.5'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      const https = new URL(t.settings.url).protocol === 'https:';
      const paths = await sessionCookiePaths(t);
      const plainSameSite = paths[0]!.cookie.attrs.get('samesite')?.toLowerCase();
      const expected = (c: SetCookie): string => {
        const sameSite = c.attrs.get('samesite');
        return [
          'HttpOnly',
          https || paths[0]!.cookie.attrs.has('secure') ? 'Secure' : 'no Secure',
          ...(sameSite !== undefined ? [`SameSite=${plainSameSite ?? sameSite.toLowerCase()}`] : []),
          'Path=/auth',
        ].join('; ');
      };
      const off = paths.filter((p) => flags(p.cookie) !== expected(p.cookie));
      ensure(
        off.length === 0,
        `the ${t.contract.sessionCookie} session cookie is set with other flags on some path`,
        off.map((p) => `${p.path}: ${expected(p.cookie)}`).join('; '),
        off.map((p) => `${p.path}: ${flags(p.cookie)}`).join('; '),
      );
    },
  },
  {
    id: `${area}.session-cookie-samesite-every-path`,
    title: 'every answer that sets the session cookie names its SameSite policy (browser defaults for a missing one differ)',
    requirements: ['PLACEOS-IMPL-COOKIE-SAMESITE'],
    level: 'SHOULD',
    severity: 'low',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      const missing = (await sessionCookiePaths(t)).filter((p) => !p.cookie.attrs.has('samesite')).map((p) => p.path);
      ensure(
        missing.length === 0,
        `the ${t.contract.sessionCookie} session cookie carries no SameSite on some path`,
        'SameSite on every path',
        `no SameSite: ${missing.join(', ')}`,
      );
    },
  },
  {
    id: `${area}.session-cookie-httponly`,
    title: 'the session cookie set by signin is HttpOnly',
    requirements: ['RFC6265-4.1.2.6', 'PLACEOS-IMPL-COOKIES'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      for (const c of await sessionCookies(t))
        ensure(c.attrs.has('httponly'), `the ${c.name} cookie is readable by scripts`, 'HttpOnly', [...c.attrs.keys()].join('; '));
    },
  },
  {
    id: `${area}.session-cookie-secure`,
    title: 'the session cookie set by signin is Secure (never sent in clear)',
    requirements: ['RFC6265-4.1.2.5', 'RFC6750-5.3', 'PLACEOS-IMPL-COOKIES'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      for (const c of await sessionCookies(t))
        ensure(c.attrs.has('secure'), `the ${c.name} cookie may be sent over plain http`, 'Secure', [...c.attrs.keys()].join('; '));
    },
  },
  {
    id: `${area}.session-cookie-samesite`,
    title: 'the session cookie set by signin is SameSite=Lax or Strict (CSRF precaution)',
    requirements: ['RFC6750-5.3', 'PLACEOS-IMPL-COOKIES'],
    level: 'SHOULD',
    severity: 'medium',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      for (const c of await sessionCookies(t)) {
        const sameSite = c.attrs.get('samesite');
        const v = (sameSite ?? '').toLowerCase();
        ensure(
          v === 'lax' || v === 'strict',
          `the ${c.name} cookie is sent on cross-site requests`,
          'SameSite=Lax or Strict',
          sameSite === undefined ? '(no SameSite)' : `SameSite=${sameSite}`,
        );
      }
    },
  },
];
