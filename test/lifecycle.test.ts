// The run tells the truth about itself: a child process of bin/placeos-contract.js against the
// embedded target (or one started here), interrupted with real signals. The bundle is staged
// beside the reports folder and swapped in only when complete; an interrupt leaves an incomplete
// bundle (130 / 143), a run that cannot be made a could-not-run bundle (2), a refused credential
// one line (2), and a killed run's leftovers never block the next one.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROFILES, startReferenceTarget, VARIANT_NAMES, type ProfileName, type ReferenceTarget } from '../reference/src';
import { parseSettings } from '../helpers/config';
import { createSchemaRegistry } from '../helpers/schemas';
import { createSecretRegistry } from '../helpers/secrets';
import { checkCredentials } from '../runner/credentials';
import { createRunEnv } from '../runner/run-env';
import { revokeMinted } from '../runner/cleanup';
import { emptyLedger } from '../runner/ledger';
import { verifyBundle } from '../runner/report';

import { BIN, cliEnv as cleanEnv, REPORTS_LINE, ROOT } from './support/cli';

interface Child {
  child: ChildProcess;
  out(): string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; ms: number }>;
}

function start(args: string[], env: Record<string, string> = {}): Child {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; ms: number }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, ms: Date.now() - started })),
  );
  return { child, out: () => out, done };
}

const run = (args: string[], env: Record<string, string> = {}) => start(args, env).done;

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'contract-lifecycle-'));

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const staging = (parent: string) => fs.readdirSync(parent).filter((e) => /^reports\.partial-/.test(e));
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

/** A real previous bundle: a one-check run of the embedded target. */
async function previousBundle(parent: string): Promise<string> {
  const r = await run(['--reports', path.join(parent, 'reports'), '--only', 'generation']);
  expect(r.code).toBe(0);
  return readJson(path.join(parent, 'reports', 'results.json')).meta.runId as string;
}

/** Starts a full run and resolves once its checks are writing evidence into the staging folder. */
async function startChecks(parent: string): Promise<Child> {
  const c = start(['--reports', path.join(parent, 'reports')]);
  await until('the checks to write evidence into the staging folder', () => {
    const s = staging(parent)[0];
    return !!s && fs.existsSync(path.join(parent, s, 'evidence')) && fs.readdirSync(path.join(parent, s, 'evidence')).length > 0;
  });
  return c;
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)('%s during the checks', (sig, exitCode) => {
  test(`the previous bundle stays until the swap; then an incomplete bundle, one line, exit ${exitCode}; the next run proceeds`, async () => {
    const parent = tmp();
    const previous = await previousBundle(parent);
    const c = await startChecks(parent);
    // Checks are running: the reports folder still holds the previous bundle, untouched.
    expect(readJson(path.join(parent, 'reports', 'results.json')).meta.runId).toBe(previous);
    const killedAt = Date.now();
    c.child.kill(sig);
    const r = await c.done;
    expect(r.code).toBe(exitCode);
    // Grace for the checks under way, bounded revocations, the reports: a few seconds.
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const lines = r.out.split('\n').filter((l) => l.startsWith(`placeos-contract: interrupted by ${sig}`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `interrupted by ${sig}: \\d+ of \\d+ checks ran; the incomplete bundle is in .*reports \\(the last complete one in .*reports\\.last-complete\\) \\(exit ${exitCode}\\)`,
      ),
    );
    // The incomplete bundle is in place, the staging folder gone.
    expect(staging(parent)).toEqual([]);
    const results = readJson(path.join(parent, 'reports', 'results.json'));
    expect(results).toMatchObject({ complete: false, reason: `interrupted by ${sig}`, outcome: 'INCOMPLETE' });
    expect(results.meta.runId).not.toBe(previous);
    const stopped = (results.results as { verdict: string; message?: string }[]).filter((x) => /^(not run|cut): interrupted by/.test(x.message ?? ''));
    expect(stopped.length).toBeGreaterThan(0);
    for (const x of stopped) expect(x.verdict).toBe('error');
    const junit = fs.readFileSync(path.join(parent, 'reports', 'junit.xml'), 'utf8');
    expect((junit.match(/<error /g) ?? []).length).toBeGreaterThanOrEqual(stopped.length);
    expect(junit).toMatch(new RegExp(`not run: interrupted by ${sig}`));
    expect(fs.readFileSync(path.join(parent, 'reports', 'summary.md'), 'utf8')).toMatch(new RegExp(`INCOMPLETE — interrupted by ${sig}`));
    expect(fs.readFileSync(path.join(parent, 'reports', 'summary.html'), 'utf8')).toMatch(new RegExp(`INCOMPLETE — interrupted by ${sig}`));
    expect(r.out).toMatch(/Cleanup: \d+ revocations? of the run's tokens accepted/);
    // The bundle is whole: its manifest verifies.
    expect(verifyBundle(path.join(parent, 'reports')).problems).toEqual([]);
    // The next run proceeds and replaces it.
    const next = await run(['--reports', path.join(parent, 'reports'), '--only', 'generation']);
    expect(next.code).toBe(0);
    expect(readJson(path.join(parent, 'reports', 'results.json')).complete).toBe(true);
  }, 180_000);
});

test('SIGTERM while detection waits for a deployment that never answers: no wait for the timeout, an incomplete bundle, exit 143', async () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const parent = tmp();
    const c = start(['--reports', path.join(parent, 'reports')], { PLACEOS_URL: `http://127.0.0.1:${port}`, PLACEOS_TIMEOUT_MS: '60000' });
    await until('the first request of detection', () => sockets.length > 0);
    const killedAt = Date.now();
    c.child.kill('SIGTERM');
    const r = await c.done;
    expect(r.code).toBe(143);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(r.out.trim().split('\n')).toEqual([
      expect.stringMatching(/^placeos-contract: interrupted by SIGTERM before the checks ran; the incomplete bundle is in .*reports \(exit 143\)$/),
      expect.stringMatching(REPORTS_LINE),
    ]);
    expect(readJson(path.join(parent, 'reports', 'results.json'))).toMatchObject({
      complete: false,
      outcome: 'INCOMPLETE',
      reason: 'interrupted by SIGTERM before the checks ran',
    });
    expect(staging(parent)).toEqual([]);
  } finally {
    sockets.forEach((s) => s.destroy());
    server.close();
  }
}, 60_000);

