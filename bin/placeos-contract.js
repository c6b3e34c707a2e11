#!/usr/bin/env node
// Entry point of `npm run contract` and of the package bin. TypeScript is loaded through tsx.
// The only place the program reads process.env: main() gets it as a value.
require('tsx/cjs');
const { main } = require('../runner/main.ts');

// Exit only once stdout has drained: a piped `--list --json` is larger than one pipe buffer.
const exit = (code) => process.stdout.write('', () => process.exit(code));

main(process.argv.slice(2), process.env).then(exit, (err) => {
  process.stdout.write(`placeos-contract: could not run: ${err && err.message ? err.message : err}\n`);
  exit(2);
});
