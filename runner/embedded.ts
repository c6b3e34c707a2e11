// How the suite starts the embedded reference target (main command, kill matrix, benchmark):
// one place, so every path checks the same target. The target lives in a worker thread of its
// own, so its start-up (express, oauth2-server, jose, a 2048-bit RSA key) and its request
// handling run beside the checks on the runner's thread instead of competing with them.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Capacity, ProfileName, ReferenceOptions, ReferenceTarget, VariantName } from '../reference/src';
import type { ThreadMessage } from '../reference/src/thread';

/**
 * Codes of one client of their own live 1 s so the code-expiry check can wait one out; every
 * other code lives PlaceOS's 600 s, so a loaded machine (a code redeemed seconds after it was
 * issued) never turns a correct target into invalid_grant.
 */
export const EMBEDDED_CODE_SECONDS = 1;

const THREAD_ENTRY = path.join(__dirname, '..', 'reference', 'src', 'thread.ts');

/**
 * A worker inherits neither tsx's hook (bin/placeos-contract.js) nor jest's transform: it
 * registers tsx itself (resolved from this folder, as in a clone or an installed package), then
 * loads the TypeScript entry.
 */
const BOOT = `
const { workerData } = require('node:worker_threads');
require(require.resolve('tsx/cjs', { paths: [workerData.from] }));
require(workerData.entry);
`;

export function startEmbeddedTarget(o: {
  profile: ProfileName;
  variant?: VariantName;
  mutants?: string[];
  tls?: boolean;
  capacity?: Capacity;
}): Promise<ReferenceTarget> {
  const options: ReferenceOptions = {
    profile: o.profile,
    variant: o.variant,
    mutants: o.mutants ?? [],
    tls: o.tls,
    quiet: true,
    ...(o.capacity ? { capacity: o.capacity } : {}),
    lifetimes: { shortCodeSeconds: EMBEDDED_CODE_SECONDS },
  };
  const worker = new Worker(BOOT, { eval: true, workerData: { from: __dirname, entry: THREAD_ENTRY, options } });
  return new Promise<ReferenceTarget>((resolve, reject) => {
    let started = false;
    let ended = false;
    let closed: Promise<void> | undefined;
    const onClosed: (() => void)[] = [];
    worker.on('message', (m: ThreadMessage) => {
      if (m.kind === 'failed') {
        reject(new Error(m.message));
        void worker.terminate();
      } else if (m.kind === 'closed') {
        for (const f of onClosed.splice(0)) f();
      } else {
        started = true;
        const { envFile, ...plain } = m.target;
        resolve({ ...plain, envFile: () => envFile, close });
      }
    });
    worker.on('error', (e) => {
      ended = true;
      if (!started) reject(new Error(`the embedded reference target could not start: ${e.message}`));
    });
    worker.on('exit', (code) => {
      ended = true;
      if (!started) reject(new Error(`the embedded reference target's thread ended (exit code ${code}) before the target started`));
      for (const f of onClosed.splice(0)) f();
    });
    const close = (): Promise<void> => {
      closed ??= (async () => {
        // A thread that already ended (a crash) has nothing left to close.
        if (!ended) {
          await new Promise<void>((done) => {
            onClosed.push(done);
            worker.postMessage('close');
          });
        }
        await worker.terminate();
      })();
      return closed;
    };
  });
}
