// The rest-api side (§3.12–3.14): credential acquisition and precedence, stateless RS256 JWT
// checking with the logged-out rule and domain binding, API keys, and the two endpoints the
// contract covers (api_keys/inspect, users/current).
import { verify as cryptoVerify } from 'node:crypto';
import type { Request, Response } from 'express';
import { apiKeyDigest, type TargetContext, type User } from './context';
import { Params, cookies, sendJson } from './http';
import { acceptedByFault, prefetchHeaderKeys } from './jwt-faults';

export type Credential = { kind: 'api-key'; value: string } | { kind: 'bearer'; value: string } | { kind: 'none' };

export interface UserJwt {
  iss: string;
  iat: number;
  exp: number;
  aud: string;
  sub: string;
  scope: string[];
  u: { n: string; e: string; p: number; r: string[] };
}

export type AuthResult = { jwt: UserJwt; user?: User } | { status: number; error: string };

/** rest-api `acquire_token` / API-key lookup, in the real order (§3.14). */
export function acquireCredential(ctx: TargetContext, req: Request, params: Params): Credential {
  const f = ctx.faults;
  const jar = cookies(req);
  const xApiKey = req.headers['x-api-key'];
  if (typeof xApiKey === 'string' && xApiKey !== '' && !f.has('transport-api-key-header-ignored')) return { kind: 'api-key', value: xApiKey };
  const keyParam = params.get('api-key');
  if (keyParam && !f.has('transport-api-key-param-ignored')) return { kind: 'api-key', value: keyParam };
  if (jar['api-key']) return { kind: 'api-key', value: jar['api-key'] };
  const header = req.headers.authorization;
  if (header !== undefined && !f.has('transport-header-ignored')) {
    let t = header.trim();
    if (t.startsWith('Bearer ') || (ctx.profile.restApiSchemeCaseInsensitive && /^bearer /i.test(t))) t = t.slice('Bearer '.length);
    if (t.startsWith('Token ')) t = t.slice('Token '.length);
    t = t.trim();
    return t === '' ? { kind: 'none' } : { kind: 'bearer', value: t };
  }
  const bearerParam = params.get('bearer_token');
  if (bearerParam && !f.has('transport-param-ignored')) return { kind: 'bearer', value: bearerParam };
  if (jar.bearer_token && !f.has('transport-cookie-ignored')) return { kind: 'bearer', value: jar.bearer_token };
  return { kind: 'none' };
}

