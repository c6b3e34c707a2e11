// Starts the Doorkeeper test target (the Rails app beside this file, on Debian's packages) on a
// free loopback port, waits until it answers, and describes it with the same env block as the
// embedded target: the same seeded authorities, apps, accounts and API keys (reference/src/fixtures).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPair, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, importPKCS8 } from 'jose';
import { defaultFixtures } from '../src/fixtures';
import { renderEnvFile } from '../src/index';
import { DOORKEEPER_MUTANTS, type DoorkeeperMutant } from './mutants';

export { DOORKEEPER_MUTANTS, type DoorkeeperMutant };

const APP_DIR = __dirname;

export interface DoorkeeperOptions {
  port?: number;
  mutants?: DoorkeeperMutant[];
  /** Authorization-code lifetime; short so the code-expiry check can wait one out. */
  codeSeconds?: number;
  /** Seconds to wait for Rails to answer (a loaded 2-core machine boots it in 3–15 s). */
  readySeconds?: number;
  /** Progress lines (package install, start) go here; default stderr. */
  log?: (line: string) => void;
}

export interface DoorkeeperTarget {
  url: string;
  otherAuthorityUrl: string;
  mutants: string[];
  env: Record<string, string>;
  envFile(): string;
  close(): Promise<void>;
}

