// A token's life after issue (contract §3.3, §3.4, §3.6 refresh, §3.7-§3.10, §6.5, §6.6):
// refresh, revoke, logout, the authority document, introspection, token info, discovery and JWKS.
//
// Logout with a session is global for the account (logged_out_at ends every earlier token and,
// on auth.cr, every earlier session), so exactly one case does it (logout.session), with the
// account set aside for it (PLACEOS_LOGOUT_EMAIL), which no other case uses.
import { randomBytes } from 'node:crypto';
import { importJWK, jwtVerify, type JWK } from 'jose';
import type { CaseContext, ContractCase } from '../../helpers/case';
import { accountFor, codeFlow, obtainToken, refreshGrant, type Tokens } from '../../helpers/flows';
import type { HttpClient, HttpResponse } from '../../helpers/http';
import { decodeJwt } from '../../helpers/jwt';
import type { Severity, SettingName, Tag } from '../../helpers/model';
import {
  authorityHost,
  BEARER_TRANSPORTS,
  checkTokenResponse,
  ensure,
  expectOAuthError,
  expectRestApi401,
  expectSchema,
  expectStatus,
  expectWwwAuthenticate,
  getWithBearer,
  INSPECT,
  isDeletion,
  parseSetCookies,
  sameSet,
  scopesOf,
  setup,
} from '../../helpers/kit';

export const area = 'lifecycle';

const userToken = (t: CaseContext): Promise<Tokens> => setup('minting a token', () => obtainToken(t, 'user'));

function refreshTokenOf(tokens: Tokens): string {
  ensure(tokens.refreshToken, 'the token response carries no refresh_token', 'a refresh_token', 'none');
  return tokens.refreshToken;
}

/** POST /auth/oauth/revoke the way the generation asks (Rails: client_id; auth.cr: none needed, sent anyway). */
function revoke(t: CaseContext, client: HttpClient, token: string, hint: 'access_token' | 'refresh_token', withClient = true): Promise<HttpResponse> {
  const app = t.settings.client;
  const form: Record<string, string> = { token, token_type_hint: hint };
  if (withClient) {
    form.client_id = app.clientId;
    if (app.clientSecret) form.client_secret = app.clientSecret;
  }
  return client.post('/auth/oauth/revoke', { form });
}

/** A revoke success: 200 and the generation's body (Rails `{}`, auth.cr empty) by schema `revoke`. */
function expectRevoked(t: CaseContext, res: HttpResponse, step: string): void {
  expectStatus(res, 200, step);
  expectSchema(t, 'revoke', res.text === '' ? undefined : res.json, step);
}

function expectLogoutRedirect(t: CaseContext, res: HttpResponse, step: string): URL {
  expectStatus(res, t.contract.logoutStatuses, step);
  const loc = res.location;
  ensure(loc, `${step}: no Location`, 'a Location', 'none');
  ensure(loc.host === new URL(t.settings.url).host, `${step}: redirected off the deployment`, new URL(t.settings.url).host, loc.host);
  return loc;
}

interface Row {
  name: string;
  title: string;
  requirements: string[];
  severity: Severity;
  tags?: Tag[];
  needs?: SettingName[];
  level?: 'MUST' | 'SHOULD';
  run(t: CaseContext): Promise<void>;
}