function b64json(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The protected header of a bearer credential, when it decodes (for the jku/x5u mutants' fetch). */
function bearerHeader(cred: Credential): Record<string, unknown> | undefined {
  return cred.kind === 'bearer' ? b64json(cred.value.split('.')[0] ?? '') : undefined;
}

/** Seconds an iat may lie ahead of the target's clock (issuers' clocks drift a little, never a day). */
const IAT_SKEW_SECONDS = 60;

/**
 * Decode + verify like crystal-jwt with RS256 and exp/nbf validation, and beyond it what the
 * contract asks of a verifier (§12.1): a crit header is refused (this verifier understands no
 * extension, RFC 7515 §4.1.11), and so is an iat beyond the clock skew.
 */
export function decodeJwt(ctx: TargetContext, token: string): { payload: Record<string, unknown> } | { error: string } {
  const f = ctx.faults;
  const parts = token.split('.');
  if (parts.length !== 3) return { error: 'Not enough or too many segments' };
  const [h, p, s] = parts as [string, string, string];
  const header = b64json(h);
  const payload = b64json(p);
  if (!header || !payload) return { error: 'Invalid segment encoding' };
  if (acceptedByFault(ctx, header, `${h}.${p}`, Buffer.from(s, 'base64url'))) {
    // a mutant's verifier took the token's word for its algorithm or key (jwt-faults.ts)
  } else if (header.alg === 'none' || header.alg === 'None' || header.alg === 'NONE') {
    if (!f.has('alg-none-accepted')) return { error: 'Signature verification failed' };
  } else if (header.alg !== 'RS256') {
    return { error: 'Signature verification failed' };
  } else if (!f.has('wrong-key-accepted')) {
    let ok = false;
    try {
      ok = cryptoVerify('RSA-SHA256', Buffer.from(`${h}.${p}`), ctx.verifyKey, Buffer.from(s, 'base64url'));
    } catch {
      ok = false;
    }
    if (!ok) return { error: 'Signature verification failed' };
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.exp === 'number' && payload.exp <= now && !f.has('expired-token-accepted')) return { error: 'Signature is expired' };
  if (typeof payload.nbf === 'number' && payload.nbf > now && !f.has('jwt-nbf-ignored')) return { error: 'Signature nbf has not been reached' };
  if (header.crit !== undefined && !f.has('jwt-crit-ignored')) return { error: 'Unsupported critical header extension' };
  if (typeof payload.iat === 'number' && payload.iat > now + IAT_SKEW_SECONDS && !f.has('jwt-iat-future-accepted'))
    return { error: 'Signature iat is in the future' };
  return { payload };
}

function asUserJwt(payload: Record<string, unknown>): UserJwt | { missing: string } {
  for (const k of ['iss', 'iat', 'exp', 'aud', 'sub', 'scope', 'u']) if (!(k in payload)) return { missing: k };
  const u = payload.u as Record<string, unknown> | null;
  if (!u || typeof u !== 'object') return { missing: 'u' };
  for (const k of ['n', 'e', 'p', 'r']) if (!(k in u)) return { missing: `u.${k}` };
  if (
    typeof payload.iat !== 'number' ||
    typeof payload.exp !== 'number' ||
    typeof payload.aud !== 'string' ||
    typeof payload.sub !== 'string' ||
    !Array.isArray(payload.scope)
  )
    return { missing: 'shape' };
  return {
    iss: String(payload.iss),
    iat: payload.iat,
    exp: payload.exp,
    aud: payload.aud,
    sub: payload.sub,
    scope: (payload.scope as unknown[]).map(String),
    u: { n: String(u.n), e: String(u.e), p: Number(u.p), r: Array.isArray(u.r) ? u.r.map(String) : [] },
  };
}

/** Turns a credential into a UserJWT, or the 401/400 envelope rest-api would send. */
export function authenticate(ctx: TargetContext, req: Request, cred: Credential): AuthResult {
  const f = ctx.faults;
  const authority = ctx.authorityForHost(req.headers.host);
  let jwt: UserJwt;
  let user: User | undefined;
  if (cred.kind === 'none') return { status: 401, error: '' };
  if (cred.kind === 'api-key') {
    const dot = cred.value.indexOf('.');
    const id = dot >= 0 ? cred.value.slice(0, dot) : cred.value;
    const secret = dot >= 0 ? cred.value.slice(dot + 1) : '';
    const key = ctx.apiKeys.find((k) => k.id === id);
    if (!key || (key.digest !== apiKeyDigest(id, secret) && !f.has('api-key-any-secret'))) return { status: 401, error: 'unknown X-API-Key' };
    if (ctx.profile.apiKeyExpiry && key.expires_at !== null && key.expires_at * 1000 <= Date.now() && !f.has('api-key-expiry-ignored'))
      return { status: 401, error: 'API key has expired' };
    user = ctx.userById(key.user);
    if (!user) return { status: 401, error: 'unknown X-API-Key' };
    const now = Math.floor(Date.now() / 1000);
    jwt = {
      iss: 'POS',
      iat: now - 300,
      exp: now + 3600,
      aud: ctx.authorityByKey(key.authority)?.domain ?? '',
      sub: user.id,
      scope: [...key.scopes],
      u: { n: user.name, e: user.email, p: key.permissions, r: [...user.groups] },
    };
  } else {
    const decoded = decodeJwt(ctx, cred.value);
    if ('error' in decoded) return { status: 401, error: f.has('token-in-error-body') ? `${decoded.error}: ${cred.value}` : decoded.error };
    const shaped = asUserJwt(decoded.payload);
    if ('missing' in shaped) return { status: 400, error: `Missing JSON attribute: ${shaped.missing}` };
    jwt = shaped;
    if (!jwt.scope.includes('guest')) {
      user = ctx.userById(jwt.sub);
      if (user?.logged_out_at_ms && !f.has('logged-out-token-accepted')) {
        // iat has whole-second precision: use the exact mint time of tokens this target issued (looked up
        // by jti), so a token minted right after logout in the same second still works; otherwise iat.
        const jti = decoded.payload.jti;
        const mintedMs = (typeof jti === 'string' ? ctx.jtiIndex.get(jti)?.createdAtMs : undefined) ?? jwt.iat * 1000;
        if (mintedMs <= user.logged_out_at_ms) return { status: 401, error: 'logged out' };
      }
    }
    // Hardened variant: rest-api asks whether the token was revoked (PlaceOS checks JWTs statelessly).
    const revokedJti = decoded.payload.jti;
    if (ctx.profile.restApiChecksRevocation && typeof revokedJti === 'string' && ctx.jtiIndex.get(revokedJti)?.revokedAtMs !== undefined)
      return { status: 401, error: 'token revoked' };
  }
  if (!authority) return { status: 401, error: 'authority not found' };
  if (jwt.aud !== authority.domain && !f.has('cross-authority-token')) return { status: 401, error: "authority domain does not match token's" };
  return user ? { jwt, user } : { jwt };
}

function restParams(req: Request): Params {
  return new Params(req, ['query', 'form', 'json']);
}

const capitalise = (scope: string): string => scope.replace(/\.(read|write)$/i, (_m, a: string) => `.${a[0]!.toUpperCase()}${a.slice(1).toLowerCase()}`);

// ---- GET /api/engine/v2/api_keys/inspect --------------------------------------------------------------------
export async function inspect(req: Request, res: Response, ctx: TargetContext): Promise<void> {
  const f = ctx.faults;
  const cred = acquireCredential(ctx, req, restParams(req));
  await prefetchHeaderKeys(ctx, bearerHeader(cred));
  const auth = authenticate(ctx, req, cred);
  if ('status' in auth) {
    if (f.has('inspect-accepts-garbage') && cred.kind === 'bearer' && cred.value.split('.').length !== 3) {
      const now = Math.floor(Date.now() / 1000);
      return sendJson(res, 200, { iss: 'POS', iat: now, exp: now + 3600, aud: '', sub: '', scope: [], u: { n: '', e: '', p: 0, r: [] } }, 'application/json');
    }
    return sendJson(res, auth.status, { error: auth.error }, 'application/json');
  }
  const j = auth.jwt;
  const u: Record<string, unknown> = { n: j.u.n };
  if (!f.has('inspect-drops-email')) u.e = j.u.e.toLowerCase();
  u.p = j.u.p;
  u.r = j.u.r;
  sendJson(
    res,
    200,
    {
      iss: j.iss,
      iat: f.has('inspect-iat-string') ? String(j.iat) : j.iat,
      exp: j.exp,
      aud: j.aud,
      sub: j.sub,
      scope: f.has('inspect-lowercase-suffix') ? j.scope : j.scope.map(capitalise),
      u,
    },
    'application/json',
  );
}

// ---- GET /api/engine/v2/users/current --------------------------------------------------------------------------
export async function currentUser(req: Request, res: Response, ctx: TargetContext): Promise<void> {
  const cred = acquireCredential(ctx, req, restParams(req));
  await prefetchHeaderKeys(ctx, bearerHeader(cred));
  const auth = authenticate(ctx, req, cred);
  if ('status' in auth) return sendJson(res, auth.status, { error: auth.error }, 'application/json');
  const user = auth.user ?? ctx.userById(auth.jwt.sub);
  if (!user) return sendJson(res, 401, { error: 'user not found' }, 'application/json');
  sendJson(res, 200, userJson(ctx, user), 'application/json');
}

export function userJson(ctx: TargetContext, u: User): Record<string, unknown> {
  const out: Record<string, unknown> = {
    created_at: u.created_at,
    id: u.id,
    email_digest: u.email_digest,
    name: u.name,
    nickname: u.nickname,
    email: u.email,
    phone: u.phone,
    country: u.country,
    building: u.building,
    first_name: u.first_name,
    last_name: u.last_name,
    authority_id: ctx.authorityByKey(u.authority)?.id,
    deleted: u.deleted ?? false,
    department: u.department,
    preferred_language: u.preferred_language,
    staff_id: u.staff_id,
    groups: u.groups,
    login_name: u.login_name,
    login_count: u.login_count,
    last_login: u.last_login,
    work_preferences: [],
    work_overrides: {},
    locatable: true,
    sys_admin: u.sys_admin,
    support: u.support,
    associated_metadata: {},
    subsystem_access: [],
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
