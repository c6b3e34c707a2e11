// The kill matrix: the whole suite against every mutant of every reference profile, in-process
// (targets on ephemeral ports, real HTTP, no jest start-up per run). A mutant is caught when the
// run has a `fail` on a check that carries the mutant's requirement; a benign mutant and the
// correct profiles must give no `fail` at all.
import { parseSettings } from '../helpers/config';
import { limiterFor } from '../helpers/http-limiter';
import { runCases } from './engine';
import { createRunEnv } from './run-env';
import { loadLedger } from './ledger';
import type { CaseResult, Generation, Verdict } from '../helpers/model';
import { createSchemaRegistry } from '../helpers/schemas';
import { createSecretRegistry } from '../helpers/secrets';
import { mapPool } from './pool';
import type { Suite } from '../specs';
import { SUITES } from '../specs';
import { MUTANTS } from '../reference/src';
import { startEmbeddedTarget } from './embedded';
import type { ProfileName, VariantName } from '../reference/src';
import { generateSigningKey, type KeyPair } from '../reference/src/signing-key';

/**
 * Checks a correct reference profile fails on purpose: the real service has the defect, the
 * profile keeps it, and a security defect is never a shipped ledger deviation (docs/ledger.md:
 * only a user's own ledger may accept the risk). The correct target must fail exactly these; for
 * its mutants they are the baseline: they neither catch a mutant nor flag a benign one.
 */
export const KNOWN_DEFECTS: Readonly<Partial<Record<ProfileName, readonly string[]>>> = {
  // auth.cr's continue filter passes /\host, which browsers follow to //host (an open redirect).
  authcr: ['security-redirect.continue-backslash'],
};

export interface MatrixRow {
  profile: ProfileName;
  /** undefined: the correct target. */
  mutant?: string;
  requirement?: string;
  benign: boolean;
  counts: Record<Verdict, number>;
  /** Checks that failed (id and requirements). */
  failing: { caseId: string; requirements: string[]; message?: string }[];
  errors: { caseId: string; message?: string }[];
  /** Failing checks that carry the mutant's requirement. */
  caughtBy: string[];
  /** KNOWN_DEFECTS of the profile that failed (as they must on the correct target). */
  knownDefects: string[];
  ok: boolean;
  /** Why the row is not ok. */
  problem?: string;
}

export interface RunOnceOptions {
  profile: ProfileName;
  /** How the profile is deployed (default: as PlaceOS ships). */
  variant?: VariantName;
  mutants?: string[];
  /** Hold the target to this generation's contract (default: the profile's own). */
  generation?: Generation;
  suites?: readonly Suite[];
  concurrency?: number;
  noLedger?: boolean;
  /** The target's signing pair (default: a fresh one); see matrixKeyPair. */
  keyPair?: KeyPair;
}

/**
 * One fresh RSA pair for all targets of a matrix: generating one costs ~0.25 s of CPU, an eighth of
 * a whole run. Each run still has a target of its own, and no check compares two targets' keys.
 * Never the published PlaceOS key (the mutant default-signing-key signs with that one itself).
 */
export function matrixKeyPair(): Promise<KeyPair> {
  return generateSigningKey();
}

/** One full suite run against a fresh reference target. */
export async function runAgainstReference(o: RunOnceOptions): Promise<CaseResult[]> {
  // Many targets in this process: in-process, sharing the loaded modules (see startEmbeddedTarget).
  const target = await startEmbeddedTarget({
    profile: o.profile,
    variant: o.variant,
    mutants: o.mutants,
    thread: false,
    ...(o.keyPair ? { keyPair: o.keyPair } : {}),
  });
  try {
    // Every check, the credentials-in-url ones too: the reference target's accounts are throwaway.
    const settings = parseSettings({ ...target.env, PLACEOS_CREDENTIALS_IN_URL: 'true' }, { embedded: true });
    const generation = o.generation ?? o.profile;
    const run = createRunEnv({
      settings,
      generation,
      ledger: o.noLedger ? { version: 1, generation, file: '(none)', entries: [] } : loadLedger(generation),
      secrets: createSecretRegistry(),
      schemas: createSchemaRegistry(),
      // In process, against a target of its own: as many requests in flight as journeys.
      gate: limiterFor({ ...settings, concurrency: o.concurrency ?? 8 }),
    });
    return await runCases(run, o.suites ?? SUITES, { concurrency: o.concurrency ?? 8 });
  } finally {
    await target.close();
  }
}

function count(results: CaseResult[]): Record<Verdict, number> {
  const c: Record<Verdict, number> = { pass: 0, fail: 0, warn: 0, deviation: 0, 'n/a': 0, error: 0 };
  for (const r of results) c[r.verdict]++;
  return c;
}

/**
 * `baselineWarnings`: checks that already warn on the correct target. A mutant that breaks a
 * SHOULD-level requirement is caught by a new `warn` (it fails the run under --strict).
 */