function freePort(host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(port, host, () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/auth/authority?health', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** Installs the Debian packages when missing (root only; otherwise says what to install). */
export function ensureDebianPackages(log: (line: string) => void): void {
  const r = spawnSync('bash', [path.join(APP_DIR, 'install-debian-packages.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.stderr.trim()) log(r.stderr.trim());
  if (r.status !== 0) throw new Error(`the Doorkeeper target's Debian packages are not installed: ${r.stderr.trim() || `install script exited ${r.status}`}`);
}

export async function startDoorkeeperTarget(o: DoorkeeperOptions = {}): Promise<DoorkeeperTarget> {
  const log = o.log ?? ((line: string) => process.stderr.write(`doorkeeper target: ${line}\n`));
  for (const m of o.mutants ?? [])
    if (!(m in DOORKEEPER_MUTANTS)) throw new Error(`${m} is not a Doorkeeper target mutant; valid values: ${Object.keys(DOORKEEPER_MUTANTS).join(', ')}`);
  ensureDebianPackages(log);
  const port = await freePort('127.0.0.1', o.port ?? 0);
  const binds = [`tcp://127.0.0.1:${port}`];
  // "localhost" may resolve to ::1 first: serve the same port there too, when IPv6 loopback exists.
  if (
    await freePort('::1', port).then(
      () => true,
      () => false,
    )
  )
    binds.push(`tcp://[::1]:${port}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'placeos-doorkeeper-'));
  const fixtures = defaultFixtures({ scheme: 'http', port });
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const keyFile = path.join(tmp, 'jwt-private.pem');
  const publicKeyFile = path.join(tmp, 'jwt-public.pem');
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  fs.writeFileSync(keyFile, privatePem, { mode: 0o600 });
  fs.writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const seedFile = path.join(tmp, 'seed.json');
  fs.writeFileSync(seedFile, JSON.stringify(fixtures), { mode: 0o600 });
  const codeSeconds = o.codeSeconds ?? 20;

  const logLines: string[] = [];
  const child: ChildProcess = spawn('puma', ['-e', 'production', '-t', '1:1', ...binds.flatMap((b) => ['-b', b]), 'config.ru'], {
    cwd: APP_DIR,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmp,
      LANG: 'C.UTF-8',
      SECRET_KEY_BASE: randomBytes(64).toString('hex'),
      DATABASE_PATH: path.join(tmp, 'db.sqlite3'),
      PLACEOS_DK_SEED_FILE: seedFile,
      JWT_PRIVATE_KEY_FILE: keyFile,
      PLACEOS_DK_CODE_SECONDS: String(codeSeconds),
      PLACEOS_DK_MUTANTS: (o.mutants ?? []).join(','),
      PLACEOS_DK_ISSUER: `http://localhost:${port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer): void => {
    logLines.push(...d.toString('utf8').split('\n').filter(Boolean));
    if (logLines.length > 200) logLines.splice(0, logLines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const close = async (): Promise<void> => {
    if (!gone) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  };

  const deadline = Date.now() + (o.readySeconds ?? 120) * 1000;
  for (;;) {
    if (gone || Date.now() > deadline) {
      await close();
      throw new Error(`the Doorkeeper target ${gone ? 'exited' : 'did not answer in time'}; its last lines:\n${logLines.slice(-15).join('\n')}`);
    }
    if (await answers(port)) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const [a, b] = fixtures.authorities;
  const onA = <T extends { authority: string; role?: string }>(list: T[], role: string): T | undefined =>
    list.find((x) => x.authority === 'A' && x.role === role);
  const backoffice = onA(fixtures.apps, 'backoffice');
  const confidential = onA(fixtures.apps, 'confidential');
  const scoped = onA(fixtures.apps, 'scoped');
  const service = onA(fixtures.users, 'service');
  const normal = onA(fixtures.users, 'user');
  const logoutUser = onA(fixtures.users, 'logout');
  const key = onA(fixtures.apiKeys, 'valid');
  const expiredKey = onA(fixtures.apiKeys, 'expired');

  // An access JWT of the normal user exactly as the app's generator makes them, expired two minutes ago.
  const iat = Math.floor(Date.now() / 1000) - 7200 - 120;
  const expiredToken = normal
    ? await new SignJWT({
        iss: 'POS',
        iat,
        exp: iat + 7200,
        jti: randomBytes(16).toString('hex'),
        aud: a?.domain,
        scope: ['public'],
        sub: normal.id,
        u: { n: normal.name, e: normal.email, p: (normal.support ? 1 : 0) | (normal.sys_admin ? 2 : 0), r: normal.groups },
      })
        .setProtectedHeader({ alg: 'RS256' })
        .sign(await importPKCS8(privatePem, 'RS256'))
    : undefined;

  const url = `http://${a?.domain ?? 'localhost'}:${port}`;
  const otherAuthorityUrl = `http://${b?.domain ?? '127.0.0.1'}:${port}`;
  const entries: [string, string | undefined, string | undefined][] = [
    [
      'PLACEOS_URL',
      url,
      `authority A (domain ${a?.domain}) — Rails 6.1 + Doorkeeper 5.5 (Debian)${o.mutants?.length ? `, mutants: ${o.mutants.join(',')}` : ''}`,
    ],
    ['PLACEOS_OTHER_AUTHORITY_URL', otherAuthorityUrl, `authority B (domain ${b?.domain}), same listener`],
    ['PLACEOS_CLIENT_ID', backoffice?.uid, 'backoffice public app: client_id = md5(redirect_uri)'],
    ['PLACEOS_REDIRECT_URI', backoffice?.redirect_uri, undefined],
    ['PLACEOS_CLIENT_SCOPES', backoffice?.scopes.join(' '), undefined],
    ['PLACEOS_CONFIDENTIAL_CLIENT_ID', confidential?.uid, 'confidential app'],
    ['PLACEOS_CONFIDENTIAL_CLIENT_SECRET', confidential?.secret, undefined],
    ['PLACEOS_CONFIDENTIAL_REDIRECT_URI', confidential?.redirect_uri, undefined],
    ['PLACEOS_SCOPED_CLIENT_ID', scoped?.uid, 'public app with extra scopes'],
    ['PLACEOS_SCOPED_REDIRECT_URI', scoped?.redirect_uri, undefined],
    ['PLACEOS_SCOPED_CLIENT_SCOPES', scoped?.scopes.join(' '), undefined],
    ['PLACEOS_SERVICE_EMAIL', service?.email, 'service account (support flag); passwords are random per start'],
    ['PLACEOS_SERVICE_PASSWORD', service?.password, undefined],
    ['PLACEOS_USER_EMAIL', normal?.email, 'normal local user'],
    ['PLACEOS_USER_PASSWORD', normal?.password, undefined],
    ['PLACEOS_LOGOUT_EMAIL', logoutUser?.email, 'an account of its own the suite may log out everywhere'],
    ['PLACEOS_LOGOUT_PASSWORD', logoutUser?.password, undefined],
    ['PLACEOS_API_KEY', key ? `${key.id}.${key.secret}` : undefined, 'API keys <id>.<secret> of the normal user (permissions 0)'],
    ['PLACEOS_API_KEY_EXPIRED', expiredKey ? `${expiredKey.id}.${expiredKey.secret}` : undefined, undefined],
    ['PLACEOS_EXPIRED_TOKEN', expiredToken, 'RS256 access JWT of the normal user, signed with the real key, already expired'],
    ['PLACEOS_JWT_PUBLIC_KEY_FILE', publicKeyFile, 'public key the target signs with (removed on close)'],
    ['PLACEOS_JWT_SIGNING_KEY_FILE', keyFile, 'private key the target signs with, a throwaway one of this start (removed on close)'],
    ['PLACEOS_CODE_LIFETIME_SECONDS', String(codeSeconds), 'short code lifetime (authorization_code_expires_in): the suite may wait for a code to expire'],
    ['PLACEOS_CONCURRENCY', '2', 'one Rails thread answers in turn: more journeys at once only queue (and a queued code can outlive its lifetime)'],
    ['PLACEOS_TIMEOUT_MS', '60000', undefined],
  ];
  const env: Record<string, string> = {};
  for (const [k, v] of entries) if (v !== undefined) env[k] = v;
  return {
    url,
    otherAuthorityUrl,
    mutants: [...(o.mutants ?? [])],
    env,
    envFile: () => renderEnvFile('PlaceOS auth on Doorkeeper 5.5 (Rails app reference/doorkeeper, Debian packages)', entries),
    close,
  };
}
