// Sessions (checklist §2.5, §2.6): session cookie attributes. Logout revoking the bearer it was
// called with is lifecycle.logout.bearer (PLACEOS-IMPL-LOGOUT); tokens of a logged-out user
// refused in every transport is lifecycle.logout.session.
import type { CaseContext, ContractCase } from '../../helpers/case';
import { accountFor, signIn } from '../../helpers/flows';
import { ensure, parseSetCookies, precondition, type SetCookie } from '../../helpers/kit';

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
