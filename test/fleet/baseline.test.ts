// --baseline against two variants of the embedded target: one with a mutant that breaks checks
// (new failures, and --fail-on new breaks the build), one with an extra member in the token
// response (benign: no verdict changes, the drift is recorded and shown).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contract, readJson, tmp, type Run } from './support';

const ONLY = ['--only', 'password-grant.form-body,password-grant.json-body'];
const dir = tmp('baseline-');
const at = (name: string) => path.join(dir, name);
interface Doc {
  shapes: Record<string, string[]>;
  comparison: {
    counts: Record<string, number>;
    changes: { caseId: string; change: string; regression: boolean }[];
    drift: { schema: string; appeared: string[]; vanished: string[] }[];
  };
}
let base: Run;
let mutant: Run;
let extra: Run;
let mutantAccepted: Run;

beforeAll(async () => {
  base = await contract([...ONLY, '--reports', at('base')]);
  [mutant, extra] = await Promise.all([
    contract([...ONLY, '--mutant', 'expires-in-string', '--baseline', at('base'), '--fail-on', 'new', '--reports', at('mutant')]),
    contract([
      ...ONLY,
      '--mutant',
      'token-response-extra-field',
      '--baseline',
      path.join(at('base'), 'results.json'),
      '--fail-on',
      'new',
      '--reports',
      at('extra'),
    ]),
  ]);
  // The mutant's failures, once they are the baseline, are accepted by --fail-on new.
  mutantAccepted = await contract([...ONLY, '--mutant', 'expires-in-string', '--baseline', at('mutant'), '--fail-on', 'new', '--reports', at('accepted')]);
}, 600_000);

test('the baseline run records the members of each schema-validated response', () => {
  expect(base.code).toBe(0);
  const doc = readJson<Doc>(path.join(at('base'), 'results.json'));
  expect(doc.shapes['token-response']).toEqual(expect.arrayContaining(['/access_token', '/expires_in', '/token_type']));
  expect(doc.shapes['token-response']).not.toContain('/placeos_reference');
});

test('a mutant: its failures are new failures, and --fail-on new breaks the build', () => {
  expect(mutant.code).toBe(1);
  const doc = readJson<Doc>(path.join(at('mutant'), 'results.json'));
  expect(doc.comparison.counts['new-failure']).toBeGreaterThan(0);
  expect(doc.comparison.changes.every((x) => x.change === 'new-failure' && x.regression)).toBe(true);
  expect(mutant.out).toMatch(/REGRESSION password-grant\.\S+: pass → fail/);
  const junit = fs.readFileSync(path.join(at('mutant'), 'junit.xml'), 'utf8');
  expect(junit).toMatch(/<property name="baseline.new-failure" value="[1-9]/);
  expect(junit).toContain('<property name="baseline_change" value="regression"/>');
  expect(fs.readFileSync(path.join(at('mutant'), 'summary.md'), 'utf8')).toMatch(
    /### Needs attention \(\d+\)\n\n\| what \| check \| details \|\n\|---\|---\|---\|\n\| 🆕 regression/,
  );
});

test('an extra response member: no verdict changes, the drift is recorded per schema and shown everywhere', () => {
  expect(extra.code).toBe(0);
  const doc = readJson<Doc>(path.join(at('extra'), 'results.json'));
  expect(doc.comparison.changes).toEqual([]);
  expect(doc.comparison.drift).toEqual([{ schema: 'token-response', appeared: ['/placeos_reference'], vanished: [] }]);
  expect(extra.out).toContain('shape drift token-response: +/placeos_reference');
  expect(fs.readFileSync(path.join(at('extra'), 'summary.md'), 'utf8')).toContain('| `token-response` | /placeos_reference | — |');
  expect(fs.readFileSync(path.join(at('extra'), 'summary.html'), 'utf8')).toMatch(
    /<tr data-schema="token-response"><td><code>token-response<\/code><\/td><td><code>\/placeos_reference<\/code>/,
  );
  expect(fs.readFileSync(path.join(at('extra'), 'junit.xml'), 'utf8')).toContain('<property name="shape_drift.token-response" value="+/placeos_reference"/>');
});

test('--fail-on new accepts failures that are already in the baseline', () => {
  expect(mutantAccepted.out).toMatch(/Result: FAIL/);
  expect(mutantAccepted.out).toMatch(/--fail-on new: 0 regressions against the baseline/);
  expect(mutantAccepted.code).toBe(0);
});

test('a baseline that is not a report is refused before anything runs', async () => {
  fs.writeFileSync(at('not-a-report.json'), '{"hello":1}');
  const r = await contract(['--baseline', at('not-a-report.json'), '--reports', at('refused-reports')]);
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/--baseline .*expected format placeos-contract-results\/1/);
});

test('the reports of an incomplete run are refused as a baseline: their errors would hide regressions', async () => {
  const doc = readJson(path.join(at('base'), 'results.json'));
  fs.writeFileSync(at('incomplete.json'), JSON.stringify({ ...doc, complete: false, reason: 'interrupted by SIGTERM' }));
  const r = await contract(['--baseline', at('incomplete.json'), '--reports', at('refused-reports')]);
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/--baseline .*incomplete\.json: that run is incomplete \(interrupted by SIGTERM\); use the reports of a complete run/);
});
