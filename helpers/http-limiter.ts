// The one bound on requests in flight of a run, shared by every client of the run. Additive
// increase, multiplicative decrease: a slow answer, a 429, a 503 or a timeout halves the bound, a quick answer raises it back by about one
// per round. Retry-After pauses every request. It also keeps the latency samples of the run, the
// run's request budget, and counts answers slower than the overload threshold: past a few of them
// the deployment is overloaded and every later request of the checks is refused with one line
// saying so. The revocations of the run's tokens still go after that, one at a time with backoff
// (and after an interrupt: the run's AbortSignal refuses the checks' requests, not the cleanup's).

/** What became of one request that held a permit. */
export interface RequestOutcome {
  latencyMs: number;
  /** HTTP status, when an answer came. */
  status?: number;
  /** No answer within the request's timeout. */
  timedOut?: boolean;
  /** The server's Retry-After (ms) on a 429 / 503. */
  retryAfterMs?: number;
}

export interface Permit {
  /** Give the permit back; without an outcome (the request was never sent) nothing is recorded. */
  release(outcome?: RequestOutcome): void;
}

/** `check`: a request of the checks (counts against the run's budget); `cleanup`: a revocation. */
export type PermitKind = 'check' | 'cleanup';

/** Where a client asks before each request (AimdLimiter: the run's one bound). */
export interface RequestGate {
  /**
   * Resolves when the request may go; rejects with GateRefusal when it never may. Waiting
   * requests go in `priority` order (lower first; default: now): a journey's start time, so a
   * journey under way finishes before new ones start (a code must be redeemed within its lifetime).
   */
  acquire(kind?: PermitKind, priority?: number): Promise<Permit>;
}

/** The gate refused a request for good: the deployment is overloaded or the budget is spent. */
export class GateRefusal extends Error {
  override name = 'GateRefusal';
  constructor(
    message: string,
    readonly code: 'OVERLOAD' | 'BUDGET' | 'STOPPED',
  ) {
    super(message);
  }
}

export interface LimiterOptions {
  /** Most requests in flight at once (PLACEOS_CONCURRENCY). */
  max: number;
  /** Per-request timeout (PLACEOS_TIMEOUT_MS): the slow and overload thresholds derive from it. */
  timeoutMs: number;
  /** The run's request budget (PLACEOS_MAX_REQUESTS); cleanup requests do not count. */
  maxRequests?: number;
  /** Answers slower than timeoutMs × OVERLOAD_FRACTION (or none) before the run stops (default 5). */
  overloadAfter?: number;
  /**
   * The run was told to stop (SIGINT/SIGTERM at the entry point): from then on every request of
   * the checks is refused with the signal's reason (a string); revocations still go.
   */
  signal?: AbortSignal;
  /** How long revocations still go after the overload stop (default CLEANUP_AFTER_OVERLOAD_MS). */
  cleanupAfterOverloadMs?: number;
}

