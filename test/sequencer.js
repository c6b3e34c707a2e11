// jest runs test files in the order of their last measured durations, and without that record (a
// fresh CI runner) largest file first: the kill matrices, a few lines each but minutes long, would
// start last and run alone at the end on one core. The known long files start first, the rest
// keep jest's order.
const Sequencer = require('@jest/test-sequencer').default;

/** Longest first: each an in-process matrix or a run that waits on child processes. */
const LONG = [
  /\/test\/doorkeeper\.test\.ts$/,
  /\/test\/kill-matrix\/rails\.test\.ts$/,
  /\/test\/kill-matrix\/authcr\.test\.ts$/,
  /\/test\/kill-matrix\/rails-2023\.test\.ts$/,
  /\/test\/runner\.test\.ts$/,
  /\/test\/package\.test\.ts$/,
  /\/test\/variants\.test\.ts$/,
];

const rank = (test) => {
  const i = LONG.findIndex((re) => re.test(test.path.split(require('node:path').sep).join('/')));
  return i < 0 ? LONG.length : i;
};

class LongFirst extends Sequencer {
  sort(tests) {
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongFirst;
