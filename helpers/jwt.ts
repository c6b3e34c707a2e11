// JWT helpers (jose): decode without trusting, verify with a PEM public key, and forge the tokens
// the security checks need (tampered signature, alg none, signed with the published default key
// or with a freshly generated wrong key). Nothing here ever puts a token value in a message.
import { createPrivateKey, createPublicKey, generateKeyPair, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compactVerify, decodeJwt as joseDecodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { ContractViolation } from './case';

export type JwtHeader = Record<string, unknown> & { alg?: string; typ?: string; kid?: string };
export type JwtClaims = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  /** Length of the signature part in base64url characters (0 for alg none). */
  signatureLength: number;
}

/** Decodes a compact JWT without verifying it. Throws ContractViolation (never echoing the token). */
export function decodeJwt(token: unknown): DecodedJwt {
  if (typeof token !== 'string') {
    throw new ContractViolation(`expected a JWT string, got ${token === null ? 'null' : typeof token}`, 'JWT string', typeof token);
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new ContractViolation(`expected a 3-part JWT, got ${parts.length} part${parts.length === 1 ? '' : 's'}`, '3 parts', `${parts.length} parts`);
  }
  let header: JwtHeader;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new ContractViolation(
      `expected a JWT whose header is base64url JSON, got an undecodable header (length ${parts[0]!.length})`,
      'base64url JSON header',
      'undecodable header',
    );
  }
  let claims: JwtClaims;
  try {
    claims = joseDecodeJwt(token);
  } catch {
    throw new ContractViolation(
      `expected a JWT whose payload is a base64url JSON object, got an undecodable payload (length ${parts[1]!.length})`,
      'base64url JSON object payload',
      'undecodable payload',
    );
  }
  return { header, claims, signatureLength: parts[2]!.length };
}

export type VerifyResult = { ok: true; claims: JwtClaims; header: JwtHeader } | { ok: false; reason: string };

export interface VerifyOptions {
  /** Accepted algorithms (default ['RS256']). */
  algorithms?: string[];
  /** Check the signature only: no exp/nbf/iat checks (default false). */
  signatureOnly?: boolean;
  /** Time to validate exp/nbf against (default now). */
  currentDate?: Date;
  /** Seconds of clock skew tolerated (default 0). */
  clockTolerance?: number;
  issuer?: string;
  audience?: string;
}

/** Turns a PEM (SPKI, PKCS#1 or X.509 certificate) or a KeyObject into a public KeyObject. */
export function toPublicKey(pem: string | KeyObject): KeyObject {
  if (typeof pem !== 'string') return pem.type === 'private' ? createPublicKey(pem) : pem;
  return createPublicKey(pem);
}

/** Turns a PEM (PKCS#8 or PKCS#1) or a KeyObject into a private KeyObject. */
export function toPrivateKey(pem: string | KeyObject): KeyObject {
  return typeof pem === 'string' ? createPrivateKey(pem) : pem;
}

/** Verifies a compact JWT with a public key. Never throws for a bad token: returns the reason. */
export async function verifyWithPublicKey(token: string, pem: string | KeyObject, opts: VerifyOptions = {}): Promise<VerifyResult> {
  let key: KeyObject;
  try {
    key = toPublicKey(pem);
  } catch (e) {
    throw new Error(`verifyWithPublicKey: the public key is not a usable PEM (${(e as Error).message})`);
  }
  const algorithms = opts.algorithms ?? ['RS256'];
  try {
    if (opts.signatureOnly) {
      const { payload, protectedHeader } = await compactVerify(token, key, { algorithms });
      const claims = JSON.parse(Buffer.from(payload).toString('utf8')) as JwtClaims;
      return { ok: true, claims, header: protectedHeader };
    }
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      algorithms,
      ...(opts.currentDate ? { currentDate: opts.currentDate } : {}),
      ...(opts.clockTolerance !== undefined ? { clockTolerance: opts.clockTolerance } : {}),
      ...(opts.issuer !== undefined ? { issuer: opts.issuer } : {}),
      ...(opts.audience !== undefined ? { audience: opts.audience } : {}),
    });
    return { ok: true, claims: payload, header: protectedHeader };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    // jose messages name the failed check, never the token.
    return { ok: false, reason: `${err.code ?? 'ERR'}: ${err.message ?? String(e)}` };
  }
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Changes the first signature character (its high bits, so the decoded signature really changes;
 * the last character may only carry padding bits). Header and payload still decode.
 */
