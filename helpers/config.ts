// Settings of one target, parsed and validated from an environment (dotenv file + process env).
// A value passed around: nothing here reads process.env at import time.
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { GENERATIONS, type Generation } from './model';
import { MIN_SECRET_LENGTH, type SecretKind } from './secrets';

export interface Account {
  email: string;
  password: string;
}

export interface ClientApp {
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  scopes: string[];
}

export interface TargetSettings {
  /** Base URL of the deployment, no trailing slash, credentials stripped (PLACEOS_URL). */
  url: string;
  /** Same deployment under a second authority's domain (PLACEOS_OTHER_AUTHORITY_URL). */
  otherAuthorityUrl?: string;
  /** The public app (backoffice-like). client_id defaults to MD5(redirect_uri) as PlaceOS does. */
  client: ClientApp;
  /** A confidential app (PLACEOS_CONFIDENTIAL_CLIENT_ID / _SECRET / _REDIRECT_URI). */
  confidentialClient?: ClientApp;
  /** An app with extra scopes (PLACEOS_SCOPED_CLIENT_ID / _REDIRECT_URI / _SCOPES). */
  scopedClient?: ClientApp;
  service?: Account;
  user?: Account;
  /**
   * An account of its own that the run may log out (PLACEOS_LOGOUT_EMAIL / _PASSWORD): PlaceOS
   * logout is global, it ends every session and every earlier token of the account, so the run
   * never does it to the service or user account.
   */
  logoutAccount?: Account;
  apiKey?: string;
  apiKeyExpired?: string;
  expiredToken?: string;
  jwtPublicKeyPem?: string;
  ssoId?: string;
  /**
   * A test account at the SSO identity provider (PLACEOS_SSO_USERNAME / PLACEOS_SSO_PASSWORD): the
   * run completes the SSO login through the IdP's login form with it; without it that login is n/a.
   */
  ssoAccount?: { username: string; password: string };
  /** PLACEOS_GENERATION: overrides detection. */
  generation?: Generation;
  tls: { caFile?: string; ca?: string; insecure: boolean };
  proxy?: { url: string; noProxy: string[] };
  /** Per-request timeout (PLACEOS_TIMEOUT_MS, default 10000, max 120000). */
  timeoutMs: number;
  /** Retries for transport errors and Retry-After answers (PLACEOS_RETRIES, default 2, max 5). */
  retries: number;
  /** Independent journeys run at once in each area (PLACEOS_CONCURRENCY, default 8). */
  concurrency: number;
  /** Upper bound on the requests of each area (spec file) of a run (PLACEOS_MAX_REQUESTS, default 2000). */
  maxRequests: number;
  /**
   * The deployment's authorization-code lifetime, when it is short enough for the run to wait it
   * out (PLACEOS_CODE_LIFETIME_SECONDS, 1..120; PlaceOS's default is 600 s, so this is opt-in).
   */
  codeLifetimeSeconds?: number;
  /**
   * auth.cr's refresh replay-grace window (PLACEOS_REFRESH_GRACE_SECONDS, 0..60, default 10): the
   * rotation check waits it out before replaying a used refresh token.
   */
  refreshGraceSeconds: number;
  /** True when the target is the embedded reference target (no PLACEOS_URL given). */
  embedded: boolean;
  /** Things the run should print on every run (insecure TLS, ignored variables...). Never secret. */
  warnings?: string[];
}

export interface SettingError {
  variable: string;
  problem: string;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(readonly errors: SettingError[]) {
    super(errors.map((e) => `${e.variable}: ${e.problem}`).join('\n'));
  }
}

// ---------------------------------------------------------------------------------------------
// Implementation

