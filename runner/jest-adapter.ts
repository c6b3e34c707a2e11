// Turns a table of cases into jest tests: one test per case, named "<title> [<id>]" inside
// describe(<area>), run with test.concurrent (bounded by jest's maxConcurrency). The runner
// (runner/main.ts) resolves the target and hands the run over through the environment of the
// jest workers; this file turns that environment into a RunEnv value once per spec file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContractCase } from '../helpers/case';
import { parseSettings } from '../helpers/config';
import type { RunEnv, Selection } from './engine';
import { createRunEnv, executeCase, isBreaking, revokeMinted, selectCases } from './engine';
import { emptyLedger, loadLedger } from './ledger';
import type { CaseResult, Generation } from '../helpers/model';
import { GENERATIONS } from '../helpers/model';
import { createSchemaRegistry } from '../helpers/schemas';
import { createSecretRegistry } from '../helpers/secrets';
import { connectPermits } from './permits';

/** Environment variables the runner sets for the jest workers (besides the PLACEOS_* settings). */
export const RUN_VARS = {
  reports: 'PLACEOS_CONTRACT_REPORTS',
  privateDir: 'PLACEOS_CONTRACT_PRIVATE',
  strict: 'PLACEOS_CONTRACT_STRICT',
  select: 'PLACEOS_CONTRACT_SELECT',
  ledger: 'PLACEOS_LEDGER',
  noLedger: 'PLACEOS_CONTRACT_NO_LEDGER',
  embedded: 'PLACEOS_CONTRACT_EMBEDDED',
  /** The runner's permit service (runner/permits.ts): the one bound on requests in flight. */
  permits: 'PLACEOS_CONTRACT_PERMITS',
} as const;

interface WorkerRun {
  run: RunEnv;
  secrets: ReturnType<typeof createSecretRegistry>;
  reportsDir: string;
  privateDir: string;
  /** Disconnect from the runner's permit service. */
  close(): void;
}

function openRun(env: NodeJS.ProcessEnv): WorkerRun {
  const reportsDir = env[RUN_VARS.reports];
  const privateDir = env[RUN_VARS.privateDir];
  if (!reportsDir || !privateDir) {
    throw new Error('the contract specs run through the runner: use `npm run contract` (it resolves the target and the reports folder)');
  }
  const settings = parseSettings(env, { embedded: env[RUN_VARS.embedded] === '1' });
  const generation = env.PLACEOS_GENERATION as Generation;
  if (!GENERATIONS.includes(generation)) throw new Error(`PLACEOS_GENERATION: expected one of ${GENERATIONS.join(', ')} from the runner`);
  const secrets = createSecretRegistry();
  const ledger = env[RUN_VARS.noLedger] === '1' ? emptyLedger(generation) : loadLedger(generation, env[RUN_VARS.ledger] || undefined);
  // Without the runner's permit service (a spec file run by hand), the worker bounds its own requests.
  const permitAddress = env[RUN_VARS.permits];
  const gate = permitAddress ? connectPermits(permitAddress) : undefined;
  const run = createRunEnv({ settings, generation, ledger, strict: env[RUN_VARS.strict] === '1', secrets, schemas: createSchemaRegistry(), readonly: selectionFromEnv(env)?.readonly, ...(gate ? { gate } : {}) });
  return { run, secrets, reportsDir, privateDir, close: () => gate?.close() };
}

export function selectionFromEnv(env: NodeJS.ProcessEnv): Selection | undefined {
  const raw = env[RUN_VARS.select];
  return raw ? (JSON.parse(raw) as Selection) : undefined;
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
  const selected = selectCases(cases, selectionFromEnv(process.env));
  describe(area, () => {
    let opened: WorkerRun | undefined;
    const get = (): WorkerRun => (opened ??= openRun(process.env));

    afterAll(async () => {
      if (!opened) return;
      const fingerprints = path.join(opened.privateDir, `fingerprints-${process.pid}.jsonl`);
      // Fingerprints first: if cleanup is cut short, the artifact scan still knows every token.
      append(fingerprints, opened.secrets.fingerprints().map((f) => JSON.stringify(f)));
      const cleanup = await revokeMinted(opened.run);
      append(fingerprints, opened.secrets.fingerprints().map((f) => JSON.stringify(f)));
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
