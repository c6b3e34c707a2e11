// `placeos-contract` runs the checks through jest too: jest's programmatic API (runCLI) with the
// package's preset, the shipped tables only, jest's own reporters off (the command line prints
// its own progress and summary). The run itself is the command line's (runner/main.ts resolved
// its options and started its target): it is handed to the preset's runner (runner/jest/runner.ts
// `handoff`), which runs it once in this process; the exit code is the run's, not jest's.
import * as path from 'node:path';
import { runCLI } from 'jest';
import { PACKAGE_ROOT } from '../../helpers/package-root';
import { EXIT } from '../exit';
import { handoff } from './runner';
import type { CliRun } from './runner';

/** The run's exit code (EXIT); throws what stopped the run, as runContract does. */
export async function runThroughJest(run: CliRun): Promise<number> {
  handoff.run = run;
  handoff.code = undefined;
  handoff.error = undefined;
  try {
    const config = {
      rootDir: PACKAGE_ROOT,
      preset: path.join(PACKAGE_ROOT, 'jest-preset.js'),
      roots: [path.join(PACKAGE_ROOT, 'specs')],
      reporters: [],
    };
    await runCLI({ _: [], $0: 'placeos-contract', config: JSON.stringify(config), runInBand: true, watchman: false, silent: true }, [PACKAGE_ROOT]);
  } finally {
    handoff.run = undefined;
  }
  if (handoff.error !== undefined) throw handoff.error;
  return handoff.code ?? EXIT.couldNotRun;
}
