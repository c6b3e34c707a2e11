// Token endpoint security (checklist §2.1, §2.4): response hygiene on every token-bearing
// response, RFC 6749 §5.2 errors, client authentication, grants PlaceOS should not offer.
import type { CaseContext, ContractCase } from '../../helpers/case';
import type { Severity } from '../../helpers/model';
import type { HttpResponse } from '../../helpers/http';
import { accountFor, authorize, exchangeCode, noteTokenResponse, paramsAs, passwordGrant, refreshGrant, tokensFrom } from '../../helpers/flows';
import {
  authorizeRefusal,
  cacheDirectives,
  challengesOf,
  codeTokens,
  describeAuthorize,
  describeErr,
  ensure,
  fail,
  freshCode,
  grantedScopes,
  hasAccessToken,
  isJsonMediaType,
  mediaType,
  oauthError,
  precondition,
  RFC6749_TOKEN_ERRORS,
  setup,
  signedIn,
  TOKEN,
} from '../../helpers/kit';

export const area = 'security-token-endpoint';

/** Every kind of token-bearing response this generation serves: code, refresh, password. */
async function tokenResponses(t: CaseContext): Promise<{ grant: string; res: HttpResponse }[]> {
  const out: { grant: string; res: HttpResponse }[] = [];
  const { session } = await signedIn(t);
  const c = await freshCode(t, session);
  const codeRes = await exchangeCode(t, session, { code: c.code, verifier: c.verifier });
  const tokens = await setup('the code exchange', async () => tokensFrom(codeRes, 'code exchange'));
  out.push({ grant: 'authorization_code', res: codeRes });
  if (tokens.refreshToken) out.push({ grant: 'refresh_token', res: await refreshGrant(t, t.client('refresh'), { refreshToken: tokens.refreshToken }) });
  // The password grant as the public doc describes it: for a service account (the normal user when none is configured).
  if (t.contract.passwordGrant)
    out.push({ grant: 'password', res: await passwordGrant(t, t.client('password'), { account: t.settings.service ?? accountFor(t, 'user') }) });
  for (const r of out) precondition(r.res.status === 200, `the ${r.grant} token request`, 'it did not return a token', '200', String(r.res.status));
  return out;
}

/** A few error responses of the token endpoint (no credentials involved). */
async function tokenErrors(t: CaseContext): Promise<{ what: string; res: HttpResponse }[]> {
  const c = t.client('errors');
  const app = t.settings.client;
  return [
    { what: 'unsupported grant_type', res: await c.post(TOKEN, { form: { grant_type: 'urn:example:unsupported', client_id: app.clientId } }) },
    {
      what: 'unknown code',
      res: await c.post(TOKEN, {
        form: { grant_type: 'authorization_code', code: 'not-a-real-code-0123456789abcdef', client_id: app.clientId, redirect_uri: app.redirectUri },
      }),
    },
    {
      what: 'unknown refresh token',
      res: await c.post(TOKEN, { form: { grant_type: 'refresh_token', refresh_token: 'not-a-real-refresh-token-0123456789', client_id: app.clientId } }),
    },
  ];
}

/** Header rules every token response (code, refresh, password) must meet: one row each. */
interface TokenResponseRule {
  name: string;
  title: string;
  severity: Severity;
  holds(res: HttpResponse): boolean;
  problem: string;
  expected: string;
  actual(res: HttpResponse): string;
}

const TOKEN_RESPONSE_RULES: TokenResponseRule[] = [
  {
    name: 'no-store',
    title: 'every token response (code, refresh, password) carries Cache-Control: no-store',
    severity: 'high',
    holds: (res) => cacheDirectives(res).includes('no-store'),
    problem: 'may be cached',
    expected: 'Cache-Control containing no-store',
    actual: (res) => res.header('cache-control') ?? '(none)',
  },
  {
    name: 'pragma-no-cache',
    title: 'every token response carries Pragma: no-cache (legacy HTTP/1.0 caches; a MUST in RFC 6749 §5.1)',
    severity: 'medium',
    holds: (res) => /\bno-cache\b/i.test(res.header('pragma') ?? ''),
    problem: 'has no Pragma: no-cache',
    expected: 'Pragma: no-cache',
    actual: (res) => res.header('pragma') ?? '(none)',
  },
  {
    name: 'json-content-type',
    title: 'every token response is application/json',
    severity: 'high',
    holds: (res) => isJsonMediaType(res),
    problem: 'is not JSON',
    expected: 'Content-Type: application/json',
    actual: (res) => mediaType(res) || '(none)',
  },
];

