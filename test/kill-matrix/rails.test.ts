// Kill matrix for the rails profile: the correct target gives no failure, every mutant observable
// on this profile is caught by a check carrying its requirement, benign mutants are not flagged.
import { matrixForProfile, renderMatrix } from '../../runner/killmatrix';
import type { MatrixRow } from '../../runner/killmatrix';

let rows: MatrixRow[] = [];

beforeAll(async () => {
  rows = await matrixForProfile('rails');
  process.stdout.write(renderMatrix(rows) + '\n');
}, 600_000);

test('kill matrix of the rails profile has no surviving mutant and no false alarm', () => {
  expect(rows.length).toBeGreaterThan(1);
  expect(rows.filter((r) => !r.ok).map((r) => `${r.mutant ?? '(correct)'}: ${r.problem}`)).toEqual([]);
});
