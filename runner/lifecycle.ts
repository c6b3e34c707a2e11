// The run's lifecycle around its checks: the interrupt (the entry point turns SIGINT/SIGTERM into
// an AbortSignal whose reason is "interrupted by SIGINT"), the bound on cleanup after it, and the
// could-not-run bundle a failure leaves once the run has a target. Nothing here reads process.*:
// the signal, the reports folder and $GITHUB_STEP_SUMMARY come as values.
import { EXIT } from './exit';
import { PACKAGE_VERSION } from '../helpers/package-root';
import type { StagedBundle } from './bundle';
import { writeCouldNotRunBundle } from './report/could-not-run';
import { secretLeakLine } from './report/finalize';
import { reportsLine } from './progress';
import type { SecretFingerprint } from '../helpers/secrets';

/** The signal an aborted run was stopped by, from the reason the entry point aborts with ("interrupted by SIGINT"). */
export function interruptSignal(signal: AbortSignal): 'SIGINT' | 'SIGTERM' {
  return String(signal.reason).includes('SIGINT') ? 'SIGINT' : 'SIGTERM';
}

/** How long the run may spend revoking its tokens after an interrupt. */
export const INTERRUPT_CLEANUP_MS = 4000;
/** How long the checks under way get to end after an interrupt (their further requests are refused). */
export const INTERRUPT_GRACE_MS = 1500;

/** Waits for `p`, but not past `until` (epoch ms); its timer does not hold the process. */
export async function within(p: Promise<unknown>, until: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, until - Date.now()));
    timer.unref?.();
  });
  await Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    timeUp,
  ]);
  clearTimeout(timer);
}

/**
 * `p`, or a rejection with the signal's reason as soon as it aborts: a step before the checks
 * (detection, the credentials) does not keep an interrupted run waiting for an answer.
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new Error(String(signal.reason)));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

/** 130 / 143 when the signal was aborted by SIGINT / SIGTERM, else undefined. */
export function interruptExit(signal: AbortSignal | undefined): number | undefined {
  if (!signal?.aborted) return undefined;
  return interruptSignal(signal) === 'SIGINT' ? EXIT.interruptedSigint : EXIT.interruptedSigterm;
}

/** What a run shares with its entry point about where it stands. */
export interface RunLifecycle {
  bundle: StagedBundle;
  signal?: AbortSignal;
  /** $GITHUB_STEP_SUMMARY (from the entry point), when set. */
  stepSummary?: string;
  /**
   * Set by the run once its settings are parsed and its target is named: from then on every
   * failure leaves the could-not-run bundle. Before that (bad flags, bad settings) a failure is
   * its one line only, and the previous bundle stays.
   */
  target?: { url: string; embedded: boolean };
}

/**
 * A run that stopped before its reports: its one line, and (once a target was named) the
 * could-not-run bundle swapped in. Returns the exit code: 130 / 143 after an interrupt, else 2.
 */
export function endFailedRun(
  l: RunLifecycle,
  line: string,
  o: { runId: string; startedAt: Date; fingerprints: SecretFingerprint[]; signingKeyPem?: string; out(s: string): void },
): number {
  const interrupted = interruptExit(l.signal);
  const reason = interrupted ? `${String(l.signal!.reason)} before the checks ran` : line;
  const where = l.target ? `the incomplete bundle is in ${l.bundle.reportsDir}` : 'the reports folder is untouched';
  o.out(`placeos-contract: ${interrupted ? `${reason}; ${where} (exit ${interrupted})` : line}`);
  if (!l.target) {
    l.bundle.discard();
    return interrupted ?? EXIT.couldNotRun;
  }
  const { note, secretHits } = writeCouldNotRunBundle({
    dir: l.bundle.dir,
    runId: o.runId,
    reason,
    outcome: interrupted ? 'incomplete' : 'could not run',
    target: l.target.url,
    embedded: l.target.embedded,
    startedAt: o.startedAt,
    suiteVersion: PACKAGE_VERSION,
    fingerprints: o.fingerprints,
    ...(o.signingKeyPem ? { signingKeyPem: o.signingKeyPem } : {}),
    ...(l.stepSummary ? { stepSummary: l.stepSummary } : {}),
  });
  const kept = l.bundle.commit({ complete: false });
  if (kept) o.out(`placeos-contract: the last complete bundle is kept in ${kept}`);
  if (note) o.out(`placeos-contract: ${note}`);
  for (const h of secretHits) o.out(secretLeakLine(h, l.bundle.reportsDir));
  // Every run that wrote a bundle ends with the line naming it.
  o.out(reportsLine(l.bundle.reportsDir));
  // A leak outranks the interrupt: the suite's own redaction failed.
  if (secretHits.length) return EXIT.secretLeak;
  return interrupted ?? EXIT.couldNotRun;
}
