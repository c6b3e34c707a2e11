// Which generation is this deployment (contract doc §1)? Probes, in order of cost:
//   1. GET /auth/authority      — reachable, host is an authority, deployment version
//   2. GET /auth/healthz        — 200 only on auth.cr
//   3. expired API key (Rails, when PLACEOS_API_KEY_EXPIRED is set) — rest-api refusing it with
//      'API key has expired' came in June 2026 (models 050044f, rest-api f14c8f4), after the PKCE
//      migration: the deployment is rails, decided without looking at PKCE at all. Only a refusal
//      decides; an accepted key leaves the question to the PKCE probe.
//   4. PKCE probe (Rails only)  — signin, authorize with an S256 challenge, redeem with a WRONG
//      verifier: a token means PKCE is silently ignored (before the 2026-06 migration). The
//      probe's token, if any, is revoked with the rest of the run's tokens.
//   5. without an account and without PLACEOS_GENERATION the run stops (exit 2).
// Nothing may excuse the behaviour that decided how it is judged: when rails-2023 was inferred
// from the PKCE probe, its ledger excuses exactly what the probe saw, so a rails deployment that
// regressed to ignoring PKCE would pass. The detection then carries a warning that every report
// puts in its headline and that --strict turns into exit 1; pinning PLACEOS_GENERATION avoids it.
import { ContractViolation, NotApplicable } from '../helpers/case';
import type { RunEnv } from './run-env';
import { createCaseContext } from './engine';
import { probePkceIgnored } from '../helpers/flows';
import type { Exchange, Finding, Generation } from '../helpers/model';
import { PreflightError } from '../helpers/http-errors';
import { count } from './report/results';

export { PreflightError };

/** Any rest-api route that checks the credential; the marker reads only its refusal. */
const API_KEY_MARKER_PATH = '/api/engine/v2/users/current';

export interface Detection {
  generation: Generation;
  source: 'detected' | 'override';
  reasons: string[];
  deploymentVersion?: string;
  exchanges: Exchange[];
  /** Run-level warnings (headline of every report; --strict fails on them). */
  warnings: string[];
}

/** The headline warning of a run whose generation was inferred from the PKCE probe. */
export const PKCE_INFERRED_WARNING =
  'PKCE is NOT enforced: this deployment was judged as rails-2023 because a wrong PKCE verifier got a token, and the rails-2023 ledger excuses exactly that. ' +
  'A rails deployment that regressed to ignoring PKCE looks the same. Pin the generation in CI (PLACEOS_GENERATION=rails or rails-2023, see docs/ci.md); --strict fails on this warning.';

