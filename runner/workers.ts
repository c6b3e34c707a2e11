// How many jest workers a run gets. Each worker is a process start (node, jest runtime, the
// specs' modules) and runs one spec file (area) at a time, its cases `concurrency` at a time.
import * as os from 'node:os';

export interface WorkerSizing {
  /** PLACEOS_CONCURRENCY: journeys in flight within an area. */
  concurrency: number;
  /** Areas (spec files) with selected checks: more workers than files only cost start-ups. */
  areas: number;
  /** The embedded target: the run is CPU-bound on this machine, not waiting on round trips. */
  embedded: boolean;
  /** Cores this process may use (default os.availableParallelism()). */
  cores?: number;
}

/**
 * Against the embedded target every worker competes with the others and with the target for the
 * cores, so there is one worker per core. Against a deployment the round trips are the wait, so
 * more concurrency also gets more workers (at most 6, each costs a process start).
 */
export function workersFor(o: WorkerSizing): number {
  const cores = Math.max(1, o.cores ?? os.availableParallelism());
  const wanted = o.embedded ? cores : Math.max(cores, Math.min(6, o.concurrency));
  return Math.max(1, Math.min(wanted, o.areas));
}
