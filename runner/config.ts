// The one owner of a run's configuration: the command line, the --env file and the process
// environment are resolved here, once, into a RunConfig; everything after takes typed parts of it
// and never reads an environment map. A setting means the same wherever it is written; a flag and
// its setting that disagree, two flags that exclude each other, or a deployment that is named but
// empty are errors naming both sides (exit 2), never a silent choice.
import * as path from 'node:path';
import { loadEnvFile, parseSettings, readRunSettings, SettingsError } from '../helpers/config';
import type { RunSettingValues } from '../helpers/config';
import type { SettingError, TargetSettings } from '../helpers/config';
import { DECLARED } from '../helpers/settings';
import type { Generation } from '../helpers/model';
import type { Capacity, ProfileName, VariantName } from '../reference/src';
import { MUTANT_NAMES } from '../reference/src/mutants';
import { closest } from '../helpers/settings/text';
import { UsageError } from './args';
import type { RunOptions, Shard } from './args';
import { collectCiMeta } from './report/meta';
import type { ReportSettings } from './report/finalize';

export type Env = Readonly<Record<string, string | undefined>>;

/** The embedded reference target: what it plays and why it runs (reports say so plainly). */
export interface ReferenceConfig {
  profile: ProfileName;
  variant: VariantName;
  mutants: string[];
  tls: boolean;
  capacity?: Capacity;
  /** Why the run checks the embedded target instead of a deployment. */
  reason: 'asked' | 'nothing-configured';
}

export type TargetConfig =
  | { kind: 'deployment'; settings: TargetSettings }
  | {
      kind: 'embedded';
      reference: ReferenceConfig;
      /** The user's suite settings that still apply (timeouts, limits, generation...), typed. */
      overrides: Partial<TargetSettings>;
    };

export type LedgerChoice = { kind: 'default' } | { kind: 'none' } | { kind: 'file'; path: string; from: string };

export interface RunSettings {
  strict: boolean;
  readonly: boolean;
  tags: RunOptions['tags'];
  ids: string[];
  skip: string[];
  shard?: Shard;
  generation?: Generation;
  ledger: LedgerChoice;
  /** A previous run's results.json or reports folder (--baseline), loaded by the run. */
  baseline?: string;
  failOn: 'any' | 'new';
  quiet: boolean;
  /** Print each request as it happens (--verbose). */
  verbose: boolean;
  /** Stop starting checks after the first breaking verdict (--bail). */
  bail: boolean;
  /** ANSI colours in the console: on a terminal, unless --no-color or NO_COLOR. */
  color: boolean;
}

export interface RunConfig {
  target: TargetConfig;
  run: RunSettings;
  reports: ReportSettings;
  /** Said before the run starts, and kept in the reports (never secret). */
  warnings: string[];
}

const EMBEDDED_FLAGS = ['--embedded', '--profile', '--variant', '--mutant', '--tls'] as const;

/** Flag and setting for one thing: both given and different is an error naming both. */
function agree<T>(flag: string, fromFlag: T | undefined, setting: string, fromSetting: T | undefined, same = (a: T, b: T) => a === b): T | undefined {
  if (fromFlag !== undefined && fromSetting !== undefined && !same(fromFlag, fromSetting))
    throw new UsageError(`${flag} and ${setting} disagree ('${String(fromFlag)}' against '${String(fromSetting)}'): give one of them`);
  return fromFlag ?? fromSetting;
}

/** The flags that only an embedded run has, as given. */
function embeddedFlagsGiven(o: RunOptions): string[] {
  const given: Record<(typeof EMBEDDED_FLAGS)[number], boolean> = {
    '--embedded': o.embedded,
    '--profile': o.profile !== undefined,
    '--variant': o.variant !== undefined,
    '--mutant': o.mutants.length > 0,
    '--tls': o.tls,
  };
  return EMBEDDED_FLAGS.filter((f) => given[f]);
}

const REFERENCE_NAMES = Object.values(DECLARED)
  .filter((s) => s.group === 'reference')
  .map((s) => s.name);

/** The variables of the file and the environment, the environment winning (as dotenv does); empty values are dropped unless nothing else sets the name. */
function mergeSources(o: RunOptions, env: Env): { merged: Record<string, string>; fromProcess: Set<string>; file: Record<string, string> } {
  const file = o.envFile ? loadEnvFile(o.envFile) : {};
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries(file)) merged[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined && (v.trim() !== '' || merged[k] === undefined)) merged[k] = v;
  const fromProcess = new Set(Object.keys(env).filter((k) => !(k in file)));
  return { merged, fromProcess, file };
}

