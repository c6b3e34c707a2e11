// The HTTP client against real sockets: small local servers on 127.0.0.1 ephemeral ports.
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { createHttpClient, describeTransportError, MAX_EVIDENCE_BODY, RequestBudget, TransportError, type HttpClientOptions } from '../../helpers/http';
import { bypassProxy, MAX_BODY_BYTES, parseRetryAfter } from '../../helpers/http-wire';
import type { Exchange } from '../../helpers/model';
import { createSecretRegistry } from '../../helpers/secrets';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

function track<T extends net.Server>(server: T): T {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return server;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function withBody(handler: Handler): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  };
}

async function httpServer(handler: Handler): Promise<string> {
  const server = track(http.createServer(withBody(handler)));
  return `http://127.0.0.1:${await listen(server)}`;
}

const SETTINGS: HttpClientOptions['settings'] = { timeoutMs: 2000, retries: 2, tls: { insecure: false }, maxRequests: 1000, concurrency: 6 };

function client(baseUrl: string, over: Partial<HttpClientOptions['settings']> = {}, extra: Partial<HttpClientOptions> = {}) {
  const exchanges: Exchange[] = [];
  const c = createHttpClient({ baseUrl, settings: { ...SETTINGS, ...over }, onExchange: (e) => exchanges.push(e), ...extra });
  return { c, exchanges };
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function transportError(p: Promise<unknown>): Promise<TransportError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TransportError);
    return e as TransportError;
  }
  throw new Error('expected a TransportError');
}

describe('responses', () => {
  test('JSON by content type, JSON by shape, non-JSON text, broken JSON', async () => {
    const base = await httpServer((req, res) => {
      if (req.url === '/json') {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end('{"a":1}');
      } else if (req.url === '/shape') {
        res.setHeader('content-type', 'text/plain');
        res.end(' [1,2] ');
      } else if (req.url === '/html') {
        res.setHeader('content-type', 'text/html');
        res.end('<html>nope</html>');
      } else if (req.url === '/broken') {
        res.setHeader('content-type', 'application/json');
        res.end('{"a":');
      } else if (req.url === '/octet') {
        res.setHeader('content-type', 'application/octet-stream');
        res.end('raw bytes');
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    const { c } = client(base);
    const j = await c.get('/json');
    expect(j.status).toBe(200);
    expect(j.json).toEqual({ a: 1 });
    expect((await c.get('/shape')).json).toEqual([1, 2]);
    const h = await c.get('/html');
    expect(h.text).toBe('<html>nope</html>');
    expect(h.json).toBeUndefined();
    const b = await c.get('/broken');
    expect(b.text).toBe('{"a":');
    expect(b.json).toBeUndefined();
    expect((await c.get('/octet')).text).toBe('raw bytes');
    const nf = await c.get('/missing');
    expect(nf.status).toBe(404);
    expect(nf.text).toBe('');
  });

  test('sends form, JSON, query and basic auth; 5xx does not throw', async () => {
    const seen: { url?: string; body: string; ct?: string; auth?: string }[] = [];
    const base = await httpServer((req, res, body) => {
      seen.push({ url: req.url!, body, ct: req.headers['content-type'], auth: req.headers.authorization });
      res.statusCode = 500;
      res.end('boom');
    });
    const { c } = client(base);
    const r = await c.post('/auth/oauth/token?x=1', {
      query: { scope: ['a', 'b'] },
      form: { grant_type: 'password', username: 'a b@c' },
      basic: { username: 'id', password: 'se:cret' },
    });
    expect(r.status).toBe(500);
    await c.post('/j', { json: { k: 'v' } });
    await c.request('PUT', '/raw', { body: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(seen[0]).toEqual({
      url: '/auth/oauth/token?x=1&scope=a&scope=b',
      body: 'grant_type=password&username=a+b%40c',
      ct: 'application/x-www-form-urlencoded',
      auth: `Basic ${Buffer.from('id:se:cret').toString('base64')}`,
    });
    expect(seen[1]).toMatchObject({ body: '{"k":"v"}', ct: 'application/json' });
    expect(seen[2]).toMatchObject({ body: '<x/>', ct: 'application/xml' });
  });

  test('a redirect is not followed; Location is resolved against the request URL', async () => {
    let hits = 0;
    const base = await httpServer((req, res) => {
      hits++;
      res.statusCode = 302;
      res.setHeader('location', '../login?continue=%2Fx');
      res.end();
    });
    const { c } = client(base);
    const r = await c.get('/auth/oauth/authorize?client_id=1');
    expect(r.status).toBe(302);
    expect(hits).toBe(1);
    expect(r.header('Location')).toBe('../login?continue=%2Fx');
    expect(r.location?.toString()).toBe(`${base}/auth/login?continue=%2Fx`);
  });

  test('repeated headers are joined; set-cookie is always an array', async () => {
    const base = await httpServer((req, res) => {
      res.setHeader('x-multi', ['a', 'b']);
      res.end('ok');
    });
    const r = await client(base).c.get('/');
    expect(r.header('X-Multi')).toBe('a, b');
    expect(r.setCookie).toEqual([]);
    expect(r.headers['set-cookie']).toEqual([]);
    expect(r.header('set-cookie')).toBeUndefined();
  });

  test('a 3 MB body is truncated, not a crash; evidence is capped at 64 KiB', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const base = await httpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(`{"a":"${big}"}`);
    });
    const { c, exchanges } = client(base);
    const r = await c.get('/big');
    expect(r.status).toBe(200);
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBe(MAX_BODY_BYTES);
    expect(r.json).toBeUndefined();
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]!.responseBody!.length).toBeLessThan(MAX_EVIDENCE_BODY + 200);
    expect(exchanges[0]!.responseBody).toMatch(/truncated/);
    // The client still works afterwards.
    expect((await c.get('/big')).status).toBe(200);
  });
});

