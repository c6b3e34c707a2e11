// A real jest-junit file (jest run programmatically on test/report/fixtures) plus synthetic
// CaseResults, finalised; the JUnit is checked with fast-xml-parser the way GitLab/Jenkins read it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { finalizeReports } from '../../runner/report';
import { enrichJunitXml } from '../../runner/report/junit';
import { toJestResults, writeJestJunit } from '../../runner/report/jest-junit';
import { FIXTURES, meta, results, runFixtureJest, tmpDir } from './support';

interface Prop {
  name: string;
  value: string;
}
interface Case {
  classname: string;
  name: string;
  properties?: { property: Prop[] };
  failure?: ({ message?: string; type?: string } | string)[];
  error?: { message?: string }[];
  skipped?: { message?: string }[];
  'system-out'?: string[];
}
interface Suite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  timestamp: string;
  properties: { property: Prop[] };
  testcase: Case[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name, _path, _leaf, isAttribute) =>
    !isAttribute && ['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped', 'system-out'].includes(name),
});

let dir: string;
let xml: string;
let suites: Suite[];
let cases: Case[];
const byId = (id: string) => {
  const c = cases.find((x) => x.properties?.property.some((p) => p.name === 'check_id' && p.value === id));
  if (!c) throw new Error(`no testcase for ${id}`);
  return c;
};
const props = (c: { properties?: { property: Prop[] } }) => c.properties?.property ?? [];
const prop = (c: { properties?: { property: Prop[] } }, name: string) =>
  props(c)
    .filter((p) => p.name === name)
    .map((p) => p.value);

beforeAll(async () => {
  dir = tmpDir('junit');
  await runFixtureJest(dir);
  const rs = results();
  expect(rs).toHaveLength(7);
  const out = finalizeReports({ reportsDir: dir, results: rs, meta: meta(), reports: { attachmentPrefix: '', testcaseProperties: true }, fingerprints: [] });
  expect(out.secretHits).toEqual([]);
  xml = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8');
  const doc = parser.parse(xml) as { testsuites: { testsuite: Suite[] } & Record<string, string> };
  suites = doc.testsuites.testsuite;
  cases = suites.flatMap((s) => s.testcase);
}, 60_000);

test('the enriched JUnit is well-formed XML with one suite per fixture file', () => {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(suites.map((s) => s.name).sort()).toEqual(['oauth.authorize', 'oauth.token']);
  expect(cases).toHaveLength(8);
});

test('every testcase carries requirement, level, severity, verdict, generation, check id and evidence', () => {
  for (const c of cases) {
    for (const name of ['requirement', 'requirements', 'level', 'severity', 'verdict', 'generation', 'check_id', 'evidence']) {
      expect({ case: c.name, name, has: prop(c, name).length > 0 }).toEqual({ case: c.name, name, has: true });
    }
  }
  const pkce = byId('oauth.token.pkce-plain');
  expect(prop(pkce, 'requirement')).toEqual(['RFC7636-4.6', 'RFC9700-2.1.1']);
  expect(prop(pkce, 'requirements')).toEqual(['RFC7636-4.6,RFC9700-2.1.1']);
  expect(prop(pkce, 'level')).toEqual(['MUST']);
  expect(prop(pkce, 'severity')).toEqual(['blocker']);
  expect(prop(pkce, 'generation')).toEqual(['rails']);
  expect(prop(byId('oauth.token.cache-control'), 'verdict')).toEqual(['warn']);
  expect(prop(byId('oauth.token.refresh-rotation'), 'ledger_owner')).toEqual(['platform-team']);
});

test('each testcase links its evidence with an [[ATTACHMENT|…]] line that points at a real file', () => {
  for (const c of cases) {
    const out = (c['system-out'] ?? []).join('\n');
    const m = /\[\[ATTACHMENT\|([^\]]+)\]\]/.exec(out);
    expect(m).not.toBeNull();
    expect(fs.existsSync(path.join(dir, m![1]!))).toBe(true);
    expect(m![1]).toBe(prop(c, 'evidence')[0]);
  }
});

