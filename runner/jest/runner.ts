// The contract's jest runner (jest's `runner` option, set by the package's jest-preset.js): jest
// picks the table files (`*.cases.ts` / `.js`: --testPathPatterns, --shard, --onlyChanged, watch
// mode) and hands them ALL to runTests in one call; the rows jest's -t matches run in one run of
// this process (runner/run.ts: detection, ledger, one bound on requests in flight, waits first,
// revocation per check, the report bundle), and each table is reported to jest as soon as its
// checks have ended (runner/jest/results.ts). The run is a session of runner/session.ts, as the
// command line's: its options (--strict, --ledger, --env, --reports, --only, --tags…) come from the
// preset's `testEnvironmentOptions.contract`, read by the command line's own parser and resolved
// with the environment into the one configuration; or, when `placeos-contract` runs the checks
// through jest (runner/jest/cli.ts), the session the command line began, as it hands it over.
// Entered through bin/jest-runner.js, which hands over the process environment.
import * as path from 'node:path';
import type { SerializableError, Test, TestResult } from '@jest/test-result';
import type { Config } from '@jest/types';
import type { CaseResult } from '../../helpers/model';
import { PACKAGE_ROOT } from '../../helpers/package-root';
import { SUITES } from '../../specs';
import { parseArgs, UsageError } from '../args';
import { isBreaking } from '../engine';
import { EXIT } from '../exit';
import { beginSession, errorLine } from '../session';
import type { Session, SessionEnd } from '../session';
import { tableResult } from './results';
import { loadTable } from './tables';
import type { Table } from './tables';

type Env = Readonly<Record<string, string | undefined>>;

const SHIPPED_ORDER = SUITES.map((s) => s.area);

/**
 * The command line's hand-over (runner/jest/cli.ts): the session it began (its options resolved,
 * its target starting) instead of the runner beginning its own, and back how the run ended.
 */
export const handoff: { session?: Session; end?: SessionEnd } = {};

/** The run's options from the project's config: `testEnvironmentOptions: { contract: ['--strict', …] }`. */
export function contractArgs(config: Pick<Config.ProjectConfig, 'testEnvironmentOptions'>): string[] {
  const a = config.testEnvironmentOptions?.contract ?? [];
  if (!Array.isArray(a) || !a.every((x) => typeof x === 'string'))
    throw new UsageError("testEnvironmentOptions.contract: expected the run's options as a list of strings, e.g. ['--strict']");
  return a;
}

const serializable = (message: string): SerializableError => ({ message: `placeos-contract: ${message}`, stack: `placeos-contract: ${message}` });

/** The shipped tables in the catalogue's order (specs/index.ts, as `npm run contract` runs them), then the others by path. */
function catalogueOrder(a: Test, b: Test): number {
  const rank = (t: Test) => {
    const i = SHIPPED_ORDER.indexOf(path.basename(t.path).replace(/\.cases\.[jt]s$/, ''));
    return i < 0 || path.dirname(path.dirname(t.path)) !== path.join(PACKAGE_ROOT, 'specs') ? SHIPPED_ORDER.length : i;
  };
  return rank(a) - rank(b) || a.path.localeCompare(b.path);
}

/** jest's -t on `<area> <title> [<id>]`, as jest matches a test's full name (case-insensitive). */
function nameFilter(pattern: string | undefined): (area: string, title: string, id: string) => boolean {
  if (!pattern) return () => true;
  const re = new RegExp(pattern, 'i');
  return (area, title, id) => re.test(`${area} ${title} [${id}]`);
}

/** A run that ended before its checks: how it ended, already said and written by the session. */
class Ended extends Error {
  constructor(readonly end: SessionEnd) {
    super(end.failure);
  }
}

