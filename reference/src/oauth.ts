// OAuth endpoints of the auth service: authorize and token (revoke, introspect and token/info:
// reference/src/token-admin.ts).
// The grant machinery (client lookup, code lookup/expiry/client binding/single use, password
// check, refresh-token binding, scope validation, token saving) runs in @node-oauth/oauth2-server
// with an in-memory model; the Doorkeeper / auth.cr parameter checks, their order, error codes and
// response shapes are PlaceOS-specific and live here.
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import type { AccessTokenRecord, CodeRecord, TargetContext, User } from './context';
import { SERVER_SCOPES, type AppFixture, type AuthorityFixture } from './fixtures';
import { sessionUser, readSession, writeSession } from './session';
import {
  DESCRIPTIONS,
  Params,
  addFragment,
  addQuery,
  basicCredentials,
  baseUrl,
  deleteCookie,
  missingParam,
  parseBody,
  redirect,
  sendAuthorizeError,
  sendJson,
  sendOAuthError,
  type OAuthErrorSpec,
  type ParamSource,
} from './http';

/** Per-request state shared between the handler and the library model. */
interface RequestState {
  authority: AuthorityFixture;
  grantType?: string;
  requestingApp?: AppFixture;
  rawScope?: string;
  pendingError?: OAuthErrorSpec;
  /** auth code request */
  redirectUri?: string;
  codeVerifier?: string;
  /** refresh */
  requestedScopes?: string[];
  grantedScopes?: string[];
  previousRefreshToken?: string;
  /** authorize */
  challenge?: { challenge: string; method: string };
  record?: AccessTokenRecord;
  /** authorize looks the client up without a secret */
  authorizing?: boolean;
  /** The client authenticated with HTTP Basic. */
  basicAuth?: boolean;
}

const opaque = (): string => randomBytes(32).toString('base64url'); // 43 chars, Doorkeeper's default generator

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

function pkceApplies(ctx: TargetContext, code: CodeRecord): boolean {
  return ctx.profile.pkce === 'enforced' && code.challenge !== undefined && !ctx.faults.has('pkce-verifier-ignored');
}

