// The oracle of a token endpoint success (contract §3.6, §4.1, §4.4), shared by every area that
// mints a token it then looks at: status, cache headers, JSON, schema `token-response` (with the
// generation's created_at overlay), and the access-token JWT (header and claims schemas, iss,
// aud = authority domain, u.e = the account email lower-cased, exp - iat = expires_in, scopes).
import type { CaseContext } from '../case';
import type { Account } from '../config';
import type { HttpResponse } from '../http';
import { decodeJwt, type JwtClaims } from '../jwt';
import { authorityHost, ensure, expectJsonContentType, expectNoStore, expectSchema, expectStatus, sameSet } from './check';

export interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
  created_at?: number;
  id_token?: string;
}

export interface CheckedToken {
  body: TokenBody;
  claims: JwtClaims;
}

/** Access token lifetime on every generation (contract §6.5, §9): the longest the contract allows. */
export const ACCESS_TOKEN_SECONDS = 7200;
/**
 * Doorkeeper's `expires_in` is the token's remaining lifetime when the response is written
 * (expires_at − now, rounded: Expirable#expires_in_seconds), so a slow answer says 7199; the
 * JWT's exp − iat is the full lifetime.
 */
export const EXPIRES_IN_SLACK_SECONDS = 30;

export function scopesOf(s: string | undefined): string[] {
  return (s ?? '').split(' ').filter(Boolean);
}

/**
 * Checks a token success response. `scopes`: what must have been granted (the JWT `scope` claim
 * and, when present, the response `scope`); `account`: whose token it is.
 */
export function checkTokenResponse(t: CaseContext, res: HttpResponse, o: { step: string; account?: Account; scopes?: readonly string[] }): CheckedToken {
  const { step } = o;
  expectStatus(res, 200, step);
  expectJsonContentType(res, step);
  expectNoStore(res, step);
  expectSchema(t, 'token-response', res.json, step);
  const body = res.json as TokenBody;
  // PlaceOS issues 2 h tokens; a shorter lifetime is stronger (RFC 6750 §5.3) and holds the contract.
  ensure(
    Number.isInteger(body.expires_in) && body.expires_in > 0 && body.expires_in <= ACCESS_TOKEN_SECONDS,
    `${step}: expires_in is not a lifetime of at most ${ACCESS_TOKEN_SECONDS} s`,
    `1..${ACCESS_TOKEN_SECONDS}`,
    String(body.expires_in),
  );

  const jwt = decodeJwt(body.access_token);
  expectSchema(t, 'jwt-header', jwt.header, `${step} (access-token header)`);
  expectSchema(t, 'access-token-claims', jwt.claims, `${step} (access-token claims)`);
  const c = jwt.claims as { iat: number; exp: number; aud: string; scope: string[]; u: { e: string } };
  const lifetime = c.exp - c.iat;
  ensure(
    lifetime > 0 && lifetime <= ACCESS_TOKEN_SECONDS,
    `${step}: exp - iat is not a lifetime of at most ${ACCESS_TOKEN_SECONDS} s`,
    `1..${ACCESS_TOKEN_SECONDS}`,
    String(lifetime),
  );
  // expires_in is the lifetime as the answer was written: the token's, less the time the answer took.
  ensure(
    body.expires_in <= lifetime && body.expires_in >= lifetime - EXPIRES_IN_SLACK_SECONDS,
    `${step}: expires_in does not match the token's exp - iat`,
    `${lifetime - EXPIRES_IN_SLACK_SECONDS}..${lifetime}`,
    String(body.expires_in),
  );
  const now = Math.floor(Date.now() / 1000);
  ensure(Math.abs(c.iat - now) <= 300, `${step}: iat is not the issue time`, `within 300 s of ${now}`, String(c.iat));
  if (body.created_at !== undefined)
    ensure(body.created_at === c.iat, `${step}: created_at differs from the token's iat`, String(c.iat), String(body.created_at));
  const host = authorityHost(t.settings.url);
  ensure(c.aud.toLowerCase() === host, `${step}: aud is not the authority domain`, host, c.aud);
  if (o.account) {
    const email = o.account.email.toLowerCase();
    ensure(c.u.e === email, `${step}: u.e is not the account email, lower-cased`, email, c.u.e);
  }
  if (o.scopes) {
    ensure(sameSet(c.scope, o.scopes), `${step}: the token's scope claim is not the granted scopes`, o.scopes.join(' '), c.scope.join(' '));
    if (body.scope !== undefined) {
      ensure(sameSet(scopesOf(body.scope), o.scopes), `${step}: the response scope is not the granted scopes`, o.scopes.join(' '), body.scope);
    }
  }
  return { body, claims: jwt.claims };
}