/** Every PLACEOS_* variable this suite reads. Unknown PLACEOS_* names are an error (typo guard). */
export const KNOWN_VARIABLES: readonly string[] = [
  'PLACEOS_URL',
  'PLACEOS_OTHER_AUTHORITY_URL',
  'PLACEOS_REDIRECT_URI',
  'PLACEOS_CLIENT_ID',
  'PLACEOS_CLIENT_SECRET',
  'PLACEOS_CLIENT_SCOPES',
  'PLACEOS_CONFIDENTIAL_CLIENT_ID',
  'PLACEOS_CONFIDENTIAL_CLIENT_SECRET',
  'PLACEOS_CONFIDENTIAL_REDIRECT_URI',
  'PLACEOS_CONFIDENTIAL_CLIENT_SCOPES',
  'PLACEOS_SCOPED_CLIENT_ID',
  'PLACEOS_SCOPED_CLIENT_SECRET',
  'PLACEOS_SCOPED_REDIRECT_URI',
  'PLACEOS_SCOPED_CLIENT_SCOPES',
  'PLACEOS_SERVICE_EMAIL',
  'PLACEOS_SERVICE_PASSWORD',
  'PLACEOS_USER_EMAIL',
  'PLACEOS_USER_PASSWORD',
  'PLACEOS_API_KEY',
  'PLACEOS_API_KEY_EXPIRED',
  'PLACEOS_EXPIRED_TOKEN',
  'PLACEOS_JWT_PUBLIC_KEY_FILE',
  'PLACEOS_JWT_PUBLIC_KEY',
  'PLACEOS_SSO_ID',
  'PLACEOS_SSO_USERNAME',
  'PLACEOS_SSO_PASSWORD',
  'PLACEOS_GENERATION',
  'PLACEOS_CA_FILE',
  'PLACEOS_INSECURE_TLS',
  'PLACEOS_TIMEOUT_MS',
  'PLACEOS_RETRIES',
  'PLACEOS_CONCURRENCY',
  'PLACEOS_MAX_REQUESTS',
  'PLACEOS_CODE_LIFETIME_SECONDS',
  'PLACEOS_REFRESH_GRACE_SECONDS',
  'PLACEOS_LOGOUT_EMAIL',
  'PLACEOS_LOGOUT_PASSWORD',
  // Read by other parts of the suite (runner, reports, ledger):
  'PLACEOS_LEDGER',
  'PLACEOS_JUNIT_TESTCASE_PROPERTIES',
  // Read by the project's own tests (npm test), harmless to a run:
  'PLACEOS_SKIP_BROWSER_TESTS',
  'PLACEOS_CHROMIUM',
];

/** Families of PLACEOS_* names owned by other parts of the suite (runner, reference target, reports). */
export const KNOWN_PREFIXES: readonly string[] = ['PLACEOS_CONTRACT_', 'PLACEOS_REFERENCE_', 'PLACEOS_REPORT_'];

/** Aliases accepted for the scope lists (the brief's `_SCOPES` spelling and the `_CLIENT_SCOPES` one). */
const ALIASES: Record<string, string> = {
  PLACEOS_CONFIDENTIAL_SCOPES: 'PLACEOS_CONFIDENTIAL_CLIENT_SCOPES',
  PLACEOS_SCOPED_SCOPES: 'PLACEOS_SCOPED_CLIENT_SCOPES',
  PLACEOS_CONFIDENTIAL_CLIENT_REDIRECT_URI: 'PLACEOS_CONFIDENTIAL_REDIRECT_URI',
  PLACEOS_SCOPED_CLIENT_REDIRECT_URI: 'PLACEOS_SCOPED_REDIRECT_URI',
};

export interface ParseOptions {
  /** The target is the embedded reference target: PLACEOS_URL is not required, proxies are not used. */
  embedded?: boolean;
  /** More PLACEOS_* names other parts of the suite read (reporting, selection...): not typos. */
  knownExtra?: readonly string[];
}

/** Base URL with credentials, query and fragment removed: safe to print. */
export function stripUrl(value: string): string {
  try {
    const u = new URL(value);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return value;
  }
}

/** A value that may be a URL, shortened and without anything that looks like credentials. */
function safeEcho(value: string): string {
  let v = value.trim();
  try {
    const u = new URL(v);
    if (u.username || u.password || u.search || u.hash) {
      u.username = '';
      u.password = '';
      u.search = '';
      u.hash = '';
      v = u.toString();
    }
  } catch {
    // userinfo-looking part of a non-URL: `scheme://user:pass@host` that URL() rejected
    v = v.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@\s]*@/i, '$1').replace(/[?#].*$/, '');
  }
  v = v.replace(/[\u0000-\u001f\u007f]/g, '?');
  return v.length > 60 ? `${v.slice(0, 57)}...` : v;
}

