// npm run bench's baseline: one run made by the engine alone (runner/session.ts, runner/run.ts),
// without jest, from the program's compiled build, as `placeos-contract` made it before it ran the
// checks through jest. Arguments as the command line's (a run only: no --fleet, --list or merge).
'use strict';
const path = require('node:path');
const { ensureBuilt } = require('../bin/build');

const built = ensureBuilt(path.resolve(__dirname, '..'));
const load = (m) => require(path.join(built, m));
const { parseArgs } = load('runner/args.js');
const { beginSession } = load('runner/session.js');

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const out = (s) => process.stdout.write(s + '\n');
  const session = beginSession(o, process.env, {}, out);
  if (!('run' in session)) return session.code;
  return (await session.run()).code;
}

main().then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (e) => {
    process.stdout.write(`engine-alone: ${e.message}\n`);
    process.exit(2);
  },
);
