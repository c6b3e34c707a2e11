// Turns a table of cases into jest tests: one test per case, named "<title> [<id>]" inside
// describe(<area>), run with test.concurrent (bounded by jest's maxConcurrency). The runner
// (runner/main.ts) resolves the target and the settings once, writes them as one JSON value
// (WorkerRun) and names that file in the jest configuration's globals; each spec file reads it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContractCase } from '../helpers/case';
import type { TargetSettings } from '../helpers/config';
import type { RunEnv, Selection } from './engine';
import { createRunEnv, executeCase, isBreaking, revokeMinted, selectCases } from './engine';
import { emptyLedger, loadLedger } from './ledger';
import type { CaseResult, Generation } from '../helpers/model';
import { createSchemaRegistry } from '../helpers/schemas';
import { createSecretRegistry } from '../helpers/secrets';
import { connectPermits } from './permits';

/** The jest global that names the file holding the run's WorkerRun value. */
export const RUN_GLOBAL = '__PLACEOS_CONTRACT_RUN_FILE__';

/** Everything a jest worker needs for a run, resolved once by the runner. */
export interface WorkerRun {
  settings: TargetSettings;
  /** The generation the run holds the target to: detected, or the user's override. */
  generation: Generation;
  reportsDir: string;
  /** Private scratch folder of the run (fingerprints, request counts). */
  privateDir: string;
  strict: boolean;
  selection?: Selection;
  /** Ledger file (undefined: ledger/<generation>.json); ignored when noLedger. */
  ledgerFile?: string;
  noLedger: boolean;
  /** Address of the runner's permit service (runner/permits.ts): the one bound on requests in flight. */
  permits?: string;
}

/** Writes the run value for the workers (owner-only: the settings hold passwords). */
export function writeWorkerRun(w: WorkerRun): string {
  const file = path.join(w.privateDir, 'run.json');
  fs.writeFileSync(file, JSON.stringify(w), { mode: 0o600 });
  return file;
}

function readWorkerRun(): WorkerRun | undefined {
  const file = (globalThis as Record<string, unknown>)[RUN_GLOBAL];
  return typeof file === 'string' ? (JSON.parse(fs.readFileSync(file, 'utf8')) as WorkerRun) : undefined;
}

interface OpenRun {
  run: RunEnv;
  secrets: ReturnType<typeof createSecretRegistry>;
  reportsDir: string;
  privateDir: string;
  /** Disconnect from the runner's permit service. */
  close(): void;
}

function openRun(w: WorkerRun | undefined): OpenRun {
  if (!w) throw new Error('the contract specs run through the runner: use `npm run contract` (it resolves the target and the reports folder)');
  const secrets = createSecretRegistry();
  const ledger = w.noLedger ? emptyLedger(w.generation) : loadLedger(w.generation, w.ledgerFile);
  // Without the runner's permit service (a spec file run by hand), the worker bounds its own requests.
  const gate = w.permits ? connectPermits(w.permits) : undefined;
  const run = createRunEnv({
    settings: w.settings,
    generation: w.generation,
    ledger,
    strict: w.strict,
    secrets,
    schemas: createSchemaRegistry(),
    readonly: w.selection?.readonly,
    ...(gate ? { gate } : {}),
  });
  return { run, secrets, reportsDir: w.reportsDir, privateDir: w.privateDir, close: () => gate?.close() };
}

function append(file: string, lines: string[]): void {
  if (!lines.length) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, lines.map((l) => l + '\n').join(''), { mode: 0o600 });
}

/** A failure jest prints and jest-junit records: the masked message, no stack trace. */
function failureFor(r: CaseResult): Error {
  const e = new Error(`[${r.requirements.join(', ')}] ${r.verdict.toUpperCase()}: ${r.message ?? ''}`);
  e.stack = e.message;
  return e;
}

export function contractSuite(area: string, cases: readonly ContractCase[]): void {
  const value = readWorkerRun();
  const selected = selectCases(cases, value?.selection);
  describe(area, () => {
    let opened: OpenRun | undefined;
    const get = (): OpenRun => (opened ??= openRun(value));

    afterAll(async () => {
      if (!opened) return;
      const fingerprints = path.join(opened.privateDir, `fingerprints-${process.pid}.jsonl`);
      // Fingerprints first: if cleanup is cut short, the artifact scan still knows every token.
      append(
        fingerprints,
        opened.secrets.fingerprints().map((f) => JSON.stringify(f)),
      );
      const cleanup = await revokeMinted(opened.run);
      append(
        fingerprints,
        opened.secrets.fingerprints().map((f) => JSON.stringify(f)),
      );
      append(path.join(opened.privateDir, `requests-${process.pid}.jsonl`), [JSON.stringify({ area, requests: opened.run.budget.used, ...cleanup })]);
      opened.close();
    });

    test.concurrent.each(selected.map((c) => [`${c.title} [${c.id}]`, c] as const))('%s', async (_name, c) => {
      const w = get();
      const result = await executeCase(w.run, area, c);
      append(path.join(w.reportsDir, '.results', `${process.pid}.jsonl`), [JSON.stringify(result)]);
      if (isBreaking(result.verdict, w.run.strict)) throw failureFor(result);
    });
  });
}
