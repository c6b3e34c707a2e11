// HTTP client for cases: supertest over real sockets, a tough-cookie jar per journey,
// timeouts, bounded retries (transport errors and Retry-After only), TLS CA / insecure, proxy,
// and an evidence recorder that sees every attempt with secrets masked.
import { rootCertificates } from 'node:tls';
import supertest from 'supertest';
import { CookieJar } from 'tough-cookie';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { Agent as HttpAgent } from 'node:http';
import type { Exchange } from './model';
import type { TargetSettings } from './config';
import type { SecretKind, SecretRegistry } from './secrets';
import { TransportError, describeTransportError, errCode } from './http-errors';
import type { Permit, PermitKind, RequestGate } from './http-limiter';
import { GateRefusal, limiterFor } from './http-limiter';
import { bypassProxy, decode, encodeForm, MAX_BODY_BYTES, parseJson, parseRetryAfter, rawBodyParser, retryable, type BodyResult } from './http-wire';

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

export { TransportError, describeTransportError } from './http-errors';

export type ExchangeSink = (exchange: Exchange) => void;

// ---------------------------------------------------------------------------------------------
// Implementation

/** Response bodies in evidence are cut to this many characters (after masking). */
export const MAX_EVIDENCE_BODY = 64 * 1024;
/** Longest wait for a Retry-After, whatever the server asks (also capped by the timeout). */
export const MAX_RETRY_AFTER_MS = 10_000;

export interface HttpClientOptions {
  baseUrl: string;
  settings: Pick<TargetSettings, 'timeoutMs' | 'retries' | 'tls' | 'proxy' | 'maxRequests' | 'concurrency'>;
  /** Name of the user journey, recorded on each exchange (default `default`). */
  journey?: string;
  secrets?: SecretRegistry;
  onExchange?: ExchangeSink;
  /** Shared across the clients of one run; default: a new budget of settings.maxRequests. */
  budget?: RequestBudget;
  /** Asked before every attempt: the run's one bound on requests in flight. Default: a limiter of the client's own. */
  gate?: RequestGate;
  /** `cleanup` permits do not count against the run's budget (default `check`). */
  permitKind?: PermitKind;
  /** Queue order at the gate, lower first (default: when the client was made); see RequestGate. */
  priority?: number;
  /** Told before a request that got no answer in time is tried again (the run says so: silence is not a hang). */
  onRetry?: (notice: RetryNotice) => void;
}

/** A request that got no answer within its timeout is about to be tried again. */
export interface RetryNotice {
  method: string;
  /** Origin of the request (no path, query or credentials). */
  origin: string;
  /** The attempt that comes next, and how many there are at most. */
  attempt: number;
  maxAttempts: number;
  /** The transport error of the attempt that failed, one line. */
  error: string;
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
  gate: RequestGate;
  permitKind: PermitKind;
  priority: number;
  onRetry?: (notice: RetryNotice) => void;
}

/** A permit from the gate; a refusal (overload, spent budget) is a TransportError like any other. */
async function permitFrom(gate: RequestGate, kind: PermitKind, priority: number): Promise<Permit> {
  try {
    return await gate.acquire(kind, priority);
  } catch (e) {
    if (e instanceof GateRefusal) throw new TransportError(e.message, e.code);
    throw e;
  }
}

export function createHttpClient(o: HttpClientOptions): HttpClient {
  const shared: Shared = {
    settings: o.settings,
    budget: o.budget ?? new RequestBudget(o.settings.maxRequests),
    agents: new Map(),
    gate: o.gate ?? limiterFor(o.settings),
    permitKind: o.permitKind ?? 'check',
    priority: o.priority ?? Date.now(),
  };
  if (o.secrets) shared.secrets = o.secrets;
  if (o.onExchange) shared.onExchange = o.onExchange;
  if (o.onRetry) shared.onRetry = o.onRetry;
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
      const src = secrets?.sourceOf(options.basic.password);
      // A reproduce line builds the header the same way from the secret's variable.
      secrets?.add(b64, 'client_secret', src && `$(printf '%s:%s' '${options.basic.username.replace(/'/g, `'\\''`)}' "${src}" | base64 | tr -d '\\n')`);
      baseHeaders['Authorization'] = `Basic ${b64}`;
    }
    if (!hasHeader('accept')) baseHeaders['Accept'] = 'application/json, text/html;q=0.9, */*;q=0.8';

    const maxAttempts = 1 + Math.max(0, settings.retries);
    let lastResponse: HttpResponse | undefined;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      budget.take();
      const permit = await permitFrom(shared.gate, shared.permitKind, shared.priority);
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
        const test = supertest(url.origin);
        let req = test[m](url.pathname + url.search)
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
      // Every request of the run waits out a Retry-After this client would wait for itself.
      const retryAfter = res && (res.status === 429 || res.status === 503) ? parseRetryAfter(res.headers['retry-after']) : undefined;
      const pause = retryAfter !== undefined && retryAfter <= Math.min(MAX_RETRY_AFTER_MS, timeoutMs) ? { retryAfterMs: retryAfter } : {};
      permit.release({ latencyMs: durationMs, ...(res ? { status: res.status } : { timedOut: errCode(err) === 'TIMEOUT' }), ...pause });
      exchange.durationMs = durationMs;

      if (!res) {
        lastError = err;
        const code = errCode(err);
        exchange.error = describeTransportError(err, urlStr, { timeoutMs, ...(settings.proxy ? { proxy: settings.proxy.url } : {}) });
        shared.onExchange?.(exchange);
        if (attempt < maxAttempts && retryable(code, method)) {
          if (code === 'TIMEOUT' || code === 'ETIMEDOUT')
            shared.onRetry?.({ method, origin: url.origin, attempt: attempt + 1, maxAttempts, error: exchange.error });
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
