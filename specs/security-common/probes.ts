// Small, bounded probes shared by the security areas (specs/security-*): assertions that throw
// ContractViolation, the rest-api credential transports, OAuth error parsing, fresh codes.
// Nothing here decides a level or a severity: the rows do. Nothing here puts a token value into
// a message (the secret registry masks them anyway, but we do not rely on it).
import * as path from 'node:path';
import type { CaseContext } from '../../helpers/case';
import { ContractViolation, PreconditionFailed, setup } from '../../helpers/case';
import type { Account, ClientApp } from '../../helpers/config';
import type { AuthorizeParams, Tokens } from '../../helpers/flows';
import { accountFor, authorize, codeFrom, exchangeCode, obtainToken, signInOrFail, tokensFrom } from '../../helpers/flows';
import type { HttpClient, HttpResponse } from '../../helpers/http';
import type { PkceMethod } from '../../helpers/pkce';
import { pkcePair } from '../../helpers/pkce';
import { BEARER_TRANSPORTS, CURRENT_USER, getWithBearer } from '../../helpers/kit/transports';

/** Package root (for files shipped with the suite, such as keys/placeos-default/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** rest-api route that any valid credential may call (contract doc §3.13). */
export const PROTECTED = CURRENT_USER;
export const TOKEN_INFO = '/auth/oauth/token/info';
export const TOKEN = '/auth/oauth/token';
export const REVOKE = '/auth/oauth/revoke';
export const INTROSPECT = '/auth/oauth/introspect';

import { ensure as check } from '../../helpers/assert';

export { check };

export function fail(message: string, expected?: string, actual?: string): never {
  throw new ContractViolation(message, expected, actual);
}

export { setup };

/**
 * A condition the check builds on (a control, a setup step's status): when it does not hold the
 * check could not be made, so the verdict is `error` (PreconditionFailed), never a ledger `deviation`.
 */