describe('cookie jar', () => {
  test('path, domain, Secure on http://127.0.0.1 and localhost, expiry, explicit Cookie merge, noCookies', async () => {
    const seen: Record<string, string | undefined> = {};
    const base = await httpServer((req, res) => {
      const path = req.url!.split('?')[0]!;
      seen[path] = req.headers.cookie;
      if (path === '/auth/signin') {
        res.setHeader('set-cookie', [
          'user=session-value-1234567890; Path=/auth; HttpOnly; Secure; SameSite=None',
          'verified=abc.def; Path=/; Secure',
          'foreign=1; Domain=other.example; Path=/',
          'gone=1; Path=/; Max-Age=0',
        ]);
      }
      if (path === '/logout') res.setHeader('set-cookie', 'verified=; Path=/; Max-Age=0');
      res.end('ok');
    });
    const { c } = client(base);
    await c.post('/auth/signin');
    await c.get('/auth/oauth/authorize');
    expect(seen['/auth/oauth/authorize']).toBe('user=session-value-1234567890; verified=abc.def');
    await c.get('/api/engine/v2/users/current');
    expect(seen['/api/engine/v2/users/current']).toBe('verified=abc.def');
    await c.get('/api/x', { headers: { Cookie: 'bearer_token=tok' } });
    expect(seen['/api/x']).toBe('bearer_token=tok; verified=abc.def');
    await c.get('/auth/none', { noCookies: true });
    expect(seen['/auth/none']).toBeUndefined();
    await c.get('/logout');
    await c.get('/api/after');
    expect(seen['/api/after']).toBeUndefined();

    // A second client (and withBaseUrl) has its own jar.
    await c.withBaseUrl(base, 'other').get('/auth/fresh');
    expect(seen['/auth/fresh']).toBeUndefined();

    // localhost is a secure context too.
    const lh = client(base.replace('127.0.0.1', 'localhost')).c;
    await lh.post('/auth/signin');
    await lh.get('/auth/lh');
    expect(seen['/auth/lh']).toBe('user=session-value-1234567890; verified=abc.def');
  });

  test('set-cookie values are registered as secrets and masked in evidence', async () => {
    const base = await httpServer((req, res) => {
      res.setHeader('set-cookie', 'user=very-secret-session-cookie; Path=/');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: 'aaa.bbb.ccc-token', refresh_token: 'refresh-token-xyz', expires_in: 7200 }));
    });
    const secrets = createSecretRegistry();
    secrets.add('hunter2-password', 'password');
    const { c, exchanges } = client(base, {}, { secrets });
    const r = await c.post('/auth/oauth/token?password=hunter2-password', { form: { password: 'hunter2-password' } });
    expect(r.json).toMatchObject({ access_token: 'aaa.bbb.ccc-token' });
    await c.get('/next', { headers: { Authorization: 'Bearer aaa.bbb.ccc-token' } });
    const evidence = JSON.stringify(exchanges);
    for (const s of ['very-secret-session-cookie', 'aaa.bbb.ccc-token', 'refresh-token-xyz', 'hunter2-password']) {
      expect(evidence).not.toContain(s);
    }
    expect(exchanges[0]!.url).toContain('password=[REDACTED:password#1]');
    expect(exchanges[0]!.requestBody).toBe('password=[REDACTED:password#1]');
    expect(exchanges[1]!.requestHeaders['Authorization']).toBe('Bearer [REDACTED:access_token#1]');
    expect(exchanges[1]!.requestHeaders['Cookie']).toBe('user=[REDACTED:cookie#1]');
    expect(exchanges[0]!.responseBody).toContain('"expires_in":7200');
  });

  test('the code in a redirect Location is registered and masked', async () => {
    const base = await httpServer((req, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'https://app.example/cb?code=the-authorization-code&state=s1');
      res.end();
    });
    const secrets = createSecretRegistry();
    const { c, exchanges } = client(base, {}, { secrets });
    const r = await c.get('/auth/oauth/authorize');
    expect(r.location?.searchParams.get('code')).toBe('the-authorization-code');
    expect(exchanges[0]!.responseHeaders!['location']).toBe('https://app.example/cb?code=[REDACTED:code#1]&state=s1');
  });
});

