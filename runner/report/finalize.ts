// The end of a run: evidence → JUnit enrichment → summary.md → summary.html → results.json →
// secret scan of every file and the console text → manifest (+ signature).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaseResult } from '../../helpers/model';
import { scanForSecrets, type SecretFingerprint } from '../../helpers/secrets';
import { writeEvidence } from './evidence';
import { enrichJunit } from './junit';
import { listFiles, writeManifest } from './manifest';
import type { RunMeta } from './meta';
import { count, countVerdicts, overall } from './results';
import { compareWithBaseline, comparisonProperties, type Baseline, type Comparison } from './baseline';
import { mergeShapes } from './shapes';
import { renderConsoleSummary, renderHtmlSummary, renderMarkdownSummary } from './summary';

export const JUNIT_FILE = 'junit.xml';
export const SECRET_SCAN_FILE = 'secret-scan.json';
/** Name used for the console text in secret hits. */
export const CONSOLE = '<console>';

export interface SecretHit {
  /** Path relative to reportsDir, `<console>` or `$GITHUB_STEP_SUMMARY`. */
  file: string;
  kind: string;
  count: number;
}

/** Where the reports go and how they are written: resolved once by runner/config.ts. */
export interface ReportSettings {
  /** Absolute path of the reports folder. */
  dir: string;
  /** As the user gave it, for messages. */
  shownAs: string;
  signingKeyPem?: string;
  attachmentPrefix: string;
  testcaseProperties: boolean;
  /** $GITHUB_STEP_SUMMARY: the file the run appends its Markdown summary to. */
  githubStepSummary?: string;
  /** The CI system's run, job and commit (JUnit properties, summaries). */
  ci: Record<string, string>;
}

export interface FinalizeOptions {
  reportsDir: string;
  results: CaseResult[];
  meta: RunMeta;
  /** The reports' settings: signing key, JUnit options, $GITHUB_STEP_SUMMARY. */
  reports: Pick<ReportSettings, 'signingKeyPem' | 'attachmentPrefix' | 'testcaseProperties' | 'githubStepSummary'>;
  fingerprints: SecretFingerprint[];
  /** ANSI colours in the console text (default false). */
  color?: boolean;
  /**
   * Delete files in which a registered secret was found (default true), so that `when: always`
   * artifact uploads cannot publish it. `secret-scan.json` lists what was withheld.
   */
  quarantine?: boolean;
  /** Enrich junit.xml (default true); false for a JUnit that is enriched already (merged shards). */
  enrichJunit?: boolean;
  /** A previous run to compare with (--baseline). */
  baseline?: Baseline;
  /** Evidence files already written while the run went on (check id → path): not written again. */
  evidence?: Record<string, string>;
}

export interface FinalizeResult {
  console: string;
  /** Every file under reportsDir after finalisation, relative, sorted. */
  files: string[];
  secretHits: SecretHit[];
  comparison?: Comparison;
}

// -----------------------------------------------------------------------------------------------
// secret scanning: raw bytes (helpers/secrets scanForSecrets) plus a decoded view per format, so that a
// secret escaped by a renderer (XML/HTML entities, Markdown table escapes, JSON escapes) is found too.

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (m, e: string) => {
    const l = e.toLowerCase();
    if (l === 'amp') return '&';
    if (l === 'lt') return '<';
    if (l === 'gt') return '>';
    if (l === 'quot') return '"';
    if (l === 'apos') return "'";
    const cp = l.startsWith('#x') ? parseInt(l.slice(2), 16) : parseInt(l.slice(1), 10);
    return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

function jsonStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) jsonStrings(x, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      jsonStrings(x, out);
    }
}

