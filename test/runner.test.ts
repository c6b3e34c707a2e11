// The main command as users and CI run it: a child process of bin/placeos-contract.js, real
// targets on loopback. Exit codes: 0 holds, 1 violated, 2 could not run, 3 secret leak.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { spawn } from 'node:child_process';
import { BIN, cliEnv, contract, REPORTS_LINE, ROOT } from './support/cli';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'contract-test-'));

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

test('--help prints the usage and the exit codes', async () => {
  const r = await contract(['--help']);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/exit codes: 0 contract holds, 1 contract violated, 2 could not run/);
});

test('--list prints every check with requirement, level, severity and generations, without a target', async () => {
  const r = await contract(['--list', '--json']);
  expect(r.code).toBe(0);
  const rows = JSON.parse(r.out) as { id: string; requirements: { id: string }[]; level: string; severity: string; generations: string[] }[];
  expect(rows.length).toBeGreaterThan(50);
  for (const row of rows) {
    expect(row.requirements.length).toBeGreaterThan(0);
    expect(['MUST', 'SHOULD', 'MAY']).toContain(row.level);
    expect(row.generations.length).toBeGreaterThan(0);
  }
  expect(new Set(rows.map((x) => x.id)).size).toBe(rows.length);
});

test.each([
  ['PLACEOS_URL', { PLACEOS_URL: 'ftp://placeos.example.com' }, /PLACEOS_URL: .*http/],
  ['PLACEOS_TIMEOUT_MS', { PLACEOS_URL: 'https://placeos.example.com', PLACEOS_TIMEOUT_MS: 'soon' }, /PLACEOS_TIMEOUT_MS: /],
  ['PLACEOS_GENERATION', { PLACEOS_URL: 'https://placeos.example.com', PLACEOS_GENERATION: 'rails-1999' }, /PLACEOS_GENERATION: .*rails-2023/],
])('a malformed %s is named with what it expects; exit 2, no stack trace', async (_name, env, line) => {
  const r = await contract(['--reports', tmp()], env);
  expect(r.code).toBe(2);
  expect(r.out).toMatch(line);
  expect(r.out).not.toMatch(/\n\s+at /);
});

test('a Rails deployment whose PKCE level cannot be probed and that shows no expiry marker asks for an account or the generation; exit 2', async () => {
  // The mutant lets rest-api accept the expired key, so the independent marker is missing too.
  const r = await contract(['--reports', tmp(), '--readonly', '--mutant', 'api-key-expiry-ignored']);
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/rails and rails-2023 differ in PKCE enforcement.*no refused expired API key.*read-only run does not sign in.*PLACEOS_GENERATION/);
}, 60_000);

test('a read-only run against Rails is decided by the refused expired API key, without a signin', async () => {
  const r = await contract(['--reports', tmp(), '--readonly', '--only', 'generation']);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/rails \(detected[^\n]*refuses an expired API key/);
}, 60_000);

test('a selection that matches no check is a usage error with exit 2', async () => {
  const r = await contract(['--reports', tmp(), '--only', 'no-such-check']);
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/matches no check/);
}, 60_000);

test('an unknown argument is a usage error with exit 2', async () => {
  const r = await contract(['--frobnicate']);
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/unknown argument '--frobnicate'/);
});

test('an unreachable deployment gives one clear line and exit 2 within seconds', async () => {
  const port = await closedPort();
  const r = await contract(['--reports', tmp()], { PLACEOS_URL: `http://127.0.0.1:${port}`, PLACEOS_RETRIES: '1' });
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/connect|refused/i);
  expect(r.out.trim().split('\n')).toEqual([expect.stringMatching(/^placeos-contract: /), expect.stringMatching(REPORTS_LINE)]);
  expect(r.ms).toBeLessThan(15_000);
});

test('an unknown PLACEOS_* name: a warning from the process environment, an error from the --env file', async () => {
  const port = await closedPort();
  const fromCi = await contract(['--reports', tmp()], { PLACEOS_URL: `http://127.0.0.1:${port}`, PLACEOS_RETRIES: '0', PLACEOS_DEPLOY_TAG: 'v1' });
  expect(fromCi.out).toMatch(/^WARNING: PLACEOS_DEPLOY_TAG \(set in the process environment, so ignored\): unknown variable/m);
  expect(fromCi.out).toMatch(/connect|refused/i);
  const dir = tmp();
  const envFile = path.join(dir, 'typo.env');
  fs.writeFileSync(envFile, `PLACEOS_URL=http://127.0.0.1:${port}\nPLACEOS_DEPLOY_TAG=v1\n`);
  const fromFile = await contract(['--env', envFile, '--reports', path.join(dir, 'reports')]);
  expect(fromFile.code).toBe(2);
  expect(fromFile.out).toMatch(/^placeos-contract: PLACEOS_DEPLOY_TAG: unknown variable/m);
});