const rows: Row[] = [
  // ---- refresh ----
  {
    name: 'refresh',
    title: 'the refresh grant returns a new access token with the same scope and expires_in, checked like any token response',
    requirements: ['RFC6749-6', 'PLACEOS-IMPL-REFRESH', 'RFC6749-5.1'],
    severity: 'high',
    needs: ['user'],
    async run(t) {
      const first = await userToken(t);
      const res = await refreshGrant(t, t.client('refresh'), { refreshToken: refreshTokenOf(first) });
      const second = checkTokenResponse(t, res, {
        step: 'refresh',
        account: accountFor(t, 'user'),
        scopes: decodeJwt(first.accessToken).claims.scope as string[],
      });
      ensure(second.body.access_token !== first.accessToken, 'refresh returned the same access token', 'a new access token', 'the old one');
      const c1 = decodeJwt(first.accessToken).claims as { iat: number; exp: number };
      const c2 = second.claims as { iat: number; exp: number };
      ensure(c2.exp - c2.iat === c1.exp - c1.iat, 'refresh changed the access-token lifetime', String(c1.exp - c1.iat), String(c2.exp - c2.iat));
    },
  },
  // ---- revoke ----
  {
    name: 'revoke.refresh-token',
    title: 'revoking the refresh token answers 200 (Rails {} / auth.cr empty) and the refresh token no longer works (invalid_grant)',
    requirements: ['RFC7009-2.1', 'RFC7009-2.2', 'PLACEOS-IMPL-REVOKE'],
    severity: 'high',
    needs: ['user'],
    async run(t) {
      const tokens = await userToken(t);
      const rt = refreshTokenOf(tokens);
      const client = t.client('revoke');
      expectRevoked(t, await revoke(t, client, rt, 'refresh_token'), 'revoke the refresh token');
      expectOAuthError(
        t,
        await refreshGrant(t, client, { refreshToken: rt }),
        { status: 400, error: 'invalid_grant' },
        'refresh with the revoked refresh token',
      );
    },
  },
  {
    name: 'revoke.without-client',
    title: 'revoke without client identification: Rails refuses (403 unauthorized_client), auth.cr needs none (200, empty)',
    requirements: ['PLACEOS-IMPL-REVOKE', 'RFC7009-2.1'],
    severity: 'medium',
    needs: ['user'],
    async run(t) {
      const tokens = await userToken(t);
      const client = t.client('revoke');
      const res = await revoke(t, client, refreshTokenOf(tokens), 'refresh_token', false);
      if (t.contract.revoke.needsClient) {
        expectOAuthError(t, res, { status: 403, error: 'unauthorized_client' }, 'revoke without client_id');
        const ok = await refreshGrant(t, client, { refreshToken: refreshTokenOf(tokens) });
        ensure(ok.status === 200, 'a refused revoke still revoked the refresh token', '200 on refresh', String(ok.status));
      } else {
        expectRevoked(t, res, 'revoke without client_id');
        expectOAuthError(
          t,
          await refreshGrant(t, client, { refreshToken: refreshTokenOf(tokens) }),
          { status: 400, error: 'invalid_grant' },
          'refresh after revoke',
        );
      }
    },
  },
  {
    name: 'revoke.unknown-token',
    title: 'revoking an unknown token answers 200 like a success (RFC 7009 §2.2)',
    requirements: ['RFC7009-2.2', 'PLACEOS-IMPL-REVOKE'],
    severity: 'low',
    tags: ['readonly'],
    async run(t) {
      expectRevoked(t, await revoke(t, t.client('revoke'), randomBytes(32).toString('base64url'), 'refresh_token'), 'revoke an unknown token');
    },
  },
  // ---- logout ----
  {
    name: 'logout.bearer',
    title: 'GET /auth/logout with Authorization: Bearer redirects (302) to / and revokes that token: its refresh token stops working',
    requirements: ['PLACEOS-IMPL-LOGOUT'],
    severity: 'high',
    needs: ['user'],
    async run(t) {
      const tokens = await userToken(t);
      const client = t.client('logout');
      const res = await client.get('/auth/logout', { headers: { authorization: `Bearer ${tokens.accessToken}` } });
      const loc = expectLogoutRedirect(t, res, 'logout');
      ensure(loc.pathname === '/', 'logout without continue: not redirected to /', '/', loc.pathname);
      expectOAuthError(
        t,
        await refreshGrant(t, client, { refreshToken: refreshTokenOf(tokens) }),
        { status: 400, error: 'invalid_grant' },
        'refresh after logout with that bearer',
      );
    },
  },
  {
    name: 'logout.continue-off-domain',
    title: 'logout never follows an off-domain continue: it falls back to the authority logout_url (or /)',
    requirements: ['PLACEOS-IMPL-LOGOUT', 'PLACEOS-IMPL-OPEN-REDIRECT', 'RFC9700-4.11.2'],
    severity: 'high',
    tags: ['readonly'],
    async run(t) {
      const res = await t.client('logout').get('/auth/logout', { query: { continue: 'https://evil.example/after-logout' } });
      const loc = expectLogoutRedirect(t, res, 'logout with an off-domain continue');
      ensure(!loc.pathname.startsWith('/after-logout'), 'logout kept the path of the off-domain continue', 'the logout_url fallback', loc.pathname);
    },
  },
  {
    name: 'logout.session',
    title:
      'logout with the session ends it (session cookie deleted, authority session:false) and rest-api refuses the account\'s earlier token by header, parameter and cookie: 401 "logged out"',
    requirements: [
      'PLACEOS-IMPL-LOGOUT',
      'PLACEOS-IMPL-LOGGED-OUT-JWT',
      'RFC6750-3.1',
      'PLACEOS-DOC-TRANSPORT-HEADER',
      'PLACEOS-DOC-TRANSPORT-PARAM',
      'PLACEOS-DOC-TRANSPORT-COOKIE',
    ],
    severity: 'blocker',
    tags: ['session', 'mutating'],
    // Logout is global for the account: only the account set aside for it.
    needs: ['logoutAccount'],
    async run(t) {
      const { tokens, session } = await setup('signing in and minting a token (code flow)', () => codeFlow(t, { account: accountFor(t, 'logout') }));
      const res = await session.get('/auth/logout', { headers: { authorization: `Bearer ${tokens.accessToken}` } });
      expectLogoutRedirect(t, res, 'logout');
      const deleted = parseSetCookies(res).find((c) => c.name === t.contract.sessionCookie && isDeletion(c));
      ensure(
        deleted,
        `logout did not delete the session cookie ${t.contract.sessionCookie}`,
        `Set-Cookie: ${t.contract.sessionCookie}=; expired`,
        parseSetCookies(res)
          .map((c) => c.name)
          .join(', ') || 'no Set-Cookie',
      );
      const authority = await session.get('/auth/authority');
      expectStatus(authority, 200, 'authority after logout');
      ensure(
        (authority.json as { session?: unknown }).session === false,
        'authority still reports a session after logout',
        'session: false',
        String((authority.json as { session?: unknown }).session),
      );
      for (const transport of BEARER_TRANSPORTS) {
        const r = await getWithBearer(t.client(`rest-api-${transport}`), transport, INSPECT, tokens.accessToken);
        expectRestApi401(t, r, `inspect by ${transport} with a token issued before logout`, /^logged out$/);
      }
    },
  },
  // ---- authority ----
  {
    name: 'authority',
    title: "/auth/authority answers the Host's authority (schema authority, domain = the URL's host, v2 version); token_valid is true with a valid bearer",
    requirements: ['PLACEOS-IMPL-AUTHORITY'],
    severity: 'medium',
    needs: ['user'],
    async run(t) {
      const client = t.client('authority');
      const anon = await client.get('/auth/authority');
      expectStatus(anon, 200, 'authority');
      expectSchema(t, 'authority', anon.json, 'authority');
      const a = anon.json as { domain: string; token_valid: boolean; session: boolean };
      ensure(a.domain.toLowerCase() === authorityHost(t.settings.url), "authority: domain is not the request Host's", authorityHost(t.settings.url), a.domain);
      ensure(
        a.token_valid === false && a.session === false,
        'authority without credentials reports a session or a valid token',
        'session false, token_valid false',
        `session ${a.session}, token_valid ${a.token_valid}`,
      );
      const tokens = await userToken(t);
      const withToken = await client.get('/auth/authority', { headers: { authorization: `Bearer ${tokens.accessToken}` } });
      expectStatus(withToken, 200, 'authority with a bearer');
      expectSchema(t, 'authority', withToken.json, 'authority with a bearer');
      ensure((withToken.json as { token_valid: boolean }).token_valid === true, 'authority: token_valid is false for a valid bearer', 'true', 'false');
    },
  },
  {
    name: 'authority.health',
    title: '/auth/authority?health answers 200 (the probe)',
    requirements: ['PLACEOS-IMPL-AUTHORITY'],
    severity: 'low',
    tags: ['readonly'],
    async run(t) {
      const res = await t.client('authority').get('/auth/authority?health');
      expectStatus(res, 200, 'authority?health');
    },
  },
  // ---- introspection and token info ----
  {
    name: 'introspect.active',
    title: "introspection by the token's own app reports it active (scope, client_id, token_type, iat, exp as in the JWT)",
    requirements: ['PLACEOS-IMPL-INTROSPECT', 'RFC7662-2.2'],
    severity: 'medium',
    needs: ['user'],
    async run(t) {
      const tokens = await userToken(t);
      const app = t.settings.client;
      const res = await t.client('introspect').post('/auth/oauth/introspect', {
        form: { token: tokens.accessToken, client_id: app.clientId, ...(app.clientSecret ? { client_secret: app.clientSecret } : {}) },
      });
      expectStatus(res, 200, 'introspect');
      expectSchema(t, 'introspection', res.json, 'introspect');
      const body = res.json as { active: boolean; scope: string; client_id: string; iat: number; exp: number };
      const claims = decodeJwt(tokens.accessToken).claims as { iat: number; exp: number; scope: string[] };
      ensure(body.active === true, 'introspect: a fresh token is not active', 'active: true', 'false');
      ensure(body.client_id === app.clientId, 'introspect: client_id is not the app', app.clientId, body.client_id);
      ensure(sameSet(scopesOf(body.scope), claims.scope), "introspect: scope differs from the token's", claims.scope.join(' '), body.scope);
      ensure(
        body.iat === claims.iat && body.exp === claims.exp,
        "introspect: iat/exp differ from the token's",
        `${claims.iat}/${claims.exp}`,
        `${body.iat}/${body.exp}`,
      );
    },
  },
  {
    name: 'introspect.inactive',
    title: 'introspection of a revoked token answers exactly {"active": false}',
    requirements: ['PLACEOS-IMPL-INTROSPECT', 'RFC7662-2.2'],
    severity: 'medium',
    needs: ['user'],
    async run(t) {
      const tokens = await userToken(t);
      const client = t.client('introspect');
      expectRevoked(t, await revoke(t, client, tokens.accessToken, 'access_token'), 'revoke');
      const app = t.settings.client;
      const res = await client.post('/auth/oauth/introspect', {
        form: { token: tokens.accessToken, client_id: app.clientId, ...(app.clientSecret ? { client_secret: app.clientSecret } : {}) },
      });
      expectStatus(res, 200, 'introspect a revoked token');
      expectSchema(t, 'introspection', res.json, 'introspect a revoked token');
      ensure((res.json as { active: boolean }).active === false, 'introspect: a revoked token is reported active', 'active: false', 'true');
    },
  },
  {
    name: 'token-info',
    title:
      'token/info describes the bearer (resource_owner_id = sub, application.uid = client_id, scope); an invalid bearer gets 401 invalid_token with a Bearer challenge',
    requirements: ['PLACEOS-IMPL-TOKEN-INFO', 'RFC6750-3', 'RFC6750-3.1'],
    severity: 'medium',
    needs: ['user'],
    async run(t) {
      const tokens = await userToken(t);
      const client = t.client('token-info');
      const res = await client.get('/auth/oauth/token/info', { headers: { authorization: `Bearer ${tokens.accessToken}` } });
      expectStatus(res, 200, 'token/info');
      expectSchema(t, 'token-info', res.json, 'token/info');
      const body = res.json as { resource_owner_id: string; application: { uid: string }; scope: string[]; expires_in: number };
      const claims = decodeJwt(tokens.accessToken).claims as { sub: string; scope: string[] };
      ensure(body.resource_owner_id === claims.sub, 'token/info: resource_owner_id is not the token sub', claims.sub, body.resource_owner_id);
      ensure(
        body.application.uid === t.settings.client.clientId,
        'token/info: application.uid is not the client_id',
        t.settings.client.clientId,
        body.application.uid,
      );
      ensure(sameSet(body.scope, claims.scope), "token/info: scope differs from the token's", claims.scope.join(' '), body.scope.join(' '));
      ensure(body.expires_in > 0 && body.expires_in <= 7200, 'token/info: expires_in is not the remaining lifetime', '1..7200', String(body.expires_in));
      const bad = await client.get('/auth/oauth/token/info', { headers: { authorization: `Bearer ${randomBytes(24).toString('base64url')}` } });
      expectOAuthError(t, bad, { status: 401, error: 'invalid_token' }, 'token/info with an invalid bearer');
      expectWwwAuthenticate(bad, { scheme: 'Bearer' });
    },
  },
  // ---- OIDC (where the generation has it) ----
  {
    name: 'discovery',
    title: 'the OpenID discovery document matches schema discovery and names this deployment',
    requirements: ['PLACEOS-IMPL-OIDC', 'RFC8414-2'],
    severity: 'low',
    tags: ['readonly'],
    async run(t) {
      if (!t.contract.oidc) t.notApplicable(`${t.contract.label} has no OIDC routes`);
      const res = await t.client('oidc').get('/.well-known/openid-configuration');
      expectStatus(res, 200, 'discovery');
      expectSchema(t, 'discovery', res.json, 'discovery');
      const doc = res.json as { jwks_uri: string; token_endpoint: string };
      const host = new URL(t.settings.url).host;
      ensure(
        new URL(doc.token_endpoint).host === host && new URL(doc.token_endpoint).pathname === '/auth/oauth/token',
        "discovery: token_endpoint is not this deployment's /auth/oauth/token",
        `${host}/auth/oauth/token`,
        doc.token_endpoint,
      );
      ensure(
        new URL(doc.jwks_uri).pathname === '/auth/oauth/discovery/keys',
        'discovery: jwks_uri is not /auth/oauth/discovery/keys',
        '/auth/oauth/discovery/keys',
        new URL(doc.jwks_uri).pathname,
      );
    },
  },
  {
    name: 'jwks',
    title: 'the JWKS (schema jwks) holds the key that verifies an issued access token',
    requirements: ['PLACEOS-IMPL-OIDC', 'PLACEOS-IMPL-JWT-CLAIMS'],
    severity: 'medium',
    needs: ['user'],
    async run(t) {
      if (!t.contract.oidc) t.notApplicable(`${t.contract.label} has no JWKS endpoint`);
      const res = await t.client('oidc').get('/auth/oauth/discovery/keys');
      expectStatus(res, 200, 'JWKS');
      expectSchema(t, 'jwks', res.json, 'JWKS');
      const tokens = await userToken(t);
      const kid = decodeJwt(tokens.accessToken).header.kid;
      const keys = (res.json as { keys: (JWK & { kid: string })[] }).keys.filter((k) => kid === undefined || k.kid === kid);
      let verified = false;
      for (const k of keys) {
        try {
          await jwtVerify(tokens.accessToken, await importJWK(k, 'RS256'), { algorithms: ['RS256'] });
          verified = true;
          break;
        } catch {
          /* try the next key */
        }
      }
      ensure(verified, 'no JWKS key verifies the issued access token', 'a key that verifies it', `${keys.length} candidate key(s), none verifies`);
    },
  },
];

export const cases: ContractCase[] = rows.map((r) => ({
  id: `${area}.${r.name}`,
  title: r.title,
  requirements: r.requirements,
  level: r.level ?? 'MUST',
  severity: r.severity,
  tags: r.tags ?? ['mutating'],
  ...(r.needs ? { needs: r.needs } : {}),
  run: r.run,
}));
