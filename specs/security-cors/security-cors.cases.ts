// CORS on the token endpoint and on rest-api (issue 22; RFC 9700 §4.7 for the cross-site context,
// the WHATWG CORS protocol for the headers): a page on a foreign origin must not be able
// to read a credentialed answer. Such a page gets the answer only when Access-Control-Allow-Origin
// names its origin (or `*`) together with Access-Control-Allow-Credentials: true; browsers refuse
// `*` with credentials, but a server sending it is misconfigured all the same. A deployment may
// allow its own origins or none: only a foreign origin is sent here.
import type { CaseContext, ContractCase } from '../../helpers/case';
import type { HttpResponse } from '../../helpers/http';
import { ensure, PROTECTED, TOKEN } from '../../helpers/kit';

export const area = 'security-cors';

/** An origin no deployment allows (RFC 2606 reserves .example). */
const FOREIGN_ORIGIN = 'https://attacker.example';

/** What a foreign page may do with this answer, or undefined when nothing. */
function credentialedGrant(res: HttpResponse): string | undefined {
  const allowOrigin = res.header('access-control-allow-origin')?.trim();
  const allowCredentials = res.header('access-control-allow-credentials')?.trim().toLowerCase() === 'true';
  if (!allowOrigin || !allowCredentials) return undefined;
  if (allowOrigin === FOREIGN_ORIGIN) return 'the foreign origin reflected with Access-Control-Allow-Credentials: true';
  if (allowOrigin === '*') return 'Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true';
  return undefined;
}

interface Probe {
  what: string;
  send: (t: CaseContext) => Promise<HttpResponse>;
}

/** The simple request a foreign page can send, and the preflight of the one it would like to send. */
function probes(path: string, method: 'GET' | 'POST', requestHeaders: string): Probe[] {
  const origin = { origin: FOREIGN_ORIGIN };
  return [
    {
      what: `${method} with a foreign Origin`,
      send: (t) =>
        method === 'POST'
          ? t
              .client('cors')
              .post(path, { headers: origin, noCookies: true, form: { grant_type: 'refresh_token', refresh_token: 'not-a-real-refresh-token-0123456789' } })
          : t.client('cors').get(path, { headers: origin, noCookies: true }),
    },
    {
      what: `the preflight (OPTIONS, Access-Control-Request-Method: ${method})`,
      send: (t) =>
        t.client('cors').request('OPTIONS', path, {
          headers: { ...origin, 'access-control-request-method': method, 'access-control-request-headers': requestHeaders },
          noCookies: true,
        }),
    },
  ];
}

function corsCase(o: { name: string; title: string; path: string; method: 'GET' | 'POST'; requestHeaders: string }): ContractCase {
  return {
    id: `${area}.${o.name}`,
    title: o.title,
    requirements: ['RFC9700-4.7', 'PLACEOS-IMPL-CORS'],
    level: 'MUST',
    severity: 'high',
    tags: ['security', 'readonly'],
    async run(t) {
      const granted: string[] = [];
      for (const p of probes(o.path, o.method, o.requestHeaders)) {
        const res = await p.send(t);
        const grant = credentialedGrant(res);
        if (grant) granted.push(`${p.what}: ${grant}`);
      }
      ensure(
        granted.length === 0,
        'a foreign origin may read credentialed answers',
        `no Access-Control-Allow-Origin for ${FOREIGN_ORIGIN} (nor *) with credentials`,
        granted.join('; '),
      );
    },
  };
}

export const cases: ContractCase[] = [
  corsCase({
    name: 'token-endpoint',
    title: 'the token endpoint does not let a foreign origin read its answers with credentials (request and preflight)',
    path: TOKEN,
    method: 'POST',
    requestHeaders: 'content-type',
  }),
  corsCase({
    name: 'rest-api',
    title: 'rest-api does not let a foreign origin read its answers with credentials (request and preflight)',
    path: PROTECTED,
    method: 'GET',
    requestHeaders: 'authorization',
  }),
];