export async function detectGeneration(run: RunEnv, override?: Generation): Promise<Detection> {
  const exchanges: Exchange[] = [];
  const findings: Finding[] = [];
  const t = createCaseContext(run, exchanges, findings, undefined, undefined, undefined, 'detection');
  const client = t.client('detect');
  const reasons: string[] = [];

  // The authority first: a deployment that is down or not PlaceOS gets no further request.
  const authority = await client.get('/auth/authority', { noCookies: true });
  if (authority.status === 404) {
    throw new PreflightError(
      `${run.settings.url}/auth/authority answered 404: no PlaceOS authority has this host as its domain; is PLACEOS_URL the deployment's public URL?`,
    );
  }
  if (authority.status === 429 || authority.status >= 500) {
    const retryAfter = authority.header('retry-after');
    throw new PreflightError(
      `${run.settings.url}/auth/authority answered ${authority.status}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''} after ${count(authority.attempts ?? 1, 'attempt')}: the deployment is down or overloaded; try again later (PLACEOS_RETRIES sets how often the run retries)`,
    );
  }
  if (authority.status !== 200 || typeof authority.json !== 'object' || authority.json === null) {
    throw new PreflightError(
      `${run.settings.url}/auth/authority answered ${authority.status}${authority.json ? '' : ' without JSON'}: is PLACEOS_URL a PlaceOS deployment?`,
    );
  }
  const version = (authority.json as Record<string, unknown>).version;
  const deploymentVersion = typeof version === 'string' ? version : undefined;

  // The two markers then go at once (one round trip instead of two) and are read in order.
  const expiredKey = run.settings.apiKeyExpired;
  const pending = {
    healthz: client.get('/auth/healthz', { noCookies: true }),
    marker: expiredKey ? client.get(API_KEY_MARKER_PATH, { headers: { 'x-api-key': expiredKey }, noCookies: true }) : undefined,
  };
  // The marker is read only after healthz: its failure must not go unhandled meanwhile.
  pending.marker?.catch(() => undefined);

  const healthz = await pending.healthz;
  if (healthz.status === 200) {
    reasons.push('/auth/healthz answers 200 (auth.cr only)');
    return { generation: 'authcr', source: 'detected', reasons, deploymentVersion, exchanges, warnings: [] };
  }
  reasons.push(`/auth/healthz answers ${healthz.status} (Rails)`);

  if (pending.marker) {
    const res = await pending.marker;
    const error = (res.json as { error?: unknown } | undefined)?.error;
    if (res.status === 401 && error === 'API key has expired') {
      reasons.push("rest-api refuses an expired API key ('API key has expired', June 2026, after the PKCE migration): rails, PKCE not consulted");
      return { generation: 'rails', source: 'detected', reasons, deploymentVersion, exchanges, warnings: [] };
    }
    reasons.push(`an expired API key got ${res.status}: no API-key expiry marker`);
  }

  const account = run.settings.user ?? run.settings.service;
  if (account) {
    try {
      const probe = await probePkceIgnored(t, account);
      if (probe.ignored) {
        reasons.push('a code issued with an S256 challenge was redeemed with a wrong verifier: PKCE is ignored (before the 2026-06 migration)');
        return { generation: 'rails-2023', source: 'detected', reasons, deploymentVersion, exchanges, warnings: [PKCE_INFERRED_WARNING] };
      }
      reasons.push(`a wrong PKCE verifier was refused (${probe.status}): PKCE columns present`);
      return { generation: 'rails', source: 'detected', reasons, deploymentVersion, exchanges, warnings: [] };
    } catch (e) {
      if (!(e instanceof ContractViolation || e instanceof NotApplicable)) throw e;
      reasons.push(`the PKCE probe could not complete (${e.message})`);
    }
  }
  // Discovery does not tell them apart (Rails has it from Nov 2025, before and after the PKCE
  // migration; some versions answer 500): without the probe the generation is not known.
  if (override) return { generation: override, source: 'override', reasons: [...reasons, 'PKCE level not probed'], deploymentVersion, exchanges, warnings: [] };
  throw new PreflightError(
    `this is a Rails deployment, but rails and rails-2023 differ in PKCE enforcement, which needs a signin to probe, and no refused expired API key told them apart (${reasons[reasons.length - 1]}): ${run.readonly ? 'a read-only run does not sign in, so' : 'set PLACEOS_USER_EMAIL/PLACEOS_USER_PASSWORD or PLACEOS_API_KEY_EXPIRED, or'} name the generation with PLACEOS_GENERATION / --generation`,
  );
}

/** Apply PLACEOS_GENERATION / --generation over what was detected, saying how the contracts differ. */
export function applyOverride(d: Detection, override: Generation | undefined, differences: (a: Generation, b: Generation) => string[]): Detection {
  if (!override) return d;
  const reasons = [`told to hold it to ${override} (PLACEOS_GENERATION / --generation)`];
  if (override !== d.generation) {
    reasons.push(`it looks like ${d.generation} (${d.reasons.join('; ')}); the two contracts differ in: ${differences(override, d.generation).join(', ')}`);
  }
  // Pinned: the probe no longer decides how the deployment is judged, so its warning goes.
  return { ...d, generation: override, source: 'override', reasons, warnings: [] };
}
