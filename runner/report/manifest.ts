// Integrity of a report bundle: a SHA-256 manifest of every file, optionally signed
// (Ed25519, or RSA with SHA-256) with a private key from the environment, and its verification.
// The same digests are also written as SHA256SUMS (+ SHA256SUMS.sig) for stock tools (sha256sums.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSums, rawSignature, renderSums, SUMS, SUMS_SIGNATURE, verifyRawSignature } from './sha256sums';

export const MANIFEST = 'MANIFEST.sha256.json';
export const SIGNATURE = 'MANIFEST.sig';
/** The files that describe the bundle rather than belong to it. */
const INTEGRITY_FILES = new Set([MANIFEST, SIGNATURE, SUMS, SUMS_SIGNATURE]);

export interface ManifestEntry {
  path: string;
  bytes: number;
  sha256: string;
}
export interface Manifest {
  format: 'placeos-report-manifest/1';
  algorithm: 'sha256';
  files: ManifestEntry[];
}
export interface SignatureFile {
  algorithm: 'ed25519' | 'rsa-sha256';
  /** SHA-256 of the public key (SPKI DER), hex: which key signed. */
  keyFingerprint: string;
  /** Base64 signature over the exact bytes of MANIFEST.sha256.json. */
  signature: string;
}

/** Every regular file under dir, as sorted POSIX relative paths (symlinks are not followed). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(r);
      else if (d.isFile()) out.push(r);
      else out.push(r); // symlinks and others are listed so that verification flags them
    }
  };
  walk('');
  return out.sort();
}

function sha256(buf: Buffer): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

export function keyFingerprint(key: crypto.KeyObject): string {
  const pub = key.type === 'private' ? crypto.createPublicKey(key) : key;
  return sha256(pub.export({ type: 'spki', format: 'der' }));
}

function algorithmOf(key: crypto.KeyObject): SignatureFile['algorithm'] {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return 'rsa-sha256';
  throw new Error(`report signing: unsupported key type ${key.asymmetricKeyType ?? '?'} (use Ed25519 or RSA)`);
}

/** Signs bytes with a PEM private key (Ed25519 or RSA-SHA256). */
export function signBytes(data: Buffer, privateKeyPem: string): SignatureFile {
  const key = crypto.createPrivateKey(privateKeyPem);
  const algorithm = algorithmOf(key);
  const signature = crypto.sign(algorithm === 'ed25519' ? null : 'sha256', data, key).toString('base64');
  return { algorithm, keyFingerprint: keyFingerprint(key), signature };
}

export function buildManifest(reportsDir: string): Manifest {
  const files = listFiles(reportsDir)
    .filter((p) => !INTEGRITY_FILES.has(p))
    .map((p) => {
      const buf = fs.readFileSync(path.join(reportsDir, p));
      return { path: p, bytes: buf.length, sha256: sha256(buf) };
    });
  return { format: 'placeos-report-manifest/1', algorithm: 'sha256', files };
}

function sumsEntry(reportsDir: string, p: string): { path: string; sha256: string } {
  return { path: p, sha256: sha256(fs.readFileSync(path.join(reportsDir, p))) };
}

/**
 * Writes MANIFEST.sha256.json (and MANIFEST.sig when a signing key is given), then SHA256SUMS over
 * every file including those two (and SHA256SUMS.sig when signing); returns the manifest and
 * signature paths relative to reportsDir. Stale signatures from an earlier run are removed.
 */
export function writeManifest(reportsDir: string, opts: { signingKeyPem?: string } = {}): { manifest: string; signature?: string } {
  const manifest = buildManifest(reportsDir);
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(reportsDir, MANIFEST), bytes);
  for (const f of [SIGNATURE, SUMS, SUMS_SIGNATURE]) fs.rmSync(path.join(reportsDir, f), { force: true });
  const key = opts.signingKeyPem ? crypto.createPrivateKey(opts.signingKeyPem) : undefined;
  if (opts.signingKeyPem) fs.writeFileSync(path.join(reportsDir, SIGNATURE), `${JSON.stringify(signBytes(bytes, opts.signingKeyPem), null, 2)}\n`);
  const covered = [...manifest.files, sumsEntry(reportsDir, MANIFEST), ...(key ? [sumsEntry(reportsDir, SIGNATURE)] : [])].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  const sums = Buffer.from(renderSums(covered));
  fs.writeFileSync(path.join(reportsDir, SUMS), sums);
  if (!key) return { manifest: MANIFEST };
  fs.writeFileSync(path.join(reportsDir, SUMS_SIGNATURE), rawSignature(sums, key));
  return { manifest: MANIFEST, signature: SIGNATURE };
}

