// /auth/oauth/authorize: Doorkeeper's (or auth.cr's) parameter checks in their order, the session
// the authorization needs, PKCE challenges, and the redirect with the code (or the error); the
// code itself is issued through the library model of reference/src/oauth.ts.
import type { Request, Response } from 'express';
import type { TargetContext } from './context';
import { appRedirectUris, checkScopes, mintToken, redirectUriMatches } from './grants';
import OAuth2Server from '@node-oauth/oauth2-server';
import type { AuthorityFixture } from './fixtures';
import { server, type RequestState } from './oauth';
import { readSession, sessionUser, writeSession } from './session';
import {
  DESCRIPTIONS,
  Params,
  addFragment,
  addQuery,
  deleteCookie,
  missingParam,
  parseBody,
  redirect,
  sendAuthorizeError,
  sendJson,
  type ParamSource,
} from './http';

function authorityOr404(req: Request, res: Response, ctx: TargetContext): AuthorityFixture | undefined {
  const a = ctx.authorityForHost(req.headers.host);
  if (a) return a;
  if (ctx.profile.inferredServerErrors)
    res.status(500).set('Content-Type', 'text/html; charset=utf-8').end("<html><body><h1>We're sorry, but something went wrong.</h1></body></html>");
  else sendJson(res, 404, { error: 'authority not found' });
  return undefined;
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
