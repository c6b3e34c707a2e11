// The suite against Doorkeeper itself (reference/doorkeeper: Rails + Doorkeeper 5.5 on Debian's
// packages, configured like PlaceOS auth): the full run, held to the rails contract with the
// Doorkeeper 5.5 ledger, must hold (exit 0) with every check that can run having run; three
// reference mutants reproduced on Doorkeeper must each be caught by a check carrying their
// requirement, exactly as the kill matrix judges the embedded target.
import { cliEnv } from './support/cli';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSettings } from '../helpers/config';
import type { CaseResult } from '../helpers/model';
import { createSchemaRegistry } from '../helpers/schemas';
import { createSecretRegistry } from '../helpers/secrets';
import { runCases } from '../runner/engine';
import { createRunEnv } from '../runner/run-env';
import { judgeRow } from '../runner/killmatrix';
import { loadLedger } from '../runner/ledger';
import { MUTANTS } from '../reference/src';
import { DOORKEEPER_MUTANTS, startDoorkeeperTarget, type DoorkeeperMutant } from '../reference/doorkeeper/start';
import { SUITES } from '../specs';

const ROOT = path.resolve(__dirname, '..');
const LEDGER = path.join(ROOT, 'ledger', 'doorkeeper-5.5.json');
const quiet = (): void => undefined;

function contract(args: string[]): Promise<{ code: number | null; out: string }> {
  const env = cliEnv();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'placeos-contract.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

// Concurrent with the mutant runs below (each run has a Rails process of its own): a run mostly
// waits (a code lifetime, one Rails thread), so the four overlap instead of the full run going first.
test.concurrent(
  'the full suite holds against Doorkeeper 5.5 with its ledger, every check that can run having run',
  async () => {
    const target = await startDoorkeeperTarget({ log: quiet });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-doorkeeper-'));
    try {
      const envFile = path.join(dir, 'doorkeeper.env');
      // A throw-away target with accounts of its own: the credentials-in-url checks run too.
      fs.writeFileSync(envFile, `${target.envFile()}\nPLACEOS_CREDENTIALS_IN_URL=true\n`, { mode: 0o600 });
      const reports = path.join(dir, 'reports');
      const r = await contract(['--env', envFile, '--generation', 'rails', '--ledger', LEDGER, '--reports', reports, '--quiet']);
      const results = (JSON.parse(fs.readFileSync(path.join(reports, 'results.json'), 'utf8')) as { results: CaseResult[] }).results;
      const notPassing = results.filter((x) => !['pass', 'deviation', 'n/a'].includes(x.verdict)).map((x) => `${x.verdict} ${x.caseId}: ${x.message ?? ''}`);
      expect({ code: r.code, notPassing }).toEqual({ code: 0, notPassing: [] });
      // n/a only where the target cannot offer what the check needs, always with the reason.
      const na = results.filter((x) => x.verdict === 'n/a');
      for (const x of na) expect(`${x.caseId}: ${x.message ?? ''}`).toMatch(/: \S/);
      expect(na.map((x) => x.caseId).filter((id) => !id.startsWith('sso.'))).toEqual([]);
      expect(results.filter((x) => x.verdict === 'pass').length).toBeGreaterThan(100);
    } finally {
      await target.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  900_000,
);

async function runAgainstDoorkeeper(mutant: DoorkeeperMutant): Promise<CaseResult[]> {
  const target = await startDoorkeeperTarget({ mutants: [mutant], log: quiet });
  try {
    const settings = parseSettings({ ...target.env, PLACEOS_CREDENTIALS_IN_URL: 'true' });
    const run = createRunEnv({
      settings,
      generation: 'rails',
      ledger: loadLedger('rails', LEDGER),
      secrets: createSecretRegistry(),
      schemas: createSchemaRegistry(),
    });
    return await runCases(run, SUITES);
  } finally {
    await target.close();
  }
}

// Concurrently: each run has its own Rails process, and most of a run's time is waiting (the
// code-expiry check waits a code lifetime out; one Rails thread answers in turn).
test.concurrent.each(Object.keys(DOORKEEPER_MUTANTS) as DoorkeeperMutant[])(
  'reference mutant %s reproduced on Doorkeeper is killed',
  async (name) => {
    const mutant = MUTANTS.find((m) => m.name === name);
    expect(mutant).toBeDefined();
    const row = judgeRow('rails', mutant, await runAgainstDoorkeeper(name));
    process.stdout.write(`doorkeeper ${name}: ${row.ok ? `killed by ${row.caughtBy.slice(0, 4).join(', ')}` : row.problem}\n`);
    expect(row.problem ?? 'killed').toBe('killed');
  },
  900_000,
);
