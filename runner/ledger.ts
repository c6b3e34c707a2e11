// The deviation ledger: expected departures from a standard, per generation, each with a reason,
// an owner and a review-by date. An entry excuses one observation of one check (a status, a
// header value, an error code…), never the whole check: when the check fails with exactly that
// observation it is a `deviation`; any other failure of the check still fails. A listed check that
// passes is reported (someone fixed it, or the deployment is stronger: update the ledger); an
// entry past its review date warns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Observation } from '../helpers/case';
import type { Generation } from '../helpers/model';
import { GENERATIONS } from '../helpers/model';
import { PACKAGE_ROOT } from '../helpers/package-root';
import { closest } from '../helpers/settings/text';

/**
 * The observation an entry excuses, compared with the Observation a failing check carries: every
 * field the entry gives must be equal; `actual` is required.
 */
export interface ExcusedObservation {
  /** What was compared (`status`, `oauth-error`, `www-authenticate.scheme`…), as helpers/assert.ts names it. */
  code?: string;
  /** The step of the check. */
  step?: string;
  expected?: string;
  /** What came: `200`, `Bearer`, `invalid_token`, `7200`… */
  actual: string;
}

export interface LedgerEntry {
  /** Case id (`security.pkce-wrong-verifier`). */
  check: string;
  /** The one observation of that check the entry excuses. */
  observed: ExcusedObservation;
  reason: string;
  owner: string;
  /** YYYY-MM-DD. */
  reviewBy: string;
  /** Where the deviation is documented (contract doc section, issue...). */
  source?: string;
}

export interface Ledger {
  version: number;
  generation: Generation;
  /** File the ledger came from, for messages. */
  file: string;
  entries: LedgerEntry[];
}

