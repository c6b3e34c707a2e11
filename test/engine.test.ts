// runCases, the one way every path runs checks: catalogue order kept, waiting checks first, a
// stuck check an `error` (never a pass), each check's tokens queued for revocation only once it ended.
import * as path from 'node:path';
import type { ContractCase } from '../helpers/case';
import { ContractViolation } from '../helpers/case';
import { parseSettings } from '../helpers/config';
import { createSchemaRegistry } from '../helpers/schemas';
import { createSecretRegistry } from '../helpers/secrets';
import { emptyLedger } from '../runner/ledger';
import { createRunEnv, runCases } from '../runner/engine';

const env = () =>
  createRunEnv({
    settings: parseSettings({ PLACEOS_URL: 'https://placeos.example.com' }),
    generation: 'rails',
    ledger: emptyLedger('rails'),
    secrets: createSecretRegistry(),
    schemas: createSchemaRegistry(),
  });

function row(id: string, run: ContractCase['run'], extra: Partial<ContractCase> = {}): ContractCase {
  return { id: `engine.${id}`, title: id, requirements: ['RFC6749-5.1'], level: 'MUST', severity: 'low', tags: [], run, ...extra };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 5));

test('checks that wait start first; results keep the catalogue order', async () => {
  const started: string[] = [];
  const cases = ['a', 'b', 'slow', 'c'].map((id) =>
    row(
      id,
      async () => {
        started.push(id);
        await tick();
      },
      id === 'slow' ? { waits: true } : {},
    ),
  );
  const results = await runCases(env(), [{ area: 'engine', cases }], { concurrency: 1 });
  expect(started).toEqual(['slow', 'a', 'b', 'c']);
  expect(results.map((r) => [r.caseId, r.verdict])).toEqual([
    ['engine.a', 'pass'],
    ['engine.b', 'pass'],
    ['engine.slow', 'pass'],
    ['engine.c', 'pass'],
  ]);
});

test('a check that does not end within the case timeout is an error saying so, and the others still run', async () => {
  const stuck = row('stuck', () => new Promise<void>(() => undefined));
  const fine = row('fine', tick);
  const seen: string[] = [];
  const results = await runCases(env(), [{ area: 'engine', cases: [stuck, fine] }], {
    concurrency: 2,
    caseTimeoutMs: 50,
    onResult: (r) => seen.push(r.caseId),
  });
  expect(results.map((r) => r.verdict)).toEqual(['error', 'pass']);
  expect(results[0]!.message).toMatch(/did not end within 0 s .*stuck/);
  expect(seen.sort()).toEqual(['engine.fine', 'engine.stuck']);
});

test("a check's tokens join the cleanup queue only when it has ended", async () => {
  const run = env();
  let queuedWhileRunning = -1;
  const minting = row('mints', async (t) => {
    t.minted({ accessToken: 'access-token-of-the-check', clientId: 'c' });
    await tick();
    queuedWhileRunning = run.minted.length;
  });
  await runCases(run, [{ area: 'engine', cases: [minting] }], { concurrency: 1 });
  expect(queuedWhileRunning).toBe(0);
  expect(run.minted.map((m) => m.clientId)).toEqual(['c']);
});

test('a separately loaded kit (the compiled copy, its own classes) is judged by error code: fail, n/a, error', async () => {
  const { ensureBuilt } = require('../bin/build.js') as { ensureBuilt(root: string): string | undefined };
  const built = ensureBuilt(path.resolve(__dirname, '..'))!;
  const kit = require(path.join(built, 'helpers/kit/public.js')) as typeof import('../helpers/kit/public');
  expect(kit.ContractViolation).not.toBe(ContractViolation);
  const cases = [
    row('violated', async () => kit.ensure(false, 'the rule does not hold', 'x', 'y', { code: 'status' })),
    row('not-applicable', async () => {
      throw new kit.NotApplicable('does not apply here');
    }),
    row('precondition', async () => {
      throw new kit.PreconditionFailed('signin failed, so the check could not be made');
    }),
  ];
  const results = await runCases(env(), [{ area: 'engine', cases }]);
  expect(results.map((r) => [r.verdict, r.message, r.observation])).toEqual([
    ['fail', 'the rule does not hold: expected x, got y', { code: 'status', expected: 'x', actual: 'y' }],
    ['n/a', 'does not apply here', undefined],
    ['error', 'signin failed, so the check could not be made', undefined],
  ]);
});
