/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';
import { swcTransform } from './helpers/runner/transform';

// The project's own tests (npm test). The contract specs under specs/ are not run from here:
// `npm run contract` runs them with a configuration of its own (helpers/runner/main.ts), after
// it has resolved the target.
const config: Config = {
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/reference/test/**/*.test.ts'],
  transform: swcTransform as unknown as Config['transform'],
  testEnvironment: 'node',
};

export default config;
