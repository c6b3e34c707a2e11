// A run split in two with --shard (a stable half of the areas each) and merged back equals the
// unsharded run: same checks, same verdicts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyBundle } from '../../runner/report';
import { contract, readJson, tmp } from './support';

// Two areas, so each shard gets one; no authorization-code journey (its 2 s embedded code lifetime
// is tight on a loaded machine, and this test is about splitting, not about codes).
const SELECT = ['--only', 'generation,password-grant.form-body,password-grant.json-body'];
interface Doc {
  counts: { total: number };
  results: { caseId: string; verdict: string }[];
}
const verdicts = (d: Doc) => Object.fromEntries(d.results.map((r) => [r.caseId, r.verdict]));

test('a 2-shard split merged equals the unsharded report', async () => {
  const dir = tmp('shard-');
  const at = (n: string) => path.join(dir, n);
  const [whole, one, two] = await Promise.all([
    contract([...SELECT, '--reports', at('whole')]),
    contract([...SELECT, '--shard', '1/2', '--reports', at('s1')]),
    contract([...SELECT, '--shard', '2/2', '--reports', at('s2')]),
  ]);
  expect([whole.code, one.code, two.code]).toEqual([0, 0, 0]);
  const parts = [readJson<Doc>(path.join(at('s1'), 'results.json')), readJson<Doc>(path.join(at('s2'), 'results.json'))];
  expect(parts.every((p) => p.counts.total > 0)).toBe(true);
  const merged = await contract(['merge', '--reports', at('merged'), at('s1'), at('s2')]);
  expect(merged.code).toBe(0);
  const m = readJson<Doc>(path.join(at('merged'), 'results.json'));
  const w = readJson<Doc>(path.join(at('whole'), 'results.json'));
  expect(m.counts.total).toBe(w.counts.total);
  expect(verdicts(m)).toEqual(verdicts(w));
  const junit = fs.readFileSync(path.join(at('merged'), 'junit.xml'), 'utf8');
  expect(junit.match(/<testcase /g)).toHaveLength(w.counts.total);
  expect(verifyBundle(at('merged')).problems).toEqual([]);
  // A shard that did not run whole (interrupted, or could not be made) is refused, not merged without its checks.
  fs.cpSync(at('s2'), at('s2-cut'), { recursive: true });
  const cut = readJson<Doc & { complete: boolean; reason?: string }>(path.join(at('s2-cut'), 'results.json'));
  fs.writeFileSync(path.join(at('s2-cut'), 'results.json'), JSON.stringify({ ...cut, complete: false, reason: 'interrupted by SIGTERM' }));
  const refused = await contract(['merge', '--reports', at('merged-cut'), at('s1'), at('s2-cut')]);
  expect(refused.code).toBe(2);
  expect(refused.out).toContain(`merge: the shard in ${at('s2-cut')} is incomplete (interrupted by SIGTERM): run that shard again, then merge`);
}, 600_000);
