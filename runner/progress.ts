// One line per area while a run goes on, printed when the area's last check has ended. The
// readable summary comes after the run (runner/report), with the masked messages and requirement IDs.
import type { CaseResult } from '../helpers/model';
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
