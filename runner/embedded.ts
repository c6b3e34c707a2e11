// How the suite starts the embedded reference target (main command, kill matrix, benchmark):
// one place, so every path checks the same target. The command's one target lives in a worker
// thread of its own, so its start-up (express, oauth2-server, jose, a 2048-bit RSA key) and its
// request handling run beside the checks instead of competing with them; the kill matrix, which
// starts hundreds, keeps them in its own process (`thread: false`).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Capacity, ProfileName, ReferenceOptions, ReferenceTarget, VariantName } from '../reference/src';
import type { ThreadMessage } from '../reference/src/thread';
import type { KeyPair } from '../reference/src/signing-key';
import { PACKAGE_ROOT } from '../helpers/package-root';

/**
 * Codes of one client of their own live 1 s so the code-expiry check can wait one out; every
 * other code lives PlaceOS's 600 s, so a loaded machine (a code redeemed seconds after it was
 * issued) never turns a correct target into invalid_grant.
 */
export const EMBEDDED_CODE_SECONDS = 1;

let entry: { file: string; tsx: boolean } | undefined;

/**
 * The thread's entry: the compiled build of the sources (bin/build.js, the one the command runs;
 * built once if missing, also when the caller runs from the TypeScript under jest), or, where the
 * build cannot be written, the TypeScript through tsx. Found once per process.
 */
function threadEntry(): { file: string; tsx: boolean } {
  if (!entry) {
    const { ensureBuilt } = require(path.join(PACKAGE_ROOT, 'bin', 'build.js')) as { ensureBuilt(root: string): string | undefined };
    const built = ensureBuilt(PACKAGE_ROOT);
    entry = built
      ? { file: path.join(built, 'reference', 'src', 'thread.js'), tsx: false }
      : { file: path.join(PACKAGE_ROOT, 'reference', 'src', 'thread.ts'), tsx: true };
  }
  return entry;
}

/** A worker inherits no TypeScript hook: the TypeScript entry registers tsx itself first. */
const BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.tsx) require(require.resolve('tsx/cjs', { paths: [workerData.from] }));
require(workerData.entry);
`;

export function startEmbeddedTarget(o: {
  profile: ProfileName;
  variant?: VariantName;
  mutants?: string[];
  tls?: boolean;
  capacity?: Capacity;
  /** The signing pair (default: a fresh one); the kill matrix shares one. */
  keyPair?: KeyPair;
  /**
   * In a thread of its own (default), for a process with one target: its start-up overlaps the
   * runner's. `false` for a process that starts many (the kill matrix: 200 targets): a thread loads
   * the target's modules afresh each time, which doubles the CPU of a kill-matrix run (measured).
   */
  thread?: boolean;
}): Promise<ReferenceTarget> {
  const options: ReferenceOptions = {
    profile: o.profile,
    variant: o.variant,
    mutants: o.mutants ?? [],
    tls: o.tls,
    quiet: true,
    ...(o.capacity ? { capacity: o.capacity } : {}),
    ...(o.keyPair ? { keyPair: o.keyPair } : {}),
    lifetimes: { shortCodeSeconds: EMBEDDED_CODE_SECONDS },
  };
  if (o.thread === false) return (require('../reference/src') as typeof import('../reference/src')).startReferenceTarget(options);
  const { file, tsx } = threadEntry();
  const worker = new Worker(BOOT, { eval: true, workerData: { from: __dirname, entry: file, tsx, options } });
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
