// Mutants of rest-api's JWT key handling (issue 22; contract §12.1): verifiers that let the token
// choose its algorithm or its key, as misused JWT libraries do. Each path runs only under its
// named fault; the correct target verifies RS256 with its own key and never reaches them.
import { createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { TargetContext } from './context';

/** Keys fetched from jku / x5u URLs under the jwt-jku-trusted / jwt-x5u-trusted mutants, per target. */
const fetchedKeys = new WeakMap<TargetContext, Map<string, KeyObject>>();

async function fetchKey(url: string, member: 'jku' | 'x5u'): Promise<KeyObject | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    if (member === 'x5u') return createPublicKey(await res.text());
    const set = (await res.json()) as { keys?: JsonWebKey[] };
    return set.keys?.[0] ? createPublicKey({ key: set.keys[0], format: 'jwk' }) : undefined;
  } catch {
    return undefined;
  }
}

/** Under jwt-jku-trusted / jwt-x5u-trusted: fetch the key the bearer's header points at (before the synchronous check). */
export async function prefetchHeaderKeys(ctx: TargetContext, header: Record<string, unknown> | undefined): Promise<void> {
  if (!header) return;
  for (const [fault, member] of [
    ['jwt-jku-trusted', 'jku'],
    ['jwt-x5u-trusted', 'x5u'],
  ] as const) {
    const url = header[member];
    if (!ctx.faults.has(fault) || typeof url !== 'string') continue;
    const key = await fetchKey(url, member);
    if (!key) continue;
    const cache = fetchedKeys.get(ctx) ?? new Map<string, KeyObject>();
    cache.set(url, key);
    fetchedKeys.set(ctx, cache);
  }
}

const rsaVerifies = (key: KeyObject, input: string, sig: Buffer): boolean => {
  try {
    return cryptoVerify('RSA-SHA256', Buffer.from(input), key, sig);
  } catch {
    return false;
  }
};

const hmacMatches = (secret: Buffer | string, input: string, sig: Buffer): boolean => {
  const mac = createHmac('sha256', secret).update(input).digest();
  return mac.length === sig.length && timingSafeEqual(mac, sig);
};

/** True when a mutant's faulty verifier accepts the token (the correct target never does). */
export function acceptedByFault(ctx: TargetContext, header: Record<string, unknown>, input: string, sig: Buffer): boolean {
  const f = ctx.faults;
  if (header.alg === 'HS256') {
    // The algorithm taken from the header, the configured public key used as the HMAC secret.
    if (f.has('jwt-hs256-public-key-pem') && hmacMatches(ctx.publicPem, input, sig)) return true;
    if (f.has('jwt-hs256-public-key-der') && hmacMatches(ctx.verifyKey.export({ type: 'spki', format: 'der' }), input, sig)) return true;
    return false;
  }
  if (header.alg !== 'RS256') return false;
  if (f.has('jwt-embedded-jwk-trusted') && header.jwk && typeof header.jwk === 'object') {
    try {
      if (rsaVerifies(createPublicKey({ key: header.jwk as JsonWebKey, format: 'jwk' }), input, sig)) return true;
    } catch {
      /* not a usable key: the normal check decides */
    }
  }
  for (const [fault, member] of [
    ['jwt-jku-trusted', 'jku'],
    ['jwt-x5u-trusted', 'x5u'],
  ] as const) {
    const url = header[member];
    const key = typeof url === 'string' && f.has(fault) ? fetchedKeys.get(ctx)?.get(url) : undefined;
    if (key && rsaVerifies(key, input, sig)) return true;
  }
  // A verification cache keyed by kid: a token naming the kid of the target's key is taken as verified.
  return f.has('jwt-known-kid-unverified') && header.kid === ctx.jwk?.kid;
}
