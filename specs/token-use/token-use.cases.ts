// Using credentials at rest-api (contract §3.12-§3.14, §6.6, §6.7; public doc "Making Requests",
// "Inspect an existing token"). The bearer matrix is transport × variant; every case presents the
// credential to both /api_keys/inspect and /users/current. Then API keys (transport × variant),
// precedence, the 401 for no credential, domain binding and the signing key.
//
// The revoked variant is security-refresh-revoke.revoked-token-refused-at-rest-api (one fact, one
// check: the standard holds; PlaceOS's stateless rest-api is a ledger entry there).
// The logged-out variant is not in this matrix: a logout ends every earlier token of the account
// (contract §3.3), so the run does it once, in lifecycle.logout.session, for all three transports.
import { randomBytes } from 'node:crypto';
import type { CaseContext, ContractCase } from '../../helpers/case';
import { obtainToken, type Tokens } from '../../helpers/flows';
import type { HttpResponse } from '../../helpers/http';
import { decodeJwt, wrongKey, signWithKey, tamperSignature, verifiesWithDefaultKey, verifyWithPublicKey, withAlgNone } from '../../helpers/jwt';
import type { Level, SettingName, Severity, Tag } from '../../helpers/model';
import type { SchemaName } from '../../helpers/schemas';
import {
  API_KEY_TRANSPORTS,
  type ApiKeyTransport,
  authorityHost,
  BEARER,
  BEARER_TRANSPORTS,
  type BearerTransport,
  CURRENT_USER,
  ensure,
  expectRestApi401,
  expectSchema,
  expectStatus,
  getWithApiKey,
  getWithBearer,
  INSPECT,
  REPO_ROOT,
  setup,
} from '../../helpers/kit';

export const area = 'token-use';

/** Both rest-api endpoints every credential is presented to, and how their 200 names the subject. */
const ENDPOINTS = [
  { name: 'inspect', path: INSPECT, subject: (b: Record<string, unknown>) => b.sub },
  { name: 'users/current', path: CURRENT_USER, subject: (b: Record<string, unknown>) => b.id },
] as const;

// ---- bearer variants ---------------------------------------------------------------------------------

interface Presented {
  /** What is presented at rest-api. */
  credential: string;
  /** The minted token it derives from, when there is one. */
  tokens?: Tokens;
}

type Expectation =
  | { kind: 'accepted'; inspectSchema: SchemaName }
  /** 401 {"error": string}; `message` when the contract names it. */
  | { kind: 'refused'; message?: RegExp };

interface BearerVariant {
  name: string;
  what: string;
  /** Makes the credential (may mint a token and act on it first). */
  present(t: CaseContext): Promise<Presented>;
  expect: Expectation;
  level: Level;
  severity: Severity;
  requirements: string[];
  needs?: SettingName[];
}

const mint = async (t: CaseContext): Promise<Tokens> => setup('minting a token', () => obtainToken(t, 'user'));
const fromToken =
  (f: (token: string) => string | Promise<string>) =>
  async (t: CaseContext): Promise<Presented> => {
    const tokens = await mint(t);
    return { credential: await f(tokens.accessToken), tokens };
  };

const VERIFY = 'PLACEOS-IMPL-JWT-VERIFY';

