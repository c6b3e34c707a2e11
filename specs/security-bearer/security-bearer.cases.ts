// Bearer-token use (checklist §2.5, §2.6; RFC 6750, RFC 7515, RFC 8725): forged and expired
// tokens refused in every PlaceOS transport, RFC 6750 challenges, the published default key,
// audience (authority) binding, scheme case, query transport hygiene, API-key integrity.
import type { CaseContext, ContractCase } from '../../helpers/case';
import type { HttpClient, HttpResponse } from '../../helpers/http';
import { loadDefaultPlaceosPrivateKey, signWithKey, tamperSignature } from '../../helpers/jwt';
import {
  cacheDirectives,
  challengeParam,
  echoesToken,
  ensure,
  expectAccepted,
  findChallenge,
  freshToken,
  getWithBearer,
  INSPECT,
  INTROSPECT,
  notRefused,
  payloadOf,
  PROTECTED,
  REPO_ROOT,
  revokedForCheck,
  TOKEN_INFO,
  tokenInfo,
} from '../../helpers/kit';

export const area = 'security-bearer';

/** A fresh, valid access token of the normal user, accepted by rest-api (the control): setup steps. */
async function validToken(t: CaseContext, api: HttpClient): Promise<string> {
  const tokens = await freshToken(t, 'user');
  await expectAccepted(api, tokens.accessToken, 'control');
  return tokens.accessToken;
}

/** A forged token is refused with 401 in every transport, at users/current and at inspect. */
async function expectForgeryRefused(t: CaseContext, api: HttpClient, forged: string, what: string, secret = true): Promise<void> {
  // Copies of real tokens carry real claims: mask them. A made-up string is no secret.
  if (secret) t.secrets.add(forged, 'access_token');
  const bad = (await notRefused(api, forged, [PROTECTED, INSPECT])).map((r) => `${r.route} via ${r.via}: ${r.status}`);
  ensure(bad.length === 0, `rest-api accepted ${what}`, '401 in every transport', bad.join(', '));
}

function forgeryCase(name: string, title: string, requirements: string[], make: (token: string) => Promise<string> | string, secret = true): ContractCase {
  return {
    id: `${area}.${name}`,
    title,
    requirements,
    level: 'MUST',
    severity: 'blocker',
    tags: ['security', 'readonly'],
    needs: ['user'],
    async run(t) {
      const api = t.client('api');
      const token = await validToken(t, api);
      await expectForgeryRefused(t, api, await make(token), title.replace(/ is refused.*$/, ''), secret);
    },
  };
}

