// The SSO journey as a browser makes it: the kick-off at the deployment, the identity provider's
// own pages (redirects and a plain login form, filled with the IdP test account), back to the
// deployment's callback. Stops *before* requesting the callback, so a check can send it as is or
// tampered with. Where the IdP asks for more than a plain form login (a script-driven page, MFA,
// a consent screen), the journey says so instead of guessing: the check is then `n/a`.
import type { CaseContext } from './case';
import { ContractViolation } from './case';
import type { HttpClient, HttpResponse } from './http';

/** The browser's Accept header: a real IdP may answer JSON to the suite's API default. */
const BROWSER = { Accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' };
/** Redirects and pages followed at the IdP before giving up (a login is 2–5). */
const MAX_STEPS = 12;

export interface KickOff {
  res: HttpResponse;
  /** The identity provider's authorization URL the deployment redirected to. */
  idp: URL;
  state: string | null;
}

/** GET /auth/oauth2?id=<PLACEOS_SSO_ID>: a 302 to the identity provider, or a violation. */
export async function ssoKickOff(t: CaseContext, client: HttpClient): Promise<KickOff> {
  const res = await client.get('/auth/oauth2', { query: { id: t.settings.ssoId! }, headers: BROWSER });
  if (res.status !== 302 && res.status !== 303)
    throw new ContractViolation('SSO kick-off: not a redirect to the identity provider', '302 (303 on auth.cr)', String(res.status));
  if (!res.location) throw new ContractViolation('SSO kick-off: no Location', 'a Location to the identity provider', 'none');
  return { res, idp: res.location, state: res.location.searchParams.get('state') };
}

/** Is `u` this deployment's SSO callback? */
export function isCallback(t: CaseContext, u: URL): boolean {
  return u.host === new URL(t.settings.url).host && u.pathname.startsWith('/auth/oauth2/callback');
}

export interface LoginForm {
  action: URL;
  method: string;
  /** Hidden fields (CSRF tokens, interaction ids) to send back as they are. */
  hidden: [string, string][];
  userField: string;
  passwordField: string;
}

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const v = m ? (m[1] ?? m[2] ?? m[3]) : undefined;
  return v
    ?.replace(/&amp;/g, '&')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"');
};

/** The page's plain login form (one password field and one user field), if it has one. */
export function findLoginForm(html: string, pageUrl: string): LoginForm | undefined {
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const inputs = [...m[2]!.matchAll(/<input\b[^>]*>/gi)].map((i) => ({
      tag: i[0],
      type: (attr(i[0], 'type') ?? 'text').toLowerCase(),
      name: attr(i[0], 'name'),
    }));
    const passwords = inputs.filter((i) => i.type === 'password' && i.name);
    const users = inputs.filter((i) => ['text', 'email'].includes(i.type) && i.name);
    if (passwords.length !== 1 || users.length !== 1) continue;
    const action = attr(m[1]!, 'action');
    return {
      action: new URL(action && action.trim() !== '' ? action : pageUrl, pageUrl),
      method: (attr(m[1]!, 'method') ?? 'GET').toUpperCase(),
      hidden: inputs.filter((i) => i.type === 'hidden' && i.name).map((i) => [i.name!, attr(i.tag, 'value') ?? '']),
      userField: users[0]!.name!,
      passwordField: passwords[0]!.name!,
    };
  }
  return undefined;
}

export type IdpOutcome =
  /** Back at the deployment: the callback URL (with code or error, and state), not yet requested. */
  | { kind: 'callback'; url: URL }
  /** The run cannot complete the login by itself here; `reason` says why (for `n/a`). */
  | { kind: 'cannot-complete'; reason: string }
  /** The IdP did something a login cannot go on from (an error status, the account refused). */
  | { kind: 'failed'; reason: string };

/**
 * From the IdP authorization URL to the deployment's callback, following redirects and filling
 * the IdP's login form once with PLACEOS_SSO_USERNAME / PLACEOS_SSO_PASSWORD.
 */
export async function throughIdp(t: CaseContext, client: HttpClient, start: URL): Promise<IdpOutcome> {
  const account = t.settings.ssoAccount;
  let next: { url: URL; method: 'GET' | 'POST'; form?: Record<string, string> } = { url: start, method: 'GET' };
  let submitted = false;
  for (let step = 0; step < MAX_STEPS; step++) {
    if (isCallback(t, next.url)) return { kind: 'callback', url: next.url };
    const res = await client.request(next.method, next.url.toString(), { headers: BROWSER, ...(next.form ? { form: next.form } : {}) });
    if (res.status >= 300 && res.status < 400) {
      if (!res.location) return { kind: 'failed', reason: `the identity provider answered ${res.status} without a Location` };
      next = { url: res.location, method: 'GET' };
      continue;
    }
    if (res.status !== 200) return { kind: 'failed', reason: `the identity provider answered ${res.status} at ${next.url.origin}${next.url.pathname}` };
    const form = findLoginForm(res.text, res.url);
    if (!form) {
      const what = submitted
        ? 'after the login form, the identity provider shows a page without a plain login form (MFA, consent or a script-driven step)'
        : 'the identity provider shows a login page without a plain form (a script-driven page)';
      return { kind: 'cannot-complete', reason: `${what}; the run cannot complete the SSO login by itself` };
    }
    if (!account)
      return {
        kind: 'cannot-complete',
        reason:
          'the identity provider shows its login page; the run completes it only with PLACEOS_SSO_USERNAME and PLACEOS_SSO_PASSWORD (a test account there)',
      };
    if (submitted)
      return {
        kind: 'failed',
        reason:
          'the identity provider showed its login form again after the test account was submitted: it did not accept PLACEOS_SSO_USERNAME / PLACEOS_SSO_PASSWORD',
      };
    if (form.method !== 'POST')
      return { kind: 'cannot-complete', reason: "the identity provider's login form would send the password in the URL (method GET); the run never does" };
    t.secrets.add(account.password, 'password');
    next = {
      url: form.action,
      method: 'POST',
      form: Object.fromEntries([...form.hidden, [form.userField, account.username], [form.passwordField, account.password]]),
    };
    submitted = true;
  }
  return { kind: 'failed', reason: `the identity provider did not send the browser back to the callback within ${MAX_STEPS} steps` };
}

/** Kick-off and the IdP: the callback URL, or `n/a` / a violation saying why the login stopped. */
export async function ssoToCallback(t: CaseContext, client: HttpClient, from?: () => Promise<URL>): Promise<{ callback: URL; state: string | null }> {
  const idp = from ? await from() : (await ssoKickOff(t, client)).idp;
  const outcome = await throughIdp(t, client, idp);
  if (outcome.kind === 'cannot-complete') t.notApplicable(outcome.reason);
  if (outcome.kind === 'failed') throw new ContractViolation(`SSO login at the identity provider: ${outcome.reason}`);
  return { callback: outcome.url, state: idp.searchParams.get('state') };
}

/** GET or POST the callback the IdP sent the browser to (with its parameters replaced or removed). */
export function callCallback(client: HttpClient, callback: URL, change: Record<string, string | null> = {}): Promise<HttpResponse> {
  const u = new URL(callback);
  for (const [k, v] of Object.entries(change)) {
    if (v === null) u.searchParams.delete(k);
    else u.searchParams.set(k, v);
  }
  return client.get(u.toString(), { headers: BROWSER });
}
