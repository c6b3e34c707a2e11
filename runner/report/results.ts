// The small verdict arithmetic every renderer shares.
import type { CaseResult, Verdict } from '../../helpers/model';

/** Display order of verdicts, worst first after pass. */
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'error', 'warn', 'deviation', 'n/a'];

export type VerdictCounts = Record<Verdict, number> & { total: number };

export function countVerdicts(results: readonly CaseResult[]): VerdictCounts {
  const c = { pass: 0, fail: 0, error: 0, warn: 0, deviation: 0, 'n/a': 0, total: 0 } as VerdictCounts;
  for (const r of results) {
    c[r.verdict] = (c[r.verdict] ?? 0) + 1;
    c.total++;
  }
  return c;
}

/** Results grouped by area, areas sorted. */
export function byArea(results: readonly CaseResult[]): [string, CaseResult[]][] {
  const m = new Map<string, CaseResult[]>();
  for (const r of results) m.set(r.area, [...(m.get(r.area) ?? []), r]);
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The run's outcome as the gate sees it: fail/error always fail; a warn, or a run-level warning
 * (RunMeta.warnings), fails in strict mode.
 */
export function overall(results: readonly CaseResult[], strict: boolean, runWarnings: readonly string[] = []): 'PASS' | 'FAIL' | 'NO RESULT' {
  if (results.length === 0) return 'NO RESULT';
  const c = countVerdicts(results);
  return c.fail + c.error > 0 || (strict && (c.warn > 0 || runWarnings.length > 0)) ? 'FAIL' : 'PASS';
}

/** The outcome every summary shows: `INCOMPLETE — <reason>` for a run that did not end normally. */
export function runOutcome(results: readonly CaseResult[], meta: { strict: boolean; warnings?: readonly string[]; incomplete?: string }): string {
  return meta.incomplete ? `INCOMPLETE — ${meta.incomplete}` : overall(results, meta.strict, meta.warnings);
}

/**
 * Did the interrupt (`reason`, RunMeta.incomplete) stop this check: never started, cut while it
 * ran, or refused its next request? Those are `error`s the summaries count in one line.
 */
export function stoppedBy(r: Pick<CaseResult, 'verdict' | 'message'>, reason: string | undefined): boolean {
  if (!reason || r.verdict !== 'error') return false;
  const m = r.message ?? '';
  return m.startsWith(`not run: ${reason}`) || m.startsWith(`cut: ${reason}`) || m.includes(`${reason}: no further request`);
}

/** One line on the revocations of the run's tokens, or undefined when the run revoked none. */
export function cleanupLine(cleanup: { revoked: number; notRevoked: number } | undefined): string | undefined {
  if (!cleanup || cleanup.revoked + cleanup.notRevoked === 0) return undefined;
  const not = cleanup.notRevoked ? `, ${cleanup.notRevoked} could not be revoked (refused, failed or out of time: those tokens live until they expire)` : '';
  return `${count(cleanup.revoked, 'revocation')} of the run's tokens accepted${not}`;
}

/** First line of a message, bounded: for attributes and one-line lists. */
export function shortMessage(message: string | undefined, max = 200): string {
  const first = (message ?? '').split('\n').find((l) => l.trim()) ?? '';
  const t = first.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** `1 check`, `2 checks`: a count with its noun in the right number (`plural` when not noun + s). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** A file-name-safe form of a case id (`oauth.token.pkce-plain` stays as is). */
export function safeId(caseId: string): string {
  const s = caseId
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 150);
  return s || '_';
}

/** Groups n/a reasons: [reason, count] most frequent first. */
export function naReasons(results: readonly CaseResult[]): [string, number][] {
  const m = new Map<string, number>();
  for (const r of results)
    if (r.verdict === 'n/a') {
      // Whole: a reason cut short loses what to do about it (the setting, the tag, the account).
      const k = shortMessage(r.message, 2000) || '(no reason given)';
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
