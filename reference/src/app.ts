// Express wiring: the auth service routes (/auth/*, /.well-known/*) and the rest-api routes
// (/api/engine/v2/...) behind one listener, as nginx routes them in front of the real services.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { TargetContext } from './context';
import * as auth from './auth';
import * as oauth from './oauth';
import * as authorize from './authorize';
import * as tokenAdmin from './token-admin';
import * as rest from './restapi';

type Handler = (req: Request, res: Response, ctx: TargetContext) => void | Promise<void>;

export const BODY_LIMIT = '64kb';

/** A CORS layer allowing every origin with credentials (the cors-* faults): reflected, or `*`. */
function corsAnyOrigin(allow: 'reflect' | '*') {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', allow === 'reflect' ? origin : '*');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-API-Key');
      return void res.status(204).end();
    }
    next();
  };
}

export function buildApp(ctx: TargetContext, quiet: boolean): express.Express {
  const p = ctx.profile;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('case sensitive routing', true);
  app.use(express.raw({ type: () => true, limit: BODY_LIMIT }));
  const h = (fn: Handler) => (req: Request, res: Response) => fn(req, res, ctx);

  app.post('/auth/signin', h(auth.signin));
  app.get('/auth/login', h(auth.login));
  app.get('/auth/logout', h(auth.logout));
  app.get('/auth/authority', h(auth.authority));
  app.post('/auth/signup', (_req, res) => void res.status(403).end());
  app.get('/auth/failure', auth.failure);

  const authorizePaths = ['/auth/oauth/authorize', ...(p.shortAliases ? ['/auth/authorize'] : [])];
  for (const path of authorizePaths) {
    if (ctx.faults.has('authorize-cors')) {
      app.use(path, (req, res, next) => {
        res.setHeader('Access-Control-Allow-Origin', typeof req.headers.origin === 'string' ? req.headers.origin : '*');
        res.setHeader('Access-Control-Allow-Credentials', 'true');
        if (req.method === 'OPTIONS') return void res.status(204).end();
        next();
      });
    }
    app.get(path, h(authorize.authorizeEndpoint));
    app.post(path, h(authorize.authorizeEndpoint));
    app.delete(path, h(authorize.authorizeEndpoint));
  }
  app.get('/auth/oauth/authorize/native', authorize.nativeCodePage);
  for (const path of ['/auth/oauth/token', ...(p.shortAliases ? ['/auth/token'] : [])]) {
    if (ctx.faults.has('token-cors-credentials')) app.use(path, corsAnyOrigin('reflect'));
    app.post(path, h(oauth.tokenEndpoint));
    if (ctx.faults.has('token-endpoint-get')) app.get(path, h(oauth.tokenEndpoint));
  }
  for (const path of ['/auth/oauth/revoke', ...(p.shortAliases ? ['/auth/revoke'] : [])]) app.post(path, h(tokenAdmin.revokeEndpoint));
  app.post('/auth/oauth/introspect', h(tokenAdmin.introspectEndpoint));
  app.get('/auth/oauth/token/info', h(tokenAdmin.tokenInfoEndpoint));

  if (p.userinfo !== 'absent') {
    app.get('/auth/oauth/userinfo', h(auth.userinfo));
    app.post('/auth/oauth/userinfo', h(auth.userinfo));
  }
  if (p.jwks) app.get('/auth/oauth/discovery/keys', h(auth.jwks));
  if (p.discovery) {
    for (const prefix of ['', '/auth']) {
      app.get(`${prefix}/.well-known/openid-configuration`, h(auth.discovery));
      app.get(`${prefix}/.well-known/oauth-authorization-server`, h(auth.discovery));
    }
  }
  if (p.healthz) app.get('/auth/healthz', (_req, res) => void res.status(200).set('Content-Type', 'application/json').end('{"healthy":true}'));

  app.get('/auth/oauth2', h(auth.ssoStart));
  for (const path of ['/auth/oauth2/callback', '/auth/oauth2/callback/:strategy']) {
    app.get(path, h(auth.ssoCallback));
    app.post(path, h(auth.ssoCallback));
  }

  if (ctx.faults.has('rest-api-cors-credentials')) app.use('/api/engine/v2', corsAnyOrigin('*'));
  app.get('/api/engine/v2/api_keys/inspect', h(rest.inspect));
  app.get('/api/engine/v2/users/current', h(rest.currentUser));

  // catch-all: 404, empty body
  app.use((_req: Request, res: Response) => void res.status(404).end());
  // body-parser and unexpected errors
  app.use((err: Error & { type?: string; status?: number }, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.end();
    if (err.type === 'entity.too.large') return void res.status(413).end();
    if (err.type === 'entity.parse.failed' || err.type === 'request.aborted') return void res.status(400).end();
    if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') return void res.status(415).end();
    if (!quiet) console.error(`[reference] 500 on ${req.method} ${req.url}:`, err);
    res.status(500).end();
  });
  return app;
}