export interface LatencyStats {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface LimiterStats {
  /** The configured bound. */
  max: number;
  /** The lowest bound the run throttled itself down to. */
  lowest: number;
  /** True when the run lowered its bound or paused for a Retry-After. */
  throttled: boolean;
  /** Requests that took a permit and counted against the budget. */
  used: number;
  latency?: LatencyStats;
  /** The overload line, when the run stopped because of it. */
  overloaded?: string;
}

/** An answer slower than this share of the timeout is "slow": the bound halves. */
export const SLOW_FRACTION = 0.25;
/** An answer slower than this share of the timeout (or none at all) counts toward overload. */
export const OVERLOAD_FRACTION = 0.5;
/** How long the revocations of the run's tokens still go after the overload stop, one at a time with backoff. */
const CLEANUP_AFTER_OVERLOAD_MS = 15_000;
/** Longest pause for one Retry-After, whatever the server asks. */
export const MAX_PAUSE_MS = 10_000;

export function overloadLine(count: number, thresholdMs: number): string {
  return `the deployment answered ${count} requests slower than ${thresholdMs} ms; lower PLACEOS_CONCURRENCY or raise PLACEOS_TIMEOUT_MS`;
}

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

interface Waiter {
  priority: number;
  kind: PermitKind;
  resolve(p: Permit): void;
  reject(e: Error): void;
}

/**
 * The run's one bound on requests in flight, from its settings (PLACEOS_CONCURRENCY,
 * PLACEOS_TIMEOUT_MS, PLACEOS_MAX_REQUESTS): the one place it is built from them.
 */
export function limiterFor(s: { concurrency: number; timeoutMs: number; maxRequests?: number }, signal?: AbortSignal): AimdLimiter {
  return new AimdLimiter({
    max: s.concurrency,
    timeoutMs: s.timeoutMs,
    ...(s.maxRequests !== undefined ? { maxRequests: s.maxRequests } : {}),
    ...(signal ? { signal } : {}),
  });
}

export class AimdLimiter implements RequestGate {
  readonly #o: Required<Omit<LimiterOptions, 'maxRequests' | 'signal'>> & { maxRequests?: number };
  #limit: number;
  #lowest: number;
  #inFlight = 0;
  #queue: Waiter[] = [];
  #pauseUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Bumped on each decrease: a permit granted before it saw the old bound. */
  #round = 0;
  #samples: number[] = [];
  #throttled = false;
  #slow = 0;
  #used = 0;
  #overloaded: string | undefined;
  #stopped: string | undefined;
  /** Cleanup answers that struggled since the overload stop: the backoff doubles with each. */
  #backoffs = 0;
  /** After the overload stop: when the revocations stop too. */
  #cleanupUntil = Infinity;

  constructor(o: LimiterOptions) {
    const { signal, ...rest } = o;
    this.#o = { overloadAfter: 5, cleanupAfterOverloadMs: CLEANUP_AFTER_OVERLOAD_MS, ...rest, max: Math.max(1, Math.floor(o.max)) };
    this.#limit = this.#o.max;
    this.#lowest = this.#o.max;
    if (signal) {
      const stop = () => this.#stop(typeof signal.reason === 'string' ? signal.reason : 'the run was stopped');
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    }
  }

  #stop(reason: string): void {
    this.#stopped = `${reason}: no further request of the checks is sent`;
    this.#refuseChecks(new GateRefusal(this.#stopped, 'STOPPED'));
  }

