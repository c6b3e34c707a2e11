// The fleet report: fleet.json, fleet-summary.md, fleet-summary.html and one junit.xml with a
// <testsuite> per deployment, built from each deployment's own results.json (reports/<name>/).
// Used by a fleet run and by `merge` (which rebuilds it from the shards' folders).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaseResult, Verdict } from '../../helpers/model';
import { attentionItems, type StrictWarnings } from '../report/attention';
import { EXIT } from '../exit';
import { comparisonLine, type Comparison } from '../report/baseline';
import { escapeXml } from '../report/junit';
import { escapeHtml as h } from '../report/html';
import { writeManifest } from '../report/manifest';
import { stripCredentials, type RunMeta } from '../report/meta';
import { countVerdicts, shortMessage, VERDICTS, type VerdictCounts } from '../report/results';

export const FLEET_FILE = 'fleet.json';
export const EXIT_MEANING: Record<number, string> = {
  0: 'holds',
  1: 'violated',
  2: 'could not run',
  3: 'secret leak',
  130: 'interrupted (SIGINT)',
  143: 'interrupted (SIGTERM)',
};

/** What the fleet knows of one deployment after its child process ended. */
export interface DeploymentOutcome {
  name: string;
  exitCode: number;
  durationMs: number;
  /** Last line the child printed when it could not run (already masked by the child). */
  message?: string;
}

export interface DeploymentReport extends DeploymentOutcome {
  target?: string;
  generation?: string;
  counts?: VerdictCounts;
  regressions?: number;
  results: CaseResult[];
  comparison?: Comparison;
  /** --strict and the run's headline warnings, so the warnings that broke its build are named. */
  strict?: StrictWarnings;
}

/** A deployment that left no report of checks (it could not run, or was interrupted first): its exit says why. */
const noChecks = (d: DeploymentReport): boolean => d.exitCode !== 0 && !d.results.length;

/** Worst exit code: a secret leak (3) outranks an interrupt (130/143), which outranks 2 > 1 > 0. */
export const worstExit = (codes: readonly number[]): number => (codes.includes(EXIT.secretLeak) ? EXIT.secretLeak : codes.reduce((a, b) => Math.max(a, b), 0));

export function readDeployment(root: string, o: DeploymentOutcome): DeploymentReport {
  const file = path.join(root, o.name, 'results.json');
  if (!fs.existsSync(file)) return { ...o, results: [] };
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { meta: RunMeta; results: CaseResult[]; comparison?: Comparison };
  const strict: StrictWarnings = { strict: doc.meta.strict === true, ...(doc.meta.warnings ? { runWarnings: doc.meta.warnings } : {}) };
  return {
    ...o,
    target: stripCredentials(doc.meta.target),
    generation: doc.meta.generation,
    counts: countVerdicts(doc.results),
    regressions: doc.comparison?.changes.filter((x) => x.regression).length,
    results: doc.results,
    comparison: doc.comparison,
    strict,
  };
}

