// One line per area while a run goes on, printed when the area's last check has ended. The
// readable summary comes after the run (runner/report), with the masked messages and requirement IDs.
import type { CaseResult, Exchange } from '../helpers/model';
import { isBreaking } from './engine';
import { count } from './report/results';

export function areaProgress(
  suites: readonly { area: string; cases: readonly unknown[] }[],
  strict: boolean,
  log: (line: string) => void,
): (r: CaseResult) => void {
  const left = new Map(suites.map((s) => [s.area, s.cases.length]));
  const breaking = new Map<string, number>();
  return (r) => {
    if (isBreaking(r.verdict, strict)) breaking.set(r.area, (breaking.get(r.area) ?? 0) + 1);
    const n = (left.get(r.area) ?? 0) - 1;
    left.set(r.area, n);
    if (n > 0) return;
    const total = suites.find((s) => s.area === r.area)?.cases.length ?? 0;
    const bad = breaking.get(r.area) ?? 0;
    log(`  ${bad ? '✗' : '✓'} ${r.area}: ${count(total, 'check')}${bad ? `, ${bad} breaking` : ''}`);
  };
}

/** --verbose: one line per request as it happens (the exchange is masked when recorded). */
export function exchangeLine(x: Exchange, caseId: string): string {
  let where = x.url;
  try {
    const u = new URL(x.url);
    where = `${u.pathname}${u.search}`;
  } catch {
    // not a URL: shown as recorded
  }
  const answer = x.status !== undefined ? String(x.status) : `no answer (${x.error ?? 'transport error'})`;
  return `    ${x.method} ${where} → ${answer} ${Math.round(x.durationMs)} ms  [${caseId}${x.journey !== 'main' ? ` · ${x.journey}` : ''}${x.attempt > 1 ? ` · attempt ${x.attempt}` : ''}]`;
}

/** The last line of every run: where its reports are and which files to open first. */
export function reportsLine(dir: string): string {
  const d = dir.replace(/\/+$/, '');
  return `Reports: ${d}/ — open ${d}/summary.html (or summary.md) first; junit.xml for CI, evidence/ per check, results.json for tools.`;
}
