// What a check is (ContractCase) and what it is given when it runs (CaseContext).
// A spec file is a table of ContractCase rows; the engine (runner/engine.ts) runs a row and
// turns its outcome into a Verdict.
import type { Generation, Level, SettingName, Severity, Tag } from './model';
import type { TargetSettings } from './config';
import type { GenerationContract } from './generations';
import type { HttpClient } from './http';
import type { SecretRegistry } from './secrets';
import type { SchemaRegistry } from './schemas';

/** One table of checks: an area and its rows (specs/<area>/<area>.cases.ts). */
export interface Suite {
  area: string;
  cases: readonly ContractCase[];
}

export interface ContractCase {
  /** Stable and unique across the suite, `<area>.<name>` (kebab-case): the ledger and selection use it. */
  id: string;
  /** What is checked, as a sentence a reviewer can hold against the contract doc. */
  title: string;
  /** Requirement IDs from helpers/requirements.ts (`RFC6749-5.1`, `PLACEOS-DOC-PASSWORD-GRANT`...). */
  requirements: string[];
  level: Level;
  /** Chosen here, where the check is used, not inside reusable assertion code. */
  severity: Severity;
  tags: Tag[];
  /** Generations the case applies to; omitted = all. Others get `n/a` with the reason. */
  generations?: readonly Generation[];
  /** Settings the case needs; when one is missing the case is `n/a` naming it. */
  needs?: readonly SettingName[];
  /**
   * The check waits on purpose (a code lifetime, a refresh grace window): the runner starts it
   * before the others, so the wait overlaps their work instead of lengthening the run.
   */
  waits?: true;
  run(t: CaseContext): Promise<void>;
}

/**
 * What a failing check saw, structured so that a ledger entry can name exactly the observation it
 * excuses (runner/ledger.ts) and reports can show it. Never a secret: statuses, header values of
 * non-credential headers, error codes, counts.
 */
export interface Observation {
  /** What was compared, stable across wording changes (`status`, `oauth-error`, `www-authenticate.error`…); set by helpers/assert.ts. */
  code?: string;
  /** The step of the check the observation was made in, when the check names it (`replay`, `second refresh`). */
  step?: string;
  expected?: string;
  /** What came. */
  actual?: string;
}

/** A case-level failure: what was expected and what came. Thrown by helpers/assert.ts. */
export class ContractViolation extends Error {
  override name = 'ContractViolation';
  /** Stable across messages and observations (as jose's errors carry `code`). */
  readonly code = 'ERR_CONTRACT_VIOLATION';
  constructor(
    message: string,
    readonly expected?: string,
    readonly actual?: string,
    /** See Observation.code and Observation.step. */
    readonly where: { code?: string; step?: string } = {},
  ) {
    super(message);
  }

  get observation(): Observation {
    const o: Observation = { ...this.where, expected: this.expected, actual: this.actual };
    for (const k of Object.keys(o) as (keyof Observation)[]) if (o[k] === undefined) delete o[k];
    return o;
  }
}

/**
 * A step the check builds on (signin, minting a token, getting a code) did not work, so the check
 * itself could not be made: verdict `error`, never excused by the ledger as a `deviation`.
 */
export class PreconditionFailed extends Error {
  override name = 'PreconditionFailed';
  readonly code = 'ERR_PRECONDITION_FAILED';
}

/** Run a setup step: a ContractViolation inside it means the check could not be made. */
export async function setup<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isContractViolation(e)) {
      const detail = e.expected !== undefined || e.actual !== undefined ? `: expected ${e.expected ?? '?'}, got ${e.actual ?? '?'}` : '';
      throw new PreconditionFailed(`${step} failed, so the check could not be made: ${e.message}${detail}`);
    }
    throw e;
  }
}

/** Thrown by `t.notApplicable(reason)`: the case cannot apply to this deployment. */
export class NotApplicable extends Error {
  override name = 'NotApplicable';
  readonly code = 'ERR_NOT_APPLICABLE';
}

// A case's outcome is recognised by its error's `code`, never by class identity: a user's table
// may load its own copy of the kit (placeos-auth-contract/kit), whose classes are not these.
const hasCode = (e: unknown, code: string): boolean => !!e && typeof e === 'object' && (e as { code?: unknown }).code === code;
export const isContractViolation = (e: unknown): e is ContractViolation => hasCode(e, 'ERR_CONTRACT_VIOLATION') && e instanceof Error;
export const isPreconditionFailed = (e: unknown): e is PreconditionFailed => hasCode(e, 'ERR_PRECONDITION_FAILED') && e instanceof Error;
export const isNotApplicable = (e: unknown): e is NotApplicable => hasCode(e, 'ERR_NOT_APPLICABLE') && e instanceof Error;

/** Everything a case may use. One context per case execution; nothing is shared through modules. */
export interface CaseContext {
  readonly settings: TargetSettings;
  readonly generation: Generation;
  /** What this generation's contract says (one place: helpers/generations.ts). */
  readonly contract: GenerationContract;
  /** A fresh HTTP client with its own cookie jar, recording its exchanges as this case's evidence. */
  client(journey?: string): HttpClient;
  /** Registers secrets so they are masked everywhere and scanned for in artifacts. */
  readonly secrets: SecretRegistry;
  /** JSON Schemas of every response shape, compiled once per run. */
  readonly schemas: SchemaRegistry;
  /** Remember a token this run minted so the run revokes it at the end. */
  minted(token: { accessToken?: string; refreshToken?: string; clientId?: string; clientSecret?: string }): void;
  /** Record a doc-versus-deployment difference (named, e.g. `DOC-PASSWORD-SERVICE-ONLY`). */
  finding(id: string, message: string): void;
  /** Abort the case as `n/a` with a reason. */
  notApplicable(reason: string): never;
}
