// Integrity of a report bundle: a SHA-256 manifest of every file, optionally signed
// (Ed25519, or RSA with SHA-256) with a private key from the environment, and its verification.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MANIFEST = 'MANIFEST.sha256.json';
export const SIGNATURE = 'MANIFEST.sig';

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
    .filter((p) => p !== MANIFEST && p !== SIGNATURE)
    .map((p) => {
      const buf = fs.readFileSync(path.join(reportsDir, p));
      return { path: p, bytes: buf.length, sha256: sha256(buf) };
    });
  return { format: 'placeos-report-manifest/1', algorithm: 'sha256', files };
}

/**
 * Writes MANIFEST.sha256.json (and MANIFEST.sig when a signing key is given); returns their
 * paths relative to reportsDir. A stale MANIFEST.sig from an earlier run is removed.
 */
export function writeManifest(reportsDir: string, opts: { signingKeyPem?: string } = {}): { manifest: string; signature?: string } {
  const bytes = Buffer.from(`${JSON.stringify(buildManifest(reportsDir), null, 2)}\n`);
  fs.writeFileSync(path.join(reportsDir, MANIFEST), bytes);
  fs.rmSync(path.join(reportsDir, SIGNATURE), { force: true });
  if (!opts.signingKeyPem) return { manifest: MANIFEST };
  const sig = signBytes(bytes, opts.signingKeyPem);
  fs.writeFileSync(path.join(reportsDir, SIGNATURE), `${JSON.stringify(sig, null, 2)}\n`);
  return { manifest: MANIFEST, signature: SIGNATURE };
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
  const present = new Set(listFiles(reportsDir).filter((p) => p !== MANIFEST && p !== SIGNATURE));
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
          problems.push(`bad signature: ${SIGNATURE} does not verify with the given public key (key ${keyFingerprint(key).slice(0, 16)}…, signer ${String(sig.keyFingerprint).slice(0, 16)}…)`);
        } else notes.push(`signature verified (${algorithm}, key ${keyFingerprint(key).slice(0, 16)}…)`);
      } catch (e) {
        problems.push(`bad signature: ${(e as Error).message}`);
      }
    }
  } else if (fs.existsSync(sPath)) {
    notes.push(`${SIGNATURE} present but not checked (pass --public-key to verify it)`);
  }
  return { ok: problems.length === 0, problems, notes };
}