export class LedgerError extends Error {
  override name = 'LedgerError';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const OBSERVATION_KEYS: readonly string[] = ['code', 'step', 'expected', 'actual'];

/** Where JSON.parse gives up: the longest prefix that is only unfinished (not wrong) ends there. */
export function syntaxErrorAt(text: string): number {
  const unfinished = (p: number): boolean => {
    try {
      JSON.parse(text.slice(0, p));
      return true;
    } catch (e) {
      const m = /at position (\d+)/.exec((e as Error).message);
      return /Unexpected end of JSON input/.test((e as Error).message) || (m !== null && Number(m[1]) >= p);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (unfinished(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

export function parseLedger(text: string, file: string): Ledger {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const { line, column } = lineColumn(text, syntaxErrorAt(text));
    // V8 quotes the whole text in some messages: keep the reason only, on one line.
    const reason = (e as Error).message
      .replace(/, ".*$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/\r?\n/g, '\\n');
    throw new LedgerError(`${file}:${line}:${column}: the ledger is not valid JSON (${reason}); fix it there`);
  }
  const problems: string[] = [];
  const o = raw as Partial<Ledger> & { entries?: unknown };
  if (typeof o !== 'object' || o === null) throw new LedgerError(`${file}: expected an object with version, generation, entries`);
  if (typeof o.version !== 'number') problems.push('version: expected a number');
  if (!GENERATIONS.includes(o.generation as Generation))
    problems.push(`generation: expected one of ${GENERATIONS.join(', ')}, got ${JSON.stringify(o.generation)}`);
  if (!Array.isArray(o.entries)) problems.push('entries: expected an array');
  const entries = (Array.isArray(o.entries) ? o.entries : []) as Partial<LedgerEntry>[];
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    for (const k of ['check', 'reason', 'owner', 'reviewBy'] as const) {
      if (typeof e[k] !== 'string' || e[k] === '') problems.push(`entries[${i}].${k}: expected a non-empty string`);
    }
    if (typeof e.reviewBy === 'string' && !DATE.test(e.reviewBy))
      problems.push(`entries[${i}].reviewBy: expected YYYY-MM-DD, got ${JSON.stringify(e.reviewBy)}`);
    const o = e.observed as Partial<Record<string, unknown>> | undefined;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      problems.push(
        `entries[${i}].observed: expected the observation the entry excuses, {"code"?, "step"?, "expected"?, "actual"} (an entry excuses one observation, not a whole check)`,
      );
    } else {
      if (typeof o.actual !== 'string' || o.actual === '')
        problems.push(`entries[${i}].observed.actual: expected a non-empty string (what the check saw: a status, a header value, an error code…)`);
      for (const k of Object.keys(o)) {
        if (!OBSERVATION_KEYS.includes(k)) problems.push(`entries[${i}].observed.${k}: unknown field (expected ${OBSERVATION_KEYS.join(', ')})`);
        else if (typeof o[k] !== 'string') problems.push(`entries[${i}].observed.${k}: expected a string`);
      }
    }
    if (typeof e.check === 'string' && o && typeof o === 'object') {
      const key = `${e.check} ${JSON.stringify(OBSERVATION_KEYS.map((k) => o[k] ?? null))}`;
      if (seen.has(key)) problems.push(`entries[${i}]: ${e.check} with this observation is listed twice`);
      seen.add(key);
    }
  });
  if (problems.length) throw new LedgerError(`${file}: ${problems.join('; ')}`);
  return { version: o.version as number, generation: o.generation as Generation, file, entries: entries as LedgerEntry[] };
}

/** The ledger shipped for a generation (`ledger/<generation>.json`), or a user's file. */
export function loadLedger(generation: Generation, file?: string): Ledger {
  const f = file ?? path.resolve(PACKAGE_ROOT, 'ledger', `${generation}.json`);
  let text: string;
  try {
    text = fs.readFileSync(f, 'utf8');
  } catch {
    throw new LedgerError(`cannot read the deviation ledger ${f} (PLACEOS_LEDGER / --ledger)`);
  }
  const ledger = parseLedger(text, f);
  if (ledger.generation !== generation) {
    throw new LedgerError(`${f} is the ledger of ${ledger.generation}, but the deployment is ${generation}`);
  }
  return ledger;
}

/** A ledger entry must name a check of the catalogue: an unknown id is a typo that would excuse nothing, silently. */
export function checkLedgerIds(ledger: Ledger, knownIds: readonly string[]): void {
  const known = new Set(knownIds);
  const unknown = [...new Set(ledger.entries.map((e) => e.check).filter((id) => !known.has(id)))];
  if (!unknown.length) return;
  const named = unknown.map((id) => {
    const near = closest(id, knownIds);
    return `'${id}'${near ? ` (did you mean ${near}?)` : ''}`;
  });
  throw new LedgerError(
    `${ledger.file}: ${unknown.length === 1 ? 'an entry names a check' : `${unknown.length} entries name checks`} that does not exist: ${named.join(', ')}; fix the id or remove the entry (see --list)`,
  );
}

/** The ledger a run used, as its reports name it. */
export function ledgerShown(choice: { kind: 'default' | 'none' | 'file'; from?: string }, ledger: Ledger): string {
  if (choice.kind === 'none') return 'none (--no-ledger)';
  const rel = path.relative(PACKAGE_ROOT, ledger.file);
  const shown = rel.startsWith('..') || path.isAbsolute(rel) ? ledger.file : rel;
  return choice.kind === 'file' ? `${ledger.file} (${choice.from ?? '--ledger'})` : `${shown} (shipped for ${ledger.generation})`;
}

export function emptyLedger(generation: Generation): Ledger {
  return { version: 1, generation, file: '(none)', entries: [] };
}

/** Every entry of a check (a check may have several, one per excused observation). */
export function ledgerEntries(ledger: Ledger, caseId: string): LedgerEntry[] {
  return ledger.entries.filter((e) => e.check === caseId);
}

/** Does the entry excuse this observation? Every field the entry gives must be equal. */
export function excuses(entry: LedgerEntry, observation: Observation | undefined): boolean {
  if (!observation) return false;
  return (['code', 'step', 'expected', 'actual'] as const).every((k) => entry.observed[k] === undefined || entry.observed[k] === observation[k]);
}

/** The entry of this check that excuses exactly this observation, if any. */
export function ledgerEntry(ledger: Ledger, caseId: string, observation: Observation | undefined): LedgerEntry | undefined {
  return ledgerEntries(ledger, caseId).find((e) => excuses(e, observation));
}

/** An observation as one line: `status 200`, `www-authenticate.scheme Bearer (expected Basic)`. */
export function describeObservation(o: { code?: string; step?: string; expected?: string; actual?: string }): string {
  const what = [o.step, o.code].filter(Boolean).join(': ');
  const exp = o.expected !== undefined ? ` (expected ${o.expected})` : '';
  return `${what ? `${what} ` : ''}${o.actual ?? '?'}${exp}`;
}

export function isOverdue(entry: LedgerEntry, today: Date): boolean {
  return entry.reviewBy < today.toISOString().slice(0, 10);
}
