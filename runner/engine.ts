// Runs the selected cases against one target in this process and turns what happened into
// Verdicts: the command (runner/run.ts), the kill matrix and the Doorkeeper leg all run here. The
// run's environment is runner/run-env.ts; the revocation of what its checks minted, runner/cleanup.ts.
import type { CaseContext, ContractCase, Observation } from '../helpers/case';
import { isContractViolation, isNotApplicable, isPreconditionFailed, NotApplicable } from '../helpers/case';
import type { ContractViolation } from '../helpers/case';
import type { TargetSettings } from '../helpers/config';
import type { HttpClient } from '../helpers/http';
import { createHttpClient, TransportError } from '../helpers/http';
import { describeObservation, isOverdue, ledgerEntries, ledgerEntry } from './ledger';
import type { LedgerEntry } from './ledger';
import type { CaseResult, Exchange, Finding, Verdict } from '../helpers/model';
import type { SecretRegistry } from '../helpers/secrets';
import { mapPool } from './pool';
import { reproduceFor } from './report/reproduce';
import { recordingRegistry, type Shapes } from './report/shapes';
import { caseSecrets, type MintedToken, type RunEnv } from './run-env';
import { revokeMinted } from './cleanup';
import { notApplicableReason } from './select';

type Outcome =
  | { kind: 'ok' }
  | { kind: 'violation'; message: string; observation: Observation }
  | { kind: 'na'; reason: string }
  | { kind: 'error'; message: string };

/** The violation as one line; assertion helpers that already say "expected X, got Y" are not repeated. */
export function violationText(e: ContractViolation): string {
  if (e.expected === undefined && e.actual === undefined) return e.message;
  if (/\bexpected\b.*\bgot\b/.test(e.message)) return e.message;
  return `${e.message}: expected ${e.expected ?? '?'}, got ${e.actual ?? '?'}`;
}

