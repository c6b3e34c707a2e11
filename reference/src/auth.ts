// Session endpoints of the auth service (signin, login, logout, authority), SSO through the
// OpenID provider beside the target (idp.ts), and the OIDC metadata routes (discovery, JWKS, userinfo).
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { md5Hex, type IdpEndpoints, type TargetContext, type User } from './context';
import { ssoCallbackUri, type AuthorityFixture, type SsoStrategyFixture } from './fixtures';
import { backChannel } from './idp';
import { Params, addQuery, baseUrl, cookies, deleteCookie, parseBody, redirect, sendJson, setCookie, type ParamSource } from './http';
import { clearSession, readSession, sessionUser, setVerified, startSession } from './session';
import { doorkeeperAuthenticate, tokenState } from './grants';
import { acquireCredential, authenticate } from './restapi';

function serverError(res: Response): void {
  res.status(500).set('Content-Type', 'text/html; charset=utf-8').end("<html><body><h1>We're sorry, but something went wrong.</h1></body></html>");
}

function authorityOrFail(req: Request, res: Response, ctx: TargetContext): AuthorityFixture | undefined {
  const a = ctx.authorityForHost(req.headers.host);
  if (a) return a;
  if (ctx.profile.inferredServerErrors) serverError(res);
  else sendJson(res, 404, { error: 'authority not found' });
  return undefined;
}

/** Open-redirect filtering of `continue` (§6.8). Returns undefined when the value must be replaced by the fallback. */
export function sanitizeContinue(ctx: TargetContext, value: string, authority: AuthorityFixture): string | undefined {
  if (ctx.faults.has('open-redirect-continue')) return value;
  const v = value.replace(/ /g, '%20');
  if (ctx.profile.continueRefusesBackslash && v.includes('\\')) return undefined;
  if (v.startsWith('/') && !v.includes('//')) return v;
  try {
    const u = new URL(v);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.toLowerCase() === authority.domain.toLowerCase()) {
      return `${u.pathname}${u.search}${u.hash}`;
    }
  } catch {
    /* not a URL */
  }
  return undefined;
}

// ---- POST /auth/signin --------------------------------------------------------------------------------
export function signin(req: Request, res: Response, ctx: TargetContext): void {
  const p = ctx.profile;
  const body = parseBody(req);
  const jsonFail = (status: number, error: string, parameter?: string): void => sendJson(res, status, parameter ? { error, parameter } : { error });
  if (body.jsonError !== undefined) {
    if (p.signinFailureBody === 'json') return jsonFail(400, 'invalid JSON body');
    res.status(400).end();
    return;
  }
  if (ctx.faults.has('signin-non-utf8-500') && body.kind === 'form') {
    try {
      decodeURIComponent(Buffer.from(req.body as Buffer).toString('latin1'));
    } catch {
      return serverError(res);
    }
  }
  const authority = authorityOrFail(req, res, ctx);
  if (!authority) return;
  const sources: ParamSource[] = ['form'];
  if (p.signinReadsQuery) sources.unshift('query');
  if (p.signinReadsJson) sources.push('json');
  const params = new Params(req, sources, body);
  const email = params.get('email');
  const password = params.get('password');
  const cont = params.present('continue');
  if (email === undefined) {
    if (p.signinMissingEmailStatus === 500) return serverError(res);
    return jsonFail(p.signinMissingEmailStatus, 'Missing required param: email', 'email');
  }
  if (password === undefined && p.signinFailureBody === 'json') return jsonFail(422, 'Missing required param: password', 'password');
  const unauthorized = (): void => {
    if (p.signinFailureBody === 'json') return jsonFail(401, 'invalid credentials');
    res.status(401).end();
  };
  const user = ctx.userByEmail(authority, email);
  if (!user) return unauthorized();
  if (!ctx.passwordMatches(user, password)) {
    if (cont && p.signinWrongPasswordWithContinue === 'referer-redirect') {
      return redirect(req, res, ctx, 302, typeof req.headers.referer === 'string' ? req.headers.referer : '/');
    }
    return unauthorized();
  }
  if (ctx.faults.has('signin-broken')) return serverError(res);
  const sent = cookies(req);
  const previous = readSession(req, ctx).payload;
  for (const stale of ['social', 'continue']) if (stale in sent) deleteCookie(res, stale, '/auth');
  const storedContinue = ctx.decrypt<{ continue?: string }>(sent.continue)?.continue ?? previous?.continue;
  const target = cont ?? storedContinue;
  startSession(res, ctx, user, {
    ...(target && ctx.faults.has('signin-continue-cookie-not-httponly') ? { httpOnly: false } : {}),
    ...(target && ctx.faults.has('signin-continue-cookie-no-samesite') ? { noSameSite: true } : {}),
  });
  if (target) return redirect(req, res, ctx, ctx.faults.has('signin-307') ? 307 : p.signinContinueStatus, sanitizeContinue(ctx, target, authority) ?? '/');
  res.status(202).end();
}

