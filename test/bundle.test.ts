// The staged bundle (runner/bundle.ts): written beside the reports folder, swapped in whole; only
// what the suite itself left is ever removed or replaced.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isSuiteFolder, leftovers, stageBundle } from '../runner/bundle';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'contract-bundle-'));
const write = (file: string, text = 'x') => (fs.mkdirSync(path.dirname(file), { recursive: true }), fs.writeFileSync(file, text));

test('the previous bundle stays untouched until commit, then the new one replaces it whole', () => {
  const parent = tmp();
  const reports = path.join(parent, 'reports');
  write(path.join(reports, 'results.json'), 'old');
  write(path.join(reports, 'evidence', 'old-check.json'), 'old');
  const b = stageBundle(reports, 'placeos-contract-AAAAAAAA');
  expect(b.dir).toBe(`${reports}.partial-placeos-contract-AAAAAAAA`);
  write(path.join(b.dir, 'results.json'), 'new');
  expect(fs.readFileSync(path.join(reports, 'results.json'), 'utf8')).toBe('old');
  b.commit();
  expect(fs.readFileSync(path.join(reports, 'results.json'), 'utf8')).toBe('new');
  expect(fs.existsSync(path.join(reports, 'evidence'))).toBe(false);
  expect(fs.readdirSync(parent)).toEqual(['reports']);
});

test('a new reports folder is created by the swap; discard leaves nothing behind', () => {
  const parent = tmp();
  const reports = path.join(parent, 'nested', 'reports');
  const b = stageBundle(reports, 'placeos-contract-BBBBBBBB');
  b.commit();
  expect(fs.readdirSync(reports)).toEqual([]);
  const c = stageBundle(reports, 'placeos-contract-CCCCCCCC');
  c.discard();
  expect(fs.readdirSync(path.dirname(reports))).toEqual(['reports']);
});

test('what killed runs left beside the folder is removed; folders merely named alike are not', () => {
  const parent = tmp();
  const reports = path.join(parent, 'reports');
  for (const f of ['reports.partial-placeos-contract-DDDDDDDD', 'reports.previous-placeos-contract-EEEEEEEE'])
    write(path.join(parent, f, 'evidence', 'x.json'));
  for (const f of ['reports.partial-mine', 'other.partial-placeos-contract-FFFFFFFF', 'reports.partial-placeos-contract-TOOLONG99'])
    write(path.join(parent, f, 'keep.txt'));
  expect(
    leftovers(reports)
      .map((l) => path.basename(l))
      .sort(),
  ).toEqual(['reports.partial-placeos-contract-DDDDDDDD', 'reports.previous-placeos-contract-EEEEEEEE']);
  stageBundle(reports, 'placeos-contract-GGGGGGGG').commit();
  expect(fs.readdirSync(parent).sort()).toEqual([
    'other.partial-placeos-contract-FFFFFFFF',
    'reports',
    'reports.partial-mine',
    'reports.partial-placeos-contract-TOOLONG99',
  ]);
});

test("a reports folder is the suite's when empty, holding a report, or holding nothing but bundle files; anything else is refused and kept", () => {
  const parent = tmp();
  const dir = path.join(parent, 'reports');
  expect(isSuiteFolder(dir)).toBe(true);
  fs.mkdirSync(dir);
  expect(isSuiteFolder(dir)).toBe(true);
  write(path.join(dir, 'evidence', 'half.json'));
  write(path.join(dir, 'summary.md'));
  expect(isSuiteFolder(dir)).toBe(true);
  write(path.join(dir, 'notes.txt'));
  expect(isSuiteFolder(dir)).toBe(false);
  expect(() => stageBundle(dir, 'placeos-contract-HHHHHHHH')).toThrow(/the folder is not empty and holds no previous report; choose an empty or new folder/);
  expect(fs.readdirSync(parent)).toEqual(['reports']);
  write(path.join(dir, 'junit.xml'));
  expect(isSuiteFolder(dir)).toBe(true);
});

test('a folder that gained something else during the run is not replaced at commit', () => {
  const parent = tmp();
  const reports = path.join(parent, 'reports');
  const b = stageBundle(reports, 'placeos-contract-IIIIIIII');
  write(path.join(reports, 'precious.txt'));
  expect(() => b.commit()).toThrow(/holds no previous report/);
  expect(fs.readdirSync(reports)).toEqual(['precious.txt']);
});

test('a could-not-run bundle whose reason carries a registered secret: the file is withheld, the leak said, exit 3', async () => {
  const { endFailedRun } = await import('../runner/lifecycle');
  const { createSecretRegistry } = await import('../helpers/secrets');
  const secrets = createSecretRegistry();
  const password = 'correct-horse-battery-staple-42';
  secrets.add(password, 'password');
  const reports = path.join(tmp(), 'reports');
  const lines: string[] = [];
  const code = endFailedRun(
    { bundle: stageBundle(reports, 'placeos-contract-BBBBBBBB'), target: { url: 'https://placeos.example.com', embedded: false } },
    // A reason that escaped masking: the scan is the last line of defence.
    `the deployment said: bad password ${password}`,
    { runId: 'placeos-contract-BBBBBBBB', startedAt: new Date(), fingerprints: secrets.fingerprints(), out: (s) => lines.push(s) },
  );
  expect(code).toBe(3);
  expect(lines.some((l) => /^SECRET LEAK: .* found in .*reports/.test(l))).toBe(true);
  for (const f of fs.readdirSync(reports)) {
    const p = path.join(reports, f);
    if (fs.statSync(p).isFile()) expect(fs.readFileSync(p, 'utf8')).not.toContain(password);
  }
});
