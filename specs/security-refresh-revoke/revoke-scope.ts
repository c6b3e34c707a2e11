// Revocation scope (issue 22; RFC 7009 §2.1, §2.2): a client revokes only the tokens issued to it,
// in both directions between a public and a confidential client; a refused revocation tells the
// caller nothing about the token; revoking a refresh token also ends the access token of its grant
// (a SHOULD), observed at the auth service (introspection) and at rest-api, each on its own row.
// Rows of the security-refresh-revoke area (the area's table spreads them in).
import type { CaseContext, ContractCase } from '../../helpers/case';
import type { ClientApp } from '../../helpers/config';
import { accountFor, refreshGrant, type Tokens } from '../../helpers/flows';
import type { HttpResponse } from '../../helpers/http';
import {
  expectAccepted,
  ensure,
  fail,
  INTROSPECT,
  precondition,
  refusedEverywhere,
  revokedForCheck,
  revokeToken,
  tokenInfo,
  tokensWithRefresh,
} from '../../helpers/kit';

/** A token answer an RFC 7009 §2.1 refusal may carry: the RFC 6749 §5.2 members, nothing about the token. */
const REFUSAL_MEMBERS = ['error', 'error_description', 'error_uri'];
const REFUSAL_ERRORS = ['unauthorized_client', 'invalid_client', 'invalid_request', 'access_denied'];

/** What a revocation answer looked like: status, and the members of a JSON body. */
function shape(res: HttpResponse): string {
  const body = res.json;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const keys = Object.keys(body);
    const error = (body as Record<string, unknown>).error;
    return `${res.status} {${keys.join(', ')}}${typeof error === 'string' ? ` ${error}` : ''}`;
  }
  return `${res.status}${res.text ? ` (${res.text.length}-byte body)` : ' (empty)'}`;
}

function confidential(t: CaseContext): ClientApp {
  const app = t.settings.confidentialClient!;
  if (app.clientId === t.settings.client.clientId) t.notApplicable('the confidential client has the same client_id as the main client');
  return app;
}

/**
 * `victim`'s tokens, revoked (access and refresh token, each with its hint) by `attacker`; both
 * must keep working afterwards, and each revocation must be refused (RFC 7009 §2.1).
 */
async function foreignRevocationHasNoEffect(t: CaseContext, o: { victim: ClientApp; attacker: ClientApp }): Promise<void> {
  const tokens = await tokensWithRefresh(t, 'user', { app: o.victim });
  // The control: token/info accepts the fresh token, so a refusal afterwards is the revocation's doing.
  const before = await tokenInfo(t.client('info'), tokens.accessToken);
  precondition(before.status === 200, 'using the fresh token at token/info', 'token/info does not accept the fresh token', '200', String(before.status));
  const revokes: HttpResponse[] = [];
  for (const [token, hint] of [
    [tokens.accessToken, 'access_token'],
    [tokens.refreshToken, 'refresh_token'],
  ] as const)
    revokes.push(await revokeToken(t, token, { hint, app: o.attacker, client: t.client('attacker') }));
  const info = await tokenInfo(t.client('info'), tokens.accessToken);
  ensure(info.status === 200, "another client's revocation request revoked the access token", 'token/info 200', `token/info ${info.status}`, {
    step: 'the access token at token/info after the foreign revocation',
  });
  const refreshed = await refreshGrant(t, t.client('refresh'), { refreshToken: tokens.refreshToken, app: o.victim });
  ensure(refreshed.status === 200, "another client's revocation request revoked the refresh token", 'refresh 200', `refresh ${refreshed.status}`, {
    step: 'the refresh token after the foreign revocation',
  });
  const accepted = revokes.map((r) => r.status).filter((s) => s < 400 || s >= 500);
  ensure(accepted.length === 0, "another client's revocation request was not refused", '403 unauthorized_client (or 400/401)', accepted.join(', '));
}

/** Members of a body that name the token, its client or its user (they must not be disclosed). */
function disclosed(res: HttpResponse, t: CaseContext, token: Tokens, owner: ClientApp): string[] {
  const account = accountFor(t, 'user');
  const text = `${res.text} ${JSON.stringify(res.headers)}`.toLowerCase();
  const found: string[] = [];
  if (text.includes(account.email.toLowerCase())) found.push("the user's email");
  if (text.includes(owner.clientId.toLowerCase())) found.push("the token's client_id");
  if (text.includes(token.accessToken.toLowerCase())) found.push('the token');
  const body = res.json;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const extra = Object.keys(body as Record<string, unknown>).filter((k) => !REFUSAL_MEMBERS.includes(k));
    if (extra.length) found.push(`members ${extra.join(', ')}`);
  }
  return found;
}

