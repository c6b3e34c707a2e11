// How a credential reaches rest-api (contract §3.14; public doc "Making Requests"): every
// credential transport, named once, with how it is sent. Contract rows, security rows and the
// reference target's own tests (reference/test) all send credentials through this table.
// `place` is pure (headers and query parameters); `present` sends it with an HttpClient.
import type { HttpClient, HttpResponse } from '../http';

/** rest-api routes any valid credential may call (contract §3.13, §3.14). */
export const INSPECT = '/api/engine/v2/api_keys/inspect';
export const CURRENT_USER = '/api/engine/v2/users/current';

/** Where a credential goes: request headers and query parameters. */
export interface Placement {
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface CredentialTransport {
  /** The requirement the transport evidences (helpers/requirements.ts). */
  requirement: string;
  /** `scheme`: the Authorization scheme, for the header transport of a bearer token. */
  place(credential: string, scheme?: string): Placement;
}

export const BEARER_TRANSPORTS = ['header', 'param', 'cookie'] as const;
export type BearerTransport = (typeof BEARER_TRANSPORTS)[number];

export const API_KEY_TRANSPORTS = ['header', 'param'] as const;
export type ApiKeyTransport = (typeof API_KEY_TRANSPORTS)[number];

/** The bearer-token transports: `Authorization: Bearer`, `?bearer_token=`, the `bearer_token` cookie. */
export const BEARER: Readonly<Record<BearerTransport, CredentialTransport>> = {
  header: { requirement: 'PLACEOS-DOC-TRANSPORT-HEADER', place: (token, scheme = 'Bearer') => ({ headers: { authorization: `${scheme} ${token}` } }) },
  param: { requirement: 'PLACEOS-DOC-TRANSPORT-PARAM', place: (token) => ({ query: { bearer_token: token } }) },
  cookie: { requirement: 'PLACEOS-DOC-TRANSPORT-COOKIE', place: (token) => ({ headers: { cookie: `bearer_token=${token}` } }) },
};

/** The API-key transports: the `X-API-Key` header, the `?api-key=` parameter. */
export const API_KEY: Readonly<Record<ApiKeyTransport, Omit<CredentialTransport, 'requirement'>>> = {
  header: { place: (key) => ({ headers: { 'x-api-key': key } }) },
  param: { place: (key) => ({ query: { 'api-key': key } }) },
};

/** A placement as a query string (`?a=b`, or '' when it has no query), for clients that take a URL. */
export function queryString(p: Placement): string {
  return p.query ? `?${new URLSearchParams(p.query).toString()}` : '';
}

/**
 * GET `path` presenting exactly this credential: the placement and `headers`, never a cookie of
 * the client's jar (the jar stores nothing either), so one request tests one transport.
 */
export function present(client: HttpClient, placement: Placement, path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return client.get(path, { headers: { ...headers, ...placement.headers }, ...(placement.query ? { query: placement.query } : {}), noCookies: true });
}

/** GET `path` with a bearer token in one transport. */
export function getWithBearer(client: HttpClient, transport: BearerTransport, path: string, token: string, scheme?: string): Promise<HttpResponse> {
  return present(client, BEARER[transport].place(token, scheme), path);
}

/** GET `path` with an API key in one transport (plus other headers, e.g. a competing Authorization). */
export function getWithApiKey(
  client: HttpClient,
  transport: ApiKeyTransport,
  path: string,
  key: string,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  return present(client, API_KEY[transport].place(key), path, headers);
}
