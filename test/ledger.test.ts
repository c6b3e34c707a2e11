// The shipped deviation ledgers (ledger/<generation>.json): they parse, name existing checks and
// the observation each entry excuses, carry valid dates, cite the contract doc, and do what they
// are for: rails-2023 passes the PKCE checks only because its ledger lists them. And the matching
// rule: an entry excuses its observation, never another failure of the same check.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSettings } from '../helpers/config';
import { ContractViolation } from '../helpers/case';
import type { ContractCase } from '../helpers/case';
import { executeCase, runCases } from '../runner/engine';
import { createRunEnv } from '../runner/run-env';
import { checkLedgerIds, emptyLedger, ledgerShown, loadLedger, parseLedger } from '../runner/ledger';
import type { Ledger } from '../runner/ledger';
import { GENERATIONS } from '../helpers/model';
import type { Generation } from '../helpers/model';
import { createSchemaRegistry } from '../helpers/schemas';
import { createSecretRegistry } from '../helpers/secrets';
import { SUITES } from '../specs';
import { SECURITY_SUITES } from '../specs/security';

/** The section anchors of the contract document the ledgers cite. */
const CONTRACT_ANCHORS = new Set(
  [...fs.readFileSync(path.join(__dirname, '..', 'docs', 'contract.md'), 'utf8').matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]!),
);
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
      const cited = (e.source ?? '').match(/docs\/contract\.md#[\w.-]+/g) ?? [];
      const engineSource = /^doorkeeper [\w./-]+\.rb|reference\/doorkeeper\/[\w./-]+/.test(e.source ?? '');
      if (!cited.length && !engineSource)
        problems.push(`${e.check}: source should cite a section of docs/contract.md (docs/contract.md#sec-<n>) or a Doorkeeper source file`);
      for (const ref of cited)
        if (!CONTRACT_ANCHORS.has(ref.slice(ref.indexOf('#') + 1))) problems.push(`${e.check}: ${ref} is not a section of docs/contract.md`);
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
    else if (m[1] !== 'doorkeeper 5.5.0 ' && !fs.existsSync(path.resolve(LEDGER_DIR, '..', 'reference', 'doorkeeper', m[2]!)))
      problems.push(`${e.check}: ${m[2]} does not exist`);
  }
  expect(problems).toEqual([]);
});

