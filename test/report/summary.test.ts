// The pure pieces: CI metadata, time zones, result merging and the console/Markdown summaries.
import { collectCiMeta, isoWithOffset, renderConsoleSummary, renderHtmlSummary, renderMarkdownSummary, stripCredentials } from '../../runner/report';
import { zonedTimestamp } from '../../runner/report/junit';
import { meta, results } from './support';

test('collectCiMeta reads only the allow-listed CI variables and strips URL credentials', () => {
  const ci = collectCiMeta({
    GITLAB_CI: 'true',
    CI_JOB_ID: '7',
    CI_JOB_URL: 'https://gitlab.example.com/g/p/-/jobs/7',
    CI_PIPELINE_ID: '3',
    GITLAB_USER_LOGIN: 'alice',
    CI_JOB_TOKEN: 'glcbt-secret-token',
    CI_RUNNER_DESCRIPTION: 'runner-1',
    BUILD_URL: 'https://bob:pw@jenkins.example.com/job/x/1/',
  });
  expect(ci).toMatchObject({
    ci_system: 'gitlab',
    ci_job_id: '7',
    ci_job_url: 'https://gitlab.example.com/g/p/-/jobs/7',
    ci_pipeline_id: '3',
    actor: 'alice',
    runner_host: 'runner-1',
    jenkins_build_url: 'https://jenkins.example.com/job/x/1/',
  });
  expect(JSON.stringify(ci)).not.toMatch(/glcbt|bob|pw@/);
  expect(
    collectCiMeta({ GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '42', GITHUB_ACTOR: 'me' }),
  ).toMatchObject({
    ci_system: 'github-actions',
    github_run_url: 'https://github.com/o/r/actions/runs/42',
    actor: 'me',
  });
  expect(collectCiMeta({})).toEqual({});
  expect(stripCredentials('https://u:p@placeos.example.com/')).toBe('https://placeos.example.com/');
});

test('timestamps carry a zone: explicit offsets and jest-junit suite timestamps', () => {
  expect(isoWithOffset(new Date('2025-01-31T09:00:00.000Z'), 60)).toBe('2025-01-31T10:00:00.000+01:00');
  expect(isoWithOffset(new Date('2025-01-31T09:00:00.000Z'), -330)).toBe('2025-01-31T03:30:00.000-05:30');
  expect(zonedTimestamp('2025-01-31T09:00:00', 'x')).toMatch(/^2025-01-31T\d\d:\d\d:00\.000[+-]\d\d:\d\d$/);
  expect(Date.parse(zonedTimestamp('2025-01-31T09:00:00', 'x'))).toBe(Date.parse('2025-01-31T09:00:00Z'));
  expect(zonedTimestamp('2025-01-31T09:00:00+02:00', 'x')).toBe('2025-01-31T09:00:00+02:00');
});

test('the console summary groups by area with counts, failures with requirements, deviations, n/a and findings', () => {
  const text = renderConsoleSummary(results(), meta());
  expect(text).toMatch(/^oauth\.authorize\s+1\s+0\s+1\s+0\s+0\s+0\s+2$/m);
  expect(text).toMatch(/^oauth\.token\s+1\s+1\s+0\s+1\s+1\s+1\s+5$/m);
  expect(text).toMatch(/^TOTAL\s+2\s+1\s+1\s+1\s+1\s+1\s+7$/m);
  expect(text).toContain('FAIL oauth.token.pkce-plain [RFC7636-4.6, RFC9700-2.1.1 MUST, blocker]');
  expect(text).toContain('owner platform-team, review by 2026-06-30');
  expect(text).toContain('1 × setting clientSecret missing');
  expect(text).toContain('DOC-PASSWORD-SERVICE-ONLY');
  expect(text).toMatch(/Result: FAIL\n$/);
  expect(text).not.toContain('\u001b[');
  expect(renderConsoleSummary(results(), meta(), { color: true })).toContain('\u001b[');
  const passing = results().filter((r) => r.verdict !== 'fail' && r.verdict !== 'error');
  expect(renderConsoleSummary(passing, meta())).toMatch(/Result: PASS/);
  expect(renderConsoleSummary(passing, meta({ strict: true }))).toMatch(/Result: FAIL/);
});

test('the Markdown summary escapes table cells', () => {
  const rs = results();
  rs[1]!.message = 'got a|b <script>';
  const md = renderMarkdownSummary(rs, meta());
  expect(md).toContain('got a\\|b &lt;script&gt;');
  expect(md).toMatch(/\| \*\*total\*\* \| \*\*2\*\* \| \*\*1\*\* \| \*\*1\*\* \| \*\*1\*\* \| \*\*1\*\* \| \*\*1\*\* \| \*\*7\*\* \|/);
});

