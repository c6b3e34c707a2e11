// The identity provider beside the reference target: panva's certified OpenID provider
// (`oidc-provider`) on a port of its own, with a login page that checks a test account's password
// (its own interaction routes, as a real IdP's login form) and no consent step for the seeded
// clients. The target's OAuth2 strategy talks to it as PlaceOS's omniauth strategy talks to an IdP.
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import * as querystring from 'node:querystring';
import type { Socket } from 'node:net';
import { generateKeyPair, timingSafeEqual, createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { importEsm } from './esm';

export interface IdpAccount {
  id: string;
  email: string;
  password: string;
  name: string;
}

export interface IdpClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface RunningIdp {
  issuer: string;
  authorizeUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  close(): Promise<void>;
}

/** The part of oidc-provider's API used here (the package ships no types). */
interface OidcProvider {
  callback(): http.RequestListener;
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<{ uid: string; prompt: { name: string }; params: Record<string, unknown> }>;
  interactionFinished(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    result: Record<string, unknown>,
    o?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
}

const generateKeyPairAsync = promisify(generateKeyPair);

function sameSecret(a: string, b: string): boolean {
  const h = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, error?: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign in</title></head><body>
<h1>Sign in to the reference identity provider</h1>${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<input type="hidden" name="uid" value="${escapeHtml(uid)}">
<label>Email <input type="email" name="login" required></label>
<label>Password <input type="password" name="password" required></label>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort"><button type="submit">Cancel</button></form>
</body></html>`;
}

function readBody(req: http.IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 16 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const parsed = querystring.parse(Buffer.concat(chunks).toString('utf8'));
      resolve(Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, Array.isArray(v) ? (v[v.length - 1] ?? '') : (v ?? '')])));
    });
    req.on('error', reject);
  });
}

/** Starts the identity provider on 127.0.0.1 (an ephemeral port), with the target's certificate when it speaks TLS. */
export async function startIdp(o: {
  accounts: IdpAccount[];
  clients: IdpClient[];
  cert?: { cert: string; key: string };
  quiet?: boolean;
}): Promise<RunningIdp> {
  const { createProvider } = await importEsm<{ createProvider: (o: Record<string, string>) => OidcProvider }>(path.join(__dirname, 'idp-provider.mjs'));
  let handler: http.RequestListener | undefined;
  const listener: http.RequestListener = (req, res) => (handler ? handler(req, res) : void res.writeHead(503).end());
  const server = o.cert ? https.createServer({ cert: o.cert.cert, key: o.cert.key }, listener) : http.createServer(listener);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const issuer = `${o.cert ? 'https' : 'http'}://127.0.0.1:${port}`;

  // P-256: one key per start at a fraction of an RSA key's cost; ID tokens are ES256.
  const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'ES256', kid: randomBytes(8).toString('hex') };
  const provider = createProvider({
    issuer,
    clients: JSON.stringify(o.clients),
    accounts: JSON.stringify(o.accounts.map(({ id, email, name }) => ({ id, email, name }))),
    jwk: JSON.stringify(jwk),
    cookieKey: randomBytes(32).toString('hex'),
  });
  const oidc = provider.callback();

  const interaction = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const [, , uid, action] = (req.url ?? '').split('?')[0]!.split('/');
    const details = await provider.interactionDetails(req, res);
    if (!uid || details.uid !== uid) return void res.writeHead(400).end();
    if (req.method === 'GET' && !action) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(loginPage(uid));
      return;
    }
    if (req.method === 'POST' && action === 'abort') {
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
    }
    if (req.method === 'POST' && action === 'login') {
      const body = await readBody(req);
      const account = o.accounts.find((a) => a.email.toLowerCase() === (body.login ?? '').trim().toLowerCase());
      if (!account || !sameSecret(account.password, body.password ?? '')) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(loginPage(uid, 'Invalid email or password.'));
        return;
      }
      return provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
    }
    res.writeHead(404).end();
  };

  handler = (req, res) => {
    if ((req.url ?? '').startsWith('/interaction/')) {
      interaction(req, res).catch((e: unknown) => {
        if (!o.quiet) console.error('[reference idp] interaction failed:', e);
        if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' }).end('interaction failed');
      });
      return;
    }
    oidc(req, res);
  };

  let closed: Promise<void> | undefined;
  return {
    issuer,
    authorizeUrl: `${issuer}/authorize`,
    tokenUrl: `${issuer}/token`,
    userinfoUrl: `${issuer}/userinfo`,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as http.Server).closeAllConnections?.();
        for (const s of sockets) s.destroy();
      })),
  };
}

/** The target's side of the back channel: a form POST or a GET with a bearer, JSON back. */
export function backChannel(
  url: string,
  o: { method: 'GET' | 'POST'; form?: Record<string, string>; basic?: { user: string; password: string }; bearer?: string; ca?: string },
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const body = o.form ? querystring.stringify(o.form) : undefined;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (o.basic)
      headers.Authorization = `Basic ${Buffer.from(`${encodeURIComponent(o.basic.user)}:${encodeURIComponent(o.basic.password)}`).toString('base64')}`;
    if (o.bearer) headers.Authorization = `Bearer ${o.bearer}`;
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(u, { method: o.method, headers, timeout: 5000, ...(o.ca ? { ca: o.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${u.origin} within 5 s`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
