// npm run bench -- --fleet N: the wall time of a fleet of N embedded deployments, each behind its
// own proxy adding latency to every response, against one such deployment alone. Fleet work is
// latency-bound (each deployment waits on round trips), so N at once should cost far less than N×.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmbeddedTarget } from '../runner/embedded';
import type { ProfileName } from '../reference/src';
import { delayingProxy } from './latency-proxy';

const ROOT = path.resolve(__dirname, '..');
const PROFILES: ProfileName[] = ['rails', 'rails-2023', 'authcr'];

function timed(args: string[]): Promise<{ ms: number; code: number | null }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PLACEOS_')) env[k] = v;
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/placeos-contract.js'), ...args], { cwd: ROOT, env, stdio: 'ignore' });
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code }));
  });
}

export async function benchFleet(n: number, delayMs: number, extra: string[] = []): Promise<void> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--fleet: expected a number of deployments, got ${n}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fleet-'));
  const targets = await Promise.all(Array.from({ length: n }, (_, i) => startEmbeddedTarget({ profile: PROFILES[i % PROFILES.length]! })));
  const proxies = await Promise.all(targets.map((t) => delayingProxy(Number(new URL(t.url).port), delayMs)));
  try {
    // Each deployment is a live target to the suite (PLACEOS_URL set), reached through its proxy.
    const deployments = targets.map((t, i) => ({
      name: `deployment-${i + 1}`,
      settings: { ...t.env, PLACEOS_URL: `http://localhost:${proxies[i]!.port}`, PLACEOS_OTHER_AUTHORITY_URL: `http://127.0.0.1:${proxies[i]!.port}` },
    }));
    const fleetFile = path.join(dir, 'fleet.json');
    fs.writeFileSync(fleetFile, JSON.stringify({ deployments }), { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'one.json'), JSON.stringify({ deployments: deployments.slice(0, 1) }), { mode: 0o600 });
    const one = await timed(['--quiet', '--fleet', path.join(dir, 'one.json'), '--reports', path.join(dir, 'one'), ...extra]);
    const fleet = await timed(['--quiet', '--fleet', fleetFile, '--fleet-concurrency', String(n), '--reports', path.join(dir, 'fleet'), ...extra]);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const lines = [
      `fleet benchmark on ${os.cpus().length} cores (load average ${os.loadavg()[0]!.toFixed(1)}), node ${process.version}, +${delayMs} ms per response${extra.length ? `, options ${extra.join(' ')}` : ', full suite'}, ${new Date().toISOString()}`,
      '',
      '| run | wall time | exit |',
      '|---|---|---|',
      `| one deployment (${PROFILES[0]}) | ${s(one.ms)} | ${one.code} |`,
      `| fleet of ${n} (${[...new Set(targets.map((_, i) => PROFILES[i % PROFILES.length]))].join(', ')}), ${n} at once | ${s(fleet.ms)} | ${fleet.code} |`,
      '',
      `fleet ÷ one deployment: ${(fleet.ms / one.ms).toFixed(2)}× (goal ≤ 2×)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    fs.mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'reports', 'bench-fleet.md'), `${lines.join('\n')}\n`);
  } finally {
    for (const p of proxies) p.close();
    await Promise.all(targets.map((t) => t.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