test('a second signal during cleanup exits at once: the reports folder keeps the previous bundle, the next run removes the staging folder', async () => {
  const parent = tmp();
  const previous = await previousBundle(parent);
  const c = await startChecks(parent);
  c.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 100));
  c.child.kill('SIGTERM');
  const r = await c.done;
  expect(r.code).toBe(143);
  expect(r.out).toMatch(/placeos-contract: SIGTERM again: stopped at once; the reports folder keeps the previous bundle/);
  expect(readJson(path.join(parent, 'reports', 'results.json')).meta.runId).toBe(previous);
  expect(staging(parent)).toHaveLength(1);
  const next = await run(['--reports', path.join(parent, 'reports'), '--only', 'generation']);
  expect(next.code).toBe(0);
  expect(staging(parent)).toEqual([]);
}, 180_000);

test('a killed run (SIGKILL, no cleanup at all) leaves only its staging folder: the previous bundle is intact and the next run proceeds', async () => {
  const parent = tmp();
  const previous = await previousBundle(parent);
  const c = await startChecks(parent);
  c.child.kill('SIGKILL');
  await c.done;
  expect(readJson(path.join(parent, 'reports', 'results.json')).meta.runId).toBe(previous);
  expect(staging(parent)).toHaveLength(1);
  const next = await run(['--reports', path.join(parent, 'reports'), '--only', 'generation']);
  expect(next.code).toBe(0);
  expect(staging(parent)).toEqual([]);
}, 180_000);

