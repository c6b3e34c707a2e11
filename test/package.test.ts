// The suite as an npm user gets it: `npm pack` → install the tarball into an empty folder outside
// the repository → `npx placeos-contract --list` and a short run against the embedded target.
// The install uses the npm cache only (offline): the folder gets a lockfile with the same
// dependency versions as ours (without devDependencies), which is what `npm install ./<tarball>`
// would resolve, so no registry is needed and nothing beside the tarball is used.
import { cliEnv } from './support/cli';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
const { digestOf, sourceFiles } = require('../bin/build.js') as { digestOf(root: string, files: string[]): string; sourceFiles(root: string): string[] };

const REPO = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  exports: Record<string, unknown>;
  files: string[];
  engines: Record<string, string>;
  private?: boolean;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** A lockfile for a folder whose only dependency is the tarball: our lock's runtime entries. */
function scratchLock(tarball: string): object {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  const packages: Record<string, object> = {
    '': { name: 'scratch', dependencies: { [pkg.name]: `file:${tarball}` } },
    [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: `file:${tarball}`, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  // devOptional: our devDependency that a runtime package only names as an optional peer (esbuild-register)
  for (const [k, v] of Object.entries(lock.packages)) if (k !== '' && !v.dev && !v.devOptional) packages[k] = v;
  return { name: 'scratch', lockfileVersion: 3, requires: true, packages };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
  const clean = Object.fromEntries(Object.entries(cliEnv()).filter(([k]) => !k.startsWith('npm_')));
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...clean, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

test('package.json is what an npm user expects', () => {
  expect(pkg.private).toBeUndefined();
  expect(pkg.bin).toEqual({ 'placeos-contract': 'bin/placeos-contract.js' });
  expect(pkg.engines.node).toMatch(/^>=20/);
  expect(pkg.files).not.toEqual(expect.arrayContaining([expect.stringMatching(/^(test|jest\.config|scripts)/)]));
  // tools only the project's own tests need stay out of the runtime dependencies
  for (const dev of ['typescript', 'esbuild-register', '@types/node']) expect(pkg.dependencies[dev]).toBeUndefined();
  // a jest preset (`preset: 'placeos-auth-contract'`) and the kit for a user's own checks: jest runs them, so it is a dependency
  expect(pkg.dependencies.jest).toBeDefined();
  expect(pkg.exports).toMatchObject({ './kit': { types: './helpers/kit/public.ts', default: './bin/kit.js' }, './jest-preset': './jest-preset.js' });
});

describe('npm pack → install into an empty folder → npx placeos-contract', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'placeos-pack-'));
  const scratch = path.join(work, 'scratch');
  let tarball = '';
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the tarball ships the program, ledgers, schemas, docs and the vendored key, and no tests', () => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(work, packed[0]!.filename);
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/placeos-contract.js',
        'runner/main.ts',
        'helpers/requirements.ts',
        'ledger/rails.json',
        'ledger/authcr.json',
        'keys/placeos-default/public.pem',
        'keys/placeos-default/private.pem',
        'keys/placeos-default/README.md',
        'docs/contract.md',
        'docs/extending.md',
        'jest-preset.js',
        'bin/jest-runner.js',
        'bin/kit.js',
        'helpers/kit/public.ts',
        'reference/src/index.ts',
        'README.md',
        'LICENSE',
      ]),
    );
    expect(files.some((f) => f.startsWith('schemas/') && f.endsWith('.json'))).toBe(true);
    // The compiled program (bin/build.js), of exactly these sources: an install runs it as shipped.
    const built = files.filter((f) => /^build\/[0-9a-f]{16}\/\.complete$/.test(f));
    expect(built).toEqual([`build/${digestOf(REPO, sourceFiles(REPO))}/.complete`]);
    expect(files).toContain(built[0]!.replace('.complete', 'runner/main.js'));
    expect(files).toContain(built[0]!.replace('.complete', 'runner/jest/runner.js'));
    expect(files).toContain(built[0]!.replace('.complete', 'helpers/kit/public.js'));
    expect(files.filter((f) => /^test\/|\/test\/|\.test\.ts$|^jest\.config|^\.ci\//.test(f))).toEqual([]);
  }, 120_000);

  test('installs from the npm cache with no devDependency, and --list prints the catalogue', () => {
    expect(tarball).not.toBe('');
    fs.mkdirSync(scratch);
    fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, dependencies: { [pkg.name]: `file:${tarball}` } }));
    fs.writeFileSync(path.join(scratch, 'package-lock.json'), JSON.stringify(scratchLock(tarball)));
    const install = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], scratch);
    expect({ code: install.code, out: install.code === 0 ? '' : install.out }).toEqual({ code: 0, out: '' });
    // devDependencies stay out unless a runtime dependency needs them too (jest's types pull @types/node)
    const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
    };
    const devOnly = Object.keys(pkg.devDependencies).filter((d) => lock.packages[`node_modules/${d}`]?.dev || lock.packages[`node_modules/${d}`]?.devOptional);
    expect(devOnly).toEqual(expect.arrayContaining(['typescript', 'esbuild-register']));
    for (const dev of devOnly) expect({ dev, installed: fs.existsSync(path.join(scratch, 'node_modules', dev)) }).toEqual({ dev, installed: false });

    const list = run('npx', ['placeos-contract', '--list', '--json'], scratch);
    expect(list.code).toBe(0);
    const catalogue = JSON.parse(list.out) as unknown[];
    expect(catalogue.length).toBeGreaterThan(100);
    expect(list.out).toContain('docs/contract.md#');
  }, 600_000);

  test('a short embedded run writes its reports into that folder, judged with the ledger shipped in the package', () => {
    const r = run('npx', ['placeos-contract', '--only', 'security-session'], scratch);
    expect({ code: r.code, result: /Result: PASS/.test(r.out) }).toEqual({ code: 0, result: true });
    for (const f of ['junit.xml', 'summary.md', 'results.json', 'MANIFEST.sha256.json', 'SHA256SUMS'])
      expect(fs.existsSync(path.join(scratch, 'reports', f))).toBe(true);
    expect(run('sha256sum', ['--strict', '-c', 'SHA256SUMS'], path.join(scratch, 'reports')).code).toBe(0);
    // The installed command verifies the bundle too (no clone, no npm script).
    const verify = run('npx', ['placeos-contract', 'verify', 'reports'], scratch);
    expect({ code: verify.code, ok: /^OK: reports matches its manifest$/m.test(verify.out) }).toEqual({ code: 0, ok: true });
    // rails' SameSite=None session cookie is a listed deviation: the shipped ledger was found, as
    // were the shipped schemas; the folder holds nothing of the suite but node_modules/.
    const results = JSON.parse(fs.readFileSync(path.join(scratch, 'reports', 'results.json'), 'utf8')) as { counts: Record<string, number> };
    expect(results.counts).toMatchObject({ deviation: 1, fail: 0, error: 0 });
    expect(fs.readdirSync(scratch).sort()).toEqual(['node_modules', 'package-lock.json', 'package.json', 'reports']);
    // It ran the shipped build: nothing was compiled in the installed package.
    expect(fs.readdirSync(path.join(scratch, 'node_modules', pkg.name, 'build'))).toEqual([digestOf(REPO, sourceFiles(REPO))]);
  }, 300_000);

  test("docs/extending.md's example: a jest config with the preset and a table of one's own, run by jest beside the shipped checks", () => {
    expect(fs.existsSync(path.join(scratch, 'node_modules', pkg.name))).toBe(true);
    // The example's files, exactly as the document gives them.
    const doc = fs.readFileSync(path.join(REPO, 'docs', 'extending.md'), 'utf8');
    const files = [...doc.matchAll(/<!-- file: (\S+) -->\n\n```\w+\n([\s\S]*?)```/g)].map((m) => ({ name: m[1]!, text: m[2]! }));
    expect(files.map((f) => f.name).sort()).toEqual(['checks/acme-tokens.cases.ts', 'jest.config.js']);
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(scratch, f.name)), { recursive: true });
      fs.writeFileSync(path.join(scratch, f.name), f.text);
    }
    const r = run('npx', ['jest', '--testPathPatterns', 'acme-tokens|security-session', '--json', '--outputFile', 'jest.json'], scratch);
    expect({ code: r.code, out: r.code === 0 ? '' : r.out }).toEqual({ code: 0, out: '' });
    const report = JSON.parse(fs.readFileSync(path.join(scratch, 'jest.json'), 'utf8')) as {
      testResults: { name: string; assertionResults: { title: string; status: string }[] }[];
    };
    const byFile = Object.fromEntries(
      report.testResults.map((f) => [path.basename(f.name), f.assertionResults.map((a) => [/\[(\S+)\]/.exec(a.title)?.[1], a.status])]),
    );
    expect(byFile['acme-tokens.cases.ts']).toEqual([
      ['acme-tokens.service-token-lifetime', 'passed'],
      ['acme-tokens.unknown-grant-refused', 'passed'],
      ['acme-tokens.authcr-only', 'pending'],
    ]);
    // the shipped table ran from the installed package, beside ours
    expect(byFile['security-session.cases.ts']?.length).toBeGreaterThan(0);
    // one run, one bundle: the user's checks are in results.json with the shipped ones
    const results = JSON.parse(fs.readFileSync(path.join(scratch, 'contract-reports', 'results.json'), 'utf8')) as {
      results: { caseId: string; verdict: string }[];
    };
    const verdicts = Object.fromEntries(results.results.map((x) => [x.caseId, x.verdict]));
    expect(verdicts).toMatchObject({
      'acme-tokens.service-token-lifetime': 'pass',
      'acme-tokens.unknown-grant-refused': 'pass',
      'acme-tokens.authcr-only': 'n/a',
    });
    expect(Object.keys(verdicts).filter((id) => id.startsWith('security-session.')).length).toBe(byFile['security-session.cases.ts']!.length);
    expect(fs.existsSync(path.join(scratch, 'contract-reports', 'junit.xml'))).toBe(true);
  }, 300_000);
});