const bearerVariants: BearerVariant[] = [
  {
    name: 'valid',
    what: 'a freshly issued access token is accepted',
    present: fromToken((tok) => tok),
    expect: { kind: 'accepted', inspectSchema: 'inspect-bearer' },
    level: 'MUST',
    severity: 'high',
    requirements: ['PLACEOS-IMPL-CREDENTIAL-PRECEDENCE', 'PLACEOS-IMPL-INSPECT-SHAPE', 'PLACEOS-IMPL-CURRENT-USER'],
  },
  {
    name: 'tampered',
    what: 'a token whose signature was altered is refused with 401',
    present: fromToken(tamperSignature),
    expect: { kind: 'refused' },
    level: 'MUST',
    severity: 'blocker',
    requirements: [VERIFY, 'RFC7515-5.2', 'RFC6750-3.1', 'PLACEOS-IMPL-REST-API-ERRORS'],
  },
  {
    name: 'wrong-key',
    what: "the token's claims signed with another RSA key are refused with 401",
    present: fromToken(async (tok) => signWithKey(decodeJwt(tok).claims, (await wrongKey()).privatePem)),
    expect: { kind: 'refused' },
    level: 'MUST',
    severity: 'blocker',
    requirements: [VERIFY, 'RFC7515-5.2', 'RFC6750-3.1', 'PLACEOS-IMPL-REST-API-ERRORS'],
  },
  {
    name: 'alg-none',
    what: "the token's claims as an unsigned alg:none JWT are refused with 401",
    present: fromToken((tok) => withAlgNone(tok)),
    expect: { kind: 'refused' },
    level: 'MUST',
    severity: 'blocker',
    requirements: [VERIFY, 'RFC8725-3.1', 'RFC6750-3.1', 'PLACEOS-IMPL-REST-API-ERRORS'],
  },
  {
    name: 'not-a-jwt',
    what: 'a bearer that is not a JWT at all is refused with 401',
    present: async () => ({ credential: randomBytes(24).toString('base64url') }),
    expect: { kind: 'refused' },
    level: 'MUST',
    severity: 'high',
    requirements: [VERIFY, 'RFC6750-3.1', 'PLACEOS-IMPL-REST-API-ERRORS'],
  },
  {
    name: 'expired',
    what: 'an expired token (PLACEOS_EXPIRED_TOKEN) is refused with 401',
    present: async (t) => ({ credential: t.settings.expiredToken! }),
    expect: { kind: 'refused' },
    level: 'MUST',
    severity: 'blocker',
    requirements: [VERIFY, 'RFC6750-3.1', 'PLACEOS-IMPL-REST-API-ERRORS'],
    needs: ['expiredToken'],
  },
];

async function bothEndpoints(t: CaseContext, transport: BearerTransport, credential: string): Promise<{ name: string; res: HttpResponse }[]> {
  const out: { name: string; res: HttpResponse }[] = [];
  for (const e of ENDPOINTS) out.push({ name: e.name, res: await getWithBearer(t.client(`rest-api-${transport}`), transport, e.path, credential) });
  return out;
}

function bearerCase(transport: BearerTransport, v: BearerVariant): ContractCase {
  return {
    id: `${area}.${transport}.${v.name}`,
    title: `bearer by ${transport}: ${v.what} (inspect and users/current)`,
    requirements: [BEARER[transport].requirement, ...v.requirements],
    level: v.level,
    severity: v.severity,
    tags: v.name === 'valid' && transport === 'header' ? ['smoke', 'readonly'] : v.expect.kind === 'refused' ? ['readonly', 'security'] : ['readonly'],
    needs: ['user', ...(v.needs ?? [])],
    async run(t) {
      const p = await v.present(t);
      const subject = p.tokens ? (decodeJwt(p.tokens.accessToken).claims.sub as string) : undefined;
      for (const { name, res } of await bothEndpoints(t, transport, p.credential)) {
        const step = `GET ${name} with the ${v.name} bearer by ${transport}`;
        if (v.expect.kind === 'refused') {
          expectRestApi401(t, res, step, v.expect.message);
          continue;
        }
        expectStatus(res, 200, step);
        const endpoint = ENDPOINTS.find((e) => e.name === name)!;
        expectSchema(t, name === 'inspect' ? v.expect.inspectSchema : 'current-user', res.json, step);
        const got = endpoint.subject(res.json as Record<string, unknown>);
        ensure(got === subject, `${step}: answers for another subject than the token's sub`, String(subject), String(got));
      }
    },
  };
}

// ---- API keys ---------------------------------------------------------------------------------------------

interface ApiKeyVariant {
  name: string;
  what: string;
  key(t: CaseContext): string;
  /** 200 with the synthetic UserJWT, or 401 with this exact message (contract §3.14). */
  expect: { kind: 'accepted' } | { kind: 'refused'; message: string };
  severity: Severity;
  needs: SettingName[];
}

/** Same key id, another secret: the HMAC must not match. */
const wrongSecret = (key: string): string => `${key.slice(0, key.indexOf('.'))}.${randomBytes(24).toString('base64url')}`;

