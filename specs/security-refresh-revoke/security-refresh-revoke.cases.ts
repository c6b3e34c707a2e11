// Refresh tokens, revocation and introspection (checklist §2.3, §2.6): rotation and replay, races,
// scope and client binding, revocation that takes effect (at the auth service and at rest-api),
// revocation bound to the client, introspection that needs authorization and discloses nothing.
import type { ContractCase } from '../../helpers/case';
import { refreshGrant, tokensFrom } from '../../helpers/flows';
import type { HttpResponse } from '../../helpers/http';
import {
  describeErr,
  ensure,
  expectAccepted,
  fail,
  freshToken,
  grantedScopes,
  hasAccessToken,
  INTROSPECT,
  oauthError,
  otherClient,
  precondition,
  refusedEverywhere,
  revokedForCheck,
  revokeToken,
  setup,
  sleep,
  tokenInfo,
  tokensWithRefresh,
} from '../../helpers/kit';
import { revokeScopeCases } from './revoke-scope';

export const area = 'security-refresh-revoke';

/**
 * auth.cr allows a rotated refresh token again within a replay-grace window
 * (REFRESH_REVOCATION_GRACE_SECONDS, contract doc §6.5; PLACEOS_REFRESH_GRACE_SECONDS here); the
 * check waits one second past it before replaying. Rails has no window (revoke-on-use, §6.5).
 */
const graceWaitMs = (t: { settings: { refreshGraceSeconds: number } }) => (t.settings.refreshGraceSeconds + 1) * 1000;

function summary(res: HttpResponse): string {
  return hasAccessToken(res) ? `${res.status} with access_token` : describeErr(oauthError(res));
}

/** No token, and the documented refusal (RFC 6749 §5.2): a 5xx or any other answer is no refusal. */
function expectRefused(res: HttpResponse, what: string, expected: { status: number; error: string }): void {
  if (hasAccessToken(res)) fail(`${what} was redeemed`, `${expected.status} ${expected.error}`, summary(res));
  const e = oauthError(res);
  ensure(
    e.status === expected.status && e.error === expected.error,
    `${what} was refused, but not with the documented error`,
    `${expected.status} ${expected.error}`,
    describeErr(e),
  );
}

const INVALID_GRANT = { status: 400, error: 'invalid_grant' } as const;

