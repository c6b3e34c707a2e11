// Sessions and logout (checklist §2.5, §2.6): session cookie attributes, logout revoking the
// bearer it was called with, and tokens of a logged-out user refused in every transport.
import type { ContractCase } from '../../helpers/case';
import { obtainToken, paramsAs, refreshGrant } from '../../helpers/flows';
import { check, hasAccessToken, tokenInfo } from '../security-common/probes';

export const area = 'security-session';

interface SetCookie {
  name: string;
  attrs: Record<string, string>;
}

function parseSetCookie(raw: string): SetCookie {
  const [pair, ...rest] = raw.split(';');
  const name = (pair ?? '').split('=')[0]!.trim();
  const attrs: Record<string, string> = {};
  for (const a of rest) {
    const i = a.indexOf('=');
    const k = (i >= 0 ? a.slice(0, i) : a).trim().toLowerCase();
    attrs[k] = i >= 0 ? a.slice(i + 1).trim() : '';
  }
  return { name, attrs };
}

/** The session cookie(s) a successful signin sets (this generation's name; any cookie if absent). */
async function sessionCookies(t: Parameters<ContractCase['run']>[0]): Promise<SetCookie[]> {
  const account = t.settings.user!;
  const c = t.client('signin');
  const res = await c.post('/auth/signin', paramsAs(t.contract.signinReadsQuery ? 'query' : 'form', { email: account.email, password: account.password }));
  for (const ck of await c.jar.getCookies(c.baseUrl)) t.secrets.add(ck.value, 'cookie');
  check(res.status === 202 || (res.status >= 300 && res.status < 400), 'signin did not succeed (the check cannot be made)', '202', String(res.status));
  const all = res.setCookie.map(parseSetCookie);
  const named = all.filter((c) => c.name === t.contract.sessionCookie);
  check(named.length > 0, `signin set no ${t.contract.sessionCookie} session cookie`, t.contract.sessionCookie, all.map((c) => c.name).join(', ') || '(none)');
  return named;
}

export const cases: ContractCase[] = [
  {
    id: `${area}.session-cookie-httponly`,
    title: 'the session cookie set by signin is HttpOnly',
    requirements: ['RFC6265-4.1.2.6', 'PLACEOS-IMPL-COOKIES'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      for (const c of await sessionCookies(t)) check('httponly' in c.attrs, `the ${c.name} cookie is readable by scripts`, 'HttpOnly', Object.keys(c.attrs).join('; '));
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
      for (const c of await sessionCookies(t)) check('secure' in c.attrs, `the ${c.name} cookie may be sent over plain http`, 'Secure', Object.keys(c.attrs).join('; '));
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
        const v = (c.attrs.samesite ?? '').toLowerCase();
        check(v === 'lax' || v === 'strict', `the ${c.name} cookie is sent on cross-site requests`, 'SameSite=Lax or Strict', c.attrs.samesite === undefined ? '(no SameSite)' : `SameSite=${c.attrs.samesite}`);
      }
    },
  },
  {
    id: `${area}.logout-revokes-bearer`,
    title: 'logout revokes the bearer token it is called with (Authorization header, no session)',
    requirements: ['PLACEOS-IMPL-LOGOUT'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      // No session cookie: logout then only revokes the presented bearer (contract doc §3.3).
      const tokens = await obtainToken(t, 'user');
      const before = await tokenInfo(t.client('info'), tokens.accessToken);
      check(before.status === 200, 'token/info does not accept the fresh token (the check cannot be made)', '200', String(before.status));
      const out = await t.client('logout').get('/auth/logout', { headers: { authorization: `Bearer ${tokens.accessToken}` }, noCookies: true });
      check(out.status >= 300 && out.status < 400, 'logout did not redirect', t.contract.logoutStatuses.join(' / '), String(out.status));
      const after = await tokenInfo(t.client('info'), tokens.accessToken);
      check(after.status === 401, 'the bearer token logout was called with is still valid at the auth service', '401 at token/info', String(after.status));
      if (tokens.refreshToken) {
        const res = await refreshGrant(t, t.client('refresh'), { refreshToken: tokens.refreshToken });
        check(!hasAccessToken(res), "the logged-out token's refresh token still works", '400 invalid_grant', String(res.status));
      }
    },
  },
];