/** Alternative readings of a file in which an escaped secret becomes literal again. */
export function decodedViews(file: string, text: string): string[] {
  const views: string[] = [];
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xml' || ext === '.html' || ext === '.htm' || ext === '.md') views.push(decodeEntities(text));
  if (ext === '.md') views.push(decodeEntities(text.replace(/\\([\\|`*_[\]<>#])/g, '$1')));
  if (ext === '.json' || ext === '.jsonl') {
    const strings: string[] = [];
    for (const chunk of ext === '.json' ? [text] : text.split('\n')) {
      try {
        jsonStrings(JSON.parse(chunk), strings);
      } catch {
        /* not JSON: raw scan only */
      }
    }
    views.push(strings.join('\n'));
  }
  return views.filter((v) => v !== text);
}

function countKinds(text: string | Buffer, fps: SecretFingerprint[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const h of scanForSecrets(text, fps)) m.set(h.kind, (m.get(h.kind) ?? 0) + 1);
  return m;
}

/** Scans every file under reportsDir (raw and decoded views). Hits never contain the secret. */
/** The line a secret found in a report artifact gets on the console (the file is withheld). */
export function secretLeakLine(h: SecretHit, shownAs: string): string {
  return `SECRET LEAK: ${count(h.count, `registered ${h.kind} value`)} found in ${path.join(shownAs, h.file)} (the file was withheld from the reports)`;
}

export function scanReports(reportsDir: string, fingerprints: SecretFingerprint[]): SecretHit[] {
  if (!fingerprints.length) return [];
  const hits = new Map<string, SecretHit>();
  const add = (file: string, kind: string, count: number) => {
    const k = `${file}\u0000${kind}`;
    const prev = hits.get(k);
    if (!prev) hits.set(k, { file, kind, count });
    else prev.count = Math.max(prev.count, count);
  };
  // Each file is read once: its raw bytes, then its decoded views.
  for (const rel of listFiles(reportsDir)) {
    const full = path.join(reportsDir, rel);
    if (!fs.lstatSync(full).isFile()) continue;
    const bytes = fs.readFileSync(full);
    for (const [kind, n] of countKinds(bytes, fingerprints)) add(rel, kind, n);
    for (const view of decodedViews(rel, bytes.toString('utf8'))) for (const [kind, n] of countKinds(view, fingerprints)) add(rel, kind, n);
  }
  return [...hits.values()].sort((a, b) => a.file.localeCompare(b.file) || a.kind.localeCompare(b.kind));
}

/** Scans a text the run is about to print: as it is, and with XML/HTML entities decoded. */
export function scanText(text: string, name: string, fingerprints: SecretFingerprint[]): SecretHit[] {
  if (!fingerprints.length) return [];
  const counts = countKinds(text, fingerprints);
  for (const [kind, n] of countKinds(decodeEntities(text), fingerprints)) counts.set(kind, Math.max(counts.get(kind) ?? 0, n));
  return [...counts.entries()].map(([kind, count]) => ({ file: name, kind, count }));
}

/** One line per hit, naming file, kind and count — never the secret. */
export function describeSecretHits(hits: readonly SecretHit[]): string {
  return hits.map((h) => `secret leak: ${h.count} × ${h.kind} in ${h.file}`).join('\n');
}

// -----------------------------------------------------------------------------------------------

export function finalizeReports(o: FinalizeOptions): FinalizeResult {
  const { reportsDir, results, meta, reports, fingerprints } = o;
  fs.mkdirSync(reportsDir, { recursive: true });

  // 1. evidence (the run writes each check's as it ends; the scan below covers them all)
  const evidence: Record<string, string> = { ...o.evidence };
  for (const r of results) evidence[r.caseId] ??= writeEvidence(reportsDir, r);

  const shapes = mergeShapes(results.map((r) => r.shapes));
  const comparison = o.baseline ? compareWithBaseline(results, shapes, o.baseline, meta.strict) : undefined;
  const caseProps: Record<string, [string, string][]> = {};
  for (const x of comparison?.changes ?? [])
    caseProps[x.caseId] = [
      ['baseline_change', x.regression ? 'regression' : x.change],
      ['baseline_verdict', x.before ?? '(absent)'],
    ];

  // 2. JUnit (written by jest-junit during the run; absent when jest did not get that far)
  // A JUnit that cannot be enriched is left as jest-junit wrote it: the scan and manifest must still run.
  const notes: string[] = [];
  const junitPath = path.join(reportsDir, JUNIT_FILE);
  if (o.enrichJunit === false) {
    // already enriched
  } else if (fs.existsSync(junitPath)) {
    try {
      enrichJunit(junitPath, results, meta, evidence, {
        attachmentPrefix: reports.attachmentPrefix,
        testcaseProperties: reports.testcaseProperties,
        runProperties: comparison ? comparisonProperties(comparison) : [],
        caseProperties: caseProps,
      });
    } catch (e) {
      notes.push(`${JUNIT_FILE} left unenriched: ${(e as Error).message}`);
    }
  } else {
    notes.push(`${JUNIT_FILE} not found (jest-junit did not write it)`);
  }

  // 3-5. summaries and the machine-readable results
  const markdown = renderMarkdownSummary(results, meta, { evidence, comparison });
  fs.writeFileSync(path.join(reportsDir, 'summary.md'), markdown);
  fs.writeFileSync(path.join(reportsDir, 'summary.html'), renderHtmlSummary(results, meta, { evidence, comparison }));
  const machine = {
    format: 'placeos-contract-results/1',
    outcome: meta.incomplete ? 'INCOMPLETE' : overall(results, meta.strict, meta.warnings),
    complete: !meta.incomplete,
    ...(meta.incomplete ? { reason: meta.incomplete } : {}),
    counts: countVerdicts(results),
    meta,
    evidence,
    shapes,
    ...(comparison ? { comparison } : {}),
    results,
  };
  fs.writeFileSync(path.join(reportsDir, 'results.json'), `${JSON.stringify(machine, null, 2)}\n`);

  // 7. secret scan: every file and the console text
  let consoleText = renderConsoleSummary(results, meta, { color: o.color ?? false, comparison }) + notes.map((n) => `note: ${n}\n`).join('');
  const fileHits = scanReports(reportsDir, fingerprints);
  const consoleHits = scanText(consoleText, CONSOLE, fingerprints);
  const secretHits = [...fileHits, ...consoleHits];
  const leaked = [...new Set(fileHits.map((h) => h.file))];
  if (o.quarantine ?? true) for (const f of leaked) fs.rmSync(path.join(reportsDir, f), { force: true });
  if (consoleHits.length) {
    consoleText = `Console summary withheld: it contained a registered secret (${consoleHits.map((h) => h.kind).join(', ')}).\n`;
  }
  if (secretHits.length)
    consoleText += `\nSECRET SCAN FAILED — registered secrets found in run output${(o.quarantine ?? true) ? ' (files withheld from the bundle)' : ''}:\n${describeSecretHits(secretHits)}\n`;
  const scanReport = {
    format: 'placeos-secret-scan/1',
    scannedFiles: listFiles(reportsDir).length + leaked.filter(() => o.quarantine ?? true).length,
    fingerprints: fingerprints.length,
    kinds: [...new Set(fingerprints.map((f) => f.kind))].sort(),
    hits: secretHits,
    withheld: (o.quarantine ?? true) ? leaked : [],
  };
  fs.writeFileSync(path.join(reportsDir, SECRET_SCAN_FILE), `${JSON.stringify(scanReport, null, 2)}\n`);

  // GitHub step summary only once the Markdown is known to be clean.
  if (reports.githubStepSummary && !leaked.includes('summary.md')) {
    try {
      fs.appendFileSync(reports.githubStepSummary, markdown);
    } catch (e) {
      consoleText += `\n(could not append to $GITHUB_STEP_SUMMARY: ${(e as Error).message})\n`;
    }
  }

  // 8. manifest (+ signature)
  writeManifest(reportsDir, reports.signingKeyPem ? { signingKeyPem: reports.signingKeyPem } : {});
  return { console: consoleText, files: listFiles(reportsDir), secretHits, comparison };
}