export const cases: ContractCase[] = [
  {
    id: `${area}.refresh-rotation-replay`,
    title: 'refresh-token rotation: a refresh token that was used once is refused when replayed (after any replay-grace window)',
    requirements: ['RFC9700-4.14.2', 'RFC9700-2.2.2', 'RFC6819-5.2.2.3'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    waits: true,
    async run(t) {
      const first = await tokensWithRefresh(t);
      const refreshed = await refreshGrant(t, t.client('refresh'), { refreshToken: first.refreshToken });
      const rotated = await setup('the first refresh', async () => tokensFrom(refreshed, 'first refresh'));
      ensure(
        !!rotated.refreshToken && rotated.refreshToken !== first.refreshToken,
        'the refresh did not rotate the refresh token (a public client needs rotation or sender-constrained refresh tokens)',
        'a new refresh_token',
        rotated.refreshToken ? 'the same refresh_token' : 'no refresh_token',
      );
      if (t.contract.refreshTokens === 'jwt') await sleep(graceWaitMs(t));
      const replay = await refreshGrant(t, t.client('replay'), { refreshToken: first.refreshToken });
      expectRefused(replay, 'a used (rotated) refresh token', INVALID_GRANT);
    },
  },
  {
    id: `${area}.refresh-concurrent`,
    title: 'two concurrent refreshes with one refresh token: at most one succeeds',
    requirements: ['RFC9700-4.14.2'],
    level: 'SHOULD',
    severity: 'medium',
    tags: ['security', 'concurrency'],
    needs: ['user'],
    async run(t) {
      const tokens = await tokensWithRefresh(t);
      const results = await Promise.all([0, 1].map((i) => refreshGrant(t, t.client(`race-${i}`), { refreshToken: tokens.refreshToken })));
      const won = results.filter(hasAccessToken).length;
      precondition(won >= 1, 'refreshing the token', 'neither concurrent refresh succeeded', '1 success', results.map(summary).join(', '));
      ensure(won <= 1, 'one refresh token was redeemed by two concurrent requests', 'at most 1 success', results.map(summary).join(', '));
      expectRefused(results.find((r) => !hasAccessToken(r))!, 'the losing concurrent refresh', INVALID_GRANT);
    },
  },
  {
    id: `${area}.refresh-scope-not-widened`,
    title: 'a refresh cannot widen the scope of the original grant',
    requirements: ['RFC6749-6', 'RFC6749-3.3'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user', 'scopedClient'],
    async run(t) {
      const app = t.settings.scopedClient!;
      const narrow = app.scopes.includes('public') ? 'public' : app.scopes[0]!;
      const wider = app.scopes.filter((s) => s !== narrow);
      if (!wider.length) t.notApplicable('the scoped client has a single scope: nothing to widen to');
      const tokens = await freshToken(t, 'user', { app, scope: narrow });
      if (!tokens.refreshToken) t.notApplicable('no refresh_token issued to the scoped client');
      const original = grantedScopes(tokens);
      const res = await refreshGrant(t, t.client('refresh'), { refreshToken: tokens.refreshToken!, app, scope: [narrow, ...wider].join(' ') });
      if (!hasAccessToken(res)) {
        const e = oauthError(res);
        ensure(
          e.status === 400 && e.error === 'invalid_scope',
          'the widening refresh was refused, but not with the documented error',
          '400 invalid_scope',
          describeErr(e),
        );
        return;
      }
      const got = grantedScopes(tokensFrom(res, 'refresh'));
      const added = got.filter((s) => !original.includes(s));
      ensure(added.length === 0, 'the refresh granted scopes beyond the original grant', `at most ${original.join(' ')}`, `added ${added.join(' ')}`);
    },
  },
  {
    id: `${area}.refresh-bound-to-client`,
    title: "another client cannot redeem a client's refresh token",
    requirements: ['RFC6749-6', 'RFC6749-10.4', 'RFC6819-5.2.2.2'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user', 'scopedClient'],
    async run(t) {
      const other = otherClient(t);
      const tokens = await tokensWithRefresh(t);
      const res = await refreshGrant(t, t.client('attacker'), { refreshToken: tokens.refreshToken, app: other });
      expectRefused(res, 'a refresh token presented by a client it was not issued to', INVALID_GRANT);
    },
  },
  {
    id: `${area}.revoked-refresh-token-refused`,
    title: 'a revoked refresh token is refused at once',
    requirements: ['RFC7009-2.1'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const tokens = await tokensWithRefresh(t);
      await revokedForCheck(t, tokens.refreshToken, 'refresh_token');
      const res = await refreshGrant(t, t.client('refresh'), { refreshToken: tokens.refreshToken });
      expectRefused(res, 'a revoked refresh token', INVALID_GRANT);
    },
  },
  {
    id: `${area}.revoked-access-token-refused-at-auth`,
    title: 'a revoked access token is refused by the auth service (token/info: 401 invalid_token)',
    requirements: ['RFC7009-2.1', 'RFC6750-3.1'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const tokens = await freshToken(t, 'user');
      const before = await tokenInfo(t.client('info'), tokens.accessToken);
      precondition(before.status === 200, 'using the fresh token at token/info', 'token/info does not accept the fresh token', '200', String(before.status));
      await revokedForCheck(t, tokens.accessToken, 'access_token');
      const after = await tokenInfo(t.client('info'), tokens.accessToken);
      ensure(after.status === 401, 'token/info still accepts the revoked access token', '401 invalid_token', String(after.status));
    },
  },
  {
    id: `${area}.revoked-token-refused-at-rest-api`,
    title: 'a revoked access token is refused by rest-api in every transport (header, bearer_token param, cookie)',
    requirements: ['RFC7009-2.1', 'RFC6750-3.1', 'PLACEOS-IMPL-REVOKED-JWT'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const tokens = await freshToken(t, 'user');
      const api = t.client('api');
      await expectAccepted(api, tokens.accessToken, 'revocation check');
      await revokedForCheck(t, tokens.accessToken);
      const bad = await refusedEverywhere(api, tokens.accessToken);
      ensure(bad.length === 0, 'rest-api still accepts the revoked access token', '401 in every transport', bad.join(', '));
    },
  },
  {
    id: `${area}.revoke-other-client-refused`,
    title: "a client cannot revoke another client's token: refused, and the token keeps working",
    requirements: ['RFC7009-2.1'],
    level: 'MUST',
    severity: 'high',
    tags: ['security'],
    needs: ['user', 'scopedClient'],
    async run(t) {
      const other = otherClient(t);
      const tokens = await tokensWithRefresh(t);
      const rev = await revokeToken(t, tokens.refreshToken, { hint: 'refresh_token', app: other, client: t.client('attacker') });
      const res = await refreshGrant(t, t.client('refresh'), { refreshToken: tokens.refreshToken });
      ensure(hasAccessToken(res), "another client's revocation request revoked the token", 'the refresh token still works', summary(res));
      ensure(
        rev.status >= 400 && rev.status < 500,
        "another client's revocation request was not refused",
        '403 unauthorized_client (or 400/401)',
        String(rev.status),
      );
    },
  },
  {
    id: `${area}.introspection-requires-auth`,
    title: 'introspection without caller authorization discloses nothing',
    requirements: ['RFC7662-2.1', 'RFC7662-4'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'readonly'],
    needs: ['user'],
    async run(t) {
      const tokens = await freshToken(t, 'user');
      const res = await t.client('introspect').post(INTROSPECT, { form: { token: tokens.accessToken }, noCookies: true });
      const body = res.json as Record<string, unknown> | undefined;
      ensure(!(body && body.active === true), 'introspection answered for an unauthenticated caller', '400 invalid_request / 401', `${res.status} active:true`);
      ensure(res.status === 400 || res.status === 401, 'introspection without authorization was not refused', '400 invalid_request / 401', String(res.status));
    },
  },
  {
    id: `${area}.introspection-inactive-minimal`,
    title: 'introspection of a revoked or unknown token answers exactly {"active": false}',
    requirements: ['RFC7662-2.2'],
    level: 'MUST',
    severity: 'medium',
    tags: ['security'],
    needs: ['user'],
    async run(t) {
      const caller = await freshToken(t, 'user');
      const victim = await freshToken(t, 'user');
      await revokedForCheck(t, victim.accessToken);
      const problems: string[] = [];
      for (const [what, token] of [
        ['revoked token', victim.accessToken],
        ['unknown token', 'not-a-real-token-0123456789abcdef'],
      ] as const) {
        const res = await t
          .client('introspect')
          .post(INTROSPECT, { form: { token }, headers: { authorization: `Bearer ${caller.accessToken}` }, noCookies: true });
        const body = res.json as Record<string, unknown> | undefined;
        if (res.status !== 200 || !body || body.active !== false || Object.keys(body).length !== 1) {
          problems.push(`${what}: ${res.status} ${body ? `{${Object.keys(body).join(', ')}}${body.active === true ? ' active:true' : ''}` : '(no JSON)'}`);
        }
      }
      ensure(problems.length === 0, 'introspection of an inactive token is not exactly {"active": false}', '200 {"active": false}', problems.join('; '));
    },
  },
  // revocation scope (issue 22)
  ...revokeScopeCases(area),
];
