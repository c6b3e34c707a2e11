// What a reader must act on, first: regressions against the baseline, fails, errors, overdue and
// stale ledger entries. Shared by the Markdown and HTML summaries (and the console's comparison).
import type { CaseResult } from '../../helpers/model';
import { changeText, comparisonLine, driftText, regressions, type Comparison } from './baseline';
import { shortMessage } from './results';

export type AttentionKind = 'regression' | 'fail' | 'error' | 'strict-warning' | 'overdue' | 'stale';

export interface AttentionItem {
  kind: AttentionKind;
  /** The check, or '' for a warning of the run itself. */
  caseId: string;
  text: string;
}

const ORDER: AttentionKind[] = ['regression', 'fail', 'error', 'strict-warning', 'overdue', 'stale'];

/** Under --strict, a warning breaks the build: the summaries name each one. */
export interface StrictWarnings {
  strict: boolean;
  /** The run's headline warnings (RunMeta.warnings). */
  runWarnings?: readonly string[];
}

export function attentionItems(results: readonly CaseResult[], comparison?: Comparison, strict: StrictWarnings = { strict: false }): AttentionItem[] {
  const items: AttentionItem[] = [];
  const byId = new Map(results.map((r) => [r.caseId, r]));
  const regressed = new Set<string>();
  for (const x of regressions(comparison)) {
    regressed.add(x.caseId);
    items.push({ kind: 'regression', caseId: x.caseId, text: `${x.before ?? 'new check'} → ${x.after}: ${shortMessage(byId.get(x.caseId)?.message, 300)}` });
  }
  for (const r of results) {
    if (regressed.has(r.caseId)) continue;
    const req = `[${r.requirements.join(', ')} ${r.level}, ${r.severity}]`;
    if (r.verdict === 'fail' || r.verdict === 'error') items.push({ kind: r.verdict, caseId: r.caseId, text: `${req} ${shortMessage(r.message, 300)}` });
    else if (strict.strict && r.verdict === 'warn')
      items.push({ kind: 'strict-warning', caseId: r.caseId, text: `${req} warn, which breaks the build under --strict: ${shortMessage(r.message, 300)}` });
    else if (r.ledger?.overdue)
      items.push({ kind: 'overdue', caseId: r.caseId, text: `ledger review date ${r.ledger.reviewBy} has passed (owner ${r.ledger.owner})` });
    else if (r.ledger?.stale)
      items.push({ kind: 'stale', caseId: r.caseId, text: `the ledger lists a deviation that no longer happens: update the ledger (owner ${r.ledger.owner})` });
  }
  if (strict.strict)
    for (const w of strict.runWarnings ?? [])
      items.push({ kind: 'strict-warning', caseId: '', text: `run warning, which breaks the build under --strict: ${w}` });
  return items.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || a.caseId.localeCompare(b.caseId));
}

/** Console lines for a comparison (empty without one). */
export function comparisonConsole(c: Comparison | undefined): string[] {
  if (!c) return [];
  const L = ['', `Against the baseline ${c.baseline.runId ?? c.baseline.file}: ${comparisonLine(c)}`];
  for (const x of c.changes) L.push(`  ${x.regression ? 'REGRESSION' : x.change} ${changeText(x)}`);
  for (const d of c.drift) L.push(`  shape drift ${d.schema}: ${driftText(d)}`);
  if (c.note) L.push(`  note: ${c.note}`);
  return L;
}
