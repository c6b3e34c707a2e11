#!/usr/bin/env node
// Entry point of `npm run contract` and of the package bin. Runs the compiled JavaScript of the
// sources (bin/build.js: built on a clone's first run and after each change, shipped in the
// package); where that build cannot be written, the TypeScript through tsx.
// The only place the program reads process.env: main() gets it as a value.
const path = require('node:path');
const { ensureBuilt } = require('./build');

const root = path.resolve(__dirname, '..');
const built = ensureBuilt(root);
let main;
if (built) main = require(path.join(built, 'runner/main.js')).main;
else {
  require('tsx/cjs');
  main = require('../runner/main.ts').main;
}

// Exit only once stdout has drained: a piped `--list --json` is larger than one pipe buffer.
const exit = (code) => process.stdout.write('', () => process.exit(code));

// The checks run in this process: an error none of them caught is a defect of the suite, never a
// verdict. One line (its kind only: the message may hold what a response said) and exit 2.
for (const event of ['unhandledRejection', 'uncaughtException'])
  process.on(event, (err) => {
    process.stdout.write(`placeos-contract: could not run: an error escaped the suite's own handling (${(err && err.name) || typeof err}); please report it\n`);
    exit(2);
  });

main(process.argv.slice(2), process.env, undefined, { tty: process.stdout.isTTY === true }).then(exit, (err) => {
  process.stdout.write(`placeos-contract: could not run: ${err && err.message ? err.message : err}\n`);
  exit(2);
});
