// Per-check evidence: the (already masked) CaseResult with its HTTP exchanges as JSON, a readable
// transcript next to it and, for a fail or error, its reproduce line as a script. Rendering is
// pure; writeEvidence only writes the files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaseResult, Exchange } from '../../helpers/model';
import { safeId } from './results';

export const EVIDENCE_DIR = 'evidence';
const MAX_BODY = 64 * 1024;

/**
 * The body exactly as recorded (masked in the worker). Not re-serialised: evidence keeps the bytes
 * that came, and re-encoding JSON could turn an escaped form the mask did not know (`\u0026`)
 * into a literal one.
 */
function body(text: string | undefined): string {
  if (text === undefined || text === '') return '(no body)';
  const t = text;
  return t.length > MAX_BODY ? `${t.slice(0, MAX_BODY)}\n… (${t.length - MAX_BODY} more characters not shown; see the .json evidence)` : t;
}

function headerLines(prefix: string, headers: Record<string, string | string[]> | undefined): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    for (const one of Array.isArray(v) ? v : [v]) out.push(`${prefix}${k}: ${one}`);
  }
  return out;
}

export function renderExchange(x: Exchange, index: number, total: number): string {
  const lines = [
    `--- exchange ${index + 1}/${total} · journey "${x.journey}" · attempt ${x.attempt} · started ${x.startedAt} · ${x.durationMs} ms`,
    `> ${x.method.toUpperCase()} ${x.url}`,
    ...headerLines('> ', x.requestHeaders),
    '>',
    ...body(x.requestBody)
      .split('\n')
      .map((l) => `> ${l}`),
  ];
  if (x.error) lines.push(`! transport error: ${x.error}`);
  if (x.status !== undefined) {
    lines.push(
      `< ${x.status}`,
      ...headerLines('< ', x.responseHeaders),
      '<',
      ...body(x.responseBody)
        .split('\n')
        .map((l) => `< ${l}`),
    );
  } else if (!x.error) {
    lines.push('< (no response)');
  }
  return lines.join('\n');
}

/** The human transcript of one check (all text is taken as already masked). */
export function renderTranscript(r: CaseResult): string {
  const head = [
    `Check:        ${r.title} [${r.caseId}]`,
    `Area:         ${r.area}`,
    `Requirements: ${r.requirements.join(', ') || '(none)'} (${r.level})`,
    `Severity:     ${r.severity}`,
    `Verdict:      ${r.verdict}`,
    `Generation:   ${r.generation}`,
    `Started:      ${r.startedAt} (${r.durationMs} ms)`,
  ];
  if (r.message) head.push(`Message:      ${r.message.split('\n').join('\n              ')}`);
  if (r.ledger) {
    head.push(
      `Ledger:       ${r.ledger.check}: ${r.ledger.reason} (owner ${r.ledger.owner}, review by ${r.ledger.reviewBy}${r.ledger.overdue ? ', OVERDUE' : ''}${r.ledger.stale ? ', STALE' : ''})`,
    );
  }
  for (const f of r.findings) head.push(`Finding:      ${f.id}: ${f.message}`);
  if (r.reproduce) head.push('Reproduce:', ...r.reproduce.split('\n').map((l) => `  ${l}`));
  head.push(`Exchanges:    ${r.exchanges.length}`, '');
  const xs = r.exchanges.map((x, i) => renderExchange(x, i, r.exchanges.length));
  return `${[...head, ...xs].join('\n')}\n`;
}

/** The JSON evidence document of one check. */
export function evidenceDocument(r: CaseResult): object {
  return {
    caseId: r.caseId,
    title: r.title,
    area: r.area,
    requirements: r.requirements,
    level: r.level,
    severity: r.severity,
    tags: r.tags,
    generation: r.generation,
    verdict: r.verdict,
    message: r.message,
    ledger: r.ledger,
    findings: r.findings,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    reproduce: r.reproduce,
    exchanges: r.exchanges,
  };
}

/** The reproduce script of a check's evidence (evidence/<safe id>.reproduce.sh), from its .json path. */
export function reproducePath(evidenceJson: string): string {
  return evidenceJson.replace(/\.json$/, '.reproduce.sh');
}

/** Writes evidence/<safe id>.json and .txt; returns the .json path relative to reportsDir. */
export function writeEvidence(reportsDir: string, r: CaseResult): string {
  const dir = path.join(reportsDir, EVIDENCE_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const base = safeId(r.caseId);
  fs.writeFileSync(path.join(dir, `${base}.json`), `${JSON.stringify(evidenceDocument(r), null, 2)}\n`);
  fs.writeFileSync(path.join(dir, `${base}.txt`), renderTranscript(r));
  if (r.reproduce) fs.writeFileSync(path.join(dir, `${base}.reproduce.sh`), `#!/bin/sh\n# ${r.caseId}: ${r.verdict}\n${r.reproduce}\n`);
  return `${EVIDENCE_DIR}/${base}.json`;
}
