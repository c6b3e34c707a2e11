// The run's one bound on requests in flight: the AIMD limiter, and clients sharing it against a
// real local server.
import * as http from 'node:http';
import type { Permit } from '../../helpers/http-limiter';
import { AimdLimiter, GateRefusal, overloadLine, percentile } from '../../helpers/http-limiter';
import { createHttpClient } from '../../helpers/http';

const quick = { latencyMs: 5, status: 200 };
const tick = () => new Promise((r) => setImmediate(r));
/** Ask for n permits; report how many were granted so far. */
function askMany(gate: { acquire(): Promise<Permit> }, n: number): { granted: Permit[]; all: Promise<Permit>[] } {
  const granted: Permit[] = [];
  const all = Array.from({ length: n }, () => gate.acquire().then((p) => (granted.push(p), p)));
  return { granted, all };
}

describe('AimdLimiter', () => {
  test('never lets more than `max` requests go at once; a release lets the next one go', async () => {
    const l = new AimdLimiter({ max: 3, timeoutMs: 1000 });
    const { granted, all } = askMany(l, 5);
    await tick();
    expect(granted).toHaveLength(3);
    expect(l.inFlight).toBe(3);
    granted[0]!.release(quick);
    await tick();
    expect(granted).toHaveLength(4);
    expect(l.inFlight).toBe(3);
    granted[1]!.release(quick);
    for (const p of await Promise.all(all)) p.release(quick);
    expect(l.inFlight).toBe(0);
  });

  test.each([
    ['a 503', { latencyMs: 5, status: 503 }],
    ['a 429', { latencyMs: 5, status: 429 }],
    ['a slow answer (over a quarter of the timeout)', { latencyMs: 300, status: 200 }],
    ['a timeout', { latencyMs: 1000, timedOut: true }],
  ])('%s halves the bound once per round, quick answers raise it back', async (_name, outcome) => {
    const l = new AimdLimiter({ max: 8, timeoutMs: 1000, overloadAfter: 100 });
    const first = await Promise.all(Array.from({ length: 8 }, () => l.acquire()));
    // Eight answers of the same round: one decrease, not eight.
    for (const p of first) p.release(outcome);
    expect(l.limit).toBe(4);
    expect(l.stats().throttled).toBe(true);
    expect(l.stats().lowest).toBe(4);
    for (let i = 0; i < 40; i++) (await l.acquire()).release(quick);
    expect(l.limit).toBe(8);
    expect(l.stats().lowest).toBe(4);
  });

  test('waiting requests go in priority order (a journey under way first), first come first served among equals', async () => {
    const l = new AimdLimiter({ max: 1, timeoutMs: 1000 });
    const first = await l.acquire('check', 5);
    const order: string[] = [];
    const ask = (name: string, priority: number) => l.acquire('check', priority).then((p) => (order.push(name), p.release(quick)));
    const all = [ask('new journey', 30), ask('older journey', 10), ask('older journey, second request', 10), ask('oldest journey', 1)];
    first.release(quick);
    await Promise.all(all);
    expect(order).toEqual(['oldest journey', 'older journey', 'older journey, second request', 'new journey']);
  });

  test('Retry-After pauses every request until it has passed', async () => {
    const l = new AimdLimiter({ max: 4, timeoutMs: 5000 });
    (await l.acquire()).release({ latencyMs: 5, status: 503, retryAfterMs: 300 });
    const t0 = Date.now();
    (await l.acquire()).release(quick);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(l.stats().throttled).toBe(true);
  });

  test('answers slower than half the timeout (or none) past the threshold: one overload line, every later request refused', async () => {
    const l = new AimdLimiter({ max: 2, timeoutMs: 1000, overloadAfter: 3 });
    const waiting = askMany(l, 4);
    const refused = Promise.allSettled(waiting.all);
    await tick();
    waiting.granted[0]!.release({ latencyMs: 600, status: 200 });
    waiting.granted[1]!.release({ latencyMs: 1000, timedOut: true });
    await tick();
    waiting.granted[2]!.release({ latencyMs: 700, status: 200 });
    const line = overloadLine(3, 500);
    expect(line).toBe('the deployment answered 3 requests slower than 500 ms; lower PLACEOS_CONCURRENCY or raise PLACEOS_TIMEOUT_MS');
    await expect(l.acquire()).rejects.toEqual(new GateRefusal(line, 'OVERLOAD'));
    expect(l.stats().overloaded).toBe(line);
    // The one still queued when the line came is refused with it too.
    expect((await refused).filter((r) => r.status === 'rejected')).toHaveLength(1);
  });

  test('after the overload stop the revocations still go, one at a time, with a growing backoff, until the bound', async () => {
    const l = new AimdLimiter({ max: 4, timeoutMs: 1000, overloadAfter: 1, cleanupAfterOverloadMs: 2000 });
    (await l.acquire()).release({ latencyMs: 800, status: 200 });
    expect(l.stats().overloaded).toBeDefined();
    await expect(l.acquire('check')).rejects.toMatchObject({ code: 'OVERLOAD' });
    // Two revocations asked at once: one goes, the other waits for it.
    const granted: Permit[] = [];
    const both = [l.acquire('cleanup'), l.acquire('cleanup')].map((p) => p.then((x) => (granted.push(x), x)));
    await tick();
    expect(granted).toHaveLength(1);
    // A struggling answer (a 503) pauses the next one: 0.5 s backoff.
    const t0 = Date.now();
    granted[0]!.release({ latencyMs: 5, status: 503 });
    (await both[1]!).release(quick);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    // A Retry-After longer than the time left: the waiting revocation is refused at the bound, not after the pause.
    (await l.acquire('cleanup')).release({ latencyMs: 5, status: 429, retryAfterMs: 10_000 });
    const t1 = Date.now();
    await expect(l.acquire('cleanup')).rejects.toThrow(/the revocations stopped 2 s after it/);
    expect(Date.now() - t1).toBeLessThan(2500);
    await expect(l.acquire('cleanup')).rejects.toMatchObject({ code: 'OVERLOAD' });
    l.close();
  });

  test('an aborted signal refuses the requests of the checks (waiting and new) with its reason; revocations still go', async () => {
    const stop = new AbortController();
    const l = new AimdLimiter({ max: 1, timeoutMs: 1000, signal: stop.signal });
    const first = await l.acquire();
    const waitingCheck = l.acquire('check');
    const waitingCleanup = l.acquire('cleanup');
    stop.abort('interrupted by SIGTERM');
    await expect(waitingCheck).rejects.toEqual(new GateRefusal('interrupted by SIGTERM: no further request of the checks is sent', 'STOPPED'));
    await expect(l.acquire('check')).rejects.toMatchObject({ code: 'STOPPED' });
    first.release(quick);
    (await waitingCleanup).release(quick);
    (await l.acquire('cleanup')).release(quick);
  });

  test('the budget counts every check request of the run; cleanup requests do not count', async () => {
    const l = new AimdLimiter({ max: 2, timeoutMs: 1000, maxRequests: 2 });
    (await l.acquire()).release(quick);
    (await l.acquire()).release(quick);
    await expect(l.acquire()).rejects.toThrow(/request budget of 2 exhausted \(PLACEOS_MAX_REQUESTS\)/);
    (await l.acquire('cleanup')).release(quick);
    expect(l.stats().used).toBe(2);
  });

  test('latency percentiles (nearest rank) over every answered request', async () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    const l = new AimdLimiter({ max: 4, timeoutMs: 10_000 });
    for (const ms of [10, 20, 30, 40, 1000]) (await l.acquire()).release({ latencyMs: ms, status: 200 });
    expect(l.stats().latency).toEqual({ samples: 5, p50Ms: 30, p95Ms: 1000, maxMs: 1000 });
  });
});

test('clients sharing a gate never have more requests in flight at the server than its bound', async () => {
  let now = 0;
  let most = 0;
  const server = http.createServer((_req, res) => {
    now += 1;
    most = Math.max(most, now);
    setTimeout(() => {
      now -= 1;
      res.end('{}');
    }, 30);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const gate = new AimdLimiter({ max: 2, timeoutMs: 5000 });
  const settings = { timeoutMs: 5000, retries: 0, tls: { insecure: false }, maxRequests: 100, concurrency: 2 };
  try {
    const clients = [1, 2, 3].map((i) => createHttpClient({ baseUrl, settings, journey: `j${i}`, gate }));
    const answers = await Promise.all(clients.flatMap((c) => [c.get('/a'), c.get('/b'), c.get('/c')]));
    expect(answers.map((a) => a.status)).toEqual(Array(9).fill(200));
    expect(most).toBe(2);
    expect(gate.stats().latency?.samples).toBe(9);
  } finally {
    server.close();
  }
});
