// npm run bench: where a run's wall time goes, measured (not asserted).
//  1. wall time of the main command against the embedded target, and the share that is start-up
//     (node + tsx + target + detection + jest start-up + TypeScript transform of the specs),
//     measured as a run that selects no check, with a cold and a warm transform cache;
//  2. HTTP requests a full run makes, by area;
//  3. the same run through a loopback proxy that adds 50 ms to every response, next to the
//     critical path (the longest chain of requests that must happen one after another) × 50 ms,
//     at the default concurrency and at a higher one.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmbeddedTarget } from '../runner/embedded';
import { workersFor } from '../runner/main';
import { delayingProxy } from './latency-proxy';
import { benchFleet } from './bench-fleet';

const ROOT = path.resolve(__dirname, '..');
const DELAY_MS = 50;

interface Timed {
  ms: number;
  code: number | null;
  reports: string;
}

function runContract(args: string[], env: Record<string, string>, cacheDir?: string): Promise<Timed> {
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-reports-'));
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PLACEOS_')) childEnv[k] = v;
  if (cacheDir) childEnv.TMPDIR = cacheDir;
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/placeos-contract.js'), '--quiet', '--reports', reports, ...args], { cwd: ROOT, env: { ...childEnv, ...env }, stdio: 'ignore' });
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, reports }));
  });
}

interface Results {
  meta: { requestCount: number; requestsByArea?: Record<string, number> };
  results: { caseId: string; exchanges: { journey: string }[] }[];
}

const readResults = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;

/** Requests inside one case run one after another; cases run side by side. */
function criticalPath(r: Results): { requests: number; caseId: string } {
  let best = { requests: 0, caseId: '' };
  for (const c of r.results) if (c.exchanges.length > best.requests) best = { requests: c.exchanges.length, caseId: c.caseId };
  return best;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What jest's transform does for a run with a cold cache: swc over helpers/, specs/, reference/src/. */
function transformAll(): { ms: number; files: number } {
  const { transformSync } = require('@swc/core') as typeof import('@swc/core');
  const files = ['helpers', 'runner', 'specs', 'reference/src'].flatMap((d) => walk(path.join(ROOT, d))).filter((f) => f.endsWith('.ts'));
  const started = process.hrtime.bigint();
  for (const f of files) transformSync(fs.readFileSync(f, 'utf8'), { filename: f, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, files: files.length };
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

async function main(): Promise<void> {
  const fleetAt = process.argv.indexOf('--fleet');
  // npm run bench -- --fleet 6 [contract options, e.g. --tags smoke]
  if (fleetAt >= 0) return benchFleet(Number(process.argv[fleetAt + 1] ?? 6), DELAY_MS, process.argv.slice(fleetAt + 2));
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    process.stdout.write(l + '\n');
  };
  say(`benchmark on ${os.cpus().length} cores, node ${process.version}, ${new Date().toISOString()}`);

  // Start-up: a run of one check with one request (node, tsx, target, detection, jest, one spec
  // file), with a cold and then a warm jest transform cache; and the swc transform of every
  // TypeScript file a full run loads, timed directly.
  const coldCache = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cache-'));
  const startupCold = await runContract(['--only', 'generation.healthz'], {}, coldCache);
  const startupWarm = await runContract(['--only', 'generation.healthz'], {}, coldCache);
  const transformMs = transformAll();
  const full = await runContract([], {});
  const fullResults = readResults(full.reports);
  say('');
  say('| measure | value |');
  say('|---|---|');
  say(`| full run, embedded target (exit ${full.code}) | ${s(full.ms)} |`);
  say(`| start-up: a one-check run, cold transform cache | ${s(startupCold.ms)} |`);
  say(`| start-up: a one-check run, warm transform cache | ${s(startupWarm.ms)} (${Math.round((startupWarm.ms / full.ms) * 100)} % of the full run) |`);
  say(`| swc transform of every TypeScript file of a run (${transformMs.files} files) | ${s(transformMs.ms)} |`);
  say(`| HTTP requests in a full run | ${fullResults.meta.requestCount} |`);
  say('');
  say('| area | requests |');
  say('|---|---|');
  for (const [area, n] of Object.entries(fullResults.meta.requestsByArea ?? {}).sort()) say(`| ${area} | ${n} |`);

  // Latency: the embedded target behind a 50 ms proxy.
  const target = await startEmbeddedTarget({ profile: 'rails' });
  const targetPort = Number(new URL(target.url).port);
  const proxy = await delayingProxy(targetPort, DELAY_MS);
  const proxied = { ...target.env, PLACEOS_URL: `http://localhost:${proxy.port}`, PLACEOS_OTHER_AUTHORITY_URL: `http://127.0.0.1:${proxy.port}` };
  try {
    const cp = criticalPath(fullResults);
    const detection = 6; // authority, healthz, signin, authorize, token, revoke: in series before the checks
    const bound = (cp.requests + detection) * DELAY_MS;
    say('');
    say(`critical path: ${cp.requests} requests in the longest check (${cp.caseId}) + ${detection} in series before the checks = ${s(bound)} at ${DELAY_MS} ms each`);
    say('');
    say('| PLACEOS_CONCURRENCY (jest workers) | wall, no delay | wall, +50 ms per response | added by the delay | added ÷ critical path |');
    say('|---|---|---|---|---|');
    for (const c of ['2', '6']) {
      const plain = await runContract([], { ...target.env, PLACEOS_CONCURRENCY: c });
      const slow = await runContract([], { ...proxied, PLACEOS_CONCURRENCY: c });
      const added = slow.ms - plain.ms;
      say(`| ${c} (${workersFor(Number(c))}) | ${s(plain.ms)} (exit ${plain.code}) | ${s(slow.ms)} (exit ${slow.code}) | ${s(added)} | ${(added / bound).toFixed(1)}× |`);
    }
  } finally {
    proxy.close();
    await target.close();
  }
  fs.mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'reports', 'bench.md'), lines.join('\n') + '\n');
}

main().catch((e) => {
  process.stdout.write(`bench could not run: ${(e as Error).message}\n`);
  process.exit(2);
});
