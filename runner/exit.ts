/** Exit codes: 0 the contract holds, 1 violated, 2 could not run, 3 a registered secret was found in an artifact. */
export const EXIT = { ok: 0, violated: 1, couldNotRun: 2, secretLeak: 3 } as const;
