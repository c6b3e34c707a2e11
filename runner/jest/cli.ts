// `placeos-contract` runs the checks through jest too: jest's programmatic API (runCLI) with the
// package's preset, the shipped tables only, jest's own reporters off (the command line prints
// its own progress and summary). The run is the session the command line began (runner/session.ts:
// its configuration resolved, its target starting): it is handed to the preset's runner
// (runner/jest/runner.ts `handoff`), which makes it once in this process; the exit code is the
// run's, not jest's.
import * as path from 'node:path';
import { runCLI } from 'jest';
import { PACKAGE_ROOT } from '../../helpers/package-root';
import type { Session, SessionEnd } from '../session';
import { handoff } from './runner';

/** The run's exit code (EXIT). */
export async function runThroughJest(session: Session): Promise<number> {
  handoff.session = session;
  handoff.end = undefined;
  try {
    const config = {
      rootDir: PACKAGE_ROOT,
      preset: path.join(PACKAGE_ROOT, 'jest-preset.js'),
      roots: [path.join(PACKAGE_ROOT, 'specs')],
      reporters: [],
    };
    await runCLI({ _: [], $0: 'placeos-contract', config: JSON.stringify(config), runInBand: true, watchman: false, silent: true }, [PACKAGE_ROOT]);
  } catch (e) {
    // jest itself failed: the run could not be made, and its bundle says so.
    if (!handoff.end) return (await session.fail(e)).code;
    throw e;
  } finally {
    handoff.session = undefined;
  }
  // Set by the runner during runCLI.
  const end = handoff.end as SessionEnd | undefined;
  if (end) return end.code;
  // jest handed the runner no table: the session never ran.
  return (await session.fail(new Error(`jest found no table under ${path.join(PACKAGE_ROOT, 'specs')}`))).code;
}
