// The reproduce line of a failing check, replayed: real requests through the run's HTTP client and
// masking, the curl command built from the masked evidence, then run by bash with the variables
// set; the server must receive what the client sent. The line itself never holds a secret.
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { createHttpClient } from '../../helpers/http';
import type { Exchange } from '../../helpers/model';
import { createSecretRegistry } from '../../helpers/secrets';
import { reproduceCommand, reproduceFor, shellWord } from '../../runner/report/reproduce';

const run = promisify(execFile);

const PASSWORD = `p@ss word&'"$HOME;\`x\``;
const CLIENT_SECRET = "cs_live_it's-secret";
const TOKEN = 'tok-0123456789abcdef0123456789abcdef';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/auth/oauth/token' ? JSON.stringify({ access_token: TOKEN, token_type: 'Bearer' }) : '{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function recorded(): Promise<{ exchanges: Exchange[]; sources: Record<string, string> }> {
  const runSecrets = createSecretRegistry();
  runSecrets.add(PASSWORD, 'password', '$PLACEOS_USER_PASSWORD');
  runSecrets.add(CLIENT_SECRET, 'client_secret', '$PLACEOS_CLIENT_SECRET');
  // A case's registry, as the engine makes it: the settings' secrets, then what the case meets.
  const secrets = createSecretRegistry({ parent: runSecrets });
  secrets.add(PASSWORD, 'password');
  secrets.add(CLIENT_SECRET, 'client_secret');
  const exchanges: Exchange[] = [];
  const client = createHttpClient({
    baseUrl: base,
    settings: { timeoutMs: 5000, retries: 0, tls: { insecure: false }, maxRequests: 10, concurrency: 2 },
    secrets,
    onExchange: (x) => exchanges.push(x),
  });
  await client.post('/auth/oauth/token', {
    form: { grant_type: 'password', username: 'user@example.com', password: PASSWORD, scope: 'public' },
    basic: { username: 'client-id', password: CLIENT_SECRET },
  });
  await client.get('/api/engine/v2/users/current?bearer_token=' + TOKEN, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return { exchanges: exchanges.map((x) => JSON.parse(secrets.mask(JSON.stringify(x))) as Exchange), sources: runSecrets.sources() };
}

async function replay(script: string, env: Record<string, string>): Promise<Seen> {
  const before = seen.length;
  await run('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
  expect(seen.length).toBe(before + 1);
  return seen[seen.length - 1]!;
}

test('shell words: literal text single-quoted, expansions double-quoted', () => {
  expect(shellWord([{ text: "it's" }])).toBe(`'it'\\''s'`);
  expect(shellWord([{ text: 'Bearer ' }, { expand: '$ACCESS_TOKEN' }])).toBe(`'Bearer '"$ACCESS_TOKEN"`);
  expect(shellWord([])).toBe("''");
});

test('the form and Basic request: settings secrets as their variables, the same request when replayed', async () => {
  const { exchanges, sources } = await recorded();
  const original = seen[seen.length - 2]!;
  const line = reproduceCommand(exchanges[0]!, { index: 0, total: 2 }, sources);
  for (const secret of [PASSWORD, CLIENT_SECRET, encodeURIComponent(PASSWORD), Buffer.from(`client-id:${CLIENT_SECRET}`).toString('base64')])
    expect(line).not.toContain(secret);
  expect(line).toContain('"$PLACEOS_USER_PASSWORD"');
  expect(line).toMatch(/^# from your settings \(env file or environment\): PLACEOS_CLIENT_SECRET, PLACEOS_USER_PASSWORD$/m);
  const again = await replay(line, { PLACEOS_USER_PASSWORD: PASSWORD, PLACEOS_CLIENT_SECRET: CLIENT_SECRET });
  expect(again.method).toBe('POST');
  expect(again.url).toBe('/auth/oauth/token');
  expect(again.headers.authorization).toBe(original.headers.authorization);
  expect(Object.fromEntries(new URLSearchParams(again.body))).toEqual(Object.fromEntries(new URLSearchParams(original.body)));
  expect(new URLSearchParams(again.body).get('password')).toBe(PASSWORD);
}, 30_000);

test('a token the run minted: a named variable with a comment, never its value; replayed with it set', async () => {
  const { exchanges, sources } = await recorded();
  const original = seen[seen.length - 1]!;
  const line = reproduceFor('fail', exchanges, sources)!;
  expect(line).not.toContain(TOKEN);
  expect(line).toMatch(/^# exchange 2\/2 of the check/);
  expect(line).toMatch(/^# ACCESS_TOKEN \(\[REDACTED:access_token#1\] in the evidence\) was minted by the run/m);
  expect(line).toContain(`'Authorization: Bearer '"$ACCESS_TOKEN"`);
  const again = await replay(line, { ACCESS_TOKEN: TOKEN });
  expect(again.method).toBe('GET');
  expect(again.url).toBe(original.url);
  expect(again.headers.authorization).toBe(`Bearer ${TOKEN}`);
  // Only a failing check gets one.
  expect(reproduceFor('pass', exchanges, sources)).toBeUndefined();
  expect(reproduceFor('error', [], sources)).toBeUndefined();
}, 30_000);
