#!/usr/bin/env node
// Entry point of `npm run contract` and of the package bin. TypeScript is loaded through tsx.
require('tsx/cjs');
const { main } = require('../helpers/runner/main.ts');
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stdout.write(`placeos-contract: could not run: ${err && err.message ? err.message : err}\n`);
    process.exit(2);
  },
);
