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

/** `env`: the process environment, handed over by the entry point (bin/placeos-contract.js), the only reader of process.env. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
  /** Whether stdout is a terminal (colours), as the entry point sees it. */
  io: { tty?: boolean } = {},
): Promise<number> {
  if (argv[0] === 'merge') return (await import('./fleet/merge')).runMerge(argv.slice(1), out);
  if (argv[0] === 'verify') return (await import('./report/verify-cli')).main(argv.slice(1), out);
  let o: RunOptions;
  let config: RunConfig;
  let baseline: Baseline | undefined;
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
    // The one place flags, the --env file and the environment become the run's configuration.
    config = resolveRunConfig(o, env, io);
    if (o.dryRun) {
      out((await import('./dry-run')).describeRun(config));
      return EXIT.ok;
    }
    if (config.run.baseline) baseline = loadBaseline(config.run.baseline);
  } catch (e) {
    return settingsProblem(e, out) ?? (out(`placeos-contract: ${(e as Error).message}`), EXIT.couldNotRun);
  }
  const log = (s: string) => {
    if (!config.run.quiet) out(s);
  };
  const startedAt = new Date();
  const secrets = createSecretRegistry();
  if (config.reports.signingKeyPem) secrets.add(config.reports.signingKeyPem, 'other');
  for (const w of config.warnings) out(`WARNING: ${w}`);
  let target: Target | undefined;
  const starting = startTarget(config.target, log);
  try {
    // The run's modules load while the embedded target starts.
    const { runContract } = await import('./run');
    target = await starting;
    const runId = `placeos-contract-${randomBytes(6).toString('base64url')}`;
    return await runContract({ config, target, secrets, runId, startedAt, baseline, out, log });
  } catch (e) {
    const settings = settingsProblem(e, out);
    if (settings !== undefined) return settings;
    if (e instanceof TransportError || e instanceof PreflightError || e instanceof LedgerError || e instanceof UsageError || e instanceof BaselineError) {
      out(`placeos-contract: ${secrets.mask(e.message)}`);
      return EXIT.couldNotRun;
    }
    const folder = reportsFolderProblem(e, o.reportsDir);
    if (folder) {
      out(`placeos-contract: ${folder}`);
      return EXIT.couldNotRun;
    }
    const message = e instanceof Error ? e.message : String(e);
    out(`placeos-contract: could not run: ${secrets.mask(message)}`);
    return EXIT.couldNotRun;
  } finally {
    await (target ?? (await starting.catch(() => undefined)))?.close();
  }
}