function verifyPkce(ctx: TargetContext, code: CodeRecord, verifier: string | undefined): boolean {
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

// ---- the library model --------------------------------------------------------------------------------------
function makeModel(ctx: TargetContext, st: RequestState): OAuth2Server.ServerOptions['model'] {
  const clientOf = (app: AppFixture): OAuth2Server.Client => ({
    id: app.id,
    grants: ['authorization_code', 'password', 'refresh_token', 'client_credentials'],
    redirectUris: appRedirectUris(app),
    app,
  });
  const model = {
    async getClient(clientId: string, clientSecret?: string) {
      let app = ctx.appByUid(clientId);
      if (!app && ctx.faults.has('unknown-client-accepted')) app = ctx.apps.find((a) => a.authority === st.authority.key && a.role === 'backoffice');
      if (!app) return false;
      const secretOk =
        st.authorizing === true ||
        !app.confidential ||
        clientSecret === app.secret ||
        ctx.faults.has('confidential-secret-ignored') ||
        (st.basicAuth === true && ctx.faults.has('basic-secret-ignored'));
      if (!secretOk) return false;
      st.requestingApp = app;
      return clientOf(app);
    },
    async getUser(username: string, password: string) {
      const user = ctx.userByEmail(st.authority, username);
      if (!user || !ctx.passwordMatches(user, password)) return false;
      // Doc-faithful variant: the password grant is for service accounts; others get invalid_grant.
      if (ctx.profile.passwordGrantAccounts === 'service-only' && !user.support) return false;
      return user;
    },
    async validateScope(_user: unknown, client: OAuth2Server.Client) {
      const app = client.app as AppFixture;
      return checkScopes(ctx, app, st.rawScope) ?? false;
    },
    async generateAccessToken() {
      return 'pending';
    },
    async generateRefreshToken() {
      return 'pending';
    },
    async generateAuthorizationCode(client: OAuth2Server.Client, user: User) {
      if (ctx.profile.codeFormat === 'jwt') {
        const iat = Math.floor(Date.now() / 1000);
        return ctx.signRaw({
          iss: 'POS',
          iat,
          exp: iat + ((client.app as AppFixture).codeSeconds ?? ctx.lifetimes.codeSeconds),
          jti: randomBytes(16).toString('hex'),
          sub: user.id,
          aud: (client.app as AppFixture).uid,
          typ: 'code',
        });
      }
      return opaque();
    },
    async saveAuthorizationCode(code: OAuth2Server.AuthorizationCode, client: OAuth2Server.Client, user: User) {
      const rec: CodeRecord = {
        code: code.authorizationCode,
        appId: client.id,
        userId: user.id,
        authority: user.authority,
        redirectUri: code.redirectUri ?? '',
        scopes: code.scope ?? ['public'],
        expiresAtMs:
          (client.app as AppFixture).codeSeconds === undefined ? code.expiresAt.getTime() : Date.now() + (client.app as AppFixture).codeSeconds! * 1000,
        ...(st.challenge ? { challenge: st.challenge.challenge, challengeMethod: st.challenge.method } : {}),
      };
      ctx.codes.set(rec.code, rec);
      return { ...code, client, user };
    },
    async getAuthorizationCode(code: string) {
      const rec = ctx.codes.get(code);
      if (!rec) return false;
      if (rec.consumedAtMs !== undefined && !ctx.faults.has('code-reusable')) return false;
      const user = ctx.userById(rec.userId);
      if (!user) return false;
      const boundTo = ctx.faults.has('code-not-bound-to-client') && st.requestingApp ? st.requestingApp.id : rec.appId;
      const expiresAt = ctx.faults.has('code-never-expires') ? new Date(Date.now() + 3600_000) : new Date(rec.expiresAtMs);
      return { authorizationCode: rec.code, expiresAt, scope: rec.scopes, client: { id: boundTo, grants: [] }, user, rec };
    },
    /** Called by the library after lookup/client/expiry checks: Doorkeeper's redirect_uri and verifier steps, then single use. */
    async revokeAuthorizationCode(code: OAuth2Server.AuthorizationCode & { rec: CodeRecord }) {
      const rec = code.rec;
      const redirectOk =
        ctx.faults.has('code-not-bound-to-redirect-uri') || (st.redirectUri !== undefined && redirectUriMatches(ctx, st.redirectUri, rec.redirectUri));
      if (!redirectOk) {
        st.pendingError = { ...ctx.profile.tokenRedirectMismatchError };
        return false;
      }
      if (!verifyPkce(ctx, rec, st.codeVerifier)) {
        st.pendingError = { status: ctx.profile.pkceWrongVerifierStatus, error: 'invalid_grant' };
        return false;
      }
      if (rec.consumedAtMs !== undefined && !ctx.faults.has('code-reusable')) return false; // lost a concurrent race
      rec.consumedAtMs = Date.now();
      st.grantedScopes = rec.scopes;
      return true;
    },
    async getRefreshToken(refreshToken: string) {
      const rec = ctx.refreshIndex.get(refreshToken);
      if (!rec) return false;
      const user = rec.userId ? ctx.userById(rec.userId) : { id: null };
      if (!user) return false;
      const boundTo = ctx.faults.has('refresh-other-client') && st.requestingApp ? st.requestingApp.id : rec.appId;
      return { refreshToken, scope: rec.scopes, client: { id: boundTo, grants: [] }, user, rec };
    },
    /** Refresh: scope check (after client match, as Doorkeeper orders it) and rotation bookkeeping. */
    async revokeToken(token: OAuth2Server.RefreshToken & { rec: AccessTokenRecord }) {
      const rec = token.rec;
      const requested = st.requestedScopes;
      if (requested && !requested.every((s) => rec.scopes.includes(s)) && !ctx.faults.has('refresh-scope-widening')) {
        st.pendingError = { status: 400, error: 'invalid_scope' };
        return false;
      }
      st.grantedScopes = requested ?? rec.scopes;
      if (ctx.profile.refreshRotation === 'revoke-on-use') st.previousRefreshToken = rec.refreshToken;
      else if (rec.refreshRotatedAtMs === undefined) rec.refreshRotatedAtMs = Date.now();
      return true;
    },
    async saveToken(token: OAuth2Server.Token, client: OAuth2Server.Client, user: User | { id: null }) {
      const app = client.app as AppFixture;
      const scopes = st.grantedScopes ?? token.scope ?? ['public'];
      const realUser = user.id ? user : null;
      const rec = await mintToken(ctx, st, app, realUser, scopes, {
        refresh: true,
        ...(st.previousRefreshToken ? { previousRefreshToken: st.previousRefreshToken } : {}),
      });
      st.record = rec;
      return { ...token, accessToken: rec.token, refreshToken: rec.refreshToken, scope: scopes, client, user };
    },
    async getAccessToken() {
      return false;
    },
    async verifyScope() {
      return false;
    },
    async validateRedirectUri() {
      return true; // checked before the library runs, with Doorkeeper's or auth.cr's rules
    },
  };
  return model as unknown as OAuth2Server.ServerOptions['model'];
}

function server(ctx: TargetContext, st: RequestState): OAuth2Server {
  const options = {
    model: makeModel(ctx, st),
    accessTokenLifetime: ctx.lifetimes.accessTokenSeconds,
    refreshTokenLifetime: ctx.profile.refreshTokenSeconds || 10 * 365 * 86400,
    authorizationCodeLifetime: ctx.lifetimes.codeSeconds,
    allowEmptyState: true,
    allowExtendedTokenAttributes: true,
    enablePlainPKCE: true,
    requireClientAuthentication: { authorization_code: false, password: false, refresh_token: false, client_credentials: true },
  };
  return new OAuth2Server(options);
}

function authorityOr404(req: Request, res: Response, ctx: TargetContext): AuthorityFixture | undefined {
  const a = ctx.authorityForHost(req.headers.host);
  if (a) return a;
  if (ctx.profile.inferredServerErrors)
    res.status(500).set('Content-Type', 'text/html; charset=utf-8').end("<html><body><h1>We're sorry, but something went wrong.</h1></body></html>");
  else sendJson(res, 404, { error: 'authority not found' });
  return undefined;
}

// ---- POST /auth/oauth/token ------------------------------------------------------------------------------------
export async function tokenEndpoint(req: Request, res: Response, ctx: TargetContext): Promise<void> {
  const p = ctx.profile;
  const body = parseBody(req);
  if (body.kind === 'json' && p.tokenJsonBody === 'reject-422') {
    sendJson(res, 422, { error: 'Missing required param: grant_type', parameter: 'grant_type' });
    return;
  }
  if (body.jsonError !== undefined) {
    if (ctx.faults.has('token-malformed-json-500')) {
      res.status(500).set('Content-Type', 'text/html; charset=utf-8').end("<html><body><h1>We're sorry, but something went wrong.</h1></body></html>");
      return;
    }
    res.status(400).end();
    return;
  }
  // Unknown Host: no authority, so no user can be found (the password grant fails with invalid_grant).
  const authority: AuthorityFixture = ctx.authorityForHost(req.headers.host) ?? {
    key: '\u0000none',
    id: '',
    name: '',
    description: '',
    domain: '',
    login_url: '',
    logout_url: '',
    config: {},
    email_domains: [],
    session_timeout_minutes: 0,
  };
  const params = new Params(req, tokenSources(ctx), body);
  const rep = params.repeated();
  if (rep && !ctx.faults.has('duplicate-param-first-wins')) return sendOAuthError(res, ctx, { status: 400, error: 'invalid_request' });
  if (rep) params.keepFirst();
  const grantType = params.present('grant_type');
  if (!grantType) {
    if (p.missingGrantTypeStatus === 422) return sendJson(res, 422, { error: 'Missing required param: grant_type', parameter: 'grant_type' });
    return sendOAuthError(res, ctx, { status: 400, error: 'invalid_request', description: missingParam('grant_type') });
  }
  const passwordEnabled = p.passwordGrant || ctx.faults.has('password-grant-enabled');
  if (grantType === 'password' && !passwordEnabled) {
    return sendOAuthError(res, ctx, { status: 400, error: 'unsupported_grant_type', description: p.passwordGrantDisabledDescription });
  }
  if (!['authorization_code', 'refresh_token', 'password', 'client_credentials'].includes(grantType)) {
    return sendOAuthError(res, ctx, { status: 400, error: 'unsupported_grant_type' });
  }
  const st: RequestState = { authority, grantType };
  const basic = basicCredentials(req);
  if (basic) st.basicAuth = true;
  const clientId = basic?.id ?? params.present('client_id');
  const clientSecret = basic?.secret ?? params.get('client_secret');
  const rawScopeParam = params.get('scope');
  // Doorkeeper's token endpoint splits `scope` on any whitespace and re-joins it with spaces.
  const scopeParam = rawScopeParam !== undefined && p.tokenScopeSplit === 'any-whitespace' ? rawScopeParam.trim().split(/\s+/).join(' ') : rawScopeParam;
  const serverError = (): void => {
    res.status(500).set('Content-Type', 'text/html; charset=utf-8').end("<html><body><h1>We're sorry, but something went wrong.</h1></body></html>");
  };

  // Doorkeeper's parameter-validation step, before client authentication.
  if (grantType === 'authorization_code') {
    const code = params.present('code');
    if (!code) return sendOAuthError(res, ctx, { status: 400, error: 'invalid_request', description: missingParam('code') });
    const rec = ctx.codes.get(code);
    const verifier = params.present('code_verifier');
    if (rec && rec.consumedAtMs !== undefined && ctx.faults.has('code-replay-500')) return serverError();
    if (rec && verifier !== undefined && !verifyPkce(ctx, rec, verifier) && ctx.faults.has('pkce-wrong-verifier-500')) return serverError();
    if (rec && pkceApplies(ctx, rec) && !verifier) {
      return sendOAuthError(res, ctx, { ...p.pkceMissingVerifierError, description: missingParam('code_verifier') });
    }
    const redirectUri = params.present('redirect_uri');
    if (!redirectUri) return sendOAuthError(res, ctx, { status: 400, error: 'invalid_request', description: missingParam('redirect_uri') });
    st.redirectUri = redirectUri;
    if (verifier !== undefined) st.codeVerifier = verifier;
  } else if (grantType === 'refresh_token') {
    const rt = params.present('refresh_token');
    if (!rt) return sendOAuthError(res, ctx, { status: 400, error: 'invalid_request', description: missingParam('refresh_token') });
    const rec = ctx.refreshIndex.get(rt);
    const rotatedOut = rec?.refreshRotatedAtMs !== undefined && Date.now() - rec.refreshRotatedAtMs > p.refreshGraceSeconds * 1000;
    if ((!rec || rec.revokedAtMs !== undefined || rotatedOut) && ctx.faults.has('refused-refresh-500')) return serverError();
    if (!rec || rec.revokedAtMs !== undefined) return sendOAuthError(res, ctx, { status: 400, error: 'invalid_grant' });
    if (rotatedOut && !ctx.faults.has('refresh-token-reusable')) return sendOAuthError(res, ctx, { status: 400, error: 'invalid_grant' });
    if (!clientId) return sendOAuthError(res, ctx, { status: 400, error: 'invalid_grant' });
    if (scopeParam !== undefined && scopeParam.trim() !== '') st.requestedScopes = [...new Set(scopeParam.trim().split(/\s+/))];
  } else if (grantType === 'client_credentials') {
    if (p.clientCredentials === 'server-error') {
      res.status(500).set('Content-Type', 'text/html; charset=utf-8').end("<html><body><h1>We're sorry, but something went wrong.</h1></body></html>");
      return;
    }
    const app = ctx.appByUid(clientId);
    if (app && !app.confidential) return sendOAuthError(res, ctx, { status: 401, error: 'unauthorized_client' });
  }
  if (!clientId) return sendOAuthError(res, ctx, { ...p.badClientError });
  if (grantType !== 'refresh_token' && scopeParam !== undefined) st.rawScope = scopeParam;

  const libBody: Record<string, string> = { grant_type: grantType, client_id: clientId };
  if (clientSecret !== undefined && clientSecret !== '') libBody.client_secret = clientSecret;
  for (const k of ['code', 'username', 'password', 'refresh_token']) {
    const v = params.get(k);
    if (v !== undefined) libBody[k] = v;
  }
  if (grantType !== 'refresh_token' && scopeParam !== undefined && !/[\t\n\r]/.test(scopeParam) && scopeParam.trim() !== '')
    libBody.scope = scopeParam.trim().replace(/ +/g, ' ');
  if (grantType === 'client_credentials' && !libBody.client_secret) return sendOAuthError(res, ctx, { ...p.badClientError });
  const oreq = new OAuth2Server.Request({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '1' },
    query: {},
    body: libBody,
  });
  const ores = new OAuth2Server.Response({ headers: {} });
  try {
    await server(ctx, st).token(oreq, ores);
  } catch (e) {
    return sendOAuthError(res, ctx, st.pendingError ?? mapLibraryError(ctx, e as Error & { name?: string }, grantType));
  }
  const rec = st.record;
  if (!rec) return sendOAuthError(res, ctx, { status: 500, error: 'server_error' });
  await sendTokenResponse(res, ctx, rec, scopeIncludes(rec, 'openid') ? await idToken(req, ctx, rec) : undefined);
}

