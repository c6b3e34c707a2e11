#!/usr/bin/env node
// Entry point of `npm run contract` and of the package bin. Runs the compiled JavaScript of the
// sources (bin/build.js: built on a clone's first run and after each change, shipped in the
// package); where that build cannot be written, the TypeScript through tsx.
// The only place the program reads process.env: main() gets it as a value.
const path = require('node:path');
const { ensureBuilt } = require('./build');

// NO_COLOR (https://no-color.org) reaches the libraries that read FORCE_COLOR instead (jest's
// chalk, which writes jest's own line on a terminal while the checks run through jest).
if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';

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

// SIGINT / SIGTERM (Ctrl-C, a cancelled CI job): the run stops starting requests, revokes what it
// minted (a few seconds at most), swaps in a bundle marked incomplete and exits 130 / 143
// (runner/lifecycle.ts). A second signal exits at once: the reports folder keeps the previous
// bundle, the staging folder beside it is removed by the next run. The only signal handlers.
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 };
const stop = new globalThis.AbortController();
for (const sig of Object.keys(SIGNAL_EXIT))
  process.on(sig, () => {
    if (stop.signal.aborted) {
      process.stdout.write(`placeos-contract: ${sig} again: stopped at once; the reports folder keeps the previous bundle\n`);
      process.exit(SIGNAL_EXIT[sig]);
    }
    stop.abort(`interrupted by ${sig}`);
    // Whatever is under way (a fleet, a merge) ends within a bound even if it does not listen.
    setTimeout(() => exit(SIGNAL_EXIT[sig]), 20_000).unref();
  });

main(process.argv.slice(2), process.env, undefined, { tty: process.stdout.isTTY === true, signal: stop.signal }).then(exit, (err) => {
  process.stdout.write(`placeos-contract: could not run: ${err && err.message ? err.message : err}\n`);
  exit(2);
});