// ---- GET /auth/login ------------------------------------------------------------------------------------
export function login(req: Request, res: Response, ctx: TargetContext): void {
  const p = ctx.profile;
  const authority = authorityOrFail(req, res, ctx);
  if (!authority) return;
  const params = new Params(req, ['query']);
  const cont = params.get('continue');
  if (cont) {
    const path = cont.split(/[?#]/)[0] ?? '';
    const last = path.split('/').pop() ?? '';
    const ext = last.includes('.') ? last.slice(last.lastIndexOf('.') + 1).toLowerCase() : '';
    if (ext && ext !== 'html') {
      if (p.signinFailureBody === 'json') return sendJson(res, 400, { error: 'invalid continue' });
      res.status(400).end();
      return;
    }
    // continue carrying a valid api-key → straight there
    const key = apiKeyInContinue(cont);
    if (key) {
      const fake = { headers: { 'x-api-key': key, host: req.headers.host }, url: '/' } as unknown as Request;
      const auth = authenticate(ctx, fake, acquireCredential(ctx, fake, new Params(fake, [])));
      if ('jwt' in auth) {
        setVerified(res, ctx);
        return redirect(req, res, ctx, p.signinContinueStatus, cont);
      }
    }
  }
  clearSession(req, res, ctx);
  const provider = params.present('provider');
  const id = params.present('id');
  if (provider && id) {
    if (cont) {
      if (p.noSessionStoresContinue) {
        setCookie(res, p.sessionCookieName, ctx.encrypt({ continue: cont }), { path: '/auth', httpOnly: true, secure: true, sameSite: 'None' });
      } else {
        setCookie(res, 'continue', ctx.encrypt({ continue: cont }), {
          path: '/auth',
          httpOnly: true,
          secure: true,
          sameSite: 'None',
          expires: new Date(Date.now() + 20 * 60_000),
        });
      }
    }
    return redirect(req, res, ctx, 303, `/auth/${encodeURIComponent(provider)}?id=${encodeURIComponent(id)}`);
  }
  if (cont === undefined && p.loginWithoutContinue === 'server-error') return serverError(res);
  redirect(req, res, ctx, 303, authority.login_url.replace('{{url}}', cont ?? ''));
}

function apiKeyInContinue(cont: string): string | undefined {
  try {
    const u = new URL(cont, 'http://x');
    const direct = u.searchParams.get('api-key') ?? u.searchParams.get('x-api-key');
    if (direct) return direct;
    const frag = u.hash.slice(1);
    const q = frag.includes('?') ? frag.slice(frag.indexOf('?') + 1) : '';
    const fp = new URLSearchParams(q);
    return fp.get('api-key') ?? fp.get('x-api-key') ?? undefined;
  } catch {
    return undefined;
  }
}

// ---- GET /auth/logout -------------------------------------------------------------------------------------
export function logout(req: Request, res: Response, ctx: TargetContext): void {
  const p = ctx.profile;
  const authority = ctx.authorityForHost(req.headers.host);
  if (authority) {
    const user = sessionUser(req, ctx, authority, { checkLoggedOut: false });
    if (user) user.logged_out_at_ms = Date.now();
  }
  const params = new Params(req, ['query']);
  const sent = cookies(req);
  const candidates: (string | undefined)[] = [];
  for (const from of p.logoutRevokesBearerFrom) {
    if (from === 'header') {
      const m = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? '').trim());
      candidates.push(m?.[1]?.trim());
    } else if (from === 'param') candidates.push(params.present('bearer_token'));
    else candidates.push(sent.bearer_token);
  }
  const bearer = candidates.find((c) => c !== undefined && c !== '');
  const rec = bearer ? ctx.tokens.get(bearer) : undefined;
  if (rec && !ctx.faults.has('logout-no-revoke')) rec.revokedAtMs ??= Date.now();
  clearSession(req, res, ctx, ['verified', 'social', 'continue']);
  const cont = params.present('continue');
  let target = '/';
  if (cont && authority) {
    const ok = sanitizeContinue(ctx, cont, authority);
    if (ok) target = ok;
    else {
      const lo = authority.logout_url;
      const i = lo.indexOf('continue=');
      target = i >= 0 ? decodeURIComponent(lo.slice(i + 'continue='.length).split('&')[0] ?? '/') : lo;
    }
  }
  redirect(req, res, ctx, p.logoutStatus, target);
}