export function judgeRow(
  profile: ProfileName,
  mutant: (typeof MUTANTS)[number] | undefined,
  results: CaseResult[],
  baselineWarnings: ReadonlySet<string> = new Set(),
): MatrixRow {
  const known = new Set(KNOWN_DEFECTS[profile] ?? []);
  const knownDefects = results.filter((r) => r.verdict === 'fail' && known.has(r.caseId)).map((r) => r.caseId);
  const failing = results
    .filter((r) => r.verdict === 'fail' && !known.has(r.caseId))
    .map((r) => ({ caseId: r.caseId, requirements: r.requirements, message: r.message }));
  // A mutant may break a step other checks build on: those checks could not be made (an `error`
  // saying so), which is a fair outcome against a broken target. Any other error is a suite problem.
  const couldNotBeMade = (r: CaseResult) => !!mutant && /could not be made/.test(r.message ?? '');
  const errors = results.filter((r) => r.verdict === 'error' && !couldNotBeMade(r)).map((r) => ({ caseId: r.caseId, message: r.message }));
  const carries = (r: CaseResult) => !!mutant && r.requirements.includes(mutant.requirement);
  const caughtBy = [
    ...failing.filter((f) => !!mutant && f.requirements.includes(mutant.requirement)).map((f) => f.caseId),
    ...results.filter((r) => r.verdict === 'warn' && !baselineWarnings.has(r.caseId) && carries(r)).map((r) => `${r.caseId} (warn)`),
  ];
  const row: MatrixRow = {
    profile,
    mutant: mutant?.name,
    requirement: mutant?.requirement,
    benign: !!mutant?.benign,
    counts: count(results),
    failing,
    errors,
    caughtBy,
    knownDefects,
    ok: true,
  };
  const missingDefects = [...known].filter((id) => !knownDefects.includes(id));
  if (!mutant && missingDefects.length)
    return { ...row, ok: false, problem: `the known defect(s) ${missingDefects.join(', ')} of the ${profile} profile did not fail` };
  if (errors.length) return { ...row, ok: false, problem: `${errors.length} check(s) could not run: ${errors[0]!.caseId}: ${errors[0]!.message}` };
  if (!mutant || mutant.benign) {
    const flagged = [
      ...failing.map((f) => f.caseId),
      ...results.filter((r) => r.verdict === 'warn' && mutant && !baselineWarnings.has(r.caseId)).map((r) => `${r.caseId} (warn)`),
      // The shipped ledger must describe what the profile really does: an entry whose observation
      // did not happen (another one did) is a ledger error, also below MUST level.
      ...results.filter((r) => r.verdict === 'warn' && r.ledger?.unmatched).map((r) => `${r.caseId} (observed something else than its ledger entry)`),
    ];
    if (flagged.length) return { ...row, ok: false, problem: `${mutant ? 'benign mutant' : 'correct target'} flagged by ${flagged.join(', ')}` };
    return row;
  }
  if (!failing.length && !caughtBy.length) return { ...row, ok: false, problem: 'survived: no check failed' };
  if (!caughtBy.length) return { ...row, ok: false, problem: `failed only checks without ${mutant.requirement}: ${failing.map((f) => f.caseId).join(', ')}` };
  return row;
}

export function mutantsFor(profile: ProfileName): (typeof MUTANTS)[number][] {
  return MUTANTS.filter((m) => !m.profiles || m.profiles.includes(profile));
}

/** All rows for one profile: the correct target, then each applicable mutant, `parallel` at a time. */
export async function matrixForProfile(profile: ProfileName, parallel = 3): Promise<MatrixRow[]> {
  const keyPair = await matrixKeyPair();
  const baseline = await runAgainstReference({ profile, keyPair });
  const warnings = new Set(baseline.filter((r) => r.verdict === 'warn').map((r) => r.caseId));
  const rows = await mapPool(mutantsFor(profile), parallel, async (m) =>
    judgeRow(profile, m, await runAgainstReference({ profile, mutants: [m.name], keyPair }), warnings),
  );
  return [judgeRow(profile, undefined, baseline), ...rows];
}

export function renderMatrix(rows: MatrixRow[]): string {
  const head = '| profile | mutant | requirement | verdict | caught by |\n|---|---|---|---|---|';
  const body = rows.map((r) => {
    const verdict = r.ok ? (r.mutant && !r.benign ? 'killed' : 'clean') : `**${r.problem}**`;
    const by = r.caughtBy.length ? r.caughtBy.slice(0, 3).join(', ') + (r.caughtBy.length > 3 ? ` (+${r.caughtBy.length - 3})` : '') : '';
    return `| ${r.profile} | ${r.mutant ?? '(correct)'}${r.benign ? ' (benign)' : ''} | ${r.requirement ?? ''} | ${verdict} | ${by} |`;
  });
  return [head, ...body].join('\n');
}
