// Each reference profile held to another generation's contract must fail: the suite tells the
// generations apart. (The runner test checks that the run also names how the contracts differ.)
import { matrixKeyPair, runAgainstReference } from '../runner/killmatrix';
import { contractDifferences } from '../helpers/generations';
import { GENERATIONS } from '../helpers/model';

// One signing pair for the six targets of this file, as in the kill matrix (each still a target of its own).
const keyPair = matrixKeyPair();

const pairs = GENERATIONS.flatMap((profile) => GENERATIONS.filter((g) => g !== profile).map((told) => [profile, told] as const));

// Concurrently: each run has a target of its own, and the runs held to authcr's contract mostly wait.
test.concurrent.each(pairs)(
  'the %s profile held to the %s contract fails',
  async (profile, told) => {
    expect(contractDifferences(profile, told).length).toBeGreaterThan(0);
    const results = await runAgainstReference({ profile, generation: told, keyPair: await keyPair });
    const failing = results.filter((r) => r.verdict === 'fail').map((r) => r.caseId);
    expect(failing.length).toBeGreaterThan(0);
  },
  120_000,
);