export function contractRunner(env: Env, out: (s: string) => void = (s) => process.stdout.write(s + '\n')) {
  return class ContractRunner {
    readonly isSerial = true;
    readonly supportsEventEmitters = false;
    constructor(private readonly globalConfig: Config.GlobalConfig) {}

    async runTests(
      tests: Test[],
      _watcher: unknown,
      onStart: (test: Test) => Promise<void>,
      onResult: (test: Test, result: TestResult) => Promise<void>,
      onFailure: (test: Test, error: SerializableError) => Promise<void>,
    ): Promise<void> {
      const reported = new Set<Test>();
      const pending: Promise<void>[] = [];
      const report = (test: Test, result: TestResult) => {
        reported.add(test);
        pending.push(onResult(test, result));
      };
      const fail = (test: Test, message: string) => {
        reported.add(test);
        pending.push(onFailure(test, serializable(message)));
      };
      // Every table, loaded and checked; a table that cannot be loaded fails alone.
      const fresh = this.globalConfig.watch || this.globalConfig.watchAll;
      const tables = new Map<Test, Table>();
      const areas = new Map<string, string>();
      const ids = new Map<string, string>();
      for (const test of [...tests].sort(catalogueOrder)) {
        try {
          const t = loadTable(test.path, { fresh });
          const clash = areas.get(t.area) ?? t.cases.map((c) => ids.get(c.id)).find(Boolean);
          if (clash) throw new Error(`${test.path}: area or check id already used by ${clash}`);
          areas.set(t.area, test.path);
          for (const c of t.cases) ids.set(c.id, test.path);
          tables.set(test, t);
        } catch (e) {
          await onStart(test);
          fail(test, e instanceof Error ? e.message : String(e));
        }
      }
      const matches = nameFilter(this.globalConfig.testNamePattern);
      const selected = new Map([...tables].map(([test, t]) => [test, t.cases.filter((c) => matches(t.area, c.title, c.id))]));
      const results = new Map<string, CaseResult>();
      let strict = false;
      const finish = (test: Test, execError?: string) => {
        if (reported.has(test)) return;
        const result = tableResult(tables.get(test)!, results, strict);
        if (!execError) return report(test, result);
        const block = `  ● Test suite failed to run\n\n    placeos-contract: ${execError}\n`;
        report(test, { ...result, testExecError: serializable(execError), failureMessage: [result.failureMessage, block].filter(Boolean).join('\n') });
      };
      // Tables -t leaves nothing of are reported at once, every row skipped.
      for (const [test, cases] of selected) {
        if (cases.length) continue;
        await onStart(test);
        finish(test);
      }
      const running = [...selected].filter(([, cases]) => cases.length);
      if (!running.length) return void (await Promise.all(pending));

      let session = handoff.session;
      let ran = false;
      try {
        if (!session) {
          const o = parseArgs(contractArgs(running[0]![0].context.config));
          if (o.fleet || o.list || o.help || o.version || o.dryRun)
            throw new UsageError(
              '--fleet, --list, --dry-run, --version and --help belong to the command line (placeos-contract); under jest use --listTests and -t',
            );
          // jest reports each table as it ends: no progress lines of the run's own.
          const begun = beginSession({ ...o, quiet: true }, env, {}, out);
          if (!('run' in begun)) throw new Ended(begun);
          session = begun;
        }
        strict = session.strict;
        for (const [test] of running) await onStart(test);
        const testOf = new Map(running.map(([test]) => [tables.get(test)!.area, test]));
        const left = new Map<string, Set<string>>();
        ran = true;
        const end = await session.run({
          suites: running.map(([test, cases]) => ({ area: tables.get(test)!.area, cases, file: test.path })),
          onPlan: (planned) => {
            for (const p of planned) left.set(p.area, new Set(p.ids));
            // A table the run's own selection (--only, --tags, --skip, --shard) leaves nothing of: skipped.
            for (const [area, test] of testOf) if (!left.has(area)) finish(test);
          },
          onResult: (r) => {
            results.set(r.caseId, r);
            const l = left.get(r.area);
            l?.delete(r.caseId);
            // The last table to end waits for the run's exit code (below).
            if (l && !l.size && [...left.values()].some((x) => x.size)) finish(testOf.get(r.area)!);
          },
        });
        if (end.failure !== undefined) throw new Ended(end);
        handoff.end = end;
        const breaking = [...results.values()].some((r) => isBreaking(r.verdict, strict));
        // A run that breaks the build although no check did (a secret in a report, an overloaded
        // target, --strict on the run's own warnings, an interrupt): jest must not call it a success.
        const why = end.code === EXIT.secretLeak ? 'a secret was found in a report artifact (exit 3)' : `the run's exit code is ${end.code}`;
        const execError = end.code !== EXIT.ok && !breaking ? `${why}: see the run's summary above` : undefined;
        for (const [test] of running) finish(test, execError);
      } catch (e) {
        // The session said its one line and wrote its could-not-run bundle. A session that never
        // ran does so now; an error before any session (the options) is only said here.
        let end: SessionEnd;
        if (e instanceof Ended) end = e.end;
        else if (session && !ran) end = await session.fail(e);
        else {
          end = { code: EXIT.couldNotRun, failure: errorLine(e, '.', (x) => x) };
          out(`placeos-contract: ${end.failure}`);
        }
        handoff.end = end;
        for (const [test] of running) if (!reported.has(test)) fail(test, end.failure ?? `the run's exit code is ${end.code}`);
      }
      await Promise.all(pending);
    }
  };
}
