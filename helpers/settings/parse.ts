// parseSettings: an environment (process environment and/or a dotenv file) in, the settings of
// one target out, or one SettingsError listing every problem. Messages name the variable and
// what it expects, and never contain a secret value.
import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { DECLARED, DIRECT, RUN_PARTS } from './declaration';
import { accounts, confidentialClient, publicClient, scopedClient, ssoAccount } from './compose';
import { caCertificates, jwtPublicKey, jwtSigningKey } from './keys';
import { readDeclared, type DeclaredValues } from './read';
import { closest, readFailure } from './text';
import { SettingsError, type SettingError, type TargetSettings } from './types';

/** Every PLACEOS_* variable the program reads (all declared). Unknown PLACEOS_* names are a typo guard. */
export const KNOWN_VARIABLES: readonly string[] = Object.values(DECLARED)
  .map((s) => s.name)
  .filter((n) => n.startsWith('PLACEOS_'));
const ALIASES: readonly string[] = Object.values(DECLARED).flatMap((s) => ('aliases' in s && s.aliases ? s.aliases : []));

export interface ParseOptions {
  /** The target is the embedded reference target: PLACEOS_URL is not required, proxies are not used. */
  embedded?: boolean;
  /**
   * Names set only in the process environment (not in the --env file). An unknown PLACEOS_* name
   * there is a warning (CI systems set variables for other tools); in the file it is an error.
   */
  fromProcess?: ReadonlySet<string>;
}

function unknownNames(env: Record<string, string | undefined>, opts: ParseOptions | undefined, errors: SettingError[], warnings: string[]): void {
  const known = [...KNOWN_VARIABLES, ...ALIASES];
  const knownSet = new Set(known);
  for (const name of Object.keys(env)) {
    if (!/^PLACEOS_/i.test(name) || knownSet.has(name)) continue;
    const suggestion = closest(name, known);
    const text = suggestion
      ? `unknown variable; did you mean ${suggestion}?`
      : `unknown variable (not one this suite reads; see env/live.env.example for the list)`;
    if (opts?.fromProcess?.has(name)) warnings.push(`${name} (set in the process environment, so ignored): ${text}`);
    else errors.push({ variable: name, problem: text });
  }
}

export function parseSettings(env: Record<string, string | undefined>, opts?: ParseOptions): TargetSettings {
  const embedded = opts?.embedded ?? false;
  const errors: SettingError[] = [];
  const warnings: string[] = [];
  const problem = (variable: string, text: string): void => {
    errors.push({ variable, problem: text });
  };
  // Empty values are "not set".
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string' && v.trim() !== '') vars[k] = v;

  unknownNames(env, opts, errors, warnings);
  const declared = readDeclared(vars, problem, warnings);
  const v = declared.values;

  if (declared.given.url === undefined && !embedded) {
    problem(
      'PLACEOS_URL',
      `is required: the base URL of the deployment, like https://placeos.example.com (leave it unset only to run against the embedded reference target)`,
    );
  }
  // Embedded without a URL yet: defaults that derive from the URL are relative to ''.
  const url = v.url ?? '';
  if (v.otherAuthorityUrl && url && v.otherAuthorityUrl === url) {
    problem('PLACEOS_OTHER_AUTHORITY_URL', `expected the deployment under a second authority's domain, got the same URL as PLACEOS_URL`);
  }
  const client = publicClient(declared, url);
  const confidential = confidentialClient(declared, problem);
  const scoped = scopedClient(declared, problem);
  const people = accounts(declared, problem);
  const sso = ssoAccount(declared, problem);
  if (v.apiKey && v.apiKeyExpired && v.apiKey === v.apiKeyExpired) {
    problem('PLACEOS_API_KEY_EXPIRED', `expected a different, expired API key, got the same key as PLACEOS_API_KEY`);
  }
  const jwtPublicKeyPem = jwtPublicKey(v.jwtPublicKeyFile, v.jwtPublicKey, problem);
  const jwtSigningKeyPem = jwtSigningKey(v.jwtSigningKeyFile, problem);
  const tls = caCertificates(
    [
      ['PLACEOS_CA_FILE', v.caFile],
      ['NODE_EXTRA_CA_CERTS', v.extraCaCerts],
    ],
    v.insecureTls ?? false,
    problem,
  );
  if (tls.insecure) {
    warnings.push(
      'PLACEOS_INSECURE_TLS=true: TLS certificates are NOT checked; anyone on the path can read the credentials this run sends. Use PLACEOS_CA_FILE instead outside a throwaway test.',
    );
  }
  let proxy: TargetSettings['proxy'];
  if (v.proxy !== undefined) {
    if (embedded) warnings.push(`${declared.given.proxy} is ignored: the embedded reference target runs in this process`);
    else proxy = { url: v.proxy, noProxy: v.noProxy ?? [] };
  }
  if (errors.length > 0) throw new SettingsError(errors);

  const direct: Record<string, unknown> = {};
  for (const key of Object.keys(DIRECT) as (keyof typeof DIRECT)[]) if (v[key] !== undefined) direct[key] = v[key];
  const settings = { ...(direct as Pick<TargetSettings, keyof typeof DIRECT>), url, client, tls, embedded, ...people } as TargetSettings;
  if (confidential) settings.confidentialClient = confidential;
  if (scoped) settings.scopedClient = scoped;
  if (jwtPublicKeyPem !== undefined) settings.jwtPublicKeyPem = jwtPublicKeyPem;
  if (jwtSigningKeyPem !== undefined) settings.jwtSigningKeyPem = jwtSigningKeyPem;
  if (proxy) settings.proxy = proxy;
  if (sso) settings.ssoAccount = sso;
  if (warnings.length > 0) settings.warnings = warnings;
  return settings;
}

export type RunSettingValues = Partial<Pick<DeclaredValues, keyof typeof RUN_PARTS>>;

/**
 * The run's, the reports' and the embedded target's settings (RUN_PARTS) from an environment that
 * parseSettings has validated already (its SettingsError names every problem, these included).
 */
export function readRunSettings(env: Record<string, string | undefined>): RunSettingValues {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string' && v.trim() !== '') vars[k] = v;
  const { values } = readDeclared(vars, () => {}, []);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(RUN_PARTS) as (keyof typeof RUN_PARTS)[]) if (values[key] !== undefined) out[key] = values[key];
  return out;
}

/** Reads a dotenv file (for `--env FILE`). A missing or unreadable file is a SettingsError. */
export function loadEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SettingsError([{ variable: '--env', problem: `cannot read the env file '${path}' (${readFailure(e)}); see env/*.env.example for templates` }]);
  }
  return parseDotenv(text);
}
