// Post-processes jest-junit's XML: per-check properties, verdicts (n/a → skipped, error →
// <error>), failure message attributes, evidence attachments, run properties per suite, suite
// timestamps with a zone, unique classname+name pairs. Parsing with fast-xml-parser (order kept);
// serialising with the small writer below so escaping is under our control.
//
// Schema notes (Jenkins xunit junit-10.xsd / Ant junit-4.xsd): <testsuites> may hold only
// <testsuite> elements and name/time/tests/failures/errors; run properties therefore go on each
// <testsuite>. Testcase <properties> are outside those XSDs (GitLab ignores them, the Jenkins JUnit
// plugin reads them); `testcaseProperties: false` (env PLACEOS_JUNIT_TESTCASE_PROPERTIES=0) leaves
// them out — the same facts are always repeated as text in the testcase's <system-out>.
import * as fs from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { CaseResult } from '../../helpers/model';
import { hasZone, isoWithOffset, metaProperties, type RunMeta } from './meta';
import { shortMessage } from './results';

type Attrs = Record<string, string>;
/** fast-xml-parser preserveOrder node: `{ tag: children, ':@'?: attrs }` or `{ '#text': s }`. */
type XNode = Record<string, unknown>;

export interface JunitOptions {
  /** Prefix for [[ATTACHMENT|…]] paths (GitLab: `reports/`); default '' (relative to reportsDir). */
  attachmentPrefix?: string;
  /** Write <properties> inside <testcase> (default true). */
  testcaseProperties?: boolean;
  /** More run properties for each <testsuite> (e.g. the baseline comparison). */
  runProperties?: [string, string][];
  /** More properties per check id (e.g. `baseline_change`). */
  caseProperties?: Record<string, [string, string][]>;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});

// ---------------------------------------------------------------------------------------------
// tiny tree helpers

function tagOf(n: XNode): string | undefined {
  return Object.keys(n).find((k) => k !== ':@');
}
function kids(n: XNode): XNode[] {
  const t = tagOf(n);
  return t && Array.isArray(n[t]) ? (n[t] as XNode[]) : [];
}
function attrs(n: XNode): Attrs {
  if (!n[':@']) n[':@'] = {};
  return n[':@'] as Attrs;
}
function el(tag: string, a?: Attrs, children: XNode[] = []): XNode {
  const n: XNode = { [tag]: children };
  if (a && Object.keys(a).length) n[':@'] = a;
  return n;
}
function text(s: string): XNode {
  return { '#text': s };
}
function prop(name: string, value: string): XNode {
  return el('property', { name, value });
}
function textContent(n: XNode): string {
  return kids(n)
    .map((c) => (typeof c['#text'] === 'string' ? c['#text'] : tagOf(c) === '#cdata' ? textContent(c) : ''))
    .join('');
}

// ---------------------------------------------------------------------------------------------
// serialiser

// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
export function escapeXml(s: string, attr = false): string {
  const t = s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return attr ? t.replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;') : t;
}

