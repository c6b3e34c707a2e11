// The run's permit service: the jest workers are separate processes, so the one bound on requests
// in flight (and the budget, the latency samples, the overload counter) lives in the runner
// process, in an AimdLimiter, and the workers ask it over a local socket before each request.
// Protocol: one JSON object per line. Worker → runner: {"a":id,"k":"check"|"cleanup","p":priority} asks for a
// permit, {"r":id,"o":outcome} gives it back. Runner → worker: {"g":id} granted, {"e":id,"m":…,"c":…} refused.
import * as net from 'node:net';
import * as path from 'node:path';
import type { AimdLimiter, Permit, PermitKind, RequestGate, RequestOutcome } from '../helpers/http-limiter';
import { GateRefusal } from '../helpers/http-limiter';

export interface PermitService {
  /** The socket path the workers connect to. */
  readonly address: string;
  close(): Promise<void>;
}

type Message = { a?: number; k?: PermitKind; p?: number; r?: number; o?: RequestOutcome };

function lines(socket: net.Socket, onLine: (line: string) => void): void {
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line) onLine(line);
    }
  });
}

/** Serve `limiter` on a socket inside `dir` (a private folder of the run). */
export function startPermitService(limiter: AimdLimiter, dir: string): Promise<PermitService> {
  const address = process.platform === 'win32' ? `\\\\.\\pipe\\placeos-contract-${process.pid}-${Date.now()}` : path.join(dir, 'permits.sock');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const held = new Map<number, Permit>();
    const send = (m: object) => {
      if (!socket.destroyed) socket.write(JSON.stringify(m) + '\n');
    };
    lines(socket, (line) => {
      const m = JSON.parse(line) as Message;
      if (typeof m.a === 'number') {
        const id = m.a;
        limiter.acquire(m.k === 'cleanup' ? 'cleanup' : 'check', typeof m.p === 'number' ? m.p : undefined).then(
          (p) => {
            if (socket.destroyed) return p.release();
            held.set(id, p);
            send({ g: id });
          },
          (e: Error) => send({ e: id, m: e.message, c: e instanceof GateRefusal ? e.code : 'PERMITS' }),
        );
      } else if (typeof m.r === 'number') {
        held.get(m.r)?.release(m.o);
        held.delete(m.r);
      }
    });
    // A worker that goes away gives its permits back.
    socket.on('close', () => {
      sockets.delete(socket);
      for (const p of held.values()) p.release();
      held.clear();
    });
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () =>
      resolve({
        address,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

/** A worker's gate: asks the runner's permit service. `close()` when the worker is done. */
export function connectPermits(address: string): RequestGate & { close(): void } {
  let socket: net.Socket | undefined;
  let next = 1;
  const pending = new Map<number, { resolve(p: Permit): void; reject(e: Error): void }>();
  const fail = (why: string) => {
    for (const p of pending.values()) p.reject(new Error(`the run's permit service is gone (${why})`));
    pending.clear();
    socket = undefined;
  };
  const connect = (): net.Socket => {
    const s = net.createConnection(address);
    s.unref();
    lines(s, (line) => {
      const m = JSON.parse(line) as { g?: number; e?: number; m?: string; c?: string };
      const id = m.g ?? m.e;
      const p = id === undefined ? undefined : pending.get(id);
      if (!p || id === undefined) return;
      pending.delete(id);
      if (m.g !== undefined) {
        let done = false;
        p.resolve({
          release(o) {
            if (done) return;
            done = true;
            if (!s.destroyed) s.write(JSON.stringify({ r: id, ...(o ? { o } : {}) }) + '\n');
          },
        });
      } else {
        p.reject(m.c === 'OVERLOAD' || m.c === 'BUDGET' ? new GateRefusal(m.m ?? '', m.c) : new Error(m.m ?? 'permit refused'));
      }
    });
    s.on('error', (e) => fail(e.message));
    s.on('close', () => fail('connection closed'));
    return s;
  };
  return {
    acquire(kind: PermitKind = 'check', priority = Date.now()) {
      socket ??= connect();
      const s = socket;
      const id = next++;
      return new Promise<Permit>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        s.write(JSON.stringify({ a: id, k: kind, p: priority }) + '\n');
      });
    },
    close() {
      socket?.destroy();
      socket = undefined;
    },
  };
}
