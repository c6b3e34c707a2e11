// npm run flake-check [-- N [runner args…]]: N consecutive full runs (default 30) of the main
// command against the embedded reference target; every run must give the same verdict for every
// check. Prints the checks whose verdict moved, and exits 1 if any did.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function verdicts(dir: string): Map<string, string> {
  const { results } = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as { results: { caseId: string; verdict: string }[] };
  return new Map(results.map((r) => [r.caseId, r.verdict]));
}

function main(): number {
  const [nArg, ...rest] = process.argv.slice(2);
  const n = Number(nArg ?? 30);
  if (!Number.isInteger(n) || n < 2) {
    process.stdout.write(`flake-check: expected a number of runs ≥ 2, got '${nArg}'\n`);
    return 2;
  }
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PLACEOS_') && k !== 'CI') env[k] = v;
  let first: Map<string, string> | undefined;
  const moved = new Map<string, Set<string>>();
  const started = Date.now();
  for (let i = 1; i <= n; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flake-'));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/placeos-contract.js'), '--quiet', '--reports', dir, ...rest], {
      cwd: ROOT,
      env,
      stdio: 'ignore',
    });
    const v = verdicts(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    first ??= v;
    for (const [id, verdict] of new Map([...first, ...v])) {
      if (first.get(id) !== verdict) moved.set(id, (moved.get(id) ?? new Set([first.get(id) ?? 'absent'])).add(verdict));
    }
    process.stdout.write(`run ${i}/${n}: exit ${r.status}, ${v.size} checks, ${moved.size} moved so far\n`);
  }
  process.stdout.write(
    `${n} runs in ${((Date.now() - started) / 1000).toFixed(0)} s: ${moved.size ? `${moved.size} check(s) changed verdict` : 'identical verdicts'}\n`,
  );
  for (const [id, seen] of moved) process.stdout.write(`  ${id}: ${[...seen].join(' / ')}\n`);
  return moved.size ? 1 : 0;
}

process.exit(main());