test('a failing check keeps its <failure> and gains a [requirement] message', () => {
  const pkce = byId('oauth.token.pkce-plain');
  const f = pkce.failure?.[0] as { message?: string; '#text'?: string };
  expect(f.message).toBe('[RFC7636-4.6, RFC9700-2.1.1] expected 400 invalid_request, got 200 with an access token [REDACTED:access_token#1]');
  expect(f['#text']).toContain('FAIL: expected 400');
});

test('an error verdict becomes <error>; n/a becomes <skipped>; warn and deviation pass with a stated verdict', () => {
  const err = byId('oauth.authorize.code');
  expect(err.failure).toBeUndefined();
  expect(err.error?.[0]?.message).toBe('[RFC6749-4.1.2] socket hang up (ECONNRESET) after 3 attempts');
  const na = byId('oauth.token.client-credentials');
  expect(na.skipped?.[0]?.message).toBe('n/a: setting clientSecret missing (PLACEOS_CONFIDENTIAL_CLIENT_SECRET)');
  for (const [id, word] of [
    ['oauth.token.cache-control', 'WARN'],
    ['oauth.token.refresh-rotation', 'DEVIATION'],
  ] as const) {
    const c = byId(id);
    expect(c.failure).toBeUndefined();
    expect(c.skipped).toBeUndefined();
    expect((c['system-out'] ?? []).join('\n')).toContain(word);
  }
  const dev = (byId('oauth.token.refresh-rotation')['system-out'] ?? []).join('\n');
  expect(dev).toMatch(/owner platform-team; review by 2026-06-30/);
  // What was observed stays next to the ledger's reason (the reason does not replace it).
  expect(dev).toMatch(/OBSERVED: refresh token .* still valid after use\nLEDGER REASON: Doorkeeper reuses refresh tokens on rails/);
  expect(prop(byId('oauth.token.refresh-rotation'), 'ledger_observed')).toEqual(['200 with access_token']);
});

test('suite counts agree with the testcases', () => {
  for (const s of suites) {
    expect(Number(s.tests)).toBe(s.testcase.length);
    expect(Number(s.failures)).toBe(s.testcase.filter((c) => c.failure).length);
    expect(Number(s.errors)).toBe(s.testcase.filter((c) => c.error).length);
    expect(Number(s.skipped)).toBe(s.testcase.filter((c) => c.skipped).length);
  }
  const token = suites.find((s) => s.name === 'oauth.token')!;
  expect([token.failures, token.errors, token.skipped]).toEqual(['1', '0', '1']);
  const root = (parser.parse(xml) as { testsuites: Record<string, string> }).testsuites;
  expect([root.tests, root.failures, root.errors]).toEqual(['8', '1', '1']);
});

