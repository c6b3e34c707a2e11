// HTTP client for cases: supertest over real sockets, a tough-cookie jar per journey,
// timeouts, bounded retries (transport errors and Retry-After only), TLS CA / insecure, proxy,
// and an evidence recorder that sees every attempt with secrets masked.
// INTERFACE FIRST: the implementation below these types is owned by the transport work.
import type { CookieJar } from 'tough-cookie';
import type { Exchange } from './model';

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
