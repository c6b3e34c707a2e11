// Test helpers: real HTTP requests (node:http/https, no redirect following, any Host header).
import * as http from 'node:http';
import * as https from 'node:https';
import { createHash, randomBytes } from 'node:crypto';
import type { ReferenceTarget } from '../src/index';
import { API_KEY, BEARER, queryString, type ApiKeyTransport, type BearerTransport, type Placement } from '../../helpers/kit/transports';

export interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => any;
  cookies: string[];
  location: string | undefined;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  form?: Record<string, string | undefined>;
  json?: unknown;
  body?: string;
  ca?: string;
}

export function call(url: string, o: CallOptions = {}): Promise<Res> {
  const u = new URL(url);
  let body: string | undefined = o.body;
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.form) {
    body = new URLSearchParams(Object.entries(o.form).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] ??= 'application/json';
  }
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r = lib.request(
      {
        method: o.method ?? (body !== undefined ? 'POST' : 'GET'),
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: u.pathname + u.search,
        headers,
        agent: false,
        ...(o.ca ? { ca: o.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const sc = res.headers['set-cookie'] ?? [];
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text), cookies: sc, location: res.headers.location });
        });
      },
    );
    r.on('error', reject);
    if (body !== undefined) r.write(body);
    r.end();
  });
}

export const env = (t: ReferenceTarget, k: string): string => {
  const v = t.env[k];
  if (v === undefined) throw new Error(`env ${k} missing`);
  return v;
};

/** name=value pairs of Set-Cookie headers, for a Cookie header. */
export function cookieHeader(res: Res): string {
  return res.cookies
    .map((c) => c.split(';')[0]!)
    .filter((c) => !c.endsWith('='))
    .join('; ');
}

