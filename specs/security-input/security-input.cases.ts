// Malformed and hostile input (issue 22; RFC 6749 §3.1, §5.2): the token, signin and revoke
// endpoints answer a malformed JSON body, a body under the other content type, non-UTF-8 bytes, an
// empty body, oversized values and a repeated parameter with a 4xx carrying the documented error,
// never a 5xx (the request is the evidence: every exchange of the row is recorded). A body the
// framework cannot read as parameters at all (malformed JSON, a form under a JSON type, bytes that
// are not UTF-8) may be refused by the framework's parser before the endpoint sees it (Rails: 400).
import type { CaseContext, ContractCase } from '../../helpers/case';
import { accountFor, authorize } from '../../helpers/flows';
import type { HttpResponse, RequestOptions } from '../../helpers/http';
import { ensure, fail, hasAccessToken, isDeletion, parseSetCookies, REVOKE, RFC6749_TOKEN_ERRORS, signedIn, TOKEN } from '../../helpers/kit';
import { pkcePair } from '../../helpers/pkce';

export const area = 'security-input';

const SIGNIN = '/auth/signin';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
/** Larger than any real scope, state or redirect URI, well inside a 64 KiB body limit. */
const BIG = 8 * 1024;
const big = (prefix: string): string => prefix + 'a'.repeat(BIG);
/** Percent-encoded bytes that decode to no UTF-8 (a lone continuation byte, an overlong lead). */
const NOT_UTF8 = '%FF%FE%C3%28';

/** How a hostile request may be read: as parameters, or not at all (the framework's parser refuses it). */
type Readable = 'params' | 'unreadable';

interface Hostile {
  what: string;
  readable: Readable;
  options: RequestOptions;
}

const raw = (contentType: string, body: string): RequestOptions => ({ headers: { 'content-type': contentType }, body, noCookies: true });
const formBody = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

/** The hostile bodies every endpoint gets, built around one well-formed set of its fields. */
function hostileBodies(fields: Record<string, string>, nonUtf8Field: string, oversized: Record<string, string>[]): Hostile[] {
  const form = formBody(fields);
  const json = JSON.stringify(fields);
  return [
    { what: 'a malformed JSON body', readable: 'unreadable', options: raw(JSON_TYPE, json.slice(0, Math.max(1, json.length - 7))) },
    { what: 'a JSON body under a form content type', readable: 'params', options: raw(FORM, json) },
    { what: 'a form body under a JSON content type', readable: 'unreadable', options: raw(JSON_TYPE, form) },
    { what: 'non-UTF-8 bytes', readable: 'unreadable', options: raw(FORM, `${form}&${encodeURIComponent(nonUtf8Field)}=${NOT_UTF8}`) },
    { what: 'an empty body', readable: 'params', options: raw(FORM, '') },
    ...oversized.map((extra) => ({
      what: `an oversized ${Object.keys(extra).join(', ')}`,
      readable: 'params' as const,
      options: raw(FORM, formBody({ ...fields, ...extra })),
    })),
  ];
}

/** status, and the error member of a JSON body if any: `400 invalid_request`, `500 (no JSON error)`. */
function seen(res: HttpResponse): string {
  const error = (res.json as Record<string, unknown> | undefined)?.error;
  return `${res.status}${typeof error === 'string' ? ` ${error}` : ' (no JSON error)'}`;
}

/** The refusals a framework or proxy gives a request it cannot or will not read. */
const PARSER_REFUSALS = [400, 413, 414, 415, 422, 431];

/**
 * The token endpoint's documented refusal: an RFC 6749 §5.2 error (400/401), or auth.cr's
 * missing-parameter envelope (422 {error, parameter}, contract §3.6); for an unreadable body also
 * the framework's bare refusal. Oversized values may also meet a size limit (413).
 */