describe('the reports folder', () => {
  test('a folder holding anything but a report is refused and left as it is; an incomplete bundle of the suite (only evidence/) is replaced', async () => {
    const parent = tmp();
    const dir = path.join(parent, 'reports');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const refused = await run(['--reports', dir, '--only', 'generation']);
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/--reports .*: the folder is not empty and holds no previous report; choose an empty or new folder/);
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
    expect(staging(parent)).toEqual([]);

    fs.rmSync(path.join(dir, 'notes.txt'));
    fs.mkdirSync(path.join(dir, 'evidence'));
    fs.writeFileSync(path.join(dir, 'evidence', 'half.json'), '{');
    const ok = await run(['--reports', dir, '--only', 'generation']);
    expect(ok.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'evidence', 'half.json'))).toBe(false);
  }, 120_000);

  test('bad flags: the one line, nothing written, the previous bundle stays', async () => {
    const parent = tmp();
    const previous = await previousBundle(parent);
    const r = await run(['--reports', path.join(parent, 'reports'), '--variant', 'nonsense']);
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(readJson(path.join(parent, 'reports', 'results.json')).meta.runId).toBe(previous);
    expect(staging(parent)).toEqual([]);
  }, 120_000);
});

test('a run that cannot be made (connection refused) replaces the previous bundle with a could-not-run bundle and a step summary entry; exit 2', async () => {
  const parent = tmp();
  await previousBundle(parent);
  const stepSummary = path.join(parent, 'step-summary.md');
  const port = await closedPort();
  const r = await run(['--reports', path.join(parent, 'reports')], { PLACEOS_URL: `http://127.0.0.1:${port}`, GITHUB_STEP_SUMMARY: stepSummary });
  expect(r.code).toBe(2);
  const line = r.out.split('\n').find((l) => l.startsWith('placeos-contract: '));
  expect(line).toMatch(/refused|ECONNREFUSED/i);
  const dir = path.join(parent, 'reports');
  expect(fs.readdirSync(dir).sort()).toEqual(['MANIFEST.sha256.json', 'SHA256SUMS', 'junit.xml', 'results.json', 'summary.html', 'summary.md']);
  const results = readJson(path.join(dir, 'results.json'));
  expect(results).toMatchObject({ complete: false, outcome: 'COULD NOT RUN', results: [] });
  expect(line).toContain(results.reason);
  const junit = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8');
  expect((junit.match(/<testcase /g) ?? []).length).toBe(1);
  expect((junit.match(/<error /g) ?? []).length).toBe(1);
  expect(junit).toMatch(/<error message="COULD NOT RUN: [^"]*(refused|ECONNREFUSED)/i);
  expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toMatch(/COULD NOT RUN[\s\S]*The run could not be made/);
  expect(fs.readFileSync(path.join(dir, 'summary.html'), 'utf8')).toMatch(/The run could not be made/);
  expect(fs.readFileSync(stepSummary, 'utf8')).toMatch(/PlaceOS auth contract: ❌ COULD NOT RUN/);
  expect(verifyBundle(dir).problems).toEqual([]);
  expect(staging(parent)).toEqual([]);
}, 120_000);

describe('credentials checked first', () => {
  let target: ReferenceTarget;
  beforeAll(async () => {
    target = await startReferenceTarget({ profile: 'rails' });
  }, 60_000);
  afterAll(() => target?.close());

  test.each([
    ['PLACEOS_USER_PASSWORD', /^placeos-contract: signin as PLACEOS_USER_EMAIL refused \(401\): check PLACEOS_USER_PASSWORD$/m],
    ['PLACEOS_SERVICE_PASSWORD', /^placeos-contract: signin as PLACEOS_SERVICE_EMAIL refused \(401\): check PLACEOS_SERVICE_PASSWORD$/m],
    ['PLACEOS_LOGOUT_PASSWORD', /^placeos-contract: signin as PLACEOS_LOGOUT_EMAIL refused \(401\): check PLACEOS_LOGOUT_PASSWORD$/m],
    [
      'PLACEOS_CONFIDENTIAL_CLIENT_SECRET',
      /^placeos-contract: the token endpoint refused PLACEOS_CONFIDENTIAL_CLIENT_ID with its secret \(401 invalid_client\): check PLACEOS_CONFIDENTIAL_CLIENT_SECRET$/m,
    ],
  ])(
    'a wrong %s: exit 2, that one line, no check run, no finding, the bundle says the run could not be made',
    async (variable, line) => {
      const parent = tmp();
      const r = await run(['--reports', path.join(parent, 'reports')], { ...target.env, [variable]: 'wrong-value-0123456789' });
      expect(r.code).toBe(2);
      expect(r.out).toMatch(line);
      expect(r.out).not.toMatch(/FAIL|Findings/);
      const results = readJson(path.join(parent, 'reports', 'results.json'));
      expect(results).toMatchObject({ complete: false, results: [] });
      expect(r.out).not.toContain('wrong-value-0123456789');
    },
    120_000,
  );

  test('the right credentials pass the check and the run goes on', async () => {
    const r = await run(['--reports', path.join(tmp(), 'reports'), '--only', 'generation'], target.env);
    expect(r.code).toBe(0);
  }, 120_000);
});

