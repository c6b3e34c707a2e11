// Comparison with a previous run (`--baseline PATH`): what changed per check, and how the shape of
// each schema-validated response drifted. Pure apart from loadBaseline.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaseResult, Verdict } from '../../helpers/model';
import type { Shapes } from './shapes';
import { count } from './results';

export const CHANGES = ['new-failure', 'fixed', 'changed', 'new-check', 'removed-check', 'unchanged'] as const;
export type Change = (typeof CHANGES)[number];

export interface CheckChange {
  caseId: string;
  change: Change;
  before?: Verdict;
  after?: Verdict;
  /** Breaks the build now and did not in the baseline (a new check that breaks counts too). */
  regression: boolean;
}

export interface ShapeDrift {
  schema: string;
  appeared: string[];
  vanished: string[];
}

export interface Comparison {
  baseline: { file: string; runId?: string; target?: string; startedAt?: string };
  counts: Record<Change, number>;
  /** Every check that is not unchanged, regressions first. */
  changes: CheckChange[];
  drift: ShapeDrift[];
  /** Schemas validated in only one of the two runs: their members are not compared. */
  notCompared: string[];
  /** Set when the baseline recorded no response shapes (an older report). */
  note?: string;
}

export interface Baseline {
  file: string;
  runId?: string;
  target?: string;
  startedAt?: string;
  verdicts: Map<string, Verdict>;
  shapes?: Shapes;
}

export class BaselineError extends Error {
  override name = 'BaselineError';
}

/** A previous run's results.json, or a reports folder holding one. */
export function loadBaseline(p: string): Baseline {
  const file = fs.existsSync(p) && fs.statSync(p).isDirectory() ? path.join(p, 'results.json') : p;
  if (!fs.existsSync(file)) throw new BaselineError(`--baseline ${p}: expected a results.json or a reports folder holding one, found none`);
  let doc: {
    format?: string;
    complete?: boolean;
    reason?: string;
    meta?: { runId?: string; target?: string; startedAt?: string };
    results?: unknown;
    shapes?: Shapes;
  };
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof doc;
  } catch (e) {
    throw new BaselineError(`--baseline ${file}: not JSON (${(e as Error).message})`);
  }
  if (doc.format !== 'placeos-contract-results/1' || !Array.isArray(doc.results)) {
    throw new BaselineError(`--baseline ${file}: expected format placeos-contract-results/1 with a results list, got ${JSON.stringify(doc.format ?? null)}`);
  }
  // An interrupted run, or one that could not be made, holds `error`s for checks that never ran:
  // as a baseline it would hide every regression among them from --fail-on new.
  if (doc.complete === false) {
    throw new BaselineError(`--baseline ${file}: that run is incomplete (${doc.reason ?? 'no reason given'}); use the reports of a complete run`);
  }
  const verdicts = new Map<string, Verdict>();
  for (const r of doc.results as Partial<CaseResult>[]) if (typeof r.caseId === 'string' && typeof r.verdict === 'string') verdicts.set(r.caseId, r.verdict);
  return { file, runId: doc.meta?.runId, target: doc.meta?.target, startedAt: doc.meta?.startedAt, verdicts, shapes: doc.shapes };
}

const breaks = (v: Verdict | undefined, strict: boolean) => v === 'fail' || v === 'error' || (strict && v === 'warn');

export function classify(before: Verdict | undefined, after: Verdict | undefined, strict: boolean): Change {
  if (before === undefined) return 'new-check';
  if (after === undefined) return 'removed-check';
  if (breaks(after, strict) && !breaks(before, strict)) return 'new-failure';
  if (breaks(before, strict) && !breaks(after, strict)) return 'fixed';
  return before === after ? 'unchanged' : 'changed';
}

export function diffShapes(before: Shapes, after: Shapes): { drift: ShapeDrift[]; notCompared: string[] } {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const drift: ShapeDrift[] = [];
  const notCompared: string[] = [];
  for (const schema of names) {
    const b = before[schema];
    const a = after[schema];
    if (!a || !b) {
      notCompared.push(schema);
      continue;
    }
    const appeared = a.filter((m) => !b.includes(m));
    const vanished = b.filter((m) => !a.includes(m));
    if (appeared.length || vanished.length) drift.push({ schema, appeared, vanished });
  }
  return { drift, notCompared };
}

export function compareWithBaseline(results: readonly CaseResult[], shapes: Shapes, base: Baseline, strict: boolean): Comparison {
  const now = new Map(results.map((r) => [r.caseId, r.verdict]));
  const ids = [...new Set([...now.keys(), ...base.verdicts.keys()])].sort();
  const counts = Object.fromEntries(CHANGES.map((c) => [c, 0])) as Record<Change, number>;
  const changes: CheckChange[] = [];
  for (const caseId of ids) {
    const before = base.verdicts.get(caseId);
    const after = now.get(caseId);
    const change = classify(before, after, strict);
    counts[change]++;
    if (change !== 'unchanged') changes.push({ caseId, change, before, after, regression: breaks(after, strict) && !breaks(before, strict) });
  }
  changes.sort(
    (x, y) => Number(y.regression) - Number(x.regression) || CHANGES.indexOf(x.change) - CHANGES.indexOf(y.change) || x.caseId.localeCompare(y.caseId),
  );
  const { drift, notCompared } = base.shapes ? diffShapes(base.shapes, shapes) : { drift: [], notCompared: [] };
  return {
    baseline: { file: base.file, runId: base.runId, target: base.target, startedAt: base.startedAt },
    counts,
    changes,
    drift,
    notCompared,
    ...(base.shapes ? {} : { note: 'the baseline recorded no response shapes (made by an older version): shape drift not compared' }),
  };
}

export const regressions = (c: Comparison | undefined): CheckChange[] => (c ? c.changes.filter((x) => x.regression) : []);

/** One line: `3 new failures, 1 fixed, …, shape drift in 1 schema`. */
export function comparisonLine(c: Comparison): string {
  const parts = [
    count(c.counts['new-failure'], 'new failure'),
    `${c.counts.fixed} fixed`,
    count(c.counts.changed, 'changed verdict'),
    count(c.counts['new-check'], 'new check'),
    `${c.counts['removed-check']} removed`,
    `${c.counts.unchanged} unchanged`,
    `shape drift in ${count(c.drift.length, 'schema')}`,
  ];
  return parts.join(', ');
}

export function driftText(d: ShapeDrift): string {
  return [...d.appeared.map((m) => `+${m}`), ...d.vanished.map((m) => `-${m}`)].join(' ');
}

export function changeText(x: CheckChange): string {
  return `${x.caseId}: ${x.before ?? '(absent)'} → ${x.after ?? '(absent)'}`;
}

/** Run-level JUnit properties for the comparison. */
export function comparisonProperties(c: Comparison): [string, string][] {
  const p: [string, string][] = [['baseline', c.baseline.runId ?? path.basename(c.baseline.file)]];
  for (const k of CHANGES) p.push([`baseline.${k}`, String(c.counts[k])]);
  for (const d of c.drift) p.push([`shape_drift.${d.schema}`, driftText(d)]);
  return p;
}
