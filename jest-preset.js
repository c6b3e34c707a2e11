// The package's jest preset: `preset: 'placeos-auth-contract'` in a jest config runs the shipped
// tables (specs/**/*.cases.ts) and the project's own `*.cases.ts` / `*.cases.js` through the
// contract's runner (runner/jest/runner.ts): one run of the checks against the deployment the
// usual settings name (PLACEOS_URL, the environment), or the embedded reference target when
// nothing names one. The run's own options go in `testEnvironmentOptions.contract`, e.g.
// `{ contract: ['--strict', '--env', 'env/mine.env'] }`. See docs/extending.md.
'use strict';
const path = require('node:path');

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const sep = escapeRe(path.sep);

module.exports = {
  runner: path.join(__dirname, 'bin', 'jest-runner.js'),
  // The shipped tables are found where the package is installed, beside the project's own.
  roots: ['<rootDir>', path.join(__dirname, 'specs')],
  testMatch: ['**/*.cases.ts', '**/*.cases.js'],
  // jest leaves files under node_modules out of its file map unless told to keep them; of those,
  // only the package's own are kept (a project's node_modules would slow every start).
  haste: { retainAllFiles: true },
  modulePathIgnorePatterns: [`${sep}node_modules${sep}(?!placeos-auth-contract${sep})`],
  // …and out of the tests: all but the shipped tables; never the program's compiled copy.
  testPathIgnorePatterns: [`${sep}node_modules${sep}(?!placeos-auth-contract${sep}specs${sep})`, `^${escapeRe(path.join(__dirname, 'build') + path.sep)}`],
  // A run writes its report bundle (reports/ by default, staged beside it): not a change for watch mode.
  watchPathIgnorePatterns: [`${sep}reports(\\.[^${sep}]+)?${sep}`],
  testEnvironmentOptions: { contract: [] },
  // Nothing for jest to transform: the runner loads the tables itself (runner/jest/tables.ts), and
  // jest's default (babel) would transpile the runner and the whole program first on a cold cache.
  transform: {},
};
