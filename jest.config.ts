/** @jest-config-loader esbuild-register */
import { availableParallelism } from 'node:os';
import type { Config } from 'jest';
import { swcTransform } from './runner/transform';

// The project's own tests (npm test). The contract specs under specs/ are not run from here:
// `npm run contract` runs them with a configuration of its own (runner/main.ts), after
// it has resolved the target.
const config: Config = {
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/reference/test/**/*.test.ts'],
  transform: swcTransform as unknown as Config['transform'],
  testEnvironment: 'node',
  // The known long files (kill matrices, Doorkeeper, runner) first, also on a fresh CI runner.
  testSequencer: '<rootDir>/test/sequencer.js',
  // jest's default (cores − 1) runs everything in one process on a 2-core CI machine. One more
  // than the cores: each kill matrix keeps one core busy, while the Doorkeeper, runner and pack
  // tests mostly wait on child processes (3 on 2 cores).
  maxWorkers: availableParallelism() + 1,
  // Long tests (kill matrix, full runs) set their own timeouts.
  testTimeout: 30_000,
};

export default config;
