// `placeos-contract` (npm run contract): settings → target (live or embedded) → preflight and
// generation → jest over specs/ → reports → exit code. Exit codes: 0 holds, 1 violated,
// 2 could not run, 3 a registered secret was found in an artifact.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { EMBEDDED_VARIABLES, loadEnvFile, parseSettings, SettingsError } from '../helpers/config';
import { createRunEnv, isBreaking, revokeMinted, runCases, selectCases } from './engine';
import type { Selection } from './engine';
import { SUITES } from '../specs';
import type { RunEnv } from './engine';
import { TransportError } from '../helpers/http';
import { emptyLedger, LedgerError, loadLedger } from './ledger';
import { startEmbeddedTarget } from './embedded';
import type { Capacity, ProfileName, VariantName } from '../reference/src';
import { VARIANT_NAMES } from '../reference/src/profiles';
import { createSchemaRegistry } from '../helpers/schemas';
import { createSecretRegistry } from '../helpers/secrets';
import { finalizeReports, collectCiMeta } from './report';
import { toJestResults, writeJestJunit } from './report/jest-junit';
import { areaProgress } from './progress';
import type { RunMeta } from './report';
import { parseArgs, UsageError, USAGE } from './args';
import type { RunOptions } from './args';
import { applyOverride, detectGeneration, PreflightError } from './detect';
import { contractDifferences } from '../helpers/generations';
import { printCatalogue } from './list';
import { AimdLimiter } from '../helpers/http-limiter';
import { shardOf } from './args';
import { BaselineError, loadBaseline, regressions } from './report/baseline';
import type { Baseline } from './report/baseline';
import { runFleet } from './fleet/run';
import { runMerge } from './fleet/merge';

export const EXIT = { ok: 0, violated: 1, couldNotRun: 2, secretLeak: 3 } as const;

const ROOT = path.resolve(__dirname, '..');

interface Target {
  env: Record<string, string>;
  /** Names set only in the process environment, not in the --env file. */
  fromProcess: ReadonlySet<string>;
  embedded: boolean;
  profile?: string;
  mutants?: string[];
  close(): Promise<void>;
}

/**
 * The embedded target's capacity limit, like a deployment with a few worker threads:
 * PLACEOS_REFERENCE_CAPACITY requests served at once, each costing PLACEOS_REFERENCE_COST_MS.
 */
function embeddedCapacity(env: Record<string, string>): Capacity | undefined {
  const k = env.PLACEOS_REFERENCE_CAPACITY;
  const cost = env.PLACEOS_REFERENCE_COST_MS;
  if (k === undefined && cost === undefined) return undefined;
  const errors: { variable: string; problem: string }[] = [];
  if (k !== undefined && !/^[1-9]\d{0,3}$/.test(k))
    errors.push({
      variable: 'PLACEOS_REFERENCE_CAPACITY',
      problem: `expected a whole number from 1 to 9999 (requests served at once), got '${k.slice(0, 20)}'`,
    });
  if (cost !== undefined && !/^\d{1,6}$/.test(cost))
    errors.push({
      variable: 'PLACEOS_REFERENCE_COST_MS',
      problem: `expected a whole number of milliseconds (server time per request), got '${cost.slice(0, 20)}'`,
    });
  if (errors.length) throw new SettingsError(errors);
  return { concurrent: k === undefined ? 9999 : Number(k), costMs: cost === undefined ? 0 : Number(cost) };
}

/** Live deployment from the environment / --env file, or the embedded reference target. */
async function resolveTarget(o: RunOptions, env: Record<string, string | undefined>, log: (s: string) => void): Promise<Target> {
  const fileEnv = o.envFile ? loadEnvFile(o.envFile) : {};
  // As dotenv does: a variable already in the environment wins over the file.
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...fileEnv, ...env })) if (v !== undefined) merged[k] = v;
  const fromProcess = new Set(Object.keys(env).filter((k) => !(k in fileEnv)));
  if (merged.PLACEOS_URL) return { env: merged, fromProcess, embedded: false, close: async () => {} };

  const profile = o.profile ?? merged.PLACEOS_REFERENCE_PROFILE ?? 'rails';
  const variant = o.variant ?? merged.PLACEOS_REFERENCE_VARIANT ?? 'standard';
  if (!(VARIANT_NAMES as readonly string[]).includes(variant))
    throw new UsageError(`--variant / PLACEOS_REFERENCE_VARIANT: expected one of ${VARIANT_NAMES.join(', ')}, got '${variant}'`);
  const mutants = o.mutants.length
    ? o.mutants
    : (merged.PLACEOS_REFERENCE_MUTANTS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  const capacity = embeddedCapacity(merged);
  const target = await startEmbeddedTarget({
    profile: profile as ProfileName,
    variant: variant as VariantName,
    mutants,
    tls: o.tls || merged.PLACEOS_REFERENCE_TLS === '1',
    ...(capacity ? { capacity } : {}),
  });
  log(
    `no PLACEOS_URL: started the embedded reference target (${profile}${variant !== 'standard' ? `, ${variant}` : ''}${mutants.length ? `, mutants: ${mutants.join(', ')}` : ''}) at ${target.url}`,
  );
  // Explicit suite settings (PLACEOS_GENERATION, timeouts...) still apply on top of the target's.
  const suiteVars = Object.fromEntries(Object.entries(merged).filter(([k]) => EMBEDDED_VARIABLES.includes(k)));
  return {
    env: { ...target.env, ...suiteVars },
    fromProcess,
    embedded: true,
    profile: variant === 'standard' ? profile : `${profile} (${variant})`,
    mutants,
    close: () => target.close(),
  };
}

