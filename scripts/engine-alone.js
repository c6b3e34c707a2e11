// npm run bench's baseline: one run made by the engine alone (runner/run.ts runContract), without
// jest, from the program's compiled build, as `placeos-contract` made it before it ran the checks
// through jest. Arguments as the command line's (a run only: no --fleet, --list or merge).
'use strict';
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { ensureBuilt } = require('../bin/build');

const built = ensureBuilt(path.resolve(__dirname, '..'));
const load = (m) => require(path.join(built, m));
const { parseArgs } = load('runner/args.js');
const { resolveTarget } = load('runner/target.js');
const { createSecretRegistry } = load('helpers/secrets.js');

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = o.quiet ? () => undefined : (s) => process.stdout.write(s + '\n');
  const startedAt = new Date();
  const starting = resolveTarget(o, process.env, log);
  const { runContract } = load('runner/run.js');
  const target = await starting;
  try {
    const runId = `placeos-contract-${randomBytes(6).toString('base64url')}`;
    const out = (s) => process.stdout.write(s + '\n');
    return await runContract({ o, env: process.env, target, secrets: createSecretRegistry(), runId, startedAt, out, log });
  } finally {
    await target.close();
  }
}

main().then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (e) => {
    process.stdout.write(`engine-alone: ${e.message}\n`);
    process.exit(2);
  },
);
