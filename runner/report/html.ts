// The self-contained HTML summary: what needs attention first, then every check, filterable by
// verdict, area, severity and requirement with CSS alone (no script, no network resource: the page's
// CSP forbids both). Pure: data in, string out. All CaseResult text is already masked.
import type { CaseResult, Verdict } from '../../helpers/model';
import { REQUIREMENTS } from '../../helpers/requirements';
import { attentionItems } from './attention';
import { comparisonLine, type Comparison } from './baseline';
import { metaProperties, type RunMeta } from './meta';
import { reproducePath } from './evidence';
import { byArea, cleanupLine, countVerdicts, naReasons, shortMessage, runOutcome, VERDICTS } from './results';
import { duration, findings, targetLine, withVerdict, type SummaryOptions } from './summary';

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
.filters{display:flex;gap:14px;flex-wrap:wrap;margin:8px 0;padding:8px;background:var(--bg);border:1px solid var(--line);border-radius:6px}.filters select{font:inherit}
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

/** A CSS string literal that cannot end the string or the style element. */
function cssString(s: string): string {
  return `"${s.replace(/[\\"<>\n]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;
}

interface Filter {
  id: string;
  label: string;
  attr: string;
  values: string[];
  /** Whole-value match, or one of a space-separated list (`~=`). */
  list?: boolean;
}

/** Filters for the checks table: one select per dimension, applied by CSS :has() rules (no script). */
function filterControls(results: readonly CaseResult[]): { form: string; css: string } {
  const uniq = (xs: string[]) => [...new Set(xs)].sort();
  const filters: Filter[] = [
    { id: 'f-verdict', label: 'verdict', attr: 'data-verdict', values: VERDICTS.filter((v) => results.some((r) => r.verdict === v)) },
    { id: 'f-area', label: 'area', attr: 'data-area', values: uniq(results.map((r) => r.area)) },
    { id: 'f-severity', label: 'severity', attr: 'data-severity', values: uniq(results.map((r) => r.severity)) },
    { id: 'f-requirement', label: 'requirement', attr: 'data-requirements', values: uniq(results.flatMap((r) => r.requirements)), list: true },
  ];
  const form = `<form class="filters" id="filters" aria-label="filter the checks">${filters
    .map(
      (f) =>
        `<label>${h(f.label)} <select id="${f.id}" name="${f.id}"><option value="" selected>all</option>${f.values.map((v) => `<option value="${h(v)}">${h(v)}</option>`).join('')}</select></label>`,
    )
    .join('')}</form>`;
  const css = filters
    .flatMap((f) =>
      f.values.map(
        (v) =>
          `body:has(#${f.id} option[value=${cssString(v)}]:checked) #verdicts-table tbody tr:not([${f.attr}${f.list ? '~' : ''}=${cssString(v)}]){display:none}`,
      ),
    )
    .join('\n');
  return { form, css };
}

/** Links to a check's evidence: its transcript, its JSON and, for a fail or error, its reproduce line. */
function evidenceLinks(r: CaseResult | undefined, e: string | undefined): string {
  if (!e) return '—';
  const reproduce = r?.reproduce ? ` · <a href="${h(reproducePath(e))}" class="reproduce">reproduce</a>` : '';
  return `<a href="${h(e.replace(/\.json$/, '.txt'))}">transcript</a> · <a href="${h(e)}">json</a>${reproduce}`;
}

