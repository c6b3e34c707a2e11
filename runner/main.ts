// `placeos-contract` (npm run contract): the command line. `merge`, `--fleet`, `--help` and
// `--list` are answered here; a run starts its target first (the embedded one in a thread of its
// own) and loads the run's modules (runner/run.ts) while the target starts. Exit codes: runner/exit.ts.
import { randomBytes } from 'node:crypto';
import { SettingsError } from '../helpers/settings/types';
import { TransportError, PreflightError } from '../helpers/http-errors';
import { LedgerError } from './ledger';
import { createSecretRegistry } from '../helpers/secrets';
import { parseArgs, UsageError, USAGE } from './args';
import type { RunOptions } from './args';
import { BaselineError, loadBaseline } from './report/baseline';
import type { Baseline } from './report/baseline';
import { EXIT } from './exit';
import { resolveTarget } from './target';
import type { Target } from './target';

export { EXIT } from './exit';
export { prepareReportsDir } from './target';

/** `env`: the process environment, handed over by the entry point (bin/placeos-contract.js), the only reader of process.env. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
): Promise<number> {
  if (argv[0] === 'merge') return (await import('./fleet/merge')).runMerge(argv.slice(1), out);
  let o: RunOptions;
  let baseline: Baseline | undefined;
  try {
    o = parseArgs(argv);
    if (o.fleet && !o.help && !o.list) return await (await import('./fleet/run')).runFleet(o, argv, env, out);
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
    out((await import('./list')).printCatalogue(o.json));
    return EXIT.ok;
  }
  const log = (s: string) => {
    if (!o.quiet) out(s);
  };
  const startedAt = new Date();
  const secrets = createSecretRegistry();
  let target: Target | undefined;
  const starting = resolveTarget(o, env, log);
  try {
    // The run's modules (and jest) load while the embedded target starts; the checks run through
    // jest with the package's preset, in this process (runner/jest/cli.ts).
    const { runThroughJest } = await import('./jest/cli');
    target = await starting;
    const runId = `placeos-contract-${randomBytes(6).toString('base64url')}`;
    return await runThroughJest({ o, env, target, secrets, runId, startedAt, baseline, out, log });
  } catch (e) {
    if (e instanceof SettingsError) {
      out('placeos-contract: the settings are not usable:');
      for (const err of e.errors) out(`  ${err.variable}: ${err.problem}`);
      return EXIT.couldNotRun;
    }
    if (e instanceof TransportError || e instanceof PreflightError || e instanceof LedgerError || e instanceof UsageError || e instanceof BaselineError) {
      out(`placeos-contract: ${secrets.mask(e.message)}`);
      return EXIT.couldNotRun;
    }
    const message = e instanceof Error ? e.message : String(e);
    out(`placeos-contract: could not run: ${secrets.mask(message)}`);
    return EXIT.couldNotRun;
  } finally {
    await (target ?? (await starting.catch(() => undefined)))?.close();
  }
}