describe('failures and retries', () => {
  test('connection refused: every attempt recorded, one clear line, code ECONNREFUSED', async () => {
    const port = await closedPort();
    const { c, exchanges } = client(`http://127.0.0.1:${port}`, { retries: 2 });
    const err = await transportError(c.get('/auth/authority'));
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.message).toBe(`connection refused by 127.0.0.1:${port}: is the deployment up and PLACEOS_URL right?`);
    expect(exchanges.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(exchanges.every((e) => e.error === err.message && e.status === undefined)).toBe(true);
  });

  test('accepts and never answers: timeout within the configured time, retried only for GET', async () => {
    const server = track(net.createServer(() => undefined));
    const port = await listen(server);
    const { c, exchanges } = client(`http://127.0.0.1:${port}`, { timeoutMs: 300, retries: 1 });
    const t0 = Date.now();
    const err = await transportError(c.get('/slow'));
    const elapsed = Date.now() - t0;
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/^no answer within 300 ms from http:\/\/127\.0\.0\.1:\d+: .*PLACEOS_TIMEOUT_MS/);
    expect(exchanges).toHaveLength(2);
    // Two attempts of 300 ms: bounded by the timeout, not hanging (generous for a loaded machine).
    expect(elapsed).toBeLessThan(5000);
    exchanges.length = 0;
    // A POST may have been acted on: no retry.
    await transportError(c.post('/auth/oauth/token', { form: { a: 'b' } }));
    expect(exchanges).toHaveLength(1);
  });

  test('503 with Retry-After: 1, then 200: both attempts recorded, the 200 returned', async () => {
    let n = 0;
    const base = await httpServer((req, res) => {
      n++;
      if (n === 1) {
        res.statusCode = 503;
        res.setHeader('retry-after', '1');
        res.end('busy');
      } else res.end('fine');
    });
    const { c, exchanges } = client(base, { timeoutMs: 2000, retries: 2 });
    const t0 = Date.now();
    const r = await c.get('/x');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(r.status).toBe(200);
    expect(r.attempts).toBe(2);
    expect(exchanges.map((e) => [e.attempt, e.status])).toEqual([
      [1, 503],
      [2, 200],
    ]);
  });

  test('a retry never hides the failing answer: the last 503 is returned', async () => {
    const base = await httpServer((req, res) => {
      res.statusCode = 503;
      res.setHeader('retry-after', '0');
      res.end('down');
    });
    const { c, exchanges } = client(base, { retries: 2 });
    const r = await c.get('/x');
    expect(r.status).toBe(503);
    expect(r.attempts).toBe(3);
    expect(exchanges).toHaveLength(3);
  });

  test('429 with Retry-After far in the future is returned at once; 503 without Retry-After is not retried', async () => {
    const base = await httpServer((req, res) => {
      if (req.url === '/far') {
        res.statusCode = 429;
        res.setHeader('retry-after', new Date(Date.now() + 3600_000).toUTCString());
      } else res.statusCode = 503;
      res.end();
    });
    const { c, exchanges } = client(base, { retries: 3 });
    const t0 = Date.now();
    expect((await c.get('/far')).status).toBe(429);
    expect((await c.get('/plain')).status).toBe(503);
    // An hour's Retry-After is not waited for (generous bound for a loaded machine).
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(exchanges).toHaveLength(2);
  });

  test('request budget counts every attempt across clients', async () => {
    const base = await httpServer((req, res) => res.end('ok'));
    const budget = new RequestBudget(2);
    const { c } = client(base, {}, { budget });
    await c.get('/1');
    await c.withBaseUrl(base, 'j2').get('/2');
    expect(budget.used).toBe(2);
    const err = await transportError(c.get('/3'));
    expect(err.code).toBe('BUDGET');
    expect(err.message).toBe('request budget of 2 exhausted (PLACEOS_MAX_REQUESTS)');
  });

  test('DNS failure is one line naming the host', async () => {
    const { c } = client('http://no-such-host.invalid', { retries: 0 });
    const err = await transportError(c.get('/'));
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(err.code);
    expect(err.message).toMatch(/^cannot connect to http:\/\/no-such-host\.invalid \((host not found|DNS lookup)/);
  });

  test('describeTransportError lines', () => {
    const u = 'https://user:pw@x.example:8443/auth?secret=1';
    expect(describeTransportError({ code: 'ECONNREFUSED' }, u)).toBe('connection refused by x.example:8443: is the deployment up and PLACEOS_URL right?');
    // The code only in the message, as some connection failures come: still named, never EUNKNOWN.
    expect(describeTransportError(new Error('ECONNREFUSED: Connection refused'), 'http://localhost')).toBe(
      'connection refused by localhost:80: is the deployment up and PLACEOS_URL right?',
    );
    expect(describeTransportError({ code: 'ENOTFOUND' }, u)).toContain('host not found');
    expect(describeTransportError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, u)).toBe(
      "TLS certificate of https://x.example:8443 not trusted (self-signed certificate): set PLACEOS_CA_FILE to the deployment's CA, or PLACEOS_INSECURE_TLS=true for a throwaway test",
    );
    expect(describeTransportError({ code: 'ECONNABORTED', timeout: 10000 }, u)).toMatch(
      /^no answer within 10000 ms from https:\/\/x\.example:8443: .*PLACEOS_TIMEOUT_MS/,
    );
    expect(describeTransportError(new Error('socket hang up'), u)).toContain('connection reset');
    expect(describeTransportError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, u)).toContain('another host name');
    expect(describeTransportError(new Error('weird\nstack'), u)).not.toContain('\n');
    for (const e of [{ code: 'ECONNREFUSED' }, { code: 'X' }, new Error('y')]) {
      expect(describeTransportError(e, u)).not.toMatch(/user|pw|secret/);
    }
  });

  test('parseRetryAfter and bypassProxy', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 5_000)).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(bypassProxy('api.example.com', '443', ['.example.com'])).toBe(true);
    expect(bypassProxy('example.com', '443', ['example.com'])).toBe(true);
    expect(bypassProxy('a.example.com', '443', ['example.com'])).toBe(true);
    expect(bypassProxy('badexample.com', '443', ['example.com'])).toBe(false);
    expect(bypassProxy('x.org', '443', ['*'])).toBe(true);
    expect(bypassProxy('127.0.0.1', '8080', ['127.0.0.1:9090'])).toBe(false);
    expect(bypassProxy('127.0.0.1', '9090', ['127.0.0.1:9090'])).toBe(true);
    expect(bypassProxy('x.org', '443', [])).toBe(false);
  });
});

