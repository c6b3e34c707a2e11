// A table's verdicts in jest's vocabulary, one TestResult per table file. Breaking verdicts (fail,
// error; warn under --strict) are failed tests whose message names the verdict, the requirements
// and the observation; `n/a` is a skipped (pending) test with its reason in its title; pass,
// deviation and warn pass, the verdict in the title. A row jest's -t or the run's own selection
// (--only, --tags, --shard) left out is skipped, as jest skips a test -t does not match.
// results.json stays the source of truth; this is what jest's reporters and editors are shown.
import type { AssertionResult, TestResult } from '@jest/test-result';
import { createEmptyTestResult } from '@jest/test-result';
import type { CaseResult } from '../../helpers/model';
import { isBreaking } from '../engine';
import { testTitle } from '../report/jest-junit';
import type { Table } from './tables';

/** The observation of a result as one line (what a ledger entry would name). */
function observationLine(r: CaseResult): string | undefined {
  const o = r.observation;
  if (!o) return undefined;
  const parts = [
    o.step && `step ${o.step}`,
    o.code && `compared ${o.code}`,
    o.expected !== undefined && `expected ${o.expected}`,
    o.actual !== undefined && `got ${o.actual}`,
  ];
  return parts.filter(Boolean).join('; ') || undefined;
}

/** The failure message of a breaking verdict: verdict, level and severity, requirements, message, observation. */
export function failureMessage(r: CaseResult): string {
  const lines = [`${r.verdict.toUpperCase()} (${r.level}, ${r.severity}) [${r.requirements.join(', ')}]: ${r.message ?? ''}`];
  const observed = observationLine(r);
  if (observed) lines.push(`observation: ${observed}`);
  if (r.ledger) lines.push(`ledger ${r.ledger.check}: ${r.ledger.reason}`);
  return lines.join('\n');
}

/** The title jest shows: `<title> [<id>]`, with the verdict beside it when it is not a plain pass. */
function shownTitle(r: CaseResult, strict: boolean): string {
  const base = testTitle(r);
  if (r.verdict === 'pass') return base;
  // A failed test's message says the rest (failureMessage).
  return `${base} (${r.verdict}${r.message && !isBreaking(r.verdict, strict) ? `: ${r.message}` : ''})`;
}

export function assertionOf(table: Table, caseId: string, r: CaseResult | undefined, strict: boolean): AssertionResult {
  const c = table.cases.find((x) => x.id === caseId)!;
  const location = table.rows.get(caseId) ?? null;
  const common = { ancestorTitles: [table.area], failureDetails: [] as unknown[], numPassingAsserts: 0, location };
  if (!r) {
    const title = testTitle({ title: c.title, caseId });
    return { ...common, duration: null, failureMessages: [], fullName: `${table.area} ${title}`, status: 'pending', title };
  }
  const failed = isBreaking(r.verdict, strict);
  const title = shownTitle(r, strict);
  return {
    ...common,
    duration: r.durationMs,
    startAt: Date.parse(r.startedAt),
    failureMessages: failed ? [failureMessage(r)] : [],
    failureDetails: failed ? [{ verdict: r.verdict, requirements: r.requirements, message: r.message, observation: r.observation }] : [],
    fullName: `${table.area} ${title}`,
    status: failed ? 'failed' : r.verdict === 'n/a' ? 'pending' : 'passed',
    title,
  };
}

/** jest's printed failure block of one failed test (the default reporter prints it as is). */
function failureBlock(a: AssertionResult, file: string): string {
  const body = a.failureMessages
    .join('\n')
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  const at = a.location ? `\n\n      at ${file}:${a.location.line}:${a.location.column}` : '';
  return `  ● ${[...a.ancestorTitles, a.title].join(' › ')}\n\n${body}${at}\n`;
}

/** The TestResult of one table: every row, in table order, with its result when it ran. */
export function tableResult(table: Table, results: ReadonlyMap<string, CaseResult>, strict: boolean): TestResult {
  const tests = table.cases.map((c) => assertionOf(table, c.id, results.get(c.id), strict));
  const ran = table.cases.map((c) => results.get(c.id)).filter((r): r is CaseResult => !!r);
  const start = ran.length ? Math.min(...ran.map((r) => Date.parse(r.startedAt))) : Date.now();
  const end = ran.length ? Math.max(...ran.map((r) => Date.parse(r.startedAt) + r.durationMs)) : start;
  const failed = tests.filter((t) => t.status === 'failed');
  const empty = createEmptyTestResult();
  return {
    ...empty,
    testFilePath: table.file,
    testResults: tests,
    numFailingTests: failed.length,
    numPassingTests: tests.filter((t) => t.status === 'passed').length,
    numPendingTests: tests.filter((t) => t.status === 'pending').length,
    skipped: ran.length === 0,
    failureMessage: failed.length ? failed.map((a) => failureBlock(a, table.file)).join('\n') : null,
    perfStats: { ...empty.perfStats, start, end, runtime: end - start, slow: false },
  };
}
