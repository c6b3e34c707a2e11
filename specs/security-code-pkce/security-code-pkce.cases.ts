// Authorization code grant and PKCE (checklist §2.2): single use (also under a race), binding to
// client and redirect_uri, every PKCE downgrade, state integrity, no tokens in the front channel,
// no implicit grant, no CORS at authorize.
import type { ContractCase } from '../../helpers/case';
import { authorize, exchangeCode, tokensFrom } from '../../helpers/flows';
import type { HttpResponse } from '../../helpers/http';
import { createVerifier, pkcePair } from '../../helpers/pkce';
import {
  authorizeOutcome,
  authorizeRefusal,
  describeAuthorize,
  describeErr,
  echoesToken,
  ensure,
  fail,
  freshCode,
  hasAccessToken,
  oauthError,
  otherClient,
  precondition,
  setup,
  signedIn,
  sleep,
  tokenInfo,
} from '../../helpers/kit';

export const area = 'security-code-pkce';

function tokenSummary(res: HttpResponse): string {
  return hasAccessToken(res) ? `${res.status} with access_token` : describeErr(oauthError(res));
}

/** The error must match this generation's documented one (t.contract.errors.*). */
function expectRefused(res: HttpResponse, what: string, expected: { status: number; error?: string }): void {
  if (hasAccessToken(res)) fail(`${what}: a token was issued`, describeErr(expected), tokenSummary(res));
  const e = oauthError(res);
  ensure(
    e.status === expected.status && (expected.error === undefined || e.error === expected.error),
    `${what}: refused, but not with the documented error`,
    describeErr(expected),
    describeErr(e),
  );
}

/** A 128-character state of unreserved characters (catches truncation). */
function longState(): string {
  return createVerifier(128);
}

/** State with URL-reserved and special characters (all VSCHAR, RFC 6749 App. A.5). */
const RESERVED_STATE = 'a:b/c?d#e[f]g@h!i$j&k\'l(m)n*o+p,q;r=s%t u~v.w_x-y"z<>{}|\\^`';

