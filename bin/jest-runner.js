// The jest runner of the package's preset (jest-preset.js `runner`): the compiled program
// (bin/build.js, as bin/placeos-contract.js loads it) or, where that build cannot be written, the
// TypeScript through tsx. An entry point: it hands the process environment to the runner.
'use strict';
const path = require('node:path');
const { ensureBuilt } = require('./build');

const root = path.resolve(__dirname, '..');
const built = ensureBuilt(root);
let runner;
if (built) runner = require(path.join(built, 'runner/jest/runner.js'));
else {
  require('tsx/cjs');
  runner = require('../runner/jest/runner.ts');
}
module.exports = runner.contractRunner(process.env);