export async function signin(t: ReferenceTarget, who: 'USER' | 'SERVICE' = 'USER', base = t.url): Promise<string> {
  const r = await call(`${base}/auth/signin`, { form: { email: env(t, `PLACEOS_${who}_EMAIL`), password: env(t, `PLACEOS_${who}_PASSWORD`) } });
  if (r.status !== 202) throw new Error(`signin ${r.status}`);
  return cookieHeader(r);
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeOpts {
  clientId?: string;
  redirectUri?: string;
  challenge?: string;
  method?: string;
  state?: string;
  scope?: string;
  responseType?: string;
}

export async function authorize(t: ReferenceTarget, cookie: string, o: AuthorizeOpts = {}): Promise<Res> {
  const q = new URLSearchParams({
    response_type: o.responseType ?? 'code',
    client_id: o.clientId ?? env(t, 'PLACEOS_CLIENT_ID'),
    redirect_uri: o.redirectUri ?? env(t, 'PLACEOS_REDIRECT_URI'),
  });
  if (o.scope) q.set('scope', o.scope);
  if (o.state) q.set('state', o.state);
  if (o.challenge) {
    q.set('code_challenge', o.challenge);
    q.set('code_challenge_method', o.method ?? 'S256');
  }
  return call(`${t.url}/auth/oauth/authorize?${q}`, { headers: { cookie } });
}

export function codeFrom(res: Res): string {
  const loc = res.location;
  if (!loc || res.status !== 302) throw new Error(`authorize ${res.status} ${res.body.slice(0, 200)}`);
  const code = new URL(loc).searchParams.get('code');
  if (!code) throw new Error(`no code in ${loc}`);
  return code;
}

export async function getCode(t: ReferenceTarget, o: AuthorizeOpts = {}): Promise<string> {
  const cookie = await signin(t);
  return codeFrom(await authorize(t, cookie, o));
}

export function redeem(t: ReferenceTarget, code: string, extra: Record<string, string | undefined> = {}): Promise<Res> {
  return call(`${t.url}/auth/oauth/token`, {
    form: { grant_type: 'authorization_code', code, client_id: env(t, 'PLACEOS_CLIENT_ID'), redirect_uri: env(t, 'PLACEOS_REDIRECT_URI'), ...extra },
  });
}

export function passwordGrant(t: ReferenceTarget, extra: Record<string, string | undefined> = {}, base = t.url): Promise<Res> {
  return call(`${base}/auth/oauth/token`, {
    form: {
      grant_type: 'password',
      username: env(t, 'PLACEOS_USER_EMAIL'),
      password: env(t, 'PLACEOS_USER_PASSWORD'),
      client_id: env(t, 'PLACEOS_CLIENT_ID'),
      ...extra,
    },
  });
}

/** A user token on any profile: password grant where enabled, else signin + code + PKCE. */
export async function userToken(t: ReferenceTarget, o: { scoped?: boolean; scope?: string } = {}): Promise<any> {
  const clientId = env(t, o.scoped ? 'PLACEOS_SCOPED_CLIENT_ID' : 'PLACEOS_CLIENT_ID');
  const redirectUri = env(t, o.scoped ? 'PLACEOS_SCOPED_REDIRECT_URI' : 'PLACEOS_REDIRECT_URI');
  if (t.profile !== 'authcr') {
    const r = await passwordGrant(t, { client_id: clientId, ...(o.scope ? { scope: o.scope } : {}) });
    if (r.status !== 200) throw new Error(`password grant ${r.status} ${r.body}`);
    return r.json();
  }
  const { verifier, challenge } = pkcePair();
  const code = await getCode(t, { clientId, redirectUri, challenge, ...(o.scope ? { scope: o.scope } : {}) });
  const r = await redeem(t, code, { client_id: clientId, redirect_uri: redirectUri, code_verifier: verifier });
  if (r.status !== 200) throw new Error(`code grant ${r.status} ${r.body}`);
  return r.json();
}

export function inspect(base: string, o: CallOptions = {}, query = ''): Promise<Res> {
  return call(`${base}/api/engine/v2/api_keys/inspect${query}`, o);
}

/** inspect with a credential placed as the suite places it (helpers/kit/transports.ts), plus other headers. */
function inspectPlaced(base: string, p: Placement, headers: Record<string, string> = {}): Promise<Res> {
  return inspect(base, { headers: { ...headers, ...p.headers } }, queryString(p));
}

export const inspectWithBearer = (base: string, via: BearerTransport, token: string, scheme?: string): Promise<Res> =>
  inspectPlaced(base, BEARER[via].place(token, scheme));
export const inspectWithApiKey = (base: string, via: ApiKeyTransport, key: string, headers: Record<string, string> = {}): Promise<Res> =>
  inspectPlaced(base, API_KEY[via].place(key), headers);

export function decodePayload(jwt: string): any {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

/**
 * The SSO login up to the callback: kick-off (directly, or through /auth/login with `continue`),
 * the OpenID provider's login form filled with PLACEOS_SSO_USERNAME / _PASSWORD. Returns the
 * callback URL the IdP sent the browser to and the target's cookies (state, continue) to send with it.
 */
export async function ssoToCallback(
  t: ReferenceTarget,
  o: { continueTo?: string; password?: string } = {},
): Promise<{ callback: string; cookie: string; state: string }> {
  const id = env(t, 'PLACEOS_SSO_ID');
  const target: string[] = [];
  let kickUrl = `${t.url}/auth/oauth2?id=${id}`;
  if (o.continueTo !== undefined) {
    const login = await call(`${t.url}/auth/login?${new URLSearchParams({ provider: 'oauth2', id, continue: o.continueTo })}`);
    target.push(cookieHeader(login));
    kickUrl = new URL(login.location!, t.url).toString();
  }
  const kick = await call(kickUrl, { headers: { cookie: target.join('; ') } });
  if (kick.status !== 302) throw new Error(`SSO kick-off ${kick.status}`);
  target.push(cookieHeader(kick));
  const idpCookies = new Map<string, string>();
  const idpCall = async (url: string, co: CallOptions = {}): Promise<Res> => {
    const r = await call(url, { ...co, headers: { cookie: [...idpCookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of r.cookies) {
      const [kv] = c.split(';');
      const i = kv!.indexOf('=');
      idpCookies.set(kv!.slice(0, i), kv!.slice(i + 1));
    }
    return r;
  };
  let res = await idpCall(kick.location!);
  let at = kick.location!;
  for (let step = 0; step < 8; step++) {
    if (res.status === 200) {
      const action = /<form method="post" action="([^"]+\/login)"/.exec(res.body)?.[1];
      if (!action) throw new Error('no login form at the IdP');
      at = new URL(action, at).toString();
      res = await idpCall(at, { form: { login: env(t, 'PLACEOS_SSO_USERNAME'), password: o.password ?? env(t, 'PLACEOS_SSO_PASSWORD') } });
      continue;
    }
    const next = new URL(res.location!, at).toString();
    if (next.startsWith(`${t.url}/auth/oauth2/callback`))
      return { callback: next, cookie: target.filter(Boolean).join('; '), state: new URL(kick.location!).searchParams.get('state')! };
    at = next;
    res = await idpCall(next);
  }
  throw new Error('the IdP did not send the browser back to the callback');
}
