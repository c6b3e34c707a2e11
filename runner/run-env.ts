// The run's environment: everything one run against one target needs, as a value (never module
// state): its settings, generation and ledger, the one bound on requests in flight, the request
// budget, the secrets, and the tokens its checks minted until they are revoked (runner/cleanup.ts).
import type { TargetSettings } from '../helpers/config';
import { settingsSecrets } from '../helpers/config';
import type { GenerationContract } from '../helpers/generations';
import { contractFor } from '../helpers/generations';
import type { RetryNotice } from '../helpers/http';
import { RequestBudget } from '../helpers/http';
import type { Ledger } from './ledger';
import type { Exchange, Generation } from '../helpers/model';
import type { SchemaRegistry } from '../helpers/schemas';
import type { RunSecretRegistry, SecretRegistry } from '../helpers/secrets';
import { createSecretRegistry } from '../helpers/secrets';
import type { RequestGate } from '../helpers/http-limiter';
import { limiterFor } from '../helpers/http-limiter';

export interface MintedToken {
  accessToken?: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  baseUrl: string;
}

/** Everything one run against one target needs, as a value (never module state). */
export interface RunEnv {
  settings: TargetSettings;
  generation: Generation;
  contract: GenerationContract;
  ledger: Ledger;
  strict: boolean;
  today: Date;
  secrets: RunSecretRegistry;
  schemas: SchemaRegistry;
  budget: RequestBudget;
  /** The run's one bound on requests in flight (AIMD), shared by every client of the run. */
  gate: RequestGate;
  /** Tokens of ended cases, not revoked yet. */
  minted: MintedToken[];
  /** Revocations of the run's tokens so far: accepted, and refused or failed. */
  cleanup: { revoked: number; failed: number };
  /** Refuse requests that change the deployment beyond the run's own tokens (Selection.readonly). */
  readonly: boolean;
  /** Every exchange of every check as it happens (masked already): --verbose. */
  onExchange?: (x: Exchange, caseId: string) => void;
  /** Told when a request that got no answer in time is tried again (createRunEnv's `notice`). */
  onRetry?: (notice: RetryNotice) => void;
}

export function createRunEnv(o: {
  settings: TargetSettings;
  generation: Generation;
  ledger: Ledger;
  strict?: boolean;
  today?: Date;
  secrets: RunSecretRegistry;
  schemas: SchemaRegistry;
  readonly?: boolean;
  gate?: RequestGate;
  onExchange?: RunEnv['onExchange'];
  /** Where the run says that a request got no answer in time and is tried again. */
  notice?: (line: string) => void;
}): RunEnv {
  const { settings } = o;
  for (const { value, kind, source } of settingsSecrets(settings)) o.secrets.add(value, kind, source);
  return {
    settings,
    generation: o.generation,
    contract: contractFor(o.generation),
    ledger: o.ledger,
    strict: o.strict ?? false,
    today: o.today ?? new Date(),
    secrets: o.secrets,
    schemas: o.schemas,
    budget: new RequestBudget(settings.maxRequests),
    gate: o.gate ?? limiterFor(settings),
    minted: [],
    cleanup: { revoked: 0, failed: 0 },
    readonly: o.readonly ?? false,
    ...(o.onExchange ? { onExchange: o.onExchange } : {}),
    ...(o.notice ? { onRetry: retryNotices(o.notice) } : {}),
  };
}

/** One line per silence and attempt (not one per request of a silent deployment). */
function retryNotices(notice: (line: string) => void): (n: RetryNotice) => void {
  const said = new Set<string>();
  return (n) => {
    const line = `${n.error.split(': ')[0]} yet: retrying (attempt ${n.attempt} of ${n.maxAttempts}; PLACEOS_TIMEOUT_MS and PLACEOS_RETRIES set how long)`;
    if (said.has(line)) return;
    said.add(line);
    notice(line);
  };
}

/**
 * A case's own secret registry: the configured secrets plus what this case meets. Masking with it
 * stays fast however many tokens the run mints; everything it registers also goes to the run's
 * registry, whose fingerprints the artifact scan uses, so a secret that crossed into another
 * case's evidence is still caught (exit 3).
 */
export function caseSecrets(run: RunEnv): SecretRegistry {
  const local = createSecretRegistry({ parent: run.secrets });
  for (const { value, kind, source } of settingsSecrets(run.settings)) local.add(value, kind, source);
  return local;
}
