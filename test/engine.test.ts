// runCases, the one way every path runs checks: catalogue order kept, waiting checks first, a
// stuck check an `error` (never a pass), each check's tokens queued for revocation only once it ended.
import * as path from 'node:path';
import type { ContractCase } from '../helpers/case';
import { ContractViolation } from '../helpers/case';
import { parseSettings } from '../helpers/config';
import { createSchemaRegistry } from '../helpers/schemas';
import { createSecretRegistry } from '../helpers/secrets';
import { emptyLedger } from '../runner/ledger';
import { runCases } from '../runner/engine';
import { createRunEnv } from '../runner/run-env';

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

test('an interrupt: no further check starts, those under way end or are cut after the grace, their tokens join the cleanup queue at once', async () => {
  const run = env();
  const stop = new AbortController();
  const running = row('running', async (t) => {
    t.minted({ accessToken: 'token-of-a-check-under-way', clientId: 'cut' });
    stop.abort('interrupted by SIGTERM');
    await new Promise<void>(() => undefined);
  });
  const later = ['a', 'b'].map((id) => row(id, tick));
  const seen: string[] = [];
  const t0 = Date.now();
  const results = await runCases(run, [{ area: 'engine', cases: [running, ...later] }], {
    concurrency: 1,
    signal: stop.signal,
    graceMs: 50,
    caseTimeoutMs: 300,
    revoke: false,
    onResult: (r) => seen.push(r.caseId),
  });
  expect(Date.now() - t0).toBeLessThan(1000);
  expect(results.map((r) => [r.caseId, r.verdict, r.message])).toEqual([
    ['engine.running', 'error', 'cut: interrupted by SIGTERM while the check ran'],
    ['engine.a', 'error', 'not run: interrupted by SIGTERM'],
    ['engine.b', 'error', 'not run: interrupted by SIGTERM'],
  ]);
  // Results made up for the stopped checks are not reported as checks that ended.
  expect(seen).toEqual([]);
  expect(run.minted.map((m) => m.clientId)).toEqual(['cut']);
});

test('after the overload stop the revocations still go (one at a time, Retry-After respected) until the bound; the rest are counted', async () => {
  const http = await import('node:http');
  const { AimdLimiter } = await import('../helpers/http-limiter');
  const { revokeMinted } = await import('../runner/cleanup');
  let inFlight = 0;
  let most = 0;
  let answered = 0;
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    inFlight++;
    arrivals.push(Date.now());
    most = Math.max(most, inFlight);
    req.resume();
    req.on('end', () => {
      answered++;
      // The first answer asks for a pause; the others are accepted.
      const status = answered === 1 ? 503 : 200;
      setTimeout(() => {
        inFlight--;
        res.writeHead(status, status === 503 ? { 'retry-after': '1' } : {}).end('{}');
      }, 5);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  try {
    const gate = new AimdLimiter({ max: 6, timeoutMs: 1000, overloadAfter: 1, cleanupAfterOverloadMs: 1500 });
    (await gate.acquire()).release({ latencyMs: 900, status: 200 });
    expect(gate.stats().overloaded).toBeDefined();
    const run = createRunEnv({
      settings: parseSettings({ PLACEOS_URL: url, PLACEOS_RETRIES: '0' }),
      generation: 'rails',
      ledger: emptyLedger('rails'),
      secrets: createSecretRegistry(),
      schemas: createSchemaRegistry(),
      gate,
    });
    for (let i = 0; i < 40; i++) run.minted.push({ accessToken: `access-token-number-${i}`, clientId: 'c', baseUrl: url });
    const t0 = Date.now();
    const counts = await revokeMinted(run);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(most).toBe(1);
    // The 503's Retry-After (1 s) paused the next revocation.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(900);
    expect(counts.revoked).toBeGreaterThan(0);
    expect(counts.failed).toBeGreaterThan(0);
    expect(counts.revoked + counts.failed).toBe(40);
    expect(run.cleanup).toEqual(counts);
    gate.close();
  } finally {
    await new Promise((r) => server.close(r));
  }
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