function attentionSection(results: readonly CaseResult[], comparison: Comparison | undefined, ev: Record<string, string>, meta: RunMeta): string {
  const items = attentionItems(results, comparison, { strict: meta.strict, runWarnings: meta.warnings });
  if (!items.length)
    return `<h2 id="attention">Needs attention</h2><p class="small" id="attention-none">Nothing: no failure, error, regression, overdue or stale ledger entry.</p>`;
  const byId = new Map(results.map((r) => [r.caseId, r]));
  const rows = items.map((x) => {
    const e = ev[x.caseId];
    const id = !x.caseId ? 'the run' : e ? `<a href="${h(e.replace(/\.json$/, '.txt'))}"><code>${h(x.caseId)}</code></a>` : `<code>${h(x.caseId)}</code>`;
    return `<tr class="r-${x.kind === 'regression' || x.kind === 'overdue' ? 'fail' : x.kind === 'stale' || x.kind === 'strict-warning' ? 'warn' : x.kind}" data-kind="${h(x.kind)}"><td><b>${h(x.kind)}</b></td><td>${id}</td><td class="msg">${h(x.text)}</td><td>${evidenceLinks(byId.get(x.caseId), e)}</td></tr>`;
  });
  return `<h2 id="attention">Needs attention (${items.length})</h2><table id="attention-table"><thead><tr><th>what</th><th>check</th><th>details</th><th>evidence</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function comparisonSection(c: Comparison | undefined): string {
  if (!c) return '';
  const changes = c.changes.map(
    (x) =>
      `<tr data-change="${h(x.change)}"><td>${x.regression ? '<b class="v-fail">regression</b>' : h(x.change)}</td><td><code>${h(x.caseId)}</code></td><td>${h(x.before ?? '(absent)')} → ${h(x.after ?? '(absent)')}</td></tr>`,
  );
  const drift = c.drift.map(
    (d) =>
      `<tr data-schema="${h(d.schema)}"><td><code>${h(d.schema)}</code></td><td>${d.appeared.map((m) => `<code>${h(m)}</code>`).join(' ') || '—'}</td><td>${d.vanished.map((m) => `<code>${h(m)}</code>`).join(' ') || '—'}</td></tr>`,
  );
  return `<h2 id="baseline">Against the baseline ${h(c.baseline.runId ?? c.baseline.file)}</h2><p>${h(comparisonLine(c))}</p>${
    changes.length
      ? `<table id="baseline-table"><thead><tr><th>change</th><th>check</th><th>before → after</th></tr></thead><tbody>${changes.join('\n')}</tbody></table>`
      : ''
  }${drift.length ? `<table id="drift-table"><thead><tr><th>schema</th><th>members appeared</th><th>members vanished</th></tr></thead><tbody>${drift.join('\n')}</tbody></table>` : ''}${c.note ? `<p class="small">${h(c.note)}</p>` : ''}`;
}

export function renderHtmlSummary(results: readonly CaseResult[], meta: RunMeta, opts: SummaryOptions = {}): string {
  const total = countVerdicts(results);
  const result = runOutcome(results, meta);
  const cleanup = cleanupLine(meta.cleanup);
  const ev = opts.evidence ?? {};
  const metaRows = metaProperties(meta).map(([k, v]) => `<tr><th>${h(k)}</th><td>${/^https?:\/\//.test(v) ? `<a href="${h(v)}">${h(v)}</a>` : h(v)}</td></tr>`);
  const counts = VERDICTS.map((v) => `<div class="count"><b class="v-${v === 'n/a' ? 'na' : v}" data-verdict="${h(v)}">${total[v]}</b>${h(v)}</div>`).join('');
  const areaRows = byArea(results).map(([area, rs]) => {
    const k = countVerdicts(rs);
    return `<tr><td>${h(area)}</td>${VERDICTS.map((v) => `<td class="n">${k[v]}</td>`).join('')}<td class="n">${k.total}</td></tr>`;
  });
  const sorted = [...results].sort((a, b) => (a.requirements[0] ?? '~').localeCompare(b.requirements[0] ?? '~') || a.caseId.localeCompare(b.caseId));
  const checkRows = sorted.map((r) => {
    const link = evidenceLinks(r, ev[r.caseId]);
    return `<tr class="r-${r.verdict === 'n/a' ? 'na' : r.verdict}" data-case-id="${h(r.caseId)}" data-verdict="${h(r.verdict)}" data-area="${h(r.area)}" data-severity="${h(r.severity)}" data-requirements="${h(r.requirements.join(' '))}"><td><code>${h(r.caseId)}</code></td><td>${h(r.title)}</td><td>${r.requirements.map((x) => `<code>${h(x)}</code>`).join('<br>') || '—'} <span class="small">${h(r.level)}</span></td><td>${h(r.severity)}</td><td>${verdictCell(r.verdict)}</td><td class="msg">${h(shortMessage(r.message, 400))}</td><td>${link}</td></tr>`;
  });
  const reqMap = new Map<string, CaseResult[]>();
  for (const r of results) for (const id of r.requirements) reqMap.set(id, [...(reqMap.get(id) ?? []), r]);
  const reqRows = [...reqMap.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, rs]) => {
      const levels = [...new Set(rs.map((r) => r.level))].join('/');
      return `<tr><td><code>${h(id)}</code></td><td>${requirementSource(id)}</td><td>${h(levels)}</td><td class="n">${rs.length}</td><td>${verdictCell(worst(rs.map((r) => r.verdict)))}</td><td>${rs.map((r) => `<code>${h(r.caseId)}</code>`).join(', ')}</td></tr>`;
    });
  const devs = withVerdict(results, 'deviation').concat(results.filter((r) => r.ledger?.stale && r.verdict !== 'deviation'));
  const devRows = devs.map(
    (r) =>
      `<tr><td><code>${h(r.caseId)}</code></td><td class="msg">${h(shortMessage(r.message, 400))}</td><td>${h(r.ledger?.reason ?? '?')}</td><td>${h(r.ledger?.owner ?? '?')}</td><td>${h(r.ledger?.reviewBy ?? '?')}${r.ledger?.overdue ? ' <b class="v-fail">overdue</b>' : ''}${r.ledger?.stale ? ' <b class="v-warn">stale</b>' : ''}</td></tr>`,
  );
  const fs = findings(results);
  const findingRows = fs.map((x) => `<tr><td><code>${h(x.id)}</code></td><td>${h(x.message)}</td><td><code>${h(x.caseId)}</code></td></tr>`);
  const na = naReasons(results).map(([reason, n]) => `<tr><td class="n">${n}</td><td>${h(reason)}</td></tr>`);
  const filters = filterControls(results);
  const section = (title: string, id: string, head: string[], rows: string[], empty: string) =>
    `<h2 id="${id}">${h(title)}</h2>${rows.length ? `<table id="${id}-table"><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>` : `<p class="small">${h(empty)}</p>`}`;

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>PlaceOS auth contract — ${h(result)} — ${h(meta.runId)}</title>
<style>${CSS}${filters.css}</style></head>
<body>
<h1>PlaceOS auth contract report <span class="outcome ${h(result.split(' — ')[0]!.replace(' ', '-'))}" id="outcome">${h(result)}</span></h1>
${[
  ...(meta.incomplete
    ? [`<p class="warning" role="alert" id="incomplete"><b>INCOMPLETE — ${h(meta.incomplete)}</b>: the checks that did not run or were cut are errors.</p>`]
    : []),
  ...(meta.warnings ?? []).map((w) => `<p class="warning" role="alert"><b>WARNING:</b> ${h(w)}</p>`),
  ...(cleanup ? [`<p class="small" id="cleanup">Cleanup: ${h(cleanup)}</p>`] : []),
  '',
].join(
  '\n',
)}<div class="small" id="run-line">${h(targetLine(meta))} · ${h(meta.startedAt)} → ${h(meta.endedAt)} (${h(duration(meta))}) · <span id="strict">strict ${meta.strict ? 'on' : 'off'}</span>${meta.ledger ? ` · <span id="ledger">ledger ${h(meta.ledger)}</span>` : ''}${meta.selection ? ` · selection: ${h(meta.selection)}` : ''}</div>
<div class="counts" id="counts">${counts}<div class="count"><b>${total.total}</b>total</div></div>
${attentionSection(results, opts.comparison, ev, meta)}
${comparisonSection(opts.comparison)}
${section('Verdicts by area', 'areas', ['area', ...VERDICTS, 'total'], areaRows, 'No checks ran.')}
${filters.form}
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
