// The vocabulary every part of the suite shares: generations, requirement levels, verdicts,
// cases (one named check each) and what a run records about them. Pure types and constants.

export const GENERATIONS = ['rails', 'rails-2023', 'authcr'] as const;
/** Contract doc §1: B = `rails` (PostgreSQL with PKCE columns), B-before-2026-06 = `rails-2023`, C = `authcr`. */
export type Generation = (typeof GENERATIONS)[number];

export type Level = 'MUST' | 'SHOULD' | 'MAY';
export type Severity = 'blocker' | 'high' | 'medium' | 'low' | 'info';

/**
 * pass: held. fail: a MUST-level check did not hold (breaks the build).
 * warn: a SHOULD/MAY-level check did not hold (breaks the build only in strict mode).
 * deviation: did not hold, but the deviation ledger lists it for this generation.
 * n/a: not applicable (generation lacks the feature, a setting is missing), with the reason.
 * error: the check could not be made (transport failure, unexpected exception in the suite).
 */
export type Verdict = 'pass' | 'fail' | 'warn' | 'deviation' | 'n/a' | 'error';

export const TAGS = ['smoke', 'security', 'readonly', 'mutating', 'session', 'concurrency', 'credentials-in-url'] as const;
export type Tag = (typeof TAGS)[number];

/** Names of optional settings a case may need; missing ones make the case `n/a`. */
export type SettingName =
  | 'service'
  | 'user'
  | 'clientSecret'
  | 'confidentialClient'
  | 'apiKey'
  | 'apiKeyExpired'
  | 'expiredToken'
  | 'jwtPublicKey'
  | 'jwtSigningKey'
  | 'ssoId'
  | 'ssoAccount'
  | 'otherAuthorityUrl'
  | 'scopedClient'
  | 'codeLifetime'
  | 'logoutAccount';

/** One HTTP exchange as recorded for evidence. Secrets are masked before this leaves the worker. */
export interface Exchange {
  journey: string;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string | string[]>;
  responseBody?: string;
  startedAt: string;
  durationMs: number;
  attempt: number;
  error?: string;
}

/** A difference between the public PlaceOS doc and what the deployment does (never silently picked). */
export interface Finding {
  id: string;
  message: string;
}

export interface CaseResult {
  caseId: string;
  area: string;
  title: string;
  requirements: string[];
  level: Level;
  severity: Severity;
  tags: Tag[];
  generation: Generation;
  verdict: Verdict;
  /** Why it failed / is n/a / is a deviation; masked. */
  message?: string;
  findings: Finding[];
  /** Members of every schema-validated response, per schema (JSON pointers, array items as `*`). */
  shapes?: Record<string, string[]>;
  /** What the check observed when it did not hold (helpers/case.ts Observation); masked. */
  observation?: { code?: string; step?: string; expected?: string; actual?: string };
  /**
   * Ledger entry of this check: the one that excused the observation (`deviation`), or one that
   * did not happen (`stale`: the check passed; `unmatched`: it failed with another observation).
   */
  ledger?: {
    check: string;
    /** The observation the entry excuses. */
    observed: { code?: string; step?: string; expected?: string; actual: string };
    reason: string;
    owner: string;
    reviewBy: string;
    stale?: boolean;
    overdue?: boolean;
    unmatched?: boolean;
  };
  exchanges: Exchange[];
  /** A fail or error: a curl command for its last exchange, secrets as shell variables (runner/report/reproduce.ts). */
  reproduce?: string;
  startedAt: string;
  durationMs: number;
}