test('a ledger that is not JSON: one line with file:line:column where the parser gave up, whatever the error', () => {
  const message = (text: string) => {
    try {
      parseLedger(text, 'mine.json');
    } catch (e) {
      return (e as Error).message;
    }
    return 'parsed';
  };
  expect(message('{\n  "version": 1,\n}')).toBe('mine.json:3:1: the ledger is not valid JSON (Expected double-quoted property name); fix it there');
  // V8 quotes the whole text in this message: the line keeps the reason only, and stays one line.
  expect(message('{\n  "version": tru\n}')).toBe("mine.json:2:17: the ledger is not valid JSON (Unexpected token '\\n'); fix it there");
  expect(message('{\n  "entries": [\n')).toMatch(/^mine\.json:3:1: the ledger is not valid JSON \(/);
});

test('the ledger as the reports name it: the shipped file relative to the package, a path as given and where, or none', () => {
  expect(ledgerShown({ kind: 'default' }, loadLedger('rails'))).toBe('ledger/rails.json (shipped for rails)');
  expect(ledgerShown({ kind: 'none' }, emptyLedger('rails'))).toBe('none (--no-ledger)');
  expect(ledgerShown({ kind: 'file', from: 'PLACEOS_LEDGER' }, { ...emptyLedger('rails'), file: '/srv/ci/our-ledger.json' })).toBe(
    '/srv/ci/our-ledger.json (PLACEOS_LEDGER)',
  );
});

test('a ledger entry naming no check of the catalogue is an error with a suggestion; the shipped ledgers name only real checks', () => {
  const ids = SUITES.flatMap((s) => s.cases.map((c) => c.id));
  for (const g of GENERATIONS) expect(() => checkLedgerIds(loadLedger(g), ids)).not.toThrow();
  const typo = { ...emptyLedger('rails'), file: 'l.json', entries: [{ ...loadLedger('rails').entries[0]!, check: 'security-bearer.rest-api-401-challeng' }] };
  expect(() => checkLedgerIds(typo, ids)).toThrow(
    "l.json: an entry names a check that does not exist: 'security-bearer.rest-api-401-challeng' (did you mean security-bearer.rest-api-401-challenge?)",
  );
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

test('an entry must name the observation it excuses: an entry without one is refused', () => {
  const old = JSON.stringify({
    version: 1,
    generation: 'rails',
    entries: [{ check: 'security-bearer.query-transport-discouraged', reason: 'documented transport', owner: 'o', reviewBy: '2027-05-31' }],
  });
  expect(() => parseLedger(old, 'old.json')).toThrow(/entries\[0\]\.observed: expected the observation the entry excuses/);
  const empty = JSON.stringify({
    version: 2,
    generation: 'rails',
    entries: [{ check: 'x', observed: { expected: '401', colour: 'red' }, reason: 'r', owner: 'o', reviewBy: '2027-05-31' }],
  });
  expect(() => parseLedger(empty, 'empty.json')).toThrow(/observed\.actual: expected a non-empty string.*observed\.colour: unknown field/s);
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
      return await runCases(env, pkceSuite, { concurrency: 4 });
    } finally {
      await target.close();
    }
  }

  test('passes only because the ledger lists the PKCE deviation, and fails without it', async () => {
    const withLedger = await run('shipped');
    expect(withLedger.filter((r) => r.verdict === 'fail' || r.verdict === 'error').map((r) => r.caseId)).toEqual([]);
    expect(withLedger.find((r) => r.caseId === 'security-code-pkce.pkce-wrong-verifier')?.verdict).toBe('deviation');
    const without = await run('none');
    expect(without.filter((r) => r.verdict === 'fail').map((r) => r.caseId)).toEqual(
      expect.arrayContaining(['security-code-pkce.pkce-wrong-verifier', 'security-code-pkce.pkce-missing-verifier']),
    );
  }, 60_000);
});

describe('an entry excuses its observation, not the check', () => {
  const id = 'security-token-endpoint.invalid-client-basic-challenge';
  /** A check that fails with the given observation (no target needed: it throws before any request). */
  const failingWith = (expected: string, actual: string, level: ContractCase['level'] = 'MUST'): ContractCase => ({
    id,
    title: 'invalid_client for HTTP Basic is a 401 with a Basic challenge',
    requirements: ['RFC6749-5.2'],
    level,
    severity: 'high',
    tags: ['security'],
    async run() {
      throw new ContractViolation(`observed ${actual}`, expected, actual);
    },
  });
  const passing: ContractCase = { ...failingWith('', ''), async run() {} };
  const ledger = (): Ledger => ({
    version: 2,
    generation: 'rails',
    file: 'test-ledger.json',
    entries: [
      {
        check: id,
        observed: { expected: 'Basic', actual: 'bearer' },
        reason: 'Doorkeeper answers a failed Basic authentication with a Bearer challenge',
        owner: 'platform-security',
        reviewBy: '2099-12-31',
      },
    ],
  });
  const judge = (c: ContractCase, today = new Date('2026-01-01T00:00:00Z')) =>
    executeCase(
      createRunEnv({
        settings: parseSettings({ PLACEOS_URL: 'https://placeos.example.com' }),
        generation: 'rails',
        ledger: ledger(),
        today,
        secrets: createSecretRegistry(),
        schemas: createSchemaRegistry(),
      }),
      'security-token-endpoint',
      c,
    );

  test('the observation the entry names is a deviation, and the result keeps what was observed', async () => {
    const r = await judge(failingWith('Basic', 'bearer'));
    expect(r.verdict).toBe('deviation');
    expect(r.observation).toEqual({ expected: 'Basic', actual: 'bearer' });
    expect(r.message).toBe('observed bearer: expected Basic, got bearer');
    expect(r.ledger).toMatchObject({ check: id, observed: { actual: 'bearer' }, reason: expect.stringMatching(/Bearer challenge/) });
  });

  test('another observation of the same check still fails, saying what the ledger excuses instead', async () => {
    const r = await judge(failingWith('401 invalid_client', '200 with access_token'));
    expect(r.verdict).toBe('fail');
    expect(r.message).toMatch(/got 200 with access_token \(not the deviation the ledger excuses for this check: bearer \(expected Basic\)\)/);
    expect(r.ledger?.unmatched).toBe(true);
    // The same observation under another expectation (another step of the check) is not excused either.
    expect((await judge(failingWith('WWW-Authenticate: Basic realm=…', 'bearer'))).verdict).toBe('fail');
    // Below MUST level the unexcused observation warns, as any SHOULD-level failure does.
    expect((await judge(failingWith('401 invalid_client', '500', 'SHOULD'))).verdict).toBe('warn');
  });

  test('stronger behaviour passes the check and the entry is reported stale (warn); an overdue entry warns', async () => {
    const stale = await judge(passing);
    expect(stale.verdict).toBe('warn');
    expect(stale.ledger?.stale).toBe(true);
    expect(stale.message).toMatch(/excuses bearer \(expected Basic\), but the check now passes/);
    const overdue = await judge(failingWith('Basic', 'bearer'), new Date('2100-01-01T00:00:00Z'));
    expect(overdue.verdict).toBe('warn');
    expect(overdue.ledger?.overdue).toBe(true);
  });
});

describe('a security defect is never a shipped deviation; a user ledger may accept the risk', () => {
  const id = 'security-redirect.continue-backslash';
  const suite = SUITES.filter((s) => s.area === 'security-redirect').map((s) => ({ area: s.area, cases: s.cases.filter((c) => c.id === id) }));

  async function run(ledger: Ledger) {
    const target = await startReferenceTarget({ profile: 'authcr', quiet: true });
    try {
      const settings = parseSettings(target.env, { embedded: true });
      const env = createRunEnv({ settings, generation: 'authcr', ledger, secrets: createSecretRegistry(), schemas: createSchemaRegistry() });
      return (await runCases(env, suite, { concurrency: 2 }))[0]!;
    } finally {
      await target.close();
    }
  }

  test('the shipped authcr ledger does not list the backslash open redirect, so auth.cr fails it', async () => {
    expect(read('authcr').entries.map((e) => e.check)).not.toContain(id);
    const r = await run(loadLedger('authcr'));
    expect(r.verdict).toBe('fail');
    expect(r.message).toMatch(/a backslash path became an off-site redirect.*to attacker\.example/);
  }, 30_000);

  test('a user ledger (--ledger) that names the observation accepts the risk: deviation, with the observation kept', async () => {
    const shipped = read('authcr');
    const observed = (await run(emptyLedger('authcr'))).observation!;
    expect(observed.actual).toMatch(/→ 30[23] to attacker\.example/);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'user-ledger-')), 'accepted-risks.json');
    const entry = {
      check: id,
      observed: { expected: observed.expected, actual: observed.actual },
      reason: 'Accepted risk until the upstream fix of the continue filter ships: the login host serves no session worth stealing.',
      owner: 'our-security-team',
      reviewBy: '2027-01-31',
    };
    fs.writeFileSync(file, JSON.stringify({ version: 1, generation: 'authcr', entries: [...shipped.entries, entry] }));
    const r = await run(loadLedger('authcr', file));
    expect(r.verdict).toBe('deviation');
    expect(r.ledger).toMatchObject({ owner: 'our-security-team', observed: { actual: observed.actual } });
    expect(r.message).toMatch(/a backslash path became an off-site redirect/);
  }, 30_000);
});
