// Human summaries of a run: console text, Markdown (also for $GITHUB_STEP_SUMMARY) and one
// self-contained HTML page. Pure: data in, string out. All CaseResult text is already masked.
import type { CaseResult, Verdict } from '../../helpers/model';
import type { RunMeta } from './meta';
import { attentionItems, comparisonConsole, type AttentionItem } from './attention';
import { comparisonLine, type Comparison } from './baseline';
import { reproducePath } from './evidence';
import { byArea, cleanupLine, count, countVerdicts, naReasons, runOutcome, shortMessage, stoppedBy, VERDICTS, type VerdictCounts } from './results';

export interface SummaryOptions {
  color?: boolean;
  /** caseId → evidence path relative to the reports folder (HTML/Markdown links). */
  evidence?: Record<string, string>;
  /** Comparison with a baseline run (--baseline). */
  comparison?: Comparison;
}

const LABEL: Record<Verdict, string> = { pass: 'pass', fail: 'FAIL', error: 'ERROR', warn: 'warn', deviation: 'deviation', 'n/a': 'n/a' };

export function duration(meta: RunMeta): string {
  const ms = Date.parse(meta.endedAt) - Date.parse(meta.startedAt);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '?';
}

export function targetLine(meta: RunMeta): string {
  const v = meta.deploymentVersion ? `, deployment ${meta.deploymentVersion}` : '';
  const embedded = meta.embedded
    ? ` (EMBEDDED REFERENCE TARGET, not a deployment: ${meta.embeddedReason === 'asked' ? 'asked for' : 'nothing named a deployment'})`
    : '';
  return `${meta.target}${embedded} — generation ${meta.generation} (${meta.generationSource}${v})`;
}

/** The deployment's latency and whether the run throttled itself, or undefined without samples. */
export function loadLine(meta: RunMeta): string | undefined {
  const l = meta.load;
  if (!l?.latency) return undefined;
  const throttled = l.throttled ? `yes (down to ${l.lowest} of ${l.max} requests in flight)` : `no (up to ${l.max} requests in flight)`;
  return `latency p50 ${l.latency.p50Ms} ms · p95 ${l.latency.p95Ms} ms · max ${l.latency.maxMs} ms · throttled ${throttled}`;
}

function reqs(r: CaseResult): string {
  return `${r.requirements.join(', ') || 'no requirement'} ${r.level}`;
}

const failures = (rs: readonly CaseResult[]) => rs.filter((r) => r.verdict === 'fail' || r.verdict === 'error');
export const withVerdict = (rs: readonly CaseResult[], v: Verdict) => rs.filter((r) => r.verdict === v);
export function findings(rs: readonly CaseResult[]): { id: string; message: string; caseId: string }[] {
  return rs.flatMap((r) => r.findings.map((f) => ({ ...f, caseId: r.caseId })));
}

// ---------------------------------------------------------------------------------------------
// console