// ---- GET /auth/authority -------------------------------------------------------------------------------------
export function authority(req: Request, res: Response, ctx: TargetContext): void {
  const p = ctx.profile;
  const a = ctx.authorityForHost(req.headers.host);
  const health = typeof req.url === 'string' && /[?&]health(=|&|$)/.test(req.url);
  if (!a) {
    if (health) return void res.status(200).end();
    if (p.authorityUnknownBody === 'json') return sendJson(res, 404, { error: 'authority not found' });
    return void res.status(404).end();
  }
  if (health && p.authorityHealth === 'always') return void res.status(200).end();
  const session = sessionUser(req, ctx, a, { checkLoggedOut: true }) !== undefined;
  let tokenValid = false;
  if (p.authorityTokenValid === 'db-row') {
    const params = new Params(req, ['query']);
    const h = req.headers.authorization;
    const m = h ? /^bearer\s+(.+)$/i.exec(h.trim()) : null;
    const bearer = m?.[1]?.trim() ?? params.present('access_token') ?? params.present('bearer_token');
    const rec = bearer ? ctx.tokens.get(bearer) : undefined;
    if (rec) {
      tokenValid = true;
      doorkeeperAuthenticate(ctx, rec);
      setVerified(res, ctx);
    }
  } else {
    const params = new Params(req, ['query']);
    const auth = authenticate(ctx, req, acquireCredential(ctx, req, params));
    tokenValid = 'jwt' in auth;
    if (tokenValid) setVerified(res, ctx);
  }
  sendJson(res, 200, {
    id: a.id,
    name: a.name,
    description: a.description,
    domain: a.domain,
    login_url: a.login_url,
    logout_url: a.logout_url,
    config: a.config,
    email_domains: a.email_domains,
    updated_at: new Date(ctx.startedAt).toISOString(),
    version: p.authorityVersion,
    session,
    token_valid: tokenValid,
    production: true,
  });
}

// ---- SSO: /auth/oauth2?id= → the OpenID provider (idp.ts) → /auth/oauth2/callback -----------------------------
// As PlaceOS's omniauth generic_oauth strategy (and auth.cr's multi_auth) do: the code flow at the IdP
// with a random state kept in the session, redirect_uri = <this host>/auth/oauth2/callback?id=<strategy>,
// no PKCE towards the IdP (neither strategy sends one); on the callback the state is checked first,
// then the code is exchanged (client_secret_basic), userinfo read, the user mapped by email.
export async function ssoStart(req: Request, res: Response, ctx: TargetContext): Promise<void> {
  const p = ctx.profile;
  const a = authorityOrFail(req, res, ctx);
  if (!a) return;
  const id = new Params(req, ['query']).present('id');
  const strat = ctx.ssoStrategies.find((s) => s.id === id && s.authority === a.key);
  if (!strat || !ctx.idp) {
    if (p.ssoMissingIdStatus === 500) return serverError(res);
    return sendJson(res, p.ssoMissingIdStatus, { error: 'authentication strategy not found' });
  }
  let idp: IdpEndpoints;
  try {
    idp = await ctx.idp();
  } catch {
    return serverError(res);
  }
  const state = randomBytes(16).toString('hex');
  setCookie(res, p.ssoStateCookie, ctx.encrypt({ state, strat: strat.id }), { path: '/', httpOnly: true, secure: true, sameSite: 'Lax' });
  const redirectUri = ssoCallbackUri(baseUrl(req, ctx), strat.id);
  res
    .status(302)
    .set(
      'Location',
      addQuery(idp.authorizeUrl, { response_type: 'code', client_id: strat.client_id, redirect_uri: redirectUri, scope: 'openid email profile', state }),
    )
    .end();
}

