// Reading responses and tokens, without deciding anything: the OAuth error of a body, whether a
// token was issued, how authorize refused, Cache-Control directives, a JWT payload. Rows turn what
// these return into a verdict with `ensure`. Nothing here puts a token value into a message.
import type { Tokens } from '../flows';
import type { HttpResponse } from '../http';

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

/**
 * What authorize answered, as an observation a ledger entry can name: the status, whether it went to
 * the client's redirect_uri (or which path) and the parameter names, never the host or port (they
 * differ per deployment).
 */
export function authorizeOutcome(res: HttpResponse, redirectUri: string): string {
  const loc = res.location;
  if (!loc) return String(res.status);
  const frag = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const keys = [...new Set([...loc.searchParams.keys(), ...frag.keys()])];
  const reg = new URL(redirectUri);
  const where = loc.origin === reg.origin && loc.pathname === reg.pathname ? 'the redirect_uri' : loc.origin === reg.origin ? loc.pathname : 'another site';
  return `${res.status} to ${where}${keys.length ? ` with ${keys.join(', ')}` : ''}`;
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
export const RFC6749_TOKEN_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
] as const;

/** True when `text` carries the token or its signature part (tokens must never be echoed). */
export function echoesToken(text: string | undefined, token: string): boolean {
  if (!text) return false;
  const sig = token.split('.')[2];
  return text.includes(token) || text.includes(encodeURIComponent(token)) || (!!sig && sig.length >= 16 && text.includes(sig));
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
