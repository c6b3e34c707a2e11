// `placeos-contract` (npm run contract): the command line. `merge`, `verify`, `--fleet`, `--help`,
// `--version`, `--list` and `--dry-run` are answered here; a run begins its session (runner/session.ts:
// the bundle staged, the configuration resolved, the target started) and makes it through jest
// with the package's preset (runner/jest/cli.ts), as a user's jest run does. Exit codes:
// runner/exit.ts.
import { PACKAGE_VERSION } from '../helpers/package-root';
import { SettingsError } from '../helpers/settings/types';
import { parseArgs, USAGE } from './args';
import type { RunOptions } from './args';
import { EXIT } from './exit';
import { resolveRunConfig } from './config';
import { beginSession } from './session';
import type { MainIo } from './session';

export { EXIT } from './exit';

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

export type { MainIo } from './session';

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
    if (o.fleet && !o.help && !o.list) return await (await import('./fleet/run')).runFleet(o, env, out, io);
    if (o.help) {
      out(USAGE);
      return EXIT.ok;
    }
    if (o.version) {
      out(`placeos-contract ${PACKAGE_VERSION}`);
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
  // The target starts while jest and the tables load; the checks run through jest with the
  // package's preset, in this process (runner/jest/cli.ts), which makes this session's run.
  const session = beginSession(o, env, io, out);
  if (!('run' in session)) return session.code;
  const { runThroughJest } = await import('./jest/cli');
  return runThroughJest(session);
}