function scopeIncludes(rec: AccessTokenRecord, s: string): boolean {
  return rec.scopes.includes(s);
}

async function idToken(req: Request, ctx: TargetContext, rec: AccessTokenRecord): Promise<string | undefined> {
  if (ctx.profile.userinfo === 'absent') return undefined;
  const user = ctx.userById(rec.userId);
  const app = ctx.appById(rec.appId);
  if (!user || !app) return undefined;
  const host = ctx.authorityByKey(user.authority)?.domain ?? String(req.headers.host);
  const iat = Math.floor(rec.createdAtMs / 1000);
  return ctx.signRaw({
    iss: `https://${host}`,
    sub: user.id,
    aud: app.uid,
    exp: iat + rec.expiresIn,
    iat,
    email: user.email,
    full_name: user.name,
    given_name: user.first_name,
    family_name: user.last_name,
  });
}

function mapLibraryError(ctx: TargetContext, e: Error & { name?: string }, grantType: string): OAuthErrorSpec {
  const msg = e.message ?? '';
  const p = ctx.profile;
  const clientFailure = e.name === 'invalid_client' || e.name === 'unauthorized_client' || (e.name === 'invalid_request' && /client_(id|secret)/.test(msg));
  if (clientFailure) return grantType === 'refresh_token' ? { ...p.refreshUnknownClientError } : { ...p.badClientError };
  if (e.name === 'invalid_request' && /username|password|`code`/.test(msg)) return { status: 400, error: 'invalid_grant' };
  if (e.name === 'invalid_scope') return { status: 400, error: 'invalid_scope' };
  if (e.name === 'invalid_grant') return { status: 400, error: 'invalid_grant' };
  if (e.name === 'invalid_request') return { status: 400, error: 'invalid_request' };
  if (e.name === 'unsupported_grant_type') return { status: 400, error: 'unsupported_grant_type' };
  return { status: 500, error: 'server_error' };
}

