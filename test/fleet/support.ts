// Runs the CLI as users and CI do: a child process of bin/placeos-contract.js.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'placeos-contract.js');

export interface Run {
  code: number | null;
  out: string;
}

export function contract(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('PLACEOS_') && !k.startsWith('JEST') && k !== 'NODE_OPTIONS' && k !== 'GITHUB_STEP_SUMMARY') clean[k] = v;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

export const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
export const readJson = <T = Record<string, unknown>>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