function checkMutants(mutants: readonly string[], where: string): void {
  const errors: SettingError[] = [];
  for (const m of mutants)
    if (!MUTANT_NAMES.includes(m)) {
      const near = closest(m, MUTANT_NAMES);
      errors.push({ variable: where, problem: `unknown mutant '${m}'${near ? `; did you mean ${near}?` : ''} (npm run target -- --list-mutants)` });
    }
  if (errors.length) throw new SettingsError(errors);
}

/** Which target the run checks, decided before anything starts; throws a one-line error where the answer would be a guess. */
function chooseTarget(o: RunOptions, env: Env, merged: Record<string, string>): 'deployment' | 'embedded-asked' | 'embedded-default' {
  const url = merged.PLACEOS_URL;
  const embeddedFlags = embeddedFlagsGiven(o);
  const referenceSettings = REFERENCE_NAMES.filter((n) => merged[n] !== undefined && merged[n].trim() !== '');
  const asked = [...embeddedFlags, ...referenceSettings];
  if (url !== undefined && url.trim() === '')
    throw new UsageError(
      `PLACEOS_URL is set but empty${o.envFile && !(env.PLACEOS_URL !== undefined) ? ` in ${o.envFile}` : ''}: set it to the deployment's base URL (https://placeos.example.com), or unset it${asked.length ? '' : ' and pass --embedded'} to check the embedded reference target`,
    );
  if (url !== undefined) {
    if (asked.length) throw new UsageError(`${asked[0]} is for the embedded reference target, but PLACEOS_URL names a deployment: give one of them`);
    return 'deployment';
  }
  if (asked.length) return 'embedded-asked';
  if (o.envFile)
    throw new UsageError(
      `--env ${o.envFile}: the file names no deployment (no PLACEOS_URL): add PLACEOS_URL=<base URL> to it, or pass --embedded to check the embedded reference target`,
    );
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0')
    throw new UsageError(
      'CI is set and nothing names a deployment (no PLACEOS_URL): set PLACEOS_URL to the deployment to check, or pass --embedded to check the embedded reference target on purpose',
    );
  return 'embedded-default';
}

/** Deployment settings that apply to the embedded target too, as given (typed, from the one parse). */
function embeddedOverrides(merged: Record<string, string>, parsed: TargetSettings): { overrides: Partial<TargetSettings>; ignored: string[] } {
  const overrides: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, s] of Object.entries(DECLARED)) {
    const names = [s.name, ...(s.aliases ?? []), ...(s.fallbacks ?? [])];
    if (!names.some((n) => merged[n] !== undefined && merged[n].trim() !== '')) continue;
    if (s.group === 'run' || s.group === 'reports' || s.group === 'reference') continue;
    if (!s.alsoEmbedded) {
      // Node's and the proxies' own variables are the machine's, not settings for this run.
      if (s.name.startsWith('PLACEOS_')) ignored.push(s.name);
    } else if (key === 'insecureTls') overrides.tls = parsed.tls;
    else overrides[key] = (parsed as unknown as Record<string, unknown>)[key];
  }
  return { overrides: overrides, ignored };
}

/**
 * The run's configuration from the command line (parsed already: runner/args.ts) and the process
 * environment. Throws UsageError or SettingsError (every problem of the settings at once).
 */
