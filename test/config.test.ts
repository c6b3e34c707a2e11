// The run's configuration has one owner (runner/config.ts): flags, the --env file and the process
// environment resolved once. Every declared setting means the same from the file and from the
// environment; conflicting flags and a deployment named but empty are errors naming both sides;
// the embedded target runs only when nothing at all names a deployment, or when asked for.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DECLARED } from '../helpers/settings';
import type { Setting } from '../helpers/settings';
import { parseArgs } from '../runner/args';
import { resolveRunConfig, type Env } from '../runner/config';
import { VARIANT_NAMES } from '../reference/src/profiles';
import { REFERENCE_VARIANTS } from '../helpers/config';

const dir = mkdtempSync(join(tmpdir(), 'contract-config-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const pemFile = file('public.pem', publicPem);
const signingKeyFile = file('signing.pem', privatePem);
let certFile = '';
beforeAll(async () => {
  const { generate } = await import('selfsigned');
  certFile = file('ca.pem', (await generate([{ name: 'commonName', value: 'ca' }], { keySize: 2048, algorithm: 'sha256' })).cert);
});
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** A valid value of each declared setting whose example or default does not do. */
const SAMPLES: Record<string, string> = {
  PLACEOS_SSO_ID: 'strat-1',
  PLACEOS_API_KEY: 'key1.abcdefghijklmnop',
  PLACEOS_API_KEY_EXPIRED: 'key2.abcdefghijklmnop',
  PLACEOS_EXPIRED_TOKEN: `${b64({ alg: 'RS256' })}.${b64({ exp: 1000 })}.c2ln`,
  PLACEOS_CODE_LIFETIME_SECONDS: '5',
  PLACEOS_CODE_LIFETIME_CLIENT_ID: 'short-codes',
  PLACEOS_CLIENT_ID: 'public-app',
  PLACEOS_CLIENT_SECRET: 'client-secret-long-enough',
  PLACEOS_CONFIDENTIAL_CLIENT_ID: 'conf-app',
  PLACEOS_CONFIDENTIAL_CLIENT_SECRET: 'conf-secret-long-enough',
  PLACEOS_SCOPED_CLIENT_ID: 'scoped-app',
  PLACEOS_SCOPED_CLIENT_SECRET: 'scoped-secret-long-enough',
  PLACEOS_SERVICE_PASSWORD: 'service-password-long',
  PLACEOS_USER_PASSWORD: 'user-password-long-1',
  PLACEOS_LOGOUT_EMAIL: 'logout@example.com',
  PLACEOS_LOGOUT_PASSWORD: 'logout-password-long',
  PLACEOS_SSO_PASSWORD: 'sso-password-long-12',
  PLACEOS_JWT_PUBLIC_KEY_FILE: pemFile,
  PLACEOS_JWT_PUBLIC_KEY: publicPem.replace(/\n/g, '\\n'),
  PLACEOS_JWT_SIGNING_KEY_FILE: signingKeyFile,
  PLACEOS_URL: 'https://other.example.com',
  PLACEOS_TIMEOUT_MS: '5000',
  PLACEOS_RETRIES: '1',
  PLACEOS_CONCURRENCY: '3',
  PLACEOS_MAX_REQUESTS: '500',
  PLACEOS_REFRESH_GRACE_SECONDS: '5',
  PLACEOS_REDIRECT_URI: 'https://placeos.example.com/other/oauth-resp.html',
  PLACEOS_CLIENT_SCOPES: 'public openid',
  PLACEOS_CONFIDENTIAL_CLIENT_SCOPES: 'public openid',
  PLACEOS_SCOPED_CLIENT_SCOPES: 'public api_keys.write',
  PLACEOS_LEDGER: join(dir, 'ledger.json'),
  PLACEOS_REPORT_SIGNING_KEY: privatePem.replace(/\n/g, '\\n'),
  PLACEOS_REFERENCE_CAPACITY: '3',
  PLACEOS_REFERENCE_COST_MS: '5',
};
const sample = (s: Setting): string =>
  s.name === 'PLACEOS_CA_FILE' || s.name === 'NODE_EXTRA_CA_CERTS'
    ? certFile
    : (SAMPLES[s.name] ?? (typeof s.default === 'boolean' ? String(!s.default) : s.example !== undefined ? s.example : String(s.default)));

/** Settings that only go together: the partners are set in the environment on both sides. */
const PARTNERS: Record<string, string[]> = {
  account: ['PLACEOS_SERVICE_EMAIL', 'PLACEOS_SERVICE_PASSWORD'],
  user: ['PLACEOS_USER_EMAIL', 'PLACEOS_USER_PASSWORD'],
  logout: ['PLACEOS_LOGOUT_EMAIL', 'PLACEOS_LOGOUT_PASSWORD'],
  sso: ['PLACEOS_SSO_USERNAME', 'PLACEOS_SSO_PASSWORD', 'PLACEOS_SSO_ID'],
  confidential: ['PLACEOS_CONFIDENTIAL_CLIENT_ID', 'PLACEOS_CONFIDENTIAL_CLIENT_SECRET', 'PLACEOS_CONFIDENTIAL_REDIRECT_URI'],
  scoped: ['PLACEOS_SCOPED_CLIENT_ID', 'PLACEOS_SCOPED_REDIRECT_URI', 'PLACEOS_SCOPED_CLIENT_SCOPES'],
  proxy: ['HTTPS_PROXY', 'NO_PROXY'],
};
function partnersOf(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  const group =
    Object.values(PARTNERS).find((g) => g.includes(name)) ??
    (name.startsWith('PLACEOS_CONFIDENTIAL_') ? PARTNERS.confidential! : name.startsWith('PLACEOS_SCOPED_') ? PARTNERS.scoped! : []);
  for (const partner of group) if (partner !== name) out[partner] = sample(DECLARED_BY_NAME[partner]!);
  return out;
}
const DECLARED_BY_NAME: Record<string, Setting> = Object.fromEntries((Object.values(DECLARED) as Setting[]).map((s) => [s.name, s]));

/** The configuration, or the error, a command line and an environment resolve to. */
function outcome(argv: string[], env: Env): unknown {
  try {
    return resolveRunConfig(parseArgs(argv), env);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const MACHINE: Env = { PATH: '/usr/bin' };

describe('every declared setting means the same from the --env file and from the environment', () => {
  const settings = Object.values(DECLARED) as Setting[];
  test.each(settings.map((s) => [s.name, s] as const))('%s', (name, s) => {
    const value = sample(s);
    // The deployment's settings with a deployment; the reference target's without one.
    const base: Record<string, string> = {
      ...(s.group === 'reference' || name === 'PLACEOS_URL' ? {} : { PLACEOS_URL: 'https://placeos.example.com' }),
      ...partnersOf(name),
    };
    // Without a URL the reference settings ask for the embedded target; PLACEOS_URL's own test needs a deployment either way.
    if (name === 'PLACEOS_URL') base.PLACEOS_TIMEOUT_MS = '5000';
    const quoted = `${name}="${value}"\n`;
    const fromFile = outcome(['--env', file(`${name}.env`, quoted)], { ...MACHINE, ...base });
    const fromEnv = outcome(['--env', file(`${name}-empty.env`, '# nothing here\n')], { ...MACHINE, ...base, [name]: value });
    expect(fromFile).toEqual(fromEnv);
    // The sample is valid, so both resolved: the test compares configurations, not two errors.
    expect(fromFile).not.toHaveProperty('error');
    // And the value took effect: the configuration differs from one without it.
    expect(fromFile).not.toEqual(outcome(['--env', file(`${name}-empty.env`, '# nothing here\n')], { ...MACHINE, ...base }));
  });
});

describe('the target: a deployment when one is named, the embedded target only when nothing is or when asked for', () => {
  const kind = (argv: string[], env: Env) => {
    const o = outcome(argv, { ...MACHINE, ...env }) as { target?: { kind: string; reference?: { reason: string } }; error?: string };
    return o.error ?? `${o.target!.kind}${o.target!.reference ? ` (${o.target!.reference.reason})` : ''}`;
  };
  test('nothing configured outside CI: the embedded target (the README first command)', () => {
    expect(kind([], {})).toBe('embedded (nothing-configured)');
  });
  test('PLACEOS_URL set but empty (an unset CI variable): exit 2, never the embedded target', () => {
    expect(kind([], { PLACEOS_URL: '' })).toMatch(/^PLACEOS_URL is set but empty: set it to the deployment's base URL/);
    expect(kind(['--env', file('empty-url.env', 'PLACEOS_URL=\n')], {})).toMatch(/PLACEOS_URL is set but empty in .*empty-url\.env/);
    // A value in the file is not hidden by an empty one in the environment.
    expect(kind(['--env', file('url.env', 'PLACEOS_URL=https://a.example\n')], { PLACEOS_URL: '' })).toBe('deployment');
  });
  test('an --env file without a deployment URL: exit 2 naming the file', () => {
    expect(kind(['--env', file('no-url.env', 'PLACEOS_TIMEOUT_MS=5000\n')], {})).toMatch(/no-url\.env: the file names no deployment .*--embedded/);
    expect(kind(['--env', file('no-url2.env', 'PLACEOS_TIMEOUT_MS=5000\n'), '--embedded'], {})).toBe('embedded (asked)');
  });
  test('in CI an embedded run must be asked for', () => {
    expect(kind([], { CI: 'true' })).toMatch(/^CI is set and nothing names a deployment/);
    expect(kind(['--embedded'], { CI: 'true' })).toBe('embedded (asked)');
    expect(kind(['--profile', 'authcr'], { CI: 'true' })).toBe('embedded (asked)');
    expect(kind([], { CI: 'true', PLACEOS_REFERENCE_PROFILE: 'authcr' })).toBe('embedded (asked)');
    expect(kind([], { CI: 'true', PLACEOS_URL: 'https://a.example' })).toBe('deployment');
  });
  test.each([['--embedded'], ['--mutant', 'pkce-verifier-ignored'], ['--profile', 'rails'], ['--variant', 'hardened'], ['--tls']])(
    '%s with a deployment URL: an error naming both',
    (...argv) => {
      expect(kind(argv, { PLACEOS_URL: 'https://a.example' })).toBe(
        `${argv[0]} is for the embedded reference target, but PLACEOS_URL names a deployment: give one of them`,
      );
    },
  );
});

describe('flags and settings that conflict are errors naming both', () => {
  const error = (argv: string[], env: Env = {}) => (outcome(argv, { ...MACHINE, ...env }) as { error?: string }).error;
  test.each([
    [['--ledger', 'x.json', '--no-ledger'], {}, '--ledger and --no-ledger exclude each other: give one of them'],
    [['--no-ledger'], { PLACEOS_LEDGER: 'x.json' }, '--no-ledger and PLACEOS_LEDGER exclude each other: give one of them'],
    [['--ledger', 'a.json'], { PLACEOS_LEDGER: 'b.json' }, "--ledger and PLACEOS_LEDGER disagree ('a.json' against 'b.json'): give one of them"],
    [['--generation', 'authcr'], { PLACEOS_GENERATION: 'rails' }, "--generation and PLACEOS_GENERATION disagree ('authcr' against 'rails'): give one of them"],
    [
      ['--profile', 'authcr'],
      { PLACEOS_REFERENCE_PROFILE: 'rails' },
      "--profile and PLACEOS_REFERENCE_PROFILE disagree ('authcr' against 'rails'): give one of them",
    ],
  ] as const)('%j with %j', (argv, env, message) => {
    expect(error([...argv], env)).toBe(message);
  });
  test('the same value in both places is no conflict', () => {
    expect(error(['--generation', 'rails'], { PLACEOS_GENERATION: 'rails', PLACEOS_URL: 'https://a.example' })).toBeUndefined();
  });
  test('an unknown mutant is named with a suggestion, wherever it is written', () => {
    expect(error(['--mutant', 'pkce-verifier-ignord'])).toMatch(/unknown mutant 'pkce-verifier-ignord'; did you mean pkce-verifier-ignored\?/);
    expect(error([], { PLACEOS_REFERENCE_MUTANTS: 'pkce-verifier-ignord' })).toMatch(/PLACEOS_REFERENCE_MUTANTS: unknown mutant/);
  });
});

test('the declared variants are the reference target’s', () => {
  expect([...REFERENCE_VARIANTS]).toEqual([...VARIANT_NAMES]);
});
