// The habits of the tools platform engineers already use: --version, --list with the run's own
// selection, --skip, --dry-run without a request, --bail, colours only on a terminal, --verbose.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, cliEnv, contract, ROOT } from './support/cli';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'contract-flags-'));
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);

test('--version and -V print the package version', async () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = await contract([flag]);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(`placeos-contract ${version}`);
  }
});

test('--list honours --only, --skip and --tags and names exactly the checks the run makes', async () => {
  const selection = ['--only', 'security-bearer,generation', '--skip', 'security-bearer.query,generation.pkce'];
  const listed = JSON.parse((await contract(['--list', '--json', ...selection])).out) as { id: string }[];
  expect(listed.length).toBeGreaterThan(3);
  expect(listed.every((c) => /^(security-bearer|generation)\./.test(c.id) && !/^(security-bearer\.query|generation\.pkce)/.test(c.id))).toBe(true);
  const reports = path.join(tmp(), 'reports');
  const run = await contract(['--reports', reports, ...selection]);
  expect(run.code).toBe(0);
  const ran = (JSON.parse(fs.readFileSync(path.join(reports, 'results.json'), 'utf8')) as { results: { caseId: string }[] }).results.map((r) => r.caseId);
  expect(ran).toEqual(listed.map((c) => c.id));
  expect(run.out).toMatch(/selection: --only security-bearer,generation · --skip security-bearer\.query,generation\.pkce/);
  const tagged = JSON.parse((await contract(['--list', '--json', '--tags', 'smoke'])).out) as { tags: string[] }[];
  expect(tagged.length).toBeGreaterThan(0);
  expect(tagged.every((c) => c.tags.includes('smoke'))).toBe(true);
}, 60_000);

test('--dry-run names the target, settings, ledger, reports and checks, and makes no request', async () => {
  // A listening socket that counts connections: a dry run must make none.
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const dir = tmp();
    const r = await contract(['--dry-run', '--only', 'inspect', '--reports', path.join(dir, 'reports')], {
      PLACEOS_URL: `http://127.0.0.1:${port}`,
      PLACEOS_USER_EMAIL: 'u@example.com',
      PLACEOS_USER_PASSWORD: 'a-password-never-shown',
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`Target: +http://127\\.0\\.0\\.1:${port} \\(a deployment\\)`));
    expect(r.out).toMatch(/userAccount +yes/);
    expect(r.out).toMatch(/Checks: +\d+ checks in 1 area \(--only inspect\)/);
    expect(r.out).not.toContain('a-password-never-shown');
    expect(connections).toBe(0);
    expect(fs.existsSync(path.join(dir, 'reports'))).toBe(false);
  } finally {
    server.close();
  }
});

test('--bail: no check starts after the first breaking verdict; the rest are n/a saying so, the reports are written', async () => {
  const reports = path.join(tmp(), 'reports');
  const r = await contract(['--bail', '--mutant', 'pkce-verifier-ignored', '--only', 'generation,security-code-pkce', '--reports', reports]);
  expect(r.code).toBe(1);
  const results = (JSON.parse(fs.readFileSync(path.join(reports, 'results.json'), 'utf8')) as { results: { verdict: string; message?: string }[] }).results;
  const notRun = results.filter((x) => x.message?.startsWith('not run: --bail stopped the run after'));
  expect(notRun.length).toBeGreaterThan(0);
  expect(notRun.every((x) => x.verdict === 'n/a')).toBe(true);
  expect(results.filter((x) => x.verdict === 'fail').length).toBeGreaterThanOrEqual(1);
  expect(fs.existsSync(path.join(reports, 'junit.xml'))).toBe(true);
  expect(r.out).toMatch(/Cleanup: \d+ revocation/);
}, 60_000);

test('--verbose streams every request with its status as it happens', async () => {
  const r = await contract(['--verbose', '--only', 'generation', '--reports', path.join(tmp(), 'reports')]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^ {4}GET \/auth\/authority → 200 \d+ ms {2}\[detection/m);
  expect(r.out).toMatch(/^ {4}POST \/auth\/signin → \d{3} \d+ ms {2}\[generation\.pkce-level/m);
  // Requests come before the area's line: they are printed as they happen, not after the run.
  expect(r.out.indexOf('[generation.healthz')).toBeLessThan(r.out.indexOf('✓ generation'));
  expect(await contract(['--verbose', '--quiet'])).toMatchObject({ code: 2, out: expect.stringMatching(/--verbose and --quiet exclude each other/) });
}, 60_000);

describe('colours: only on a terminal, and never with NO_COLOR or --no-color', () => {
  // `script` runs the command on a pseudo-terminal (util-linux), as a developer's shell would.
  const onTerminal = (args: string[], env: Record<string, string> = {}) => {
    const cmd = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
    return spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: cliEnv(env), encoding: 'utf8' }).stdout;
  };
  const run = ['--only', 'generation.healthz'];
  test('a terminal gets colours; a pipe does not', async () => {
    expect(onTerminal([...run, '--reports', path.join(tmp(), 'r')])).toMatch(ANSI);
    expect((await contract([...run, '--reports', path.join(tmp(), 'r')])).out).not.toMatch(ANSI);
  }, 60_000);
  test.each([
    [['--no-color'], {}],
    [[], { NO_COLOR: '1' }],
  ] as const)(
    '%j %j on a terminal: no colours',
    (flags, env) => {
      expect(onTerminal([...run, ...flags, '--reports', path.join(tmp(), 'r')], env)).not.toMatch(ANSI);
    },
    60_000,
  );
});
