// `placeos-contract` (npm run contract): the command line. `merge`, `verify`, `--fleet`, `--help`
// and `--list` are answered here; a run starts its target first (the embedded one in a thread of
// its own) and loads the run's modules (runner/run.ts) while the target starts. Exit codes:
// runner/exit.ts.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../helpers/package-root';
import { SettingsError } from '../helpers/settings/types';
import { TransportError, PreflightError } from '../helpers/http-errors';
import { LedgerError } from './ledger';
import { createSecretRegistry } from '../helpers/secrets';
import { parseArgs, UsageError, USAGE } from './args';
import type { RunOptions } from './args';
import { BaselineError, loadBaseline } from './report/baseline';
import type { Baseline } from './report/baseline';
import { EXIT } from './exit';
import { resolveRunConfig } from './config';
import type { RunConfig } from './config';
import { startTarget } from './target';
import { reportsFolderProblem } from './fs-errors';
import type { Target } from './target';
import { stageBundle } from './bundle';
import { endFailedRun } from './lifecycle';
import type { RunLifecycle } from './lifecycle';

export { EXIT } from './exit';

function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Every problem of the settings, one line each, and exit 2; undefined for any other error. */
function settingsProblem(e: unknown, out: (s: string) => void): number | undefined {
  if (!(e instanceof SettingsError)) return undefined;
  if (e.errors.length === 1) out(`placeos-contract: ${e.errors[0]!.variable}: ${e.errors[0]!.problem}`);
  else {
    out('placeos-contract: the settings are not usable:');
    for (const err of e.errors) out(`  ${err.variable}: ${err.problem}`);
  }
  return EXIT.couldNotRun;
}
export { prepareReportsDir } from './target';

/** What the entry point knows of its process: whether stdout is a terminal, and the interrupt signal. */
export interface MainIo {
  tty?: boolean;
  /** Aborted by the entry point on SIGINT/SIGTERM, with the reason "interrupted by SIGINT" (runner/lifecycle.ts). */
  signal?: AbortSignal;
}

/** A known error as its one line (masked); an unknown one says the run could not be made. */
function errorLine(e: unknown, reportsDir: string, mask: (s: string) => string): string {
  if (e instanceof SettingsError)
    return e.errors.length === 1
      ? `${e.errors[0]!.variable}: ${e.errors[0]!.problem}`
      : `the settings are not usable: ${e.errors.map((x) => `${x.variable}: ${x.problem}`).join('; ')}`;
  if (e instanceof TransportError || e instanceof PreflightError || e instanceof LedgerError || e instanceof UsageError || e instanceof BaselineError)
    return mask(e.message);
  const folder = reportsFolderProblem(e, reportsDir);
  if (folder) return folder;
  return `could not run: ${mask(e instanceof Error ? e.message : String(e))}`;
}

/**
 * `env`: the process environment, handed over by the entry point (bin/placeos-contract.js), the
 * only reader of process.env. Once the command line is read and the reports folder is staged,
 * every run ends with a bundle: its reports, or the could-not-run bundle naming why (a refused
 * configuration included), so an earlier run's reports never look current.
 */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
  io: MainIo = {},
): Promise<number> {
  if (argv[0] === 'merge') return (await import('./fleet/merge')).runMerge(argv.slice(1), out);
  if (argv[0] === 'verify') return (await import('./report/verify-cli')).main(argv.slice(1), out);
  let o: RunOptions;
  try {
    o = parseArgs(argv);
    if (o.fleet && !o.help && !o.list) return await (await import('./fleet/run')).runFleet(o, argv, env, out);
    if (o.help) {
      out(USAGE);
      return EXIT.ok;
    }
    if (o.version) {
      out(`placeos-contract ${packageVersion()}`);
      return EXIT.ok;
    }
    if (o.list) {
      out((await import('./list')).printCatalogue(o.json, o));
      return EXIT.ok;
    }
    if (o.dryRun) {
      out((await import('./dry-run')).describeRun(resolveRunConfig(o, env, io)));
      return EXIT.ok;
    }
  } catch (e) {
    return settingsProblem(e, out) ?? (out(`placeos-contract: ${(e as Error).message}`), EXIT.couldNotRun);
  }
  const startedAt = new Date();
  const secrets = createSecretRegistry();
  const runId = `placeos-contract-${randomBytes(6).toString('base64url')}`;
  // The bundle is written beside the reports folder and swapped in when complete (runner/bundle.ts).
  let lifecycle: RunLifecycle;
  try {
    lifecycle = { bundle: stageBundle(path.resolve(o.reportsDir), runId), ...(io.signal ? { signal: io.signal } : {}), stepSummary: env.GITHUB_STEP_SUMMARY };
  } catch (e) {
    out(`placeos-contract: ${errorLine(e, o.reportsDir, secrets.mask)}`);
    return EXIT.couldNotRun;
  }
  const failed = (e: unknown, signingKeyPem?: string): number =>
    endFailedRun(
      lifecycle,
      errorLine(e, o.reportsDir, (s) => secrets.mask(s)),
      {
        runId,
        startedAt,
        fingerprints: secrets.fingerprints(),
        ...(signingKeyPem ? { signingKeyPem } : {}),
        out,
      },
    );
  let config: RunConfig;
  let baseline: Baseline | undefined;
  try {
    // The one place flags, the --env file and the environment become the run's configuration.
    config = resolveRunConfig(o, env, io);
    if (config.run.baseline) baseline = loadBaseline(config.run.baseline);
  } catch (e) {
    // A refused configuration is a run that could not be made: its bundle says so.
    lifecycle.target = { url: '(none: the configuration was refused)', embedded: false };
    return failed(e);
  }
  const log = (s: string) => {
    if (!config.run.quiet) out(s);
  };
  if (config.reports.signingKeyPem) secrets.add(config.reports.signingKeyPem, 'other');
  for (const w of config.warnings) out(`WARNING: ${w}`);
  lifecycle.target =
    config.target.kind === 'deployment' ? { url: config.target.settings.url, embedded: false } : { url: 'the embedded reference target', embedded: true };
  let target: Target | undefined;
  const starting = startTarget(config.target, log);
  try {
    // The run's modules load while the embedded target starts.
    const { runContract } = await import('./run');
    target = await starting;
    return await runContract({ config, target, secrets, runId, startedAt, baseline, out, log, lifecycle });
  } catch (e) {
    return failed(e, config.reports.signingKeyPem);
  } finally {
    await (target ?? (await starting.catch(() => undefined)))?.close();
  }
}