function levenshtein(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest of `candidates` to `name`, when it is close enough to be a likely typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name.toUpperCase(), c.toUpperCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function md5Hex(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const EMAIL_SHAPE = /^[^@\s]+@[^@\s]+$/;

/**
 * Parses and validates the settings of one target. Collects every problem and throws one
 * SettingsError listing them all; messages never contain a secret value (passwords, client
 * secrets, API keys, tokens, URL credentials).
 */
export function parseSettings(env: Record<string, string | undefined>, opts?: ParseOptions): TargetSettings {
  const embedded = opts?.embedded ?? false;
  const errors: SettingError[] = [];
  const warnings: string[] = [];
  const problem = (variable: string, text: string): void => {
    errors.push({ variable, problem: text });
  };

  // Normalise: empty strings are "not set"; aliases fold onto their canonical names.
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (typeof v === 'string' && v.trim() !== '') vars[k] = v;
  }
  for (const [alias, canonical] of Object.entries(ALIASES)) {
    if (vars[alias] !== undefined) {
      if (vars[canonical] !== undefined && vars[canonical] !== vars[alias]) {
        problem(alias, `is another name for ${canonical}, and both are set to different values: set only ${canonical}`);
      }
      vars[canonical] ??= vars[alias]!;
    }
  }
  const get = (name: string): string | undefined => {
    const v = vars[name];
    return v === undefined ? undefined : v.trim();
  };

  // Typo protection.
  const known = new Set<string>([...KNOWN_VARIABLES, ...Object.keys(ALIASES), ...(opts?.knownExtra ?? [])]);
  for (const name of Object.keys(env)) {
    if (!/^PLACEOS_/i.test(name) || known.has(name) || KNOWN_PREFIXES.some((p) => name.startsWith(p))) continue;
    const suggestion = closest(name, [...known]);
    problem(
      name,
      suggestion
        ? `unknown variable; did you mean ${suggestion}?`
        : `unknown variable (not one this suite reads; see env/live.env.example for the list)`,
    );
  }

  // --- URLs ---------------------------------------------------------------------------------
  const httpUrl = (name: string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    const example = 'https://placeos.example.com';
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      problem(name, `expected an http(s) URL like ${example}, got '${safeEcho(value)}'`);
      return undefined;
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) {
      problem(name, `expected an http(s) URL like ${example}, got '${safeEcho(value)}'`);
      return undefined;
    }
    if (u.username || u.password) {
      warnings.push(`${name}: credentials in the URL were removed (the suite signs in with the configured accounts)`);
    }
    if (u.search || u.hash) {
      problem(name, `expected a base URL without query or fragment like ${example}, got '${safeEcho(value)}'`);
      return undefined;
    }
    return stripUrl(u.toString());
  };

  const rawUrl = get('PLACEOS_URL');
  let url = httpUrl('PLACEOS_URL', rawUrl);
  if (rawUrl === undefined && !embedded) {
    problem('PLACEOS_URL', `is required: the base URL of the deployment, like https://placeos.example.com (leave it unset only to run against the embedded reference target)`);
  }
  // Embedded without a URL yet: the caller parses again once the target listens. Defaults below
  // that derive from the URL are then relative to ''.
  url ??= '';
  const otherAuthorityUrl = httpUrl('PLACEOS_OTHER_AUTHORITY_URL', get('PLACEOS_OTHER_AUTHORITY_URL'));
  if (otherAuthorityUrl && url && otherAuthorityUrl === url) {
    problem('PLACEOS_OTHER_AUTHORITY_URL', `expected the deployment under a second authority's domain, got the same URL as PLACEOS_URL`);
  }

  const redirectUri = (name: string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      problem(name, `expected an absolute redirect URI like https://placeos.example.com/backoffice/oauth-resp.html, got '${safeEcho(value)}'`);
      return undefined;
    }
    if (u.hash) {
      problem(name, `expected a redirect URI without a fragment (OAuth forbids it), got '${safeEcho(value)}'`);
      return undefined;
    }
    if (u.username || u.password) {
      problem(name, `expected a redirect URI without credentials, got '${safeEcho(value)}'`);
      return undefined;
    }
    // Kept exactly as given: client_id = MD5 of this string, and auth.cr matches it exactly.
    return value;
  };

  const scopes = (name: string, value: string | undefined, fallback: string[] | undefined): string[] | undefined => {
    if (value === undefined) return fallback;
    const list = value.split(/ +/).filter(Boolean);
    const bad = list.filter((s) => !SCOPE_TOKEN.test(s));
    if (/[\t\r\n]/.test(value)) {
      problem(name, `expected scopes separated by single spaces, got a value with tabs or newlines`);
      return undefined;
    }
    if (list.length === 0 || bad.length > 0) {
      problem(name, `expected space-separated scope names like 'public api_keys.read', got '${safeEcho(value)}'`);
      return undefined;
    }
    if (list.some((s) => s.includes(','))) {
      problem(name, `expected scopes separated by spaces, not commas, got '${safeEcho(value)}'`);
      return undefined;
    }
    return list;
  };

  const clientIdOf = (name: string, value: string | undefined, redirect: string | undefined): string | undefined => {
    if (value !== undefined) {
      if (/\s/.test(value)) {
        problem(name, `expected a client_id without spaces, got '${safeEcho(value)}'`);
        return undefined;
      }
      return value;
    }
    return redirect === undefined ? undefined : md5Hex(redirect);
  };

  // --- the public client ----------------------------------------------------------------------
  const clientRedirect = redirectUri('PLACEOS_REDIRECT_URI', get('PLACEOS_REDIRECT_URI')) ?? `${url}/backoffice/oauth-resp.html`;
  const client: ClientApp = {
    clientId: clientIdOf('PLACEOS_CLIENT_ID', get('PLACEOS_CLIENT_ID'), clientRedirect) ?? md5Hex(clientRedirect),
    redirectUri: clientRedirect,
    scopes: scopes('PLACEOS_CLIENT_SCOPES', get('PLACEOS_CLIENT_SCOPES'), ['public']) ?? ['public'],
  };
  const clientSecret = vars['PLACEOS_CLIENT_SECRET'];
  if (clientSecret !== undefined) client.clientSecret = clientSecret;

  // --- the confidential client --------------------------------------------------------------
  let confidentialClient: ClientApp | undefined;
  {
    const id = get('PLACEOS_CONFIDENTIAL_CLIENT_ID');
    const secret = vars['PLACEOS_CONFIDENTIAL_CLIENT_SECRET'];
    const redirect = get('PLACEOS_CONFIDENTIAL_REDIRECT_URI');
    const sc = get('PLACEOS_CONFIDENTIAL_CLIENT_SCOPES');
    if (id !== undefined || secret !== undefined || redirect !== undefined || sc !== undefined) {
      const missing: string[] = [];
      if (secret === undefined) missing.push('PLACEOS_CONFIDENTIAL_CLIENT_SECRET');
      if (redirect === undefined) missing.push('PLACEOS_CONFIDENTIAL_REDIRECT_URI');
      for (const m of missing) {
        problem(m, `is required when any PLACEOS_CONFIDENTIAL_* variable is set (the confidential app needs PLACEOS_CONFIDENTIAL_REDIRECT_URI and PLACEOS_CONFIDENTIAL_CLIENT_SECRET; its client id defaults to MD5 of the redirect URI)`);
      }
      const r = redirectUri('PLACEOS_CONFIDENTIAL_REDIRECT_URI', redirect);
      const cid = clientIdOf('PLACEOS_CONFIDENTIAL_CLIENT_ID', id, r);
      const s = scopes('PLACEOS_CONFIDENTIAL_CLIENT_SCOPES', sc, ['public']);
      if (r !== undefined && cid !== undefined && s !== undefined && secret !== undefined) {
        confidentialClient = { clientId: cid, clientSecret: secret, redirectUri: r, scopes: s };
      }
    }
  }

  // --- the scoped client ----------------------------------------------------------------------
  let scopedClient: ClientApp | undefined;
  {
    const id = get('PLACEOS_SCOPED_CLIENT_ID');
    const secret = vars['PLACEOS_SCOPED_CLIENT_SECRET'];
    const redirect = get('PLACEOS_SCOPED_REDIRECT_URI');
    const sc = get('PLACEOS_SCOPED_CLIENT_SCOPES');
    if (id !== undefined || secret !== undefined || redirect !== undefined || sc !== undefined) {
      if (redirect === undefined) {
        problem('PLACEOS_SCOPED_REDIRECT_URI', `is required when any PLACEOS_SCOPED_* variable is set (its client id defaults to MD5 of the redirect URI)`);
      }
      if (sc === undefined) {
        problem('PLACEOS_SCOPED_CLIENT_SCOPES', `is required when any PLACEOS_SCOPED_* variable is set: the extra scopes the app has, like 'public api_keys.read'`);
      }
      const r = redirectUri('PLACEOS_SCOPED_REDIRECT_URI', redirect);
      const cid = clientIdOf('PLACEOS_SCOPED_CLIENT_ID', id, r);
      const s = scopes('PLACEOS_SCOPED_CLIENT_SCOPES', sc, undefined);
      if (r !== undefined && cid !== undefined && s !== undefined) {
        scopedClient = { clientId: cid, redirectUri: r, scopes: s };
        if (secret !== undefined) scopedClient.clientSecret = secret;
      }
    }
  }

  // --- accounts -------------------------------------------------------------------------------
  const account = (prefix: 'PLACEOS_SERVICE' | 'PLACEOS_USER' | 'PLACEOS_LOGOUT', what: string): Account | undefined => {
    const emailVar = `${prefix}_EMAIL`;
    const passwordVar = `${prefix}_PASSWORD`;
    const email = get(emailVar);
    const password = vars[passwordVar];
    if (email === undefined && password === undefined) return undefined;
    if (email === undefined || password === undefined) {
      const missing = email === undefined ? emailVar : passwordVar;
      const given = email === undefined ? passwordVar : emailVar;
      problem(missing, `${emailVar} and ${passwordVar} go together (the ${what}): ${given} is set but ${missing} is not`);
      return undefined;
    }
    if (!EMAIL_SHAPE.test(email)) {
      problem(emailVar, `expected an email address like someone@example.com, got '${safeEcho(email)}'`);
      return undefined;
    }
    return { email, password };
  };
  const service = account('PLACEOS_SERVICE', 'service account');
  const user = account('PLACEOS_USER', 'local non-service user');
  const logoutAccount = account('PLACEOS_LOGOUT', 'account the run may log out everywhere');
  for (const [other, a] of [['PLACEOS_SERVICE_EMAIL', service], ['PLACEOS_USER_EMAIL', user]] as const) {
    if (logoutAccount && a && a.email.toLowerCase() === logoutAccount.email.toLowerCase()) {
      problem('PLACEOS_LOGOUT_EMAIL', `expected an account of its own (logout ends every session and token of the account), got the same email as ${other}`);
    }
  }
  if (service && user && service.email.toLowerCase() === user.email.toLowerCase()) {
    problem('PLACEOS_USER_EMAIL', `expected a different account from PLACEOS_SERVICE_EMAIL (a normal, non-service user), got the same email`);
  }

  // --- keys and tokens (values are never echoed) ----------------------------------------------
  const apiKey = (name: string): string | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    const dots = v.split('.').length - 1;
    if (!/^[^.\s]+\.[^.\s]+$/.test(v)) {
      problem(name, `expected an API key of the form '<id>.<secret>' (one dot, no spaces), got a value of ${v.length} characters with ${dots} dot(s)${/\s/.test(v) ? ' and whitespace' : ''}`);
      return undefined;
    }
    return v;
  };
  const apiKeyValue = apiKey('PLACEOS_API_KEY');
  const apiKeyExpired = apiKey('PLACEOS_API_KEY_EXPIRED');
  if (apiKeyValue && apiKeyExpired && apiKeyValue === apiKeyExpired) {
    problem('PLACEOS_API_KEY_EXPIRED', `expected a different, expired API key, got the same key as PLACEOS_API_KEY`);
  }

  let expiredToken: string | undefined;
  {
    const v = get('PLACEOS_EXPIRED_TOKEN');
    if (v !== undefined) {
      const parts = v.split('.').length;
      if (!JWT_SHAPE.test(v)) {
        problem('PLACEOS_EXPIRED_TOKEN', `expected a JWT (three base64url parts separated by dots), got a value of ${v.length} characters in ${parts} part(s)`);
      } else {
        const [h, p] = v.split('.');
        let header: unknown;
        let payload: unknown;
        try {
          header = JSON.parse(Buffer.from(h!, 'base64url').toString('utf8'));
          payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8'));
        } catch {
          // handled below
        }
        if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) {
          problem('PLACEOS_EXPIRED_TOKEN', `expected a JWT whose header and payload are base64url JSON objects, got a value that does not decode`);
        } else {
          const exp = (payload as { exp?: unknown }).exp;
          if (typeof exp === 'number' && exp * 1000 > Date.now()) {
            problem('PLACEOS_EXPIRED_TOKEN', `expected an expired token, got one whose exp is ${new Date(exp * 1000).toISOString()} (in the future)`);
          } else {
            expiredToken = v;
          }
        }
      }
    }
  }

  // --- JWT public key -------------------------------------------------------------------------
  let jwtPublicKeyPem: string | undefined;
  {
    const file = get('PLACEOS_JWT_PUBLIC_KEY_FILE');
    const inline = vars['PLACEOS_JWT_PUBLIC_KEY'];
    const checkPem = (name: string, pem: string, from: string): string | undefined => {
      if (/PRIVATE KEY-----/.test(pem)) {
        problem(name, `${from} contains a PRIVATE key: give the public key only (never hand the suite the signing key)`);
        return undefined;
      }
      if (!/-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----/.test(pem)) {
        problem(name, `expected ${from} to be a PEM public key ('-----BEGIN PUBLIC KEY-----'), got ${pem.length} characters without such a block`);
        return undefined;
      }
      try {
        if (/BEGIN CERTIFICATE/.test(pem)) new X509Certificate(pem);
        else createPublicKey(pem);
      } catch (e) {
        problem(name, `expected ${from} to be a PEM public key, but it does not parse (${oneLine(e)})`);
        return undefined;
      }
      return pem.trim() + '\n';
    };
    if (file !== undefined && inline !== undefined) {
      problem('PLACEOS_JWT_PUBLIC_KEY', `set either PLACEOS_JWT_PUBLIC_KEY_FILE or PLACEOS_JWT_PUBLIC_KEY, not both`);
    } else if (file !== undefined) {
      const pem = readText('PLACEOS_JWT_PUBLIC_KEY_FILE', file, 'the public key file', problem);
      if (pem !== undefined) jwtPublicKeyPem = checkPem('PLACEOS_JWT_PUBLIC_KEY_FILE', pem, `the file '${file}'`);
    } else if (inline !== undefined) {
      jwtPublicKeyPem = checkPem('PLACEOS_JWT_PUBLIC_KEY', inline.replace(/\\n/g, '\n'), 'the value');
    }
  }

  const ssoId = get('PLACEOS_SSO_ID');
  if (ssoId !== undefined && /\s/.test(ssoId)) problem('PLACEOS_SSO_ID', `expected an authentication strategy id without spaces, got '${safeEcho(ssoId)}'`);
  let ssoAccount: TargetSettings['ssoAccount'];
  {
    const username = get('PLACEOS_SSO_USERNAME');
    const password = vars['PLACEOS_SSO_PASSWORD'];
    if ((username === undefined) !== (password === undefined)) {
      const missing = username === undefined ? 'PLACEOS_SSO_USERNAME' : 'PLACEOS_SSO_PASSWORD';
      problem(missing, `PLACEOS_SSO_USERNAME and PLACEOS_SSO_PASSWORD go together (a test account at the SSO identity provider): ${missing === 'PLACEOS_SSO_USERNAME' ? 'PLACEOS_SSO_PASSWORD' : 'PLACEOS_SSO_USERNAME'} is set but ${missing} is not`);
    } else if (username !== undefined && password !== undefined) {
      if (ssoId === undefined) problem('PLACEOS_SSO_USERNAME', `is used for the SSO login, which needs PLACEOS_SSO_ID (the strategy id) too`);
      else ssoAccount = { username, password };
    }
  }

  let generation: Generation | undefined;
  {
    const g = get('PLACEOS_GENERATION');
    if (g !== undefined) {
      if ((GENERATIONS as readonly string[]).includes(g)) generation = g as Generation;
      else {
        const near = closest(g, GENERATIONS);
        problem('PLACEOS_GENERATION', `expected one of ${GENERATIONS.join(' | ')} (or unset to detect it), got '${safeEcho(g)}'${near ? `; did you mean ${near}?` : ''}`);
      }
    }
  }

  // --- TLS -------------------------------------------------------------------------------------
  const tls: TargetSettings['tls'] = { insecure: false };
  {
    const pems: string[] = [];
    const caFile = get('PLACEOS_CA_FILE');
    const extra = get('NODE_EXTRA_CA_CERTS');
    for (const [name, path] of [
      ['PLACEOS_CA_FILE', caFile],
      ['NODE_EXTRA_CA_CERTS', extra],
    ] as const) {
      if (path === undefined) continue;
      const pem = readText(name, path, 'the CA file', problem);
      if (pem === undefined) continue;
      const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      if (blocks.length === 0) {
        problem(name, `expected '${path}' to hold PEM certificates ('-----BEGIN CERTIFICATE-----'), found none`);
        continue;
      }
      let ok = true;
      for (const b of blocks) {
        try {
          new X509Certificate(b);
        } catch (e) {
          problem(name, `'${path}' holds a certificate that does not parse (${oneLine(e)})`);
          ok = false;
          break;
        }
      }
      if (ok) pems.push(blocks.join('\n'));
      tls.caFile ??= path;
    }
    if (pems.length > 0) tls.ca = pems.join('\n') + '\n';
    const insecure = get('PLACEOS_INSECURE_TLS');
    if (insecure !== undefined) {
      const v = insecure.toLowerCase();
      if (v === 'true' || v === '1') tls.insecure = true;
      else if (v !== 'false' && v !== '0') problem('PLACEOS_INSECURE_TLS', `expected true, false, 1 or 0, got '${safeEcho(insecure)}'`);
    }
    if (tls.insecure) {
      warnings.push('PLACEOS_INSECURE_TLS=true: TLS certificates are NOT checked; anyone on the path can read the credentials this run sends. Use PLACEOS_CA_FILE instead outside a throwaway test.');
    }
  }

  // --- proxy -----------------------------------------------------------------------------------
  let proxy: TargetSettings['proxy'];
  {
    const names = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];
    const name = names.find((n) => get(n) !== undefined);
    if (name !== undefined) {
      const value = get(name)!;
      let u: URL | undefined;
      try {
        u = new URL(value);
      } catch {
        u = undefined;
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) {
        problem(name, `expected a proxy URL like http://proxy.example.com:3128, got '${safeEcho(value)}'`);
      } else if (embedded) {
        warnings.push(`${name} is ignored: the embedded reference target runs in this process`);
      } else {
        const noProxy = (get('NO_PROXY') ?? get('no_proxy') ?? '')
          .split(/[,\s]+/)
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
        proxy = { url: value, noProxy };
      }
    }
  }

  // --- numbers ---------------------------------------------------------------------------------
  const int = (name: string, min: number, max: number, fallback: number, unit = ''): number => {
    const v = get(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problem(name, `expected a whole number from ${min} to ${max}${unit}, got '${safeEcho(v)}'`);
      return fallback;
    }
    return Number(v);
  };
  const timeoutMs = int('PLACEOS_TIMEOUT_MS', 100, 120000, 10000, ' (milliseconds)');
  const retries = int('PLACEOS_RETRIES', 0, 5, 2);
  const concurrency = int('PLACEOS_CONCURRENCY', 1, 32, 8);
  const maxRequests = int('PLACEOS_MAX_REQUESTS', 1, 1000000, 2000);
  // Opt-in: the expiry check waits this long plus a second, so it is bounded to two minutes.
  const codeLifetimeSeconds = get('PLACEOS_CODE_LIFETIME_SECONDS') === undefined ? undefined : int('PLACEOS_CODE_LIFETIME_SECONDS', 1, 120, 0, ' (seconds)');
  const refreshGraceSeconds = int('PLACEOS_REFRESH_GRACE_SECONDS', 0, 60, 10, ' (seconds)');

  // A secret too short to be masked reliably would reach the evidence in clear.
  for (const name of ['PLACEOS_SERVICE_PASSWORD', 'PLACEOS_USER_PASSWORD', 'PLACEOS_LOGOUT_PASSWORD', 'PLACEOS_SSO_PASSWORD', 'PLACEOS_CLIENT_SECRET', 'PLACEOS_CONFIDENTIAL_CLIENT_SECRET', 'PLACEOS_SCOPED_CLIENT_SECRET']) {
    const v = vars[name];
    if (v !== undefined && v !== '' && v.length < MIN_SECRET_LENGTH) {
      problem(name, `expected at least ${MIN_SECRET_LENGTH} characters (a shorter secret cannot be masked reliably in reports), got ${v.length}`);
    }
  }
  if (errors.length > 0) throw new SettingsError(errors);

  const settings: TargetSettings = { url, client, tls, timeoutMs, retries, concurrency, maxRequests, refreshGraceSeconds, embedded };
  if (otherAuthorityUrl !== undefined) settings.otherAuthorityUrl = otherAuthorityUrl;
  if (confidentialClient) settings.confidentialClient = confidentialClient;
  if (scopedClient) settings.scopedClient = scopedClient;
  if (service) settings.service = service;
  if (user) settings.user = user;
  if (logoutAccount) settings.logoutAccount = logoutAccount;
  if (apiKeyValue !== undefined) settings.apiKey = apiKeyValue;
  if (apiKeyExpired !== undefined) settings.apiKeyExpired = apiKeyExpired;
  if (expiredToken !== undefined) settings.expiredToken = expiredToken;
  if (jwtPublicKeyPem !== undefined) settings.jwtPublicKeyPem = jwtPublicKeyPem;
  if (ssoId !== undefined) settings.ssoId = ssoId;
  if (ssoAccount) settings.ssoAccount = ssoAccount;
  if (codeLifetimeSeconds) settings.codeLifetimeSeconds = codeLifetimeSeconds;
  if (generation !== undefined) settings.generation = generation;
  if (proxy) settings.proxy = proxy;
  if (warnings.length > 0) settings.warnings = warnings;
  return settings;
}

