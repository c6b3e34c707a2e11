/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// swc strips types without type-checking: a jest start-up of well under a second instead of
// several with ts-jest. Type errors are caught by `npm run typecheck`, which the test command runs.
const transform: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};

const config: Config = {
  projects: [
    {
      displayName: 'self',
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/reference/test/**/*.test.ts'],
      transform,
      testEnvironment: 'node',
    },
    {
      displayName: 'contract',
      testMatch: ['<rootDir>/specs/**/*.spec.ts'],
      transform,
      testEnvironment: 'node',
    },
  ],
};

export default config;