function tokenRefusalOk(res: HttpResponse, readable: Readable): boolean {
  const body = res.json as Record<string, unknown> | undefined;
  const error = body?.error;
  if ((res.status === 400 || res.status === 401) && typeof error === 'string' && (RFC6749_TOKEN_ERRORS as readonly string[]).includes(error)) return true;
  if (res.status === 422 && typeof error === 'string' && typeof body?.parameter === 'string') return true;
  if (res.status === 413) return true;
  return readable === 'unreadable' && PARSER_REFUSALS.includes(res.status) && typeof error !== 'string';
}

/** Sends each hostile request; one line per answer that is a 5xx or otherwise not `ok`. */
async function problems(t: CaseContext, path: string, requests: Hostile[], ok: (res: HttpResponse, h: Hostile) => string | undefined): Promise<string[]> {
  const client = t.client('hostile');
  const out: string[] = [];
  for (const h of requests) {
    const res = await client.post(path, h.options);
    const problem = res.status >= 500 ? 'a server error' : ok(res, h);
    if (problem) out.push(`${h.what}: ${seen(res)}${res.status >= 500 ? '' : `, ${problem}`}`);
  }
  return out;
}

const REVOKE_ERRORS = ['invalid_request', 'invalid_client', 'unauthorized_client', 'unsupported_token_type'];

