// Planted secrets: a run that forgot to mask (simulated) must be caught by the post-run scan,
// which names file and kind and never prints the secret; a properly masked run has zero hits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeSecretHits, finalizeReports, renderConsoleSummary } from '../../runner/report';
import { listFiles } from '../../runner/report/manifest';
import { createSecretRegistry, type SecretKind } from '../../helpers/secrets';
import { scanReports } from '../../runner/report/finalize';
import { meta, PLANTED, results, runFixtureJest, tmpDir, type Planted } from './support';

const KIND: Record<keyof Planted, SecretKind> = {
  password: 'password',
  accessToken: 'access_token',
  refreshToken: 'refresh_token',
  code: 'code',
  cookie: 'cookie',
  apiKey: 'api_key',
  clientSecret: 'client_secret',
};

function registry() {
  const reg = createSecretRegistry();
  for (const [k, v] of Object.entries(PLANTED) as [keyof Planted, string][]) reg.add(v, KIND[k]);
  return reg;
}

/** Every planted value, and the forms a renderer could turn it into. */
function containsAnySecret(text: string): string | undefined {
  for (const [k, v] of Object.entries(PLANTED)) {
    for (const form of [v, encodeURIComponent(v), JSON.stringify(v).slice(1, -1)]) if (text.includes(form)) return k;
  }
  return undefined;
}

async function run(leak: boolean, githubStepSummary?: string) {
  const dir = tmpDir(leak ? 'leak' : 'masked');
  await runFixtureJest(dir);
  const out = finalizeReports({
    reportsDir: dir,
    results: results(leak),
    meta: meta(),
    reports: { attachmentPrefix: '', testcaseProperties: true, ...(githubStepSummary ? { githubStepSummary } : {}) },
    fingerprints: registry().fingerprints(),
  });
  return { dir, out };
}

describe('a run that leaks (masking bug simulated)', () => {
  let dir: string;
  let out: Awaited<ReturnType<typeof run>>['out'];
  let stepSummary: string;
  beforeAll(async () => {
    stepSummary = path.join(tmpDir('gh'), 'step-summary.md');
    ({ dir, out } = await run(true, stepSummary));
  }, 60_000);

  test('the scan names the files and kinds of every planted secret', () => {
    const kinds = new Set(out.secretHits.map((h) => h.kind));
    for (const kind of Object.values(KIND)) expect({ kind, found: kinds.has(kind) }).toEqual({ kind, found: true });
    const files = new Set(out.secretHits.map((h) => h.file));
    for (const f of [
      'evidence/oauth.token.password-grant.json',
      'evidence/oauth.token.password-grant.txt',
      'results.json',
      'junit.xml',
      'summary.md',
      'summary.html',
      '<console>',
    ]) {
      expect({ f, named: files.has(f) }).toEqual({ f, named: true });
    }
    for (const h of out.secretHits) expect(h.count).toBeGreaterThan(0);
  });

  test('the hit report, the console text and secret-scan.json never contain a secret', () => {
    expect(containsAnySecret(describeSecretHits(out.secretHits))).toBeUndefined();
    expect(containsAnySecret(JSON.stringify(out.secretHits))).toBeUndefined();
    expect(containsAnySecret(out.console)).toBeUndefined();
    expect(out.console).toContain('SECRET SCAN FAILED');
    expect(out.console).toMatch(/secret leak: \d+ × access_token in junit\.xml/);
    const scan = fs.readFileSync(path.join(dir, 'secret-scan.json'), 'utf8');
    expect(containsAnySecret(scan)).toBeUndefined();
    expect(JSON.parse(scan)).toMatchObject({ withheld: expect.arrayContaining(['junit.xml', 'results.json']) });
  });

  test('leaking files are withheld from the bundle: nothing left under reports/ holds a secret', () => {
    for (const rel of listFiles(dir))
      expect({ rel, secret: containsAnySecret(fs.readFileSync(path.join(dir, rel), 'utf8')) }).toEqual({ rel, secret: undefined });
    expect(scanReports(dir, registry().fingerprints())).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'MANIFEST.sha256.json'))).toBe(true);
  });

  test('a leaking Markdown summary is not appended to $GITHUB_STEP_SUMMARY', () => {
    expect(fs.existsSync(stepSummary)).toBe(false);
  });
});

describe('a properly masked run', () => {
  test('has zero hits, keeps every file, and appends the step summary', async () => {
    const stepSummary = path.join(tmpDir('gh'), 'step-summary.md');
    const { dir, out } = await run(false, stepSummary);
    expect(out.secretHits).toEqual([]);
    expect(out.files).toEqual(expect.arrayContaining(['junit.xml', 'results.json', 'summary.md', 'summary.html', 'secret-scan.json', 'MANIFEST.sha256.json']));
    expect(out.console).not.toContain('SECRET SCAN FAILED');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'secret-scan.json'), 'utf8'))).toMatchObject({ hits: [], withheld: [] });
    expect(fs.readFileSync(stepSummary, 'utf8')).toContain('## PlaceOS auth contract');
  }, 60_000);

  test('its console summary (with colours) contains no secret', () => {
    const text = renderConsoleSummary(results(false), meta(), { color: true });
    expect(containsAnySecret(text)).toBeUndefined();
    const reg = registry();
    expect(reg.mask(text)).toBe(text);
  });
});
