// Settings that only make sense together: the apps (client_id defaults to MD5 of the redirect
// URI, as PlaceOS computes it), the accounts (email and password go together).
import { createHash } from 'node:crypto';
import type { DeclaredKey } from './declaration';
import type { Declared } from './read';
import type { Account, ClientApp, Problem } from './types';

const md5Hex = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

export function publicClient({ values: v }: Declared, url: string): ClientApp {
  const redirectUri = v.redirectUri ?? `${url}/backoffice/oauth-resp.html`;
  const client: ClientApp = { clientId: v.clientId ?? md5Hex(redirectUri), redirectUri, scopes: v.clientScopes ?? ['public'] };
  if (v.clientSecret !== undefined) client.clientSecret = v.clientSecret;
  return client;
}

const anyGiven = (d: Declared, keys: DeclaredKey[]): boolean => keys.some((k) => d.given[k] !== undefined);

export function confidentialClient(d: Declared, problem: Problem): ClientApp | undefined {
  const v = d.values;
  if (!anyGiven(d, ['confidentialClientId', 'confidentialClientSecret', 'confidentialRedirectUri', 'confidentialScopes'])) return undefined;
  for (const [key, name] of [
    ['confidentialClientSecret', 'PLACEOS_CONFIDENTIAL_CLIENT_SECRET'],
    ['confidentialRedirectUri', 'PLACEOS_CONFIDENTIAL_REDIRECT_URI'],
  ] as const) {
    if (d.given[key] === undefined) {
      problem(
        name,
        `is required when any PLACEOS_CONFIDENTIAL_* variable is set (the confidential app needs PLACEOS_CONFIDENTIAL_REDIRECT_URI and PLACEOS_CONFIDENTIAL_CLIENT_SECRET; its client id defaults to MD5 of the redirect URI)`,
      );
    }
  }
  if (v.confidentialRedirectUri === undefined || v.confidentialClientSecret === undefined) return undefined;
  if (d.given.confidentialClientId !== undefined && v.confidentialClientId === undefined) return undefined;
  if (d.given.confidentialScopes !== undefined && v.confidentialScopes === undefined) return undefined;
  return {
    clientId: v.confidentialClientId ?? md5Hex(v.confidentialRedirectUri),
    clientSecret: v.confidentialClientSecret,
    redirectUri: v.confidentialRedirectUri,
    scopes: v.confidentialScopes ?? ['public'],
  };
}

export function scopedClient(d: Declared, problem: Problem): ClientApp | undefined {
  const v = d.values;
  if (!anyGiven(d, ['scopedClientId', 'scopedClientSecret', 'scopedRedirectUri', 'scopedScopes'])) return undefined;
  if (d.given.scopedRedirectUri === undefined)
    problem('PLACEOS_SCOPED_REDIRECT_URI', `is required when any PLACEOS_SCOPED_* variable is set (its client id defaults to MD5 of the redirect URI)`);
  if (d.given.scopedScopes === undefined)
    problem('PLACEOS_SCOPED_CLIENT_SCOPES', `is required when any PLACEOS_SCOPED_* variable is set: the extra scopes the app has, like 'public api_keys.read'`);
  if (v.scopedRedirectUri === undefined || v.scopedScopes === undefined) return undefined;
  if (d.given.scopedClientId !== undefined && v.scopedClientId === undefined) return undefined;
  const app: ClientApp = { clientId: v.scopedClientId ?? md5Hex(v.scopedRedirectUri), redirectUri: v.scopedRedirectUri, scopes: v.scopedScopes };
  if (v.scopedClientSecret !== undefined) app.clientSecret = v.scopedClientSecret;
  return app;
}

const ACCOUNTS = {
  service: { email: 'serviceEmail', password: 'servicePassword', prefix: 'PLACEOS_SERVICE', what: 'service account' },
  user: { email: 'userEmail', password: 'userPassword', prefix: 'PLACEOS_USER', what: 'local non-service user' },
  logout: { email: 'logoutEmail', password: 'logoutPassword', prefix: 'PLACEOS_LOGOUT', what: 'account the run may log out everywhere' },
} as const;

function account(d: Declared, which: keyof typeof ACCOUNTS, problem: Problem): Account | undefined {
  const a = ACCOUNTS[which];
  const [emailVar, passwordVar] = [`${a.prefix}_EMAIL`, `${a.prefix}_PASSWORD`];
  const [hasEmail, hasPassword] = [d.given[a.email] !== undefined, d.given[a.password] !== undefined];
  if (!hasEmail && !hasPassword) return undefined;
  if (!hasEmail || !hasPassword) {
    const [missing, given] = hasEmail ? [passwordVar, emailVar] : [emailVar, passwordVar];
    problem(missing, `${emailVar} and ${passwordVar} go together (the ${a.what}): ${given} is set but ${missing} is not`);
    return undefined;
  }
  const email = d.values[a.email];
  const password = d.values[a.password];
  return email === undefined || password === undefined ? undefined : { email, password };
}

/** The SSO test account at the identity provider: both halves, and the strategy it logs in through. */
export function ssoAccount(d: Declared, problem: Problem): { username: string; password: string } | undefined {
  const [hasUser, hasPassword] = [d.given.ssoUsername !== undefined, d.given.ssoPassword !== undefined];
  if (!hasUser && !hasPassword) return undefined;
  if (!hasUser || !hasPassword) {
    const [missing, given] = hasUser ? ['PLACEOS_SSO_PASSWORD', 'PLACEOS_SSO_USERNAME'] : ['PLACEOS_SSO_USERNAME', 'PLACEOS_SSO_PASSWORD'];
    problem(
      missing,
      `PLACEOS_SSO_USERNAME and PLACEOS_SSO_PASSWORD go together (a test account at the SSO identity provider): ${given} is set but ${missing} is not`,
    );
    return undefined;
  }
  if (d.given.ssoId === undefined) problem('PLACEOS_SSO_USERNAME', 'is used for the SSO login, which needs PLACEOS_SSO_ID (the strategy id) too');
  const { ssoUsername: username, ssoPassword: password } = d.values;
  return username === undefined || password === undefined ? undefined : { username, password };
}

export function accounts(d: Declared, problem: Problem): { service?: Account; user?: Account; logoutAccount?: Account } {
  const service = account(d, 'service', problem);
  const user = account(d, 'user', problem);
  const logoutAccount = account(d, 'logout', problem);
  const same = (x?: Account, y?: Account): boolean => !!x && !!y && x.email.toLowerCase() === y.email.toLowerCase();
  for (const [other, a] of [
    ['PLACEOS_SERVICE_EMAIL', service],
    ['PLACEOS_USER_EMAIL', user],
  ] as const) {
    if (same(logoutAccount, a))
      problem('PLACEOS_LOGOUT_EMAIL', `expected an account of its own (logout ends every session and token of the account), got the same email as ${other}`);
  }
  if (same(service, user))
    problem('PLACEOS_USER_EMAIL', `expected a different account from PLACEOS_SERVICE_EMAIL (a normal, non-service user), got the same email`);
  return { ...(service ? { service } : {}), ...(user ? { user } : {}), ...(logoutAccount ? { logoutAccount } : {}) };
}
