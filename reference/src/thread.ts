// The reference target inside a worker thread (runner/embedded.ts starts it): its start-up and
// request handling run on a core of their own, beside the checks on the runner's main thread.
// The parent hands { options } as workerData and gets back the plain part of the target (URLs,
// env, the env file's text) or the start error's message; it sends 'close' to end the target,
// and the thread answers 'closed' once every socket and the temporary files are gone.
import { parentPort, workerData } from 'node:worker_threads';
import type { ReferenceOptions, ReferenceTarget } from './index';
import { generateSigningKey } from './signing-key';

/** What the thread posts back. */
export type ThreadMessage =
  | { kind: 'started'; target: Omit<ReferenceTarget, 'envFile' | 'close'> & { envFile: string } }
  | { kind: 'failed'; message: string }
  | { kind: 'closed' };

const port = parentPort;
if (!port) throw new Error('reference/src/thread.ts runs only as a worker thread (runner/embedded.ts starts it)');
const post = (m: ThreadMessage): void => port.postMessage(m);

const { options } = workerData as { options: ReferenceOptions };
// Unless the caller gave one, the RSA key is generated on libuv's pool while this thread loads the target's modules.
const keyPair = options.keyPair ?? generateSigningKey();
Promise.resolve(keyPair).catch(() => undefined); // a failure is reported by startReferenceTarget, which awaits it
const { startReferenceTarget } = require('./index') as typeof import('./index');

let target: ReferenceTarget | undefined;
port.on('message', (m: unknown) => {
  if (m !== 'close') return;
  void (async () => {
    await target?.close();
    post({ kind: 'closed' });
    port.close();
  })();
});

startReferenceTarget({ ...options, keyPair }).then(
  (t) => {
    target = t;
    const { close: _close, envFile, ...plain } = t;
    post({ kind: 'started', target: { ...plain, envFile: envFile() } });
  },
  (e: unknown) => post({ kind: 'failed', message: e instanceof Error ? e.message : String(e) }),
);
