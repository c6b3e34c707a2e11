// The deviation ledger: expected departures from a standard, per generation, each with a reason,
// an owner and a review-by date. A listed check that fails is a `deviation`, not a `fail`; a
// listed check that passes is reported (someone fixed it: update the ledger); an entry past its
// review date warns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Generation } from '../helpers/model';
import { GENERATIONS } from '../helpers/model';

export interface LedgerEntry {
  /** Case id (`security.pkce-wrong-verifier`). */
  check: string;
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

export function parseLedger(text: string, file: string): Ledger {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new LedgerError(`${file}: expected JSON, got a parse error (${(e as Error).message})`);
  }
  const problems: string[] = [];
  const o = raw as Partial<Ledger> & { entries?: unknown };
  if (typeof o !== 'object' || o === null) throw new LedgerError(`${file}: expected an object with version, generation, entries`);
  if (typeof o.version !== 'number') problems.push('version: expected a number');
  if (!GENERATIONS.includes(o.generation as Generation)) problems.push(`generation: expected one of ${GENERATIONS.join(', ')}, got ${JSON.stringify(o.generation)}`);
  if (!Array.isArray(o.entries)) problems.push('entries: expected an array');
  const entries = (Array.isArray(o.entries) ? o.entries : []) as Partial<LedgerEntry>[];
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    for (const k of ['check', 'reason', 'owner', 'reviewBy'] as const) {
      if (typeof e[k] !== 'string' || e[k] === '') problems.push(`entries[${i}].${k}: expected a non-empty string`);
    }
    if (typeof e.reviewBy === 'string' && !DATE.test(e.reviewBy)) problems.push(`entries[${i}].reviewBy: expected YYYY-MM-DD, got ${JSON.stringify(e.reviewBy)}`);
    if (typeof e.check === 'string') {
      if (seen.has(e.check)) problems.push(`entries[${i}].check: ${e.check} is listed twice`);
      seen.add(e.check);
    }
  });
  if (problems.length) throw new LedgerError(`${file}: ${problems.join('; ')}`);
  return { version: o.version as number, generation: o.generation as Generation, file, entries: entries as LedgerEntry[] };
}

/** The ledger shipped for a generation (`ledger/<generation>.json`), or a user's file. */
export function loadLedger(generation: Generation, file?: string): Ledger {
  const f = file ?? path.resolve(__dirname, '..', 'ledger', `${generation}.json`);
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

export function emptyLedger(generation: Generation): Ledger {
  return { version: 1, generation, file: '(none)', entries: [] };
}

export function ledgerEntry(ledger: Ledger, caseId: string): LedgerEntry | undefined {
  return ledger.entries.find((e) => e.check === caseId);
}

export function isOverdue(entry: LedgerEntry, today: Date): boolean {
  return entry.reviewBy < today.toISOString().slice(0, 10);
}
