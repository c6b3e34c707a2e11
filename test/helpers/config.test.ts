import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import {
  closest,
  describeSettings,
  KNOWN_VARIABLES,
  loadEnvFile,
  parseSettings,
  SettingsError,
  settingsSecrets,
  type SettingError,
  type ParseOptions,
} from '../../helpers/config';
import { createSecretRegistry } from '../../helpers/secrets';

const dir = mkdtempSync(join(tmpdir(), 'config-test-'));
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function b64url(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}
const EXPIRED_JWT = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ sub: 'u', exp: 1_600_000_000 })}.c2ln`;
const FRESH_JWT = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ sub: 'u', exp: Math.floor(Date.now() / 1000) + 3600 })}.c2ln`;

function errorsOf(env: Record<string, string | undefined>, opts?: ParseOptions): SettingError[] {
  try {
    parseSettings(env, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as SettingsError).errors;
  }
  throw new Error('expected a SettingsError');
}

function problem(errors: SettingError[], variable: string): string {
  const e = errors.find((x) => x.variable === variable);
  if (!e) throw new Error(`no problem reported for ${variable}: ${JSON.stringify(errors)}`);
  return e.problem;
}

describe('parseSettings', () => {
  test('minimal live settings and defaults', () => {
    const s = parseSettings({ PLACEOS_URL: 'https://localhost:8443/', PATH: '/usr/bin' });
    expect(s).toMatchObject({
      url: 'https://localhost:8443',
      embedded: false,
      client: {
        clientId: 'b52e653071c45353dbff4e8f47d51cdf',
        redirectUri: 'https://localhost:8443/backoffice/oauth-resp.html',
        scopes: ['public'],
      },
      tls: { insecure: false },
      timeoutMs: 10000,
      retries: 2,
      concurrency: 6,
      maxRequests: 2000,
    });
    expect(s.client.clientSecret).toBeUndefined();
    expect(s.service).toBeUndefined();
    expect(s.proxy).toBeUndefined();
  });

  test('a full live configuration', () => {
    const keyFile = join(dir, 'jwt.pub.pem');
    writeFileSync(keyFile, PUBLIC_PEM);
    const s = parseSettings({
      PLACEOS_URL: 'https://admin:pw@placeos.example.com',
      PLACEOS_OTHER_AUTHORITY_URL: 'https://other.example.com',
      PLACEOS_REDIRECT_URI: 'https://placeos.example.com/app/oauth-resp.html',
      PLACEOS_CLIENT_SECRET: 'client-secret-1',
      PLACEOS_CLIENT_SCOPES: 'public  openid',
      PLACEOS_CONFIDENTIAL_CLIENT_SECRET: 'conf-secret-1',
      PLACEOS_CONFIDENTIAL_REDIRECT_URI: 'https://conf.example.com/cb',
      PLACEOS_SCOPED_REDIRECT_URI: 'https://scoped.example.com/cb',
      PLACEOS_SCOPED_SCOPES: 'public api_keys.read',
      PLACEOS_SERVICE_EMAIL: 'svc@example.com',
      PLACEOS_SERVICE_PASSWORD: 'svc-password',
      PLACEOS_USER_EMAIL: 'user@example.com',
      PLACEOS_USER_PASSWORD: 'user-password',
      PLACEOS_API_KEY: 'keyid.keysecret123',
      PLACEOS_API_KEY_EXPIRED: 'oldid.oldsecret123',
      PLACEOS_EXPIRED_TOKEN: EXPIRED_JWT,
      PLACEOS_JWT_PUBLIC_KEY_FILE: keyFile,
      PLACEOS_SSO_ID: 'oauth_strat-123',
      PLACEOS_GENERATION: 'rails-2023',
      PLACEOS_INSECURE_TLS: 'TRUE',
      HTTPS_PROXY: 'http://u:proxy-pw@proxy.example.com:3128',
      NO_PROXY: 'localhost, .internal.example.com',
      PLACEOS_TIMEOUT_MS: '5000',
      PLACEOS_RETRIES: '0',
      PLACEOS_CONCURRENCY: '8',
      PLACEOS_MAX_REQUESTS: '500',
    });
    expect(s.url).toBe('https://placeos.example.com');
    expect(s.client).toEqual({
      clientId: require('node:crypto').createHash('md5').update('https://placeos.example.com/app/oauth-resp.html').digest('hex'),
      clientSecret: 'client-secret-1',
      redirectUri: 'https://placeos.example.com/app/oauth-resp.html',
      scopes: ['public', 'openid'],
    });
    expect(s.confidentialClient).toMatchObject({ clientSecret: 'conf-secret-1', redirectUri: 'https://conf.example.com/cb', scopes: ['public'] });
    expect(s.confidentialClient!.clientId).toMatch(/^[0-9a-f]{32}$/);
    expect(s.scopedClient).toMatchObject({ scopes: ['public', 'api_keys.read'] });
    expect(s.service).toEqual({ email: 'svc@example.com', password: 'svc-password' });
    expect(s.user).toEqual({ email: 'user@example.com', password: 'user-password' });
    expect(s.jwtPublicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(s.generationOverride).toBe('rails-2023');
    expect(s.tls.insecure).toBe(true);
    expect(s.proxy).toEqual({ url: 'http://u:proxy-pw@proxy.example.com:3128', noProxy: ['localhost', '.internal.example.com'] });
    expect(s.timeoutMs).toBe(5000);
    expect(s.retries).toBe(0);
    expect(s.warnings?.join('\n')).toMatch(/INSECURE_TLS/);
    expect(s.warnings?.join('\n')).toMatch(/credentials in the URL were removed/);

    const d = describeSettings(s);
    const text = JSON.stringify(d);
    for (const secret of ['pw', 'client-secret-1', 'conf-secret-1', 'svc-password', 'user-password', 'keysecret123', EXPIRED_JWT, 'proxy-pw']) {
      expect(text).not.toContain(`${secret}`.length > 2 ? secret : ':pw@');
    }
    expect(d).toMatchObject({
      url: 'https://placeos.example.com',
      serviceAccount: 'yes',
      userAccount: 'yes',
      apiKey: 'yes',
      generation: 'rails-2023 (PLACEOS_GENERATION override)',
      proxy: 'http://proxy.example.com:3128 (not for localhost,.internal.example.com)',
      timeoutMs: '5000',
    });
    expect(d.tls).toMatch(/INSECURE/);

    const secrets = settingsSecrets(s).map((x) => x.value);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'svc-password',
        'user-password',
        'client-secret-1',
        'conf-secret-1',
        'keyid.keysecret123',
        'keysecret123',
        EXPIRED_JWT,
        'proxy-pw',
      ]),
    );
  });

  test('every problem at once, none echoing a secret', () => {
    const errors = errorsOf({
      PLACEOS_URL: 'ftp://user:hunter2@files.example.com/x',
      PLACEOS_SERVICE_EMAIL: 'svc@example.com',
      PLACEOS_USER_PASSWORD: 'lonely-password',
      PLACEOS_API_KEY: 'no-dot-secret-value',
      PLACEOS_API_KEY_EXPIRED: 'a.b.c',
      PLACEOS_EXPIRED_TOKEN: 'not-a-jwt-secret',
      PLACEOS_GENERATION: 'rails2023',
      PLACEOS_TIMEOUT_MS: '50',
      PLACEOS_RETRIES: 'two',
      PLACEOS_CONCURRENCY: '100',
      PLACEOS_INSECURE_TLS: 'maybe',
      PLACEOS_CLIENT_SCOPES: 'public,openid',
      PLACEOS_CA_FILE: join(dir, 'missing.pem'),
    });
    expect(problem(errors, 'PLACEOS_URL')).toBe("expected an http(s) URL like https://placeos.example.com, got 'ftp://files.example.com/x'");
    expect(problem(errors, 'PLACEOS_SERVICE_PASSWORD')).toMatch(/PLACEOS_SERVICE_EMAIL and PLACEOS_SERVICE_PASSWORD go together/);
    expect(problem(errors, 'PLACEOS_USER_EMAIL')).toMatch(/PLACEOS_USER_EMAIL and PLACEOS_USER_PASSWORD go together/);
    expect(problem(errors, 'PLACEOS_API_KEY')).toMatch(/'<id>\.<secret>'.*19 characters with 0 dot/);
    expect(problem(errors, 'PLACEOS_API_KEY_EXPIRED')).toMatch(/2 dot/);
    expect(problem(errors, 'PLACEOS_EXPIRED_TOKEN')).toMatch(/expected a JWT/);
    expect(problem(errors, 'PLACEOS_GENERATION')).toMatch(/rails \| rails-2023 \| authcr.*did you mean rails-2023\?/);
    expect(problem(errors, 'PLACEOS_TIMEOUT_MS')).toBe("expected a whole number from 100 to 120000 (milliseconds), got '50'");
    expect(problem(errors, 'PLACEOS_RETRIES')).toMatch(/0 to 5/);
    expect(problem(errors, 'PLACEOS_CONCURRENCY')).toMatch(/1 to 32/);
    expect(problem(errors, 'PLACEOS_INSECURE_TLS')).toMatch(/true, false, 1 or 0/);
    expect(problem(errors, 'PLACEOS_CLIENT_SCOPES')).toMatch(/spaces, not commas/);
    expect(problem(errors, 'PLACEOS_CA_FILE')).toMatch(/cannot read .*missing\.pem.*no such file/);
    const all = errors.map((e) => `${e.variable}: ${e.problem}`).join('\n');
    for (const secret of ['hunter2', 'lonely-password', 'no-dot-secret-value', 'not-a-jwt-secret']) expect(all).not.toContain(secret);
    // The error message lists them all, one per line.
    try {
      parseSettings({ PLACEOS_TIMEOUT_MS: 'x' });
    } catch (e) {
      expect((e as Error).message.split('\n')).toHaveLength(2);
    }
  });

  test('PLACEOS_URL: required unless embedded; garbage and query rejected', () => {
    expect(problem(errorsOf({}), 'PLACEOS_URL')).toMatch(/is required/);
    expect(parseSettings({}, { embedded: true })).toMatchObject({ embedded: true, url: '' });
    expect(parseSettings({ PLACEOS_URL: 'http://127.0.0.1:4000' }, { embedded: true }).client.redirectUri).toBe(
      'http://127.0.0.1:4000/backoffice/oauth-resp.html',
    );
    expect(problem(errorsOf({ PLACEOS_URL: 'placeos.example.com' }), 'PLACEOS_URL')).toMatch(/got 'placeos\.example\.com'/);
    // Refused as given (the query is the problem, so it shows), but without the values it carries.
    expect(problem(errorsOf({ PLACEOS_URL: 'https://x.example.com/?token=abcdef' }), 'PLACEOS_URL')).not.toContain('abcdef');
    expect(problem(errorsOf({ PLACEOS_URL: 'https://x.example.com/?token=abcdef' }), 'PLACEOS_URL')).toContain("got 'https://x.example.com/?token=…'");
    expect(problem(errorsOf({ PLACEOS_URL: 'https://x.example.com/auth' }), 'PLACEOS_URL')).toMatch(/with the path '\/auth': give the base URL/);
    expect(problem(errorsOf({ PLACEOS_URL: 'https://u:p@ss@bad host' }), 'PLACEOS_URL')).not.toMatch(/p@ss|u:/);
  });

  test('unknown PLACEOS_* variables suggest the closest known name', () => {
    const errors = errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_SERVICE_PASWORD: 'x', PLACEOS_CLIENTID: 'y', PLACEOS_WHATEVER_ELSE: 'z' });
    expect(problem(errors, 'PLACEOS_SERVICE_PASWORD')).toBe('unknown variable; did you mean PLACEOS_SERVICE_PASSWORD?');
    expect(problem(errors, 'PLACEOS_CLIENTID')).toBe('unknown variable; did you mean PLACEOS_CLIENT_ID?');
    expect(problem(errors, 'PLACEOS_WHATEVER_ELSE')).toMatch(/unknown variable/);
    expect(closest('PLACEOS_GENRATION', KNOWN_VARIABLES)).toBe('PLACEOS_GENERATION');
    // There is no way around the declaration: a name the program does not declare is a typo.
    expect(problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_CONTRACT_STRICT: '1' }), 'PLACEOS_CONTRACT_STRICT')).toMatch(/unknown variable/);
  });

  test('unknown PLACEOS_* names only in the process environment are a warning; from an --env file an error', () => {
    const env = { PLACEOS_URL: 'https://x.example.com', PLACEOS_DEPLOY_TAG: 'v1', PLACEOS_SERVICE_PASWORD: 'x' };
    const s = parseSettings(env, { fromProcess: new Set(Object.keys(env)) });
    expect(s.warnings).toEqual([
      'PLACEOS_DEPLOY_TAG (set in the process environment, so ignored): unknown variable (not one this suite reads; see env/live.env.example for the list)',
      'PLACEOS_SERVICE_PASWORD (set in the process environment, so ignored): unknown variable; did you mean PLACEOS_SERVICE_PASSWORD?',
    ]);
    // Set in the file (fromProcess does not name it): the typo guard holds.
    const errors = errorsOf(env, { fromProcess: new Set(['PLACEOS_URL', 'PLACEOS_DEPLOY_TAG']) });
    expect(errors).toEqual([{ variable: 'PLACEOS_SERVICE_PASWORD', problem: 'unknown variable; did you mean PLACEOS_SERVICE_PASSWORD?' }]);
  });

  test('accounts and clients', () => {
    expect(
      problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_SERVICE_EMAIL: 'nope', PLACEOS_SERVICE_PASSWORD: 'pw1234' }), 'PLACEOS_SERVICE_EMAIL'),
    ).toMatch(/email address/);
    const same = errorsOf({
      PLACEOS_URL: 'https://x.example.com',
      PLACEOS_SERVICE_EMAIL: 'a@x.com',
      PLACEOS_SERVICE_PASSWORD: 'pw1234',
      PLACEOS_USER_EMAIL: 'A@x.com',
      PLACEOS_USER_PASSWORD: 'pw1234',
    });
    expect(problem(same, 'PLACEOS_USER_EMAIL')).toMatch(/different account/);
    const conf = errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_CONFIDENTIAL_CLIENT_ID: 'abc' });
    expect(problem(conf, 'PLACEOS_CONFIDENTIAL_CLIENT_SECRET')).toMatch(/is required/);
    expect(problem(conf, 'PLACEOS_CONFIDENTIAL_REDIRECT_URI')).toMatch(/is required/);
    const scoped = errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_SCOPED_CLIENT_ID: 'abc' });
    expect(problem(scoped, 'PLACEOS_SCOPED_CLIENT_SCOPES')).toMatch(/is required/);
    expect(problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_REDIRECT_URI: 'https://x.example.com/cb#frag' }), 'PLACEOS_REDIRECT_URI')).toMatch(
      /fragment/,
    );
    const explicit = parseSettings({ PLACEOS_URL: 'https://x.example.com', PLACEOS_CLIENT_ID: 'my-client' });
    expect(explicit.client.clientId).toBe('my-client');
  });

  test('expired token must be a JWT that has expired', () => {
    expect(parseSettings({ PLACEOS_URL: 'https://x.example.com', PLACEOS_EXPIRED_TOKEN: EXPIRED_JWT }).expiredToken).toBe(EXPIRED_JWT);
    const p = problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_EXPIRED_TOKEN: FRESH_JWT }), 'PLACEOS_EXPIRED_TOKEN');
    expect(p).toMatch(/in the future/);
    expect(p).not.toContain(FRESH_JWT);
    expect(problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_EXPIRED_TOKEN: 'aaaa.bbbb.cccc' }), 'PLACEOS_EXPIRED_TOKEN')).toMatch(
      /does not decode/,
    );
  });

  test('JWT public key: file, inline with \\n escapes, private key refused, both refused', () => {
    const inline = PUBLIC_PEM.trim().replace(/\n/g, '\\n');
    expect(parseSettings({ PLACEOS_URL: 'https://x.example.com', PLACEOS_JWT_PUBLIC_KEY: inline }).jwtPublicKeyPem).toBe(PUBLIC_PEM.trim() + '\n');
    const priv = join(dir, 'priv.pem');
    writeFileSync(priv, PRIVATE_PEM);
    const p = problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_JWT_PUBLIC_KEY_FILE: priv }), 'PLACEOS_JWT_PUBLIC_KEY_FILE');
    expect(p).toMatch(/PRIVATE key: give the public key only \(a test deployment's signing key goes in PLACEOS_JWT_SIGNING_KEY_FILE/);
    expect(p).not.toContain(PRIVATE_PEM.split('\n')[1]!);
    expect(
      problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_JWT_PUBLIC_KEY_FILE: join(dir, 'nope.pem') }), 'PLACEOS_JWT_PUBLIC_KEY_FILE'),
    ).toMatch(/no such file/);
    expect(problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_JWT_PUBLIC_KEY: 'garbage' }), 'PLACEOS_JWT_PUBLIC_KEY')).toMatch(/PEM public key/);
    const both = errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_JWT_PUBLIC_KEY: inline, PLACEOS_JWT_PUBLIC_KEY_FILE: priv });
    expect(problem(both, 'PLACEOS_JWT_PUBLIC_KEY')).toMatch(/not both/);
  });

  test('JWT signing key: a private key file is read, described without itself and masked; a public key or anything else is refused in one line', () => {
    const keyFile = join(dir, 'jwt.signing.pem');
    writeFileSync(keyFile, PRIVATE_PEM);
    const s = parseSettings({ PLACEOS_URL: 'https://x.example.com', PLACEOS_JWT_SIGNING_KEY_FILE: keyFile });
    expect(s.jwtSigningKeyPem).toBe(PRIVATE_PEM.trim() + '\n');
    const body = PRIVATE_PEM.split('\n')[1]!;
    const d = JSON.stringify(describeSettings(s));
    expect(d).not.toContain(body);
    const digest = createHash('sha256').update(PUBLIC_PEM.trim()).digest('hex').slice(0, 16);
    expect(describeSettings(s).jwtSigningKey).toBe(`yes (its public key: sha256 ${digest} of the SPKI PEM)`);
    const secrets = settingsSecrets(s);
    expect(secrets).toEqual(expect.arrayContaining([expect.objectContaining({ value: PRIVATE_PEM.trim(), kind: 'other' })]));
    // Registered, the key is masked in any text: as PEM and as its base64 body on one line.
    const registry = createSecretRegistry();
    for (const x of secrets) registry.add(x.value, x.kind, x.source);
    const oneLineBody = PRIVATE_PEM.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    expect(registry.mask(`key: ${PRIVATE_PEM} and ${oneLineBody}`)).not.toContain(body.slice(0, 20));

    const refused = (file: string): string =>
      problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_JWT_SIGNING_KEY_FILE: file }), 'PLACEOS_JWT_SIGNING_KEY_FILE');
    const pub = join(dir, 'signing-public.pem');
    writeFileSync(pub, PUBLIC_PEM);
    const p = refused(pub);
    expect(p).toMatch(
      /holds a public key, which cannot sign: give the deployment's RS256 private key here \(its public key goes in PLACEOS_JWT_PUBLIC_KEY_FILE\)/,
    );
    expect(p).not.toContain('\n');
    const ec = join(dir, 'signing-ec.pem');
    writeFileSync(ec, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(refused(ec)).toMatch(/expected the file '.*' to be an RSA private key \(the deployment signs RS256\), got a key of type ec/);
    const junk = join(dir, 'signing-junk.pem');
    writeFileSync(junk, '-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n');
    expect(refused(junk)).toMatch(/does not parse/);
    expect(refused(join(dir, 'nope.pem'))).toMatch(/no such file/);
    for (const f of [pub, ec, junk]) expect(refused(f)).not.toMatch(/\n/);
  });

  test('CA file and NODE_EXTRA_CA_CERTS are read; a non-PEM file is refused', async () => {
    const a = await generate([{ name: 'commonName', value: 'ca-a' }], { keySize: 2048, algorithm: 'sha256' });
    const b = await generate([{ name: 'commonName', value: 'ca-b' }], { keySize: 2048, algorithm: 'sha256' });
    const fa = join(dir, 'a.pem');
    const fb = join(dir, 'b.pem');
    writeFileSync(fa, a.cert);
    writeFileSync(fb, b.cert);
    const s = parseSettings({ PLACEOS_URL: 'https://x.example.com', PLACEOS_CA_FILE: fa, NODE_EXTRA_CA_CERTS: fb });
    expect(s.tls.caFile).toBe(fa);
    expect(s.tls.ca).toContain(a.cert.trim());
    expect(s.tls.ca).toContain(b.cert.trim());
    const only = parseSettings({ PLACEOS_URL: 'https://x.example.com', NODE_EXTRA_CA_CERTS: fb });
    expect(only.tls.ca).toContain(b.cert.trim());
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'hello');
    expect(problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_CA_FILE: junk }), 'PLACEOS_CA_FILE')).toMatch(/found none/);
  }, 30000);

  test('proxy variables', () => {
    expect(parseSettings({ PLACEOS_URL: 'https://x.example.com', https_proxy: 'http://p:3128', no_proxy: 'a,b' }).proxy).toEqual({
      url: 'http://p:3128',
      noProxy: ['a', 'b'],
    });
    expect(parseSettings({ PLACEOS_URL: 'https://x.example.com', HTTP_PROXY: 'http://p:3128' }).proxy?.url).toBe('http://p:3128');
    expect(problem(errorsOf({ PLACEOS_URL: 'https://x.example.com', HTTPS_PROXY: 'socks5://p:1080' }), 'HTTPS_PROXY')).toMatch(/proxy URL/);
    const embedded = parseSettings({ PLACEOS_URL: 'http://127.0.0.1:1', HTTPS_PROXY: 'http://p:3128' }, { embedded: true });
    expect(embedded.proxy).toBeUndefined();
    expect(embedded.warnings?.join()).toMatch(/ignored/);
  });
});

