// The user journeys every area builds on: local signin, authorize, code exchange, password
// grant, refresh. Each function does one step, registers every secret it sees and returns the
// raw response; `obtainToken` chains them the way the deployment's generation allows.
import type { CaseContext } from './case';
import { ContractViolation } from './case';
import type { Account, ClientApp } from './config';
import type { HttpClient, HttpResponse, RequestOptions } from './http';
import { pkcePair } from './pkce';

export type ParamTransport = 'form' | 'json' | 'query';

/** Put OAuth parameters where the case asks: form body (the default), JSON body or query string. */
export function paramsAs(via: ParamTransport, params: Record<string, string | undefined>): RequestOptions {
  const clean = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  if (via === 'json') return { json: clean };
  if (via === 'query') return { query: clean };
  return { form: clean };
}

export type Who = 'user' | 'service' | 'logout';

export function accountFor(t: CaseContext, who: Who): Account {
  const a = who === 'user' ? t.settings.user : who === 'service' ? t.settings.service : t.settings.logoutAccount;
  if (!a) t.notApplicable(`no ${who} account configured`);
  return a;
}

/** Register what a token response carries; remember the tokens for cleanup. */
export function noteTokenResponse(t: CaseContext, res: HttpResponse, app: ClientApp): void {
  const body = res.json as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return;
  const str = (k: string) => (typeof body[k] === 'string' ? body[k] : undefined);
  t.secrets.add(str('id_token'), 'id_token');
  if (str('access_token') || str('refresh_token')) {
    t.minted({ accessToken: str('access_token'), refreshToken: str('refresh_token'), clientId: app.clientId, clientSecret: app.clientSecret });
  }
}

export async function passwordGrant(
  t: CaseContext,
  client: HttpClient,
  o: { account: Account; app?: ClientApp; scope?: string; via?: ParamTransport; extra?: Record<string, string> },
): Promise<HttpResponse> {
  const app = o.app ?? t.settings.client;
  const res = await client.post(
    '/auth/oauth/token',
    paramsAs(o.via ?? 'form', {
      grant_type: 'password',
      username: o.account.email,
      password: o.account.password,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      scope: o.scope,
      ...o.extra,
    }),
  );
  noteTokenResponse(t, res, app);
  return res;
}

/** POST /auth/signin with the account; the session cookie lands in the client's jar. */
export async function signIn(
  t: CaseContext,
  client: HttpClient,
  account: Account,
  o: { via?: ParamTransport; continueTo?: string } = {},
): Promise<HttpResponse> {
  // The body by default: a password in the query string lands in every access log on the way.
  const via = o.via ?? 'form';
  const res = await client.post('/auth/signin', paramsAs(via, { email: account.email, password: account.password, continue: o.continueTo }));
  for (const c of await client.jar.getCookies(client.baseUrl)) t.secrets.add(c.value, 'cookie');
  return res;
}

export async function signInOrFail(t: CaseContext, client: HttpClient, account: Account): Promise<void> {
  const res = await signIn(t, client, account);
  if (res.status !== 202 && !(res.status >= 300 && res.status < 400)) {
    throw new ContractViolation('local signin (POST /auth/signin) did not succeed', '202 (or a redirect with continue)', String(res.status));
  }
}

export interface AuthorizeParams {
  app?: ClientApp;
  redirectUri?: string;
  responseType?: string;
  scope?: string;
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  extra?: Record<string, string>;
}

export function authorizeQuery(t: CaseContext, p: AuthorizeParams): Record<string, string> {
  const app = p.app ?? t.settings.client;
  const q: Record<string, string | undefined> = {
    response_type: p.responseType ?? 'code',
    client_id: app.clientId,
    redirect_uri: p.redirectUri ?? app.redirectUri,
    scope: p.scope,
    state: p.state,
    code_challenge: p.codeChallenge,
    code_challenge_method: p.codeChallengeMethod,
    ...p.extra,
  };
  return Object.fromEntries(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined));
}

export async function authorize(t: CaseContext, client: HttpClient, p: AuthorizeParams, method: 'GET' | 'POST' = 'GET'): Promise<HttpResponse> {
  const q = authorizeQuery(t, p);
  // A plain challenge is the verifier itself: a secret from the moment it is sent.
  if (p.codeChallengeMethod === 'plain') t.secrets.add(p.codeChallenge, 'code_verifier');
  const res = method === 'GET' ? await client.get('/auth/oauth/authorize', { query: q }) : await client.post('/auth/oauth/authorize', { form: q });
  const loc = res.location;
  if (loc) {
    const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
    t.secrets.add(loc.searchParams.get('code') ?? undefined, 'code');
    t.secrets.add(params.get('access_token') ?? loc.searchParams.get('access_token') ?? undefined, 'access_token');
  }
  return res;
}

/** The `code` of a successful authorize redirect, or a violation saying what came instead. */
export function codeFrom(res: HttpResponse): string {
  const code = res.location?.searchParams.get('code');
  if (res.status < 300 || res.status >= 400 || !code) {
    throw new ContractViolation(
      'authorize did not redirect back with a code',
      '302 to redirect_uri?code=…',
      `${res.status}${res.location ? ` to ${res.location.origin}${res.location.pathname}` : ''}${code ? '' : ' without code'}`,
    );
  }
  return code;
}

