// The bundle in the formats stock tools read: `SHA256SUMS` (GNU coreutils `sha256sum -c`) and,
// for a signed run, `SHA256SUMS.sig`: the raw signature over the exact bytes of SHA256SUMS, which
// `openssl dgst -sha256 -verify pub.pem -signature SHA256SUMS.sig SHA256SUMS` (RSA) or
// `openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig`
// (Ed25519) checks. docs/reports.md shows the commands.
import * as crypto from 'node:crypto';

export const SUMS = 'SHA256SUMS';
export const SUMS_SIGNATURE = 'SHA256SUMS.sig';

/**
 * One `sha256sum` line: `<hex>  <name>`. A name holding a backslash or a line break is written the
 * way GNU sha256sum writes it (a leading `\`, with `\\` and `\n` escapes), so `-c` still reads it.
 */
export function sumsLine(name: string, sha256hex: string): string {
  if (!/[\\\n\r]/.test(name)) return `${sha256hex}  ${name}`;
  const escaped = name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${sha256hex}  ${escaped}`;
}

/** The text of SHA256SUMS for these files (sorted by name as given). */
export function renderSums(files: ReadonlyArray<{ path: string; sha256: string }>): string {
  return files.map((f) => `${sumsLine(f.path, f.sha256)}\n`).join('');
}

/** name → hex digest, from SHA256SUMS text; throws on a line that is not in sha256sum's format. */
export function parseSums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (!line) continue;
    const m = /^(\\?)([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new Error(`${SUMS} line ${i + 1} is not "<sha256>  <file>"`);
    const name = m[1] ? m[3]!.replace(/\\(\\|n|r)/g, (_s, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\')) : m[3]!;
    out.set(name, m[2]!);
  }
  return out;
}

/**
 * The raw signature bytes over data: RSA PKCS#1 v1.5 with SHA-256 (what `openssl dgst -sha256
 * -sign` makes) or pure Ed25519 (what `openssl pkeyutl -sign -rawin` makes).
 */
export function rawSignature(data: Buffer, key: crypto.KeyObject): Buffer {
  if (key.asymmetricKeyType === 'ed25519') return crypto.sign(null, data, key);
  if (key.asymmetricKeyType === 'rsa') return crypto.sign('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PADDING });
  if (key.asymmetricKeyType === 'rsa-pss') return crypto.sign('sha256', data, key);
  throw new Error(`report signing: unsupported key type ${key.asymmetricKeyType ?? '?'} for ${SUMS_SIGNATURE} (use Ed25519 or RSA)`);
}

export function verifyRawSignature(data: Buffer, key: crypto.KeyObject, signature: Buffer): boolean {
  if (key.asymmetricKeyType === 'ed25519') return crypto.verify(null, data, key, signature);
  if (key.asymmetricKeyType === 'rsa') return crypto.verify('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
  if (key.asymmetricKeyType === 'rsa-pss') return crypto.verify('sha256', data, key, signature);
  return false;
}
