// How the suite starts the embedded reference target (main command, kill matrix, benchmark):
// one place, so every path checks the same target. Loaded lazily by callers that may not need it.
import type { Capacity, ProfileName, ReferenceOptions, ReferenceTarget, VariantName } from '../reference/src';

/**
 * Codes of one client of their own live 1 s so the code-expiry check can wait one out; every
 * other code lives PlaceOS's 600 s, so a loaded machine (a code redeemed seconds after it was
 * issued) never turns a correct target into invalid_grant.
 */
export const EMBEDDED_CODE_SECONDS = 1;

export function startEmbeddedTarget(o: {
  profile: ProfileName;
  variant?: VariantName;
  mutants?: string[];
  tls?: boolean;
  capacity?: Capacity;
  keyPair?: ReferenceOptions['keyPair'];
}): Promise<ReferenceTarget> {
  const { startReferenceTarget } = require('../reference/src') as typeof import('../reference/src');
  return startReferenceTarget({
    profile: o.profile,
    variant: o.variant,
    mutants: o.mutants ?? [],
    tls: o.tls,
    quiet: true,
    ...(o.capacity ? { capacity: o.capacity } : {}),
    ...(o.keyPair ? { keyPair: o.keyPair } : {}),
    lifetimes: { shortCodeSeconds: EMBEDDED_CODE_SECONDS },
  });
}