  /** Refuse the waiting requests of the checks; the revocations waiting keep their place. */
  #refuseChecks(e: GateRefusal): void {
    const keep: Waiter[] = [];
    for (const w of this.#queue.splice(0)) {
      if (w.kind === 'check') w.reject(e);
      else keep.push(w);
    }
    this.#queue.push(...keep);
  }

  get slowMs(): number {
    return Math.round(this.#o.timeoutMs * SLOW_FRACTION);
  }

  get overloadMs(): number {
    return Math.round(this.#o.timeoutMs * OVERLOAD_FRACTION);
  }

  /** The current bound (whole requests). */
  get limit(): number {
    return Math.floor(this.#limit);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  acquire(kind: PermitKind = 'check', priority = Date.now()): Promise<Permit> {
    if (kind === 'check' && this.#overloaded) return Promise.reject(new GateRefusal(this.#overloaded, 'OVERLOAD'));
    if (this.#overloaded && Date.now() >= this.#cleanupUntil) return Promise.reject(this.#cleanupOver());
    if (kind === 'check' && this.#stopped) return Promise.reject(new GateRefusal(this.#stopped, 'STOPPED'));
    if (kind === 'check' && this.#o.maxRequests !== undefined) {
      if (this.#used >= this.#o.maxRequests) {
        return Promise.reject(new GateRefusal(`request budget of ${this.#o.maxRequests} exhausted (PLACEOS_MAX_REQUESTS)`, 'BUDGET'));
      }
    }
    if (kind === 'check') this.#used += 1;
    return new Promise((resolve, reject) => {
      // After every waiter of the same or an earlier priority (first come, first served among equals).
      let i = this.#queue.length;
      while (i > 0 && this.#queue[i - 1]!.priority > priority) i -= 1;
      this.#queue.splice(i, 0, { priority, kind, resolve, reject });
      this.#pump();
    });
  }

  stats(): LimiterStats {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const s: LimiterStats = { max: this.#o.max, lowest: this.#lowest, throttled: this.#throttled, used: this.#used };
    if (sorted.length) s.latency = { samples: sorted.length, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), maxMs: sorted[sorted.length - 1]! };
    if (this.#overloaded) s.overloaded = this.#overloaded;
    return s;
  }

  /** Stop any pending pause timer (the run is over). */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #cleanupOver(): GateRefusal {
    return new GateRefusal(`${this.#overloaded}; the revocations stopped ${Math.round(this.#o.cleanupAfterOverloadMs / 1000)} s after it`, 'OVERLOAD');
  }

  #pump(): void {
    if (this.#overloaded && Date.now() >= this.#cleanupUntil) {
      const e = this.#cleanupOver();
      for (const w of this.#queue.splice(0)) w.reject(e);
      return;
    }
    // A pause never outlasts the time left for the revocations (the waiters are refused then).
    const wait = Math.min(this.#pauseUntil, this.#cleanupUntil) - Date.now();
    if (wait > 0) {
      if (!this.#timer) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, wait);
        this.#timer.unref?.();
      }
      return;
    }
    // After the overload stop only revocations are left: one at a time.
    const bound = this.#overloaded ? 1 : this.limit;
    while (this.#queue.length && this.#inFlight < bound) {
      const w = this.#queue.shift()!;
      this.#inFlight += 1;
      w.resolve(this.#permit());
    }
  }

  #permit(): Permit {
    const round = this.#round;
    let done = false;
    return {
      release: (outcome) => {
        if (done) return;
        done = true;
        this.#inFlight -= 1;
        if (outcome) this.#record(outcome, round);
        this.#pump();
      },
    };
  }

  #record(o: RequestOutcome, round: number): void {
    const now = Date.now();
    this.#samples.push(Math.round(o.latencyMs));
    const struggling = o.timedOut === true || o.status === 429 || o.status === 503 || o.latencyMs > this.slowMs;
    if (struggling) {
      // One decrease per round: requests sent before the last decrease saw the old bound.
      if (round === this.#round) {
        this.#limit = Math.max(1, this.#limit / 2);
        this.#lowest = Math.min(this.#lowest, this.limit);
        this.#round += 1;
        this.#throttled = true;
      }
    } else if (this.#limit < this.#o.max) {
      this.#limit = Math.min(this.#o.max, this.#limit + 1 / this.#limit);
    }
    if (this.#overloaded && struggling) {
      // Backoff for the revocations after the overload stop: 0.5 s, 1 s, 2 s... (at most MAX_PAUSE_MS).
      this.#pauseUntil = Math.max(this.#pauseUntil, now + Math.min(500 * 2 ** this.#backoffs, MAX_PAUSE_MS));
      this.#backoffs += 1;
    }
    if (o.retryAfterMs !== undefined && o.retryAfterMs > 0) {
      this.#pauseUntil = Math.max(this.#pauseUntil, now + Math.min(o.retryAfterMs, MAX_PAUSE_MS));
      this.#throttled = true;
    }
    if (o.timedOut === true || o.latencyMs > this.overloadMs) {
      this.#slow += 1;
      if (this.#slow >= this.#o.overloadAfter && !this.#overloaded) {
        this.#overloaded = overloadLine(this.#slow, this.overloadMs);
        this.#cleanupUntil = now + this.#o.cleanupAfterOverloadMs;
        this.#refuseChecks(new GateRefusal(this.#overloaded, 'OVERLOAD'));
      }
    }
  }
}