export function renderConsoleSummary(results: readonly CaseResult[], meta: RunMeta, opts: SummaryOptions = {}): string {
  const c = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const paint: Record<Verdict, (s: string) => string> = {
    pass: (s) => c('32', s),
    fail: (s) => c('1;31', s),
    error: (s) => c('1;35', s),
    warn: (s) => c('33', s),
    deviation: (s) => c('36', s),
    'n/a': (s) => c('2', s),
  };
  const L: string[] = [];
  L.push(c('1', `PlaceOS auth contract — run ${meta.runId}`));
  L.push(`Target:  ${targetLine(meta)}`);
  for (const w of meta.warnings ?? []) L.push(c('1;33', `WARNING: ${w}${meta.strict ? ' [breaks the build under --strict]' : ''}`));
  L.push(
    `Suite:   ${meta.suiteVersion}${meta.suiteCommit ? ` (${meta.suiteCommit})` : ''} · schemas ${meta.schemaDigest} · strict ${meta.strict ? 'on' : 'off'}${meta.ledger ? ` · ledger ${meta.ledger}` : ''}${meta.selection ? ` · selection: ${meta.selection}` : ''}`,
  );
  L.push(`Time:    ${meta.startedAt} → ${meta.endedAt} (${duration(meta)}) · ${count(meta.requestCount, 'request')}`);
  const load = loadLine(meta);
  if (load) L.push(`Load:    ${load}`);
  if (meta.load?.overloaded) L.push(c('1;35', `Overload: ${meta.load.overloaded}`));
  if (meta.incomplete) L.push(c('1;35', `INCOMPLETE: ${meta.incomplete}; the checks that did not run or were cut are errors`));
  const cleanup = cleanupLine(meta.cleanup);
  if (cleanup) L.push(`Cleanup: ${cleanup}`);
  const job = meta.ci.ci_job_url ?? meta.ci.github_run_url ?? meta.ci.jenkins_build_url;
  if (job) L.push(`CI:      ${job}`);
  L.push('');
  const areas = byArea(results);
  const w = Math.max(5, ...areas.map(([a]) => a.length));
  const row = (name: string, k: VerdictCounts) =>
    `${name.padEnd(w)}  ${VERDICTS.map((v) => String(k[v]).padStart(v.length < 4 ? 4 : v.length)).join(' ')}  ${String(k.total).padStart(5)}`;
  L.push(`${'area'.padEnd(w)}  ${VERDICTS.map((v) => (v.length < 4 ? v.padStart(4) : v)).join(' ')}  total`);
  for (const [area, rs] of areas) L.push(row(area, countVerdicts(rs)));
  L.push(c('1', row('TOTAL', countVerdicts(results))));
  const f = failures(results);
  if (f.length) {
    L.push('', c('1', `Failures and errors (${f.length}):`));
    // Checks stopped by the overload are one line, not one each.
    const stopped = f.filter((r) => r.verdict === 'error' && meta.load?.overloaded && r.message === meta.load.overloaded);
    // And so are the checks the interrupt stopped.
    const interrupted = f.filter((r) => stoppedBy(r, meta.incomplete));
    for (const r of f)
      if (!stopped.includes(r) && !interrupted.includes(r))
        L.push(`  ${paint[r.verdict](LABEL[r.verdict])} ${r.caseId} [${reqs(r)}, ${r.severity}] ${shortMessage(r.message, 300)}`);
    if (stopped.length) L.push(`  ${paint.error(LABEL.error)} ${count(stopped.length, 'check')} not run: stopped by the overload (see Overload above)`);
    if (interrupted.length) L.push(`  ${paint.error(LABEL.error)} ${count(interrupted.length, 'check')} did not run or were cut: ${meta.incomplete}`);
  }
  const warns = withVerdict(results, 'warn');
  if (warns.length) {
    L.push('', c('1', `Warnings (${warns.length})${meta.strict ? ', each breaking the build under --strict' : ''}:`));
    for (const r of warns) L.push(`  ${paint.warn('warn')} ${r.caseId} [${reqs(r)}] ${shortMessage(r.message, 300)}`);
  }
  const devs = withVerdict(results, 'deviation');
  if (devs.length) {
    L.push('', c('1', `Deviations (${devs.length}):`));
    for (const r of devs) {
      const l = r.ledger;
      L.push(`  ${paint.deviation('deviation')} ${r.caseId} — observed: ${shortMessage(r.message, 300)}`);
      L.push(`      ledger: ${l?.reason ?? '?'} (owner ${l?.owner ?? '?'}, review by ${l?.reviewBy ?? '?'}${l?.overdue ? ', OVERDUE' : ''})`);
    }
  }
  const stale = results.filter((r) => r.ledger?.stale);
  if (stale.length) {
    L.push('', c('1', `Stale ledger entries (${stale.length}) — the deviation no longer happens:`));
    for (const r of stale) L.push(`  ${r.caseId} (owner ${r.ledger?.owner ?? '?'})`);
  }
  const na = naReasons(results);
  if (na.length) {
    L.push('', c('1', `Not applicable (${withVerdict(results, 'n/a').length}):`));
    for (const [reason, n] of na) L.push(`  ${paint['n/a'](`${n} ×`)} ${reason}`);
  }
  const fs = findings(results);
  if (fs.length) {
    L.push('', c('1', `Findings (${fs.length}):`));
    for (const x of fs) L.push(`  ${x.id}: ${shortMessage(x.message, 300)} (${x.caseId})`);
  }
  L.push(...comparisonConsole(opts.comparison));
  const result = runOutcome(results, meta);
  L.push('', c('1', `Result: ${result === 'PASS' ? c('32', 'PASS') : c('31', result)}`));
  return `${L.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// markdown

function md(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}
const EMOJI: Record<Verdict, string> = { pass: '✅ pass', fail: '❌ fail', error: '💥 error', warn: '⚠️ warn', deviation: '🔷 deviation', 'n/a': '➖ n/a' };

export function renderMarkdownSummary(results: readonly CaseResult[], meta: RunMeta, opts: SummaryOptions = {}): string {
  const L: string[] = [];
  const total = countVerdicts(results);
  const outcome = runOutcome(results, meta);
  L.push(`## PlaceOS auth contract: ${outcome === 'PASS' ? '✅ PASS' : `❌ ${md(outcome)}`}`, '');
  if (meta.incomplete) L.push(`> **INCOMPLETE — ${md(meta.incomplete)}**: the checks that did not run or were cut are errors.`, '');
  for (const w of meta.warnings ?? []) L.push(`> ⚠️ **WARNING:** ${md(w)}`, '');
  L.push(`**Target** ${md(targetLine(meta))}  `);
  L.push(
    `**Run** \`${md(meta.runId)}\` · ${md(meta.startedAt)} → ${md(meta.endedAt)} (${duration(meta)}) · ${count(meta.requestCount, 'request')} · strict ${meta.strict ? 'on' : 'off'}${meta.ledger ? ` · ledger \`${md(meta.ledger)}\`` : ''}${meta.selection ? ` · selection: ${md(meta.selection)}` : ''}`,
    '',
  );
  const load = loadLine(meta);
  if (load) L.push(`**Load** ${md(load)}${meta.load?.overloaded ? ` · **stopped:** ${md(meta.load.overloaded)}` : ''}`, '');
  const cleanup = cleanupLine(meta.cleanup);
  if (cleanup) L.push(`**Cleanup** ${md(cleanup)}`, '');
  L.push(
    ...markdownAttention(attentionItems(results, opts.comparison, { strict: meta.strict, runWarnings: meta.warnings }), opts.evidence ?? {}),
    ...markdownComparison(opts.comparison),
  );
  L.push(`| area | ${VERDICTS.join(' | ')} | total |`, `|---|${VERDICTS.map(() => '--:').join('|')}|--:|`);
  for (const [area, rs] of byArea(results)) {
    const k = countVerdicts(rs);
    L.push(`| ${md(area)} | ${VERDICTS.map((v) => k[v]).join(' | ')} | ${k.total} |`);
  }
  L.push(`| **total** | ${VERDICTS.map((v) => `**${total[v]}**`).join(' | ')} | **${total.total}** |`, '');
  const f = failures(results);
  if (f.length) {
    L.push(`### Failures and errors (${f.length})`, '', '| check | requirements | severity | verdict | message | evidence |', '|---|---|---|---|---|---|');
    for (const r of f)
      L.push(
        `| \`${md(r.caseId)}\` ${md(r.title)} | ${md(reqs(r))} | ${r.severity} | ${EMOJI[r.verdict]} | ${md(shortMessage(r.message, 300))} | ${markdownEvidence(r, opts.evidence?.[r.caseId])} |`,
      );
    L.push('');
  }
  const warns = withVerdict(results, 'warn');
  if (warns.length) {
    L.push(`### Warnings (${warns.length})${meta.strict ? ', each breaking the build under --strict' : ''}`, '');
    for (const r of warns) L.push(`- \`${md(r.caseId)}\` [${md(reqs(r))}] ${md(shortMessage(r.message, 300))}`);
    L.push('');
  }
  const devs = withVerdict(results, 'deviation');
  if (devs.length) {
    L.push(`### Deviations (${devs.length})`, '', '| check | observed | ledger reason | owner | review by |', '|---|---|---|---|---|');
    for (const r of devs)
      L.push(
        `| \`${md(r.caseId)}\` | ${md(shortMessage(r.message, 300))} | ${md(r.ledger?.reason ?? '?')} | ${md(r.ledger?.owner ?? '?')} | ${md(r.ledger?.reviewBy ?? '?')}${r.ledger?.overdue ? ' ⚠️ overdue' : ''} |`,
      );
    L.push('');
  }
  const na = naReasons(results);
  if (na.length) {
    L.push(`<details><summary>Not applicable (${total['n/a']})</summary>`, '');
    for (const [reason, n] of na) L.push(`- ${n} × ${md(reason)}`);
    L.push('', '</details>', '');
  }
  const fs = findings(results);
  if (fs.length) {
    L.push(`### Findings (${fs.length})`, '');
    for (const x of fs) L.push(`- **${md(x.id)}**: ${md(shortMessage(x.message, 300))} (\`${md(x.caseId)}\`)`);
    L.push('');
  }
  if (opts.evidence && Object.keys(opts.evidence).length) L.push(`Evidence for each check is in the report bundle under \`evidence/\`.`, '');
  return `${L.join('\n')}\n`;
}

