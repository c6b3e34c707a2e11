// Pure parts of release verification and fleets: baseline classification and shape drift, the
// fleet file, shard selection, JUnit merging, the HTML filters and what needs attention first.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseShard, shardOf, UsageError } from '../../runner/args';
import { classify, compareWithBaseline, diffShapes } from '../../runner/report/baseline';
import { membersOf } from '../../runner/report/shapes';
import { loadFleet } from '../../runner/fleet/file';
import { childArgs, childEnv } from '../../runner/fleet/run';
import { mergeJunit } from '../../runner/fleet/merge';
import { worstExit } from '../../runner/fleet/report';
import { renderHtmlSummary, renderMarkdownSummary } from '../../runner/report';
import { parseArgs } from '../../runner/args';
import type { CaseResult } from '../../helpers/model';

const result = (caseId: string, verdict: CaseResult['verdict'], extra: Partial<CaseResult> = {}): CaseResult => ({
  caseId,
  area: caseId.split('.')[0]!,
  title: caseId,
  requirements: ['RFC6749-5.1'],
  level: 'MUST',
  severity: 'high',
  tags: [],
  generation: 'rails',
  verdict,
  findings: [],
  exchanges: [],
  startedAt: '2026-01-01T00:00:00Z',
  durationMs: 1,
  ...extra,
});

test('classify: new failure, fixed, changed, unchanged, new and removed checks', () => {
  expect(classify('pass', 'fail', false)).toBe('new-failure');
  expect(classify('fail', 'pass', false)).toBe('fixed');
  expect(classify('pass', 'warn', false)).toBe('changed');
  expect(classify('pass', 'warn', true)).toBe('new-failure');
  expect(classify('fail', 'fail', false)).toBe('unchanged');
  expect(classify('fail', 'error', false)).toBe('changed');
  expect(classify(undefined, 'pass', false)).toBe('new-check');
  expect(classify('pass', undefined, false)).toBe('removed-check');
});

test('a new check that fails is a regression; a known failure is not', () => {
  const base = {
    file: 'b.json',
    verdicts: new Map([
      ['a.one', 'fail' as const],
      ['a.two', 'pass' as const],
    ]),
    shapes: {},
  };
  const c = compareWithBaseline([result('a.one', 'fail'), result('a.two', 'pass'), result('a.three', 'fail')], {}, base, false);
  expect(c.changes.filter((x) => x.regression).map((x) => x.caseId)).toEqual(['a.three']);
  expect(c.counts).toMatchObject({ unchanged: 2, 'new-check': 1 });
});

test('shape drift: members that appeared or vanished per schema, schemas seen once not compared', () => {
  const d = diffShapes(
    { 'token-response': ['/access_token', '/created_at'], jwks: ['/keys'] },
    { 'token-response': ['/access_token', '/extra'], discovery: ['/issuer'] },
  );
  expect(d.drift).toEqual([{ schema: 'token-response', appeared: ['/extra'], vanished: ['/created_at'] }]);
  expect(d.notCompared).toEqual(['discovery', 'jwks']);
  expect([...membersOf({ a: { b: 1 }, list: [{ c: 1 }, { d: 2 }], 'x/y': 1 })].sort()).toEqual(['/a', '/a/b', '/list', '/list/*/c', '/list/*/d', '/x~1y']);
});

