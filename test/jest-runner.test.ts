// The checks under jest (jest-preset.js, runner/jest): jest as a child process with the package's
// preset against the embedded target, its JSON report read back. jest selects the tables and the
// rows; one run checks them and writes the contract's bundle; the verdicts arrive in jest's words.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rowLocations } from '../runner/jest/tables';
import { cliEnv } from './support/cli';

const ROOT = path.resolve(__dirname, '..');
const JEST = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

interface JestJson {
  success: boolean;
  numFailedTests: number;
  numPendingTests: number;
  numRuntimeErrorTestSuites: number;
  testResults: {
    name: string;
    status: string;
    message: string;
    assertionResults: { title: string; status: string; failureMessages: string[]; location: { line: number; column: number } | null }[];
  }[];
}

/** `jest` with the preset (in `cwd`, its config `config`), its JSON report and the run's bundle. */
function jest(o: {
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  config?: object;
}): Promise<{ code: number | null; out: string; json?: JestJson; reports: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-jest-'));
  const reports = path.join(dir, 'reports');
  const config = o.config ?? { rootDir: ROOT, preset: './jest-preset.js', testEnvironmentOptions: { contract: ['--reports', reports] } };
  const outputFile = path.join(dir, 'jest.json');
  const args = [JEST, '--config', JSON.stringify(config), '--json', '--outputFile', outputFile, ...o.args];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: o.cwd ?? ROOT, env: cliEnv(o.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const json = fs.existsSync(outputFile) ? (JSON.parse(fs.readFileSync(outputFile, 'utf8')) as JestJson) : undefined;
      resolve({ code, out, json, reports });
    });
  });
}

const tests = (j: JestJson) => j.testResults.flatMap((f) => f.assertionResults.map((a) => ({ ...a, file: f.name })));

test('--listTests lists every shipped table, and nothing of the program itself', async () => {
  const r = await jest({ args: ['--listTests'] });
  expect(r.code).toBe(0);
  // with --json, the list is the JSON report
  const listed = (r.json as unknown as string[]).map((l) => path.relative(ROOT, l)).sort();
  const shipped = fs
    .readdirSync(path.join(ROOT, 'specs'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join('specs', d.name, `${d.name}.cases.ts`))
    .sort();
  expect(listed).toEqual(shipped);
}, 60_000);

test('a broken target: the rows -t selects fail in jest with verdict, requirements, observation and the row`s line; the bundle agrees', async () => {
  const r = await jest({
    args: ['--testPathPatterns', 'security-code-pkce|generation', '-t', 'pkce-wrong-verifier|generation.healthz'],
    env: { PLACEOS_REFERENCE_MUTANTS: 'pkce-verifier-ignored' },
  });
  expect(r.code).toBe(1);
  const all = tests(r.json!);
  const ran = all.filter((t) => t.status !== 'pending');
  expect(ran.map((t) => [/\[([a-z0-9.-]+)\]/.exec(t.title)?.[1], t.status]).sort()).toEqual([
    ['generation.healthz', 'passed'],
    ['security-code-pkce.pkce-wrong-verifier', 'failed'],
  ]);
  // every other row of the two tables is skipped, as jest skips what -t does not match
  expect(all.length).toBeGreaterThan(10);
  const failed = ran.find((t) => t.status === 'failed')!;
  expect(failed.failureMessages.join('\n')).toMatch(
    /^FAIL \(MUST, blocker\) \[RFC7636-4\.6[^\]]*\]: .*\nobservation: .*expected 400 invalid_grant; got 200 with access_token/,
  );
  // the location is the line of the row's id in the table
  const source = fs.readFileSync(failed.file, 'utf8').split('\n');
  expect(source[failed.location!.line - 1]).toContain('id: `${area}.pkce-wrong-verifier`');
  // the contract's bundle: results.json names the same two checks, with the verdicts jest shows
  const results = JSON.parse(fs.readFileSync(path.join(r.reports, 'results.json'), 'utf8')) as { results: { caseId: string; verdict: string }[] };
  expect(results.results.map((x) => [x.caseId, x.verdict]).sort()).toEqual([
    ['generation.healthz', 'pass'],
    ['security-code-pkce.pkce-wrong-verifier', 'fail'],
  ]);
  for (const f of ['junit.xml', 'summary.md', 'MANIFEST.sha256.json', 'secret-scan.json']) expect(fs.existsSync(path.join(r.reports, f))).toBe(true);
  expect(r.out).toMatch(/Result: FAIL/);
}, 120_000);