async function outcomeOf(c: ContractCase, t: CaseContext): Promise<Outcome> {
  try {
    await c.run(t);
    return { kind: 'ok' };
  } catch (e) {
    if (isNotApplicable(e)) return { kind: 'na', reason: e.message };
    if (isContractViolation(e)) return { kind: 'violation', message: violationText(e), observation: e.observation };
    if (e instanceof TransportError || isPreconditionFailed(e)) return { kind: 'error', message: e.message };
    return { kind: 'error', message: `the check itself failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

type Judged = Pick<CaseResult, 'verdict' | 'message' | 'ledger' | 'observation'>;

function ledgerRecord(e: LedgerEntry): NonNullable<CaseResult['ledger']> {
  return { check: e.check, observed: e.observed, reason: e.reason, owner: e.owner, reviewBy: e.reviewBy };
}

/**
 * The verdict. A ledger entry excuses exactly the observation it names: the same check failing
 * with anything else still fails (or warns, below MUST); a check that passes while the ledger
 * lists it warns (stale entry: the deployment no longer deviates, or is stronger).
 */
function verdictOf(run: RunEnv, c: ContractCase, o: Outcome): Judged {
  const entries = ledgerEntries(run.ledger, c.id);
  switch (o.kind) {
    case 'na':
      return { verdict: 'n/a', message: o.reason };
    case 'error':
      return { verdict: 'error', message: o.message };
    case 'ok':
      if (entries.length) {
        return {
          verdict: 'warn',
          message: `the ledger (${run.ledger.file}) excuses ${entries.map((e) => describeObservation(e.observed)).join('; ')}, but the check now passes: the deviation no longer happens, update the ledger`,
          ledger: { ...ledgerRecord(entries[0]!), stale: true },
        };
      }
      return { verdict: 'pass' };
    case 'violation': {
      const observation = o.observation;
      const entry = ledgerEntry(run.ledger, c.id, observation);
      if (entry) {
        const ledger = ledgerRecord(entry);
        if (isOverdue(entry, run.today)) {
          return {
            verdict: 'warn',
            message: `${o.message} (expected deviation, but its review date ${entry.reviewBy} has passed: review it)`,
            observation,
            ledger: { ...ledger, overdue: true },
          };
        }
        return { verdict: 'deviation', message: o.message, observation, ledger };
      }
      const verdict = c.level === 'MUST' ? 'fail' : 'warn';
      if (entries.length) {
        // The ledger excuses another observation of this check: this one is not excused.
        const excused = entries.map((e) => describeObservation(e.observed)).join('; ');
        return {
          verdict,
          message: `${o.message} (not the deviation the ledger excuses for this check: ${excused})`,
          observation,
          ledger: { ...ledgerRecord(entries[0]!), unmatched: true },
        };
      }
      return { verdict, message: o.message, observation };
    }
  }
}

/**
 * What a read-only run never sends: these change the deployment beyond the run's own tokens
 * (signin bumps login_count and last_login, logout ends every session of the account, an SSO
 * callback creates or updates the user).
 */
export const READONLY_REFUSED: readonly { method: string; path: RegExp; why: string }[] = [
  { method: 'POST', path: /^\/auth\/signin$/, why: 'signs in (login_count, last_login)' },
  { method: 'GET', path: /^\/auth\/logout$/, why: 'logs out (every session and earlier token of the account)' },
  { method: 'GET', path: /^\/auth\/(oauth2|adfs|saml|ldap)$/, why: 'starts an SSO login (the callback creates or updates the user)' },
  { method: '*', path: /^\/auth\/[^/]+\/callback/, why: 'completes an SSO login (creates or updates the user)' },
];

/** A client that turns a request READONLY_REFUSED into `n/a` for the case. */
function readonlyGuard(client: HttpClient): HttpClient {
  const check = (method: string, pathOrUrl: string) => {
    const path = new URL(pathOrUrl, client.baseUrl).pathname;
    const hit = READONLY_REFUSED.find((r) => (r.method === '*' || r.method === method.toUpperCase()) && r.path.test(path));
    if (hit) throw new NotApplicable(`read-only run: the check ${hit.why} with ${method.toUpperCase()} ${path}`);
  };
  const guarded: HttpClient = {
    baseUrl: client.baseUrl,
    jar: client.jar,
    request: (method, p, o) => (check(method, p), client.request(method, p, o)),
    get: (p, o) => (check('GET', p), client.get(p, o)),
    post: (p, o) => (check('POST', p), client.post(p, o)),
    withBaseUrl: (url, journey) => readonlyGuard(client.withBaseUrl(url, journey)),
  };
  return guarded;
}

/** The context a case (or a probe such as generation detection) runs with. */
export function createCaseContext(
  run: RunEnv,
  exchanges: Exchange[],
  findings: Finding[],
  secrets: SecretRegistry = caseSecrets(run),
  shapes?: Shapes,
  /** Where the tokens the case mints go (default: the run's cleanup queue, at once). */
  minted: Pick<MintedToken[], 'push'> = run.minted,
  /** The check, for --verbose. */
  caseId = '(run)',
): CaseContext {
  // Every request of the case queues by when the case began: a journey under way goes first.
  const priority = Date.now();
  return {
    settings: run.settings,
    generation: run.generation,
    contract: run.contract,
    secrets,
    schemas: shapes ? recordingRegistry(run.schemas, shapes) : run.schemas,
    client(journey = 'main'): HttpClient {
      const client = createHttpClient({
        baseUrl: run.settings.url,
        settings: run.settings,
        journey,
        secrets,
        budget: run.budget,
        gate: run.gate,
        priority,
        onExchange: (x) => {
          exchanges.push(x);
          run.onExchange?.(x, caseId);
        },
        ...(run.onRetry ? { onRetry: run.onRetry } : {}),
      });
      return run.readonly ? readonlyGuard(client) : client;
    },
    minted(token) {
      secrets.add(token.accessToken, 'access_token');
      secrets.add(token.refreshToken, 'refresh_token');
      minted.push({ ...token, baseUrl: run.settings.url });
    },
    finding(id, message) {
      findings.push({ id, message: secrets.mask(message) });
    },
    notApplicable(reason): never {
      throw new NotApplicable(reason);
    },
  };
}

/** What a result says of its check, before the verdict. */
function resultBase(run: RunEnv, area: string, c: ContractCase, startedAt: Date, exchanges: Exchange[] = [], findings: Finding[] = []) {
  return {
    caseId: c.id,
    area,
    title: c.title,
    requirements: c.requirements,
    level: c.level,
    severity: c.severity,
    tags: c.tags,
    generation: run.generation,
    findings,
    exchanges,
    startedAt: startedAt.toISOString(),
  };
}

export async function executeCase(run: RunEnv, area: string, c: ContractCase, signal?: AbortSignal): Promise<CaseResult> {
  const startedAt = new Date();
  const exchanges: Exchange[] = [];
  const findings: Finding[] = [];
  const base = resultBase(run, area, c, startedAt, exchanges, findings);
  const na = notApplicableReason(run, c);
  if (na) return { ...base, verdict: 'n/a', message: na, durationMs: 0 };

  const shapes: Shapes = {};
  // The case's tokens join the run's cleanup queue only once the case has ended: a revocation
  // while the case still uses them would decide its verdict.
  const held: MintedToken[] = [];
  let sink = held;
  const minted = { push: (...xs: MintedToken[]) => sink.push(...xs) };
  // Interrupted: the run revokes at once and may not wait for the case to end, so its tokens
  // join the cleanup queue now, and any it mints later go there directly.
  const interrupted = () => {
    run.minted.push(...held.splice(0));
    sink = run.minted;
  };
  if (signal?.aborted) interrupted();
  else signal?.addEventListener('abort', interrupted, { once: true });
  const t = createCaseContext(run, exchanges, findings, undefined, shapes, minted, c.id);
  const outcome = await outcomeOf(c, t);
  signal?.removeEventListener('abort', interrupted);
  run.minted.push(...held.splice(0));
  const v = verdictOf(run, c, outcome);
  // A secret can be registered after an exchange that carried it was recorded (a plain PKCE
  // challenge is the verifier; a code is known only once the redirect came back): mask the whole
  // record again now that the case is over and every secret it met is registered.
  const result = maskDeep(t.secrets, {
    ...base,
    ...v,
    ...(Object.keys(shapes).length ? { shapes } : {}),
    durationMs: Date.now() - startedAt.getTime(),
  });
  // Built from the masked exchanges: it names variables, never values.
  const reproduce = reproduceFor(result.verdict, result.exchanges, run.secrets.sources());
  return reproduce ? { ...result, reproduce: t.secrets.mask(reproduce) } : result;
}

/** Every string inside a value, masked. */
export function maskDeep<T>(secrets: SecretRegistry, value: T): T {
  if (typeof value === 'string') return secrets.mask(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(secrets, v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(secrets, v)])) as T;
  }
  return value;
}

/** Does this verdict break the build? */
export function isBreaking(v: Verdict, strict: boolean): boolean {
  return v === 'fail' || v === 'error' || (strict && v === 'warn');
}

export interface RunCasesOptions {
  /** Checks in flight at once (default PLACEOS_CONCURRENCY); requests are bounded by the run's gate. */
  concurrency?: number;
  /** Called as each result comes in (progress lines). */
  onResult?: (r: CaseResult) => void;
  /** A check still running after this long is an `error` (a stuck check; default from the settings). */
  caseTimeoutMs?: number;
  /**
   * Revoke each case's tokens as soon as the case ends, while the others run (a live run: gentle,
   * and the revocations overlap the checks instead of following them); `run.cleanup` counts them.
   */
  revoke?: boolean;
  /**
   * --bail: after a result for which this answers a reason, no further check starts; each check
   * not started is `n/a` with that reason (checks under way finish).
   */
  stopAfter?: (r: CaseResult) => string | undefined;
  /**
   * The run was told to stop (its reason: a string such as "interrupted by SIGTERM"): no further
   * check starts; those under way get `graceMs` (default 2 s) to end (the gate refuses their
   * further requests), then are cut. Checks that did not run or were cut are `error`s saying so;
   * the caller revokes what was minted (run.minted), within its own bound.
   */
  signal?: AbortSignal;
  graceMs?: number;
}

/** The reason an AbortSignal carries (the entry point aborts with a string). */
export function stopReason(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'the run was stopped';
}

/** How long a check may run: every request has its own timeout and bounded retries; this only catches a stuck check. */
export function caseTimeoutMs(s: TargetSettings): number {
  return Math.max(60_000, s.timeoutMs * (s.retries + 1) * 12);
}

async function withTimeout(run: RunEnv, area: string, c: ContractCase, ms: number, signal?: AbortSignal): Promise<CaseResult> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<CaseResult>((resolve) => {
    timer = setTimeout(() => {
      const message = `the check did not end within ${Math.round(ms / 1000)} s (every request has its own timeout: the check itself is stuck)`;
      resolve({ ...resultBase(run, area, c, new Date(Date.now() - ms)), verdict: 'error', message, durationMs: ms });
    }, ms);
  });
  try {
    return await Promise.race([executeCase(run, area, c, signal), stuck]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every selected check of every area in this process, `concurrency` checks at a time; the run's
 * gate bounds the requests in flight. Checks that wait on purpose start first, so their waits
 * overlap the others' work. Results keep the catalogue order.
 */
export async function runCases(
  run: RunEnv,
  suites: readonly { area: string; cases: readonly ContractCase[] }[],
  o: RunCasesOptions = {},
): Promise<CaseResult[]> {
  const jobs = suites.flatMap((s) => s.cases.map((c) => ({ area: s.area, c })));
  const order = [...jobs.keys()].sort((a, b) => Number(!!jobs[b]!.c.waits) - Number(!!jobs[a]!.c.waits));
  const timeout = o.caseTimeoutMs ?? caseTimeoutMs(run.settings);
  const results: CaseResult[] = new Array(jobs.length);
  const cleanups: Promise<unknown>[] = [];
  const signal = o.signal;
  const started = new Set<number>();
  let over = false;
  // --bail: once set, no further check starts; the rest are n/a saying why.
  let stopped: string | undefined;
  const pool = mapPool(order, o.concurrency ?? run.settings.concurrency, async (i) => {
    if (signal?.aborted) return;
    const { area, c } = jobs[i]!;
    if (stopped === undefined) started.add(i);
    const r: CaseResult =
      stopped === undefined
        ? await withTimeout(run, area, c, timeout, signal)
        : { ...resultBase(run, area, c, new Date()), verdict: 'n/a', message: `not run: ${stopped}`, durationMs: 0 };
    // A check cut by an interrupt may still end later: its result no longer goes anywhere.
    if (over) return;
    results[i] = r;
    if (stopped === undefined && o.stopAfter) stopped = o.stopAfter(r);
    o.onResult?.(r);
    if (o.revoke && !signal?.aborted) cleanups.push(revokeMinted(run));
  });
  if (!signal) await pool;
  else await Promise.race([pool, graceAfter(signal, o.graceMs ?? 2000)]);
  over = true;
  if (signal?.aborted) {
    const reason = stopReason(signal);
    for (const [i, { area, c }] of jobs.entries()) {
      if (results[i]) continue;
      const message = started.has(i) ? `cut: ${reason} while the check ran` : `not run: ${reason}`;
      results[i] = { ...resultBase(run, area, c, new Date()), verdict: 'error', message, durationMs: 0 };
    }
    return results;
  }
  await Promise.all(cleanups);
  if (o.revoke) await revokeMinted(run);
  return results;
}

/** Resolves `ms` after the signal aborts (never, when it does not). */
function graceAfter(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const go = () => setTimeout(resolve, ms);
    if (signal.aborted) go();
    else signal.addEventListener('abort', go, { once: true });
  });
}
