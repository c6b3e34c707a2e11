// The grant building blocks the OAuth endpoints share (reference/src/oauth.ts, token-admin.ts,
// auth.ts): where token parameters are read from, Doorkeeper's scope and redirect_uri checks,
// minting an access token (a real RS256 JWT) with its refresh token, a token's state, and PKCE.
import { createHash, randomBytes } from 'node:crypto';
import type { AccessTokenRecord, CodeRecord, TargetContext, User } from './context';
import { SERVER_SCOPES, type AppFixture, type AuthorityFixture } from './fixtures';
import type { ParamSource } from './http';

export const opaque = (): string => randomBytes(32).toString('base64url'); // 43 chars, Doorkeeper's default generator

export function tokenSources(ctx: TargetContext): ParamSource[] {
  const s: ParamSource[] = ctx.profile.tokenReadsQuery ? ['query', 'form'] : ['form'];
  if (ctx.profile.tokenJsonBody === 'accepted') s.push('json');
  return s;
}

// ---- scope checking (Doorkeeper ScopeChecker) -------------------------------------------------------
export function checkScopes(ctx: TargetContext, app: AppFixture, raw: string | undefined): string[] | undefined {
  if (raw !== undefined && /[\t\n\r]/.test(raw)) return undefined;
  const requested = raw === undefined || raw.trim() === '' ? undefined : [...new Set(raw.trim().split(/ +/))];
  if (ctx.faults.has('scope-escalation')) return requested ?? ['public'];
  const allowed = app.scopes.length > 0 ? app.scopes : SERVER_SCOPES;
  if (!requested) return allowed.includes('public') ? ['public'] : undefined;
  return requested.every((s) => allowed.includes(s) && SERVER_SCOPES.includes(s)) ? requested : undefined;
}

// ---- redirect_uri matching -----------------------------------------------------------------------------
/** Doorkeeper URIChecker (parsed comparison, query ignored when the registered URI has none, loopback any port) or exact match. */
export function redirectUriMatches(ctx: TargetContext, requested: string, registered: string): boolean {
  if (ctx.profile.redirectUriMatching === 'exact') return requested === registered;
  let a: URL;
  let b: URL;
  try {
    a = new URL(requested);
    b = new URL(registered);
  } catch {
    return false;
  }
  if (a.hash || requested.includes('#')) return false;
  const loopback = ['127.0.0.1', '[::1]'].includes(b.hostname);
  // Doorkeeper's URIChecker compares parsed URIs (URI#==): userinfo included.
  const sameBase =
    a.protocol === b.protocol &&
    a.username === b.username &&
    a.password === b.password &&
    a.hostname === b.hostname &&
    (loopback || a.port === b.port) &&
    a.pathname === b.pathname;
  if (!sameBase) return false;
  if (!b.search) return true;
  const qa = [...a.searchParams]
    .map((e) => e.join('='))
    .sort()
    .join('&');
  const qb = [...b.searchParams]
    .map((e) => e.join('='))
    .sort()
    .join('&');
  return qa === qb;
}

export function appRedirectUris(app: AppFixture): string[] {
  return app.redirect_uri.split(/\s+/).filter(Boolean);
}

// ---- token minting ---------------------------------------------------------------------------------------
export async function mintToken(
  ctx: TargetContext,
  st: { authority: AuthorityFixture },
  app: AppFixture,
  user: User | null,
  scopes: string[],
  opts: { refresh: boolean; previousRefreshToken?: string },
): Promise<AccessTokenRecord> {
  const nowMs = Date.now();
  const iat = Math.floor(nowMs / 1000);
  const expiresIn = ctx.lifetimes.accessTokenSeconds;
  const jti = ctx.newJti();
  let token: string;
  if (user) {
    token = await ctx.signAccessToken(user, scopes, iat, expiresIn, jti);
  } else {
    // auth.cr client_credentials: random 64-hex sub, no aud and no u claims.
    token = await ctx.signRaw({ iss: 'POS', iat, exp: iat + expiresIn, jti, scope: scopes, sub: randomBytes(32).toString('hex') });
  }
  let refreshToken: string | undefined;
  let refreshJti: string | undefined;
  if (opts.refresh) {
    if (ctx.profile.refreshTokenFormat === 'jwt') {
      refreshJti = randomBytes(32).toString('hex');
      refreshToken = await ctx.signRaw({
        iss: 'POS',
        iat,
        exp: iat + ctx.profile.refreshTokenSeconds,
        jti: refreshJti,
        sub: user?.id ?? app.uid,
        aud: app.uid,
        typ: 'refresh',
      });
    } else {
      refreshToken = opaque();
    }
  }
  const rec: AccessTokenRecord = {
    token,
    jti,
    appId: app.id,
    userId: user?.id ?? null,
    authority: user?.authority ?? st.authority.key,
    scopes,
    createdAtMs: nowMs,
    expiresIn,
    ...(refreshToken ? { refreshToken } : {}),
    ...(refreshJti ? { refreshJti } : {}),
    ...(opts.previousRefreshToken ? { previousRefreshToken: opts.previousRefreshToken } : {}),
  };
  ctx.saveAccessToken(rec);
  return rec;
}

export function tokenState(rec: AccessTokenRecord): 'valid' | 'expired' | 'revoked' {
  if (rec.revokedAtMs !== undefined) return 'revoked';
  if (rec.createdAtMs + rec.expiresIn * 1000 <= Date.now()) return 'expired';
  return 'valid';
}

/** Doorkeeper.authenticate side effect: the previous refresh token is revoked once the new access token is shown (§6.5). */
export function doorkeeperAuthenticate(ctx: TargetContext, rec: AccessTokenRecord): void {
  if (ctx.profile.refreshRotation === 'revoke-on-use' && rec.previousRefreshToken) {
    const old = ctx.refreshIndex.get(rec.previousRefreshToken);
    if (old && old.revokedAtMs === undefined) old.revokedAtMs = Date.now();
    delete rec.previousRefreshToken;
  }
}

export function pkceApplies(ctx: TargetContext, code: CodeRecord): boolean {
  return ctx.profile.pkce === 'enforced' && code.challenge !== undefined && !ctx.faults.has('pkce-verifier-ignored');
}

export function verifyPkce(ctx: TargetContext, code: CodeRecord, verifier: string | undefined): boolean {
  if (ctx.profile.pkce === 'ignored') return true;
  if (!pkceApplies(ctx, code)) {
    if (code.challenge !== undefined) return true; // pkce-verifier-ignored
    // A verifier for a code issued without a challenge: Doorkeeper compares against a nil method → invalid_grant.
    return verifier === undefined || ctx.faults.has('pkce-downgrade');
  }
  if (verifier === undefined) return false;
  if (code.challengeMethod === 'S256' && !ctx.faults.has('pkce-s256-as-plain')) {
    return createHash('sha256').update(verifier).digest('base64url') === code.challenge;
  }
  if (code.challengeMethod === 'plain' || code.challengeMethod === 'S256') return verifier === code.challenge;
  return false;
}