function markdown(ds: DeploymentReport[], exit: number): string {
  const md = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
  const L = [`## PlaceOS auth contract, fleet of ${ds.length}: ${exit === 0 ? '✅ PASS' : `❌ exit ${exit} (${EXIT_MEANING[exit] ?? '?'})`}`, ''];
  const attention = ds.flatMap((d) =>
    noChecks(d)
      ? [`| \`${md(d.name)}\` | ${EXIT_MEANING[d.exitCode] ?? `exit ${d.exitCode}`} | ${md(d.message ?? 'no report')} |`]
      : attentionItems(d.results, d.comparison, d.strict).map((x) => `| \`${md(d.name)}\` | ${x.kind} \`${md(x.caseId)}\` | ${md(x.text)} |`),
  );
  L.push(`### Needs attention (${attention.length})`, '');
  if (attention.length) L.push('| deployment | what | details |', '|---|---|---|', ...attention, '');
  else L.push('Nothing: every deployment ran and no check failed, erred, regressed or has an overdue or stale ledger entry.', '');
  L.push(
    `| deployment | exit | target | generation | ${VERDICTS.join(' | ')} | total | regressions | time | report |`,
    `|---|--:|---|---|${VERDICTS.map(() => '--:').join('|')}|--:|--:|--:|---|`,
  );
  for (const d of ds) {
    const c = d.counts;
    L.push(
      `| \`${md(d.name)}\` | ${d.exitCode} ${EXIT_MEANING[d.exitCode] ?? ''} | ${md(d.target ?? '—')} | ${md(d.generation ?? '—')} | ${VERDICTS.map((v) => (c ? c[v] : '—')).join(' | ')} | ${c?.total ?? '—'} | ${d.regressions ?? '—'} | ${(d.durationMs / 1000).toFixed(1)} s | ${d.results.length ? `\`${md(d.name)}/summary.md\`` : `\`logs/${md(d.name)}.txt\``} |`,
    );
  }
  return `${L.join('\n')}\n`;
}

function html(ds: DeploymentReport[], exit: number): string {
  const rows = ds.map((d) => {
    const c = d.counts;
    const cls = d.exitCode === 0 ? 'pass' : d.exitCode === 1 ? 'fail' : 'error';
    return `<tr class="r-${cls}" data-exit="${d.exitCode}"><td><a href="${d.results.length ? `${h(d.name)}/summary.html` : `logs/${h(d.name)}.txt`}">${h(d.name)}</a></td><td>${d.exitCode} ${h(EXIT_MEANING[d.exitCode] ?? '')}</td><td>${h(d.target ?? '—')}</td><td>${h(d.generation ?? '—')}</td>${VERDICTS.map((v) => `<td class="n">${c ? c[v] : '—'}</td>`).join('')}<td class="n">${c?.total ?? '—'}</td><td class="n">${d.regressions ?? '—'}</td><td class="n">${(d.durationMs / 1000).toFixed(1)} s</td><td class="msg">${h(d.comparison ? comparisonLine(d.comparison) : d.results.length ? '' : (d.message ?? ''))}</td></tr>`;
  });
  const attention = ds.flatMap((d) =>
    noChecks(d)
      ? [
          `<tr class="r-error"><td>${h(d.name)}</td><td>${h(EXIT_MEANING[d.exitCode] ?? `exit ${d.exitCode}`)}</td><td class="msg">${h(d.message ?? 'no report')}</td></tr>`,
        ]
      : attentionItems(d.results, d.comparison, d.strict).map(
          (x) =>
            `<tr class="r-${x.kind === 'stale' ? 'warn' : 'fail'}"><td>${h(d.name)}</td><td>${h(x.kind)} <code>${h(x.caseId)}</code></td><td class="msg">${h(x.text)}</td></tr>`,
        ),
  );
  const outcome = exit === 0 ? 'PASS' : `exit ${exit} (${EXIT_MEANING[exit] ?? '?'})`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>PlaceOS auth contract fleet — ${h(outcome)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:0;padding:24px 32px}table{border-collapse:collapse;width:100%}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}td.n{text-align:right}tr.r-fail td{background:#ffebe9}tr.r-error td{background:#fbefff}tr.r-warn td{background:#fff8c5}.msg{max-width:520px;word-break:break-word}</style></head>
<body><h1>PlaceOS auth contract — fleet of ${ds.length}: <span id="outcome">${h(outcome)}</span></h1>
<h2 id="attention">Needs attention (${attention.length})</h2>${attention.length ? `<table id="attention-table"><thead><tr><th>deployment</th><th>what</th><th>details</th></tr></thead><tbody>${attention.join('\n')}</tbody></table>` : '<p>Nothing needs attention.</p>'}
<h2 id="deployments">Deployments</h2><table id="deployments-table"><thead><tr><th>deployment</th><th>exit</th><th>target</th><th>generation</th>${VERDICTS.map((v) => `<th>${h(v)}</th>`).join('')}<th>total</th><th>regressions</th><th>time</th><th>baseline / problem</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>
</body></html>
`;
}

const VERDICT_ELEMENT: Partial<Record<Verdict, string>> = { fail: 'failure', error: 'error' };

/** One JUnit file: a <testsuite> per deployment, a <testcase> per check (or one for a run that did not happen). */
function junit(ds: DeploymentReport[]): string {
  const x = (s: string) => escapeXml(s, true);
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const suites = ds.map((d) => {
    const props = [
      ['exit_code', String(d.exitCode)],
      ['target', d.target ?? ''],
      ['generation', d.generation ?? ''],
      ...(d.comparison ? [['baseline', comparisonLine(d.comparison)]] : []),
    ]
      .filter(([, v]) => v)
      .map(([k, v]) => `      <property name="${x(k!)}" value="${x(v!)}"/>\n`)
      .join('');
    const cases = d.results.length
      ? d.results.map((r) => {
          const el = VERDICT_ELEMENT[r.verdict];
          const body = el
            ? `      <${el} message="${x(`[${r.requirements.join(', ')}] ${shortMessage(r.message)}`)}"/>\n`
            : r.verdict === 'n/a'
              ? `      <skipped message="${x(`n/a: ${shortMessage(r.message, 300)}`)}"/>\n`
              : '';
          return `    <testcase classname="${x(`${d.name} › ${r.area}`)}" name="${x(`${r.title} [${r.caseId}]`)}" time="${(r.durationMs / 1000).toFixed(3)}">\n${body}      <system-out>${escapeXml(`verdict: ${r.verdict} · evidence ${d.name}/evidence/${r.caseId}.json`)}</system-out>\n    </testcase>\n`;
        })
      : [
          `    <testcase classname="${x(d.name)}" name="${x('run')}" time="${(d.durationMs / 1000).toFixed(3)}">\n      <error message="${x(`exit ${d.exitCode}: ${d.message ?? 'the run produced no report'}`)}"/>\n    </testcase>\n`,
        ];
    const f = d.results.filter((r) => r.verdict === 'fail').length;
    const e = d.results.length ? d.results.filter((r) => r.verdict === 'error').length : 1;
    const s = d.results.filter((r) => r.verdict === 'n/a').length;
    tests += cases.length;
    failures += f;
    errors += e;
    return `  <testsuite name="${x(d.name)}" tests="${cases.length}" failures="${f}" errors="${e}" skipped="${s}" time="${(d.durationMs / 1000).toFixed(3)}">\n    <properties>\n${props}    </properties>\n${cases.join('')}  </testsuite>\n`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="PlaceOS auth contract fleet" tests="${tests}" failures="${failures}" errors="${errors}">\n${suites.join('')}</testsuites>\n`;
}

/** Writes the fleet report into root (which holds <name>/ per deployment) and its manifest; returns the exit code. */
export function writeFleetReport(
  root: string,
  outcomes: readonly DeploymentOutcome[],
  extra: Record<string, unknown> = {},
  signingKeyPem?: string,
): { exitCode: number; markdown: string; deployments: DeploymentReport[] } {
  const ds = [...outcomes].sort((a, b) => a.name.localeCompare(b.name)).map((o) => readDeployment(root, o));
  const exitCode = worstExit(ds.map((d) => d.exitCode));
  const md = markdown(ds, exitCode);
  fs.writeFileSync(path.join(root, 'fleet-summary.md'), md);
  fs.writeFileSync(path.join(root, 'fleet-summary.html'), html(ds, exitCode));
  fs.writeFileSync(path.join(root, 'junit.xml'), junit(ds));
  const doc = {
    format: 'placeos-contract-fleet/1',
    exitCode,
    ...extra,
    deployments: ds.map(({ results: _r, comparison: _c, ...d }) => ({ ...d, reports: d.name })),
  };
  fs.writeFileSync(path.join(root, FLEET_FILE), `${JSON.stringify(doc, null, 2)}\n`);
  writeManifest(root, signingKeyPem ? { signingKeyPem } : {});
  return { exitCode, markdown: md, deployments: ds };
}

/** The outcomes recorded in a fleet folder's fleet.json. */
export function readFleetOutcomes(root: string): DeploymentOutcome[] {
  const doc = JSON.parse(fs.readFileSync(path.join(root, FLEET_FILE), 'utf8')) as { format?: string; deployments?: DeploymentOutcome[] };
  if (doc.format !== 'placeos-contract-fleet/1' || !Array.isArray(doc.deployments)) throw new Error(`${root}/${FLEET_FILE}: not a fleet report`);
  return doc.deployments.map(({ name, exitCode, durationMs, message }) => ({ name, exitCode, durationMs, message }));
}
