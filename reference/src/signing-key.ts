// The target's signing key: a fresh 2048-bit RSA pair per start. Generated on libuv's thread pool,
// so it can overlap with loading the target's modules (reference/src/thread.ts starts it first).
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const generateKeyPairAsync = promisify(generateKeyPair);

export function generateSigningKey(): Promise<KeyPair> {
  return generateKeyPairAsync('rsa', { modulusLength: 2048 });
}