export const cases: ContractCase[] = [
  {
    id: `${area}.token-hostile-bodies`,
    title:
      'the token endpoint answers a malformed JSON body, a body under the other content type, non-UTF-8 bytes, an empty body and oversized scope/state/redirect_uri with a 4xx and the documented error, never a 5xx',
    requirements: ['RFC6749-5.2', 'PLACEOS-IMPL-HOSTILE-INPUT'],
    level: 'MUST',
    severity: 'medium',
    tags: ['security', 'readonly'],
    async run(t) {
      const app = t.settings.client;
      const fields = { grant_type: 'refresh_token', refresh_token: 'not-a-real-refresh-token-0123456789', client_id: app.clientId };
      const requests = hostileBodies(fields, 'refresh_token', [
        { scope: big('public ') },
        { state: big('s') },
        { grant_type: 'authorization_code', code: 'not-a-real-code-0123456789abcdef', redirect_uri: `${app.redirectUri}?${big('x=')}` },
      ]);
      const bad = await problems(t, TOKEN, requests, (res, h) => {
        if (hasAccessToken(res)) return 'a token';
        return tokenRefusalOk(res, h.readable) ? undefined : 'not the documented refusal';
      });
      ensure(bad.length === 0, 'a hostile token request was not refused with the documented 4xx', '4xx with the RFC 6749 §5.2 error', bad.join('; '));
    },
  },
  {
    id: `${area}.token-duplicate-parameter`,
    title: 'a token request that sends a parameter twice is refused with 400 invalid_request (never served with one of its values)',
    requirements: ['RFC6749-3.1', 'RFC6749-5.2'],
    level: 'MUST',
    severity: 'medium',
    tags: ['security', 'readonly'],
    async run(t) {
      const app = t.settings.client;
      // Either value alone is refused otherwise: a server that keeps the first one answers invalid_grant
      // (an unknown refresh token), one that keeps the last answers invalid_request (no code).
      const body = `grant_type=refresh_token&refresh_token=not-a-real-refresh-token-0123456789&client_id=${encodeURIComponent(app.clientId)}&grant_type=authorization_code`;
      const res = await t.client('hostile').post(TOKEN, raw(FORM, body));
      ensure(!hasAccessToken(res), 'a token request with a repeated grant_type got a token', '400 invalid_request', `${res.status} with access_token`);
      const error = (res.json as Record<string, unknown> | undefined)?.error;
      ensure(res.status === 400 && error === 'invalid_request', 'a repeated parameter was not refused as invalid_request', '400 invalid_request', seen(res));
    },
  },
  {
    id: `${area}.authorize-oversized-state`,
    title: 'authorize with an oversized state either redirects back with that state unchanged or refuses with a 4xx, never a 5xx',
    requirements: ['RFC6749-4.1.2', 'PLACEOS-IMPL-HOSTILE-INPUT'],
    level: 'MUST',
    severity: 'medium',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const state = big('state-');
      const pair = pkcePair('S256');
      t.secrets.add(pair.verifier, 'code_verifier');
      const res = await authorize(t, session, { state, codeChallenge: pair.challenge, codeChallengeMethod: 'S256' });
      const shown = `${res.status}${res.location ? ` to ${res.location.pathname}` : ''}`;
      if (res.status >= 500) fail('authorize answered an oversized state with a server error', 'a redirect with the state, or a 4xx', shown);
      if (res.status >= 400) return;
      if (res.status < 300 || res.status >= 400 || !res.location)
        fail('an oversized state was neither served nor refused', 'a redirect with the state, or a 4xx', shown);
      const back = res.location.searchParams.get('state');
      ensure(
        back === state,
        'the authorize redirect did not return the oversized state unchanged',
        `state of ${state.length} characters`,
        back === null ? 'no state' : `state of ${back.length} characters`,
      );
    },
  },
  {
    id: `${area}.signin-hostile-bodies`,
    title:
      'signin answers a malformed JSON body, a body under the other content type, non-UTF-8 bytes, an empty body and an oversized email with a 4xx and no session, never a 5xx',
    requirements: ['PLACEOS-IMPL-HOSTILE-INPUT', 'PLACEOS-IMPL-SIGNIN'],
    level: 'MUST',
    severity: 'medium',
    tags: ['security', 'session'],
    needs: ['user'],
    async run(t) {
      const account = accountFor(t, 'user');
      // A made-up wrong password (never the real one, which a re-encoded body could show unmasked).
      const fields = { email: account.email, password: 'not-the-password-0123456789' };
      const requests = hostileBodies(fields, 'password', [{ email: big('x') + '@example.com' }]);
      const bad = await problems(t, SIGNIN, requests, (res) => {
        const session = parseSetCookies(res).find((c) => c.name === t.contract.sessionCookie && !isDeletion(c));
        if (session) return 'a session cookie';
        return res.status >= 400 && res.status < 500 ? undefined : 'not a 4xx';
      });
      ensure(bad.length === 0, 'a hostile signin request was not refused with a 4xx', '4xx and no session cookie', bad.join('; '));
    },
  },
  {
    id: `${area}.revoke-hostile-bodies`,
    title:
      'revoke answers a malformed JSON body, a body under the other content type, non-UTF-8 bytes, an empty body and an oversized token without a 5xx (200 or the RFC 7009 error)',
    requirements: ['RFC7009-2.2', 'RFC7009-2.2.1', 'PLACEOS-IMPL-HOSTILE-INPUT'],
    level: 'MUST',
    severity: 'medium',
    tags: ['security', 'readonly'],
    async run(t) {
      const fields = { token: 'not-a-real-token-0123456789abcdef', token_type_hint: 'access_token', client_id: t.settings.client.clientId };
      const requests = hostileBodies(fields, 'token', [{ token: big('t') }]);
      const bad = await problems(t, REVOKE, requests, (res, h) => {
        if (res.status === 200) return undefined;
        const error = (res.json as Record<string, unknown> | undefined)?.error;
        if (res.status >= 400 && res.status < 500 && typeof error === 'string' && REVOKE_ERRORS.includes(error)) return undefined;
        if (h.readable === 'unreadable' && PARSER_REFUSALS.includes(res.status) && typeof error !== 'string') return undefined;
        return 'neither 200 nor the RFC 7009 error';
      });
      ensure(bad.length === 0, 'a hostile revocation request got a 5xx or an undocumented answer', '200 or a 4xx RFC 7009 §2.2.1 error', bad.join('; '));
    },
  },
];