test('a deployment that accepts and never answers gives one clear line and exit 2 within the timeout', async () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const r = await contract(['--reports', tmp()], { PLACEOS_URL: `http://127.0.0.1:${port}`, PLACEOS_TIMEOUT_MS: '500', PLACEOS_RETRIES: '0' });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/no answer within 500 ms/);
    expect(r.out.trim().split('\n')).toEqual([expect.stringMatching(/^placeos-contract: /), expect.stringMatching(REPORTS_LINE)]);
    expect(r.ms).toBeLessThan(15_000);
  } finally {
    sockets.forEach((s) => s.destroy());
    server.close();
  }
});

test('a self-signed deployment without its CA gives one clear TLS line and exit 2', async () => {
  const selfsigned = require('selfsigned') as {
    generate(attrs: unknown, o: unknown): Promise<{ private: string; cert: string }> | { private: string; cert: string };
  };
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { days: 1, keySize: 2048 });
  const https = await import('node:https');
  const server = https.createServer({ key: pems.private, cert: pems.cert }, (_req, res) => res.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const r = await contract(['--reports', tmp()], { PLACEOS_URL: `https://127.0.0.1:${port}`, PLACEOS_RETRIES: '0' });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/TLS certificate .*not trusted.*PLACEOS_CA_FILE/);
    expect(r.out.trim().split('\n')).toEqual([expect.stringMatching(/^placeos-contract: /), expect.stringMatching(REPORTS_LINE)]);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a deployment answering 503 with Retry-After is retried, then one clear line and exit 2', async () => {
  const http = await import('node:http');
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(503, { 'retry-after': '1' }).end('busy');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const r = await contract(['--reports', tmp()], { PLACEOS_URL: `http://127.0.0.1:${port}`, PLACEOS_RETRIES: '1' });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/answered 503 \(Retry-After: 1\) after 2 attempts/);
    expect(r.out.trim().split('\n')).toEqual([expect.stringMatching(/^placeos-contract: /), expect.stringMatching(REPORTS_LINE)]);
    expect(hits).toBe(2);
  } finally {
    server.close();
  }
});

test('a host name that does not resolve gives one clear line and exit 2', async () => {
  const r = await contract(['--reports', tmp()], { PLACEOS_URL: 'https://placeos.does-not-exist.invalid', PLACEOS_RETRIES: '0' });
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/not found|resolve/i);
  expect(r.out.trim().split('\n')).toEqual([expect.stringMatching(/^placeos-contract: /), expect.stringMatching(REPORTS_LINE)]);
});

