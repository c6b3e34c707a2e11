// Discovery metadata (OpenID Connect Discovery 1.0 §3, §4.3; RFC 8414 §2, §3.3; contract §12.2):
// the document at /.well-known/openid-configuration names this deployment as its issuer, keeps
// every endpoint on the origin it was fetched from, points jwks_uri at the key that really
// verifies the deployment's tokens, and advertises the algorithm those tokens use. Generations
// without OIDC routes (contract §3.10) have no document: the rows are n/a there.
// The document's shape and its fixed paths are lifecycle.discovery / lifecycle.jwks (one fact, one check).
import { importJWK, type JWK } from 'jose';
import type { CaseContext, ContractCase } from '../../helpers/case';
import { decodeJwt, verifyWithPublicKey } from '../../helpers/jwt';
import type { Severity } from '../../helpers/model';
import { ensure, expectSchema, expectStatus, freshToken } from '../../helpers/kit';

export const area = 'discovery';

const DISCOVERY = '/.well-known/openid-configuration';

type Doc = Record<string, unknown>;

/** The discovery document and the URL it was fetched from; n/a where the generation has none. */
async function discovery(t: CaseContext): Promise<{ doc: Doc; fetchedFrom: string; origin: string }> {
  if (!t.contract.oidc) t.notApplicable(`${t.contract.label} serves no discovery document (contract §3.10)`);
  const client = t.client('discovery');
  const res = await client.get(DISCOVERY);
  expectStatus(res, 200, `GET ${DISCOVERY}`);
  ensure(
    !!res.json && typeof res.json === 'object' && !Array.isArray(res.json),
    'the discovery document is not a JSON object',
    'a JSON object',
    res.text.slice(0, 60),
  );
  const base = client.baseUrl.replace(/\/+$/, '');
  return { doc: res.json as Doc, fetchedFrom: base, origin: new URL(base).origin };
}

const originOf = (u: unknown): string | undefined => {
  try {
    return typeof u === 'string' ? new URL(u).origin : undefined;
  } catch {
    return undefined;
  }
};

/** A value described without the deployment's host and port (ledger entries match it across runs). */
function relativeTo(base: string, value: unknown): string {
  if (typeof value !== 'string') return `not a string (${value === undefined ? 'absent' : typeof value})`;
  if (value.startsWith(base)) return `the URL fetched from + "${value.slice(base.length)}"`;
  const o = originOf(value);
  if (!o) return 'not an absolute URL';
  return o === new URL(base).origin ? `the same origin, path ${new URL(value).pathname}` : 'a URL on another origin';
}

/**
 * The members that are where clients send requests and credentials: every `*_endpoint` and
 * `jwks_uri`. end_session_endpoint is the authority's configured logout URL (contract §4.10),
 * which may be an identity provider's page, so it is not held to the origin.
 */
const endpointMembers = (doc: Doc): string[] => Object.keys(doc).filter((k) => (k.endsWith('_endpoint') && k !== 'end_session_endpoint') || k === 'jwks_uri');

/** The keys of the advertised jwks_uri (on this origin only: the suite sends nothing elsewhere). */
async function advertisedKeys(t: CaseContext, doc: Doc, origin: string): Promise<(JWK & { kid?: string })[]> {
  if (originOf(doc.jwks_uri) !== origin) {
    t.notApplicable(`jwks_uri is not on this deployment's origin (discovery.endpoints-same-origin reports it): not fetched`);
  }
  const res = await t.client('jwks').get(doc.jwks_uri as string);
  expectStatus(res, 200, 'GET jwks_uri');
  expectSchema(t, 'jwks', res.json, 'GET jwks_uri');
  return (res.json as { keys: (JWK & { kid?: string })[] }).keys;
}

interface Row {
  name: string;
  title: string;
  requirements: string[];
  severity: Severity;
  needsUser?: boolean;
  run(t: CaseContext): Promise<void>;
}

