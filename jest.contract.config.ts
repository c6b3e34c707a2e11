/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// The contract checks under jest, in this clone: `npx jest --config jest.contract.config.ts`
// (with -t, --testPathPatterns, --shard, --listTests, --watch and any reporter), as a user's
// config with `preset: 'placeos-auth-contract'` runs them (jest-preset.js). `npm test` (the
// project's own tests, jest.config.ts) is not this.
const config: Config = {
  preset: './jest-preset.js',
  // The tables are under specs/ (the preset also looks through the whole project, as a user's
  // project keeps its tables anywhere).
  roots: ['<rootDir>/specs'],
};

export default config;
