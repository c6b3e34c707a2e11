// The capacity limit: at most K requests served at once, the rest queued, each costing a fixed
// server time before it is handled.
import * as http from 'node:http';
import { checkCapacity, withCapacity } from '../src/capacity';

test('serves at most `concurrent` requests at once, each after its cost; the rest wait', async () => {
  let now = 0;
  let most = 0;
  // Each request is held until two are being served at once (or 2 s pass), so a busy machine
  // that delivers the requests one by one still shows whether the limit admits two.
  const held: (() => void)[] = [];
  const handler = withCapacity(
    (_req, res) => {
      now += 1;
      most = Math.max(most, now);
      const done = () => {
        now -= 1;
        res.end('ok');
      };
      held.push(done);
      if (now >= 2) held.splice(0).forEach((f) => setTimeout(f, 10));
      else setTimeout(() => held.splice(held.indexOf(done) >>> 0, 1).forEach((f) => f()), 2000);
    },
    { concurrent: 2, costMs: 40 },
  );
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const t0 = Date.now();
    const get = () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
    expect(await Promise.all([get(), get(), get(), get()])).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(most).toBe(2);
    // Two rounds of two, each at least the cost.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(80);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a capacity that makes no sense is refused, naming the field', () => {
  expect(() => checkCapacity({ concurrent: 0, costMs: 10 })).toThrow(/capacity.concurrent must be a whole number >= 1, got 0/);
  expect(() => checkCapacity({ concurrent: 2, costMs: -1 })).toThrow(/capacity.costMs/);
});