export function resolveRunConfig(o: RunOptions, env: Env, io: { tty?: boolean } = {}): RunConfig {
  if (o.ledger !== undefined && o.noLedger) throw new UsageError('--ledger and --no-ledger exclude each other: give one of them');
  const { merged, fromProcess } = mergeSources(o, env);
  const choice = chooseTarget(o, env, merged);
  const embedded = choice !== 'deployment';
  // One parse validates every declared setting, the run's, the reports' and the target's.
  const parsed = parseSettings(merged, { embedded, fromProcess });
  const rs = readRunSettings(merged);
  if (rs.ledgerFile !== undefined && o.noLedger) throw new UsageError('--no-ledger and PLACEOS_LEDGER exclude each other: give one of them');
  const warnings = [...(parsed.warnings ?? [])];

  let target: TargetConfig;
  if (embedded) {
    const profile = agree('--profile', o.profile, 'PLACEOS_REFERENCE_PROFILE', rs.referenceProfile) ?? 'rails';
    const variant = agree('--variant', o.variant, 'PLACEOS_REFERENCE_VARIANT', rs.referenceVariant) ?? 'standard';
    const mutants =
      agree('--mutant', o.mutants.length ? o.mutants : undefined, 'PLACEOS_REFERENCE_MUTANTS', rs.referenceMutants, (a, b) => a.join() === b.join()) ?? [];
    checkMutants(mutants, o.mutants.length ? '--mutant' : 'PLACEOS_REFERENCE_MUTANTS');
    const tls = (o.tls || rs.referenceTls) ?? false;
    const capacity =
      rs.referenceCapacity !== undefined || rs.referenceCostMs !== undefined
        ? { concurrent: rs.referenceCapacity ?? 9999, costMs: rs.referenceCostMs ?? 0 }
        : undefined;
    const { overrides, ignored } = embeddedOverrides(merged, parsed);
    if (ignored.length) warnings.push(`${ignored.join(', ')}: ignored, the embedded reference target configures its own apps, accounts and keys`);
    target = {
      kind: 'embedded',
      reference: {
        profile: profile as ProfileName,
        variant: variant as VariantName,
        mutants,
        tls,
        ...(capacity ? { capacity } : {}),
        reason: choice === 'embedded-asked' ? 'asked' : 'nothing-configured',
      },
      overrides,
    };
  } else {
    target = { kind: 'deployment', settings: parsed };
  }

  const ledgerFile = agree('--ledger', o.ledger, 'PLACEOS_LEDGER', rs.ledgerFile);
  const ledger: LedgerChoice = o.noLedger
    ? { kind: 'none' }
    : ledgerFile !== undefined
      ? { kind: 'file', path: path.resolve(ledgerFile), from: o.ledger !== undefined ? '--ledger' : 'PLACEOS_LEDGER' }
      : { kind: 'default' };
  const generation = agree('--generation', o.generation, 'PLACEOS_GENERATION', parsed.generationOverride);
  // Asking for the credentials-in-url checks by tag enables them.
  if (o.tags.includes('credentials-in-url')) {
    if (target.kind === 'deployment') target.settings.credentialsInUrl = true;
    else target.overrides.credentialsInUrl = true;
  }
  return {
    target,
    run: {
      strict: o.strict,
      readonly: o.readonly,
      tags: o.tags,
      ids: o.ids,
      skip: o.skip,
      ...(o.shard ? { shard: o.shard } : {}),
      ...(generation ? { generation } : {}),
      ledger,
      ...(o.baseline ? { baseline: o.baseline } : {}),
      failOn: o.failOn,
      quiet: o.quiet,
      verbose: o.verbose,
      bail: o.bail,
      // https://no-color.org: NO_COLOR set to anything but empty turns colours off.
      color: !o.noColor && !env.NO_COLOR && io.tty === true,
    },
    reports: reportSettings(o, env, rs),
    warnings,
  };
}

function reportSettings(o: RunOptions, env: Env, rs: RunSettingValues): ReportSettings {
  return {
    dir: path.resolve(o.reportsDir),
    shownAs: o.reportsDir,
    ...(rs.reportSigningKey ? { signingKeyPem: rs.reportSigningKey } : {}),
    attachmentPrefix: rs.attachmentPrefix ?? '',
    testcaseProperties: rs.junitTestcaseProperties ?? true,
    ...(env.GITHUB_STEP_SUMMARY ? { githubStepSummary: env.GITHUB_STEP_SUMMARY } : {}),
    ci: collectCiMeta(env),
  };
}

/** The reports' settings alone (a fleet's own report; each deployment resolves its run in its own process). */
export function resolveReportSettings(o: RunOptions, env: Env): ReportSettings {
  const { merged, fromProcess } = mergeSources(o, env);
  const reportNames = new Set(
    Object.values(DECLARED)
      .filter((s) => s.group === 'reports')
      .map((s) => s.name),
  );
  const own = Object.fromEntries(Object.entries(merged).filter(([k]) => reportNames.has(k)));
  parseSettings(own, { embedded: true, fromProcess });
  return reportSettings(o, env, readRunSettings(own));
}