const ATTENTION_LABEL: Record<AttentionItem['kind'], string> = {
  regression: '🆕 regression',
  fail: '❌ fail',
  error: '💥 error',
  'strict-warning': '⚠️ warning (breaks the build under --strict)',
  overdue: '⏰ overdue ledger review',
  stale: '🧹 stale ledger entry',
};

/** Links to a check's transcript and, for a fail or error, its reproduce line (paths relative to the summary). */
function markdownEvidence(r: CaseResult, e: string | undefined): string {
  if (!e) return '—';
  const link = (text: string, href: string) => `[${text}](${encodeURI(href)})`;
  return [link('transcript', e.replace(/\.json$/, '.txt')), ...(r.reproduce ? [link('reproduce', reproducePath(e))] : [])].join(' · ');
}

function markdownAttention(items: AttentionItem[], evidence: Record<string, string>): string[] {
  if (!items.length) return ['### Needs attention', '', 'Nothing: no failure, error, regression, overdue or stale ledger entry.', ''];
  const L = [`### Needs attention (${items.length})`, '', '| what | check | details |', '|---|---|---|'];
  for (const x of items) {
    const e = evidence[x.caseId];
    const id = !x.caseId ? 'the run' : e ? `[\`${md(x.caseId)}\`](${encodeURI(e.replace(/\.json$/, '.txt'))})` : `\`${md(x.caseId)}\``;
    L.push(`| ${ATTENTION_LABEL[x.kind]} | ${id} | ${md(x.text)} |`);
  }
  return [...L, ''];
}

function markdownComparison(c: Comparison | undefined): string[] {
  if (!c) return [];
  const L = [`### Against the baseline \`${md(c.baseline.runId ?? c.baseline.file)}\``, '', md(comparisonLine(c)), ''];
  if (c.changes.length) {
    L.push('| change | check | before → after |', '|---|---|---|');
    for (const x of c.changes)
      L.push(`| ${x.regression ? '**regression**' : x.change} | \`${md(x.caseId)}\` | ${md(`${x.before ?? '(absent)'} → ${x.after ?? '(absent)'}`)} |`);
    L.push('');
  }
  if (c.drift.length) {
    L.push('| schema | members appeared | members vanished |', '|---|---|---|');
    for (const d of c.drift) L.push(`| \`${md(d.schema)}\` | ${md(d.appeared.join(', ') || '—')} | ${md(d.vanished.join(', ') || '—')} |`);
    L.push('');
  }
  if (c.note) L.push(`_${md(c.note)}_`, '');
  return L;
}

export { escapeHtml, renderHtmlSummary } from './html';
