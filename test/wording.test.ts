// The words the command line and the reports use (issue 23): counts in the right number, the
// selection and the generations' differences in words, whole n/a reasons, one line for a reports
// folder that cannot be written. Pure functions; the CLI tests in test/runner.test.ts see them in a run.
import { contractDifferences, CONTRACT_FACT_NAMES, GENERATION_CONTRACTS } from '../helpers/generations';
import { reportsFolderProblem } from '../runner/fs-errors';
import { describeSelection } from '../runner/plan';
import { count, naReasons } from '../runner/report/results';
import type { CaseResult } from '../helpers/model';

test('counts: 1 check, 2 checks, 0 checks', () => {
  expect([count(1, 'check'), count(2, 'check'), count(0, 'check'), count(1, 'new failure')]).toEqual(['1 check', '2 checks', '0 checks', '1 new failure']);
});

test('the selection in words, as the flags that made it; none for a whole run', () => {
  expect(describeSelection({ tags: ['smoke', 'security'], ids: ['oauth.token'], skip: ['oauth.token.x'], readonly: true, shard: { index: 1, total: 2 } })).toBe(
    '--tags smoke,security · --only oauth.token · --skip oauth.token.x · --readonly · --shard 1/2',
  );
  expect(describeSelection({ tags: [], ids: [], skip: [], readonly: false, shard: { index: 2, total: 3 } })).toBe('--shard 2/3');
  expect(describeSelection({ tags: [], ids: [], skip: [], readonly: false })).toBeUndefined();
});

test('the generations differ in readable facts, never field names; every fact has its words', () => {
  const d = contractDifferences('rails', 'authcr');
  expect(d).toEqual(expect.arrayContaining(['the password grant', 'the plain PKCE method', 'the session cookie name']));
  const fields = Object.keys(GENERATION_CONTRACTS.rails).filter((k) => k !== 'generation' && k !== 'label');
  expect(Object.keys(CONTRACT_FACT_NAMES).sort()).toEqual(fields.sort());
  for (const x of d) expect(fields).not.toContain(x);
  expect(contractDifferences('rails', 'rails-2023')).toEqual(['PKCE enforcement', 'the OpenID Connect routes']);
});

test('an n/a reason is kept whole, however long', () => {
  const message = `${'sends a live password in the URL, '.repeat(8)}for dedicated accounts only`;
  const r = { verdict: 'n/a', message } as CaseResult;
  expect(naReasons([r, r])).toEqual([[message, 2]]);
});

test('a reports folder that cannot be written: one line naming the folder and the fix; other errors are not its business', () => {
  const denied = Object.assign(new Error("EACCES: permission denied, rmdir '/srv/ci/reports/evidence'"), {
    code: 'EACCES',
    path: '/srv/ci/reports/evidence',
  });
  expect(reportsFolderProblem(denied, '/srv/ci/reports')).toBe(
    'cannot write the reports folder /srv/ci/reports (at /srv/ci/reports/evidence): permission denied; choose a folder you can write to with --reports DIR, or fix its permissions',
  );
  const above = Object.assign(new Error('EROFS'), { code: 'EROFS', path: '/srv' });
  expect(reportsFolderProblem(above, '/srv/ci/reports')).toMatch(/^cannot write the reports folder \/srv\/ci\/reports \(at \/srv\): read-only file system;/);
  const elsewhere = Object.assign(new Error('EACCES'), { code: 'EACCES', path: '/etc/ledger.json' });
  expect(reportsFolderProblem(elsewhere, '/srv/ci/reports')).toBeUndefined();
  expect(reportsFolderProblem(new Error('something else'), '/srv/ci/reports')).toBeUndefined();
});