test('a deployment that answers HTML or huge bodies where JSON is expected: failed checks with readable messages, exit 1, no crash', async () => {
  const http = await import('node:http');
  const huge = 'x'.repeat(3 * 1024 * 1024);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/auth/authority') {
      res.setHeader('content-type', 'application/json');
      return res.end(
        JSON.stringify({
          id: 'authority-x',
          name: 'x',
          description: '',
          domain: '127.0.0.1',
          login_url: '/login?continue={{url}}',
          logout_url: '/auth/logout',
          config: {},
          version: 'v2.0.0',
          session: false,
          token_valid: false,
          production: true,
        }),
      );
    }
    if (path === '/auth/healthz') return res.writeHead(404).end();
    if (path?.startsWith('/api/')) return res.writeHead(200, { 'content-type': 'application/json' }).end(huge);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Maintenance</body></html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const dir = tmp();
  try {
    const r = await contract(['--reports', dir, '--quiet'], {
      PLACEOS_URL: `http://127.0.0.1:${port}`,
      // Without a working signin the run cannot tell rails from rails-2023: name it.
      PLACEOS_GENERATION: 'rails',
      PLACEOS_USER_EMAIL: 'user@example.com',
      PLACEOS_USER_PASSWORD: 'not-a-real-password',
      PLACEOS_SERVICE_EMAIL: 'service@example.com',
      PLACEOS_SERVICE_PASSWORD: 'not-a-real-password-either',
    });
    expect(r.code).toBe(1);
    const { results } = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as {
      results: { caseId: string; verdict: string; message?: string }[];
    };
    expect(results.filter((x) => x.verdict === 'fail').length).toBeGreaterThan(10);
    // A check that crashed on the unexpected shape would be an `error` saying "the check itself failed";
    // a check whose setup (signin, minting) the deployment broke says it could not be made, and why.
    expect(
      results.filter((x) => x.verdict === 'error' && !/could not be made: .*expected .*got/.test(x.message ?? '')).map((x) => `${x.caseId}: ${x.message}`),
    ).toEqual([]);
    for (const x of results.filter((y) => y.verdict === 'fail')) expect(x.message).toMatch(/expected|got/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}, 120_000);

describe('against the embedded reference target', () => {
  test('the correct rails profile holds: exit 0, reports written', async () => {
    const dir = tmp();
    const r = await contract(['--reports', dir]);
    expect({ code: r.code, tail: r.out.slice(-2000) }).toEqual({ code: 0, tail: expect.any(String) });
    for (const f of ['junit.xml', 'summary.md', 'summary.html', 'results.json', 'MANIFEST.sha256.json']) expect(fs.existsSync(path.join(dir, f))).toBe(true);
  }, 120_000);

  test('over https with TLS checks switched off, every run prints the warning', async () => {
    const r = await contract(['--reports', tmp(), '--tls', '--only', 'generation', '--quiet'], { PLACEOS_INSECURE_TLS: 'true' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^WARNING: PLACEOS_INSECURE_TLS=true: TLS certificates are NOT checked/m);
  }, 60_000);

  test('a mutant violates the contract: exit 1, its check fails in JUnit with requirement and evidence link', async () => {
    const dir = tmp();
    const r = await contract(['--reports', dir, '--mutant', 'no-store-missing']);
    expect(r.code).toBe(1);
    const xml = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    const failing = xml.split('<testcase').filter((tc) => tc.includes('<failure'));
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.some((tc) => /name="requirement" value="RFC6749-5.1"/.test(tc) && /\[\[ATTACHMENT\|[^\]]*evidence\//.test(tc))).toBe(true);
  }, 120_000);

  test('told it is another generation, the run fails and names the differences', async () => {
    const r = await contract(['--reports', tmp(), '--generation', 'authcr']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/looks like rails .*differ in: .*the password grant/);
  }, 180_000);
});

describe('issue 23: what a new user meets first', () => {
  test('a PLACEOS_URL with a path asks for the base URL; one with a query or fragment is refused as given', async () => {
    const withPath = await contract(['--reports', tmp()], { PLACEOS_URL: 'http://placeos.example.com/auth/' });
    expect(withPath.code).toBe(2);
    expect(withPath.out).toMatch(
      /PLACEOS_URL: expected the base URL .*got 'http:\/\/placeos\.example\.com\/auth\/' with the path '\/auth\/': give the base URL/,
    );
    const withQuery = await contract(['--reports', tmp()], { PLACEOS_URL: 'https://placeos.example.com?tenant=a' });
    expect(withQuery.code).toBe(2);
    expect(withQuery.out).toMatch(
      /PLACEOS_URL: expected a base URL without a query or fragment .*got 'https:\/\/placeos\.example\.com\?tenant=…': remove the part from '\?' on/,
    );
    const withFragment = await contract(['--reports', tmp()], { PLACEOS_URL: 'https://placeos.example.com/#x' });
    expect(withFragment.out).toMatch(/got 'https:\/\/placeos\.example\.com\/#x': remove the part from '#' on/);
  });

  test('a refused connection names host and port and what to check, on one line', async () => {
    const port = await closedPort();
    const r = await contract(['--reports', tmp()], { PLACEOS_URL: `http://localhost:${port}`, PLACEOS_RETRIES: '0' });
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n')).toEqual([
      `placeos-contract: connection refused by localhost:${port}: is the deployment up and PLACEOS_URL right?`,
      expect.stringMatching(REPORTS_LINE),
    ]);
  });

  test('a reports folder that cannot be written is one line naming it and the fix', async () => {
    const dir = tmp();
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    const r = await contract(['--reports', path.join(file, 'reports'), '--only', 'generation', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n').pop()).toBe(
      `placeos-contract: cannot write the reports folder ${path.join(file, 'reports')} (at ${file}): a file is in the way; choose a folder you can write to with --reports DIR, or fix its permissions`,
    );
  }, 60_000);

  test('a ledger that is not JSON is one line with file:line:column', async () => {
    const dir = tmp();
    const ledger = path.join(dir, 'ledger.json');
    fs.writeFileSync(ledger, '{\n  "version": 1,\n  "generation": "rails",\n  "entries": [\n    { "check": "x", }\n  ]\n}\n');
    const r = await contract(['--reports', path.join(dir, 'reports'), '--ledger', ledger, '--only', 'generation', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n')).toEqual([
      `placeos-contract: ${ledger}:5:21: the ledger is not valid JSON (Expected double-quoted property name); fix it there`,
      expect.stringMatching(REPORTS_LINE),
    ]);
  }, 60_000);

  test('a deployment that accepts and never answers is named within about 12 s by default, saying retries are under way', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, '--reports', tmp()], {
      cwd: ROOT,
      env: cliEnv({ PLACEOS_URL: `http://127.0.0.1:${port}` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const first = await new Promise<{ line: string; ms: number }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const line = out.split('\n').find((l) => /retrying/.test(l));
          if (line) resolve({ line, ms: Date.now() - started });
        });
        child.on('close', () => reject(new Error(`ended without a retry notice: ${out}`)));
      });
      expect(first.line).toBe(
        `no answer within 10000 ms from http://127.0.0.1:${port} yet: retrying (attempt 2 of 3; PLACEOS_TIMEOUT_MS and PLACEOS_RETRIES set how long)`,
      );
      expect(first.ms).toBeLessThan(12_500);
    } finally {
      child.kill();
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  }, 30_000);

  test('a failing check: its evidence carries a reproduce line, a replayed code keeps its label, the summaries link it; `verify` checks the bundle', async () => {
    const dir = tmp();
    const r = await contract(['--reports', dir, '--mutant', 'code-replay-500', '--only', 'security-code-pkce.code-single-use']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ {2}✗ security-code-pkce: 1 check, 1 breaking$/m);
    expect(r.out).toMatch(/· strict off · ledger ledger\/rails\.json \(shipped for rails\) · selection: --only security-code-pkce\.code-single-use$/m);
    const id = 'security-code-pkce.code-single-use';
    const script = fs.readFileSync(path.join(dir, 'evidence', `${id}.reproduce.sh`), 'utf8');
    expect(script).toMatch(/^curl -i \\$/m);
    expect(script).toMatch(/--data-urlencode 'code='"\$CODE"/);
    expect(script).toMatch(/^# CODE \(\[REDACTED:code#\d+\] in the evidence\) was minted by the run/m);
    // The code redeemed twice: one label, in both redemptions.
    const transcript = fs.readFileSync(path.join(dir, 'evidence', `${id}.txt`), 'utf8');
    const label = /\[REDACTED:code#\d+\]/.exec(script)![0];
    expect(transcript.split('\n').filter((l) => l.startsWith('> ') && l.includes(label)).length).toBeGreaterThanOrEqual(2);
    expect(transcript).toMatch(/^Reproduce:\n {2}# exchange/m);
    expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toContain(`[reproduce](evidence/${id}.reproduce.sh)`);
    const html = fs.readFileSync(path.join(dir, 'summary.html'), 'utf8');
    expect(html).toContain(`<a href="evidence/${id}.txt"><code>${id}</code></a>`);

    const ok = await contract(['verify', dir]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^OK: .* matches its manifest$/m);
    fs.appendFileSync(path.join(dir, 'summary.md'), 'tampered\n');
    const bad = await contract(['verify', dir]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^PROBLEM: .*summary\.md/m);
    const usage = await contract(['verify']);
    expect(usage.code).toBe(2);
    expect(usage.out.trim()).toBe('usage: placeos-contract verify <reports-dir> [--public-key <pem file>]');
  }, 120_000);

  test('an n/a reason is shown whole in the console and summary.md', async () => {
    const dir = tmp();
    const r = await contract(['--reports', dir, '--only', 'password-grant.query']);
    expect(r.code).toBe(0);
    const reason = 'enable with PLACEOS_CREDENTIALS_IN_URL=true or --tags credentials-in-url, for dedicated accounts only';
    expect(r.out).toContain(reason);
    expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toContain(reason);
  }, 60_000);
});
