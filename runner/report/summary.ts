// Human summaries of a run: console text, Markdown (also for $GITHUB_STEP_SUMMARY) and one
// self-contained HTML page. Pure: data in, string out. All CaseResult text is already masked.
import type { CaseResult, Verdict } from '../../helpers/model';
import { REQUIREMENTS } from '../../helpers/requirements';
import { metaProperties, type RunMeta } from './meta';
import { byArea, countVerdicts, naReasons, overall, shortMessage, VERDICTS, type VerdictCounts } from './results';

export interface SummaryOptions {
  color?: boolean;
  /** caseId → evidence path relative to the reports folder (HTML/Markdown links). */
  evidence?: Record<string, string>;
}

const LABEL: Record<Verdict, string> = { pass: 'pass', fail: 'FAIL', error: 'ERROR', warn: 'warn', deviation: 'deviation', 'n/a': 'n/a' };

function duration(meta: RunMeta): string {
  const ms = Date.parse(meta.endedAt) - Date.parse(meta.startedAt);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '?';
}

function targetLine(meta: RunMeta): string {
  const v = meta.deploymentVersion ? `, deployment ${meta.deploymentVersion}` : '';
  return `${meta.target}${meta.embedded ? ' (embedded reference target)' : ''} — generation ${meta.generation} (${meta.generationSource}${v})`;
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
const withVerdict = (rs: readonly CaseResult[], v: Verdict) => rs.filter((r) => r.verdict === v);
function findings(rs: readonly CaseResult[]): { id: string; message: string; caseId: string }[] {
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
  for (const w of meta.warnings ?? []) L.push(c('1;33', `WARNING: ${w}`));
  L.push(`Suite:   ${meta.suiteVersion}${meta.suiteCommit ? ` (${meta.suiteCommit})` : ''} · schemas ${meta.schemaDigest} · strict ${meta.strict ? 'on' : 'off'}${meta.selection ? ` · selection ${meta.selection}` : ''}`);
  L.push(`Time:    ${meta.startedAt} → ${meta.endedAt} (${duration(meta)}) · ${meta.requestCount} requests`);
  const load = loadLine(meta);
  if (load) L.push(`Load:    ${load}`);
  if (meta.load?.overloaded) L.push(c('1;35', `Overload: ${meta.load.overloaded}`));
  const job = meta.ci.ci_job_url ?? meta.ci.github_run_url ?? meta.ci.jenkins_build_url;
  if (job) L.push(`CI:      ${job}`);
  L.push('');
  const areas = byArea(results);
  const w = Math.max(5, ...areas.map(([a]) => a.length));
  const row = (name: string, k: VerdictCounts) => `${name.padEnd(w)}  ${VERDICTS.map((v) => String(k[v]).padStart(v.length < 4 ? 4 : v.length)).join(' ')}  ${String(k.total).padStart(5)}`;
  L.push(`${'area'.padEnd(w)}  ${VERDICTS.map((v) => (v.length < 4 ? v.padStart(4) : v)).join(' ')}  total`);
  for (const [area, rs] of areas) L.push(row(area, countVerdicts(rs)));
  L.push(c('1', row('TOTAL', countVerdicts(results))));
  const f = failures(results);
  if (f.length) {
    L.push('', c('1', `Failures and errors (${f.length}):`));
    // Checks stopped by the overload are one line, not one each.
    const stopped = f.filter((r) => r.verdict === 'error' && meta.load?.overloaded && r.message === meta.load.overloaded);
    for (const r of f) if (!stopped.includes(r)) L.push(`  ${paint[r.verdict](LABEL[r.verdict])} ${r.caseId} [${reqs(r)}, ${r.severity}] ${shortMessage(r.message, 300)}`);
    if (stopped.length) L.push(`  ${paint.error(LABEL.error)} ${stopped.length} check(s) not run: ${meta.load!.overloaded}`);
  }
  const warns = withVerdict(results, 'warn');
  if (warns.length) {
    L.push('', c('1', `Warnings (${warns.length}):`));
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
  const result = overall(results, meta.strict, meta.warnings);
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
  const outcome = overall(results, meta.strict, meta.warnings);
  L.push(`## PlaceOS auth contract: ${outcome === 'PASS' ? '✅ PASS' : `❌ ${outcome}`}`, '');
  for (const w of meta.warnings ?? []) L.push(`> ⚠️ **WARNING:** ${md(w)}`, '');
  L.push(`**Target** ${md(targetLine(meta))}  `);
  L.push(`**Run** \`${md(meta.runId)}\` · ${md(meta.startedAt)} → ${md(meta.endedAt)} (${duration(meta)}) · ${meta.requestCount} requests · strict ${meta.strict ? 'on' : 'off'}`, '');
  const load = loadLine(meta);
  if (load) L.push(`**Load** ${md(load)}${meta.load?.overloaded ? ` · **stopped:** ${md(meta.load.overloaded)}` : ''}`, '');
  L.push(`| area | ${VERDICTS.join(' | ')} | total |`, `|---|${VERDICTS.map(() => '--:').join('|')}|--:|`);
  for (const [area, rs] of byArea(results)) {
    const k = countVerdicts(rs);
    L.push(`| ${md(area)} | ${VERDICTS.map((v) => k[v]).join(' | ')} | ${k.total} |`);
  }
  L.push(`| **total** | ${VERDICTS.map((v) => `**${total[v]}**`).join(' | ')} | **${total.total}** |`, '');
  const f = failures(results);
  if (f.length) {
    L.push(`### Failures and errors (${f.length})`, '', '| check | requirements | severity | verdict | message |', '|---|---|---|---|---|');
    for (const r of f) L.push(`| \`${md(r.caseId)}\` ${md(r.title)} | ${md(reqs(r))} | ${r.severity} | ${EMOJI[r.verdict]} | ${md(shortMessage(r.message, 300))} |`);
    L.push('');
  }
  const warns = withVerdict(results, 'warn');
  if (warns.length) {
    L.push(`### Warnings (${warns.length})`, '');
    for (const r of warns) L.push(`- \`${md(r.caseId)}\` [${md(reqs(r))}] ${md(shortMessage(r.message, 300))}`);
    L.push('');
  }
  const devs = withVerdict(results, 'deviation');
  if (devs.length) {
    L.push(`### Deviations (${devs.length})`, '', '| check | observed | ledger reason | owner | review by |', '|---|---|---|---|---|');
    for (const r of devs) L.push(`| \`${md(r.caseId)}\` | ${md(shortMessage(r.message, 300))} | ${md(r.ledger?.reason ?? '?')} | ${md(r.ledger?.owner ?? '?')} | ${md(r.ledger?.reviewBy ?? '?')}${r.ledger?.overdue ? ' ⚠️ overdue' : ''} |`);
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

// ---------------------------------------------------------------------------------------------
// html

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
const h = escapeHtml;

const CSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--error:#8250df;--warn:#9a6700;--deviation:#0969da;--na:#6e7781;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;margin:0;padding:24px 32px;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.outcome{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600;font-size:14px;vertical-align:middle;margin-left:8px}
.outcome.PASS{background:var(--pass)}.outcome.FAIL{background:var(--fail)}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
table.meta{width:auto}table.meta th{width:180px}code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.v{font-weight:600;white-space:nowrap}.v-pass{color:var(--pass)}.v-fail{color:var(--fail)}.v-error{color:var(--error)}.v-warn{color:var(--warn)}.v-deviation{color:var(--deviation)}.v-na{color:var(--na)}
tr.r-fail td,tr.r-error td{background:#ffebe9}tr.r-warn td{background:#fff8c5}tr.r-deviation td{background:#ddf4ff}tr.r-na td{color:var(--na)}
.counts{display:flex;gap:10px;flex-wrap:wrap;margin:10px 0}.count{border:1px solid var(--line);border-radius:6px;padding:6px 14px;min-width:90px;text-align:center}
.warning{border:2px solid var(--warn);background:#fff8c5;border-radius:6px;padding:8px 12px;margin:10px 0}
.count b{display:block;font-size:20px}.msg{max-width:520px;word-break:break-word}.small{color:#59636e;font-size:12px}
@media print{body{padding:0}a{color:inherit}}
`;

function verdictCell(v: Verdict): string {
  return `<span class="v v-${v === 'n/a' ? 'na' : v}">${h(v)}</span>`;
}

/**
 * Where a requirement is stated: the RFC section (a link) or, for PlaceOS IDs, the section of the
 * contract document that ships with the suite (docs/contract.md#sec-…).
 */
function requirementSource(id: string): string {
  const r = REQUIREMENTS[id];
  if (!r) return '—';
  if (r.ref) return `<code>${h(r.ref)}</code>`;
  return r.url ? `<a href="${h(r.url)}">${h(r.document)} §${h(r.section)}</a>` : h(`${r.document} ${r.section}`);
}

/** Worst verdict among checks of one requirement (fail > error > warn > deviation > pass > n/a). */
function worst(vs: Verdict[]): Verdict {
  const order: Verdict[] = ['fail', 'error', 'warn', 'deviation', 'pass', 'n/a'];
  return order.find((v) => vs.includes(v)) ?? 'n/a';
}

export function renderHtmlSummary(results: readonly CaseResult[], meta: RunMeta, opts: SummaryOptions = {}): string {
  const total = countVerdicts(results);
  const result = overall(results, meta.strict, meta.warnings);
  const ev = opts.evidence ?? {};
  const metaRows = metaProperties(meta).map(([k, v]) => `<tr><th>${h(k)}</th><td>${/^https?:\/\//.test(v) ? `<a href="${h(v)}">${h(v)}</a>` : h(v)}</td></tr>`);
  const counts = VERDICTS.map((v) => `<div class="count"><b class="v-${v === 'n/a' ? 'na' : v}" data-verdict="${h(v)}">${total[v]}</b>${h(v)}</div>`).join('');
  const areaRows = byArea(results).map(([area, rs]) => {
    const k = countVerdicts(rs);
    return `<tr><td>${h(area)}</td>${VERDICTS.map((v) => `<td class="n">${k[v]}</td>`).join('')}<td class="n">${k.total}</td></tr>`;
  });
  const sorted = [...results].sort((a, b) => (a.requirements[0] ?? '~').localeCompare(b.requirements[0] ?? '~') || a.caseId.localeCompare(b.caseId));
  const checkRows = sorted.map((r) => {
    const e = ev[r.caseId];
    const link = e ? `<a href="${h(e.replace(/\.json$/, '.txt'))}">transcript</a> · <a href="${h(e)}">json</a>` : '—';
    return `<tr class="r-${r.verdict === 'n/a' ? 'na' : r.verdict}" data-case-id="${h(r.caseId)}" data-verdict="${h(r.verdict)}"><td><code>${h(r.caseId)}</code></td><td>${h(r.title)}</td><td>${r.requirements.map((x) => `<code>${h(x)}</code>`).join('<br>') || '—'} <span class="small">${h(r.level)}</span></td><td>${h(r.severity)}</td><td>${verdictCell(r.verdict)}</td><td class="msg">${h(shortMessage(r.message, 400))}</td><td>${link}</td></tr>`;
  });
  const reqMap = new Map<string, CaseResult[]>();
  for (const r of results) for (const id of r.requirements) reqMap.set(id, [...(reqMap.get(id) ?? []), r]);
  const reqRows = [...reqMap.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, rs]) => {
    const levels = [...new Set(rs.map((r) => r.level))].join('/');
    return `<tr><td><code>${h(id)}</code></td><td>${requirementSource(id)}</td><td>${h(levels)}</td><td class="n">${rs.length}</td><td>${verdictCell(worst(rs.map((r) => r.verdict)))}</td><td>${rs.map((r) => `<code>${h(r.caseId)}</code>`).join(', ')}</td></tr>`;
  });
  const devs = withVerdict(results, 'deviation').concat(results.filter((r) => r.ledger?.stale && r.verdict !== 'deviation'));
  const devRows = devs.map((r) => `<tr><td><code>${h(r.caseId)}</code></td><td class="msg">${h(shortMessage(r.message, 400))}</td><td>${h(r.ledger?.reason ?? '?')}</td><td>${h(r.ledger?.owner ?? '?')}</td><td>${h(r.ledger?.reviewBy ?? '?')}${r.ledger?.overdue ? ' <b class="v-fail">overdue</b>' : ''}${r.ledger?.stale ? ' <b class="v-warn">stale</b>' : ''}</td></tr>`);
  const fs = findings(results);
  const findingRows = fs.map((x) => `<tr><td><code>${h(x.id)}</code></td><td>${h(x.message)}</td><td><code>${h(x.caseId)}</code></td></tr>`);
  const na = naReasons(results).map(([reason, n]) => `<tr><td class="n">${n}</td><td>${h(reason)}</td></tr>`);
  const section = (title: string, id: string, head: string[], rows: string[], empty: string) =>
    `<h2 id="${id}">${h(title)}</h2>${rows.length ? `<table id="${id}-table"><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>` : `<p class="small">${h(empty)}</p>`}`;

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>PlaceOS auth contract — ${h(result)} — ${h(meta.runId)}</title>
<style>${CSS}</style></head>
<body>
<h1>PlaceOS auth contract report <span class="outcome ${result.replace(' ', '-')}" id="outcome">${result}</span></h1>
${(meta.warnings ?? []).map((w) => `<p class="warning" role="alert"><b>WARNING:</b> ${h(w)}</p>`).join('\n')}
<div class="small">${h(targetLine(meta))} · ${h(meta.startedAt)} → ${h(meta.endedAt)} (${h(duration(meta))})</div>
<div class="counts" id="counts">${counts}<div class="count"><b>${total.total}</b>total</div></div>
${section('Verdicts by area', 'areas', ['area', ...VERDICTS, 'total'], areaRows, 'No checks ran.')}
${section('Checks', 'verdicts', ['check', 'title', 'requirements', 'severity', 'verdict', 'message', 'evidence'], checkRows, 'No checks ran.')}
${section('Requirements', 'requirements', ['requirement', 'source', 'level', 'checks', 'worst verdict', 'checked by'], reqRows, 'No requirements referenced.')}
${section('Deviations (expected, from the ledger)', 'deviations', ['check', 'observed', 'ledger reason', 'owner', 'review by'], devRows, 'No deviations.')}
${section('Findings (documentation versus deployment)', 'findings', ['finding', 'message', 'check'], findingRows, 'No findings.')}
${section('Not applicable', 'na', ['checks', 'reason'], na, 'Every selected check applied.')}
<h2 id="run">Run metadata</h2>
<table class="meta" id="meta-table"><tbody>${metaRows.join('\n')}</tbody></table>
<p class="small">Verdicts: pass = held; fail = a MUST-level check did not hold; error = the check could not be made; warn = a SHOULD/MAY-level check did not hold (fails the gate only in strict mode); deviation = did not hold, listed in the deviation ledger with owner and review date; n/a = not applicable to this deployment, with the reason. Integrity: see MANIFEST.sha256.json and SHA256SUMS (sha256sum -c; MANIFEST.sig and SHA256SUMS.sig when signed) in this folder.</p>
</body></html>
`;
}
