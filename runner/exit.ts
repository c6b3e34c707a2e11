/**
 * Exit codes: 0 the contract holds, 1 violated, 2 could not run, 3 a registered secret was found in
 * an artifact; 130 / 143 interrupted by SIGINT / SIGTERM (128 + the signal's number, as a shell
 * reports a process killed by it), after the incomplete bundle was written.
 */
export const EXIT = { ok: 0, violated: 1, couldNotRun: 2, secretLeak: 3, interruptedSigint: 130, interruptedSigterm: 143 } as const;