test.each((Object.keys(PROFILES) as ProfileName[]).flatMap((profile) => VARIANT_NAMES.map((variant) => [profile, variant] as const)))(
  'a correct target (%s, %s) passes the credentials check; its tokens are revoked',
  async (profile, variant) => {
    const target = await startReferenceTarget({ profile, variant });
    try {
      const run = createRunEnv({
        settings: parseSettings(target.env, { embedded: true }),
        generation: profile,
        ledger: emptyLedger(profile),
        secrets: createSecretRegistry(),
        schemas: createSchemaRegistry(),
      });
      await checkCredentials(run);
      const minted = run.minted.length;
      const { revoked, failed } = await revokeMinted(run);
      // The confidential app redeemed its code: one token, revoked (access and refresh).
      expect(minted).toBe(1);
      expect({ revoked: revoked > 0, failed }).toEqual({ revoked: true, failed: 0 });
    } finally {
      await target.close();
    }
  },
  60_000,
);

test('SIGTERM to a fleet reaches the deployment under way (its incomplete bundle, exit 143); the one not yet started is not started', async () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  try {
    const dir = tmp();
    const fleetFile = path.join(dir, 'fleet.yaml');
    fs.writeFileSync(
      fleetFile,
      [
        'deployments:',
        `  - { name: silent-a, settings: { PLACEOS_URL: "${url}", PLACEOS_TIMEOUT_MS: 60000 } }`,
        `  - { name: silent-b, settings: { PLACEOS_URL: "${url}", PLACEOS_TIMEOUT_MS: 60000 } }`,
      ].join('\n'),
    );
    const reports = path.join(dir, 'reports');
    // A previous complete fleet report (its fleet.json) is kept beside the interrupted one.
    fs.mkdirSync(reports);
    fs.writeFileSync(path.join(reports, 'fleet.json'), JSON.stringify({ exitCode: 0, deployments: [] }));
    const c = start(['--fleet', fleetFile, '--fleet-concurrency', '1', '--reports', reports]);
    await until('the first deployment to ask the silent server', () => sockets.length > 0);
    const killedAt = Date.now();
    c.child.kill('SIGTERM');
    const r = await c.done;
    // Well before the entry point's fallback (20 s): the signal reached the child.
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(r.code).toBe(143);
    const fleet = readJson(path.join(reports, 'fleet.json')) as { exitCode: number; deployments: { name: string; exitCode: number; message?: string }[] };
    expect(fleet.exitCode).toBe(143);
    const by = Object.fromEntries(fleet.deployments.map((d) => [d.name, d]));
    expect(by['silent-a']).toMatchObject({ exitCode: 143, message: expect.stringMatching(/interrupted by SIGTERM before the checks ran/) });
    expect(by['silent-b']).toMatchObject({ exitCode: 143, message: 'not run: interrupted by SIGTERM' });
    expect(readJson(path.join(reports, 'silent-a', 'results.json'))).toMatchObject({ complete: false, outcome: 'INCOMPLETE' });
    expect(sockets).toHaveLength(1);
    expect(readJson(path.join(`${reports}.last-complete`, 'fleet.json'))).toEqual({ exitCode: 0, deployments: [] });
    expect(fs.readdirSync(dir).filter((e) => e.includes('.partial-'))).toEqual([]);
    // Both are named as needing attention, with what stopped them.
    const summary = fs.readFileSync(path.join(reports, 'fleet-summary.md'), 'utf8');
    expect(summary).toMatch(
      /### Needs attention \(2\)[\s\S]*`silent-a` \| interrupted \(SIGTERM\)[\s\S]*`silent-b` \| interrupted \(SIGTERM\) \| not run: interrupted by SIGTERM/,
    );
  } finally {
    sockets.forEach((s) => s.destroy());
    server.close();
  }
}, 60_000);