test('summaries open with what needs attention, regressions first', () => {
  const base = {
    file: 'b.json',
    runId: 'base-run',
    verdicts: new Map([
      ['a.known', 'fail' as const],
      ['a.new', 'pass' as const],
    ]),
    shapes: { 'token-response': ['/a'] },
  };
  const rs = [
    result('a.known', 'fail', { message: 'known' }),
    result('a.new', 'fail', { message: 'new one' }),
    result('a.ok', 'pass', { ledger: { check: 'a.ok', observed: { actual: '200' }, reason: 'r', owner: 'o', reviewBy: '2020-01-01', stale: true } }),
  ];
  const comparison = compareWithBaseline(rs, { 'token-response': ['/a', '/b'] }, base, false);
  const meta = {
    runId: 'r',
    suiteVersion: '0',
    schemaDigest: 'd',
    target: 'http://x',
    embedded: true,
    generation: 'rails',
    generationSource: 'detected',
    startedAt: '2026-01-01T00:00:00Z',
    endedAt: '2026-01-01T00:00:01Z',
    node: 'v20',
    jestJunit: '17',
    strict: false,
    ci: {},
    requestCount: 1,
  } as never;
  const md = renderMarkdownSummary(rs, meta, { comparison });
  const attention = md.indexOf('### Needs attention (3)');
  expect(attention).toBeGreaterThan(0);
  expect(attention).toBeLessThan(md.indexOf('| area |'));
  expect(md.indexOf('regression | `a.new`')).toBeLessThan(md.indexOf('fail | `a.known`'));
  expect(md).toMatch(/stale ledger entry \| `a\.ok`/);
  expect(md).toMatch(/\| `token-response` \| \/b \| — \|/);
  const html = renderHtmlSummary(rs, meta, { comparison });
  expect(html.indexOf('id="attention"')).toBeLessThan(html.indexOf('id="verdicts"'));
  expect(html).toContain('<select id="f-verdict"');
  expect(html).toContain(
    'body:has(#f-requirement option[value="RFC6749-5.1"]:checked) #verdicts-table tbody tr:not([data-requirements~="RFC6749-5.1"]){display:none}',
  );
  expect(html).toContain('data-area="a" data-severity="high" data-requirements="RFC6749-5.1"');
  // Links to RFC sections are fine (nothing is fetched); a script, a stylesheet or an image from the network is not.
  expect(html).not.toMatch(/<script|<link|(src|srcset)="https?:|url\(https?:/);
});

test('--shard i/n is validated and splits a list stably', () => {
  expect(parseShard('2/3')).toEqual({ index: 2, total: 3 });
  expect(() => parseShard('0/2')).toThrow(UsageError);
  expect(() => parseShard('3/2')).toThrow(/1 ≤ i ≤ n/);
  const items = ['a', 'b', 'c', 'd', 'e'];
  const parts = [1, 2].map((index) => shardOf(items, { index, total: 2 }));
  expect(parts).toEqual([
    ['a', 'c', 'e'],
    ['b', 'd'],
  ]);
  expect(parts.flat().sort()).toEqual(items);
  expect(() => parseArgs(['--fail-on', 'new'])).toThrow(/needs --baseline/);
  expect(() => parseArgs(['--fleet-concurrency', '0'])).toThrow(/1 to 64/);
});

describe('fleet file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-file-'));
  const write = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
  fs.writeFileSync(path.join(dir, 'a.env'), 'PLACEOS_URL=https://a.example\n');

  test('YAML and JSON, env files relative to the fleet file, ${VAR} from the environment', () => {
    const y = write(
      'f.yaml',
      'deployments:\n  - name: site-a\n    env: a.env\n    generation: rails\n  - name: site-b\n    settings:\n      PLACEOS_URL: https://b.example\n      PLACEOS_SERVICE_PASSWORD: ${SITE_B_PW}\n',
    );
    const ds = loadFleet(y, { SITE_B_PW: 'pw-from-ci' });
    expect(ds.map((d) => d.name)).toEqual(['site-a', 'site-b']);
    expect(ds[0]!.envFile).toBe(path.join(dir, 'a.env'));
    expect(ds[1]!.settings.PLACEOS_SERVICE_PASSWORD).toBe('pw-from-ci');
    const j = write('f.json', JSON.stringify([{ name: 'x', settings: { PLACEOS_REFERENCE_PROFILE: 'authcr' } }]));
    expect(loadFleet(j, {})[0]!.settings).toEqual({ PLACEOS_REFERENCE_PROFILE: 'authcr' });
  });

  test.each([
    ['a deployment without a name', '- env: a.env\n', /name/],
    ['a name that is not a folder name', '- name: ../up\n', /pattern/],
    ['an unknown member', '- name: a\n  url: x\n', /additional.*'url'/],
    ['a setting that is not PLACEOS_*', '- name: a\n  settings: { HOME: x }\n', /property name/],
    ['a missing env file', '- name: a\n  env: nope.env\n', /env file nope.env not found/],
    ['a name used twice', '- { name: a, settings: { PLACEOS_URL: "https://a.example" } }\n- name: A\n', /used twice/],
    ['a deployment without a URL', '- name: a\n  settings: { PLACEOS_TIMEOUT_MS: 5000 }\n', /deployment 1 \(a\): names no deployment \(no PLACEOS_URL/],
    ['a deployment whose URL is empty', '- name: a\n  settings: { PLACEOS_URL: "" }\n', /names no deployment/],
    ['an unset ${VAR}', '- name: a\n  settings: { PLACEOS_URL: "${NOPE}" }\n', /\$\{NOPE\}, which is not set/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => loadFleet(write('bad.yaml', text), {})).toThrow(message);
  });

  test('a child gets its own settings only (never another deployment’s or the shell’s PLACEOS_*)', () => {
    const d = { name: 'b', settings: { PLACEOS_URL: 'https://b.example' } };
    const env = childEnv(
      { PLACEOS_URL: 'https://shell.example', PLACEOS_SERVICE_PASSWORD: 'shell', PLACEOS_REPORT_SIGNING_KEY: 'k', PATH: '/bin', GITHUB_STEP_SUMMARY: '/s' },
      d,
    );
    expect(env).toMatchObject({ PLACEOS_URL: 'https://b.example', PLACEOS_REPORT_SIGNING_KEY: 'k', PATH: '/bin' });
    expect(env.PLACEOS_SERVICE_PASSWORD).toBeUndefined();
    expect(env.GITHUB_STEP_SUMMARY).toBeUndefined();
    const args = childArgs(parseArgs(['--strict', '--tags', 'smoke']), { ...d, generation: 'authcr' }, '/r');
    expect(args).toEqual(['--quiet', '--reports', path.join('/r', 'b'), '--generation', 'authcr', '--strict', '--tags', 'smoke']);
  });
});

test('worst exit code of a fleet; JUnit of shards merged keeps every suite', () => {
  expect(worstExit([0, 1, 0])).toBe(1);
  expect(worstExit([1, 2, 0])).toBe(2);
  expect(worstExit([])).toBe(0);
  // An interrupt outranks a failure; a secret leak outranks everything.
  expect(worstExit([1, 143, 2])).toBe(143);
  expect(worstExit([143, 3, 0])).toBe(3);
  const a =
    '<?xml version="1.0"?><testsuites tests="1" failures="1" errors="0"><testsuite name="x"><testcase name="t1"><failure message="m"/></testcase></testsuite></testsuites>';
  const b =
    '<?xml version="1.0"?><testsuites tests="2" failures="0" errors="1"><testsuite name="y"><testcase name="t2"/><testcase name="t3"><error message="e &amp; f"/></testcase></testsuite></testsuites>';
  const merged = mergeJunit([a, b]);
  expect(merged).toMatch(/<testsuites name="PlaceOS auth contract" tests="3" failures="1" errors="1">/);
  expect(merged.match(/<testsuite /g)).toHaveLength(2);
  expect(merged).toContain('message="e &amp; f"');
});