function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 120);
}

function readText(variable: string, path: string, what: string, problem: (v: string, p: string) => void): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : oneLine(e);
    problem(variable, `expected a readable file with ${what}, cannot read '${path}' (${why})`);
    return undefined;
  }
}

/** Reads a dotenv file (for `--env FILE`). A missing or unreadable file is a SettingsError. */
export function loadEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : oneLine(e);
    throw new SettingsError([{ variable: '--env', problem: `cannot read the env file '${path}' (${why}); see env/*.env.example for templates` }]);
  }
  return parseDotenv(text);
}

/** Non-secret summary of the settings for reports and the console. */
export function describeSettings(s: TargetSettings): Record<string, string> {
  const yes = (v: unknown): string => (v === undefined || v === '' ? 'no' : 'yes');
  const app = (c: ClientApp | undefined): string =>
    c ? `client_id ${c.clientId}, redirect_uri ${stripUrl(c.redirectUri)}, scopes '${c.scopes.join(' ')}', secret ${yes(c.clientSecret)}` : 'no';
  const out: Record<string, string> = {
    target: s.embedded ? 'embedded reference target' : 'live deployment',
    url: s.url ? stripUrl(s.url) : '(not started yet)',
    otherAuthorityUrl: s.otherAuthorityUrl ? stripUrl(s.otherAuthorityUrl) : 'no',
    generation: s.generation ? `${s.generation} (PLACEOS_GENERATION override)` : 'detected',
    client: app(s.client),
    confidentialClient: app(s.confidentialClient),
    scopedClient: app(s.scopedClient),
    serviceAccount: yes(s.service),
    userAccount: yes(s.user),
    apiKey: yes(s.apiKey),
    apiKeyExpired: yes(s.apiKeyExpired),
    expiredToken: yes(s.expiredToken),
    jwtPublicKey: s.jwtPublicKeyPem ? `yes (sha256 ${createHash('sha256').update(s.jwtPublicKeyPem.trim()).digest('hex').slice(0, 16)})` : 'no',
    ssoId: s.ssoId ?? 'no',
    ssoAccount: yes(s.ssoAccount),
    tls: s.tls.insecure
      ? 'INSECURE: certificates not checked (PLACEOS_INSECURE_TLS)'
      : s.tls.ca
        ? `system CAs + ${s.tls.caFile ?? 'custom CA'}`
        : 'system CAs',
    proxy: s.proxy ? `${stripUrl(s.proxy.url)}${s.proxy.noProxy.length ? ` (not for ${s.proxy.noProxy.join(',')})` : ''}` : 'none',
    timeoutMs: String(s.timeoutMs),
    retries: String(s.retries),
    concurrency: String(s.concurrency),
    maxRequests: String(s.maxRequests),
  };
  return out;
}

/**
 * Every secret value in the settings with its kind, to register with the SecretRegistry before
 * the first request (passwords, client secrets, API keys and their secret part, the expired token,
 * proxy credentials).
 */
export function settingsSecrets(s: TargetSettings): { value: string; kind: SecretKind }[] {
  const out: { value: string; kind: SecretKind }[] = [];
  const push = (value: string | undefined, kind: SecretKind): void => {
    if (value) out.push({ value, kind });
  };
  push(s.service?.password, 'password');
  push(s.user?.password, 'password');
  push(s.logoutAccount?.password, 'password');
  push(s.ssoAccount?.password, 'password');
  push(s.client.clientSecret, 'client_secret');
  push(s.confidentialClient?.clientSecret, 'client_secret');
  push(s.scopedClient?.clientSecret, 'client_secret');
  for (const key of [s.apiKey, s.apiKeyExpired]) {
    push(key, 'api_key');
    push(key?.slice(key.indexOf('.') + 1), 'api_key');
  }
  push(s.expiredToken, 'access_token');
  if (s.proxy) {
    try {
      const u = new URL(s.proxy.url);
      push(decodeURIComponent(u.password), 'password');
    } catch {
      // validated already
    }
  }
  return out;
}