const rows: Row[] = [
  {
    name: 'issuer-identical',
    title: 'the discovery issuer is identical to the URL the document was fetched from (without /.well-known/openid-configuration)',
    requirements: ['RFC8414-3.3'],
    severity: 'high',
    async run(t) {
      const { doc, fetchedFrom } = await discovery(t);
      ensure(
        doc.issuer === fetchedFrom,
        'the discovery issuer is not the URL the document was fetched from',
        'the URL fetched from',
        relativeTo(fetchedFrom, doc.issuer),
      );
    },
  },
  {
    name: 'endpoints-same-origin',
    title: "every endpoint URL and the jwks_uri in discovery are on the deployment's own origin",
    requirements: ['PLACEOS-IMPL-DISCOVERY-ORIGIN', 'RFC8414-2'],
    severity: 'high',
    async run(t) {
      const { doc, origin } = await discovery(t);
      const foreign = endpointMembers(doc)
        .filter((k) => originOf(doc[k]) !== origin)
        .map((k) => `${k}: ${originOf(doc[k]) ?? 'not an absolute URL'}`);
      ensure(foreign.length === 0, "discovery names endpoints off the deployment's origin", 'every endpoint on the origin fetched from', foreign.join(', '));
    },
  },
  {
    name: 'jwks-verifies-tokens',
    title: "the key set at the advertised jwks_uri verifies the deployment's access tokens",
    requirements: ['PLACEOS-IMPL-DISCOVERY-KEYS', 'RFC8414-2'],
    severity: 'high',
    needsUser: true,
    async run(t) {
      const { doc, origin } = await discovery(t);
      const keys = await advertisedKeys(t, doc, origin);
      const token = (await freshToken(t, 'user')).accessToken;
      const { header } = decodeJwt(token);
      const candidates = keys.filter((k) => k.kty === 'RSA' && (typeof header.kid !== 'string' || k.kid === undefined || k.kid === header.kid));
      let verified = false;
      for (const k of candidates) {
        const r = await verifyWithPublicKey(token, (await importJWK({ ...k, alg: 'RS256' }, 'RS256')) as never, { signatureOnly: true });
        if (r.ok) verified = true;
      }
      ensure(
        verified,
        'no key at the advertised jwks_uri verifies an issued access token',
        'a key that verifies it',
        `${candidates.length} candidate key(s), none verifies`,
      );
    },
  },
  {
    name: 'algorithms-match',
    title: 'the signing algorithms discovery advertises include the algorithm of the issued tokens and of the JWKS keys, and not none',
    requirements: ['PLACEOS-IMPL-DISCOVERY-ALGS', 'RFC8414-2'],
    severity: 'medium',
    needsUser: true,
    async run(t) {
      const { doc, origin } = await discovery(t);
      const advertised = Array.isArray(doc.id_token_signing_alg_values_supported) ? (doc.id_token_signing_alg_values_supported as unknown[]).map(String) : [];
      const alg = String(decodeJwt((await freshToken(t, 'user')).accessToken).header.alg);
      const list = advertised.join(', ') || '(none listed)';
      ensure(
        advertised.includes(alg),
        'discovery does not advertise the algorithm the access tokens are signed with',
        `id_token_signing_alg_values_supported with ${alg}`,
        list,
      );
      ensure(!advertised.includes('none'), 'discovery advertises unsigned tokens (none)', 'no none', list);
      const keyAlgs = (await advertisedKeys(t, doc, origin)).map((k) => k.alg).filter((a): a is string => typeof a === 'string');
      const unlisted = keyAlgs.filter((a) => !advertised.includes(a));
      ensure(unlisted.length === 0, 'the JWKS keys name algorithms discovery does not advertise', list, unlisted.join(', '));
    },
  },
];

export const cases: ContractCase[] = rows.map((r) => ({
  id: `${area}.${r.name}`,
  title: r.title,
  requirements: r.requirements,
  level: 'MUST',
  severity: r.severity,
  tags: ['security', 'readonly'],
  ...(r.needsUser ? { needs: ['user'] } : {}),
  run: r.run,
}));