const apiKeyVariants: ApiKeyVariant[] = [
  {
    name: 'valid',
    what: 'a valid API key is accepted: inspect shows its synthetic UserJWT, users/current its user',
    key: (t) => t.settings.apiKey!,
    expect: { kind: 'accepted' },
    severity: 'high',
    needs: ['apiKey'],
  },
  {
    name: 'expired',
    what: 'an expired API key is refused: 401 "API key has expired"',
    key: (t) => t.settings.apiKeyExpired!,
    expect: { kind: 'refused', message: 'API key has expired' },
    severity: 'high',
    needs: ['apiKeyExpired'],
  },
  {
    name: 'wrong-secret',
    what: 'an API key id with a wrong secret is refused: 401 "unknown X-API-Key"',
    key: (t) => wrongSecret(t.settings.apiKey!),
    expect: { kind: 'refused', message: 'unknown X-API-Key' },
    severity: 'blocker',
    needs: ['apiKey'],
  },
];

const API_KEY_TRANSPORT_NAME: Record<ApiKeyTransport, string> = { header: 'X-API-Key header', param: 'api-key parameter' };

function apiKeyCase(transport: ApiKeyTransport, v: ApiKeyVariant): ContractCase {
  return {
    id: `${area}.api-key.${transport}.${v.name}`,
    title: `API key by the ${API_KEY_TRANSPORT_NAME[transport]}: ${v.what}`,
    requirements: ['PLACEOS-IMPL-API-KEY', 'PLACEOS-IMPL-CREDENTIAL-PRECEDENCE', ...(transport === 'param' ? ['PLACEOS-DOC-INSPECT'] : [])],
    level: 'MUST',
    severity: v.severity,
    // A real key in a URL lands in access logs: only when the run is told it may (a dedicated key).
    // The wrong-secret variant carries no secret of the key.
    tags: [
      ...(v.expect.kind === 'refused' ? ['readonly', 'security'] : ['readonly']),
      ...(transport === 'param' && v.name !== 'wrong-secret' ? ['credentials-in-url'] : []),
    ] as Tag[],
    needs: v.needs,
    async run(t) {
      const key = v.key(t);
      // A forged secret is random, no credential: left readable so the evidence shows what was sent.
      if (v.name !== 'wrong-secret') t.secrets.add(key, 'api_key');
      const client = t.client(`api-key-${transport}`);
      const inspect = await getWithApiKey(client, transport, INSPECT, key);
      const current = await getWithApiKey(client, transport, CURRENT_USER, key);
      const step = (n: string) => `GET ${n} with the ${v.name} API key by ${API_KEY_TRANSPORT_NAME[transport]}`;
      if (v.expect.kind === 'refused') {
        expectRestApi401(t, inspect, step('inspect'), new RegExp(`^${v.expect.message}$`));
        expectRestApi401(t, current, step('users/current'), new RegExp(`^${v.expect.message}$`));
        return;
      }
      expectStatus(inspect, 200, step('inspect'));
      expectSchema(t, 'inspect-api-key', inspect.json, step('inspect'));
      const jwt = inspect.json as { iat: number; exp: number; aud: string; sub: string };
      const now = Math.floor(Date.now() / 1000);
      // §3.12: synthetic UserJWT, iat = now - 5 min, exp = now + 1 h (fresh on every call).
      ensure(Math.abs(jwt.iat - (now - 300)) <= 60, 'inspect of an API key: iat is not about now - 5 min', String(now - 300), String(jwt.iat));
      ensure(Math.abs(jwt.exp - (now + 3600)) <= 60, 'inspect of an API key: exp is not about now + 1 h', String(now + 3600), String(jwt.exp));
      ensure(
        jwt.aud.toLowerCase() === authorityHost(t.settings.url),
        "inspect of an API key: aud is not the key's authority domain",
        authorityHost(t.settings.url),
        jwt.aud,
      );
      expectStatus(current, 200, step('users/current'));
      expectSchema(t, 'current-user', current.json, step('users/current'));
      const id = (current.json as { id: string }).id;
      ensure(id === jwt.sub, "users/current with an API key: not the key's user", jwt.sub, id);
    },
  };
}

