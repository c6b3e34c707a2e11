// How a credential reaches rest-api (contract §3.14; public doc "Making Requests"): the three
// bearer transports and the API-key transports, as data. Pure request builders.
import type { HttpClient, HttpResponse } from '../../helpers/http';

export const INSPECT = '/api/engine/v2/api_keys/inspect';
export const CURRENT_USER = '/api/engine/v2/users/current';

export const BEARER_TRANSPORTS = ['header', 'param', 'cookie'] as const;
export type BearerTransport = (typeof BEARER_TRANSPORTS)[number];

export const API_KEY_TRANSPORTS = ['header', 'param'] as const;
export type ApiKeyTransport = (typeof API_KEY_TRANSPORTS)[number];

/** GET `path` presenting `token` the way `transport` says (a cookie goes into the client's jar, path /). */
export async function getWithBearer(client: HttpClient, transport: BearerTransport, path: string, token: string): Promise<HttpResponse> {
  switch (transport) {
    case 'header':
      return client.get(path, { headers: { authorization: `Bearer ${token}` } });
    case 'param':
      return client.get(path, { query: { bearer_token: token } });
    case 'cookie':
      await client.jar.setCookie(`bearer_token=${token}; Path=/`, client.baseUrl);
      return client.get(path);
  }
}

/** GET `path` with an API key as the X-API-Key header or the api-key query parameter. */
export function getWithApiKey(client: HttpClient, transport: ApiKeyTransport, path: string, key: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return transport === 'header' ? client.get(path, { headers: { 'x-api-key': key, ...headers } }) : client.get(path, { query: { 'api-key': key }, headers });
}