test('n/a is a skipped test with its reason; a deviation passes with its verdict in the title', async () => {
  const r = await jest({
    args: ['--testPathPatterns', 'security-session|token-use', '-t', 'session-cookie-samesite|credentials-in-url|token-use.api-key.param'],
  });
  expect({ code: r.code, success: r.json?.success }).toEqual({ code: 0, success: true });
  const all = tests(r.json!);
  const deviation = all.find((t) => t.title.includes('[security-session.session-cookie-samesite]'))!;
  expect(deviation).toMatchObject({ status: 'passed', title: expect.stringMatching(/\(deviation: .*SameSite=None/) });
  const na = all.filter((t) => t.title.includes('(n/a: '));
  expect(na.length).toBeGreaterThan(0);
  for (const t of na)
    expect(t).toMatchObject({ status: 'pending', title: expect.stringMatching(/\(n\/a: sends a live password, client secret or API key in the URL/) });
}, 120_000);

test('the configuration is the command line`s: PLACEOS_URL set but empty fails every table with its one line, and the bundle says the run could not be made', async () => {
  const r = await jest({ args: ['--testPathPatterns', 'generation'], env: { PLACEOS_URL: '' } });
  expect(r.code).toBe(1);
  const table = r.json!.testResults.find((f) => f.name.endsWith('generation.cases.ts'))!;
  expect(table.status).toBe('failed');
  expect(table.message).toContain('PLACEOS_URL is set but empty');
  const results = JSON.parse(fs.readFileSync(path.join(r.reports, 'results.json'), 'utf8')) as { complete: boolean; outcome: string };
  expect(results).toMatchObject({ complete: false, outcome: 'COULD NOT RUN' });
}, 120_000);

test('a table that is not one fails to run alone, naming the file and the problem', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-jest-table-'));
  fs.writeFileSync(path.join(dir, 'bad.cases.js'), "exports.area = 'acme';\nexports.cases = [{ id: 'other.x', title: 't' }];\n");
  const reports = path.join(dir, 'reports');
  const r = await jest({
    cwd: dir,
    config: { rootDir: dir, preset: path.join(ROOT, 'jest-preset.js'), testEnvironmentOptions: { contract: ['--reports', reports] } },
    args: ['--testPathPatterns', 'bad\\.cases|generation', '-t', 'healthz'],
  });
  expect(r.code).toBe(1);
  const bad = r.json!.testResults.find((f) => f.name.endsWith('bad.cases.js'))!;
  expect(bad.status).toBe('failed');
  expect(bad.message).toContain('row id "other.x": expected \'acme.<name>\'');
  // the other table still ran
  expect(tests(r.json!).find((t) => t.title.includes('[generation.healthz]'))?.status).toBe('passed');
}, 120_000);

test('rowLocations: a literal id, the template a generated id comes from, else the cases export', () => {
  const source = [
    "export const area = 'a';",
    'export const cases = [',
    "  { id: 'a.literal' },",
    '  ...XS.map((x) => ({',
    '    id: `${area}.matrix.${x}`,',
    '  })),',
    '  ...YS.map((y) => ({',
    '    id: `${area}.${y}`,',
    '  })),',
    '];',
  ].join('\n');
  const at = rowLocations(source, 'a', [{ id: 'a.literal' }, { id: 'a.matrix.one' }, { id: 'a.other' }, { id: 'b.elsewhere' }]);
  expect(Object.fromEntries([...at].map(([k, v]) => [k, v.line]))).toEqual({ 'a.literal': 3, 'a.matrix.one': 5, 'a.other': 8, 'b.elsewhere': 2 });
  expect(at.get('a.literal')?.column).toBe(5);
});

test('watch mode reads an edited table again (loadTable fresh); a JavaScript table loads as it is', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-jest-fresh-'));
  const file = path.join(dir, 'acme.cases.js');
  const table = (title: string) =>
    `exports.area = 'acme';\nexports.cases = [\n  {\n    id: 'acme.one',\n    title: '${title}',\n    requirements: ['ACME-1'],\n    level: 'MUST',\n    severity: 'low',\n    tags: [],\n    async run() {},\n  },\n];\n`;
  fs.writeFileSync(file, table('first'));
  // In plain node, as jest's runner process loads tables (this test's own require is jest's registry).
  const script = `
    const fs = require('node:fs');
    const { loadTable } = require(${JSON.stringify(path.join(ROOT, 'runner/jest/tables.ts'))});
    const file = ${JSON.stringify(file)};
    const first = loadTable(file, { fresh: false }).cases[0].title;
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("'first'", "'edited'"));
    const cached = loadTable(file, { fresh: false }).cases[0].title;
    const again = loadTable(file, { fresh: true });
    process.stdout.write(JSON.stringify({ first, cached, edited: again.cases[0].title, row: again.rows.get('acme.one') }));`;
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8', env: cliEnv({}) });
  expect(JSON.parse(r.stdout || JSON.stringify(r.stderr))).toEqual({ first: 'first', cached: 'first', edited: 'edited', row: { line: 4, column: 5 } });
});