test('a deviation shows what was observed next to the ledger reason (console, Markdown, HTML)', () => {
  const rs = results();
  const dev = rs.find((r) => r.verdict === 'deviation')!;
  dev.message = 'a used refresh token was redeemed again: expected 400 invalid_grant, got 200 with access_token';
  const observed = 'observed: a used refresh token was redeemed again: expected 400 invalid_grant, got 200 with access_token';
  const text = renderConsoleSummary(rs, meta());
  expect(text).toContain(`deviation oauth.token.refresh-rotation — ${observed}`);
  expect(text).toContain('ledger: Doorkeeper reuses refresh tokens on rails (owner platform-team, review by 2026-06-30)');
  const md = renderMarkdownSummary(rs, meta());
  expect(md).toContain('| check | observed | ledger reason | owner | review by |');
  expect(md).toContain(
    '| `oauth.token.refresh-rotation` | a used refresh token was redeemed again: expected 400 invalid_grant, got 200 with access_token | Doorkeeper reuses refresh tokens on rails | platform-team | 2026-06-30 |',
  );
  const html = renderHtmlSummary(rs, meta());
  const row = /<table id="deviations-table">.*?<\/table>/s.exec(html)?.[0] ?? '';
  expect(row).toMatch(/<th>observed<\/th><th>ledger reason<\/th>/);
  expect(row).toMatch(
    /refresh-rotation<\/code><\/td><td class="msg">a used refresh token was redeemed again: expected 400 invalid_grant, got 200 with access_token<\/td><td>Doorkeeper reuses refresh tokens on rails<\/td>/,
  );
});

test('the summaries report the latency and whether the run throttled itself; checks stopped by an overload are one line', () => {
  const line = 'the deployment answered 5 requests slower than 5000 ms; lower PLACEOS_CONCURRENCY or raise PLACEOS_TIMEOUT_MS';
  const load = { max: 6, lowest: 3, throttled: true, used: 40, latency: { samples: 40, p50Ms: 120, p95Ms: 900, maxMs: 5100 }, overloaded: line };
  const rs = results().map((r, i) => (i < 2 ? { ...r, verdict: 'error' as const, message: line } : r));
  const text = renderConsoleSummary(rs, meta({ load }));
  expect(text).toMatch(/^Load: {4}latency p50 120 ms · p95 900 ms · max 5100 ms · throttled yes \(down to 3 of 6 requests in flight\)$/m);
  expect(text).toContain('2 checks not run: stopped by the overload (see Overload above)');
  expect(text.split('\n').filter((l) => l.includes('the deployment answered 5 requests'))).toHaveLength(1);
  expect(renderMarkdownSummary(rs, meta({ load: { ...load, throttled: false, lowest: 6 } }))).toMatch(
    /\*\*Load\*\* latency p50 120 ms · p95 900 ms · max 5100 ms · throttled no \(up to 6 requests in flight\)/,
  );
});

test('under --strict every summary names the warnings that broke the build; without it, none is listed', () => {
  const rs = results().map((r, i) => (i === 0 ? { ...r, verdict: 'warn' as const, message: 'SHOULD-level finding' } : r));
  const m = meta({ strict: true, warnings: ['the generation was inferred from the PKCE probe'] });
  const md = renderMarkdownSummary(rs, m);
  const html = renderHtmlSummary(rs, m);
  for (const text of [md, html]) {
    expect(text).toMatch(new RegExp(`${rs[0]!.caseId.replace(/\./g, '\\.')}[\\s\\S]*breaks the build under --strict: SHOULD-level finding`));
    expect(text).toMatch(/run warning, which breaks the build under --strict: the generation was inferred from the PKCE probe/);
  }
  expect(md).not.toMatch(/Nothing: no failure/);
  const relaxed = renderMarkdownSummary(rs, meta({ strict: false, warnings: m.warnings }));
  expect(relaxed).not.toMatch(/breaks the build under --strict/);
});

test('an interrupted run: every summary says INCOMPLETE with the reason, counts the stopped checks in one line, and says how many tokens could not be revoked', () => {
  const stopped = results().map((r, i) => (i === 0 ? { ...r, verdict: 'error' as const, message: 'not run: interrupted by SIGTERM' } : r));
  const m = meta({ incomplete: 'interrupted by SIGTERM', cleanup: { revoked: 7, notRevoked: 2 } });
  const text = renderConsoleSummary(stopped, m);
  expect(text).toMatch(/^INCOMPLETE: interrupted by SIGTERM; the checks that did not run or were cut are errors$/m);
  expect(text).toMatch(/^ {2}ERROR 1 check did not run or were cut: interrupted by SIGTERM$/m);
  expect(text).not.toContain(`ERROR ${stopped[0]!.caseId}`);
  expect(text).toMatch(/^Cleanup: 7 revocations of the run's tokens accepted, 2 could not be revoked/m);
  expect(text).toMatch(/^Result: INCOMPLETE — interrupted by SIGTERM$/m);
  const md = renderMarkdownSummary(stopped, m);
  expect(md).toMatch(/^## PlaceOS auth contract: ❌ INCOMPLETE — interrupted by SIGTERM$/m);
  expect(md).toMatch(/\*\*Cleanup\*\* 7 revocations of the run's tokens accepted, 2 could not be revoked/);
  const html = renderHtmlSummary(stopped, m);
  expect(html).toMatch(/id="outcome">INCOMPLETE — interrupted by SIGTERM</);
  expect(html).toMatch(/id="cleanup">Cleanup: 7 revocations[^<]*2 could not be revoked/);
  // A complete run says nothing of the sort.
  expect(renderConsoleSummary(results(), meta())).not.toMatch(/INCOMPLETE|could not be revoked/);
});