export async function exchangeCode(
  t: CaseContext,
  client: HttpClient,
  o: { code: string; app?: ClientApp; redirectUri?: string | null; verifier?: string; via?: ParamTransport; extra?: Record<string, string> },
): Promise<HttpResponse> {
  const app = o.app ?? t.settings.client;
  t.secrets.add(o.verifier, 'code_verifier');
  const res = await client.post(
    '/auth/oauth/token',
    paramsAs(o.via ?? 'form', {
      grant_type: 'authorization_code',
      code: o.code,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: o.redirectUri === null ? undefined : (o.redirectUri ?? app.redirectUri),
      code_verifier: o.verifier,
      ...o.extra,
    }),
  );
  noteTokenResponse(t, res, app);
  return res;
}

export async function refreshGrant(t: CaseContext, client: HttpClient, o: { refreshToken: string; app?: ClientApp; scope?: string }): Promise<HttpResponse> {
  const app = o.app ?? t.settings.client;
  const res = await client.post('/auth/oauth/token', {
    form: Object.fromEntries(
      Object.entries({
        grant_type: 'refresh_token',
        refresh_token: o.refreshToken,
        client_id: app.clientId,
        client_secret: app.clientSecret,
        scope: o.scope,
      }).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  });
  noteTokenResponse(t, res, app);
  return res;
}

export interface Tokens {
  accessToken: string;
  refreshToken?: string;
  scope?: string;
  response: HttpResponse;
}

export function tokensFrom(res: HttpResponse, step: string): Tokens {
  const body = res.json as Record<string, unknown> | undefined;
  if (res.status !== 200 || !body || typeof body.access_token !== 'string') {
    const err = body && typeof body.error === 'string' ? ` (${body.error})` : '';
    const shape = res.status === 200 ? ` without access_token (${body ? 'JSON' : `Content-Type ${res.header('content-type') ?? 'none'}`})` : '';
    throw new ContractViolation(`${step} did not return a token`, '200 with access_token', `${res.status}${err}${shape}`);
  }
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    scope: typeof body.scope === 'string' ? body.scope : undefined,
    response: res,
  };
}

export interface CodeFlowResult {
  tokens: Tokens;
  session: HttpClient;
  verifier?: string;
}

/** signin → authorize (PKCE) → token, each step checked. */
export async function codeFlow(
  t: CaseContext,
  o: { account: Account; app?: ClientApp; pkce?: 'S256' | 'plain' | 'none'; scope?: string; session?: HttpClient } = { account: accountFor(t, 'user') },
): Promise<CodeFlowResult> {
  const session = o.session ?? t.client('browser');
  if (!o.session) await signInOrFail(t, session, o.account);
  const method = o.pkce ?? 'S256';
  const pair = method === 'none' ? undefined : pkcePair(method);
  const res = await authorize(t, session, { app: o.app, scope: o.scope, state: 'contract', codeChallenge: pair?.challenge, codeChallengeMethod: pair?.method });
  const code = codeFrom(res);
  const tokens = tokensFrom(await exchangeCode(t, session, { code, app: o.app, verifier: pair?.verifier }), 'code exchange');
  return { tokens, session, verifier: pair?.verifier };
}

/** The password grant refused these credentials (400 invalid_grant), not the request. */
function refusedForAccount(res: HttpResponse): boolean {
  const body = res.json as { error?: unknown } | undefined;
  return res.status === 400 && !!body && typeof body === 'object' && body.error === 'invalid_grant';
}

/**
 * A token for an account, by the password grant where the generation has it, else (or when the
 * grant is refused for the normal user) by the code flow.
 */
export async function obtainToken(t: CaseContext, who: 'user' | 'service' = 'user', o: { app?: ClientApp; scope?: string } = {}): Promise<Tokens> {
  const account = accountFor(t, who);
  if (t.contract.passwordGrant) {
    const res = await passwordGrant(t, t.client('token'), { account, app: o.app, scope: o.scope });
    // A deployment may keep the password grant for service accounts, as the public doc says: the
    // user's tokens then come from the code flow (password-grant.account.normal-user reports it once).
    if (!(who === 'user' && refusedForAccount(res))) return tokensFrom(res, 'password grant');
  }
  return (await codeFlow(t, { account, app: o.app, scope: o.scope })).tokens;
}

/**
 * Does a code issued with an S256 challenge redeem with a wrong verifier? That is PKCE silently
 * ignored (contract §6.1), which tells rails-2023 from rails. Signs the account in.
 */
export async function probePkceIgnored(t: CaseContext, account: Account): Promise<{ ignored: boolean; status: number }> {
  const session = t.client('pkce-probe');
  await signInOrFail(t, session, account);
  const pair = pkcePair('S256');
  const code = codeFrom(await authorize(t, session, { codeChallenge: pair.challenge, codeChallengeMethod: 'S256' }));
  const res = await exchangeCode(t, session, { code, verifier: pkcePair('S256').verifier });
  return { ignored: res.status === 200, status: res.status };
}
