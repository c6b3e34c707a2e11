// junit.xml is written by jest-junit, from the run's results in jest's own result format (built
// with @jest/test-result): one test file per area (its case table), one test per check named
// "<title> [<id>]" inside describe(<area>). The checks run in one run in one process (engine
// runCases; under jest through runner/jest, which reports the same results to jest's reporters),
// so that a run loads its modules once; the JUnit is the one a jest run of the same tables gives.
// runner/report/junit.ts enriches it afterwards.
import * as path from 'node:path';
import { addResult, createEmptyTestResult, makeEmptyAggregatedTestResult } from '@jest/test-result';
import type { AggregatedResult, AssertionResult, TestResult } from '@jest/test-result';
import type { CaseResult } from '../../helpers/model';
import { isBreaking } from '../engine';

export const JEST_JUNIT_OPTIONS = {
  outputName: 'junit.xml',
  suiteName: 'PlaceOS auth contract',
  classNameTemplate: '{classname}',
  titleTemplate: '{title}',
  ancestorSeparator: ' › ',
  addFileAttribute: 'true',
  reportTestSuiteErrors: 'true',
} as const;

/** The jest test title of a check: what jest's report, the console and the ledger show. */
export const testTitle = (r: Pick<CaseResult, 'title' | 'caseId'>): string => `${r.title} [${r.caseId}]`;

/** The failure jest-junit records for a breaking verdict: the masked message, no stack trace. */
export function failureText(r: CaseResult): string {
  return `[${r.requirements.join(', ')}] ${r.verdict.toUpperCase()}: ${r.message ?? ''}`;
}

function assertion(r: CaseResult, area: string, strict: boolean): AssertionResult {
  const failed = isBreaking(r.verdict, strict);
  return {
    ancestorTitles: [area],
    duration: r.durationMs,
    failureDetails: [],
    failureMessages: failed ? [failureText(r)] : [],
    fullName: `${area} ${testTitle(r)}`,
    numPassingAsserts: 0,
    status: failed ? 'failed' : 'passed',
    title: testTitle(r),
  };
}

/** The results as jest would aggregate them: `areas` in run order, each with its table's file. */
export function toJestResults(
  results: readonly CaseResult[],
  areas: readonly { area: string; file: string }[],
  o: { strict: boolean; startedAt: Date },
): AggregatedResult {
  const aggregated = makeEmptyAggregatedTestResult();
  aggregated.startTime = o.startedAt.getTime();
  for (const { area, file } of areas) {
    const mine = results.filter((r) => r.area === area);
    const tests = mine.map((r) => assertion(r, area, o.strict));
    const start = Math.min(...mine.map((r) => Date.parse(r.startedAt)));
    const end = Math.max(...mine.map((r) => Date.parse(r.startedAt) + r.durationMs));
    const t: TestResult = {
      ...createEmptyTestResult(),
      testFilePath: file,
      testResults: tests,
      numFailingTests: tests.filter((x) => x.status === 'failed').length,
      numPassingTests: tests.filter((x) => x.status === 'passed').length,
      perfStats: { ...createEmptyTestResult().perfStats, start, end, runtime: end - start },
    };
    addResult(aggregated, t);
  }
  aggregated.success = aggregated.numFailedTests === 0;
  return aggregated;
}

/** Writes `<reportsDir>/junit.xml` with jest-junit, as its jest reporter would at the end of a run. */
export async function writeJestJunit(reportsDir: string, rootDir: string, aggregated: AggregatedResult): Promise<void> {
  const JestJunit = require('jest-junit') as new (
    globalConfig: { rootDir: string },
    options: Record<string, string>,
  ) => {
    onRunComplete(contexts: Set<unknown>, results: AggregatedResult): Promise<void>;
  };
  const reporter = new JestJunit({ rootDir }, { ...JEST_JUNIT_OPTIONS, outputDirectory: path.resolve(reportsDir) });
  await reporter.onRunComplete(new Set(), aggregated);
}
