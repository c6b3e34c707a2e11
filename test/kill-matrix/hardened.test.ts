// Checks only a hardened deployment can judge: where PlaceOS as shipped already departs (ledgered),
// a mutant cannot change what the check observes, so the kill is proven on the hardened variant.
// revoked-refresh-ends-grant-at-rest-api: a rest-api that checks revocation refuses the access
// token of a revoked refresh token's grant; the mutant revoke-refresh-keeps-access leaves that
// access token active, which only such a rest-api can show. Without the ledger: on the hardened
// variant the shipped entry is stale (it reports so), which is the variants test's concern.
import { SUITES } from '../../specs';
import { MUTANTS } from '../../reference/src/mutants';
import { judgeRow, matrixKeyPair, runAgainstReference } from '../../runner/killmatrix';
import type { Suite } from '../../specs';

const ID = 'security-refresh-revoke.revoked-refresh-ends-grant-at-rest-api';
const MUTANT = 'revoke-refresh-keeps-access';

const only = (id: string): Suite[] => SUITES.map((s) => ({ area: s.area, cases: s.cases.filter((c) => c.id === id) })).filter((s) => s.cases.length > 0);

test.each(['rails', 'authcr'] as const)(
  `hardened %s: ${ID} passes on the correct target and is caught (warn) under ${MUTANT}`,
  async (profile) => {
    const keyPair = await matrixKeyPair();
    const suites = only(ID);
    expect(suites.flatMap((s) => s.cases.map((c) => c.id))).toEqual([ID]);
    const [good, bad] = await Promise.all([
      runAgainstReference({ profile, variant: 'hardened', suites, keyPair, noLedger: true }),
      runAgainstReference({ profile, variant: 'hardened', suites, mutants: [MUTANT], keyPair, noLedger: true }),
    ]);
    expect(good.map((r) => `${r.caseId} ${r.verdict}`)).toEqual([`${ID} pass`]);
    const row = judgeRow(
      profile,
      MUTANTS.find((m) => m.name === MUTANT),
      bad,
    );
    expect({ ok: row.ok, caughtBy: row.caughtBy }).toEqual({ ok: true, caughtBy: [`${ID} (warn)`] });
  },
  120_000,
);
