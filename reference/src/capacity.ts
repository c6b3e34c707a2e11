// A capacity limit for the reference target, like a Rails/Puma deployment with a few worker
// threads: at most `concurrent` requests are served at once, the rest wait in a queue, and each
// costs `costMs` of server time (think bcrypt) before it is handled. A client that gave up still
// costs its slot, as on a real server that never hears of the timeout.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

export interface Capacity {
  /** Requests served at once (>= 1). */
  concurrent: number;
  /** Server time every request costs while it holds its slot (ms, >= 0). */
  costMs: number;
}

export function checkCapacity(c: Capacity): void {
  if (!Number.isInteger(c.concurrent) || c.concurrent < 1) throw new Error(`capacity.concurrent must be a whole number >= 1, got ${String(c.concurrent)}`);
  if (!Number.isFinite(c.costMs) || c.costMs < 0) throw new Error(`capacity.costMs must be a number of milliseconds >= 0, got ${String(c.costMs)}`);
}

export function withCapacity(handler: RequestListener, c: Capacity): RequestListener {
  checkCapacity(c);
  let busy = 0;
  const queue: (() => void)[] = [];
  const next = (): void => {
    while (busy < c.concurrent && queue.length) {
      busy += 1;
      queue.shift()!();
    }
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    queue.push(() => {
      let freed = false;
      const free = (): void => {
        if (freed) return;
        freed = true;
        busy -= 1;
        next();
      };
      res.once('close', free);
      setTimeout(() => {
        if (res.writableEnded || res.destroyed) return free();
        handler(req, res);
      }, c.costMs);
    });
    next();
  };
}
