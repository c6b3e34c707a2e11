// HTTP client for cases: supertest over real sockets, a tough-cookie jar per journey,
// timeouts, bounded retries (transport errors and Retry-After only), TLS CA / insecure, proxy,
// and an evidence recorder that sees every attempt with secrets masked.
import { rootCertificates } from 'node:tls';
import supertest from 'supertest';
import { CookieJar } from 'tough-cookie';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { IncomingMessage } from 'node:http';
import type { Agent as HttpAgent } from 'node:http';
import type { Exchange } from './model';
import type { TargetSettings } from './config';
import type { SecretKind, SecretRegistry } from './secrets';

export interface RequestOptions {
  /** Query parameters, appended to any already in the path. Repeated keys: pass an array. */
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string | string[]>;
  /** application/json body. */
  json?: unknown;
  /** Raw body (with headers['content-type'] set by the caller). */
  body?: string;
  /** HTTP Basic client authentication. */
  basic?: { username: string; password: string };
  /** Send no cookies from the jar and store none (default false). */
  noCookies?: boolean;
  /** Per-request timeout override (ms); default: settings.timeoutMs. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; set-cookie is always an array. */
  headers: Record<string, string | string[] | undefined>;
  /** Single header value (joined with ', ' when repeated), or undefined. */
  header(name: string): string | undefined;
  text: string;
  /** Parsed body when it is JSON (by content type or by shape), else undefined. */
  json: unknown;
  /** Location header resolved against the request URL, or undefined. */
  location?: URL;
  /** Raw Set-Cookie header values. */
  setCookie: string[];
  url: string;
  durationMs: number;
  /** True when the body was larger than MAX_BODY_BYTES and `text` holds only its start. */
  truncated?: boolean;
  /** Body bytes received (counting past the cap when truncated). */
  bodyBytes?: number;
  /** How many attempts this answer took (1 = no retry). */
  attempts?: number;
}

export interface HttpClient {
  /** Base URL the client speaks to; paths are resolved against it. */
  readonly baseUrl: string;
  readonly jar: CookieJar;
  /** `pathOrUrl` is a path (`/auth/oauth/token`) or an absolute URL. Never follows redirects. */
  request(method: string, pathOrUrl: string, options?: RequestOptions): Promise<HttpResponse>;
  get(pathOrUrl: string, options?: RequestOptions): Promise<HttpResponse>;
  post(pathOrUrl: string, options?: RequestOptions): Promise<HttpResponse>;
  /** A client for another base URL (e.g. the second authority) sharing this one's recorder. */
  withBaseUrl(baseUrl: string, journey?: string): HttpClient;
}

/** Thrown when the target cannot be reached at all (after retries): the run could not be made. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export type ExchangeSink = (exchange: Exchange) => void;

// ---------------------------------------------------------------------------------------------
// Implementation

/** Bodies larger than this are cut (the response is marked `truncated`), not buffered whole. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Response bodies in evidence are cut to this many characters (after masking). */
export const MAX_EVIDENCE_BODY = 64 * 1024;
/** Longest wait for a Retry-After, whatever the server asks (also capped by the timeout). */
export const MAX_RETRY_AFTER_MS = 10_000;

export interface HttpClientOptions {
  baseUrl: string;
  settings: Pick<TargetSettings, 'timeoutMs' | 'retries' | 'tls' | 'proxy' | 'maxRequests'>;
  /** Name of the user journey, recorded on each exchange (default `default`). */
  journey?: string;
  secrets?: SecretRegistry;
  onExchange?: ExchangeSink;
  /** Shared across the clients of one run; default: a new budget of settings.maxRequests. */
  budget?: RequestBudget;
}

/** Counts every attempt of every client that shares it; the run never exceeds PLACEOS_MAX_REQUESTS. */
export class RequestBudget {
  #used = 0;
  constructor(readonly max: number) {}
  get used(): number {
    return this.#used;
  }
  take(): void {
    if (this.#used >= this.max) {
      throw new TransportError(`request budget of ${this.max} exhausted (PLACEOS_MAX_REQUESTS)`, 'BUDGET');
    }
    this.#used += 1;
  }
}

interface ErrLike {
  code?: string;
  message?: string;
  timeout?: number;
  errno?: number | string;
  syscall?: string;
  hostname?: string;
  address?: string;
  port?: number;
  reason?: string;
}

