// Integrity: SHA-256 manifest of the bundle, optional signature, and the verifier (API and CLI).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyBundle, writeManifest } from '../../runner/report';
import { main } from '../../runner/report/verify-cli';
import { tmpDir } from './support';

function bundle(): string {
  const dir = tmpDir('manifest');
  fs.mkdirSync(path.join(dir, 'evidence'));
  fs.writeFileSync(path.join(dir, 'junit.xml'), '<testsuites/>\n');
  fs.writeFileSync(path.join(dir, 'evidence', 'a.json'), '{"a":1}\n');
  return dir;
}
function pem(type: 'ed25519' | 'rsa') {
  const { privateKey, publicKey } = type === 'ed25519' ? crypto.generateKeyPairSync('ed25519') : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

test('the manifest lists every file with size and sha256, not itself', () => {
  const dir = bundle();
  expect(writeManifest(dir)).toEqual({ manifest: 'MANIFEST.sha256.json' });
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'MANIFEST.sha256.json'), 'utf8')) as { files: { path: string; bytes: number; sha256: string }[] };
  expect(m.files.map((f) => f.path)).toEqual(['evidence/a.json', 'junit.xml']);
  expect(
    fs
      .readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8')
      .split('\n')
      .map((l) => l.slice(66)),
  ).toEqual(['MANIFEST.sha256.json', 'evidence/a.json', 'junit.xml', '']);
  expect(m.files[0]).toEqual({ path: 'evidence/a.json', bytes: 8, sha256: crypto.createHash('sha256').update('{"a":1}\n').digest('hex') });
  expect(verifyBundle(dir)).toMatchObject({ ok: true, problems: [] });
});

test('tampered, missing and extra files are reported', () => {
  const dir = bundle();
  writeManifest(dir);
  fs.appendFileSync(path.join(dir, 'junit.xml'), '<!-- edited -->');
  fs.rmSync(path.join(dir, 'evidence', 'a.json'));
  fs.writeFileSync(path.join(dir, 'evidence', 'b.json'), '{}');
  const r = verifyBundle(dir);
  expect(r.ok).toBe(false);
  expect(r.problems).toEqual(
    expect.arrayContaining([expect.stringMatching(/^changed: junit\.xml/), 'missing: evidence/a.json', 'extra (not in manifest): evidence/b.json']),
  );
});

test.each(['ed25519', 'rsa'] as const)('a %s signature verifies with the right key and fails with a wrong one', (type) => {
  const dir = bundle();
  const key = pem(type);
  expect(writeManifest(dir, { signingKeyPem: key.priv })).toEqual({ manifest: 'MANIFEST.sha256.json', signature: 'MANIFEST.sig' });
  expect(verifyBundle(dir, { publicKeyPem: key.pub })).toMatchObject({ ok: true, problems: [] });
  const other = pem(type);
  const bad = verifyBundle(dir, { publicKeyPem: other.pub });
  expect(bad.ok).toBe(false);
  expect(bad.problems.join('\n')).toMatch(/bad signature/);
  // a signed manifest that was edited (and its file list made consistent) no longer verifies
  const mPath = path.join(dir, 'MANIFEST.sha256.json');
  fs.writeFileSync(mPath, fs.readFileSync(mPath, 'utf8').replace('"format"', ' "format"'));
  expect(verifyBundle(dir, { publicKeyPem: key.pub }).problems.join('\n')).toMatch(/bad signature/);
});

test('a public key without a signature is a problem; a signature without a key is a note', () => {
  const dir = bundle();
  writeManifest(dir);
  expect(verifyBundle(dir, { publicKeyPem: pem('ed25519').pub }).problems).toEqual(['MANIFEST.sig is missing but a public key was given']);
  const signed = bundle();
  writeManifest(signed, { signingKeyPem: pem('ed25519').priv });
  expect(verifyBundle(signed)).toMatchObject({ ok: true, notes: [expect.stringMatching(/not checked/)] });
});

test('verify-cli prints OK or each problem and exits 0/1', () => {
  const dir = bundle();
  const key = pem('ed25519');
  writeManifest(dir, { signingKeyPem: key.priv });
  const keyFile = path.join(tmpDir('key'), 'pub.pem');
  fs.writeFileSync(keyFile, key.pub);
  const lines: string[] = [];
  expect(main([dir, '--public-key', keyFile], (s) => lines.push(s))).toBe(0);
  expect(lines.at(-1)).toMatch(/^OK: /);
  fs.writeFileSync(path.join(dir, 'junit.xml'), 'tampered');
  lines.length = 0;
  expect(main([dir, '--public-key', keyFile], (s) => lines.push(s))).toBe(1);
  expect(lines).toEqual([
    expect.stringMatching(/^note: signature verified/),
    expect.stringMatching(/^PROBLEM: changed: junit\.xml/),
    'PROBLEM: SHA256SUMS: changed: junit.xml',
  ]);
  expect(main([], () => {})).toBe(2);
});
