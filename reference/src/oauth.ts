// OAuth endpoints of the auth service: token, and the library model authorize shares
// (reference/src/authorize.ts; revoke, introspect and token/info: reference/src/token-admin.ts).
// The grant machinery (client lookup, code lookup/expiry/client binding/single use, password
// check, refresh-token binding, scope validation, token saving) runs in @node-oauth/oauth2-server
// with an in-memory model; the Doorkeeper / auth.cr parameter checks, their order, error codes and
// response shapes are PlaceOS-specific and live here.
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import type { AccessTokenRecord, CodeRecord, TargetContext, User } from './context';
import { appRedirectUris, checkScopes, mintToken, opaque, pkceApplies, redirectUriMatches, tokenSources, verifyPkce } from './grants';
import type { AppFixture, AuthorityFixture } from './fixtures';
import { Params, basicCredentials, baseUrl, missingParam, parseBody, sendJson, sendOAuthError, type OAuthErrorSpec } from './http';

/** Per-request state shared between the handler and the library model. */
export interface RequestState {
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

export function server(ctx: TargetContext, st: RequestState): OAuth2Server {
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

export { baseUrl };
