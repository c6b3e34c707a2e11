// Embedded PlaceOS auth reference target: library entry point.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { buildApp } from './app';
import { checkCapacity, withCapacity, type Capacity } from './capacity';
import { TargetContext, type Lifetimes } from './context';
import { buildFixtures, ssoCallbackUri, type FixtureOverrides } from './fixtures';
import { startIdp, type RunningIdp } from './idp';
import { makeFaults } from './mutants';
import { generateSigningKey, type KeyPair } from './signing-key';
import { getProfile, VARIANTS, type ProfileName, type VariantName } from './profiles';

export type { ProfileName, VariantName } from './profiles';
export type { FixtureOverrides, Fixtures, AuthorityFixture, UserFixture, AppFixture, ApiKeyFixture, SsoStrategyFixture, FixtureContext } from './fixtures';
export type { Mutant } from './mutants';
export { MUTANTS, mutantTable } from './mutants';
export { PROFILES, VARIANT_NAMES } from './profiles';
export type { Capacity } from './capacity';

export interface ReferenceOptions {
  profile?: ProfileName;
  /** How the generation is deployed: as PlaceOS ships (default), hardened, or doc-faithful. */
  variant?: VariantName;
  mutants?: string[];
  tls?: boolean;
  port?: number;
  /**
   * shortCodeSeconds: codes of one app of their own (role short-code) live this long, every
   * other code lives codeSeconds; the env then names that app (PLACEOS_CODE_LIFETIME_CLIENT_ID)
   * so only the code-expiry check waits, and a loaded machine never lets another code expire.
   */
  lifetimes?: { accessTokenSeconds?: number; codeSeconds?: number; sessionSeconds?: number; shortCodeSeconds?: number };
  fixtures?: Partial<FixtureOverrides>;
  quiet?: boolean;
  /** Serve at most `concurrent` requests at once, each costing `costMs` (default: no limit). */
  capacity?: Capacity;
  /** The RSA signing pair, or its generation under way (default: a fresh 2048-bit pair, ~0.25 s of CPU); the kill matrix shares one per matrix. */
  keyPair?: KeyPair | Promise<KeyPair>;
}

export interface ReferenceTarget {
  url: string;
  otherAuthorityUrl: string;
  profile: ProfileName;
  variant: VariantName;
  mutants: string[];
  env: Record<string, string>;
  envFile(): string;
  close(): Promise<void>;
}

const DEFAULT_LIFETIMES: Lifetimes = { accessTokenSeconds: 7200, codeSeconds: 600, sessionSeconds: 86400 };

