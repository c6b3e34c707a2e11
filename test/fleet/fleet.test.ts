// A fleet of the three embedded profiles plus one deployment nobody answers: each runs as its own
// process with its own settings and reports; the unreachable one exits 2 and the others are
// reported; the fleet's exit code is the worst. Then fleet shards merged back into one report.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyBundle } from '../../runner/report';
import { contract, readJson, tmp, type Run } from './support';

interface Fleet {
  exitCode: number;
  deployments: { name: string; exitCode: number; generation?: string; message?: string; counts?: { total: number; fail: number; error: number } }[];
}

const dir = tmp('fleet-');
const fleetFile = path.join(dir, 'fleet.yaml');
fs.writeFileSync(
  fleetFile,
  [
    'deployments:',
    '  - { name: ref-rails, settings: { PLACEOS_REFERENCE_PROFILE: rails } }',
    '  - { name: ref-rails-2023, settings: { PLACEOS_REFERENCE_PROFILE: rails-2023 } }',
    '  - { name: ref-authcr, settings: { PLACEOS_REFERENCE_PROFILE: authcr } }',
    // port 9 (discard) on loopback: nothing listens, the connection is refused at once
    '  - { name: unreachable, settings: { PLACEOS_URL: "http://127.0.0.1:9", PLACEOS_TIMEOUT_MS: 2000 } }',
  ].join('\n'),
);
const reports = path.join(dir, 'reports');
let run: Run;

beforeAll(async () => {
  run = await contract(['--fleet', fleetFile, '--fleet-concurrency', '4', '--only', 'generation', '--reports', reports]);
}, 600_000);

test('the unreachable deployment exits 2, the three profiles are checked and reported, the fleet exits with the worst', () => {
  expect(run.code).toBe(2);
  const fleet = readJson<Fleet>(path.join(reports, 'fleet.json'));
  const by = Object.fromEntries(fleet.deployments.map((d) => [d.name, d]));
  expect(by.unreachable).toMatchObject({ exitCode: 2 });
  expect(by.unreachable!.message).toMatch(/connection refused by 127\.0\.0\.1:9/);
  for (const [name, generation] of [
    ['ref-rails', 'rails'],
    ['ref-rails-2023', 'rails-2023'],
    ['ref-authcr', 'authcr'],
  ] as const) {
    expect(by[name]).toMatchObject({ exitCode: 0, generation });
    expect(by[name]!.counts!.total).toBeGreaterThan(0);
    expect(readJson<{ meta: { referenceProfile: string } }>(path.join(reports, name, 'results.json')).meta.referenceProfile).toBe(generation);
  }
  expect(fleet.exitCode).toBe(2);
});

test('the fleet summary opens with what needs attention; one JUnit with a testsuite per deployment; one manifest', () => {
  const md = fs.readFileSync(path.join(reports, 'fleet-summary.md'), 'utf8');
  expect(md).toMatch(/### Needs attention \(1\)[\s\S]*`unreachable` \| could not run/);
  expect(md.indexOf('Needs attention')).toBeLessThan(md.indexOf('| deployment | exit |'));
  const junit = fs.readFileSync(path.join(reports, 'junit.xml'), 'utf8');
  expect([...junit.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual(['ref-authcr', 'ref-rails', 'ref-rails-2023', 'unreachable']);
  expect(junit).toMatch(/<testsuite name="unreachable" tests="1" failures="0" errors="1"/);
  expect(fs.readFileSync(path.join(reports, 'fleet-summary.html'), 'utf8')).toContain('id="deployments-table"');
  expect(verifyBundle(reports).problems).toEqual([]);
});

test('fleet shards (--shard i/2) merged give one fleet report of every deployment', async () => {
  const two = path.join(dir, 'two.json');
  fs.writeFileSync(
    two,
    JSON.stringify([1, 2, 3].map((i) => ({ name: `down-${i}`, settings: { PLACEOS_URL: 'http://127.0.0.1:9', PLACEOS_TIMEOUT_MS: '2000' } }))),
  );
  const [a, b] = await Promise.all([1, 2].map((i) => contract(['--fleet', two, '--shard', `${i}/2`, '--reports', path.join(dir, `shard-${i}`)])));
  expect([a!.code, b!.code]).toEqual([2, 2]);
  expect(readJson<Fleet>(path.join(dir, 'shard-1', 'fleet.json')).deployments.map((d) => d.name)).toEqual(['down-1', 'down-3']);
  const merged = await contract(['merge', '--reports', path.join(dir, 'merged'), path.join(dir, 'shard-1'), path.join(dir, 'shard-2')]);
  expect(merged.code).toBe(2);
  expect(readJson<Fleet>(path.join(dir, 'merged', 'fleet.json')).deployments.map((d) => d.name)).toEqual(['down-1', 'down-2', 'down-3']);
  expect(verifyBundle(path.join(dir, 'merged')).problems).toEqual([]);
}, 300_000);
