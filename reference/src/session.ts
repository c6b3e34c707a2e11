// The browser session of the auth service: Rails' encrypted `user` cookie, or auth.cr's
// `_placeos_auth_session`, plus the `verified` asset cookie (§5).
import type { Request, Response } from 'express';
import type { TargetContext, User } from './context';
import type { AuthorityFixture } from './fixtures';
import { cookies, deleteCookie, setCookie } from './http';

export interface SessionPayload {
  /** user id */
  id?: string;
  /** epoch seconds */
  expires?: number;
  /** epoch microseconds */
  iat?: number;
  /** auth.cr keeps the post-login path in the session */
  continue?: string;
}

export function readSession(req: Request, ctx: TargetContext): { present: boolean; payload?: SessionPayload } {
  const raw = cookies(req)[ctx.profile.sessionCookieName];
  if (raw === undefined) return { present: false };
  return { present: true, payload: ctx.decrypt<SessionPayload>(raw) };
}

/** The signed-in user of this authority, if the session is valid. */
export function sessionUser(req: Request, ctx: TargetContext, authority: AuthorityFixture, opts: { checkLoggedOut: boolean }): User | undefined {
  const s = readSession(req, ctx).payload;
  if (!s?.id || !s.expires || s.expires * 1000 <= Date.now()) return undefined;
  const user = ctx.userById(s.id);
  if (!user || user.deleted || user.authority !== authority.key) return undefined;
  if (opts.checkLoggedOut && user.logged_out_at_ms && (s.iat ?? 0) / 1000 <= user.logged_out_at_ms) return undefined;
  return user;
}

function sessionCookieAttrs(ctx: TargetContext): { httpOnly: boolean; secure: boolean } {
  return { httpOnly: !ctx.faults.has('session-cookie-not-httponly'), secure: !ctx.faults.has('session-cookie-not-secure') };
}

export interface SessionCookieFaults {
  httpOnly?: boolean;
  /** Leave SameSite out (a fault). */
  noSameSite?: boolean;
}

export function writeSession(res: Response, ctx: TargetContext, payload: SessionPayload, o: SessionCookieFaults = {}): void {
  const { httpOnly: h, secure } = sessionCookieAttrs(ctx);
  const httpOnly = h && o.httpOnly !== false;
  const expires = payload.expires ? new Date(payload.expires * 1000) : new Date(Date.now() + ctx.lifetimes.sessionSeconds * 1000);
  setCookie(res, ctx.profile.sessionCookieName, ctx.encrypt(payload), {
    path: '/auth',
    httpOnly,
    secure,
    ...(o.noSameSite ? {} : { sameSite: ctx.profile.sessionCookieSameSite }),
    expires,
  });
}

/** Signs the user in: session cookie + `verified` cookie; bumps login count. */
export function startSession(res: Response, ctx: TargetContext, user: User, o: SessionCookieFaults = {}): void {
  const nowMs = Date.now();
  writeSession(res, ctx, { id: user.id, expires: Math.floor(nowMs / 1000) + ctx.lifetimes.sessionSeconds, iat: nowMs * 1000 }, o);
  setVerified(res, ctx);
  user.login_count += 1;
  user.last_login = Math.floor(nowMs / 1000);
}

export function setVerified(res: Response, ctx: TargetContext): void {
  setCookie(res, 'verified', ctx.verifiedCookieValue(), {
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'None',
    expires: new Date(Date.now() + 19 * 365 * 86400 * 1000),
  });
}

export function clearSession(req: Request, res: Response, ctx: TargetContext, also: string[] = []): void {
  const sent = cookies(req);
  deleteCookie(res, ctx.profile.sessionCookieName, '/auth');
  for (const name of also) if (name in sent) deleteCookie(res, name, name === 'verified' ? '/' : '/auth');
}
