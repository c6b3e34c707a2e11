// SSO kick-off and login (contract §3.11; public doc "SSO login, GET /auth/oauth2?id=oauth2-id").
// With PLACEOS_SSO_ID, /auth/oauth2?id= sends the browser to the identity provider as an OAuth2
// client would. The full login follows the redirects by hand with one cookie jar: against the
// reference target its stub IdP approves at once; against a live IdP the login page stops it.
import type { CaseContext, ContractCase } from '../../helpers/case';
import { authorize, codeFrom } from '../../helpers/flows';
import type { HttpClient, HttpResponse } from '../../helpers/http';
import { pkcePair } from '../../helpers/pkce';
import { ensure as must, expectStatus, isDeletion, parseSetCookies } from '../../helpers/kit';

export const area = 'sso';

const SSO_REQ = ['PLACEOS-DOC-SSO-LOGIN', 'PLACEOS-IMPL-SSO'];

async function kickOff(t: CaseContext, client: HttpClient): Promise<{ res: HttpResponse; idp: URL }> {
  const res = await client.get('/auth/oauth2', { query: { id: t.settings.ssoId! } });
  expectStatus(res, 302, 'SSO kick-off');
  const idp = res.location;
  must(idp, 'SSO kick-off: no Location', 'a Location to the identity provider', 'none');
  return { res, idp };
}

/** The parameters an OAuth2 client sends to the identity provider (RFC 6749 §4.1.1). */
const IDP_PARAMS: { name: string; check: (v: string | null, t: CaseContext) => boolean; expected: string }[] = [
  { name: 'response_type', check: (v) => v === 'code', expected: 'code' },
  { name: 'client_id', check: (v) => !!v, expected: 'the strategy client_id' },
  { name: 'redirect_uri', check: (v, t) => !!v && new URL(v).host === new URL(t.settings.url).host && new URL(v).pathname.startsWith('/auth/oauth2/callback'), expected: 'this deployment /auth/oauth2/callback…' },
  { name: 'state', check: (v) => !!v && v.length >= 8, expected: 'an unguessable state (8+ characters)' },
];

export const cases: ContractCase[] = [
  {
    id: `${area}.kickoff`,
    title: 'GET /auth/oauth2?id= redirects (302) to the identity provider with response_type=code, client_id, redirect_uri (the callback) and state',
    requirements: SSO_REQ,
    level: 'MUST',
    severity: 'medium',
    tags: ['readonly'],
    needs: ['ssoId'],
    async run(t) {
      const { idp } = await kickOff(t, t.client('sso'));
      for (const p of IDP_PARAMS) {
        const v = idp.searchParams.get(p.name);
        must(p.check(v, t), `SSO kick-off: ${p.name} is not what an OAuth2 client sends`, p.expected, v === null ? 'absent' : p.name === 'state' ? `${v.length} characters` : v);
      }
    },
  },
  {
    id: `${area}.state-differs`,
    title: 'two SSO kick-offs get different state values (state is not a constant)',
    requirements: [...SSO_REQ, 'RFC6749-10.12'],
    level: 'MUST',
    severity: 'medium',
    tags: ['readonly', 'security'],
    needs: ['ssoId'],
    async run(t) {
      const a = (await kickOff(t, t.client('sso-a'))).idp.searchParams.get('state');
      const b = (await kickOff(t, t.client('sso-b'))).idp.searchParams.get('state');
      must(a && b && a !== b, 'SSO kick-off: the state is the same on two kick-offs', 'different values', 'the same value');
    },
  },
  {
    id: `${area}.login-to-session`,
    title: 'the whole SSO login (kick-off → identity provider → callback) ends in a session cookie that then authorizes a code',
    requirements: [...SSO_REQ, 'PLACEOS-IMPL-COOKIES', 'PLACEOS-DOC-AUTHCODE-FLOW'],
    level: 'MUST',
    severity: 'high',
    tags: ['session'],
    needs: ['ssoId'],
    async run(t) {
      const client = t.client('sso-browser');
      const { idp } = await kickOff(t, client);
      const atIdp = await client.get(idp.toString());
      must(atIdp.status >= 300 && atIdp.status < 400 && atIdp.location, 'the identity provider did not redirect back (a live IdP shows a login page here)', 'a redirect to the callback', String(atIdp.status));
      const back = atIdp.location;
      must(back.host === new URL(t.settings.url).host, 'the identity provider redirected elsewhere than the callback', new URL(t.settings.url).host, back.host);
      t.secrets.add(back.searchParams.get('code') ?? undefined, 'code');
      const callback = await client.get(back.toString());
      expectStatus(callback, [302, 303], 'SSO callback');
      must(callback.location && !callback.location.pathname.startsWith('/auth/failure'), 'SSO callback went to /auth/failure', 'a redirect to continue or /', callback.location?.pathname ?? 'none');
      const session = parseSetCookies(callback).find((c) => c.name === t.contract.sessionCookie && !isDeletion(c));
      must(session, `the SSO callback did not set the session cookie ${t.contract.sessionCookie}`, t.contract.sessionCookie, parseSetCookies(callback).map((c) => c.name).join(', ') || 'no Set-Cookie');
      t.secrets.add(session.value, 'cookie');
      const pair = pkcePair('S256');
      const res = await authorize(t, client, { state: 'contract-sso', codeChallenge: pair.challenge, codeChallengeMethod: 'S256' });
      codeFrom(res);
    },
  },
];