export async function sendTokenResponse(res: Response, ctx: TargetContext, rec: AccessTokenRecord, idTok?: string): Promise<void> {
  const f = ctx.faults;
  const body: Record<string, unknown> = {
    access_token: rec.token,
    token_type: f.has('token-type-mac') ? 'mac' : f.has('token-type-lowercase') ? 'bearer' : 'Bearer',
    expires_in: f.has('expires-in-string') ? String(rec.expiresIn) : rec.expiresIn,
  };
  if (rec.refreshToken) body.refresh_token = rec.refreshToken;
  if (rec.scopes.length > 0) body.scope = rec.scopes.join(' ');
  if (ctx.profile.createdAtInTokenResponse && !f.has('created-at-missing')) body.created_at = Math.floor(rec.createdAtMs / 1000);
  if (idTok) body.id_token = idTok;
  if (f.has('token-response-extra-field')) body.placeos_reference = 'extra';
  res.status(200);
  res.set('Cache-Control', f.has('no-store-missing') ? 'no-cache' : 'no-store, no-cache');
  if (!f.has('pragma-missing')) res.set('Pragma', 'no-cache');
  res.set('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

// ---- /auth/oauth/authorize ---------------------------------------------------------------------------------------
export async function authorizeEndpoint(req: Request, res: Response, ctx: TargetContext): Promise<void> {
  const p = ctx.profile;
  const authority = authorityOr404(req, res, ctx);
  if (!authority) return;
  const user = sessionUser(req, ctx, authority, { checkLoggedOut: p.authorizeChecksLoggedOut });
  if (!user) {
    const session = readSession(req, ctx);
    if (p.noSessionAuthorize.to === 'login_url') {
      if (session.present && !session.payload) for (const c of ['user', 'social', 'continue']) deleteCookie(res, c, '/auth');
      const loc = authority.login_url.replace('{{url}}', encodeURIComponent(req.originalUrl));
      return redirect(req, res, ctx, p.noSessionAuthorize.status, loc);
    }
    if (p.noSessionStoresContinue && req.method === 'GET') writeSession(res, ctx, { ...(session.payload ?? {}), continue: req.originalUrl });
    return redirect(req, res, ctx, p.noSessionAuthorize.status, '/auth/login');
  }
  const body = parseBody(req);
  const sources: ParamSource[] = req.method === 'GET' ? ['query'] : ['query', 'form', ...(p.tokenJsonBody === 'accepted' ? (['json'] as ParamSource[]) : [])];
  const params = new Params(req, sources, body);
  if (params.repeated()) return sendAuthorizeError(res, ctx, 400, 'invalid_request');
  const clientId = params.present('client_id');
  if (!clientId) return sendAuthorizeError(res, ctx, 400, 'invalid_request', missingParam('client_id'));
  const app = ctx.appByUid(clientId);
  if (!app) {
    const given = params.present('redirect_uri');
    if (ctx.faults.has('unknown-client-redirect') && given)
      return redirect(req, res, ctx, 302, addQuery(given, { error: 'invalid_client', state: params.get('state') }));
    return sendAuthorizeError(res, ctx, p.authorizeUnknownClientError.status, p.authorizeUnknownClientError.error);
  }
  const redirectUri = params.present('redirect_uri');
  if (!redirectUri) return sendAuthorizeError(res, ctx, 400, 'invalid_redirect_uri');
  const registered = appRedirectUris(app).some((r) => redirectUriMatches(ctx, redirectUri, r));
  if (!registered && !ctx.faults.has('redirect-uri-any')) {
    if (ctx.faults.has('unregistered-redirect-500')) {
      res.status(500).set('Content-Type', 'text/html; charset=utf-8').end("<html><body><h1>We're sorry, but something went wrong.</h1></body></html>");
      return;
    }
    return sendAuthorizeError(res, ctx, p.authorizeRedirectMismatchError.status, p.authorizeRedirectMismatchError.error);
  }
  const responseType = params.present('response_type');
  if (!responseType)
    return sendAuthorizeError(
      res,
      ctx,
      400,
      p.authorizeErrorStyle === 'json' ? 'unsupported_response_type' : 'invalid_request',
      p.authorizeErrorStyle === 'json' ? undefined : missingParam('response_type'),
    );
  const implicit = responseType === 'token' && p.implicitGrant;
  if (responseType !== 'code' && !implicit) return sendAuthorizeError(res, ctx, 400, 'unsupported_response_type');
  const responseMode = params.present('response_mode');
  if (p.authorizeErrorStyle === 'html' && responseMode && !['query', 'fragment', 'form_post'].includes(responseMode)) {
    return sendAuthorizeError(res, ctx, 400, 'unsupported_response_mode');
  }
  const rawScope = params.get('scope');
  const scopes = checkScopes(ctx, app, rawScope);
  if (!scopes) return sendAuthorizeError(res, ctx, 400, 'invalid_scope');
  const challenge = params.present('code_challenge');
  const method = params.present('code_challenge_method');
  if (p.pkce === 'enforced' && challenge && (!method || !p.pkceMethods.includes(method))) {
    return sendAuthorizeError(res, ctx, 400, p.authorizeErrorStyle === 'json' ? 'invalid_request' : 'invalid_code_challenge_method');
  }
  const state = params.get('state');
  if (state !== undefined && state.length > 4096 && ctx.faults.has('authorize-long-state-500')) {
    res.status(500).set('Content-Type', 'text/html; charset=utf-8').end("<html><body><h1>We're sorry, but something went wrong.</h1></body></html>");
    return;
  }
  const stateOut =
    state === undefined || state === '' || ctx.faults.has('state-dropped') ? undefined : ctx.faults.has('state-truncated') ? state.slice(0, 16) : state;

  if (req.method === 'DELETE') {
    return redirect(req, res, ctx, 302, addQuery(redirectUri, { error: 'access_denied', error_description: DESCRIPTIONS.access_denied, state: stateOut }));
  }
  const st: RequestState = { authority, authorizing: true, ...(rawScope !== undefined ? { rawScope } : {}) };
  if (implicit) {
    const rec = await mintToken(ctx, st, app, user, scopes, { refresh: false });
    return redirect(
      req,
      res,
      ctx,
      302,
      addFragment(redirectUri, { access_token: rec.token, token_type: 'Bearer', expires_in: String(rec.expiresIn), scope: scopes.join(' '), state: stateOut }),
    );
  }
  if (p.pkce === 'enforced' && challenge && method && !ctx.faults.has('pkce-challenge-dropped')) st.challenge = { challenge, method };
  const oreq = new OAuth2Server.Request({
    method: 'GET',
    headers: {},
    body: {},
    query: { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, ...(scopes.length ? { scope: scopes.join(' ') } : {}) },
  });
  const ores = new OAuth2Server.Response({ headers: {} });
  let code: string;
  try {
    const saved = await server(ctx, st).authorize(oreq, ores, { authenticateHandler: { handle: () => user } });
    code = saved.authorizationCode;
  } catch (e) {
    const err = e as Error & { name?: string };
    if (err.name === 'invalid_scope') return sendAuthorizeError(res, ctx, 400, 'invalid_scope');
    return sendAuthorizeError(res, ctx, 400, 'invalid_request');
  }
  const extra: Record<string, string | undefined> = { code, state: stateOut };
  if (ctx.faults.has('token-in-redirect')) extra.access_token = (await mintToken(ctx, st, app, user, scopes, { refresh: false })).token;
  redirect(req, res, ctx, 302, addQuery(redirectUri, extra));
}

export function nativeCodePage(req: Request, res: Response): void {
  const code = typeof req.query.code === 'string' ? req.query.code : '';
  res
    .status(200)
    .set('Content-Type', 'text/html; charset=utf-8')
    .end(
      `<!DOCTYPE html><html><body><main role="main"><h1>Authorization code:</h1><code id="authorization_code">${code.replace(/[^A-Za-z0-9._~-]/g, '')}</code></main></body></html>`,
    );
}

export { baseUrl };
