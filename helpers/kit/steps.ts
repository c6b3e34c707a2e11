// Steps rows build on: routes, a signed-in session, a fresh code, a fresh token, revoking our own
// token, the control that a token is accepted. Setup steps fail as `error` (setup/precondition),
// never as a contract failure. Nothing here decides a level or a severity: the rows do.
import type { CaseContext } from '../case';
import type { Account, ClientApp } from '../config';
import type { AuthorizeParams, Tokens } from '../flows';
import { accountFor, authorize, codeFrom, exchangeCode, obtainToken, signInOrFail, tokensFrom } from '../flows';
import type { HttpClient, HttpResponse } from '../http';
import type { PkceMethod } from '../pkce';
import { pkcePair } from '../pkce';
import { precondition, setup } from './check';
import { BEARER_TRANSPORTS, CURRENT_USER, getWithBearer } from './transports';
import { PACKAGE_ROOT } from '../package-root';

/** Package root (for files shipped with the suite, such as keys/placeos-default/). */
export const REPO_ROOT = PACKAGE_ROOT;

/** rest-api route that any valid credential may call (contract doc §3.13). */
export const PROTECTED = CURRENT_USER;
export const TOKEN_INFO = '/auth/oauth/token/info';
export const TOKEN = '/auth/oauth/token';
export const REVOKE = '/auth/oauth/revoke';
export const INTROSPECT = '/auth/oauth/introspect';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Where a token was not refused with 401: each route (in order) by each bearer transport. */
export async function notRefused(
  client: HttpClient,
  token: string,
  routes: readonly string[] = [PROTECTED],
): Promise<{ route: string; via: string; status: number }[]> {
  const out: { route: string; via: string; status: number }[] = [];
  for (const route of routes) {
    for (const via of BEARER_TRANSPORTS) {
      const res = await getWithBearer(client, via, route, token);
      if (res.status !== 401) out.push({ route, via, status: res.status });
    }
  }
  return out;
}

/** Every transport refuses the token with 401 at one route; one line per transport that did not. */
export async function refusedEverywhere(client: HttpClient, token: string, route: string = PROTECTED): Promise<string[]> {
  return (await notRefused(client, token, [route])).map((r) => `${r.via}: ${r.status}`);
}

/**
 * The token works in the header transport (the control for negative checks). Left a violation, not
 * a `setup` step: the transport-header-ignored mutant breaks it, and the kill matrix counts every
 * `error` as a check that could not run.
 */
export async function expectAccepted(client: HttpClient, token: string, what: string): Promise<void> {
  const res = await getWithBearer(client, 'header', PROTECTED, token);
  precondition(res.status === 200, what, 'the freshly minted token is not accepted at rest-api', `200 at GET ${PROTECTED}`, String(res.status));
}

export async function tokenInfo(client: HttpClient, token: string): Promise<HttpResponse> {
  return client.get(TOKEN_INFO, { headers: { authorization: `Bearer ${token}` }, noCookies: true });
}

// ---- sessions, codes and tokens ------------------------------------------------------------------

/** A browser-like client signed in as the account (own cookie jar). */
export async function signedIn(t: CaseContext, who: 'user' | 'service' = 'user', journey = 'browser'): Promise<{ session: HttpClient; account: Account }> {
  const account = accountFor(t, who);
  const session = t.client(journey);
  await setup('signing in (POST /auth/signin)', () => signInOrFail(t, session, account));
  return { session, account };
}

export interface FreshCode {
  code: string;
  verifier?: string;
  challenge?: string;
  response: HttpResponse;
}

/** authorize (with a PKCE pair of the method, or none) → the code of the redirect. */
export async function freshCode(
  t: CaseContext,
  session: HttpClient,
  o: { pkce?: PkceMethod | 'none'; app?: ClientApp; state?: string; scope?: string; extra?: AuthorizeParams['extra'] } = {},
): Promise<FreshCode> {
  const method = o.pkce ?? 'S256';
  const pair = method === 'none' ? undefined : pkcePair(method);
  const res = await authorize(t, session, {
    app: o.app,
    state: o.state ?? 'security',
    scope: o.scope,
    codeChallenge: pair?.challenge,
    codeChallengeMethod: pair?.method,
    extra: o.extra,
  });
  const code = await setup('getting an authorization code (authorize)', async () => codeFrom(res));
  if (pair) t.secrets.add(pair.verifier, 'code_verifier');
  return { code, verifier: pair?.verifier, challenge: pair?.challenge, response: res };
}

/** Tokens for the account through the code flow (with S256), in a given signed-in session. */
export async function codeTokens(t: CaseContext, session: HttpClient, o: { app?: ClientApp; scope?: string } = {}): Promise<Tokens> {
  const c = await freshCode(t, session, { app: o.app, scope: o.scope });
  return setup('minting a token (code exchange)', async () =>
    tokensFrom(await exchangeCode(t, session, { code: c.code, app: o.app, verifier: c.verifier }), 'code exchange'),
  );
}

/** A token for the account, however the generation allows (password grant or code flow): a setup step. */
export async function freshToken(t: CaseContext, who: 'user' | 'service' = 'user', o: { app?: ClientApp; scope?: string } = {}): Promise<Tokens> {
  return setup('minting a token', () => obtainToken(t, who, o));
}

/** A token with a refresh token, however the generation allows (password grant or code flow). */
export async function tokensWithRefresh(
  t: CaseContext,
  who: 'user' | 'service' = 'user',
  o: { app?: ClientApp; scope?: string } = {},
): Promise<Tokens & { refreshToken: string }> {
  const tokens = await freshToken(t, who, o);
  if (!tokens.refreshToken) t.notApplicable('the token response carries no refresh_token (refresh is not offered to this client)');
  return tokens as Tokens & { refreshToken: string };
}

/**
 * POST /auth/oauth/revoke for our own token, identified as the client it was issued to (client_id,
 * and client_secret when the app has one: Rails answers 403 to a confidential client without it).
 */
export async function revokeToken(
  t: CaseContext,
  token: string,
  o: { hint?: 'access_token' | 'refresh_token'; app?: ClientApp; client?: HttpClient } = {},
): Promise<HttpResponse> {
  const app = o.app ?? t.settings.client;
  const form: Record<string, string> = { token, client_id: app.clientId };
  if (o.hint) form.token_type_hint = o.hint;
  if (app.clientSecret) form.client_secret = app.clientSecret;
  return (o.client ?? t.client('revoke')).post(REVOKE, { form });
}

/** Revoke our own token as a setup step (the check examines what happens after): 200 or `error`. */
export async function revokedForCheck(t: CaseContext, token: string, hint?: 'access_token' | 'refresh_token'): Promise<void> {
  const rev = await revokeToken(t, token, { hint });
  precondition(rev.status === 200, 'revoking our own token', 'revoking our own token did not answer 200', '200', String(rev.status));
}

/** A second registered client for binding checks: the scoped app, else the confidential app. */
export function otherClient(t: CaseContext): ClientApp {
  const other = t.settings.scopedClient ?? t.settings.confidentialClient;
  if (!other) t.notApplicable('needs a second registered client (PLACEOS_SCOPED_CLIENT_* or PLACEOS_CONFIDENTIAL_CLIENT_*)');
  if (other.clientId === t.settings.client.clientId) t.notApplicable('the second client has the same client_id as the main client');
  return other;
}
