// A CI gate reads only the exit code and the artifacts: a misconfigured gate never passes, a
// setting in the --env file counts as it does in the environment, a ledger naming no check is an
// error, and an embedded run says so in every report.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contract } from './support/cli';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'contract-gate-'));
const write = (dir: string, name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

test.each([
  ['CI set and nothing configured', [], { CI: 'true' }, /^placeos-contract: CI is set and nothing names a deployment .*--embedded/m],
  ["PLACEOS_URL set but empty (the README's GitHub Actions step with an undefined variable)", [], { PLACEOS_URL: '' }, /PLACEOS_URL is set but empty/],
])(
  '%s: exit 2 and one line; the could-not-run bundle replaces a previous PASS, which is kept beside it',
  async (_what, args, env, line) => {
    const dir = tmp();
    const reports = path.join(dir, 'reports');
    // A previous green run in the same workspace (a persistent CI runner).
    expect((await contract(['--embedded', '--only', 'generation.healthz', '--reports', reports])).code).toBe(0);
    const r = await contract(['--reports', reports, ...args], env);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(line);
    expect(r.out).not.toMatch(/Result: PASS/);
    const junit = fs.readFileSync(path.join(reports, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase classname="run" name="the run could be made \[run\.could-not-run\]"/);
    expect(junit).toMatch(/<error message="COULD NOT RUN: /);
    expect(junit).not.toMatch(/generation\.healthz/);
    const results = JSON.parse(fs.readFileSync(path.join(reports, 'results.json'), 'utf8')) as { complete: boolean };
    expect(results.complete).toBe(false);
    // The last complete bundle is not lost: it is kept beside the reports folder.
    expect(fs.readFileSync(path.join(`${reports}.last-complete`, 'junit.xml'), 'utf8')).toMatch(/generation\.healthz/);
    expect(r.out).toMatch(/the last complete bundle is kept in .*reports\.last-complete/);
  },
  60_000,
);

test('--env FILE without PLACEOS_URL: exit 2 naming the file, never the embedded target', async () => {
  const dir = tmp();
  const r = await contract(['--reports', path.join(dir, 'reports'), '--env', write(dir, 'ci.env', 'PLACEOS_TIMEOUT_MS=5000\n')]);
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/ci\.env: the file names no deployment \(no PLACEOS_URL\)/);
});

test('PLACEOS_LEDGER in the --env file counts as in the environment: a missing ledger is exit 2', async () => {
  const dir = tmp();
  const r = await contract(
    ['--embedded', '--only', 'generation', '--reports', path.join(dir, 'reports'), '--env', write(dir, 'l.env', 'PLACEOS_LEDGER=/nonexistent/ledger.json\n')],
    {
      CI: 'true',
    },
  );
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/cannot read the deviation ledger \/nonexistent\/ledger\.json/);
}, 60_000);

test('a ledger entry naming a check that does not exist: exit 2 with the id and a suggestion', async () => {
  const dir = tmp();
  const ledger = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'ledger', 'rails.json'), 'utf8')) as { entries: { check: string }[] };
  ledger.entries[0]!.check = `${ledger.entries[0]!.check}x`;
  const file = write(dir, 'ledger.json', JSON.stringify(ledger));
  const r = await contract(['--embedded', '--only', 'generation', '--reports', path.join(dir, 'reports'), '--ledger', file]);
  expect(r.code).toBe(2);
  expect(r.out).toMatch(
    new RegExp(`an entry names a check that does not exist: '${ledger.entries[0]!.check}' \\(did you mean ${ledger.entries[0]!.check.slice(0, -1)}\\?\\)`),
  );
}, 60_000);

test('an embedded run asked for in CI runs, and every report says the target was the embedded one', async () => {
  const dir = tmp();
  const reports = path.join(dir, 'reports');
  const r = await contract(['--embedded', '--only', 'generation', '--reports', reports], { CI: 'true' });
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/started the embedded reference target \(rails\) at http:\/\/\S+, as asked/);
  expect(r.out).toMatch(/EMBEDDED REFERENCE TARGET, not a deployment: asked for/);
  const junit = fs.readFileSync(path.join(reports, 'junit.xml'), 'utf8');
  expect(junit).toMatch(/<property name="target_kind" value="embedded reference target \(asked for\), not a deployment"\/>/);
  expect(fs.readFileSync(path.join(reports, 'summary.md'), 'utf8')).toMatch(/EMBEDDED REFERENCE TARGET, not a deployment/);
  expect(fs.readFileSync(path.join(reports, 'summary.html'), 'utf8')).toMatch(/EMBEDDED REFERENCE TARGET, not a deployment/);
}, 60_000);
