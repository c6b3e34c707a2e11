// Kill matrix for the authcr profile: the correct target fails exactly its known security defect
// (the backslash open redirect real auth.cr has; a security defect is never a shipped ledger
// deviation) and nothing else, every mutant observable on this profile is caught by a check
// carrying its requirement, benign mutants are not flagged.
import { KNOWN_DEFECTS, matrixForProfile, renderMatrix } from '../../runner/killmatrix';
import type { MatrixRow } from '../../runner/killmatrix';

let rows: MatrixRow[] = [];

beforeAll(async () => {
  rows = await matrixForProfile('authcr');
  process.stdout.write(renderMatrix(rows) + '\n');
}, 600_000);

test('the correct authcr profile fails exactly its known open redirect, with no other fail', () => {
  expect(KNOWN_DEFECTS.authcr).toEqual(['security-redirect.continue-backslash']);
  const correct = rows.find((r) => r.mutant === undefined)!;
  expect(correct.knownDefects).toEqual(['security-redirect.continue-backslash']);
  expect(correct.counts.fail).toBe(1);
  expect(correct.failing).toEqual([]);
});

test('kill matrix of the authcr profile has no surviving mutant and no false alarm', () => {
  expect(rows.length).toBeGreaterThan(1);
  expect(rows.filter((r) => !r.ok).map((r) => `${r.mutant ?? '(correct)'}: ${r.problem}`)).toEqual([]);
});
