// The first half of `npm test`: type-check, lint and format check, run at once (each is one
// single-threaded process, so on 2 cores they finish in about the time of the slowest instead of
// the sum). Each tool's output is printed whole when it ends; the exit code is 1 if any failed.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The script a package's command runs (its package.json `bin`), as npm would. */
function bin(pkg, command) {
  const dir = path.join(ROOT, 'node_modules', pkg);
  const { bin: b } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return path.join(dir, typeof b === 'string' ? b : b[command]);
}

const CHECKS = [
  { name: 'tsc', bin: bin('typescript', 'tsc'), args: ['--noEmit', '-p', 'tsconfig.json'] },
  { name: 'eslint', bin: bin('eslint', 'eslint'), args: ['.'] },
  { name: 'prettier', bin: bin('prettier', 'prettier'), args: ['--check', '**/*.{ts,js,mjs,json}'] },
];

function run({ name, bin, args }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => resolve({ name, code: null, out: `${out}${e.message}\n`, ms: Date.now() - started }));
    child.on('close', (code) => resolve({ name, code, out, ms: Date.now() - started }));
  });
}

const results = await Promise.all(CHECKS.map((c) => run(c).then((r) => (printResult(r), r))));

function printResult(r) {
  const status = r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`;
  process.stdout.write(`> ${r.name} ${CHECKS.find((c) => c.name === r.name).args.join(' ')}: ${status}, ${(r.ms / 1000).toFixed(1)} s\n`);
  if (r.out.trim()) process.stdout.write(r.out.endsWith('\n') ? r.out : `${r.out}\n`);
}

process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