/** Code → the IdP's identity of the user (token exchange, then userinfo); undefined when the IdP refuses. */
async function identityFromIdp(
  ctx: TargetContext,
  strat: SsoStrategyFixture,
  code: string,
  redirectUri: string,
): Promise<{ email: string; name: string } | undefined> {
  if (ctx.faults.has('sso-code-replay')) {
    const cached = ctx.idpAnswers.get(code);
    if (cached) return cached;
  }
  const idp = await ctx.idp!();
  const token = await backChannel(idp.tokenUrl, {
    method: 'POST',
    form: { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
    basic: { user: strat.client_id, password: strat.client_secret },
    ca: idp.ca,
  });
  const accessToken = (token.json as { access_token?: unknown } | undefined)?.access_token;
  if (token.status !== 200 || typeof accessToken !== 'string') return undefined;
  const info = await backChannel(idp.userinfoUrl, { method: 'GET', bearer: accessToken, ca: idp.ca });
  const claims = info.json as { email?: unknown; name?: unknown } | undefined;
  if (info.status !== 200 || typeof claims?.email !== 'string') return undefined;
  const identity = { email: claims.email, name: typeof claims.name === 'string' ? claims.name : claims.email };
  if (ctx.faults.has('sso-code-replay')) ctx.idpAnswers.set(code, identity);
  return identity;
}

export async function ssoCallback(req: Request, res: Response, ctx: TargetContext): Promise<void> {
  const p = ctx.profile;
  const a = authorityOrFail(req, res, ctx);
  if (!a) return;
  const params = new Params(req, ['query', 'form']);
  const sent = cookies(req);
  const saved = ctx.decrypt<{ state: string; strat: string }>(sent[p.ssoStateCookie]);
  const fail = (message: string): void => {
    deleteCookie(res, p.ssoStateCookie, '/');
    redirect(req, res, ctx, 302, `/auth/failure?message=${encodeURIComponent(message)}&strategy=oauth2`);
  };
  const stateOk = !!saved && saved.state === params.get('state');
  if (!stateOk && !(ctx.faults.has('sso-state-unchecked') && saved)) return fail('csrf_detected');
  const storedContinue = ctx.decrypt<{ continue?: string }>(sent.continue)?.continue ?? readSession(req, ctx).payload?.continue;
  const idpError = params.present('error');
  if (idpError) {
    if (ctx.faults.has('sso-error-not-failure')) {
      deleteCookie(res, p.ssoStateCookie, '/');
      return redirect(req, res, ctx, 302, (storedContinue && sanitizeContinue(ctx, storedContinue, a)) || '/');
    }
    return fail(/^[a-z_]+$/.test(idpError) ? idpError : 'invalid_credentials');
  }
  const strat = ctx.ssoStrategies.find((s) => s.id === saved.strat && s.authority === a.key);
  const code = params.present('code');
  if (!strat || !code) return fail('invalid_credentials');
  let identity: { email: string; name: string } | undefined;
  try {
    identity = await identityFromIdp(ctx, strat, code, ssoCallbackUri(baseUrl(req, ctx), strat.id));
  } catch {
    identity = undefined;
  }
  if (!identity) return fail('invalid_credentials');
  let user: User | undefined = ctx.userByEmail(a, identity.email);
  if (!user) {
    const email = identity.email.toLowerCase();
    user = {
      id: `user-${randomBytes(8).toString('base64url').replace(/[-_]/g, 'x')}`,
      authority: a.key,
      role: 'sso',
      email,
      name: identity.name,
      sys_admin: false,
      support: false,
      groups: [],
      email_digest: md5Hex(email),
      created_at: Math.floor(Date.now() / 1000),
      login_count: 0,
      logged_out_at_ms: 0,
      password_salt: '',
    };
    ctx.users.push(user);
  }
  deleteCookie(res, p.ssoStateCookie, '/');
  if ('continue' in sent) deleteCookie(res, 'continue', '/auth');
  startSession(res, ctx, user, { httpOnly: !ctx.faults.has('sso-cookie-not-httponly') });
  const target = storedContinue && (ctx.faults.has('sso-open-redirect-continue') ? storedContinue : sanitizeContinue(ctx, storedContinue, a));
  redirect(req, res, ctx, 302, target || '/');
}

export function failure(_req: Request, res: Response): void {
  res.status(401).set('Content-Type', 'text/html; charset=utf-8').end('<!DOCTYPE html><html><body><h1>Authentication Failed</h1></body></html>');
}

// ---- OIDC metadata ------------------------------------------------------------------------------------------------
export function discovery(req: Request, res: Response, ctx: TargetContext): void {
  const p = ctx.profile;
  const base = baseUrl(req, ctx);
  const a = ctx.authorityForHost(req.headers.host);
  // discovery-internal-host: the URLs after token_endpoint name the service behind the proxy.
  const inner = ctx.faults.has('discovery-internal-host') ? 'http://auth:8080' : base;
  const doc: Record<string, unknown> = {
    issuer: ctx.faults.has('discovery-issuer-mount') ? `${base}/auth` : base,
    authorization_endpoint: `${base}/auth/oauth/authorize`,
    token_endpoint: `${base}/auth/oauth/token`,
    userinfo_endpoint: `${inner}/auth/oauth/userinfo`,
    revocation_endpoint: `${inner}/auth/oauth/revoke`,
    introspection_endpoint: `${inner}/auth/oauth/introspect`,
    jwks_uri: `${inner}/auth/oauth/discovery/keys`,
    end_session_endpoint: a ? (a.logout_url.startsWith('/') ? base + a.logout_url : a.logout_url) : `${base}/auth/logout`,
    scopes_supported: ['openid', 'profile', 'email', 'offline_access', 'public'],
    response_types_supported: p.implicitGrant ? ['code', 'token', 'id_token', 'id_token token'] : ['code'],
    grant_types_supported: p.discoveryGrantTypes,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ctx.faults.has('discovery-alg-mismatch') ? ['HS256'] : ['RS256'],
    token_endpoint_auth_methods_supported: p.implicitGrant ? ['client_secret_basic', 'client_secret_post'] : ['client_secret_post', 'none'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'email', 'full_name', 'given_name', 'family_name', 'nickname', 'phone_number', 'preferred_username'],
  };
  if (p.discoveryCodeChallengeMethods) doc.code_challenge_methods_supported = p.discoveryCodeChallengeMethods;
  sendJson(res, 200, doc);
}

export function jwks(_req: Request, res: Response, ctx: TargetContext): void {
  // jwks-stale-key: the set publishes another key than the one the tokens are signed with.
  const k = ctx.faults.has('jwks-stale-key') ? ctx.staleJwk! : ctx.jwk!;
  sendJson(res, 200, { keys: [{ kty: k.kty, n: k.n, e: k.e, kid: k.kid, use: 'sig', alg: 'RS256' }] });
}

export function userinfo(req: Request, res: Response, ctx: TargetContext): void {
  const params = new Params(req, ['query', 'form']);
  const h = req.headers.authorization;
  const m = h ? /^bearer\s+(.+)$/i.exec(h.trim()) : null;
  const bearer = m?.[1]?.trim() ?? params.present('access_token');
  const rec = bearer ? ctx.tokens.get(bearer) : undefined;
  if (!rec || tokenState(rec) !== 'valid') {
    res.set('WWW-Authenticate', 'Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid"');
    return sendJson(res, 401, { error: 'invalid_token', error_description: 'The access token is invalid' });
  }
  const user = ctx.userById(rec.userId);
  if (ctx.profile.userinfo === 'sub-only-needs-openid') {
    if (!rec.scopes.includes('openid'))
      return sendJson(res, 403, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
      });
    return sendJson(res, 200, { sub: rec.userId });
  }
  sendJson(res, 200, {
    sub: rec.userId,
    email: user?.email,
    full_name: user?.name,
    given_name: user?.first_name,
    family_name: user?.last_name,
    nickname: user?.nickname,
    phone_number: user?.phone,
    preferred_username: user?.login_name ?? user?.email,
  });
}