export function tamperSignature(token: string): string {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`tamperSignature: expected a 3-part JWT, got ${parts.length} parts`);
  const sig = parts[2]!;
  if (sig.length === 0) throw new Error('tamperSignature: the JWT has no signature to tamper with');
  const i = B64URL.indexOf(sig[0]!);
  const flipped = B64URL[(i + 32) % 64]!; // flips the most significant of the 6 bits
  return `${parts[0]}.${parts[1]}.${flipped}${sig.slice(1)}`;
}

const b64urlJson = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Same header (alg replaced by "none") and payload, empty signature (RFC 7519 §6 unsecured JWT). */
export function withAlgNone(token: string, alg: string = 'none'): string {
  const { header } = decodeJwt(token);
  const parts = token.split('.');
  return `${b64urlJson({ ...header, alg })}.${parts[1]}.`;
}

export interface SignOptions {
  /** Default RS256. */
  alg?: string;
  kid?: string;
  /** Extra protected-header members (e.g. typ). */
  header?: Record<string, unknown>;
  /**
   * Extension names the header's `crit` may list: jose refuses to sign a crit naming one it is
   * not told of, as a verifier must refuse to accept it (RFC 7515 §4.1.11).
   */
  crit?: readonly string[];
}

/** Signs claims as given (iat/exp included) with a private key: forged tokens for negative checks. */
export async function signWithKey(claims: JwtClaims, privatePem: string | KeyObject, opts: SignOptions = {}): Promise<string> {
  const key = toPrivateKey(privatePem);
  const header = { ...(opts.header ?? {}), alg: opts.alg ?? 'RS256', ...(opts.kid ? { kid: opts.kid } : {}) };
  const crit = opts.crit?.length ? { crit: Object.fromEntries(opts.crit.map((name) => [name, true])) } : undefined;
  return new SignJWT(claims).setProtectedHeader(header).sign(key, crit);
}

export interface PemKeyPair {
  privatePem: string;
  publicPem: string;
}

/** A fresh RSA-2048 key pair nobody else has: tokens signed with it must be refused. */
const WRONG_KEY = {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
} as const;

export function generateWrongKey(): PemKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', WRONG_KEY);
  return { privatePem: privateKey, publicPem: publicKey };
}

let processWrongKey: Promise<PemKeyPair> | undefined;

/**
 * One wrong key per process for the checks: key generation costs 100–300 ms of CPU (off the main
 * thread here), and any key but the deployment's will do.
 */
export function wrongKey(): Promise<PemKeyPair> {
  return (processWrongKey ??= new Promise((resolve, reject) =>
    generateKeyPair('rsa', WRONG_KEY, (err, publicPem, privatePem) => (err ? reject(err) : resolve({ privatePem, publicPem }))),
  ));
}

/** Where the published PlaceOS development key pair lives, relative to the package root (keys/placeos-default/README.md). */
export const DEFAULT_KEY_DIR = 'keys/placeos-default';

function readDefaultKey(repoRoot: string, file: 'public.pem' | 'private.pem'): string {
  const path = resolve(repoRoot, DEFAULT_KEY_DIR, file);
  if (!existsSync(path)) {
    throw new Error(
      `the published PlaceOS default JWT key is missing: expected ${path} (${DEFAULT_KEY_DIR}/${file} relative to the package root ${resolve(repoRoot)})`,
    );
  }
  return readFileSync(path, 'utf8');
}

/** The public half of the key PlaceOS falls back to without JWT_SECRET (contract §4.4). */
export function loadDefaultPlaceosPublicKey(repoRoot: string): string {
  return readDefaultKey(repoRoot, 'public.pem');
}

/** The private half (public data): lets the reference target reproduce the misconfiguration. */
export function loadDefaultPlaceosPrivateKey(repoRoot: string): string {
  return readDefaultKey(repoRoot, 'private.pem');
}

/** True when the token's signature verifies with the published default key (expiry ignored): a Blocker. */
export async function verifiesWithDefaultKey(token: string, repoRoot: string): Promise<boolean> {
  const result = await verifyWithPublicKey(token, loadDefaultPlaceosPublicKey(repoRoot), { signatureOnly: true });
  return result.ok;
}