export const cases: ContractCase[] = [
  {
    id: `${area}.code-single-use`,
    title: 'an authorization code is single use: the second redemption gets 400 invalid_grant',
    requirements: ['RFC6749-4.1.2', 'RFC6749-10.5', 'RFC6819-5.1.5.4'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const c = await freshCode(t, session);
      const first = await exchangeCode(t, session, { code: c.code, verifier: c.verifier });
      await setup('the first code exchange', async () => tokensFrom(first, 'first code exchange'));
      const second = await exchangeCode(t, t.client('replay'), { code: c.code, verifier: c.verifier });
      expectRefused(second, 'the same code redeemed a second time', { status: 400, error: 'invalid_grant' });
    },
  },
  {
    id: `${area}.code-expires`,
    title: 'an authorization code expires shortly after it is issued: redeemed after its lifetime it gets 400 invalid_grant',
    requirements: ['RFC6749-4.1.2', 'RFC6819-5.1.5.3'],
    level: 'MUST',
    severity: 'medium',
    tags: ['security'],
    // Opt-in: the check waits the deployment's code lifetime out (PlaceOS: 600 s by default).
    needs: ['user', 'codeLifetime'],
    waits: true,
    async run(t) {
      const { session } = await signedIn(t);
      // The client the lifetime applies to (PLACEOS_CODE_LIFETIME_CLIENT_ID, default the main one).
      const app = { ...t.settings.client, clientId: t.settings.codeLifetimeClientId ?? t.settings.client.clientId };
      const c = await freshCode(t, session, { app });
      await sleep((t.settings.codeLifetimeSeconds! + 1) * 1000);
      const late = await exchangeCode(t, session, { code: c.code, verifier: c.verifier, app });
      expectRefused(late, `the code redeemed ${t.settings.codeLifetimeSeconds! + 1} s after it was issued`, { status: 400, error: 'invalid_grant' });
    },
  },
  {
    id: `${area}.code-concurrent-redeem`,
    title: 'two concurrent redemptions of one code: at most one gets a token',
    requirements: ['RFC6749-10.5', 'RFC6749-4.1.2'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'concurrency'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const c = await freshCode(t, session);
      const results = await Promise.all([0, 1].map((i) => exchangeCode(t, t.client(`race-${i}`), { code: c.code, verifier: c.verifier })));
      const won = results.filter(hasAccessToken).length;
      ensure(won <= 1, 'one code was redeemed twice by concurrent requests', 'at most 1 token', `${won} tokens (${results.map(tokenSummary).join(', ')})`);
      precondition(won === 1, 'redeeming the code', 'neither concurrent redemption got a token', '1 token', results.map(tokenSummary).join(', '));
      const loser = results.find((r) => !hasAccessToken(r))!;
      expectRefused(loser, 'the losing concurrent redemption', { status: 400, error: 'invalid_grant' });
    },
  },
  {
    id: `${area}.code-reuse-revokes-tokens`,
    title: 'after a code is replayed, the tokens issued from its first redemption are revoked',
    requirements: ['RFC6749-4.1.2', 'RFC6819-5.2.1.1'],
    level: 'SHOULD',
    severity: 'medium',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const c = await freshCode(t, session);
      const first = await exchangeCode(t, session, { code: c.code, verifier: c.verifier });
      const tokens = await setup('the first code exchange', async () => tokensFrom(first, 'first code exchange'));
      const second = await exchangeCode(t, t.client('replay'), { code: c.code, verifier: c.verifier });
      // A replay that gets a token is code-single-use's failure; here it leaves nothing to judge.
      precondition(!hasAccessToken(second), 'replaying the code', 'the replayed code got a token (see code-single-use)');
      const info = await tokenInfo(t.client('info'), tokens.accessToken);
      ensure(info.status === 401, 'the token from the first redemption still works at token/info after the code was replayed', '401', String(info.status));
    },
  },
  {
    id: `${area}.code-bound-to-client`,
    title: "another client cannot redeem a client's authorization code",
    requirements: ['RFC6749-4.1.3', 'RFC6819-5.2.4.4'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user', 'scopedClient'],
    async run(t) {
      const other = otherClient(t);
      const { session } = await signedIn(t);
      const c = await freshCode(t, session);
      const res = await exchangeCode(t, t.client('attacker'), { code: c.code, app: other, redirectUri: t.settings.client.redirectUri, verifier: c.verifier });
      expectRefused(res, 'another client redeeming the code', { status: 400, error: 'invalid_grant' });
    },
  },
  {
    id: `${area}.code-bound-to-redirect-uri`,
    title: 'the token request must repeat the redirect_uri of the authorization request: altered or omitted is refused',
    requirements: ['RFC6749-4.1.3', 'RFC6749-10.6', 'RFC6819-5.2.4.5'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const registered = t.settings.client.redirectUri;
      const u = new URL(registered);
      u.pathname = u.pathname.replace(/[^/]*$/, 'attacker-callback');
      const { session } = await signedIn(t);
      const a = await freshCode(t, session);
      const altered = await exchangeCode(t, t.client('exchange'), { code: a.code, verifier: a.verifier, redirectUri: u.toString() });
      expectRefused(altered, 'a different redirect_uri at the token endpoint', t.contract.errors.redirectMismatchAtToken);
      const b = await freshCode(t, session);
      const omitted = await exchangeCode(t, t.client('exchange'), { code: b.code, verifier: b.verifier, redirectUri: null });
      expectRefused(omitted, 'no redirect_uri at the token endpoint (the authorization request had one)', { status: 400 });
    },
  },
  {
    id: `${area}.pkce-wrong-verifier`,
    title: 'a code issued with an S256 challenge is refused with a wrong code_verifier',
    requirements: ['RFC7636-4.6', 'RFC9700-2.1.1'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const c = await freshCode(t, session);
      const wrong = createVerifier(c.verifier!.length);
      const res = await exchangeCode(t, session, { code: c.code, verifier: wrong });
      expectRefused(res, 'a wrong code_verifier', t.contract.errors.wrongVerifier);
    },
  },
  {
    id: `${area}.pkce-missing-verifier`,
    title: 'a code issued with an S256 challenge is refused without a code_verifier',
    requirements: ['RFC7636-4.6', 'RFC7636-4.4', 'RFC9700-2.1.1'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const c = await freshCode(t, session);
      const res = await exchangeCode(t, session, { code: c.code });
      expectRefused(res, 'no code_verifier', t.contract.errors.missingVerifier);
    },
  },
  {
    id: `${area}.pkce-downgrade-challenge-removed`,
    title: 'PKCE downgrade, challenge removed: a code issued with a challenge is refused when the verifier is stripped to an empty value',
    requirements: ['RFC7636-4.4', 'RFC7636-4.6', 'RFC9700-4.8.2'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const c = await freshCode(t, session);
      const res = await exchangeCode(t, session, { code: c.code, extra: { code_verifier: '' } });
      expectRefused(res, 'an empty code_verifier for a code issued with a code_challenge', t.contract.errors.missingVerifier);
    },
  },
  {
    id: `${area}.pkce-downgrade-verifier-without-challenge`,
    title: 'PKCE downgrade: a code_verifier for a code issued without any code_challenge is refused',
    requirements: ['RFC9700-4.8.2', 'RFC9700-2.1.1'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const c = await freshCode(t, session, { pkce: 'none' });
      const res = await exchangeCode(t, session, { code: c.code, verifier: createVerifier(64) });
      expectRefused(res, 'a code_verifier for a code issued without code_challenge', t.contract.errors.wrongVerifier);
    },
  },
  {
    id: `${area}.pkce-downgrade-s256-as-plain`,
    title: 'PKCE downgrade S256 → plain: sending the S256 challenge itself as the verifier is refused',
    requirements: ['RFC7636-4.6', 'RFC7636-7.2', 'RFC9700-4.8.2'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const c = await freshCode(t, session);
      const res = await exchangeCode(t, session, { code: c.code, verifier: c.challenge });
      expectRefused(res, 'the S256 challenge sent as its own verifier (compared as plain)', t.contract.errors.wrongVerifier);
    },
  },
  {
    id: `${area}.pkce-plain-refused`,
    title: 'code_challenge_method=plain is not accepted (S256 only)',
    requirements: ['RFC7636-7.2', 'RFC9700-2.1.1'],
    level: 'SHOULD',
    severity: 'medium',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const pair = pkcePair('plain');
      t.secrets.add(pair.verifier, 'code_verifier');
      const res = await authorize(t, session, { state: 'plain', codeChallenge: pair.challenge, codeChallengeMethod: 'plain' });
      const code = res.location?.searchParams.get('code');
      if (code) {
        const tok = await exchangeCode(t, session, { code, verifier: pair.verifier });
        ensure(
          !hasAccessToken(tok),
          'code_challenge_method=plain was accepted end to end',
          'invalid_request at authorize',
          `a code, then ${tokenSummary(tok)}`,
        );
      }
      ensure(
        !!authorizeRefusal(res, t.settings.client.redirectUri),
        `authorize did not refuse code_challenge_method=plain (${describeAuthorize(res)})`,
        'invalid_request (error page or error redirect)',
        authorizeOutcome(res, t.settings.client.redirectUri),
      );
    },
  },
  {
    id: `${area}.pkce-unsupported-method`,
    title: 'an unsupported code_challenge_method (S512) is refused at authorize, with no code',
    requirements: ['RFC7636-4.4.1'],
    level: 'SHOULD',
    severity: 'medium',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const pair = pkcePair('S256');
      const res = await authorize(t, session, { state: 'method', codeChallenge: pair.challenge, codeChallengeMethod: 'S512' });
      ensure(
        !!authorizeRefusal(res, t.settings.client.redirectUri),
        `authorize did not refuse code_challenge_method=S512 (${describeAuthorize(res)})`,
        'invalid_request (error page or error redirect)',
        authorizeOutcome(res, t.settings.client.redirectUri),
      );
    },
  },
  {
    id: `${area}.state-echoed-long`,
    title: 'a 128-character state is echoed byte for byte in the authorize redirect',
    requirements: ['RFC6749-4.1.2', 'RFC6749-10.12'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const state = longState();
      const c = await freshCode(t, session, { state });
      const got = c.response.location?.searchParams.get('state');
      ensure(got !== null && got !== undefined, 'the authorize redirect dropped state', 'state (128 characters)', '(none)');
      ensure(
        got === state,
        'the authorize redirect changed state',
        `the same 128 characters`,
        `${got.length} characters${got.length === state.length ? ' (different)' : ''}`,
      );
    },
  },
  {
    id: `${area}.state-echoed-reserved`,
    title: 'a state with URL-reserved and special characters is echoed exactly',
    requirements: ['RFC6749-4.1.2', 'RFC6749-10.12', 'RFC6819-5.3.5'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const c = await freshCode(t, session, { state: RESERVED_STATE });
      const got = c.response.location?.searchParams.get('state');
      ensure(got !== null && got !== undefined, 'the authorize redirect dropped state', JSON.stringify(RESERVED_STATE), '(none)');
      ensure(got === RESERVED_STATE, 'the authorize redirect changed state', JSON.stringify(RESERVED_STATE), JSON.stringify(got));
    },
  },
  {
    id: `${area}.no-token-in-redirect`,
    title: 'the code-flow authorize redirect carries no access token (query or fragment)',
    requirements: ['RFC9700-2.1.2', 'RFC6749-4.1.2'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const c = await freshCode(t, session);
      const loc = c.response.location!;
      const frag = new URLSearchParams(loc.hash.replace(/^#/, ''));
      const leaked = ['access_token', 'refresh_token', 'id_token'].filter((k) => loc.searchParams.has(k) || frag.has(k));
      ensure(
        leaked.length === 0,
        'the authorize redirect URL carries tokens (they end up in history, logs and Referer)',
        'only code and state',
        leaked.join(', '),
      );
      const exchanged = await exchangeCode(t, session, { code: c.code, verifier: c.verifier });
      const tokens = await setup('the code exchange', async () => tokensFrom(exchanged, 'code exchange'));
      ensure(!echoesToken(loc.toString(), tokens.accessToken), 'the authorize redirect URL carries the access token');
    },
  },
  {
    id: `${area}.implicit-disabled`,
    title: 'response_type=token (implicit grant) is not served',
    requirements: ['RFC9700-2.1.2'],
    level: 'SHOULD',
    severity: 'medium',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const res = await authorize(t, session, { responseType: 'token', state: 'implicit' });
      const loc = res.location;
      const frag = new URLSearchParams((loc?.hash ?? '').replace(/^#/, ''));
      const token = frag.get('access_token') ?? loc?.searchParams.get('access_token');
      if (token) t.minted({ accessToken: token, clientId: t.settings.client.clientId, clientSecret: t.settings.client.clientSecret });
      ensure(!token, 'the implicit grant issued an access token in the redirect', 'unsupported_response_type', `${res.status} with access_token`);
      ensure(
        !!authorizeRefusal(res, t.settings.client.redirectUri),
        `authorize did not refuse response_type=token (${describeAuthorize(res)})`,
        'unsupported_response_type (error page or error redirect)',
        authorizeOutcome(res, t.settings.client.redirectUri),
      );
    },
  },
  {
    id: `${area}.authorize-no-cors`,
    title: 'the authorization endpoint does not allow CORS',
    requirements: ['RFC9700-2.6'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'readonly'],
    needs: ['user'],
    async run(t) {
      const { session } = await signedIn(t);
      const origin = 'https://attacker.example';
      const pair = pkcePair('S256');
      const q = {
        response_type: 'code',
        client_id: t.settings.client.clientId,
        redirect_uri: t.settings.client.redirectUri,
        state: 'cors',
        code_challenge: pair.challenge,
        code_challenge_method: 'S256',
      };
      const pre = await session.request('OPTIONS', '/auth/oauth/authorize', { query: q, headers: { origin, 'access-control-request-method': 'GET' } });
      const get = await session.get('/auth/oauth/authorize', { query: q, headers: { origin } });
      const code = get.location?.searchParams.get('code');
      if (code) t.secrets.add(code, 'code');
      precondition(
        !!code,
        'authorize with an Origin header',
        'authorize did not redirect with a code, so what it answers cross-origin is unknown',
        '302 with code',
        describeAuthorize(get),
      );
      const bad = [
        ['OPTIONS', pre],
        ['GET', get],
      ].filter(([, r]) => !!(r as HttpResponse).header('access-control-allow-origin'));
      ensure(
        bad.length === 0,
        'the authorization endpoint answers cross-origin requests with Access-Control-Allow-Origin',
        'no Access-Control-Allow-Origin',
        bad.map(([m, r]) => `${m as string}: ${(r as HttpResponse).header('access-control-allow-origin')}`).join('; '),
      );
    },
  },
];
