/** @jest-config-loader esbuild-register */
import { availableParallelism } from 'node:os';
import type { Config } from 'jest';

// The project's own tests (npm test). The contract checks under specs/ run under jest through
// the package's preset instead (jest-preset.js; in a clone jest.contract.config.ts), or through
// `npm run contract`: either way in one run (runner/run.ts, runner/engine.ts runCases).
const config: Config = {
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/reference/test/**/*.test.ts'],
  // swc strips types without type-checking (tsc --noEmit does that, first in npm test).
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  testEnvironment: 'node',
  // The known long files (kill matrices, Doorkeeper, runner) first, also on a fresh CI runner.
  testSequencer: '<rootDir>/test/sequencer.js',
  // jest's default (cores − 1) runs everything in one process on a 2-core CI machine. Two more
  // than the cores (4 on 2): the three kill matrices start at once, each keeping a core busy, and
  // the fourth worker takes the Doorkeeper, runner and pack tests, whose CPU is spent in child
  // processes while the worker waits; so the runner test no longer starts last and runs alone.
  maxWorkers: availableParallelism() + 2,
  // Long tests (kill matrix, full runs) set their own timeouts.
  testTimeout: 30_000,
};

export default config;