test('every suite carries the run properties and a timestamp with a zone designator', () => {
  for (const s of suites) {
    expect(s.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    const p = Object.fromEntries(props(s).map((x) => [x.name, x.value]));
    expect(p).toMatchObject({
      target: 'https://placeos.example.com',
      generation: 'rails',
      generation_source: 'detected',
      deployment_version: 'authority 3.4.1',
      suite_version: '0.1.0',
      suite_commit: '2b4dfa8',
      schema_digest: 'sha256:1f2e3d',
      started_at: '2025-01-31T10:00:00.000+01:00',
      ended_at: '2025-01-31T10:00:42.500+01:00',
      node: 'v20.19.0',
      jest_junit: '17.0.0',
      strict: 'false',
      ci_job_id: '4711',
      ci_pipeline_id: '815',
    });
  }
});

test('no two testcases share classname+name (the duplicate fixture test is suffixed)', () => {
  const keys = cases.map((c) => `${c.classname}\u0000${c.name}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(cases.map((c) => c.name)).toContain('Login page is served [oauth.authorize.login-page] (2)');
});

test('the attachment prefix and the option to leave testcase properties out', () => {
  const raw = `<?xml version="1.0" encoding="UTF-8"?><testsuites name="x" tests="1" failures="0" errors="0" time="0"><testsuite name="s" errors="0" failures="0" skipped="0" timestamp="2025-01-31T09:00:00" time="0" tests="1"><testcase classname="oauth.token" name="Password grant returns a bearer token [oauth.token.password-grant]" time="0"></testcase></testsuite></testsuites>`;
  const out = enrichJunitXml(
    raw,
    results(),
    meta(),
    { 'oauth.token.password-grant': 'evidence/oauth.token.password-grant.json' },
    { attachmentPrefix: 'reports/', testcaseProperties: false },
  );
  expect(out).toContain('[[ATTACHMENT|reports/evidence/oauth.token.password-grant.json]]');
  expect(out).not.toMatch(/<testcase[^>]*>\s*<properties>/);
  expect(out).toMatch(/timestamp="2025-01-31T\d\d:00:00\.000[+-]\d\d:\d\d"/);
  expect(XMLValidator.validate(out)).toBe(true);
});

test('evidence files hold the exchanges as JSON and as a readable transcript', () => {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'evidence/oauth.token.password-grant.json'), 'utf8')) as { exchanges: unknown[] };
  expect(json.exchanges).toHaveLength(2);
  const txt = fs.readFileSync(path.join(dir, 'evidence/oauth.token.password-grant.txt'), 'utf8');
  expect(txt).toContain('> POST https://placeos.example.com/auth/oauth/token');
  expect(txt).toContain('< 200');
  expect(txt).toMatch(/attempt 2 · started 2025-01-31T09:00:02.000Z · 12 ms/);
  // Bodies as recorded, byte for byte (not re-serialised).
  expect(txt).toContain('{"access_token":"[REDACTED:access_token#1]"');
});

test('the bundle holds every report file and a manifest', () => {
  const files = fs.readdirSync(dir).sort();
  expect(files).toEqual(['MANIFEST.sha256.json', 'SHA256SUMS', 'evidence', 'junit.xml', 'results.json', 'secret-scan.json', 'summary.html', 'summary.md']);
});

test('a JUnit file that cannot be enriched does not stop the scan and the manifest', () => {
  const d = tmpDir('badjunit');
  fs.writeFileSync(path.join(d, 'junit.xml'), '<not-junit/>');
  const out = finalizeReports({
    reportsDir: d,
    results: results(),
    meta: meta(),
    reports: { attachmentPrefix: '', testcaseProperties: true },
    fingerprints: [],
  });
  expect(out.console).toMatch(/note: junit\.xml left unenriched/);
  expect(out.files).toContain('MANIFEST.sha256.json');
});

test("the run's JUnit (jest-junit fed the results in jest's format) is the one a jest run of the same tables writes", async () => {
  const fromJest = tmpDir('junit-jest');
  const ours = tmpDir('junit-ours');
  await runFixtureJest(fromJest);
  const rs = results();
  // The fixture names one check twice (the enrichment makes such pairs unique).
  rs.push(rs.find((r) => r.caseId === 'oauth.authorize.login-page')!);
  const areas = [
    { area: 'oauth.authorize', file: path.join(FIXTURES, 'authorize.fixture.ts') },
    { area: 'oauth.token', file: path.join(FIXTURES, 'oauth.fixture.ts') },
  ];
  await writeJestJunit(ours, FIXTURES, toJestResults(rs, areas, { strict: false, startedAt: new Date() }));
  const shape = (dir: string) => {
    const doc = parser.parse(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8')) as { testsuites: { testsuite: (Suite & { file?: string })[] } };
    return doc.testsuites.testsuite
      .map((s) => ({
        name: s.name,
        counts: [s.tests, s.failures, s.errors, s.skipped],
        cases: s.testcase.map((c) => ({
          classname: c.classname,
          name: c.name,
          file: (c as { file?: string }).file,
          // The verdict word of the failure text (the fixture's messages are shorter than the results').
          failure: (c.failure ?? []).map((f) => /\] (FAIL|ERROR):/.exec(typeof f === 'string' ? f : (f.message ?? ''))?.[1]),
        })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  };
  expect(shape(ours)).toEqual(shape(fromJest));
  expect(shape(ours).flatMap((s) => s.cases.flatMap((c) => c.failure))).toEqual(['ERROR', 'FAIL']);
  expect(fs.readFileSync(path.join(ours, 'junit.xml'), 'utf8')).toContain('[RFC7636-4.6, RFC9700-2.1.1] FAIL: expected 400 invalid_request');
}, 60_000);
