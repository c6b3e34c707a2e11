import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createSecretRegistry, scanForSecrets, secretForms } from '../../helpers/secrets';
import { scanReports } from '../../runner/report/finalize';

const PASSWORD = 'p@ss word&<more>"q\'';
const CLIENT_SECRET = 'cs_9f8e7d6c5b4a3210';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLWJ5dGVz';
const API_KEY = 'key-id-1.0123456789abcdef0123456789abcdef';

function registry() {
  const r = createSecretRegistry();
  r.add(PASSWORD, 'password');
  r.add(CLIENT_SECRET, 'client_secret');
  r.add(JWT, 'access_token');
  r.add(API_KEY, 'api_key');
  return r;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Texts with planted secrets, in every form an artifact may hold them. */
function planted(): { name: string; text: string; secret: string }[] {
  return [
    { name: 'plain', text: `password is ${PASSWORD} here`, secret: PASSWORD },
    { name: 'url-encoded', text: `GET /x?password=${encodeURIComponent(PASSWORD)}&a=1`, secret: PASSWORD },
    { name: 'form-encoded', text: new URLSearchParams({ password: PASSWORD, client_secret: CLIENT_SECRET }).toString(), secret: PASSWORD },
    { name: 'json', text: JSON.stringify({ body: { password: PASSWORD, token: JWT } }), secret: PASSWORD },
    { name: 'junit', text: `<testcase name="x"><failure message="${xmlEscape(`got ${PASSWORD}`)}"/></testcase>`, secret: PASSWORD },
    { name: 'junit-url', text: `<system-out>${xmlEscape(`/x?p=${encodeURIComponent(PASSWORD)}&y=${JWT}`)}</system-out>`, secret: PASSWORD },
    { name: 'header', text: `X-API-Key: ${API_KEY}\nAuthorization: Bearer ${JWT}`, secret: API_KEY },
  ];
}

describe('registry and mask', () => {
  test('mask removes every planted form, longest first, with the kind', () => {
    const r = registry();
    for (const p of planted()) {
      const masked = r.mask(p.text);
      expect(masked).toContain('[REDACTED:');
      for (const form of secretForms(PASSWORD)) expect(masked).not.toContain(form);
      expect(masked).not.toContain(JWT);
      expect(masked).not.toContain(API_KEY);
      expect(masked).not.toContain(CLIENT_SECRET);
    }
    expect(r.mask(`Bearer ${JWT}`)).toBe('Bearer [REDACTED:access_token#1]');
    expect(r.mask(`a ${CLIENT_SECRET} b ${CLIENT_SECRET}`)).toBe('a [REDACTED:client_secret#1] b [REDACTED:client_secret#1]');
  });

  test('labels are stable per value: the same value the same label again, every form of it too; another value the next number', () => {
    const r = registry();
    r.add('second-password', 'password');
    r.add(PASSWORD, 'password');
    expect(r.mask(`${PASSWORD} / ${encodeURIComponent(PASSWORD)} / second-password`)).toBe(
      '[REDACTED:password#1] / [REDACTED:password#1] / [REDACTED:password#2]',
    );
    expect(r.labelOf('second-password')).toBe('password#2');
  });

  test("a case's registry takes the run's labels and gives the run what it meets, with the variable it came from", () => {
    const run = createSecretRegistry();
    run.add('code-of-an-earlier-case', 'code');
    run.add(PASSWORD, 'password', '$PLACEOS_USER_PASSWORD');
    const one = createSecretRegistry({ parent: run });
    const two = createSecretRegistry({ parent: run });
    one.add('a-replayed-code', 'code');
    two.add('a-replayed-code', 'code');
    two.add(PASSWORD, 'password');
    expect(one.mask('code=a-replayed-code')).toBe('code=[REDACTED:code#2]');
    expect(two.mask('code=a-replayed-code')).toBe('code=[REDACTED:code#2]');
    // Only what the case met is masked by its registry; the run's has everything.
    expect(one.mask('code-of-an-earlier-case')).toBe('code-of-an-earlier-case');
    expect(run.mask('code-of-an-earlier-case')).toBe('[REDACTED:code#1]');
    expect(two.mask(PASSWORD)).toBe('[REDACTED:password#1]');
    expect(two.sourceOf(PASSWORD)).toBe('$PLACEOS_USER_PASSWORD');
    expect(run.sources()).toEqual({ 'password#1': '$PLACEOS_USER_PASSWORD' });
    expect(run.size).toBe(3);
  });

  test('a secret that contains another is replaced as a whole', () => {
    const r = createSecretRegistry();
    r.add('abcdef', 'other');
    r.add('xxabcdefyy', 'password');
    expect(r.mask('1 xxabcdefyy 2 abcdef')).toBe('1 [REDACTED:password#1] 2 [REDACTED:other#1]');
  });

  test('short and empty values are ignored; kinds() counts values; text without secrets is untouched', () => {
    const r = registry();
    r.add(undefined, 'password');
    r.add('', 'password');
    r.add('abc12', 'password');
    r.add(PASSWORD, 'password');
    expect(r.kinds()).toMatchObject({ password: 1, client_secret: 1, access_token: 1, api_key: 1, cookie: 0 });
    expect(r.size).toBe(4);
    expect(r.mask('abc12 is short')).toBe('abc12 is short');
    const clean = 'nothing secret here: {"a":1} <x>&amp;</x> ?q=1';
    expect(r.mask(clean)).toBe(clean);
    expect(createSecretRegistry().mask(clean)).toBe(clean);
  });

  test('JWTs have one form; other secrets their encoded forms', () => {
    expect(secretForms(JWT)).toEqual([JWT]);
    const forms = secretForms(PASSWORD);
    expect(forms).toEqual(
      expect.arrayContaining([PASSWORD, encodeURIComponent(PASSWORD), new URLSearchParams([['a', PASSWORD]]).toString().slice(2), xmlEscape(PASSWORD)]),
    );
    expect(forms).toContain(xmlEscape(encodeURIComponent(PASSWORD)));
    expect(forms).toContain(JSON.stringify(PASSWORD).slice(1, -1));
  });

  // How fast masking is belongs to `npm run bench`, not to a timed test.
  test('mask finds one secret among many in a large text', () => {
    const r = createSecretRegistry();
    const secrets = Array.from({ length: 100 }, (_, i) => randomBytes(8 + (i % 30)).toString('base64url'));
    secrets.forEach((s) => r.add(s, 'other'));
    const text = randomBytes(256 * 1024).toString('hex') + secrets[3];
    const masked = r.mask(text);
    expect(masked.endsWith('[REDACTED:other#4]')).toBe(true);
    expect(masked).not.toContain(secrets[3]);
  });
});

describe('fingerprints and scanning', () => {
  test('fingerprints hold no secret in clear', () => {
    const fps = registry().fingerprints();
    const dump = JSON.stringify(fps);
    for (const s of [PASSWORD, CLIENT_SECRET, JWT, API_KEY, encodeURIComponent(PASSWORD)]) expect(dump).not.toContain(s);
    for (const f of fps) {
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(f.rolling).toMatch(/^\d+$/);
    }
  });

  test('the scanner finds every planted secret, at the right offset, and never returns it', () => {
    const fps = registry().fingerprints();
    for (const p of planted()) {
      const hits = scanForSecrets(p.text, fps);
      expect({ name: p.name, found: hits.length > 0 }).toEqual({ name: p.name, found: true });
      expect(JSON.stringify(hits)).not.toContain(p.secret);
    }
    const text = `0123${CLIENT_SECRET}`;
    expect(scanForSecrets(text, fps)).toEqual([{ kind: 'client_secret', offset: 4 }]);
    expect(scanForSecrets(Buffer.from(`xx${JWT}`), fps)).toEqual([{ kind: 'access_token', offset: 2 }]);
  });

  test('no false positives on clean text, partial secrets or masked text', () => {
    const r = registry();
    const fps = r.fingerprints();
    const clean = randomBytes(512 * 1024).toString('base64') + CLIENT_SECRET.slice(0, -1) + JWT.slice(1);
    expect(scanForSecrets(clean, fps)).toEqual([]);
    const allPlanted = planted()
      .map((p) => p.text)
      .join('\n');
    expect(scanForSecrets(r.mask(allPlanted), fps)).toEqual([]);
    expect(scanForSecrets('', fps)).toEqual([]);
    expect(scanForSecrets('short', fps)).toEqual([]);
  });

  test('a few MB with ~100 secrets: both planted ones are found at their offsets', () => {
    const r = createSecretRegistry();
    const secrets = Array.from({ length: 100 }, (_, i) => randomBytes(6 + (i % 50)).toString('base64url') + (i % 4 === 0 ? '&/ x' : ''));
    secrets.forEach((s) => r.add(s, 'other'));
    const fps = r.fingerprints();
    const chunk = randomBytes(3 * 1024 * 1024).toString('base64');
    const text = chunk.slice(0, 1000) + secrets[10] + chunk.slice(1000, 2_000_000) + encodeURIComponent(secrets[12]!) + chunk.slice(2_000_000);
    const hits = scanForSecrets(text, fps);
    expect(hits.map((h) => h.offset)).toEqual([1000, 2_000_000 + secrets[10]!.length]);
  });

  test('scanReports walks the reports folder and reports file, kind and count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-scan-'));
    mkdirSync(join(dir, 'evidence'));
    const r = registry();
    writeFileSync(join(dir, 'junit.xml'), `<x a="${xmlEscape(PASSWORD)}">${JWT} ${JWT}</x>`);
    writeFileSync(join(dir, 'evidence', 'case.json'), JSON.stringify({ url: `/x?api-key=${encodeURIComponent(API_KEY)}` }));
    writeFileSync(join(dir, 'clean.md'), r.mask(`all ${PASSWORD} masked ${JWT}`));
    const found = scanReports(dir, r.fingerprints());
    expect(found).toEqual(
      expect.arrayContaining([
        { file: 'junit.xml', kind: 'password', count: 1 },
        { file: 'junit.xml', kind: 'access_token', count: 2 },
        { file: 'evidence/case.json', kind: 'api_key', count: 1 },
      ]),
    );
    expect(found.filter((f) => f.file.endsWith('clean.md'))).toEqual([]);
    expect(JSON.stringify(found)).not.toContain(PASSWORD);
  });
});
