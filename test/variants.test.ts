// The suite against deployments that are correct in other ways than PlaceOS ships: a hardened one
// (stronger than documented) passes; a doc-faithful one (password grant for service accounts
// only) fails exactly the row that reports it, and nothing else cascades.
import { matrixKeyPair, runAgainstReference } from '../runner/killmatrix';
import { GENERATIONS } from '../helpers/model';
import type { CaseResult } from '../helpers/model';

// One signing pair for the five targets of this file, as in the kill matrix (each still a target of its own).
const keyPair = matrixKeyPair();

const show = (results: CaseResult[], verdicts: string[]): string[] =>
  results.filter((r) => verdicts.includes(r.verdict)).map((r) => `${r.verdict} ${r.caseId}: ${r.message ?? ''}`);

// Stale-ledger warnings are expected on the hardened targets (the ledger lists what they fixed).
test.each(GENERATIONS)(
  'the hardened %s target passes: no fail, no error',
  async (profile) => {
    const results = await runAgainstReference({ profile, variant: 'hardened', concurrency: 4, keyPair: await keyPair });
    expect(show(results, ['fail', 'error'])).toEqual([]);
    // The stronger behaviours are judged, not skipped.
    const verdict = (id: string) => results.find((r) => r.caseId === id)?.verdict;
    for (const id of [
      'security-refresh-revoke.revoked-token-refused-at-rest-api',
      'security-session.session-cookie-samesite',
      'security-code-pkce.implicit-disabled',
      'security-bearer.scheme-case-insensitive',
    ]) {
      expect([id, verdict(id)]).toEqual([id, expect.stringMatching(/^(pass|warn)$/)]);
    }
  },
  300_000,
);

test.each(GENERATIONS.filter((g) => g !== 'authcr'))(
  'the doc-faithful %s target fails only password-grant.account.normal-user',
  async (profile) => {
    const results = await runAgainstReference({ profile, variant: 'doc-faithful', concurrency: 4, keyPair: await keyPair });
    expect(show(results, ['error'])).toEqual([]);
    expect(results.filter((r) => r.verdict === 'fail').map((r) => r.caseId)).toEqual(['password-grant.account.normal-user']);
  },
  300_000,
);
