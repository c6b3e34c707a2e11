// Request parsing and response helpers shared by the handlers: parameter sources (query, form,
// JSON), cookies, redirects, and the Doorkeeper / auth.cr error shapes.
import * as querystring from 'node:querystring';
import type { Request, Response } from 'express';
import type { TargetContext } from './context';

export type ParamSource = 'query' | 'form' | 'json';

export interface ParsedBody {
  kind: 'none' | 'form' | 'json' | 'other';
  form?: Record<string, string | string[] | undefined>;
  json?: unknown;
  jsonError?: string;
}

export function parseBody(req: Request): ParsedBody {
  const raw: unknown = req.body;
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (buf.length === 0) return { kind: type.includes('json') ? 'json' : 'none' };
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { kind: 'form', form: querystring.parse(buf.toString('utf8')) };
  }
  if (type.startsWith('application/json') || /\+json\b/.test(type)) {
    try {
      return { kind: 'json', json: JSON.parse(buf.toString('utf8')) };
    } catch (e) {
      return { kind: 'json', jsonError: (e as Error).message };
    }
  }
  return { kind: 'other' };
}

/** Parameters merged from the allowed sources (later sources override earlier ones, as Rails does). */
export class Params {
  private readonly values = new Map<string, unknown>();
  constructor(req: Request, sources: ParamSource[], body: ParsedBody = parseBody(req)) {
    if (sources.includes('query')) {
      const q = querystring.parse(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
      for (const [k, v] of Object.entries(q)) this.values.set(k, v);
    }
    if (sources.includes('form') && body.form) {
      for (const [k, v] of Object.entries(body.form)) this.values.set(k, v);
    }
    if (sources.includes('json') && body.json && typeof body.json === 'object' && !Array.isArray(body.json)) {
      for (const [k, v] of Object.entries(body.json as Record<string, unknown>)) this.values.set(k, v);
    }
  }
  /** A parameter given more than once keeps its first value (the duplicate-param-first-wins fault). */
  keepFirst(): void {
    for (const [k, v] of this.values) if (Array.isArray(v)) this.values.set(k, v[0]);
  }
  /** First parameter given more than once (or as a non-scalar JSON value), if any. */
  repeated(names?: string[]): string | undefined {
    for (const [k, v] of this.values) {
      if (names && !names.includes(k)) continue;
      if (Array.isArray(v) || (v !== null && typeof v === 'object')) return k;
    }
    return undefined;
  }
  get(name: string): string | undefined {
    const v = this.values.get(name);
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return typeof v[v.length - 1] === 'string' ? (v[v.length - 1] as string) : undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }
  /** Present and not blank (Rails `present?`). */
  present(name: string): string | undefined {
    const v = this.get(name);
    return v !== undefined && v.trim() !== '' ? v : undefined;
  }
  has(name: string): boolean {
    return this.values.has(name);
  }
  entries(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of this.values.keys()) {
      const v = this.get(k);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
}

// ---- cookies -------------------------------------------------------------------------------------
export function cookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const header = req.headers.cookie;
  if (!header) return out;
  for (const part of header.split(/;\s*/)) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (name in out) continue;
    let value = part.slice(i + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export interface CookieOptions {
  path: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'None' | 'Lax' | 'Strict';
  maxAgeSeconds?: number;
  expires?: Date;
}

export function setCookie(res: Response, name: string, value: string, o: CookieOptions): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, `path=${o.path}`];
  if (o.expires) parts.push(`expires=${o.expires.toUTCString()}`);
  if (o.maxAgeSeconds !== undefined) parts.push(`max-age=${o.maxAgeSeconds}`);
  if (o.secure) parts.push('secure');
  if (o.httpOnly) parts.push('HttpOnly');
  if (o.sameSite) parts.push(`SameSite=${o.sameSite}`);
  res.append('Set-Cookie', parts.join('; '));
}

export function deleteCookie(res: Response, name: string, path: string): void {
  res.append('Set-Cookie', `${name}=; path=${path}; max-age=0; expires=Thu, 01 Jan 1970 00:00:00 GMT`);
}

// ---- URLs and redirects -----------------------------------------------------------------------------
export function baseUrl(req: Request, ctx: TargetContext): string {
  const proto =
    ctx.scheme === 'https'
      ? 'https'
      : String(req.headers['x-forwarded-proto'] ?? 'http')
          .split(',')[0]!
          .trim();
  return `${proto}://${req.headers.host ?? 'localhost'}`;
}

/** Redirect with the profile's Location style (Rails makes relative targets absolute). */
export function redirect(req: Request, res: Response, ctx: TargetContext, status: number, location: string): void {
  let loc = location;
  if (ctx.profile.locationStyle === 'absolute' && loc.startsWith('/') && !loc.startsWith('//')) loc = baseUrl(req, ctx) + loc;
  res.status(status).set('Location', loc).set('Content-Type', 'text/html; charset=utf-8');
  res.end(status === 302 || status === 303 ? `<html><body>You are being <a href="${escapeHtml(loc)}">redirected</a>.</body></html>` : '');
}

/** Adds query parameters to a URI, keeping its existing query (Doorkeeper merges into it). */
export function addQuery(uri: string, params: Record<string, string | undefined>): string {
  const hashAt = uri.indexOf('#');
  const base = hashAt >= 0 ? uri.slice(0, hashAt) : uri;
  const extra = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  if (!extra) return base;
  return base + (base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?') + extra;
}

export function addFragment(uri: string, params: Record<string, string | undefined>): string {
  const hashAt = uri.indexOf('#');
  const base = hashAt >= 0 ? uri.slice(0, hashAt) : uri;
  const frag = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `${base}#${frag}`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// ---- errors ----------------------------------------------------------------------------------------
export const DESCRIPTIONS: Record<string, string> = {
  invalid_request: 'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.',
  invalid_redirect_uri: "The requested redirect uri is malformed or doesn't match client redirect URI.",
  unauthorized_client: 'The client is not authorized to perform this request using this method.',
  access_denied: 'The resource owner or authorization server denied the request.',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed.',
  invalid_code_challenge_method: 'The code challenge method must be plain or S256.',
  server_error: 'The authorization server encountered an unexpected condition which prevented it from fulfilling the request.',
  invalid_client: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
  invalid_grant:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
  unsupported_response_type: 'The authorization server does not support this response type.',
  unsupported_response_mode: 'The authorization server does not support this response mode.',
  invalid_token: 'The access token is invalid',
  revoke_unauthorized: 'You are not authorized to revoke this token',
};

export const missingParam = (name: string): string => `Missing required parameter: ${name}.`;

export interface OAuthErrorSpec {
  status: number;
  error: string;
  description?: string;
  state?: string;
  /** auth.cr 422 route errors name the parameter. */
  parameter?: string;
}

/** JSON OAuth error (token, revoke, introspect, token/info): Doorkeeper §4.2 shape and headers. */
export function sendOAuthError(res: Response, ctx: TargetContext, e: OAuthErrorSpec): void {
  const description = e.description ?? DESCRIPTIONS[e.error];
  const body: Record<string, string> = { error: e.error };
  if (description) body.error_description = description;
  // Doorkeeper's InvalidTokenResponse always carries state "unauthorized" (invalid_token_response.rb).
  const state = e.state ?? (e.error === 'invalid_token' ? 'unauthorized' : undefined);
  if (state !== undefined && ctx.profile.authorizeErrorStyle === 'html') body.state = state;
  if (e.parameter) body.parameter = e.parameter;
  const wantWww = ctx.profile.wwwAuthenticateOn === 'all' || e.status === 401;
  if (wantWww && !(e.error === 'invalid_token' && ctx.faults.has('www-authenticate-missing'))) {
    res.set('WWW-Authenticate', `Bearer realm="Doorkeeper", error="${e.error}"${description ? `, error_description="${description.replace(/"/g, "'")}"` : ''}`);
  }
  res.set('Cache-Control', 'no-store, no-cache');
  res.set('Pragma', 'no-cache');
  res.status(e.status);
  res.set('Content-Type', ctx.faults.has('error-content-type-html') ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** Doorkeeper's authorize error page (Rails) or JSON without Location (auth.cr), §4.3. */
export function sendAuthorizeError(res: Response, ctx: TargetContext, status: number, error: string, description?: string): void {
  const desc = description ?? DESCRIPTIONS[error] ?? error;
  if (ctx.profile.authorizeErrorStyle === 'json') {
    res
      .status(status)
      .set('Content-Type', 'application/json; charset=utf-8')
      .end(JSON.stringify({ error, error_description: desc }));
    return;
  }
  const html = `<!DOCTYPE html>
<html>
<head>
  <title>PlaceOS</title>
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
</head>
<body>
  <main role="main">
    <div class="page-header"><h1>An error has occurred</h1></div>
    <main role="main"><pre>${escapeHtml(desc)}</pre></main>
  </main>
</body>
</html>
`;
  res.status(status).set('Content-Type', 'text/html; charset=utf-8').set('Cache-Control', 'no-store').end(html);
}

export function sendJson(res: Response, status: number, body: unknown, contentType = 'application/json; charset=utf-8'): void {
  res.status(status).set('Content-Type', contentType).end(JSON.stringify(body));
}

/** Bearer as Doorkeeper reads it: Authorization Bearer (case-insensitive), access_token, bearer_token params. */
export function doorkeeperBearer(req: Request, params: Params): string | undefined {
  const h = req.headers.authorization;
  if (h) {
    const m = /^bearer\s+(.+)$/i.exec(h.trim());
    if (m) return m[1]!.trim();
  }
  return params.present('access_token') ?? params.present('bearer_token');
}

/** Basic client credentials (RFC 6749 §2.3.1). */
export function basicCredentials(req: Request): { id: string; secret: string } | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^basic\s+([A-Za-z0-9+/=._~-]+)$/i.exec(h.trim());
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  const dec = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: dec(decoded.slice(0, i)), secret: dec(decoded.slice(i + 1)) };
}
