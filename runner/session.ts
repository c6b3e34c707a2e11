// One run, from its parsed command line to its exit code: the reports folder staged beside the
// reports (runner/bundle.ts), the configuration resolved once (runner/config.ts), the target
// started, the checks run (runner/run.ts), and on any failure the could-not-run bundle naming why.
// `placeos-contract` and the jest preset's runner (runner/jest/runner.ts) both enter here, so a
// run is the same run whichever of them started it. `beginSession` starts the target while the
// caller goes on loading (jest, the tables); `session.run` makes the run and closes the target.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { SettingsError } from '../helpers/settings/types';
import { TransportError, PreflightError } from '../helpers/http-errors';
import { createSecretRegistry } from '../helpers/secrets';
import { LedgerError } from './ledger';
import { UsageError } from './args';
import type { RunOptions } from './args';
import { BaselineError, loadBaseline } from './report/baseline';
import type { Baseline } from './report/baseline';
import { resolveRunConfig } from './config';
import type { RunConfig } from './config';
import { startTarget } from './target';
import type { Target } from './target';
import { reportsFolderProblem } from './fs-errors';
import { stageBundle } from './bundle';
import { EXIT } from './exit';
import { endFailedRun } from './lifecycle';
import type { RunLifecycle } from './lifecycle';
import type { RunInput } from './run';

type Env = Readonly<Record<string, string | undefined>>;

/** What the entry point knows of its process: whether stdout is a terminal, and the interrupt signal. */
export interface MainIo {
  tty?: boolean;
  /** Aborted by the entry point on SIGINT/SIGTERM, with the reason "interrupted by SIGINT" (runner/lifecycle.ts). */
  signal?: AbortSignal;
}

/** A known error as its one line (masked); an unknown one says the run could not be made. */
export function errorLine(e: unknown, reportsDir: string, mask: (s: string) => string): string {
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

/** Which tables a run makes and what it tells as it goes (a jest run: the files jest selected). */
export type RunTables = Pick<RunInput, 'suites' | 'onPlan' | 'onResult'>;

/** How a run ended: its exit code (EXIT), and for a run that could not be made, its one line. */
export interface SessionEnd {
  code: number;
  failure?: string;
}

export interface Session {
  /** --strict: warnings break the build (jest's failed tests follow it). */
  readonly strict: boolean;
  run(tables?: RunTables): Promise<SessionEnd>;
  /**
   * A run that could not be made after all (jest failed, or handed over no table): the target
   * closed, its one line said and its could-not-run bundle written, as for any other failure.
   */
  fail(e: unknown): Promise<SessionEnd>;
}

/**
 * Stages the bundle, resolves the configuration and starts the target. A refused configuration
 * is already a run that could not be made: its could-not-run bundle is written and its end
 * returned. When not even the reports folder can be staged, the end itself (said in one
 * line; the folder is untouched).
 */
export function beginSession(o: RunOptions, env: Env, io: MainIo, out: (s: string) => void): Session | SessionEnd {
  const startedAt = new Date();
  const secrets = createSecretRegistry();
  const runId = `placeos-contract-${randomBytes(6).toString('base64url')}`;
  const mask = (s: string) => secrets.mask(s);
  let lifecycle: RunLifecycle;
  try {
    lifecycle = {
      bundle: stageBundle(path.resolve(o.reportsDir), runId),
      ...(io.signal ? { signal: io.signal } : {}),
      // Only a refused configuration's bundle takes it from here; a resolved one from its reports part.
      ...(env.GITHUB_STEP_SUMMARY ? { stepSummary: env.GITHUB_STEP_SUMMARY } : {}),
    };
  } catch (e) {
    const line = errorLine(e, o.reportsDir, mask);
    out(`placeos-contract: ${line}`);
    return { code: EXIT.couldNotRun, failure: line };
  }
  const failed = (e: unknown, signingKeyPem?: string): SessionEnd => {
    const line = errorLine(e, o.reportsDir, mask);
    const code = endFailedRun(lifecycle, line, { runId, startedAt, fingerprints: secrets.fingerprints(), ...(signingKeyPem ? { signingKeyPem } : {}), out });
    return { code, failure: line };
  };
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
  lifecycle.stepSummary = config.reports.githubStepSummary;
  if (config.reports.signingKeyPem) secrets.add(config.reports.signingKeyPem, 'other');
  for (const w of config.warnings) out(`WARNING: ${w}`);
  lifecycle.target =
    config.target.kind === 'deployment' ? { url: config.target.settings.url, embedded: false } : { url: 'the embedded reference target', embedded: true };
  // The target starts (the embedded one in a thread of its own) while the caller loads the run.
  const starting = startTarget(config.target, log);
  starting.catch(() => undefined);
  const close = async () => (await starting.catch(() => undefined))?.close();
  return {
    strict: config.run.strict,
    async run(tables: RunTables = {}): Promise<SessionEnd> {
      let target: Target | undefined;
      try {
        const { runContract } = await import('./run');
        target = await starting;
        return { code: await runContract({ config, target, secrets, runId, startedAt, baseline, out, log, lifecycle, ...tables }) };
      } catch (e) {
        return failed(e, config.reports.signingKeyPem);
      } finally {
        await close();
      }
    },
    async fail(e: unknown): Promise<SessionEnd> {
      await close();
      return failed(e, config.reports.signingKeyPem);
    },
  };
}