const TLS_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issuer of the certificate unknown',
  UNABLE_TO_GET_ISSUER_CERT: 'issuer of the certificate unknown',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer of the certificate unknown',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_SIGNATURE_FAILURE: 'certificate signature invalid',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  CERT_REVOKED: 'certificate revoked',
  INVALID_CA: 'invalid CA certificate',
};

function errCode(err: unknown): string {
  const e = (err ?? {}) as ErrLike;
  if (err instanceof TransportError) return err.code;
  if (typeof e.timeout === 'number' || e.code === 'ECONNABORTED') return 'TIMEOUT';
  if (typeof e.code === 'string') return e.code;
  if (/socket hang up/i.test(e.message ?? '')) return 'ECONNRESET';
  return 'EUNKNOWN';
}

/**
 * One line saying what went wrong talking to `url` and what to check. No stack, no secrets
 * (credentials, query and path are dropped from the URL).
 */
export function describeTransportError(err: unknown, url: string, context?: { timeoutMs?: number; proxy?: string }): string {
  if (err instanceof TransportError) return err.message;
  let origin = url;
  let host = url;
  try {
    const u = new URL(url);
    origin = u.origin;
    host = u.hostname;
  } catch {
    // keep as given
  }
  const e = (err ?? {}) as ErrLike;
  const code = errCode(err);
  let proxyNote = '';
  if (context?.proxy) {
    try {
      const p = new URL(context.proxy);
      proxyNote = ` via proxy ${p.origin}`;
      // The failure was reaching the proxy itself.
      if (e.address !== undefined && e.port !== undefined && String(e.port) === (p.port || (p.protocol === 'https:' ? '443' : '80'))) {
        if (code === 'ECONNREFUSED') return `cannot connect to the proxy ${p.origin} (connection refused): check HTTPS_PROXY, or add ${host} to NO_PROXY`;
      }
      if (code === 'ENOTFOUND' && e.hostname === p.hostname) return `cannot resolve the proxy host ${p.hostname} (host not found): check HTTPS_PROXY`;
    } catch {
      // ignore
    }
  }
  const tlsReason = TLS_REASONS[code];
  if (tlsReason) {
    return `TLS certificate of ${origin} not trusted (${tlsReason}): set PLACEOS_CA_FILE to the deployment's CA, or PLACEOS_INSECURE_TLS=true for a throwaway test`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot connect to ${origin}${proxyNote} (connection refused): is the deployment up and PLACEOS_URL right?`;
    case 'ENOTFOUND':
      return `cannot connect to ${origin} (host not found: DNS has no address for ${host}): check the host name in PLACEOS_URL`;
    case 'EAI_AGAIN':
      return `cannot connect to ${origin} (DNS lookup of ${host} failed for now): check the network and DNS, then retry`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection to ${origin}${proxyNote} was closed before an answer came (connection reset): check the deployment's logs, and any proxy or firewall in between`;
    case 'ETIMEDOUT':
      return `cannot connect to ${origin}${proxyNote} (connection timed out): is the host reachable from here (firewall, VPN)?`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot connect to ${origin} (host unreachable): check the network route, VPN and PLACEOS_URL`;
    case 'TIMEOUT': {
      const ms = typeof e.timeout === 'number' ? e.timeout : context?.timeoutMs;
      return `no answer within ${ms ?? '?'} ms from ${origin}${proxyNote}: is the deployment overloaded or a firewall silently dropping traffic? Raise PLACEOS_TIMEOUT_MS if it is only slow`;
    }
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate of ${origin} is for another host name (${host} is not in it): use the host name the certificate names in PLACEOS_URL`;
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return `TLS handshake with ${origin} failed (the server does not speak TLS there?): check http vs https and the port in PLACEOS_URL`;
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_HEADER_OVERFLOW':
    case 'HPE_INVALID_VERSION':
      return `${origin} answered with something that is not HTTP (${code}): check the scheme and port in PLACEOS_URL`;
    case 'ETOOLARGE':
      return `${origin} sent a response too large to read: check the deployment`;
    default: {
      const msg = (e.message ?? String(err)).split('\n')[0]!.slice(0, 160);
      return `request to ${origin}${proxyNote} failed (${code}: ${msg}): check PLACEOS_URL and the network`;
    }
  }
}

/** Retrying these is safe for any method: the request never reached the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN']);
/** Retried for idempotent methods only: the server may have acted on the request. */
const MAYBE_SENT = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'TIMEOUT']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

