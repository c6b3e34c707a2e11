// PKCE (RFC 7636): verifiers from the unreserved alphabet, S256 challenges, pairs per method.
import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636 §4.1: ALPHA / DIGIT / "-" / "." / "_" / "~". */
export const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
export const VERIFIER_MIN = 43;
export const VERIFIER_MAX = 128;
const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/;

export type PkceMethod = 'S256' | 'plain';

export interface PkcePair {
  method: PkceMethod;
  verifier: string;
  challenge: string;
}

/**
 * A random verifier of `length` unreserved characters (43..128). `unchecked` allows lengths
 * outside that range, for the negative checks (42- and 129-char verifiers).
 */
export function createVerifier(length: number = 64, opts: { unchecked?: boolean } = {}): string {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`verifier length must be a positive integer, got ${length}`);
  if (!opts.unchecked && (length < VERIFIER_MIN || length > VERIFIER_MAX)) {
    throw new RangeError(`RFC 7636 §4.1: verifier length must be ${VERIFIER_MIN}..${VERIFIER_MAX}, got ${length}`);
  }
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 66).
  const limit = 256 - (256 % UNRESERVED.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) out += UNRESERVED[b % UNRESERVED.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export function isValidVerifier(verifier: string): boolean {
  return VERIFIER_RE.test(verifier);
}

/** RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), no padding. */
export function challengeS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function pkcePair(method: PkceMethod = 'S256', length: number = 64): PkcePair {
  const verifier = createVerifier(length);
  return { method, verifier, challenge: method === 'S256' ? challengeS256(verifier) : verifier };
}