/** SHA256SUMS must list exactly the bundle's files plus the manifest (and MANIFEST.sig), with their digests. */
function checkSums(reportsDir: string, present: Set<string>, problems: string[]): Buffer | undefined {
  const sPath = path.join(reportsDir, SUMS);
  if (!fs.existsSync(sPath)) {
    problems.push(`${SUMS} is missing`);
    return undefined;
  }
  const bytes = fs.readFileSync(sPath);
  let sums: Map<string, string>;
  try {
    sums = parseSums(bytes.toString('utf8'));
  } catch (e) {
    problems.push((e as Error).message);
    return bytes;
  }
  const expected = new Set([...present, MANIFEST, ...(fs.existsSync(path.join(reportsDir, SIGNATURE)) ? [SIGNATURE] : [])]);
  for (const [p, digest] of sums) {
    if (!expected.has(p)) problems.push(`${SUMS} lists a file that is not in the bundle: ${p}`);
    else if (fs.lstatSync(path.join(reportsDir, p)).isFile() && sha256(fs.readFileSync(path.join(reportsDir, p))) !== digest)
      problems.push(`${SUMS}: changed: ${p}`);
  }
  for (const p of expected) if (!sums.has(p)) problems.push(`${SUMS} does not list ${p}`);
  return bytes;
}

/**
 * Checks a bundle against its manifest: missing, extra and changed files, and — when a public key
 * is given — the signature (required then). Without a key a present signature is not checked and
 * a note says so.
 */
export function verifyBundle(reportsDir: string, opts: { publicKeyPem?: string } = {}): { ok: boolean; problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  const mPath = path.join(reportsDir, MANIFEST);
  if (!fs.existsSync(reportsDir)) return { ok: false, problems: [`${reportsDir}: no such folder`], notes };
  if (!fs.existsSync(mPath)) return { ok: false, problems: [`${MANIFEST} is missing`], notes };
  const bytes = fs.readFileSync(mPath);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
    if (!Array.isArray(manifest.files)) throw new Error('no files list');
  } catch (e) {
    return { ok: false, problems: [`${MANIFEST} is not a valid manifest (${(e as Error).message})`], notes };
  }
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const present = new Set(listFiles(reportsDir).filter((p) => !INTEGRITY_FILES.has(p)));
  for (const [p, f] of listed) {
    if (p.split('/').includes('..') || path.isAbsolute(p)) {
      problems.push(`manifest lists a path outside the bundle: ${p}`);
      continue;
    }
    if (!present.has(p)) {
      problems.push(`missing: ${p}`);
      continue;
    }
    const full = path.join(reportsDir, p);
    if (!fs.lstatSync(full).isFile()) {
      problems.push(`not a regular file: ${p}`);
      continue;
    }
    const buf = fs.readFileSync(full);
    if (buf.length !== f.bytes || sha256(buf) !== f.sha256) problems.push(`changed: ${p} (sha256 ${sha256(buf)} ≠ ${f.sha256})`);
  }
  for (const p of present) if (!listed.has(p)) problems.push(`extra (not in manifest): ${p}`);
  const sums = checkSums(reportsDir, present, problems);

  const sPath = path.join(reportsDir, SIGNATURE);
  if (opts.publicKeyPem) {
    if (!fs.existsSync(sPath)) problems.push(`${SIGNATURE} is missing but a public key was given`);
    else {
      try {
        const sig = JSON.parse(fs.readFileSync(sPath, 'utf8')) as SignatureFile;
        const key = crypto.createPublicKey(opts.publicKeyPem);
        const algorithm = algorithmOf(key);
        if (sig.algorithm !== algorithm) problems.push(`bad signature: signed with ${sig.algorithm}, key is ${algorithm}`);
        else if (!crypto.verify(algorithm === 'ed25519' ? null : 'sha256', bytes, key, Buffer.from(sig.signature, 'base64'))) {
          problems.push(
            `bad signature: ${SIGNATURE} does not verify with the given public key (key ${keyFingerprint(key).slice(0, 16)}…, signer ${String(sig.keyFingerprint).slice(0, 16)}…)`,
          );
        } else notes.push(`signature verified (${algorithm}, key ${keyFingerprint(key).slice(0, 16)}…)`);
        const rawPath = path.join(reportsDir, SUMS_SIGNATURE);
        if (!fs.existsSync(rawPath)) problems.push(`${SUMS_SIGNATURE} is missing but the bundle is signed`);
        else if (sums && !verifyRawSignature(sums, key, fs.readFileSync(rawPath)))
          problems.push(`bad signature: ${SUMS_SIGNATURE} does not verify with the given public key`);
      } catch (e) {
        problems.push(`bad signature: ${(e as Error).message}`);
      }
    }
  } else if (fs.existsSync(sPath)) {
    notes.push(`${SIGNATURE} present but not checked (pass --public-key to verify it)`);
  }
  return { ok: problems.length === 0, problems, notes };
}