function retryable(code: string, method: string): boolean {
  return NOT_SENT.has(code) || (MAYBE_SENT.has(code) && IDEMPOTENT.has(method));
}

/** Retry-After in ms (seconds or an HTTP date), or undefined when absent/unparseable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

/** Is `host` (lower case, no brackets) excluded from the proxy by NO_PROXY entries? */
export function bypassProxy(host: string, port: string, noProxy: string[]): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  for (const raw of noProxy) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let name = entry;
    let entryPort: string | undefined;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.startsWith('[') ? entry.replace(/^\[([^\]]+)\](:\d+)?$/, '$1$2') : entry);
    if (m && !entry.includes('::')) {
      name = m[1]!;
      entryPort = m[2];
    }
    if (entryPort && entryPort !== port) continue;
    name = name.replace(/^\*?\./, '.');
    if (name.startsWith('.')) {
      if (h.endsWith(name) || h === name.slice(1)) return true;
    } else if (h === name || h.endsWith(`.${name}`)) {
      return true;
    }
  }
  return false;
}

function encodeForm(form: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
}

interface BodyResult {
  buf: Buffer;
  bytes: number;
  truncated?: boolean;
}

/** superagent parser: raw bytes whatever the content type, at most MAX_BODY_BYTES kept. */
function rawBodyParser(res: IncomingMessage, cb: (err: Error | null, body: BodyResult) => void): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  let bytes = 0;
  let done = false;
  const finish = (truncated: boolean): void => {
    if (done) return;
    done = true;
    cb(null, { buf: Buffer.concat(chunks), bytes, truncated });
  };
  res.on('data', (chunk: Buffer | string) => {
    if (done) return;
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += b.length;
    if (kept + b.length > MAX_BODY_BYTES) {
      chunks.push(b.subarray(0, MAX_BODY_BYTES - kept));
      kept = MAX_BODY_BYTES;
      finish(true);
      // Stop reading: the rest of a huge body is not worth the wait.
      res.destroy();
      return;
    }
    chunks.push(b);
    kept += b.length;
  });
  res.on('end', () => finish(false));
}

function decode(buf: Buffer, contentType: string | undefined): string {
  const charset = /charset=("?)([^";\s]+)\1/i.exec(contentType ?? '')?.[2]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    try {
      return new TextDecoder(charset).decode(buf);
    } catch {
      // unknown charset: fall back to UTF-8
    }
  }
  return buf.toString('utf8');
}