// ---- single cases ---------------------------------------------------------------------------------------

const singles: ContractCase[] = [
  {
    id: `${area}.missing`,
    title: 'no credential at all: rest-api answers 401 {"error":""} on inspect and users/current',
    requirements: ['PLACEOS-IMPL-CREDENTIAL-PRECEDENCE', 'PLACEOS-IMPL-REST-API-ERRORS'],
    level: 'MUST',
    severity: 'high',
    tags: ['readonly'],
    async run(t) {
      const client = t.client('anonymous');
      for (const e of ENDPOINTS) expectRestApi401(t, await client.get(e.path), `GET ${e.name} without a credential`, /^$/);
    },
  },
  {
    id: `${area}.precedence.api-key-over-bad-bearer`,
    title: 'an API key wins over a bad bearer in the same request: the key is used and the bearer never examined',
    requirements: ['PLACEOS-IMPL-CREDENTIAL-PRECEDENCE', 'PLACEOS-IMPL-API-KEY'],
    level: 'MUST',
    severity: 'medium',
    tags: ['readonly'],
    needs: ['apiKey'],
    async run(t) {
      const client = t.client('precedence');
      const res = await getWithApiKey(client, 'header', INSPECT, t.settings.apiKey!, { authorization: `Bearer ${randomBytes(24).toString('base64url')}` });
      expectStatus(res, 200, 'inspect with X-API-Key and a garbage bearer');
      expectSchema(t, 'inspect-api-key', res.json, 'inspect with X-API-Key and a garbage bearer');
    },
  },
  {
    id: `${area}.cross-authority`,
    title: "a token of authority A is refused on authority B's domain (401, the token's aud is not B's domain)",
    requirements: ['PLACEOS-IMPL-DOMAIN-BINDING', 'RFC9700-2.3', 'RFC6819-5.1.5.5'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['readonly', 'security'],
    needs: ['user', 'otherAuthorityUrl'],
    async run(t) {
      const tokens = await mint(t);
      const other = t.client('other-authority').withBaseUrl(t.settings.otherAuthorityUrl!, 'other-authority');
      for (const e of ENDPOINTS) {
        const res = await getWithBearer(other, 'header', e.path, tokens.accessToken);
        expectRestApi401(t, res, `GET ${e.name} on the other authority with this authority's token`, /authority/);
      }
    },
  },
  {
    id: `${area}.jwt.not-default-key`,
    title: 'issued access tokens are not signed with the published PlaceOS development key',
    requirements: ['PLACEOS-IMPL-DEFAULT-KEY', 'RFC6749-10.3'],
    level: 'MUST',
    severity: 'blocker',
    tags: ['readonly', 'security'],
    needs: ['user'],
    async run(t) {
      const tokens = await mint(t);
      ensure(
        !(await verifiesWithDefaultKey(tokens.accessToken, REPO_ROOT)),
        'the access token verifies with the published PlaceOS development key (JWT_SECRET unset?)',
        'a deployment-specific signing key',
        'the public development key',
      );
    },
  },
  {
    id: `${area}.jwt.configured-key`,
    title: 'issued access tokens verify (RS256) with the configured public key (PLACEOS_JWT_PUBLIC_KEY_FILE)',
    requirements: ['PLACEOS-IMPL-JWT-CLAIMS', VERIFY],
    level: 'MUST',
    severity: 'high',
    tags: ['readonly'],
    needs: ['user', 'jwtPublicKey'],
    async run(t) {
      const tokens = await mint(t);
      const r = await verifyWithPublicKey(tokens.accessToken, t.settings.jwtPublicKeyPem!);
      ensure(r.ok, 'the access token does not verify with the configured public key', 'a valid RS256 signature', r.ok ? 'valid' : r.reason);
    },
  },
];

export const cases: ContractCase[] = [
  ...BEARER_TRANSPORTS.flatMap((tr) => bearerVariants.map((v) => bearerCase(tr, v))),
  ...API_KEY_TRANSPORTS.flatMap((tr) => apiKeyVariants.map((v) => apiKeyCase(tr, v))),
  ...singles,
];
