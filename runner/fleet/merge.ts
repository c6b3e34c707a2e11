// `placeos-contract merge [--reports OUT] DIR...`: the reports of CI shards combined into one.
// Fleet shards (each DIR holds fleet.json): their deployment folders side by side and one fleet
// report. Shards of one run (each DIR holds results.json, from --shard i/n): one results.json,
// summary, evidence and JUnit (the shards' <testsuite> elements together), and one manifest.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { CaseResult } from '../../helpers/model';
import { UsageError } from '../args';
import { finalizeReports } from '../report/finalize';
import type { RunMeta } from '../report/meta';
import { FLEET_FILE, readFleetOutcomes, writeFleetReport, type DeploymentOutcome } from './report';
import { count } from '../report/results';

const USAGE = 'usage: placeos-contract merge [--reports OUT] DIR...  (each DIR: the reports folder of one shard)';

export async function runMerge(argv: readonly string[], out: (s: string) => void): Promise<number> {
  try {
    let outDir = 'reports';
    const dirs: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '--reports') {
        const v = argv[++i];
        if (!v) throw new UsageError(`--reports: expected a value after it. ${USAGE}`);
        outDir = v;
      } else if (argv[i]!.startsWith('--')) throw new UsageError(`unknown argument '${argv[i]}'. ${USAGE}`);
      else dirs.push(argv[i]!);
    }
    if (!dirs.length) throw new UsageError(USAGE);
    const target = path.resolve(outDir);
    for (const d of dirs) {
      if (!fs.existsSync(d)) throw new UsageError(`merge: ${d}: no such folder`);
      if (path.resolve(d) === target) throw new UsageError(`merge: ${d} is also the output folder; choose another --reports`);
    }
    const fleets = dirs.filter((d) => fs.existsSync(path.join(d, FLEET_FILE)));
    const runs = dirs.filter((d) => fs.existsSync(path.join(d, 'results.json')));
    const { prepareReportsDir } = require('../target') as typeof import('../target');
    if (fleets.length === dirs.length) return mergeFleets(fleets, prepareReportsDir(target), out);
    if (runs.length === dirs.length) return mergeRuns(runs, prepareReportsDir(target), out);
    throw new UsageError(
      `merge: expected every folder to hold a fleet report (${FLEET_FILE}) or every folder a run report (results.json); got ${dirs.join(', ')}`,
    );
  } catch (e) {
    out(`placeos-contract merge: ${(e as Error).message}`);
    return 2;
  }
}

function mergeFleets(dirs: string[], outDir: string, out: (s: string) => void): number {
  const outcomes: DeploymentOutcome[] = [];
  const from = new Map<string, string>();
  for (const dir of dirs) {
    for (const o of readFleetOutcomes(dir)) {
      if (from.has(o.name)) throw new UsageError(`merge: deployment ${o.name} is in both ${from.get(o.name)} and ${dir}`);
      from.set(o.name, dir);
      outcomes.push(o);
      if (fs.existsSync(path.join(dir, o.name))) fs.cpSync(path.join(dir, o.name), path.join(outDir, o.name), { recursive: true });
      const log = path.join(dir, 'logs', `${o.name}.txt`);
      if (fs.existsSync(log)) fs.cpSync(log, path.join(outDir, 'logs', `${o.name}.txt`));
    }
  }
  const report = writeFleetReport(outDir, outcomes, { mergedFrom: dirs.length });
  out(report.markdown);
  out(
    `Merged ${count(dirs.length, 'fleet shard')}, ${count(outcomes.length, 'deployment')}, into ${outDir}. Exit ${report.exitCode}: the worst of the deployments.`,
  );
  return report.exitCode;
}

interface ResultsDoc {
  meta: RunMeta;
  results: CaseResult[];
  /** false for an interrupted run or one that could not be made (runner/report/could-not-run.ts). */
  complete?: boolean;
  reason?: string;
}

const xmlOptions = { preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: false } as const;