function parseJson(text: string, contentType: string | undefined): unknown {
  const ct = (contentType ?? '').toLowerCase();
  const t = text.trim();
  const looksJson = /^[[{]/.test(t) || (/\bjson\b|\+json/.test(ct) && t.length > 0);
  if (!looksJson) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type SupertestMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';
const METHODS = new Set<SupertestMethod>(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/** Secrets the server hands out: registered as they appear, before anything is recorded. */
const RESPONSE_SECRET_FIELDS: Record<string, SecretKind> = {
  access_token: 'access_token',
  refresh_token: 'refresh_token',
  id_token: 'id_token',
  code: 'code',
  token: 'access_token',
  client_secret: 'client_secret',
  secret: 'api_key',
  x_api_key: 'api_key',
};

interface Shared {
  settings: HttpClientOptions['settings'];
  secrets?: SecretRegistry;
  onExchange?: ExchangeSink;
  budget: RequestBudget;
  agents: Map<string, HttpAgent>;
}

export function createHttpClient(o: HttpClientOptions): HttpClient {
  const shared: Shared = {
    settings: o.settings,
    budget: o.budget ?? new RequestBudget(o.settings.maxRequests),
    agents: new Map(),
  };
  if (o.secrets) shared.secrets = o.secrets;
  if (o.onExchange) shared.onExchange = o.onExchange;
  return makeClient(o.baseUrl, o.journey ?? 'default', shared);
}

function makeClient(baseUrlIn: string, journey: string, shared: Shared): HttpClient {
  const baseUrl = baseUrlIn.replace(/\/+$/, '');
  const jar = new CookieJar(undefined, { looseMode: true, allowSecureOnLocal: true, rejectPublicSuffixes: false });
  const { settings, budget, secrets } = shared;
  const mask = (s: string): string => (secrets ? secrets.mask(s) : s);

  function resolveUrl(pathOrUrl: string, query?: RequestOptions['query']): URL {
    const u = /^https?:\/\//i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(baseUrl + (pathOrUrl.startsWith('/') ? '' : '/') + pathOrUrl);
    if (query) for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) u.searchParams.append(k, x);
    return u;
  }

  function agentFor(u: URL): HttpAgent | undefined {
    const proxy = settings.proxy;
    if (!proxy) return undefined;
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    if (bypassProxy(u.hostname, port, proxy.noProxy)) return undefined;
    let agent = shared.agents.get(proxy.url);
    if (!agent) {
      const opts: { ca?: string[]; rejectUnauthorized?: boolean } = { rejectUnauthorized: !settings.tls.insecure };
      if (settings.tls.ca) opts.ca = [...rootCertificates, settings.tls.ca];
      agent = new HttpsProxyAgent(proxy.url, opts);
      shared.agents.set(proxy.url, agent);
    }
    return agent;
  }

  function registerResponseSecrets(json: unknown, location: URL | undefined, setCookie: string[]): void {
    if (!secrets) return;
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
        const kind = RESPONSE_SECRET_FIELDS[k.toLowerCase()];
        if (kind && typeof v === 'string') secrets.add(v, kind);
      }
    }
    if (location) {
      const params = new URLSearchParams(location.search);
      new URLSearchParams(location.hash.replace(/^#/, '')).forEach((v, k) => params.append(k, v));
      params.forEach((v, k) => {
        const kind = RESPONSE_SECRET_FIELDS[k.toLowerCase()];
        if (kind) secrets.add(v, kind);
      });
    }
    for (const sc of setCookie) {
      // The value of a session-like cookie: long enough not to be a word. Short flags stay readable.
      const m = /^\s*[^=;]+=\s*"?([^";]*)"?/.exec(sc);
      if (m && m[1]!.length >= 12) secrets.add(m[1], 'cookie');
    }
  }

  async function request(methodIn: string, pathOrUrl: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const method = methodIn.toUpperCase();
    const m = method.toLowerCase() as SupertestMethod;
    if (!METHODS.has(m)) throw new TypeError(`unsupported HTTP method ${methodIn}`);
    const url = resolveUrl(pathOrUrl, options.query);
    const urlStr = url.toString();
    const timeoutMs = options.timeoutMs ?? settings.timeoutMs;

    // Headers and body (the same for every attempt; cookies are read again per attempt).
    const baseHeaders: Record<string, string> = {};
    let explicitCookie: string | undefined;
    for (const [k, v] of Object.entries(options.headers ?? {})) {
      if (k.toLowerCase() === 'cookie') explicitCookie = v;
      else baseHeaders[k] = v;
    }
    let body: string | undefined;
    const hasHeader = (name: string): boolean => Object.keys(baseHeaders).some((k) => k.toLowerCase() === name);
    if (options.form !== undefined) {
      body = encodeForm(options.form);
      if (!hasHeader('content-type')) baseHeaders['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      if (!hasHeader('content-type')) baseHeaders['Content-Type'] = 'application/json';
    } else if (options.body !== undefined) {
      body = options.body;
    }
    if (options.basic) {
      const b64 = Buffer.from(`${options.basic.username}:${options.basic.password}`, 'utf8').toString('base64');
      secrets?.add(b64, 'client_secret');
      baseHeaders['Authorization'] = `Basic ${b64}`;
    }
    if (!hasHeader('accept')) baseHeaders['Accept'] = 'application/json, text/html;q=0.9, */*;q=0.8';

    const maxAttempts = 1 + Math.max(0, settings.retries);
    let lastResponse: HttpResponse | undefined;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      budget.take();
      const headers = { ...baseHeaders };
      const jarCookie = options.noCookies ? '' : await jar.getCookieString(urlStr);
      const cookie = [explicitCookie, jarCookie].filter((c) => c && c.trim()).join('; ');
      if (cookie) headers['Cookie'] = cookie;

      const startedAt = new Date();
      const t0 = performance.now();
      const exchange: Exchange = {
        journey,
        method,
        url: mask(urlStr),
        requestHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, mask(v)])),
        startedAt: startedAt.toISOString(),
        durationMs: 0,
        attempt,
      };
      if (body !== undefined) exchange.requestBody = mask(body);

      let res: supertest.Response | undefined;
      let err: unknown;
      try {
        let req = supertest(url.origin)[m](url.pathname + url.search)
          .redirects(0)
          .ok(() => true)
          .buffer(true)
          .parse(rawBodyParser as never)
          .timeout({ response: timeoutMs, deadline: timeoutMs * 2 });
        for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
        if (url.protocol === 'https:') {
          if (settings.tls.insecure) req = req.disableTLSCerts();
          else if (settings.tls.ca) req = req.ca([...rootCertificates, settings.tls.ca]);
        }
        const agent = agentFor(url);
        if (agent) req = req.agent(agent);
        if (body !== undefined) req = req.send(body);
        res = await req;
      } catch (e) {
        err = e;
      }
      const durationMs = Math.round((performance.now() - t0) * 10) / 10;
      exchange.durationMs = durationMs;

      if (!res) {
        lastError = err;
        const code = errCode(err);
        exchange.error = describeTransportError(err, urlStr, { timeoutMs, ...(settings.proxy ? { proxy: settings.proxy.url } : {}) });
        shared.onExchange?.(exchange);
        if (attempt < maxAttempts && retryable(code, method)) {
          await sleep(Math.min(250 * 2 ** (attempt - 1), 2000));
          continue;
        }
        if (lastResponse) return lastResponse;
        throw new TransportError(exchange.error, code);
      }

      // A response: build it, store cookies, register the secrets it carries, record it.
      const raw = (res.body ?? { buf: Buffer.alloc(0), bytes: 0, truncated: false }) as BodyResult;
      const rawHeaders = res.headers as Record<string, string | string[] | undefined>;
      const headersOut: Record<string, string | string[] | undefined> = {};
      for (const [k, v] of Object.entries(rawHeaders)) headersOut[k.toLowerCase()] = v;
      const setCookie = ([] as string[]).concat(headersOut['set-cookie'] ?? []);
      headersOut['set-cookie'] = setCookie;
      const header = (name: string): string | undefined => {
        const v = headersOut[name.toLowerCase()];
        if (v === undefined) return undefined;
        return Array.isArray(v) ? (v.length ? v.join(', ') : undefined) : v;
      };
      const text = decode(Buffer.isBuffer(raw.buf) ? raw.buf : Buffer.alloc(0), header('content-type'));
      const json = parseJson(text, header('content-type'));
      let location: URL | undefined;
      const loc = header('location');
      if (loc !== undefined) {
        try {
          location = new URL(loc, urlStr);
        } catch {
          location = undefined;
        }
      }
      if (!options.noCookies) {
        for (const sc of setCookie) await jar.setCookie(sc, urlStr, { ignoreError: true });
      }
      registerResponseSecrets(json, location, setCookie);

      const response: HttpResponse = {
        status: res.status,
        headers: headersOut,
        header,
        text,
        json,
        setCookie,
        url: urlStr,
        durationMs,
        truncated: raw.truncated,
        bodyBytes: raw.bytes,
        attempts: attempt,
      };
      if (location) response.location = location;

      exchange.status = res.status;
      const evidenceHeaders: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(headersOut)) {
        if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
        evidenceHeaders[k] = Array.isArray(v) ? v.map(mask) : mask(v);
      }
      exchange.responseHeaders = evidenceHeaders;
      let evidenceBody = mask(text);
      if (evidenceBody.length > MAX_EVIDENCE_BODY) {
        evidenceBody = `${evidenceBody.slice(0, MAX_EVIDENCE_BODY)}\n[... ${evidenceBody.length - MAX_EVIDENCE_BODY} more characters cut from the evidence]`;
      }
      if (raw.truncated) evidenceBody += `\n[... body truncated by the client at ${MAX_BODY_BYTES} bytes]`;
      exchange.responseBody = evidenceBody;
      shared.onExchange?.(exchange);
      lastResponse = response;

      // Retry-After on 429/503: wait if it is short enough, else hand the answer back.
      if ((res.status === 429 || res.status === 503) && attempt < maxAttempts) {
        const wait = parseRetryAfter(header('retry-after'));
        if (wait !== undefined && wait <= Math.min(MAX_RETRY_AFTER_MS, timeoutMs)) {
          await sleep(wait);
          continue;
        }
      }
      return response;
    }
    // Unreachable in practice: the loop either returns or throws.
    if (lastResponse) return lastResponse;
    throw new TransportError(describeTransportError(lastError, urlStr, { timeoutMs }), errCode(lastError));
  }

  return {
    baseUrl,
    jar,
    request,
    get: (p, opts) => request('GET', p, opts),
    post: (p, opts) => request('POST', p, opts),
    withBaseUrl: (url, j) => makeClient(url, j ?? journey, shared),
  };
}