export function precondition(ok: unknown, step: string, message: string, expected?: string, actual?: string): asserts ok {
  if (ok) return;
  const detail = expected !== undefined || actual !== undefined ? `: expected ${expected ?? '?'}, got ${actual ?? '?'}` : '';
  throw new PreconditionFailed(`${step} failed, so the check could not be made: ${message}${detail}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- response helpers ------------------------------------------------------------------------

export interface OAuthErr {
  status: number;
  error?: string;
}

export function oauthError(res: HttpResponse): OAuthErr {
  const body = res.json as Record<string, unknown> | undefined;
  const error = body && typeof body === 'object' && typeof body.error === 'string' ? body.error : undefined;
  return { status: res.status, error };
}

export const describeErr = (e: OAuthErr) => `${e.status}${e.error !== undefined ? ` ${e.error}` : ' (no error member)'}`;

export function hasAccessToken(res: HttpResponse): boolean {
  const body = res.json as Record<string, unknown> | undefined;
  return res.status >= 200 && res.status < 300 && !!body && typeof body === 'object' && typeof body.access_token === 'string';
}

/**
 * How authorize refused a request: an error page (4xx, no redirect) or an error redirect to the
 * client's redirect_uri (error=…, no code, no token). undefined when it was no refusal: a code or a
 * token, a 5xx, a redirect to the login page or anywhere else.
 */
export function authorizeRefusal(res: HttpResponse, redirectUri: string): string | undefined {
  if (res.status >= 400 && res.status < 500 && !res.location) return `${res.status} error page`;
  const loc = res.location;
  if (res.status < 300 || res.status >= 400 || !loc) return undefined;
  const frag = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const error = loc.searchParams.get('error') ?? frag.get('error');
  const carries = ['code', 'access_token', 'id_token'].some((k) => loc.searchParams.has(k) || frag.has(k));
  const reg = new URL(redirectUri);
  if (!error || carries || loc.origin !== reg.origin || loc.pathname !== reg.pathname) return undefined;
  return `${res.status} error redirect (error=${error})`;
}

/** What authorize answered, for messages: status and where it went, without query values. */
export function describeAuthorize(res: HttpResponse): string {
  const loc = res.location;
  if (!loc) return String(res.status);
  const frag = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const keys = [...new Set([...loc.searchParams.keys(), ...frag.keys()])];
  return `${res.status} to ${loc.origin}${loc.pathname}${keys.length ? ` with ${keys.join(', ')}` : ''}`;
}

/** Directives of Cache-Control, lower-cased, split on commas. */
export function cacheDirectives(res: HttpResponse): string[] {
  return (res.header('cache-control') ?? '')
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
}

export function mediaType(res: HttpResponse): string {
  return (res.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isJsonMediaType(res: HttpResponse): boolean {
  const m = mediaType(res);
  return m === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(m);
}

/** RFC 6749 §5.2 error codes (plus RFC 7009 unsupported_token_type). */
export const RFC6749_TOKEN_ERRORS = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'] as const;

/** True when `text` carries the token or its signature part (tokens must never be echoed). */
export function echoesToken(text: string | undefined, token: string): boolean {
  if (!text) return false;
  const sig = token.split('.')[2];
  return text.includes(token) || text.includes(encodeURIComponent(token)) || (!!sig && sig.length >= 16 && text.includes(sig));
}

// ---- rest-api credential transports (helpers/kit/transports.ts) ------------------------------

/** Every transport refuses the token with 401; one line per transport that did not. */
export async function refusedEverywhere(client: HttpClient, token: string, route: string = PROTECTED): Promise<string[]> {
  const bad: string[] = [];
  for (const via of BEARER_TRANSPORTS) {
    const res = await getWithBearer(client, via, route, token);
    if (res.status !== 401) bad.push(`${via}: ${res.status}`);
  }
  return bad;
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
export async function freshCode(t: CaseContext, session: HttpClient, o: { pkce?: PkceMethod | 'none'; app?: ClientApp; state?: string; scope?: string; extra?: AuthorizeParams['extra'] } = {}): Promise<FreshCode> {
  const method = o.pkce ?? 'S256';
  const pair = method === 'none' ? undefined : pkcePair(method);
  const res = await authorize(t, session, { app: o.app, state: o.state ?? 'security', scope: o.scope, codeChallenge: pair?.challenge, codeChallengeMethod: pair?.method, extra: o.extra });
  const code = await setup('getting an authorization code (authorize)', async () => codeFrom(res));
  if (pair) t.secrets.add(pair.verifier, 'code_verifier');
  return { code, verifier: pair?.verifier, challenge: pair?.challenge, response: res };
}

/** Tokens for the account through the code flow (with S256), in a given signed-in session. */
export async function codeTokens(t: CaseContext, session: HttpClient, o: { app?: ClientApp; scope?: string } = {}): Promise<Tokens> {
  const c = await freshCode(t, session, { app: o.app, scope: o.scope });
  return setup('minting a token (code exchange)', async () => tokensFrom(await exchangeCode(t, session, { code: c.code, app: o.app, verifier: c.verifier }), 'code exchange'));
}

/** A token for the account, however the generation allows (password grant or code flow): a setup step. */
export async function freshToken(t: CaseContext, who: 'user' | 'service' = 'user', o: { app?: ClientApp; scope?: string } = {}): Promise<Tokens> {
  return setup('minting a token', () => obtainToken(t, who, o));
}

/** A token with a refresh token, however the generation allows (password grant or code flow). */
export async function tokensWithRefresh(t: CaseContext, who: 'user' | 'service' = 'user', o: { app?: ClientApp; scope?: string } = {}): Promise<Tokens & { refreshToken: string }> {
  const tokens = await freshToken(t, who, o);
  if (!tokens.refreshToken) t.notApplicable('the token response carries no refresh_token (refresh is not offered to this client)');
  return tokens as Tokens & { refreshToken: string };
}

/**
 * POST /auth/oauth/revoke for our own token, identified as the client it was issued to (client_id,
 * and client_secret when the app has one: Rails answers 403 to a confidential client without it).
 */
export async function revokeToken(t: CaseContext, token: string, o: { hint?: 'access_token' | 'refresh_token'; app?: ClientApp; client?: HttpClient } = {}): Promise<HttpResponse> {
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

/** The scopes a token grants: the `scope` member of the response, else the JWT `scope` claim. */
export function grantedScopes(tokens: Tokens): string[] {
  if (tokens.scope !== undefined) return tokens.scope.split(/\s+/).filter(Boolean);
  try {
    const payload = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { scope?: unknown };
    if (Array.isArray(payload.scope)) return payload.scope.map(String);
    if (typeof payload.scope === 'string') return payload.scope.split(/\s+/).filter(Boolean);
  } catch {
    // not a JWT: nothing to read
  }
  return [];
}

/** Decoded JWT payload without verification (for re-signing forged copies), or undefined. */
export function payloadOf(token: string): Record<string, unknown> | undefined {
  try {
    const p = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return p && typeof p === 'object' ? (p as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A second registered client for binding checks: the scoped app, else the confidential app. */
export function otherClient(t: CaseContext): ClientApp {
  const other = t.settings.scopedClient ?? t.settings.confidentialClient;
  if (!other) t.notApplicable('needs a second registered client (PLACEOS_SCOPED_CLIENT_* or PLACEOS_CONFIDENTIAL_CLIENT_*)');
  if (other.clientId === t.settings.client.clientId) t.notApplicable('the second client has the same client_id as the main client');
  return other;
}