/** The shards' enriched JUnit files as one: every <testsuite> under one <testsuites>, totals summed. */
export function mergeJunit(xmls: string[]): string {
  const parser = new XMLParser(xmlOptions);
  const suites: Record<string, unknown>[] = [];
  const totals = { tests: 0, failures: 0, errors: 0 };
  for (const xml of xmls) {
    const doc = parser.parse(xml) as Record<string, unknown>[];
    const root = doc.find((n) => 'testsuites' in n);
    if (!root) continue;
    const attrs = (root[':@'] ?? {}) as Record<string, string>;
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += Number(attrs[k] ?? 0) || 0;
    suites.push(...(root.testsuites as Record<string, unknown>[]).filter((n) => 'testsuite' in n));
  }
  const root = {
    testsuites: suites,
    ':@': { name: 'PlaceOS auth contract', tests: String(totals.tests), failures: String(totals.failures), errors: String(totals.errors) },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLBuilder({ ...xmlOptions, format: true, suppressEmptyNode: true }).build([root])}`;
}

function mergeRuns(dirs: string[], outDir: string, out: (s: string) => void): number {
  const docs = dirs.map((d) => JSON.parse(fs.readFileSync(path.join(d, 'results.json'), 'utf8')) as ResultsDoc);
  // A shard that did not run whole would drop its checks from the merge without a trace.
  for (const [i, doc] of docs.entries())
    if (doc.complete === false)
      throw new UsageError(`merge: the shard in ${dirs[i]} is incomplete (${doc.reason ?? 'no reason given'}): run that shard again, then merge`);
  const byId = new Map<string, CaseResult>();
  for (const [i, doc] of docs.entries())
    for (const r of doc.results) {
      if (byId.has(r.caseId)) throw new UsageError(`merge: check ${r.caseId} is in more than one shard (${dirs[i]}): were these shards of the same run?`);
      byId.set(r.caseId, r);
    }
  // The embedded target listens on a new port each run: its profile and mutants name it.
  const targets = new Set(
    docs.map((d) =>
      d.meta.embedded ? `the embedded ${d.meta.referenceProfile} target${d.meta.mutants?.length ? ` with ${d.meta.mutants.join(',')}` : ''}` : d.meta.target,
    ),
  );
  if (targets.size > 1) throw new UsageError(`merge: the shards checked different targets (${[...targets].join(', ')}): use a fleet to check many deployments`);
  const results = [...byId.values()].sort((a, b) => a.area.localeCompare(b.area) || a.caseId.localeCompare(b.caseId));
  const first = docs[0]!.meta;
  const requestsByArea: Record<string, number> = {};
  for (const d of docs) for (const [k, v] of Object.entries(d.meta.requestsByArea ?? {})) requestsByArea[k] = (requestsByArea[k] ?? 0) + v;
  const meta: RunMeta = {
    ...first,
    runId: docs.map((d) => d.meta.runId).join('+'),
    startedAt: docs.map((d) => d.meta.startedAt).sort()[0]!,
    endedAt: docs
      .map((d) => d.meta.endedAt)
      .sort()
      .at(-1)!,
    requestCount: docs.reduce((n, d) => n + d.meta.requestCount, 0),
    requestsByArea,
    selection: `merged from ${count(dirs.length, 'shard')}`,
  };
  const junits = dirs.map((d) => path.join(d, 'junit.xml')).filter((f) => fs.existsSync(f));
  if (junits.length) fs.writeFileSync(path.join(outDir, 'junit.xml'), mergeJunit(junits.map((f) => fs.readFileSync(f, 'utf8'))));
  // Each shard enriched its JUnit and scanned its files for secrets (their fingerprints stay with the shard).
  const report = finalizeReports({
    reportsDir: outDir,
    results,
    meta,
    reports: { attachmentPrefix: '', testcaseProperties: true },
    fingerprints: [],
    enrichJunit: false,
  });
  out(report.console);
  out(`Merged ${count(dirs.length, 'shard')}, ${count(results.length, 'check')}, into ${outDir}.`);
  const broken = results.some((r) => r.verdict === 'fail' || (meta.strict && r.verdict === 'warn'));
  return broken ? 1 : results.some((r) => r.verdict === 'error') ? 2 : 0;
}
