// The shipped deviation ledgers (ledger/<generation>.json): they parse, name existing checks,
// carry valid dates, cite the contract doc, and do what they are for: rails-2023 passes the PKCE
// checks only because its ledger lists them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSettings } from '../helpers/config';
import { createRunEnv, runCases } from '../runner/engine';
import { emptyLedger, loadLedger, parseLedger } from '../runner/ledger';
import type { Ledger } from '../runner/ledger';
import { GENERATIONS } from '../helpers/model';
import type { Generation } from '../helpers/model';
import { createSchemaRegistry } from '../helpers/schemas';
import { createSecretRegistry } from '../helpers/secrets';
import { SUITES } from '../specs';
import { SECURITY_SUITES } from '../specs/security';
import { startReferenceTarget } from '../reference/src';

const LEDGER_DIR = path.resolve(__dirname, '..', 'ledger');
const read = (g: Generation): Ledger => parseLedger(fs.readFileSync(path.join(LEDGER_DIR, `${g}.json`), 'utf8'), `ledger/${g}.json`);
const allCases = new Map(SUITES.flatMap((s) => s.cases.map((c) => [c.id, c] as const)));

function isCalendarDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

describe.each([...GENERATIONS])('ledger/%s.json', (g) => {
  test('parses, is versioned and belongs to its generation', () => {
    const ledger = read(g);
    expect(ledger.generation).toBe(g);
    expect(Number.isInteger(ledger.version) && ledger.version >= 1).toBe(true);
    expect(ledger.entries.length).toBeGreaterThan(0);
    expect(loadLedger(g).entries).toEqual(ledger.entries);
  });

  test('every entry names an existing check that applies to this generation', () => {
    const problems: string[] = [];
    for (const e of read(g).entries) {
      const c = allCases.get(e.check);
      if (!c) problems.push(`${e.check}: no such check in specs/index.ts SUITES`);
      else if (c.generations && !c.generations.includes(g)) problems.push(`${e.check}: does not apply to ${g}`);
    }
    expect(problems).toEqual([]);
  });

  test('review dates are real calendar dates; owner, reason and source are given', () => {
    const problems: string[] = [];
    for (const e of read(g).entries) {
      if (!isCalendarDate(e.reviewBy)) problems.push(`${e.check}: reviewBy ${e.reviewBy} is not a calendar date`);
      if (e.reason.trim().length < 20) problems.push(`${e.check}: reason too short to audit`);
      if (!e.owner.trim()) problems.push(`${e.check}: no owner`);
      if (!e.source || !/placeos-auth\.md §\d|^doorkeeper [\w./-]+\.rb/.test(e.source)) problems.push(`${e.check}: source should cite a section of ../shared/contract/placeos-auth.md or a Doorkeeper source file`);
    }
    expect(problems).toEqual([]);
  });
});

test('ledger/doorkeeper-5.5.json (the Doorkeeper test target) names rails checks and cites the Doorkeeper source or the app file of each departure', () => {
  const ledger = loadLedger('rails', path.join(LEDGER_DIR, 'doorkeeper-5.5.json'));
  const problems: string[] = [];
  for (const e of ledger.entries) {
    const c = allCases.get(e.check);
    if (!c) problems.push(`${e.check}: no such check`);
    else if (c.generations && !c.generations.includes('rails')) problems.push(`${e.check}: does not apply to rails`);
    if (!isCalendarDate(e.reviewBy)) problems.push(`${e.check}: reviewBy ${e.reviewBy} is not a calendar date`);
    const m = /^(doorkeeper 5\.5\.0 |reference\/doorkeeper\/)((?:lib|app|config)\/[\w./-]+\.rb) lines? \d+/.exec(e.source ?? '');
    if (!m) problems.push(`${e.check}: source should cite a Doorkeeper 5.5.0 or reference/doorkeeper file and line`);
    else if (m[1] !== 'doorkeeper 5.5.0 ' && !fs.existsSync(path.resolve(LEDGER_DIR, '..', 'reference', 'doorkeeper', m[2]!))) problems.push(`${e.check}: ${m[2]} does not exist`);
  }
  expect(problems).toEqual([]);
});

test('the security areas are part of SUITES (so --list, the kill matrix and ledgers see them)', () => {
  for (const s of SECURITY_SUITES) expect(SUITES.some((x) => x.area === s.area)).toBe(true);
  const ids = SUITES.flatMap((s) => s.cases.map((c) => c.id));
  expect(new Set(ids).size).toBe(ids.length);
});

test('rails-2023 lists the PKCE deviations; rails and authcr do not', () => {
  const pkce = ['security-code-pkce.pkce-wrong-verifier', 'security-code-pkce.pkce-missing-verifier'];
  const checks = (g: Generation) => read(g).entries.map((e) => e.check);
  for (const id of pkce) {
    expect(checks('rails-2023')).toContain(id);
    expect(checks('rails')).not.toContain(id);
    expect(checks('authcr')).not.toContain(id);
  }
});

test('parseLedger refuses a malformed ledger with every problem named', () => {
  const bad = JSON.stringify({ version: '1', generation: 'rails-2024', entries: [{ check: 'x', reason: '', owner: 'o', reviewBy: '31/05/2027' }] });
  expect(() => parseLedger(bad, 'bad.json')).toThrow(/version.*generation.*reason.*reviewBy/s);
});

describe('against the embedded reference target (rails-2023, PKCE checks only)', () => {
  const pkceSuite = SECURITY_SUITES.filter((s) => s.area === 'security-code-pkce');

  async function run(ledger: 'shipped' | 'none') {
    const target = await startReferenceTarget({ profile: 'rails-2023', quiet: true });
    try {
      const settings = parseSettings(target.env, { embedded: true });
      const env = createRunEnv({
        settings,
        generation: 'rails-2023',
        ledger: ledger === 'none' ? emptyLedger('rails-2023') : loadLedger('rails-2023'),
        secrets: createSecretRegistry(),
        schemas: createSchemaRegistry(),
      });
      return await runCases(env, pkceSuite, 4);
    } finally {
      await target.close();
    }
  }

  test('passes only because the ledger lists the PKCE deviation, and fails without it', async () => {
    const withLedger = await run('shipped');
    expect(withLedger.filter((r) => r.verdict === 'fail' || r.verdict === 'error').map((r) => r.caseId)).toEqual([]);
    expect(withLedger.find((r) => r.caseId === 'security-code-pkce.pkce-wrong-verifier')?.verdict).toBe('deviation');
    const without = await run('none');
    expect(without.filter((r) => r.verdict === 'fail').map((r) => r.caseId)).toEqual(expect.arrayContaining(['security-code-pkce.pkce-wrong-verifier', 'security-code-pkce.pkce-missing-verifier']));
  }, 60_000);
});