function listen(server: http.Server | https.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export async function startReferenceTarget(options: ReferenceOptions = {}): Promise<ReferenceTarget> {
  const variant = options.variant ?? 'standard';
  const faults = makeFaults(options.mutants ?? []);
  const base = getProfile(options.profile ?? 'rails', variant);
  // Mutant pkce-ignored: the profile's PKCE level regresses to that of rails-2023.
  const profile = faults.has('pkce-ignored') ? { ...base, pkce: 'ignored' as const } : base;
  const variantLifetimes = VARIANTS[variant].accessTokenSeconds ? { accessTokenSeconds: VARIANTS[variant].accessTokenSeconds } : {};
  const { shortCodeSeconds, ...given } = options.lifetimes ?? {};
  const lifetimes: Lifetimes = { ...DEFAULT_LIFETIMES, ...variantLifetimes, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
  for (const [k, v] of Object.entries({ ...lifetimes, ...(shortCodeSeconds === undefined ? {} : { shortCodeSeconds }) })) {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`lifetimes.${k} must be a positive number of seconds, got ${String(v)}`);
  }
  if (options.capacity) checkCapacity(options.capacity);
  const tls = options.tls === true;
  const scheme = tls ? 'https' : 'http';
  let cert: { cert: string; key: string } | undefined;
  if (tls) {
    // Loaded only here: selfsigned and its dependencies cost about as much to load as express.
    const { generate: generateCert } = require('selfsigned') as typeof import('selfsigned');
    const pems = await generateCert([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 30 * 86400 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    });
    cert = { cert: pems.cert, key: pems.private };
  }

  let handler: http.RequestListener | undefined;
  const listener: http.RequestListener = (req, res) => {
    if (handler) return handler(req, res);
    res.statusCode = 503;
    res.end();
  };
  const make = (): http.Server | https.Server => (cert ? https.createServer({ cert: cert.cert, key: cert.key }, listener) : http.createServer(listener));
  const sockets = new Set<Socket>();
  const servers: (http.Server | https.Server)[] = [];
  const track = (s: http.Server | https.Server): void => {
    s.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    servers.push(s);
  };
  const primary = make();
  track(primary);
  await listen(primary, options.port ?? 0, '127.0.0.1');
  const port = (primary.address() as { port: number }).port;
  // "localhost" may resolve to ::1 first: serve the same port there too, when IPv6 loopback exists.
  const v6 = make();
  try {
    await listen(v6, port, '::1');
    track(v6);
  } catch {
    v6.close();
  }

  const fixtures = buildFixtures({ scheme, port }, options.fixtures);
  let ctx: TargetContext;
  try {
    const pair = await (options.keyPair ?? generateSigningKey());
    ctx = new TargetContext(profile, faults, lifetimes, fixtures, scheme, pair);
    await ctx.init();
  } catch (e) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
    throw e;
  }
  // The identity provider's test account: the SSO login maps it by email onto a user of the authority.
  // The provider itself starts the first time a request needs it (the SSO kick-off or callback):
  // a run that never signs in through SSO never loads oidc-provider (measured: a one-check run
  // 0.7 s instead of 1.1 s; started in the background at once, its loading also delayed detection).
  // Concurrent first requests share one start; a failed start is retried by the next request;
  // none starts once close() has begun. A process loads oidc-provider once: later targets (the kill
  // matrix) start theirs quickly.
  const ssoAccount = {
    id: `idp-${randomBytes(6).toString('hex')}`,
    email: 'sso.user@example.com',
    password: `Sso-${randomBytes(12).toString('base64url')}`,
    name: 'SSO User',
  };
  let idpStart: Promise<RunningIdp> | undefined;
  let closing = false;
  const startIdpOnce = (): Promise<RunningIdp> => {
    if (closing) return Promise.reject(new Error('the reference target is closing'));
    idpStart ??= startIdp({
      accounts: [ssoAccount],
      clients: ctx.ssoStrategies.map((s) => ({
        client_id: s.client_id,
        client_secret: s.client_secret,
        redirect_uris: [ssoCallbackUri(`${scheme}://${ctx.authorityByKey(s.authority)?.domain ?? 'localhost'}:${port}`, s.id)],
      })),
      cert,
      quiet: options.quiet === true,
    }).catch((e: unknown) => {
      idpStart = undefined;
      throw e;
    });
    return idpStart;
  };
  ctx.idp = async () => {
    const idp = await startIdpOnce();
    return { authorizeUrl: idp.authorizeUrl, tokenUrl: idp.tokenUrl, userinfoUrl: idp.userinfoUrl, ca: cert?.cert };
  };
  const app = buildApp(ctx, options.quiet === true) as unknown as http.RequestListener;
  handler = options.capacity ? withCapacity(app, options.capacity) : app;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'placeos-reference-'));
  const publicKeyFile = path.join(tmp, 'jwt-public.pem');
  fs.writeFileSync(publicKeyFile, ctx.publicPem);
  // The key the target really signs with: the run may sign tokens of its own (crit, nbf, iat rows).
  const signingKeyFile = path.join(tmp, 'jwt-signing.pem');
  fs.writeFileSync(signingKeyFile, ctx.signingKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  let caFile: string | undefined;
  if (cert) {
    caFile = path.join(tmp, 'ca.pem');
    fs.writeFileSync(caFile, cert.cert);
  }

  const a = ctx.authorityByKey('A') ?? ctx.authorities[0];
  const b = ctx.authorityByKey('B') ?? ctx.authorities[1];
  const url = `${scheme}://${a?.domain ?? 'localhost'}:${port}`;
  const otherAuthorityUrl = `${scheme}://${b?.domain ?? '127.0.0.1'}:${port}`;
  const onA = <T extends { authority: string; role?: string }>(list: T[], role: string): T | undefined =>
    list.find((x) => x.authority === a?.key && x.role === role);
  const backoffice = onA(ctx.apps, 'backoffice');
  const confidential = onA(ctx.apps, 'confidential');
  const scoped = onA(ctx.apps, 'scoped');
  const shortCode = shortCodeSeconds === undefined ? undefined : onA(ctx.apps, 'short-code');
  for (const app of ctx.apps) if (app.role === 'short-code' && shortCodeSeconds !== undefined) app.codeSeconds = shortCodeSeconds;
  const service = fixtures.users.find((u) => u.authority === a?.key && u.role === 'service');
  const normal = fixtures.users.find((u) => u.authority === a?.key && u.role === 'user');
  const logoutUser = fixtures.users.find((u) => u.authority === a?.key && u.role === 'logout');
  const key = onA(ctx.apiKeys, 'valid');
  const expiredKey = onA(ctx.apiKeys, 'expired');
  const sso = ctx.ssoStrategies.find((s) => s.authority === a?.key);

  let expiredToken: string | undefined;
  const normalUser = normal ? ctx.userById(normal.id) : undefined;
  if (normalUser) {
    const iat = Math.floor(Date.now() / 1000) - lifetimes.accessTokenSeconds - 120;
    expiredToken = await ctx.signAccessToken(normalUser, ['public'], iat, lifetimes.accessTokenSeconds, ctx.newJti());
  }

  const entries: [string, string | undefined, string][] = [
    [
      'PLACEOS_URL',
      url,
      `authority A (domain ${a?.domain}) — profile ${profile.name}${variant !== 'standard' ? ` (${variant})` : ''}${faults.names.length ? `, mutants: ${faults.names.join(',')}` : ''}`,
    ],
    ['PLACEOS_OTHER_AUTHORITY_URL', otherAuthorityUrl, `authority B (domain ${b?.domain}), same listener`],
    ['PLACEOS_CLIENT_ID', backoffice?.uid, 'backoffice public app: client_id = md5(redirect_uri)'],
    ['PLACEOS_REDIRECT_URI', backoffice?.redirect_uri, undefined as unknown as string],
    ['PLACEOS_CLIENT_SCOPES', backoffice?.scopes.join(' '), undefined as unknown as string],
    ['PLACEOS_CONFIDENTIAL_CLIENT_ID', confidential?.uid, 'confidential app'],
    ['PLACEOS_CONFIDENTIAL_CLIENT_SECRET', confidential?.secret, undefined as unknown as string],
    ['PLACEOS_CONFIDENTIAL_REDIRECT_URI', confidential?.redirect_uri, undefined as unknown as string],
    ['PLACEOS_SCOPED_CLIENT_ID', scoped?.uid, 'public app with extra scopes'],
    ['PLACEOS_SCOPED_REDIRECT_URI', scoped?.redirect_uri, undefined as unknown as string],
    ['PLACEOS_SCOPED_CLIENT_SCOPES', scoped?.scopes.join(' '), undefined as unknown as string],
    ['PLACEOS_SERVICE_EMAIL', service?.email, 'service account (support flag); passwords are random per start'],
    ['PLACEOS_SERVICE_PASSWORD', service?.password, undefined as unknown as string],
    ['PLACEOS_USER_EMAIL', normal?.email, 'normal local user'],
    ['PLACEOS_USER_PASSWORD', normal?.password, undefined as unknown as string],
    ['PLACEOS_LOGOUT_EMAIL', logoutUser?.email, 'an account of its own the suite may log out everywhere'],
    ['PLACEOS_LOGOUT_PASSWORD', logoutUser?.password, undefined as unknown as string],
    ['PLACEOS_API_KEY', key ? `${key.id}.${key.secret}` : undefined, 'API keys <id>.<secret> of the normal user (permissions 0)'],
    ['PLACEOS_API_KEY_EXPIRED', expiredKey ? `${expiredKey.id}.${expiredKey.secret}` : undefined, undefined as unknown as string],
    ['PLACEOS_EXPIRED_TOKEN', expiredToken, 'RS256 access JWT of the normal user, signed with the real key, already expired'],
    ['PLACEOS_JWT_PUBLIC_KEY_FILE', publicKeyFile, 'public key the target signs with (removed on close)'],
    ['PLACEOS_JWT_SIGNING_KEY_FILE', signingKeyFile, 'private key the target signs with, a throwaway one of this start (removed on close)'],
    [
      'PLACEOS_CODE_LIFETIME_SECONDS',
      shortCode ? String(shortCodeSeconds) : lifetimes.codeSeconds <= 120 ? String(lifetimes.codeSeconds) : undefined,
      'short code lifetime: the suite may wait for a code to expire',
    ],
    ['PLACEOS_CODE_LIFETIME_CLIENT_ID', shortCode?.uid, undefined as unknown as string],
    [
      'PLACEOS_REFRESH_GRACE_SECONDS',
      profile.refreshRotation === 'rotate-with-grace' ? String(profile.refreshGraceSeconds) : undefined,
      'refresh-token replay-grace window of this profile',
    ],
    [
      'PLACEOS_SSO_ID',
      sso?.id,
      'oauth_strat id: GET /auth/oauth2?id=… signs in at an OpenID provider beside the target (oidc-provider, on a port of its own, started by the first SSO request)',
    ],
    ['PLACEOS_SSO_USERNAME', sso ? ssoAccount.email : undefined, "the identity provider's test account (its login form)"],
    ['PLACEOS_SSO_PASSWORD', sso ? ssoAccount.password : undefined, undefined as unknown as string],
    ['PLACEOS_CA_FILE', caFile, 'self-signed certificate (SAN localhost, 127.0.0.1, ::1); removed on close'],
  ];
  const env: Record<string, string> = {};
  for (const [k, v] of entries) if (v !== undefined) env[k] = v;

  const envFile = (): string => renderEnvFile(`PlaceOS auth reference target (${profile.description})`, entries);

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              (s as http.Server).closeAllConnections?.();
            }),
        ),
      );
      for (const sock of sockets) sock.destroy();
      await idpStart?.then(
        (idp) => idp.close(),
        () => undefined,
      );
      fs.rmSync(tmp, { recursive: true, force: true });
    })();
    return closed;
  };

  return { url, otherAuthorityUrl, profile: profile.name, variant, mutants: [...faults.names], env, envFile, close };
}

/** The env block a target prints: `# comment` lines before groups, values quoted when needed. */
export function renderEnvFile(title: string, entries: readonly (readonly [string, string | undefined, string | undefined])[]): string {
  const quote = (v: string): string => (/^[A-Za-z0-9_./:@+-]*$/.test(v) ? v : JSON.stringify(v));
  const lines = [`# ${title}`, `# started ${new Date().toISOString()}; values are valid while this process runs`];
  for (const [k, v, comment] of entries) {
    if (v === undefined) continue;
    if (comment) lines.push('', `# ${comment}`);
    lines.push(`${k}=${quote(v)}`);
  }
  return `${lines.join('\n')}\n`;
}