describe('loadEnvFile and the example files', () => {
  test('reads dotenv; a missing file names --env and the path', () => {
    const f = join(dir, 'x.env');
    writeFileSync(f, '# comment\nPLACEOS_URL=https://x.example.com\nPLACEOS_USER_PASSWORD="with # hash"\n');
    expect(loadEnvFile(f)).toEqual({ PLACEOS_URL: 'https://x.example.com', PLACEOS_USER_PASSWORD: 'with # hash' });
    try {
      loadEnvFile(join(dir, 'missing.env'));
      throw new Error('expected a SettingsError');
    } catch (e) {
      expect(e).toBeInstanceOf(SettingsError);
      expect((e as SettingsError).errors[0]).toEqual({
        variable: '--env',
        problem: expect.stringMatching(/cannot read the env file '.*missing\.env' \(no such file\)/),
      });
    }
  });

  test.each(['live', 'reference', 'authcr'])('env/%s.env.example names only known variables, and every known one appears in live', (name) => {
    const path = join(__dirname, '..', '..', 'env', `${name}.env.example`);
    const text = readFileSync(path, 'utf8');
    // Commented assignments count too: `# PLACEOS_X=...`
    const names = [...text.matchAll(/^#?\s*([A-Za-z_]+)=/gm)].map((m) => m[1]!);
    const allowed = new Set([...KNOWN_VARIABLES, 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'NODE_EXTRA_CA_CERTS']);
    expect(names.filter((n) => !allowed.has(n))).toEqual([]);
    if (name === 'live') expect(KNOWN_VARIABLES.filter((v) => !names.includes(v))).toEqual([]);
    // The uncommented part parses (settings with placeholders are valid where uncommented).
    const env = loadEnvFile(path);
    if (name !== 'reference') expect(() => parseSettings(env)).not.toThrow();
    else expect(() => parseSettings(env, { embedded: true })).not.toThrow();
  });
});

test('the run, report and reference settings are declared and validated like the rest', () => {
  expect(() =>
    parseSettings({
      PLACEOS_URL: 'https://x.example.com',
      PLACEOS_REFERENCE_TLS: '1',
      PLACEOS_LEDGER: 'ledger.json',
      PLACEOS_JUNIT_TESTCASE_PROPERTIES: '0',
    }),
  ).not.toThrow();
  const errors = errorsOf({ PLACEOS_URL: 'https://x.example.com', PLACEOS_REPORT_SIGNING_KEY: 'not a key', PLACEOS_REFERENCE_VARIANT: 'hardend' });
  expect(problem(errors, 'PLACEOS_REPORT_SIGNING_KEY')).toMatch(/expected a PEM private key/);
  expect(problem(errors, 'PLACEOS_REPORT_SIGNING_KEY')).not.toContain('not a key');
  expect(problem(errors, 'PLACEOS_REFERENCE_VARIANT')).toMatch(/did you mean hardened/);
});
