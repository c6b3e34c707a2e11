// `placeos-auth-contract/kit` (package.json `exports`): the kit a user's own table of checks is
// written with, from the compiled program (bin/build.js) or, where that build cannot be written,
// the TypeScript through tsx. Types: helpers/kit/public.ts.
'use strict';
const path = require('node:path');
const { ensureBuilt } = require('./build');

const root = path.resolve(__dirname, '..');
const built = ensureBuilt(root);
if (built) module.exports = require(path.join(built, 'helpers/kit/public.js'));
else {
  require('tsx/cjs');
  module.exports = require('../helpers/kit/public.ts');
}