export function revokeScopeCases(area: string): ContractCase[] {
  return [
    {
      id: `${area}.revoke-confidential-token-by-public-client`,
      title: "the public client cannot revoke a confidential client's tokens: refused, and both tokens keep working",
      requirements: ['RFC7009-2.1', 'RFC6819-5.2.2.2'],
      level: 'MUST',
      severity: 'high',
      tags: ['security'],
      needs: ['user', 'confidentialClient'],
      async run(t) {
        await foreignRevocationHasNoEffect(t, { victim: confidential(t), attacker: t.settings.client });
      },
    },
    {
      id: `${area}.revoke-public-token-by-confidential-client`,
      title: "a confidential client cannot revoke the public client's tokens: refused, and both tokens keep working",
      requirements: ['RFC7009-2.1', 'RFC6819-5.2.2.2'],
      level: 'MUST',
      severity: 'high',
      tags: ['security'],
      needs: ['user', 'confidentialClient'],
      async run(t) {
        await foreignRevocationHasNoEffect(t, { victim: t.settings.client, attacker: confidential(t) });
      },
    },
    {
      id: `${area}.revoke-refusal-discloses-nothing`,
      title:
        "revoking another client's token tells the caller nothing about it: the answer equals the one for an unknown token (200), or is the bare RFC 6749 error of a refusal",
      requirements: ['RFC7009-2.2', 'RFC7009-2.2.1'],
      level: 'MUST',
      severity: 'medium',
      tags: ['security'],
      needs: ['user', 'confidentialClient'],
      async run(t) {
        const owner = confidential(t);
        const tokens = await tokensWithRefresh(t, 'user', { app: owner });
        const attacker = t.client('attacker');
        const unknown = await revokeToken(t, `unknown-${tokens.accessToken.length}-0123456789abcdef0123456789abcdef`, {
          app: t.settings.client,
          client: attacker,
        });
        ensure(unknown.status === 200, 'revoking an unknown token was not answered 200 (RFC 7009 §2.2)', '200', shape(unknown), {
          step: 'revoking a random unknown token',
        });
        const foreign = await revokeToken(t, tokens.accessToken, { hint: 'access_token', app: t.settings.client, client: attacker });
        const leaks = disclosed(foreign, t, tokens, owner);
        ensure(leaks.length === 0, "the answer to revoking another client's token discloses it", 'nothing about the token', leaks.join(', '));
        if (foreign.status === unknown.status && foreign.text === unknown.text) return;
        const error = (foreign.json as Record<string, unknown> | undefined)?.error;
        ensure(
          foreign.status >= 400 && foreign.status < 500 && typeof error === 'string' && REFUSAL_ERRORS.includes(error),
          "revoking another client's token is answered unlike an unknown token, and not with the RFC 6749 §5.2 refusal either",
          `${shape(unknown)} (as for an unknown token) or 403 unauthorized_client`,
          shape(foreign),
        );
      },
    },
    {
      id: `${area}.revoked-refresh-ends-grant-at-auth`,
      title: 'revoking a refresh token also ends the access token of its grant at the auth service (introspection: inactive)',
      requirements: ['RFC7009-2.1', 'RFC7662-2.2'],
      level: 'SHOULD',
      severity: 'medium',
      tags: ['security'],
      needs: ['user'],
      async run(t) {
        const caller = await tokensWithRefresh(t, 'user');
        const tokens = await tokensWithRefresh(t, 'user');
        const introspect = (token: string) =>
          t.client('introspect').post(INTROSPECT, { form: { token }, headers: { authorization: `Bearer ${caller.accessToken}` }, noCookies: true });
        const before = await introspect(tokens.accessToken);
        precondition(
          before.status === 200 && (before.json as Record<string, unknown> | undefined)?.active === true,
          'introspecting the fresh access token',
          'introspection does not report the fresh access token active',
          '200 active:true',
          shape(before),
        );
        await revokedForCheck(t, tokens.refreshToken, 'refresh_token');
        const after = await introspect(tokens.accessToken);
        const active = (after.json as Record<string, unknown> | undefined)?.active;
        if (after.status !== 200 || typeof active !== 'boolean')
          fail('introspection of the access token gave no answer', '200 {"active": false}', shape(after));
        ensure(active === false, "the grant's access token is still active after its refresh token was revoked", 'active: false', 'active: true');
      },
    },
    {
      id: `${area}.revoked-refresh-ends-grant-at-rest-api`,
      title: 'revoking a refresh token also ends the access token of its grant at rest-api (refused in every transport)',
      requirements: ['RFC7009-2.1', 'PLACEOS-IMPL-REVOKED-JWT'],
      level: 'SHOULD',
      severity: 'medium',
      tags: ['security'],
      needs: ['user'],
      async run(t) {
        const tokens = await tokensWithRefresh(t, 'user');
        const api = t.client('api');
        await expectAccepted(api, tokens.accessToken, 'the fresh access token at rest-api');
        await revokedForCheck(t, tokens.refreshToken, 'refresh_token');
        const bad = await refusedEverywhere(api, tokens.accessToken);
        ensure(
          bad.length === 0,
          "rest-api still accepts the grant's access token after its refresh token was revoked",
          '401 in every transport',
          bad.join(', '),
        );
      },
    },
  ];
}
