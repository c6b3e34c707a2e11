// npm run test:mutants [-- profile…]: the kill matrix as a table (mutant × verdict × catching checks).
import { matrixForProfile, renderMatrix } from '../runner/killmatrix';
import type { ProfileName } from '../reference/src';

async function main(): Promise<number> {
  const profiles = (process.argv.slice(2).length ? process.argv.slice(2) : ['rails', 'rails-2023', 'authcr']) as ProfileName[];
  const started = Date.now();
  const rows = (await Promise.all(profiles.map((p) => matrixForProfile(p)))).flat();
  process.stdout.write(renderMatrix(rows) + '\n');
  const bad = rows.filter((r) => !r.ok);
  process.stdout.write(`\n${rows.length} rows, ${bad.length} not ok, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return bad.length ? 1 : 0;
}

main().then(
  (c) => process.exit(c),
  (e) => {
    process.stdout.write(`kill matrix could not run: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
