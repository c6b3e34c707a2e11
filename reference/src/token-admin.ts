// The endpoints that act on an issued token: revoke (RFC 7009, Doorkeeper's client binding),
// introspect (RFC 7662, by client credentials or by bearer as Doorkeeper allows) and Doorkeeper's
// token/info. The tokens themselves are issued by reference/src/oauth.ts.
import type { Request, Response } from 'express';
import type { AccessTokenRecord, TargetContext } from './context';
import type { AppFixture } from './fixtures';
import { DESCRIPTIONS, Params, basicCredentials, doorkeeperBearer, parseBody, sendJson, sendOAuthError } from './http';
import { doorkeeperAuthenticate, tokenSources, tokenState } from './grants';

// ---- POST /auth/oauth/revoke -------------------------------------------------------------------------------------
function clientFrom(req: Request, ctx: TargetContext, params: Params): { given: boolean; app?: AppFixture } {
  const basic = basicCredentials(req);
  const id = basic?.id ?? params.present('client_id');
  if (!id) return { given: false };
  const secret = basic?.secret ?? params.get('client_secret');
  const app = ctx.appByUid(id);
  if (!app) return { given: true };
  if (app.confidential && secret !== app.secret && !ctx.faults.has('confidential-secret-ignored')) return { given: true };
  return { given: true, app };
}

function findToken(ctx: TargetContext, token: string, hint: string | undefined): AccessTokenRecord | undefined {
  return hint === 'refresh_token' ? (ctx.refreshIndex.get(token) ?? ctx.tokens.get(token)) : (ctx.tokens.get(token) ?? ctx.refreshIndex.get(token));
}

export function revokeEndpoint(req: Request, res: Response, ctx: TargetContext): void {
  const p = ctx.profile;
  if (ctx.faults.has('revoke-empty-body-500') && !(Buffer.isBuffer(req.body) && req.body.length > 0)) {
    res.status(500).set('Content-Type', 'text/html; charset=utf-8').end("<html><body><h1>We're sorry, but something went wrong.</h1></body></html>");
    return;
  }
  const body = parseBody(req);
  const params = new Params(
    req,
    tokenSources(ctx).filter((s) => s !== 'json' || body.kind === 'json'),
    body,
  );
  const token = params.present('token');
  const hint = params.present('token_type_hint');
  const revoke = (rec: AccessTokenRecord): void => {
    if (ctx.faults.has('revoke-noop')) return;
    // The fault forgets the refresh token only: the access token of the same grant stays active.
    if (ctx.faults.has('revoke-refresh-keeps-access') && token !== undefined && token === rec.refreshToken) ctx.refreshIndex.delete(token);
    else rec.revokedAtMs = Date.now();
  };
  if (!p.revokeNeedsClient) {
    const rec = token ? findToken(ctx, token, hint) : undefined;
    if (rec) revoke(rec);
    res.status(200).end();
    return;
  }
  const refuse = (): void => sendJson(res, 403, { error: 'unauthorized_client', error_description: DESCRIPTIONS.revoke_unauthorized });
  const client = clientFrom(req, ctx, params);
  if (!client.app) return refuse();
  const rec = token ? findToken(ctx, token, hint) : undefined;
  if (!rec) return sendJson(res, 200, {});
  if (rec.appId !== client.app.id && !ctx.faults.has('revoke-ignores-client')) {
    if (!ctx.faults.has('revoke-refusal-names-owner')) return refuse();
    const owner = ctx.apps.find((a) => a.id === rec.appId);
    const user = ctx.userById(rec.userId);
    return sendJson(res, 403, { error: 'unauthorized_client', error_description: `This token was issued to ${owner?.name ?? '?'} for ${user?.email ?? '?'}` });
  }
  revoke(rec);
  sendJson(res, 200, {});
}

// ---- POST /auth/oauth/introspect -----------------------------------------------------------------------------------
export function introspectEndpoint(req: Request, res: Response, ctx: TargetContext): void {
  const body = parseBody(req);
  const params = new Params(req, tokenSources(ctx), body);
  const client = clientFrom(req, ctx, params);
  let callerAppId: string | undefined;
  let callerToken: string | undefined;
  if (ctx.faults.has('introspect-no-auth')) {
    callerAppId = undefined;
  } else if (client.given) {
    if (!client.app) return sendOAuthError(res, ctx, { status: 401, error: 'invalid_client' });
    callerAppId = client.app.id;
  } else {
    const h = req.headers.authorization;
    const m = h ? /^bearer\s+(.+)$/i.exec(h.trim()) : null;
    if (!m) {
      return sendOAuthError(res, ctx, {
        status: 400,
        error: 'invalid_request',
        description: 'Request need to be authorized. Required parameter for authorizing request is missing or invalid.',
      });
    }
    callerToken = m[1]!.trim();
    const callerRec = ctx.tokens.get(callerToken);
    const doorkeeper = ctx.profile.introspectByBearer === 'doorkeeper';
    if (!callerRec && doorkeeper) {
      return sendOAuthError(res, ctx, {
        status: 400,
        error: 'invalid_request',
        description: 'Request need to be authorized. Required parameter for authorizing request is missing or invalid.',
      });
    }
    if (!callerRec || tokenState(callerRec) !== 'valid') return sendOAuthError(res, ctx, { status: 401, error: 'invalid_token' });
    callerAppId = callerRec.appId;
    if (doorkeeper) {
      const token = params.present('token');
      const rec = token ? findToken(ctx, token, params.present('token_type_hint')) : undefined;
      if (!rec || rec.appId !== callerAppId || token === callerToken) return sendOAuthError(res, ctx, { status: 401, error: 'invalid_token' });
    }
  }
  const token = params.present('token');
  const rec = token ? findToken(ctx, token, params.present('token_type_hint')) : undefined;
  res.set('Cache-Control', 'no-store');
  const sameApp = callerAppId === undefined ? ctx.faults.has('introspect-no-auth') : rec?.appId === callerAppId;
  if (!rec || !sameApp || token === callerToken || tokenState(rec) !== 'valid') return sendJson(res, 200, { active: false });
  const iat = Math.floor(rec.createdAtMs / 1000);
  sendJson(res, 200, {
    active: true,
    scope: rec.scopes.join(' '),
    client_id: ctx.appById(rec.appId)?.uid ?? '',
    token_type: 'Bearer',
    iat,
    exp: iat + rec.expiresIn,
  });
}

// ---- GET /auth/oauth/token/info -------------------------------------------------------------------------------------
export function tokenInfoEndpoint(req: Request, res: Response, ctx: TargetContext): void {
  const params = new Params(req, ['query']);
  const bearer = doorkeeperBearer(req, params);
  const rec = bearer ? ctx.tokens.get(bearer) : undefined;
  const state = rec ? tokenState(rec) : 'invalid';
  if (!rec || state !== 'valid') {
    const description = state === 'expired' ? 'The access token expired' : state === 'revoked' ? 'The access token was revoked' : 'The access token is invalid';
    return sendOAuthError(res, ctx, { status: 401, error: 'invalid_token', description });
  }
  doorkeeperAuthenticate(ctx, rec);
  res.set('Cache-Control', 'no-store');
  sendJson(res, 200, {
    resource_owner_id: rec.userId,
    scope: rec.scopes,
    expires_in: Math.max(0, Math.floor((rec.createdAtMs + rec.expiresIn * 1000 - Date.now()) / 1000)),
    application: { uid: ctx.appById(rec.appId)?.uid ?? null },
    created_at: Math.floor(rec.createdAtMs / 1000),
  });
}