// Tampered, alg:none, wrong-key, not-a-JWT and expired bearers, API keys with a wrong secret or
// expired, cross-authority tokens and the default signing key are token-use's checks (every
// transport, both rest-api endpoints): one fact, one check.
export const cases: ContractCase[] = [
  forgeryCase(
    'default-key-forgery-refused',
    'a copy of a valid JWT re-signed with the published PlaceOS development key is refused in every transport',
    ['PLACEOS-IMPL-DEFAULT-KEY', 'RFC6749-10.3'],
    async (tok) => {
      const claims = payloadOf(tok) ?? {};
      return signWithKey(claims, loadDefaultPlaceosPrivateKey(REPO_ROOT));
    },
  ),
  {
    id: `${area}.rest-api-401-challenge`,
    title: 'rest-api 401s carry WWW-Authenticate: Bearer (no error attribute without credentials, error="invalid_token" for a bad token)',
    requirements: ['RFC6750-3', 'RFC6750-3.1', 'RFC9110-11.6.1'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'readonly'],
    async run(t) {
      const api = t.client('api');
      const none = await api.get(PROTECTED, { noCookies: true });
      ensure(none.status === 401, 'rest-api without credentials did not answer 401', '401', String(none.status));
      const problems: string[] = [];
      const c1 = findChallenge(none, 'bearer');
      if (!c1) problems.push('no credentials: no WWW-Authenticate: Bearer');
      else if (challengeParam(c1, 'error')) problems.push(`no credentials: error="${challengeParam(c1, 'error')}" although no credentials were sent`);
      const bad = await getWithBearer(api, 'header', PROTECTED, 'invalid-bearer-for-challenge');
      const c2 = findChallenge(bad, 'bearer');
      if (!c2) problems.push(`invalid token: ${bad.status} without WWW-Authenticate: Bearer`);
      else if (challengeParam(c2, 'error') !== 'invalid_token') problems.push(`invalid token: error=${challengeParam(c2, 'error') ?? '(none)'}`);
      ensure(problems.length === 0, problems.join('; '), 'WWW-Authenticate: Bearer [error="invalid_token"]', problems.join('; '));
    },
  },
  {
    id: `${area}.auth-invalid-token-challenge`,
    title:
      'the auth service answers an invalid bearer (token/info: an unknown token; introspect: a revoked one) with 401 and WWW-Authenticate: Bearer error="invalid_token"',
    requirements: ['RFC6750-3', 'RFC6750-3.1'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'readonly'],
    needs: ['user'],
    async run(t) {
      const c = t.client('auth');
      const garbage = 'not-a-real-token-0123456789abcdef';
      // Introspection authorized by a bearer: Doorkeeper answers a value that is no stored token
      // at all with 400 invalid_request (nothing authorizes the request), and a stored token that
      // is revoked or expired with 401 invalid_token. The bearer here is our own revoked token.
      const revoked = await freshToken(t, 'user');
      await revokedForCheck(t, revoked.accessToken);
      const problems: string[] = [];
      for (const [what, res] of [
        ['token/info', await tokenInfo(c, garbage)],
        ['introspect', await c.post(INTROSPECT, { form: { token: garbage }, headers: { authorization: `Bearer ${revoked.accessToken}` }, noCookies: true })],
      ] as const) {
        if (res.status !== 401) {
          problems.push(`${what}: ${res.status}, not 401`);
          continue;
        }
        const ch = findChallenge(res, 'bearer');
        if (!ch) problems.push(`${what}: no WWW-Authenticate: Bearer`);
        else if (challengeParam(ch, 'error') !== 'invalid_token') problems.push(`${what}: error=${challengeParam(ch, 'error') ?? '(none)'}`);
      }
      ensure(problems.length === 0, problems.join('; '), '401 with WWW-Authenticate: Bearer error="invalid_token"');
    },
  },
  {
    id: `${area}.auth-no-credential-no-error-code`,
    title: 'token/info without any credential: the Bearer challenge carries no error code',
    requirements: ['RFC6750-3', 'RFC6750-3.1'],
    level: 'SHOULD',
    severity: 'low',
    tags: ['security', 'readonly'],
    async run(t) {
      const res = await t.client('auth').get(TOKEN_INFO, { noCookies: true });
      ensure(res.status === 401, 'token/info without a credential did not answer 401', '401', String(res.status));
      const ch = findChallenge(res, 'bearer');
      ensure(
        !!ch,
        'token/info without a credential has no WWW-Authenticate: Bearer',
        'WWW-Authenticate: Bearer realm=…',
        res.header('www-authenticate') ?? '(none)',
      );
      ensure(
        !challengeParam(ch, 'error'),
        'the challenge names an error although no credential was sent',
        'no error attribute',
        `error="${challengeParam(ch, 'error')}"`,
      );
    },
  },
  {
    id: `${area}.scheme-case-insensitive`,
    title: 'the Authorization scheme is matched case-insensitively ("bearer <token>" works)',
    requirements: ['RFC9110-11.1', 'RFC6749-7.1'],
    level: 'SHOULD',
    severity: 'medium',
    tags: ['security', 'readonly'],
    needs: ['user'],
    async run(t) {
      const api = t.client('api');
      const token = await validToken(t, api);
      const failed: string[] = [];
      for (const scheme of ['bearer', 'BEARER']) {
        const res = await getWithBearer(api, 'header', PROTECTED, token, scheme);
        if (res.status !== 200) failed.push(`${scheme}: ${res.status}`);
      }
      ensure(failed.length === 0, 'rest-api refuses a valid token whose scheme is not spelled "Bearer"', '200', failed.join(', '));
    },
  },
  {
    id: `${area}.query-transport-discouraged`,
    title: 'access tokens are not accepted in the URI query (they leak through logs, history and Referer)',
    requirements: ['RFC6750-2.3', 'RFC9700-4.3.2', 'RFC6819-4.6.7'],
    level: 'SHOULD',
    severity: 'medium',
    tags: ['security', 'readonly'],
    needs: ['user'],
    async run(t) {
      const api = t.client('api');
      const token = await validToken(t, api);
      const res = await getWithBearer(api, 'param', PROTECTED, token);
      ensure(
        res.status === 401 || res.status === 400,
        'rest-api accepts the access token as a URI query parameter (?bearer_token=)',
        '400/401',
        String(res.status),
      );
    },
  },
  {
    id: `${area}.query-transport-cache-control`,
    title: 'a response to a request authenticated by ?bearer_token= carries Cache-Control: private or no-store',
    requirements: ['RFC6750-2.3'],
    level: 'SHOULD',
    severity: 'medium',
    tags: ['security', 'readonly'],
    needs: ['user'],
    async run(t) {
      const api = t.client('api');
      const token = await validToken(t, api);
      const res = await getWithBearer(api, 'param', PROTECTED, token);
      if (res.status < 200 || res.status >= 300) t.notApplicable(`the query transport is refused (${res.status})`);
      const d = cacheDirectives(res);
      ensure(
        d.includes('private') || d.includes('no-store'),
        'a response to a query-authenticated request may be cached by shared caches',
        'Cache-Control: private (or no-store)',
        res.header('cache-control') ?? '(none)',
      );
    },
  },
  {
    id: `${area}.multiple-transports-refused`,
    title: 'a request carrying the token in more than one transport is refused with 400 invalid_request',
    requirements: ['RFC6750-2', 'RFC6750-3.1'],
    level: 'SHOULD',
    severity: 'low',
    tags: ['security', 'readonly'],
    needs: ['user'],
    async run(t) {
      const api = t.client('api');
      const token = await validToken(t, api);
      const res = await api.get(PROTECTED, { headers: { authorization: `Bearer ${token}` }, query: { bearer_token: token }, noCookies: true });
      ensure(res.status === 400, 'a request with the token in the header and the query was served', '400 invalid_request', String(res.status));
    },
  },
  {
    id: `${area}.no-token-in-error-body`,
    title: 'error responses never echo the presented token (auth service and rest-api)',
    requirements: ['RFC6819-4.6.7', 'RFC6749-10.3'],
    level: 'MUST',
    severity: 'medium',
    tags: ['security', 'readonly'],
    needs: ['user', 'expiredToken'],
    async run(t) {
      const api = t.client('api');
      const token = await validToken(t, api);
      const tampered = tamperSignature(token);
      t.secrets.add(tampered, 'access_token');
      const responses: [string, HttpResponse, string][] = [
        ['rest-api (tampered, header)', await getWithBearer(api, 'header', PROTECTED, tampered), tampered],
        ['rest-api (tampered, param)', await getWithBearer(api, 'param', PROTECTED, tampered), tampered],
        ['rest-api (expired, cookie)', await getWithBearer(api, 'cookie', PROTECTED, t.settings.expiredToken!), t.settings.expiredToken!],
        ['token/info (tampered)', await tokenInfo(t.client('auth'), tampered), tampered],
        ['token/info (expired)', await tokenInfo(t.client('auth'), t.settings.expiredToken!), t.settings.expiredToken!],
      ];
      const echoed = responses
        .filter(([, res, tok]) => echoesToken(res.text, tok) || echoesToken(res.header('www-authenticate'), tok) || echoesToken(res.header('location'), tok))
        .map(([w]) => w);
      ensure(echoed.length === 0, 'an error response echoes the presented token', 'no token in bodies or headers', echoed.join(', '));
    },
  },
];
