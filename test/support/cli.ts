// Runs the CLI as users and CI do: a child process of bin/placeos-contract.js, in an environment
// that holds nothing of the developer's shell or of the CI job running the tests (no PLACEOS_*,
// no CI, no $GITHUB_STEP_SUMMARY), so each test says what it sets: a test about CI sets CI.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'placeos-contract.js');

const OF_THE_SHELL = (k: string): boolean => k.startsWith('PLACEOS_') || k.startsWith('JEST') || k.startsWith('GITHUB_') || k === 'CI' || k === 'NODE_OPTIONS';

/** The process environment without the shell's settings, plus `extra`. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!OF_THE_SHELL(k)) env[k] = v;
  return { ...env, ...extra };
}

export interface Run {
  code: number | null;
  /** The exit signal, when the process was ended by one. */
  signal?: NodeJS.Signals | null;
  out: string;
  ms: number;
}

export function contract(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => resolve({ code, signal, out, ms: Date.now() - started }));
  });
}

/** The line every run that left a bundle ends with (runner/progress.ts reportsLine). */
export const REPORTS_LINE = /^Reports: .*\/ — open .*summary\.html/;