describe('TLS and proxy', () => {
  let pems: { cert: string; private: string };
  beforeAll(async () => {
    pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
  }, 30000);

  async function httpsServer(): Promise<string> {
    const server = track(https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => res.end('secure ok')));
    return `https://127.0.0.1:${await listen(server)}`;
  }

  test('self-signed without CA: one TLS line, no retry; with the CA: ok; insecure: ok', async () => {
    const base = await httpsServer();
    const plain = client(base);
    const err = await transportError(plain.c.get('/'));
    expect(err.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(err.message).toBe(
      `TLS certificate of ${base} not trusted (self-signed certificate): set PLACEOS_CA_FILE to the deployment's CA, or PLACEOS_INSECURE_TLS=true for a throwaway test`,
    );
    expect(plain.exchanges).toHaveLength(1);
    const withCa = await client(base, { tls: { ca: pems.cert, insecure: false } }).c.get('/');
    expect(withCa.text).toBe('secure ok');
    const insecure = await client(base, { tls: { insecure: true } }).c.get('/');
    expect(insecure.text).toBe('secure ok');
  });

  test('HTTPS_PROXY is used (CONNECT tunnel, TLS to the target through it); NO_PROXY bypasses it', async () => {
    const target = await httpsServer();
    const plainTarget = await httpServer((req, res) => res.end('plain ok'));
    const tunnels: string[] = [];
    const proxy = track(http.createServer((req, res) => ((res.statusCode = 405), res.end())));
    proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      tunnels.push(req.url!);
      const [host, port] = req.url!.split(':');
      const upstream = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
      socket.on('close', () => upstream.destroy());
    });
    const proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
    const tls = { ca: pems.cert, insecure: false };
    const via = client(target, { tls, proxy: { url: proxyUrl, noProxy: [] } }).c;
    expect((await via.get('/')).text).toBe('secure ok');
    expect((await via.get(`${plainTarget}/p`)).text).toBe('plain ok');
    expect(tunnels).toEqual([target.replace('https://', ''), plainTarget.replace('http://', '')]);
    const bypass = client(target, { tls, proxy: { url: proxyUrl, noProxy: ['127.0.0.1'] } }).c;
    expect((await bypass.get('/')).text).toBe('secure ok');
    expect(tunnels).toHaveLength(2);

    // The proxy is down: the line names the proxy.
    const deadPort = await closedPort();
    const dead = client(target, { tls, retries: 0, proxy: { url: `http://127.0.0.1:${deadPort}`, noProxy: [] } }).c;
    const err = await transportError(dead.get('/'));
    expect(err.message).toContain(`proxy http://127.0.0.1:${deadPort}`);
  });
});
