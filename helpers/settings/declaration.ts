// Every setting the suite reads, declared once. `--help`, env/*.env.example and docs/settings.md
// are generated from here (npm run settings:docs; test/helpers/settings-docs.test.ts keeps them in
// sync). Adding a setting that goes straight into the run's settings is one entry in DIRECT: its
// value then appears as `settings.<key>` (typed), validated by ajv against the entry's schema.
import { createPrivateKey } from 'node:crypto';
import { GENERATIONS, type Generation } from '../model';
import { MIN_SECRET_LENGTH } from '../secrets';
import { echoUrl, safeEcho, stripUrl } from './text';
import { flag, int, oneOf, secret, text, type Setting } from './declare';

const HTTP_URL = '^[Hh][Tt][Tt][Pp][Ss]?://';
const ABSOLUTE_URI = '^[A-Za-z][A-Za-z0-9+.-]*:';
const NO_SPACES = '^\\S+$';
const SCOPE = '[\\x21\\x23-\\x5B\\x5D-\\x7E]+';
const EXAMPLE_URL = 'https://placeos.example.com';

function parsedUrl(v: string): URL | undefined {
  try {
    return new URL(v);
  } catch {
    return undefined;
  }
}

/** A base URL: http(s), a host, no path, query or fragment. */
const baseUrl = (name: string, o: { group: Setting['group']; doc: string; example: string }) =>
  text({
    name,
    ...o,
    pattern: HTTP_URL,
    expects: `an http(s) URL like ${EXAMPLE_URL}`,
    check: (v) => {
      const u = parsedUrl(v);
      if (!u || !u.hostname) return `expected an http(s) URL like ${EXAMPLE_URL}, got '${safeEcho(v)}'`;
      // Shown as given (credentials aside): the part to remove must be visible.
      if (u.search || u.hash || /[?#]/.test(v))
        return `expected a base URL without a query or fragment like ${EXAMPLE_URL}, got '${echoUrl(v)}': remove the part from '${u.search ? '?' : '#'}' on`;
      if (!/^\/*$/.test(u.pathname))
        return `expected the base URL of the deployment like ${EXAMPLE_URL}, got '${echoUrl(v)}' with the path '${u.pathname}': give the base URL (the suite adds /auth/… itself)`;
      return undefined;
    },
    warn: (v) =>
      parsedUrl(v)?.username || parsedUrl(v)?.password
        ? `${name}: credentials in the URL were removed (the suite signs in with the configured accounts)`
        : undefined,
    output: (v) => stripUrl(v as string),
  });

function jwtProblem(v: string): string | undefined {
  const [h, p] = v.split('.');
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h!, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8'));
  } catch {
    // reported below
  }
  if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) {
    return 'expected a JWT whose header and payload are base64url JSON objects, got a value that does not decode';
  }
  const exp = (payload as { exp?: unknown }).exp;
  if (typeof exp === 'number' && exp * 1000 > Date.now())
    return `expected an expired token, got one whose exp is ${new Date(exp * 1000).toISOString()} (in the future)`;
  return undefined;
}

const apiKey = (name: string, doc: string) =>
  text({
    name,
    group: 'keys',
    doc,
    secret: true,
    pattern: '^[^.\\s]+\\.[^.\\s]+$',
    expects: "an API key of the form '<id>.<secret>' (one dot, no spaces)",
    describe: (v) =>
      `a value of ${v.length} characters with ${v.split('.').length - 1} ${v.split('.').length - 1 === 1 ? 'dot' : 'dots'}${/\s/.test(v) ? ' and whitespace' : ''}`,
  });

/** Settings whose value goes as it is into the run's settings, under their key. */
export const DIRECT = {
  otherAuthorityUrl: baseUrl('PLACEOS_OTHER_AUTHORITY_URL', {
    group: 'deployment',
    doc: "The same deployment under a second authority's domain (cross-tenant checks).",
    example: 'https://other-tenant.example.com',
  }),
  generationOverride: oneOf<Generation>({
    name: 'PLACEOS_GENERATION',
    group: 'deployment',
    doc: `Hold the deployment to this generation instead of detecting it: ${GENERATIONS.join(' | ')}.`,
    example: 'rails',
    values: GENERATIONS,
    unsetMeans: 'to detect it',
    alsoEmbedded: true,
  }),
  ssoId: text({
    name: 'PLACEOS_SSO_ID',
    group: 'keys',
    doc: 'An OAuth2/SAML authentication strategy id (SSO checks).',
    pattern: NO_SPACES,
    expects: 'an authentication strategy id without spaces',
  }),
  apiKey: apiKey('PLACEOS_API_KEY', 'A live API key (`<id>.<secret>`) of the service account.'),
  apiKeyExpired: apiKey('PLACEOS_API_KEY_EXPIRED', 'An expired API key (`<id>.<secret>`).'),
  expiredToken: text({
    name: 'PLACEOS_EXPIRED_TOKEN',
    group: 'keys',
    doc: 'An access token (JWT) the deployment issued that has expired.',
    secret: true,
    pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
    expects: 'a JWT (three base64url parts separated by dots)',
    describe: (v) => `a value of ${v.length} characters in ${v.split('.').length} ${v.split('.').length === 1 ? 'part' : 'parts'}`,
    check: jwtProblem,
  }),
  timeoutMs: int({
    name: 'PLACEOS_TIMEOUT_MS',
    group: 'limits',
    doc: 'Per-request timeout.',
    min: 100,
    max: 120000,
    default: 10000,
    unit: 'milliseconds',
    alsoEmbedded: true,
  }),
  retries: int({
    name: 'PLACEOS_RETRIES',
    group: 'limits',
    doc: 'Retries for transport errors and Retry-After answers.',
    min: 0,
    max: 5,
    default: 2,
    alsoEmbedded: true,
  }),
  concurrency: int({
    name: 'PLACEOS_CONCURRENCY',
    group: 'limits',
    doc: 'Requests in flight at once across the whole run, and checks under way at once; the run lowers the bound by itself when the deployment slows down or answers 429/503. Every check runs in the one process of the run. Against a distant deployment the bound decides the time: each request waits a round trip, N at a time.',
    min: 1,
    max: 32,
    default: 6,
    alsoEmbedded: true,
  }),
  maxRequests: int({
    name: 'PLACEOS_MAX_REQUESTS',
    group: 'limits',
    doc: 'Upper bound on the requests of the whole run, cleanup aside; a full run makes about 700.',
    min: 1,
    max: 1000000,
    default: 2000,
    alsoEmbedded: true,
  }),
  credentialsInUrl: flag({
    name: 'PLACEOS_CREDENTIALS_IN_URL',
    group: 'limits',
    doc: "Run the checks of the public doc's query-string style, which send a live password, client secret or API key in a URL (access logs keep URLs); off by default.",
    default: false,
    alsoEmbedded: true,
  }),
  codeLifetimeSeconds: int({
    name: 'PLACEOS_CODE_LIFETIME_SECONDS',
    group: 'limits',
    doc: "The deployment's authorization-code lifetime, if at most 120 s: the run then waits one out (PlaceOS's default is 600 s, so leave it unset unless yours is short).",
    min: 1,
    max: 120,
    unit: 'seconds',
  }),
  codeLifetimeClientId: text({
    name: 'PLACEOS_CODE_LIFETIME_CLIENT_ID',
    group: 'limits',
    doc: 'The client whose codes live PLACEOS_CODE_LIFETIME_SECONDS, registered with PLACEOS_REDIRECT_URI; only the code-expiry check uses it (default: PLACEOS_CLIENT_ID). Lets every other code flow use a client with a longer code lifetime.',
    pattern: NO_SPACES,
    expects: 'a client_id without spaces',
  }),
  refreshGraceSeconds: int({
    name: 'PLACEOS_REFRESH_GRACE_SECONDS',
    group: 'limits',
    doc: "auth.cr's refresh replay-grace window (REFRESH_REVOCATION_GRACE_SECONDS): the rotation check waits it out.",
    min: 0,
    max: 60,
    default: 10,
    unit: 'seconds',
  }),
} satisfies Record<string, Setting>;

const scopes = (name: string, group: Setting['group'], doc: string, example: string, aliases?: string[]): Setting<string[], false> => ({
  name,
  group,
  doc,
  example,
  ...(aliases ? { aliases } : {}),
  schema: { type: 'string', pattern: `^${SCOPE}( +${SCOPE})*$` },
  expects: "space-separated scope names like 'public api_keys.read'",
  input: (raw) => raw,
  output: (v) => (v as string).split(/ +/).filter(Boolean),
  check: (v) => (v.includes(',') ? `expected scopes separated by spaces, not commas, got '${safeEcho(v)}'` : undefined),
  hasDefault: false,
});
const redirectUri = (name: string, group: Setting['group'], doc: string, example?: string, aliases?: string[]) =>
  text({
    name,
    group,
    doc,
    ...(example ? { example } : {}),
    ...(aliases ? { aliases } : {}),
    pattern: ABSOLUTE_URI,
    expects: `an absolute redirect URI like ${EXAMPLE_URL}/backoffice/oauth-resp.html`,
    check: (v) => {
      const u = parsedUrl(v);
      if (!u) return `expected an absolute redirect URI like ${EXAMPLE_URL}/backoffice/oauth-resp.html, got '${safeEcho(v)}'`;
      if (u.hash) return `expected a redirect URI without a fragment (OAuth forbids it), got '${safeEcho(v)}'`;
      if (u.username || u.password) return `expected a redirect URI without credentials, got '${safeEcho(v)}'`;
      return undefined;
    },
  });
const clientId = (name: string, group: Setting['group'], doc: string) => text({ name, group, doc, pattern: NO_SPACES, expects: 'a client_id without spaces' });
const email = (name: string, doc: string, example?: string) =>
  text({ name, group: 'accounts', doc, ...(example ? { example } : {}), pattern: '^[^@\\s]+@[^@\\s]+$', expects: 'an email address like someone@example.com' });
const password = (name: string, group: Setting['group'], doc: string) => secret({ name, group, doc, minLength: MIN_SECRET_LENGTH });

/** Settings the parser composes into structured parts of the run's settings (apps, accounts, TLS...). */
export const PARTS = {
  url: baseUrl('PLACEOS_URL', {
    group: 'deployment',
    doc: 'Base URL of the deployment (http or https), without a path, query or fragment (a value with one is refused); credentials and a trailing slash are removed. Unset: the embedded reference target.',
    example: EXAMPLE_URL,
  }),
  redirectUri: redirectUri(
    'PLACEOS_REDIRECT_URI',
    'publicApp',
    'Default: ${PLACEOS_URL}/backoffice/oauth-resp.html, the app `init` seeds.',
    `${EXAMPLE_URL}/backoffice/oauth-resp.html`,
  ),
  clientId: clientId('PLACEOS_CLIENT_ID', 'publicApp', 'Default: MD5 of PLACEOS_REDIRECT_URI in lower-case hex, as PlaceOS computes it.'),
  clientSecret: password('PLACEOS_CLIENT_SECRET', 'publicApp', 'Only when the app is confidential.'),
  clientScopes: scopes('PLACEOS_CLIENT_SCOPES', 'publicApp', 'Space separated; default `public`.', 'public'),
  confidentialClientId: clientId(
    'PLACEOS_CONFIDENTIAL_CLIENT_ID',
    'confidentialApp',
    'Default: MD5 of PLACEOS_CONFIDENTIAL_REDIRECT_URI (needs _SECRET and _REDIRECT_URI when any is set).',
  ),
  confidentialClientSecret: password('PLACEOS_CONFIDENTIAL_CLIENT_SECRET', 'confidentialApp', "The confidential app's client secret."),
  confidentialRedirectUri: redirectUri(
    'PLACEOS_CONFIDENTIAL_REDIRECT_URI',
    'confidentialApp',
    "The confidential app's redirect URI.",
    'https://confidential.example.com/oauth/callback',
    ['PLACEOS_CONFIDENTIAL_CLIENT_REDIRECT_URI'],
  ),
  confidentialScopes: scopes('PLACEOS_CONFIDENTIAL_CLIENT_SCOPES', 'confidentialApp', 'Space separated; default `public`.', 'public', [
    'PLACEOS_CONFIDENTIAL_SCOPES',
  ]),
  scopedClientId: clientId(
    'PLACEOS_SCOPED_CLIENT_ID',
    'scopedApp',
    'Default: MD5 of PLACEOS_SCOPED_REDIRECT_URI (needs _REDIRECT_URI and _CLIENT_SCOPES when any is set).',
  ),
  scopedClientSecret: password('PLACEOS_SCOPED_CLIENT_SECRET', 'scopedApp', 'Only when the scoped app is confidential.'),
  scopedRedirectUri: redirectUri('PLACEOS_SCOPED_REDIRECT_URI', 'scopedApp', "The scoped app's redirect URI.", 'https://scoped.example.com/oauth/callback', [
    'PLACEOS_SCOPED_CLIENT_REDIRECT_URI',
  ]),
  scopedScopes: scopes('PLACEOS_SCOPED_CLIENT_SCOPES', 'scopedApp', 'The extra scopes the app has, space separated.', 'public api_keys.read', [
    'PLACEOS_SCOPED_SCOPES',
  ]),
  serviceEmail: email('PLACEOS_SERVICE_EMAIL', 'A service account (goes with PLACEOS_SERVICE_PASSWORD).', 'contract-service@example.com'),
  servicePassword: password('PLACEOS_SERVICE_PASSWORD', 'accounts', 'Password of the service account.'),
  userEmail: email('PLACEOS_USER_EMAIL', 'A local non-service user (goes with PLACEOS_USER_PASSWORD).', 'contract-user@example.com'),
  userPassword: password('PLACEOS_USER_PASSWORD', 'accounts', 'Password of the user.'),
  logoutEmail: email('PLACEOS_LOGOUT_EMAIL', 'An account of its own the logout checks may log out (logout ends all its sessions and tokens).'),
  logoutPassword: password('PLACEOS_LOGOUT_PASSWORD', 'accounts', 'Password of the logout account.'),
  ssoUsername: text({
    name: 'PLACEOS_SSO_USERNAME',
    group: 'accounts',
    doc: "A test account at the identity provider of PLACEOS_SSO_ID (goes with PLACEOS_SSO_PASSWORD): the run completes the SSO login through the IdP's login form; without it that login is n/a.",
    example: 'contract-sso@example.com',
    expects: 'the IdP login name of a test account',
  }),
  ssoPassword: password('PLACEOS_SSO_PASSWORD', 'accounts', 'Password of the SSO test account at the identity provider.'),
  jwtPublicKeyFile: text({
    name: 'PLACEOS_JWT_PUBLIC_KEY_FILE',
    group: 'keys',
    doc: 'PEM file with the RS256 public key the deployment signs tokens with.',
    example: '/path/to/jwt-public.pem',
    expects: 'a file name',
  }),
  jwtPublicKey: text({
    name: 'PLACEOS_JWT_PUBLIC_KEY',
    group: 'keys',
    doc: 'The same public key inline (`\\n` escapes allowed); set this or the _FILE one.',
    keepSpaces: true,
    secret: true,
    expects: 'a PEM public key',
  }),
  jwtSigningKeyFile: text({
    name: 'PLACEOS_JWT_SIGNING_KEY_FILE',
    group: 'keys',
    doc: "PEM file with the deployment's RS256 private key, for a test deployment whose key you control; never a production key. With it the run signs tokens carrying crit, a future nbf or a future iat (security-jwt); without it those checks are n/a.",
    example: '/path/to/jwt-private.pem',
    expects: 'a file name',
  }),
  caFile: text({
    name: 'PLACEOS_CA_FILE',
    group: 'network',
    doc: "PEM file with the CA certificates that sign the deployment's TLS certificate.",
    example: '/path/to/ca.pem',
    expects: 'a file name',
  }),
  extraCaCerts: text({ name: 'NODE_EXTRA_CA_CERTS', group: 'network', doc: "Node's own extra CA file, read too.", expects: 'a file name' }),
  insecureTls: flag({
    name: 'PLACEOS_INSECURE_TLS',
    group: 'network',
    doc: 'Do not check TLS certificates (throwaway test deployments only; prefer PLACEOS_CA_FILE).',
    default: false,
    alsoEmbedded: true,
  }),
  proxy: text({
    name: 'HTTPS_PROXY',
    group: 'network',
    doc: 'HTTP proxy for the deployment (also https_proxy, HTTP_PROXY, http_proxy); ignored for the embedded target.',
    example: 'http://proxy.example.com:3128',
    fallbacks: ['https_proxy', 'HTTP_PROXY', 'http_proxy'],
    pattern: HTTP_URL,
    expects: 'a proxy URL like http://proxy.example.com:3128',
    check: (v) => (parsedUrl(v)?.hostname ? undefined : `expected a proxy URL like http://proxy.example.com:3128, got '${safeEcho(v)}'`),
  }),
  noProxy: {
    ...text({
      name: 'NO_PROXY',
      group: 'network',
      doc: 'Hosts the proxy is not used for, comma separated (also no_proxy).',
      example: 'localhost',
      fallbacks: ['no_proxy'],
      expects: 'a comma-separated list of hosts',
    }),
    output: (v: unknown) =>
      (v as string)
        .split(/[,\s]+/)
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
  } as Setting<string[], false>,
} satisfies Record<string, Setting>;

/** The embedded reference target's variants (reference/src/profiles.ts; a test keeps the two equal). */
export const REFERENCE_VARIANTS = ['standard', 'hardened', 'doc-faithful'] as const;

function privateKeyProblem(v: string): string | undefined {
  try {
    createPrivateKey(v.replace(/\\n/g, '\n'));
    return undefined;
  } catch {
    return 'expected a PEM private key (RSA, EC or Ed25519; `\\n` escapes allowed), got a value that does not parse as one';
  }
}

/**
 * Settings of the run itself, of its reports and of the embedded reference target: read from the
 * same places as the deployment's (flags where a flag exists say the same), never part of
 * TargetSettings; runner/config.ts composes them into the run's configuration.
 */
export const RUN_PARTS = {
  ledgerFile: text({
    name: 'PLACEOS_LEDGER',
    group: 'run',
    doc: 'Deviation ledger to use instead of ledger/<generation>.json (the same as --ledger).',
    example: '/path/to/ledger.json',
    expects: 'a file name',
  }),
  reportSigningKey: text({
    name: 'PLACEOS_REPORT_SIGNING_KEY',
    group: 'reports',
    doc: 'PEM private key that signs the report manifest (MANIFEST.sig, SHA256SUMS.sig); `\\n` escapes allowed.',
    secret: true,
    keepSpaces: true,
    expects: 'a PEM private key (RSA, EC or Ed25519)',
    describe: (v) => `a value of ${v.length} characters`,
    check: privateKeyProblem,
    output: (v) => (v as string).replace(/\\n/g, '\n'),
  }),
  attachmentPrefix: text({
    name: 'PLACEOS_REPORT_ATTACHMENT_PREFIX',
    group: 'reports',
    doc: "Prefix of the evidence paths in junit.xml's attachment lines (where the CI system serves the reports folder).",
    example: 'reports/',
    expects: 'a path prefix',
  }),
  junitTestcaseProperties: flag({
    name: 'PLACEOS_JUNIT_TESTCASE_PROPERTIES',
    group: 'reports',
    doc: 'Per-testcase <properties> in junit.xml (requirements, verdict, severity); false for JUnit readers that reject them.',
    default: true,
  }),
  referenceProfile: oneOf<Generation>({
    name: 'PLACEOS_REFERENCE_PROFILE',
    group: 'reference',
    doc: `Generation profile the embedded target plays (the same as --profile): ${GENERATIONS.join(' | ')}.`,
    example: 'rails',
    values: GENERATIONS,
    unsetMeans: 'for rails',
  }),
  referenceVariant: oneOf<(typeof REFERENCE_VARIANTS)[number]>({
    name: 'PLACEOS_REFERENCE_VARIANT',
    group: 'reference',
    doc: `How the profile is deployed (the same as --variant): ${REFERENCE_VARIANTS.join(' | ')}.`,
    example: 'standard',
    values: REFERENCE_VARIANTS,
    unsetMeans: 'for standard',
  }),
  referenceMutants: {
    ...text({
      name: 'PLACEOS_REFERENCE_MUTANTS',
      group: 'reference',
      doc: 'Faults switched on in the embedded target, comma separated (the same as --mutant; npm run target -- --list-mutants).',
      example: 'pkce-verifier-ignored',
      pattern: '^[a-z0-9-]+( *, *[a-z0-9-]+)* *,? *$',
      expects: 'a comma-separated list of mutant names',
    }),
    output: (v: unknown) =>
      (v as string)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
  } as Setting<string[], false>,
  referenceTls: flag({
    name: 'PLACEOS_REFERENCE_TLS',
    group: 'reference',
    doc: 'Serve the embedded target over https with a self-signed certificate (the same as --tls).',
    default: false,
  }),
  referenceCapacity: int({
    name: 'PLACEOS_REFERENCE_CAPACITY',
    group: 'reference',
    doc: 'Requests the embedded target serves at once, like a deployment with a few worker threads (load tests).',
    min: 1,
    max: 9999,
    unit: 'requests served at once',
  }),
  referenceCostMs: int({
    name: 'PLACEOS_REFERENCE_COST_MS',
    group: 'reference',
    doc: 'Server time the embedded target spends on each request (load tests).',
    min: 0,
    max: 999999,
    unit: 'milliseconds',
  }),
} satisfies Record<string, Setting>;

const { url, ...otherParts } = PARTS;
/** Every setting the program reads, PLACEOS_URL first (the order of --help and the docs within a group). */
export const DECLARED = { url, ...DIRECT, ...otherParts, ...RUN_PARTS };
export type DeclaredKey = keyof typeof DECLARED;

/** Settings of the deployment that still apply when the run starts the embedded reference target. */
export const EMBEDDED_VARIABLES: readonly string[] = Object.values(DECLARED)
  .filter((s: Setting) => s.alsoEmbedded)
  .map((s) => s.name);