const REPORT_MARKERS = ['results.json', 'junit.xml', 'MANIFEST.sha256.json', '.results', 'fleet.json'];

/** Empty the reports folder of a previous run; never a folder that holds anything else. */
export function prepareReportsDir(dir: string): string {
  if (fs.existsSync(dir)) {
    const entries = fs.readdirSync(dir);
    if (entries.length && !entries.some((e) => REPORT_MARKERS.includes(e))) {
      throw new UsageError(`--reports ${dir}: the folder is not empty and holds no previous report; choose an empty or new folder`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function gitCommit(): string | undefined {
  // An installed package has no .git of its own: never report the commit of a repository around it.
  if (!fs.existsSync(path.join(ROOT, '.git'))) return undefined;
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

function isoWithZone(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const local = new Date(d.getTime() + off * 60000).toISOString().slice(0, 19);
  return `${local}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

/** `env`: the process environment, handed over by the entry point (bin/placeos-contract.js), the only reader of process.env. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
): Promise<number> {
  if (argv[0] === 'merge') return runMerge(argv.slice(1), out);
  let o: RunOptions;
  let baseline: Baseline | undefined;
  try {
    o = parseArgs(argv);
    if (o.fleet && !o.help && !o.list) return await runFleet(o, argv, env, out);
    if (o.baseline) baseline = loadBaseline(o.baseline);
  } catch (e) {
    out(`placeos-contract: ${(e as Error).message}`);
    return EXIT.couldNotRun;
  }
  if (o.help) {
    out(USAGE);
    return EXIT.ok;
  }
  if (o.list) {
    out(printCatalogue(o.json));
    return EXIT.ok;
  }
  const log = (s: string) => {
    if (!o.quiet) out(s);
  };
  const startedAt = new Date();
  let target: Target | undefined;
  let run: RunEnv | undefined;
  let limiter: AimdLimiter | undefined;
  const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'placeos-contract-'));
  try {
    target = await resolveTarget(o, env, log);
    // Asking for the credentials-in-url checks by tag enables them.
    if (o.tags.includes('credentials-in-url')) target.env.PLACEOS_CREDENTIALS_IN_URL = 'true';
    const settings = parseSettings(target.env, { embedded: target.embedded, fromProcess: target.fromProcess });
    const secrets = createSecretRegistry();
    const schemas = createSchemaRegistry();
    // One bound on requests in flight for the whole run: detection here, the checks in the jest
    // workers through the permit service, cleanup last.
    limiter = new AimdLimiter({ max: settings.concurrency, timeoutMs: settings.timeoutMs, maxRequests: settings.maxRequests });
    run = createRunEnv({
      settings,
      generation: o.generation ?? settings.generationOverride ?? 'rails',
      ledger: emptyLedger('rails'),
      secrets,
      schemas,
      readonly: o.readonly,
      gate: limiter,
    });
    for (const w of settings.warnings ?? []) out(`WARNING: ${w}`);
    const override = o.generation ?? settings.generationOverride;
    const detection = applyOverride(await detectGeneration(run, override), override, contractDifferences);
    log(`target ${settings.url}: ${detection.generation} (${detection.source}; ${detection.reasons.join('; ')})`);
    // Already overloaded by the few requests of detection: stop here, with the one line.
    const overloadedEarly = limiter.stats().overloaded;
    if (overloadedEarly) throw new TransportError(overloadedEarly, 'OVERLOAD');
    await revokeMinted(run);
    const ledger = o.noLedger ? emptyLedger(detection.generation) : loadLedger(detection.generation, o.ledger ?? env.PLACEOS_LEDGER);

    const selection: Selection | undefined = o.tags.length || o.ids.length || o.readonly ? { tags: o.tags, ids: o.ids, readonly: o.readonly } : undefined;
    // --shard i/n without a fleet: a stable part of the areas (combine the parts with `merge`).
    const planned = shardOf(
      SUITES.map((s) => ({ area: s.area, ids: selectCases(s.cases, selection).map((c) => c.id) })).filter((s) => s.ids.length > 0),
      o.shard,
    );
    if (!planned.length && o.shard)
      throw new UsageError(`--shard ${o.shard.index}/${o.shard.total}: this part holds no area with a selected check; use fewer parts`);
    if (!planned.length)
      throw new UsageError(`the selection (--only ${o.ids.join(',') || '-'}, --tags ${o.tags.join(',') || '-'}) matches no check; see --list`);

    const reportsDir = prepareReportsDir(path.resolve(o.reportsDir));
    // The checks run here, in this process: the run's modules load once, and the run's one bound
    // on requests in flight (the limiter) is shared by every check.
    const checks = createRunEnv({
      settings,
      generation: detection.generation,
      ledger,
      strict: o.strict,
      secrets,
      schemas,
      readonly: o.readonly,
      gate: limiter,
    });
    const suites = planned.map((p) => ({ area: p.area, cases: selectCases(SUITES.find((s) => s.area === p.area)!.cases, selection) }));
    const results = await runCases(checks, suites, { onResult: areaProgress(suites, o.strict, log), revoke: true });
    const { revoked, failed: notRevoked } = checks.cleanup;
    await writeJestJunit(
      reportsDir,
      ROOT,
      toJestResults(
        results,
        suites.map((s) => ({ area: s.area, file: path.join(ROOT, 'specs', s.area, `${s.area}.cases.ts`) })),
        { strict: o.strict, startedAt },
      ),
    );

    const requestsByArea: Record<string, number> = {};
    for (const r of results) requestsByArea[r.area] = (requestsByArea[r.area] ?? 0) + r.exchanges.length;
    if (revoked + notRevoked) requestsByArea.cleanup = revoked + notRevoked;
    const fingerprints = secrets.fingerprints();
    const meta: RunMeta = {
      runId: path.basename(privateDir),
      suiteVersion: (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
      suiteCommit: gitCommit(),
      schemaDigest: schemas.digest(),
      target: settings.url,
      otherAuthority: settings.otherAuthorityUrl,
      embedded: target.embedded,
      referenceProfile: target.profile,
      mutants: target.mutants,
      generation: detection.generation,
      generationSource: detection.source,
      generationReasons: detection.reasons,
      deploymentVersion: detection.deploymentVersion,
      warnings: detection.warnings.length ? detection.warnings : undefined,
      startedAt: isoWithZone(startedAt),
      endedAt: isoWithZone(new Date()),
      node: process.version,
      jest: (require('jest/package.json') as { version: string }).version,
      strict: o.strict,
      selection: selection || o.shard ? JSON.stringify({ ...selection, ...(o.shard ? { shard: `${o.shard.index}/${o.shard.total}` } : {}) }) : undefined,
      ci: collectCiMeta(env),
      requestCount: run.budget.used + checks.budget.used + revoked + notRevoked,
      requestsByArea,
      load: limiter.stats(),
    };
    const report = finalizeReports({ reportsDir, results, meta, env, fingerprints, signingKeyPem: env.PLACEOS_REPORT_SIGNING_KEY, baseline });
    out(secrets.mask(report.console));
    out(
      `Cleanup: ${revoked} revocation(s) of the run's tokens accepted${notRevoked ? `, ${notRevoked} refused or failed (those tokens live until they expire)` : ''}.`,
    );
    if (report.secretHits.length) {
      for (const h of report.secretHits)
        out(`SECRET LEAK: ${h.count} registered ${h.kind} value(s) found in ${path.join(o.reportsDir, h.file)} (the file was withheld from the reports)`);
      return EXIT.secretLeak;
    }
    const overloaded = limiter.stats().overloaded;
    // The summary above already carries the one overload line.
    if (overloaded) return EXIT.couldNotRun;
    if (o.failOn === 'new') {
      // Only regressions against the baseline break the build (known failures are accepted).
      const reg = regressions(report.comparison);
      out(
        `--fail-on new: ${reg.length} regression(s) against the baseline decide the exit code${reg.length ? '' : '; the failures above were already in the baseline'}.`,
      );
      if (reg.some((x) => x.after === 'error')) return EXIT.couldNotRun;
      return reg.length ? EXIT.violated : EXIT.ok;
    }
    if (results.some((r) => r.verdict === 'fail' || (o.strict && r.verdict === 'warn')) || (o.strict && detection.warnings.length)) return EXIT.violated;
    if (results.some((r) => isBreaking(r.verdict, o.strict))) return EXIT.couldNotRun;
    return EXIT.ok;
  } catch (e) {
    if (e instanceof SettingsError) {
      out('placeos-contract: the settings are not usable:');
      for (const err of e.errors) out(`  ${err.variable}: ${err.problem}`);
      return EXIT.couldNotRun;
    }
    if (e instanceof TransportError || e instanceof PreflightError || e instanceof LedgerError || e instanceof UsageError || e instanceof BaselineError) {
      out(`placeos-contract: ${run ? run.secrets.mask(e.message) : e.message}`);
      return EXIT.couldNotRun;
    }
    const message = e instanceof Error ? e.message : String(e);
    out(`placeos-contract: could not run: ${run ? run.secrets.mask(message) : message}`);
    return EXIT.couldNotRun;
  } finally {
    limiter?.close();
    fs.rmSync(privateDir, { recursive: true, force: true });
    await target?.close();
  }
}