function tokenResponseRule(rule: TokenResponseRule): ContractCase {
  return {
    id: `${area}.${rule.name}`,
    title: rule.title,
    requirements: ['RFC6749-5.1'],
    level: 'MUST',
    severity: rule.severity,
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      for (const { grant, res } of await tokenResponses(t)) {
        ensure(rule.holds(res), `the ${grant} token response ${rule.problem}`, rule.expected, rule.actual(res));
      }
    },
  };
}

const BOGUS_CLIENT = '00000000000000000000000000000000';

export const cases: ContractCase[] = [
  ...TOKEN_RESPONSE_RULES.map(tokenResponseRule),
  {
    id: `${area}.error-json-no-store`,
    title: 'token endpoint errors are JSON with an error code from RFC 6749 §5.2 and are not cacheable',
    requirements: ['RFC6749-5.2'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'readonly'],
    async run(t) {
      for (const { what, res } of await tokenErrors(t)) {
        const e = oauthError(res);
        ensure(isJsonMediaType(res), `${what}: the error response is not JSON`, 'Content-Type: application/json', mediaType(res) || '(none)');
        ensure(e.status === 400 || e.status === 401, `${what}: the error status is not 400 (or 401 for a client error)`, '400', String(e.status));
        ensure(
          e.error !== undefined && (RFC6749_TOKEN_ERRORS as readonly string[]).includes(e.error),
          `${what}: the error code is not one RFC 6749 §5.2 defines`,
          RFC6749_TOKEN_ERRORS.join(' | '),
          e.error ?? '(none)',
        );
      }
    },
  },
  {
    id: `${area}.error-codes`,
    title: 'bad token requests get the documented {status, error} of this generation (RFC 6749 §5.2 table)',
    requirements: ['RFC6749-5.2', 'PLACEOS-IMPL-OAUTH-ERROR'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const app = t.settings.client;
      const c = t.client('errors');
      const account = accountFor(t, 'user');
      type Row = { what: string; allowed: { status: number; error?: string }[]; send: () => Promise<HttpResponse> };
      const rows: Row[] = [
        {
          what: 'unsupported grant_type',
          allowed: [{ status: 400, error: 'unsupported_grant_type' }],
          send: () => c.post(TOKEN, { form: { grant_type: 'urn:example:unsupported', client_id: app.clientId } }),
        },
        {
          what: 'authorization_code without code',
          allowed: [{ status: 400, error: 'invalid_request' }],
          send: () => c.post(TOKEN, { form: { grant_type: 'authorization_code', client_id: app.clientId, redirect_uri: app.redirectUri } }),
        },
        {
          what: 'unknown authorization code',
          allowed: [{ status: 400, error: 'invalid_grant' }],
          send: () =>
            c.post(TOKEN, {
              form: { grant_type: 'authorization_code', code: 'not-a-real-code-0123456789abcdef', client_id: app.clientId, redirect_uri: app.redirectUri },
            }),
        },
        {
          what: 'unknown refresh token',
          allowed: [{ status: 400, error: 'invalid_grant' }],
          send: () => c.post(TOKEN, { form: { grant_type: 'refresh_token', refresh_token: 'not-a-real-refresh-token-0123456789', client_id: app.clientId } }),
        },
        {
          what: 'wrong password',
          allowed: [t.contract.errors.wrongPassword],
          send: () =>
            c.post(
              TOKEN,
              paramsAs('form', {
                grant_type: 'password',
                username: account.email,
                password: `${account.password}-wrong`,
                client_id: app.clientId,
                client_secret: app.clientSecret,
              }),
            ),
        },
      ];
      if (t.contract.passwordGrant) {
        rows.push({
          what: 'unknown client_id (password grant)',
          allowed: [t.contract.errors.unknownClient],
          send: () => c.post(TOKEN, paramsAs('form', { grant_type: 'password', username: account.email, password: account.password, client_id: BOGUS_CLIENT })),
        });
      } else {
        const { session } = await signedIn(t);
        const code = await freshCode(t, session);
        rows.push({
          what: 'unknown client_id (authorization code)',
          allowed: [t.contract.errors.unknownClient],
          send: () =>
            c.post(
              TOKEN,
              paramsAs('form', {
                grant_type: 'authorization_code',
                code: code.code,
                code_verifier: code.verifier,
                redirect_uri: app.redirectUri,
                client_id: BOGUS_CLIENT,
              }),
            ),
        });
      }
      const problems: string[] = [];
      for (const row of rows) {
        const res = await row.send();
        if (hasAccessToken(res)) {
          problems.push(`${row.what}: a token was issued`);
          continue;
        }
        const e = oauthError(res);
        const ok = row.allowed.some((a) => a.status === e.status && (a.error === undefined || a.error === e.error));
        if (!ok) problems.push(`${row.what}: expected ${row.allowed.map(describeErr).join(' or ')}, got ${describeErr(e)}`);
        else if (res.status !== 401 && !isJsonMediaType(res)) problems.push(`${row.what}: the error is ${mediaType(res) || 'untyped'}, not JSON`);
      }
      ensure(problems.length === 0, problems.join('; '));
    },
  },
  {
    id: `${area}.wrong-password-no-enumeration`,
    title: 'a wrong password and an unknown account are refused alike (signin and password grant): no token, no account enumeration',
    requirements: ['RFC6749-4.3.2', 'RFC6749-5.2'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const account = accountFor(t, 'user');
      const unknown = { email: `nobody-${Date.now()}@contract.invalid`, password: `${account.password}-wrong` };
      const wrong = { email: account.email, password: `${account.password}-wrong` };
      const signin = async (a: { email: string; password: string }) => {
        const c = t.client('signin');
        return c.post('/auth/signin', paramsAs('form', { email: a.email, password: a.password }));
      };
      const sWrong = await signin(wrong);
      const sUnknown = await signin(unknown);
      ensure(sWrong.status === 401, 'signin with a wrong password was not refused', '401', String(sWrong.status));
      ensure(
        sUnknown.status === sWrong.status,
        'signin tells a wrong password from an unknown account (enumeration)',
        `the same status (${sWrong.status})`,
        String(sUnknown.status),
      );
      const cookies = sWrong.setCookie.filter(
        (sc) => sc.toLowerCase().startsWith(`${t.contract.sessionCookie.toLowerCase()}=`) && !/=;|=\s*;|max-age=0|expires=thu, 01 jan 1970/i.test(sc),
      );
      ensure(cookies.length === 0, 'signin with a wrong password set a session cookie', 'no session cookie', `${cookies.length} Set-Cookie`);
      if (!t.contract.passwordGrant) return;
      const gWrong = await passwordGrant(t, t.client('grant'), { account: wrong });
      const gUnknown = await passwordGrant(t, t.client('grant'), { account: unknown });
      ensure(!hasAccessToken(gWrong), 'the password grant issued a token for a wrong password');
      const a = oauthError(gWrong);
      const b = oauthError(gUnknown);
      ensure(a.status === b.status && a.error === b.error, 'the password grant tells a wrong password from an unknown account', describeErr(a), describeErr(b));
    },
  },
  {
    id: `${area}.unknown-client-refused`,
    title: 'an unknown client_id gets no token (password grant where served, else code exchange)',
    requirements: ['RFC6749-3.2.1', 'RFC6749-2.3.1'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const account = accountFor(t, 'user');
      let res: HttpResponse;
      if (t.contract.passwordGrant) {
        res = await t
          .client('grant')
          .post(TOKEN, { form: { grant_type: 'password', username: account.email, password: account.password, client_id: BOGUS_CLIENT } });
      } else {
        const { session } = await signedIn(t);
        const code = await freshCode(t, session);
        res = await t.client('grant').post(TOKEN, {
          form: {
            grant_type: 'authorization_code',
            code: code.code,
            code_verifier: code.verifier!,
            redirect_uri: t.settings.client.redirectUri,
            client_id: BOGUS_CLIENT,
          },
        });
      }
      const want = t.contract.errors.unknownClient;
      if (hasAccessToken(res)) fail('a token was issued to an unknown client_id', describeErr(want), `${res.status} with access_token`);
      const e = oauthError(res);
      ensure(
        e.status === want.status && e.error === want.error,
        'an unknown client was not refused with the documented error',
        describeErr(want),
        describeErr(e),
      );
    },
  },
  {
    id: `${area}.confidential-client-auth`,
    title: 'a confidential client must authenticate: a wrong or missing client_secret gets no token',
    requirements: ['RFC6749-2.3.1', 'RFC9700-2.5', 'RFC6749-3.2.1'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user', 'confidentialClient'],
    async run(t) {
      const app = t.settings.confidentialClient!;
      const { session } = await signedIn(t);
      const problems: string[] = [];
      const want = t.contract.errors.unknownClient;
      const refusedAsDocumented = (what: string, res: HttpResponse): void => {
        if (hasAccessToken(res)) return void problems.push(`${what}: a token was issued`);
        const e = oauthError(res);
        if (e.status !== want.status || e.error !== want.error) problems.push(`${what}: expected ${describeErr(want)}, got ${describeErr(e)}`);
      };
      for (const [what, secret] of [
        ['wrong client_secret', `${app.clientSecret}x`],
        ['no client_secret', undefined],
      ] as const) {
        const c = await freshCode(t, session, { app });
        refusedAsDocumented(what, await exchangeCode(t, t.client('exchange'), { code: c.code, app: { ...app, clientSecret: secret }, verifier: c.verifier }));
      }
      // Basic with a wrong secret (RFC 6749 §2.3.1 MUST be supported).
      const c = await freshCode(t, session, { app });
      const basic = await t.client('basic').post(TOKEN, {
        form: { grant_type: 'authorization_code', code: c.code, redirect_uri: app.redirectUri, code_verifier: c.verifier! },
        basic: { username: app.clientId, password: `${app.clientSecret}x` },
      });
      noteTokenResponse(t, basic, app);
      refusedAsDocumented('HTTP Basic with a wrong secret', basic);
      ensure(problems.length === 0, problems.join('; '));
      // The control: the right secret works, so the refusals above were about the secret.
      const ok = await freshCode(t, session, { app });
      const good = await exchangeCode(t, t.client('exchange'), { code: ok.code, app, verifier: ok.verifier });
      precondition(
        hasAccessToken(good),
        'the control exchange with the correct secret',
        'the confidential client with its correct secret got no token',
        '200 with access_token',
        describeErr(oauthError(good)),
      );
    },
  },
  {
    id: `${area}.invalid-client-basic-challenge`,
    title: 'invalid_client for HTTP Basic client authentication is a 401 with a WWW-Authenticate challenge for the Basic scheme',
    requirements: ['RFC6749-5.2'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'readonly'],
    needs: ['confidentialClient'],
    async run(t) {
      const app = t.settings.confidentialClient!;
      const res = await t.client('basic').post(TOKEN, {
        // A well-formed code request, so that client authentication is what fails first.
        form: { grant_type: 'authorization_code', code: 'not-a-real-code-0123456789abcdef', redirect_uri: app.redirectUri, code_verifier: 'v'.repeat(43) },
        basic: { username: app.clientId, password: `${app.clientSecret}x` },
      });
      ensure(!hasAccessToken(res), 'a wrong Basic secret got a token');
      ensure(res.status === 401, 'wrong HTTP Basic client credentials did not get 401', '401 invalid_client', describeErr(oauthError(res)));
      const ch = challengesOf(res);
      ensure(ch.length > 0, 'the 401 for HTTP Basic client authentication has no WWW-Authenticate header', 'WWW-Authenticate: Basic realm=…', '(none)');
      ensure(
        ch.some((c) => c.scheme.toLowerCase() === 'basic'),
        'the WWW-Authenticate challenge does not name the scheme the client used (Basic)',
        'Basic',
        ch.map((c) => c.scheme.toLowerCase()).join(', '),
      );
    },
  },
  {
    id: `${area}.client-secret-in-query-refused`,
    title: 'client credentials in the request URI query are refused',
    requirements: ['RFC6749-2.3.1'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'credentials-in-url'],
    needs: ['user', 'confidentialClient'],
    async run(t) {
      const app = t.settings.confidentialClient!;
      const { session } = await signedIn(t);
      const c = await freshCode(t, session, { app });
      const res = await t.client('exchange').post(TOKEN, {
        query: { client_id: app.clientId, client_secret: app.clientSecret! },
        form: { grant_type: 'authorization_code', code: c.code, redirect_uri: app.redirectUri, code_verifier: c.verifier! },
      });
      noteTokenResponse(t, res, app);
      ensure(
        !hasAccessToken(res),
        'the token endpoint authenticated a client whose client_secret was in the URI query (it ends up in logs)',
        'invalid_client / invalid_request',
        `${res.status} with access_token`,
      );
      const e = oauthError(res);
      ensure(
        (e.status === 400 && e.error === 'invalid_request') || (e.status === 401 && e.error === 'invalid_client'),
        'client credentials in the URI query were not refused with an OAuth error',
        '400 invalid_request / 401 invalid_client',
        describeErr(e),
      );
    },
  },
  {
    id: `${area}.rejects-get`,
    title: 'the token endpoint refuses GET (parameters would sit in URLs and logs)',
    requirements: ['RFC6749-3.2'],
    level: 'SHOULD',
    severity: 'medium',
    tags: ['security', 'credentials-in-url'],
    needs: ['user'],
    async run(t) {
      const account = accountFor(t, 'user');
      const app = t.settings.client;
      let query: Record<string, string>;
      if (t.contract.passwordGrant) {
        query = { grant_type: 'password', username: account.email, password: account.password, client_id: app.clientId };
      } else {
        const { session } = await signedIn(t);
        const c = await freshCode(t, session);
        query = { grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier!, redirect_uri: app.redirectUri, client_id: app.clientId };
      }
      const res = await t.client('get').get(TOKEN, { query });
      noteTokenResponse(t, res, app);
      ensure(!hasAccessToken(res), 'GET on the token endpoint issued a token', '405 / 404 / 400', `${res.status} with access_token`);
      ensure(res.status >= 400 && res.status < 500, 'GET on the token endpoint was not refused', '405 / 404 / 400', String(res.status));
    },
  },
  {
    id: `${area}.scope-not-escalated`,
    title: "a token never carries scopes outside the client application's scopes",
    requirements: ['RFC6749-3.3'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const app = t.settings.client;
      const extra = ['mqtt.write', 'api_keys.write', 'o_auth_applications'].filter((s) => !app.scopes.includes(s));
      if (!extra.length) t.notApplicable('the client already has every probe scope');
      const wanted = [...app.scopes, ...extra].join(' ');
      const { session } = await signedIn(t);
      const res = await authorize(t, session, { scope: wanted, state: 'scope', codeChallenge: undefined });
      const code = res.location?.searchParams.get('code');
      const problems: string[] = [];
      // Either refused with invalid_scope, or a token with the app's scopes only; anything else (5xx, login page) is no answer.
      if (code && res.status >= 300 && res.status < 400) {
        const tok = await exchangeCode(t, session, { code });
        if (hasAccessToken(tok)) {
          const granted = grantedScopes(tokensFrom(tok, 'code exchange'));
          const over = granted.filter((s) => !app.scopes.includes(s));
          if (over.length) problems.push(`authorize + code exchange granted ${over.join(' ')}`);
        } else problems.push(`the code exchange answered ${describeErr(oauthError(tok))}`);
      } else if (!authorizeRefusal(res, app.redirectUri)) problems.push(`authorize answered ${describeAuthorize(res)}`);
      if (t.contract.passwordGrant) {
        const pg = await passwordGrant(t, t.client('grant'), { account: t.settings.service ?? accountFor(t, 'user'), scope: wanted });
        if (hasAccessToken(pg)) {
          const over = grantedScopes(tokensFrom(pg, 'password grant')).filter((s) => !app.scopes.includes(s));
          if (over.length) problems.push(`the password grant granted ${over.join(' ')}`);
        } else {
          const e = oauthError(pg);
          if (e.status !== 400 || e.error !== 'invalid_scope') problems.push(`the password grant answered ${describeErr(e)}, not 400 invalid_scope`);
        }
      }
      ensure(
        problems.length === 0,
        `scopes beyond the application's (${app.scopes.join(' ')}) were neither refused with invalid_scope nor left out of the token`,
        'invalid_scope, or only the app scopes',
        problems.join('; '),
      );
    },
  },
  {
    id: `${area}.password-grant-disabled`,
    title: 'the resource-owner password grant is not offered',
    requirements: ['RFC9700-2.4', 'PLACEOS-IMPL-TOKEN-ENDPOINT'],
    level: 'MUST',
    severity: 'medium',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      // The account the public doc gives the password grant to: a service account (else the normal user).
      const res = await passwordGrant(t, t.client('grant'), { account: t.settings.service ?? accountFor(t, 'user') });
      ensure(
        !hasAccessToken(res),
        'grant_type=password issued a token (RFC 9700 §2.4: MUST NOT be used)',
        '400 unsupported_grant_type',
        `${res.status} with access_token`,
      );
      const e = oauthError(res);
      ensure(
        e.status === 400 && (e.error === 'unsupported_grant_type' || e.error === 'unauthorized_client'),
        'grant_type=password was not refused as an unsupported grant',
        '400 unsupported_grant_type',
        describeErr(e),
      );
    },
  },
  {
    id: `${area}.access-token-lifetime`,
    title: 'access tokens live at most one hour',
    requirements: ['RFC6750-5.3', 'RFC6819-5.1.5.3'],
    level: 'SHOULD',
    severity: 'low',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const tokens = await codeTokens(t, session);
      const body = tokens.response.json as Record<string, unknown>;
      const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in);
      ensure(Number.isFinite(expiresIn), 'the token response has no numeric expires_in', 'expires_in ≤ 3600', String(body.expires_in));
      ensure(expiresIn <= 3600, 'access tokens live longer than one hour', 'expires_in ≤ 3600', String(expiresIn));
    },
  },
];
