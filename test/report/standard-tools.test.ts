// A bundle checks out with stock tools, no part of this suite needed: `sha256sum -c SHA256SUMS`,
// and a signed bundle's SHA256SUMS.sig with `openssl` (the commands docs/reports.md shows).
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finalizeReports, verifyBundle, writeManifest } from '../../runner/report';
import { parseSums, renderSums, sumsLine } from '../../runner/report/sha256sums';
import { meta, results, tmpDir } from './support';

function bundle(): string {
  const dir = tmpDir('stdtools');
  fs.mkdirSync(path.join(dir, 'evidence', 'token-use'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'junit.xml'), '<testsuites/>\n');
  fs.writeFileSync(path.join(dir, 'summary.md'), '# run\n');
  fs.writeFileSync(path.join(dir, 'evidence', 'token-use', 'a b.txt'), 'transcript with a space in its name\n');
  return dir;
}
function keyPair(type: 'ed25519' | 'rsa', dir: string): { priv: string; pubFile: string } {
  const { privateKey, publicKey } = type === 'ed25519' ? crypto.generateKeyPairSync('ed25519') : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pubFile = path.join(dir, `${type}.pub.pem`);
  fs.writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return { priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pubFile };
}
function run(cmd: string, args: string[], cwd: string): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
/** The verification command of docs/reports.md for this key type. */
function opensslVerify(type: 'ed25519' | 'rsa', pubFile: string): string[] {
  return type === 'rsa'
    ? ['dgst', '-sha256', '-verify', pubFile, '-signature', 'SHA256SUMS.sig', 'SHA256SUMS']
    : ['pkeyutl', '-verify', '-pubin', '-inkey', pubFile, '-rawin', '-in', 'SHA256SUMS', '-sigfile', 'SHA256SUMS.sig'];
}

test('sha256sum -c SHA256SUMS checks every file of the bundle, the manifest included, and catches an edit', () => {
  const dir = bundle();
  writeManifest(dir);
  const ok = run('sha256sum', ['--strict', '-c', 'SHA256SUMS'], dir);
  expect(ok).toEqual({ code: 0, out: expect.stringContaining('MANIFEST.sha256.json: OK') });
  expect(ok.out).toContain('evidence/token-use/a b.txt: OK');
  expect(ok.out.trim().split('\n')).toHaveLength(4);
  fs.appendFileSync(path.join(dir, 'summary.md'), 'edited\n');
  const bad = run('sha256sum', ['-c', 'SHA256SUMS'], dir);
  expect(bad.code).toBe(1);
  expect(bad.out).toContain('summary.md: FAILED');
});

test.each(['rsa', 'ed25519'] as const)('a %s-signed bundle verifies with stock openssl, and fails after an edit or with another key', (type) => {
  const dir = bundle();
  const keys = tmpDir('stdtools-keys');
  const key = keyPair(type, keys);
  writeManifest(dir, { signingKeyPem: key.priv });
  expect(run('sha256sum', ['--strict', '-c', 'SHA256SUMS'], dir).out).toContain('MANIFEST.sig: OK');
  expect(run('openssl', opensslVerify(type, key.pubFile), dir)).toEqual({ code: 0, out: expect.stringMatching(/Verified OK|Signature Verified Successfully/) });
  expect(verifyBundle(dir, { publicKeyPem: fs.readFileSync(key.pubFile, 'utf8') })).toMatchObject({ ok: true, problems: [] });

  const other = keyPair(type, tmpDir('stdtools-other'));
  expect(run('openssl', opensslVerify(type, other.pubFile), dir).code).not.toBe(0);
  fs.appendFileSync(path.join(dir, 'SHA256SUMS'), `${'0'.repeat(64)}  junit.xml\n`);
  expect(run('openssl', opensslVerify(type, key.pubFile), dir).code).not.toBe(0);
  expect(verifyBundle(dir, { publicKeyPem: fs.readFileSync(key.pubFile, 'utf8') }).problems.join('\n')).toMatch(/SHA256SUMS\.sig does not verify/);
});

test('names sha256sum would escape are written in its escaped form and read back', () => {
  expect(sumsLine('a\\b', 'f'.repeat(64))).toBe(`\\${'f'.repeat(64)}  a\\\\b`);
  const text = renderSums([
    { path: 'x\ny', sha256: 'a'.repeat(64) },
    { path: 'plain', sha256: 'b'.repeat(64) },
  ]);
  expect([...parseSums(text)]).toEqual([
    ['x\ny', 'a'.repeat(64)],
    ['plain', 'b'.repeat(64)],
  ]);
  expect(() => parseSums('nothex  file\n')).toThrow(/SHA256SUMS line 1/);
  // GNU sha256sum agrees on the escaped form
  const dir = tmpDir('stdtools-escape');
  fs.writeFileSync(path.join(dir, 'a\\b'), 'x');
  const line = execFileSync('sha256sum', ['a\\b'], { cwd: dir, encoding: 'utf8' }).trim();
  expect(line).toBe(sumsLine('a\\b', crypto.createHash('sha256').update('x').digest('hex')));
});

test('a finalised, signed run bundle checks out with sha256sum and openssl', () => {
  const dir = tmpDir('stdtools-final');
  const key = keyPair('rsa', tmpDir('stdtools-final-key'));
  finalizeReports({
    reportsDir: dir,
    results: results(),
    meta: meta(),
    reports: { attachmentPrefix: '', testcaseProperties: true, signingKeyPem: key.priv },
    fingerprints: [],
  });
  const check = run('sha256sum', ['--strict', '-c', 'SHA256SUMS'], dir);
  expect(check.code).toBe(0);
  expect(check.out).toMatch(/summary\.html: OK/);
  expect(check.out).toMatch(/evidence\/.+: OK/);
  expect(run('openssl', opensslVerify('rsa', key.pubFile), dir)).toEqual({ code: 0, out: expect.stringMatching(/Verified OK/) });
});