function serialise(nodes: XNode[], depth: number): string {
  const pad = '  '.repeat(depth);
  let out = '';
  for (const n of nodes) {
    if (typeof n['#text'] === 'string') {
      out += escapeXml(n['#text']);
      continue;
    }
    const tag = tagOf(n);
    if (!tag) continue;
    if (tag === '?xml') {
      out += '<?xml version="1.0" encoding="UTF-8"?>\n';
      continue;
    }
    if (tag === '#comment') continue;
    if (tag === '#cdata') {
      out += `<![CDATA[${textContent(n).replace(INVALID_XML, '').split(']]>').join(']]]]><![CDATA[>')}]]>`;
      continue;
    }
    const a = Object.entries((n[':@'] as Attrs | undefined) ?? {})
      .map(([k, v]) => ` ${k}="${escapeXml(String(v), true)}"`)
      .join('');
    const children = kids(n);
    if (!children.length) {
      out += `${pad}<${tag}${a}/>\n`;
    } else if (children.every((c) => typeof c['#text'] === 'string' || tagOf(c) === '#cdata')) {
      out += `${pad}<${tag}${a}>${serialise(children, 0)}</${tag}>\n`;
    } else {
      const inner = children.filter((c) => !(typeof c['#text'] === 'string' && !c['#text'].trim()));
      out += `${pad}<${tag}${a}>\n${serialise(inner, depth + 1)}${pad}</${tag}>\n`;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// enrichment

/** `oauth.token.pkce [oauth.token.pkce-plain]` → `oauth.token.pkce-plain`. */
export function caseIdFromName(name: string): string | undefined {
  return /\[([^\][]+)\]\s*$/.exec(name)?.[1];
}

function requirementTag(r: CaseResult): string {
  return r.requirements.length ? `[${r.requirements.join(', ')}] ` : '';
}

function verdictLine(r: CaseResult): string {
  const base = `verdict: ${r.verdict} · ${r.level} · severity ${r.severity} · requirements ${r.requirements.join(', ') || '-'} · generation ${r.generation}`;
  switch (r.verdict) {
    case 'warn':
      return `${base}\nWARN: ${r.level}-level check did not hold (passes unless strict): ${shortMessage(r.message, 500)}`;
    case 'deviation':
      return `${base}\nDEVIATION (expected, ledger ${r.ledger?.check ?? '?'}; owner ${r.ledger?.owner ?? '?'}; review by ${r.ledger?.reviewBy ?? '?'}${r.ledger?.overdue ? '; OVERDUE' : ''})\nOBSERVED: ${shortMessage(r.message, 500)}\nLEDGER REASON: ${r.ledger?.reason ?? '?'}`;
    case 'n/a':
      return `${base}\nNOT APPLICABLE: ${shortMessage(r.message, 500)}`;
    default:
      return r.message && r.verdict !== 'pass' ? `${base}\n${r.verdict.toUpperCase()}: ${shortMessage(r.message, 500)}` : base;
  }
}

function caseProperties(r: CaseResult, evidencePath: string | undefined): XNode[] {
  const p: XNode[] = r.requirements.map((id) => prop('requirement', id));
  p.push(prop('requirements', r.requirements.join(',')), prop('level', r.level), prop('severity', r.severity));
  p.push(prop('verdict', r.verdict), prop('generation', r.generation), prop('check_id', r.caseId));
  if (r.tags.length) p.push(prop('tags', r.tags.join(',')));
  if (evidencePath) p.push(prop('evidence', evidencePath));
  if (r.ledger) {
    p.push(prop('ledger_check', r.ledger.check), prop('ledger_owner', r.ledger.owner), prop('ledger_review_by', r.ledger.reviewBy));
    if (r.verdict === 'deviation') p.push(prop('ledger_observed', r.ledger.observed.actual));
  }
  for (const f of r.findings) p.push(prop('finding', f.id));
  return p;
}

const CASE_CHILD_ORDER = ['properties', 'skipped', 'error', 'failure', 'system-out', 'system-err'];

interface Counts {
  failures: number;
  errors: number;
  skipped: number;
}

function enrichTestcase(tc: XNode, r: CaseResult | undefined, evidencePath: string | undefined, o: Required<JunitOptions>, delta: Counts): void {
  const children = kids(tc).filter((c) => !(typeof c['#text'] === 'string'));
  const find = (t: string) => children.filter((c) => tagOf(c) === t);
  const wasSkipped = find('skipped').length > 0;
  const failed = find('failure').length + find('error').length > 0;
  const rest = children.filter((c) => !['properties', 'system-out'].includes(tagOf(c) ?? ''));
  const oldProps = find('properties').flatMap(kids);
  const oldOut = find('system-out').map(textContent).filter(Boolean);
  const outLines: string[] = [...oldOut];

  if (r) {
    if (r.verdict === 'n/a' && !wasSkipped) {
      rest.push(el('skipped', { message: `n/a: ${shortMessage(r.message, 300) || 'not applicable'}` }));
      delta.skipped++;
    }
    if ((r.verdict === 'fail' || r.verdict === 'error') && !failed) {
      // The check failed but jest passed it: make the JUnit agree with the verdict.
      rest.push(el('failure', {}, [text(r.message ?? 'failed')]));
      delta.failures++;
    }
    // Failing testcases (fail, error, and warn in strict mode) get a one-line message attribute.
    for (const f of rest.filter((c) => tagOf(c) === 'failure' || tagOf(c) === 'error')) {
      const a = attrs(f);
      a.message = `${requirementTag(r)}${shortMessage(r.message) || `check ${r.verdict}`}`;
      a.type = r.verdict === 'error' ? 'CheckError' : `ContractViolation.${r.level}`;
      if (r.verdict === 'error' && tagOf(f) === 'failure') {
        // Could not be checked: an <error>, not a <failure>.
        f.error = f.failure;
        delete f.failure;
        delta.failures--;
        delta.errors++;
      }
    }
    outLines.push(verdictLine(r));
  }
  if (evidencePath) outLines.push(`[[ATTACHMENT|${o.attachmentPrefix}${evidencePath}]]`);

  const out: XNode[] = [];
  const extra = r ? (o.caseProperties[r.caseId] ?? []).map(([k, v]) => prop(k, v)) : [];
  if (o.testcaseProperties && (r || oldProps.length))
    out.push(el('properties', undefined, [...oldProps, ...(r ? caseProperties(r, evidencePath) : []), ...extra]));
  out.push(...rest);
  if (outLines.length) out.push(el('system-out', undefined, [text(outLines.join('\n'))]));
  out.sort((a, b) => CASE_CHILD_ORDER.indexOf(tagOf(a) ?? '') - CASE_CHILD_ORDER.indexOf(tagOf(b) ?? ''));
  tc.testcase = out;
}

/** Converts jest-junit's zone-less UTC suite timestamp to ISO 8601 with an explicit offset. */
export function zonedTimestamp(ts: string | undefined, fallback: string): string {
  if (!ts) return fallback;
  if (hasZone(ts)) return ts;
  const d = new Date(`${ts}Z`);
  return Number.isNaN(d.getTime()) ? fallback : isoWithOffset(d);
}

/**
 * Pure form of enrichJunit: jest-junit XML in, enriched XML out.
 * Throws when the input is not a jest-junit <testsuites> document.
 */
export function enrichJunitXml(
  xml: string,
  results: readonly CaseResult[],
  meta: RunMeta,
  evidence: Record<string, string>,
  options: JunitOptions = {},
): string {
  const o: Required<JunitOptions> = {
    attachmentPrefix: options.attachmentPrefix ?? '',
    testcaseProperties: options.testcaseProperties ?? true,
    runProperties: options.runProperties ?? [],
    caseProperties: options.caseProperties ?? {},
  };
  const doc = parser.parse(xml) as XNode[];
  const root = doc.find((n) => tagOf(n) === 'testsuites');
  if (!root) throw new Error('enrichJunit: no <testsuites> element (is this a jest-junit file?)');
  const byId = new Map(results.map((r) => [r.caseId, r]));
  const byTitle = new Map(results.map((r) => [`${r.area}\u0000${r.title}`, r]));
  const runProps = [...metaProperties(meta), ...o.runProperties].map(([k, v]) => prop(k, v));
  const seen = new Set<string>();
  const total: Counts = { failures: 0, errors: 0, skipped: 0 };
  let tests = 0;

  const suites = kids(root).filter((n) => tagOf(n) === 'testsuite');
  for (const suite of suites) {
    const delta: Counts = { failures: 0, errors: 0, skipped: 0 };
    for (const tc of kids(suite).filter((n) => tagOf(n) === 'testcase')) {
      const a = attrs(tc);
      const name = a.name ?? '';
      const classname = a.classname ?? '';
      const r = byId.get(caseIdFromName(name) ?? '') ?? byTitle.get(`${classname}\u0000${name}`);
      enrichTestcase(tc, r, r ? evidence[r.caseId] : undefined, o, delta);
      // GitLab keeps only the first of duplicate classname+name pairs: make every pair unique.
      let unique = name;
      for (let i = 2; seen.has(`${classname}\u0000${unique}`); i++) unique = `${name} (${i})`;
      seen.add(`${classname}\u0000${unique}`);
      a.name = unique;
    }
    const sa = attrs(suite);
    const num = (k: string) => Number(sa[k] ?? 0) || 0;
    sa.failures = String(num('failures') + delta.failures);
    sa.errors = String(num('errors') + delta.errors);
    sa.skipped = String(num('skipped') + delta.skipped);
    sa.timestamp = zonedTimestamp(sa.timestamp, meta.startedAt);
    total.failures += Number(sa.failures);
    total.errors += Number(sa.errors);
    tests += num('tests');
    // Run properties first (XSD order), after any jest-junit suite properties.
    const existing = kids(suite)
      .filter((n) => tagOf(n) === 'properties')
      .flatMap(kids);
    const others = kids(suite).filter((n) => tagOf(n) !== 'properties' && typeof n['#text'] !== 'string');
    suite.testsuite = [el('properties', undefined, [...existing, ...runProps.map((p) => structuredClone(p))]), ...others];
  }
  const ra = attrs(root);
  ra.tests = String(tests);
  ra.failures = String(total.failures);
  ra.errors = String(total.errors);
  assertUniqueCases(doc);
  return serialise(doc, 0);
}

/** Throws when two testcases share classname+name (GitLab would silently drop one). */
function assertUniqueCases(doc: XNode[]): void {
  const seen = new Set<string>();
  const walk = (nodes: XNode[]) => {
    for (const n of nodes) {
      if (tagOf(n) === 'testcase') {
        const a = attrs(n);
        const k = `${a.classname ?? ''}\u0000${a.name ?? ''}`;
        if (seen.has(k)) throw new Error(`enrichJunit: duplicate testcase ${a.classname} / ${a.name}`);
        seen.add(k);
      } else if (tagOf(n) && tagOf(n) !== '#text') walk(kids(n));
    }
  };
  walk(doc);
}

/** Rewrites the jest-junit file at junitPath in place (see enrichJunitXml). */
export function enrichJunit(
  junitPath: string,
  results: readonly CaseResult[],
  meta: RunMeta,
  evidence: Record<string, string>,
  options: JunitOptions = {},
): void {
  const xml = fs.readFileSync(junitPath, 'utf8');
  fs.writeFileSync(junitPath, enrichJunitXml(xml, results, meta, evidence, options));
}
