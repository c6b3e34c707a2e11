import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSchemaRegistry,
  DEFAULT_SCHEMA_DIR,
  GENERATION_OVERLAYS,
  parseLocation,
  SCHEMA_NAMES,
  type SchemaName,
  type SchemaRegistry,
} from '../../helpers/schemas';
import { GENERATIONS, type Generation } from '../../helpers/model';

const registry: SchemaRegistry = createSchemaRegistry();

// Fixtures built from the shapes in docs/contract.md §4.
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJQT1MifQ.c2lnbmF0dXJl';
const tokenRails = {
  access_token: JWT,
  token_type: 'Bearer',
  expires_in: 7200,
  refresh_token: 'CvUwMfsoCvUwMfsoCvUwMfsoCvUwMfsoCvUwMfsoCvU',
  scope: 'public',
  created_at: 1642051911,
};
const { created_at: _drop, ...tokenAuthcr } = tokenRails;
const userJwt = {
  iss: 'POS',
  iat: 1700000000,
  exp: 1700007200,
  aud: 'placeos.example.com',
  sub: 'user-FDlLmtdDNp',
  scope: ['public', 'mqtt.Read'],
  u: { n: 'Support', e: 'support@place.tech', p: 3, r: ['admin'] },
};
const claims = { ...userJwt, jti: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', scope: ['public', 'mqtt.read'] };
const authority = {
  id: 'authority-GnrHlxaXGl',
  name: 'localhost',
  description: '',
  domain: 'localhost',
  login_url: '/login?continue={{url}}',
  logout_url: '/auth/logout',
  config: { default_app: '/backoffice/' },
  email_domains: [],
  updated_at: '2024-08-05T11:21:00.123Z',
  version: 'v2.0.0',
  session: false,
  token_valid: false,
  production: true,
};
const currentUser = {
  id: 'user-FDlLmtdDNp',
  email: 'support@place.tech',
  name: 'Support',
  authority_id: 'authority-GnrHlxaXGl',
  groups: [],
  sys_admin: true,
  support: true,
  created_at: 1642051911,
  login_count: 3,
  associated_metadata: {},
};
const discoveryAuthcr = {
  issuer: 'https://placeos.example.com',
  authorization_endpoint: 'https://placeos.example.com/auth/oauth/authorize',
  token_endpoint: 'https://placeos.example.com/auth/oauth/token',
  userinfo_endpoint: 'https://placeos.example.com/auth/oauth/userinfo',
  revocation_endpoint: 'https://placeos.example.com/auth/oauth/revoke',
  introspection_endpoint: 'https://placeos.example.com/auth/oauth/introspect',
  jwks_uri: 'https://placeos.example.com/auth/oauth/discovery/keys',
  end_session_endpoint: '/auth/logout',
  scopes_supported: ['openid', 'profile', 'email', 'offline_access', 'public'],
  response_types_supported: ['code'],
  grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
  token_endpoint_auth_methods_supported: ['client_secret_post', 'none'],
  code_challenge_methods_supported: ['S256'],
  claims_supported: ['sub', 'email'],
};
const discoveryRails = {
  issuer: 'https://placeos.example.com',
  authorization_endpoint: 'https://placeos.example.com/auth/oauth/authorize',
  token_endpoint: 'https://placeos.example.com/auth/oauth/token',
  jwks_uri: 'https://placeos.example.com/auth/oauth/discovery/keys',
  response_types_supported: ['code', 'token'],
  grant_types_supported: ['authorization_code', 'password', 'implicit', 'refresh_token'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
};
const jwk = { kty: 'RSA', n: 'x'.repeat(342), e: 'AQAB', kid: 'k1', use: 'sig', alg: 'RS256' };
const loc = (s: string) => parseLocation(s);

type Row = [SchemaName, Generation, string, unknown];

const valid: Row[] = [
  ['token-response', 'rails', 'Doorkeeper response with created_at', tokenRails],
  ['token-response', 'rails-2023', 'Doorkeeper response with created_at', tokenRails],
  ['token-response', 'authcr', 'auth.cr response without created_at', tokenAuthcr],
  ['token-response', 'rails', 'docs example token_type "bearer" (case-insensitive)', { ...tokenRails, token_type: 'bearer' }],
  ['token-response', 'authcr', 'no scope, no refresh_token', { access_token: JWT, token_type: 'BEARER', expires_in: 7200 }],
  [
    'oauth-error',
    'rails',
    'Doorkeeper invalid_grant',
    {
      error: 'invalid_grant',
      error_description:
        'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    },
  ],
  ['oauth-error', 'authcr', 'auth.cr unsupported_grant_type', { error: 'unsupported_grant_type', error_description: 'the password grant has been disabled' }],
  ['authorize-redirect', 'rails', 'code and state', loc('https://localhost:8443/backoffice/oauth-resp.html?code=tB2AUQQ8KXm&state=xyz')],
  ['authorize-redirect', 'authcr', 'code only', loc('https://app.example/cb?code=eyJ.a.b')],
  ['authorize-error-redirect', 'rails', 'deny flow', loc('https://app.example/cb?error=access_denied&error_description=The+resource+owner+denied&state=s1')],
  ['inspect-bearer', 'rails', 'UserJWT (§4.5)', userJwt],
  ['inspect-api-key', 'rails', 'API-key UserJWT', { ...userJwt, scope: ['users.Read'], u: { ...userJwt.u, p: 0 } }],
  ['jwt-header', 'rails', 'Rails header (no typ)', { alg: 'RS256' }],
  ['jwt-header', 'authcr', 'Crystal header', { alg: 'RS256', typ: 'JWT' }],
  ['access-token-claims', 'rails', 'claims with jti', claims],
  ['access-token-claims', 'authcr', 'claims without jti', { ...claims, jti: 'a'.repeat(64) }],
  ['authority', 'rails', 'authority', authority],
  ['authority', 'authcr', 'authority without optional fields', (({ email_domains: _e, updated_at: _u, ...a }) => a)(authority)],
  ['current-user', 'rails', 'user', currentUser],
  ['revoke', 'rails', 'Rails {}', {}],
  ['revoke', 'authcr', 'auth.cr empty body', undefined],
  ['revoke', 'authcr', 'auth.cr {} tolerated', {}],
  [
    'introspection',
    'rails',
    'active',
    { active: true, scope: 'public', client_id: 'b52e653071c45353dbff4e8f47d51cdf', token_type: 'Bearer', iat: 1, exp: 7201 },
  ],
  ['introspection', 'authcr', 'inactive', { active: false }],
  [
    'token-info',
    'rails',
    'Doorkeeper token info',
    { resource_owner_id: 'user-1', scope: ['public'], expires_in: 7000, application: { uid: 'b52e' }, created_at: 1642051911 },
  ],
  ['jwks', 'authcr', 'one RSA key', { keys: [jwk] }],
  ['discovery', 'authcr', 'auth.cr document (§4.10)', discoveryAuthcr],
  ['discovery', 'rails', 'Rails document (less strict)', discoveryRails],
  ['rest-api-error-401', 'rails', 'error message', { error: 'logged out' }],
  ['rest-api-error-401', 'rails', 'no credential: empty message', { error: '' }],
  ['userinfo', 'rails', 'Rails {sub}', { sub: 'user-1' }],
  ['userinfo', 'authcr', 'auth.cr full claims', { sub: 'user-1', email: 'a@b.c', given_name: 'A', preferred_username: 'a' }],
];

const invalid: [...Row, string][] = [
  ['token-response', 'rails', 'created_at missing on Rails', tokenAuthcr, '/created_at: required, missing (on rails:'],
  ['token-response', 'rails-2023', 'created_at missing on rails-2023', tokenAuthcr, '/created_at: required, missing'],
  ['token-response', 'authcr', 'created_at present on auth.cr', tokenRails, '/created_at: must be absent on authcr'],
  ['token-response', 'rails', 'expires_in as string', { ...tokenRails, expires_in: '7200' }, '/expires_in: expected integer, got string "7200"'],
  ['token-response', 'rails', 'token_type mac', { ...tokenRails, token_type: 'mac' }, '/token_type: expected to match'],
  [
    'token-response',
    'rails',
    'access_token not a JWT (length only)',
    { ...tokenRails, access_token: 'guxu05o'.repeat(10) },
    '/access_token: expected to match /^eyJ',
  ],
  ['token-response', 'rails', 'missing access_token', (({ access_token: _a, ...r }) => r)(tokenRails), '/access_token: required, missing'],
  ['oauth-error', 'rails', 'error not a string', { error: 400 }, '/error: expected string, got integer 400'],
  ['oauth-error', 'rails', 'error with a quote', { error: 'bad"code' }, '/error: expected to match'],
  ['authorize-redirect', 'rails', 'no code', loc('https://app.example/cb?state=x'), '/query/code: required, missing'],
  ['authorize-redirect', 'rails', 'repeated code', loc('https://app.example/cb?code=a&code=b'), '/query/code: expected string, got array (length 2)'],
  ['authorize-redirect', 'rails', 'token in the fragment', loc('https://app.example/cb?code=a#access_token=x'), '/fragment/access_token: must be absent'],
  ['authorize-error-redirect', 'rails', 'error with code', loc('https://app.example/cb?error=access_denied&code=x'), '/query/code: must be absent'],
  ['inspect-bearer', 'rails', 'jti present', { ...userJwt, jti: 'x' }, '/jti: must be absent'],
  ['inspect-bearer', 'rails', 'lower-case access suffix', { ...userJwt, scope: ['mqtt.read'] }, '/scope/0: expected to match'],
  ['inspect-bearer', 'rails', 'u.p out of range', { ...userJwt, u: { ...userJwt.u, p: 4 } }, '/u/p: expected <= 3, got integer 4'],
  ['inspect-bearer', 'rails', 'u.r missing', { ...userJwt, u: { n: 'a', e: 'a@b', p: 0 } }, '/u/r: required, missing'],
  ['inspect-bearer', 'rails', 'email not lower-cased', { ...userJwt, u: { ...userJwt.u, e: 'Support@place.tech' } }, '/u/e: expected to match'],
  ['inspect-api-key', 'rails', 'iss not POS', { ...userJwt, iss: 'other' }, '/iss: expected "POS", got string "other"'],
  ['jwt-header', 'rails', 'alg none', { alg: 'none' }, '/alg: expected "RS256", got string "none"'],
  ['jwt-header', 'rails', 'embedded jwk', { alg: 'RS256', jwk: {} }, '/jwk: must be absent'],
  ['access-token-claims', 'rails', 'capitalised scope in a token', { ...claims, scope: ['mqtt.Read'] }, '/scope/0: expected to match'],
  ['access-token-claims', 'rails', 'aud is a URL', { ...claims, aud: 'https://placeos.example.com/' }, '/aud: expected to match'],
  ['access-token-claims', 'rails', 'iss wrong', { ...claims, iss: 'https://x' }, '/iss: expected "POS"'],
  ['authority', 'rails', 'version v1', { ...authority, version: 'v1.0.0' }, '/version: expected to match'],
  ['authority', 'rails', 'internals leaked', { ...authority, internals: {} }, '/internals: must be absent'],
  ['authority', 'rails', 'updated_at not a date-time', { ...authority, updated_at: 'yesterday' }, '/updated_at: expected format "date-time"'],
  ['current-user', 'rails', 'missing the stable minimal set', { id: 'user-1' }, '/email: required, missing'],
  ['current-user', 'rails', 'created_at as string', { ...currentUser, created_at: '2022-01-13' }, '/created_at: expected integer'],
  ['revoke', 'rails', 'empty body on Rails', undefined, '/: expected object, got nothing'],
  ['introspection', 'rails', 'inactive with claims', { active: false, scope: 'public' }, '/scope: must be absent (closed object)'],
  [
    'introspection',
    'rails',
    'active without client_id',
    { active: true, scope: 'public', token_type: 'Bearer', iat: 1, exp: 2 },
    '/client_id: required, missing',
  ],
  [
    'token-info',
    'rails',
    'older Doorkeeper field names',
    { resource_owner_id: 'u', scopes: ['public'], expires_in_seconds: 1, application: { uid: 'x' }, created_at: 1 },
    '/scope: required, missing',
  ],
  ['jwks', 'authcr', 'private key member published', { keys: [{ ...jwk, d: 'secret' }] }, '/keys/0/d: must be absent'],
  ['jwks', 'authcr', 'no keys', { keys: [] }, '/keys: expected at least 1 items'],
  ['discovery', 'authcr', 'Rails document held to auth.cr', discoveryRails, '/userinfo_endpoint: required, missing'],
  [
    'discovery',
    'authcr',
    'password grant advertised',
    { ...discoveryAuthcr, grant_types_supported: ['authorization_code', 'password'] },
    '/grant_types_supported/1: expected one of',
  ],
  ['discovery', 'rails', 'jwks_uri elsewhere', { ...discoveryRails, jwks_uri: 'https://placeos.example.com/auth/jwks' }, '/jwks_uri: expected to match'],
  ['rest-api-error-401', 'rails', 'backtrace in a 401', { error: 'x', backtrace: ['a'] }, '/backtrace: must be absent'],
  ['userinfo', 'rails', 'no sub', {}, '/sub: required, missing'],
];

describe('schema registry', () => {
  test('every schema name has a file, and names() lists them all', () => {
    const files = readdirSync(DEFAULT_SCHEMA_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(files).toEqual([...SCHEMA_NAMES].sort());
    expect(registry.names().sort()).toEqual([...SCHEMA_NAMES].sort());
  });

  test.each(SCHEMA_NAMES.map((n) => [n]))(
    '%s: draft 2020-12 with the conventional $id and no additionalProperties:false (but the inactive introspection)',
    (name) => {
      const text = readFileSync(join(DEFAULT_SCHEMA_DIR, `${name}.json`), 'utf8');
      const schema = JSON.parse(text) as Record<string, unknown>;
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(`https://placeos-auth-contract/schemas/${name}.json`);
      const closed = (text.match(/"additionalProperties": false/g) ?? []).length;
      expect(closed).toBe(name === 'introspection' ? 1 : 0);
    },
  );

  test('a fixture row exists, valid and invalid, for every schema', () => {
    for (const name of SCHEMA_NAMES) {
      expect(valid.some((r) => r[0] === name)).toBe(true);
      expect(invalid.some((r) => r[0] === name)).toBe(true);
    }
  });

  test.each(valid)('%s (%s) accepts: %s', (name, generation, _title, value) => {
    const r = registry.check(name, value, generation);
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
  });

  test.each(invalid)('%s (%s) rejects: %s', (name, generation, _title, value, message) => {
    const r = registry.check(name, value, generation);
    expect(r.valid).toBe(false);
    expect(r.errors.join('\n')).toContain(message);
  });

  test('error messages never print a value longer than 40 characters', () => {
    const secret = 'guxu05oCvUwMfso'.repeat(5);
    const r = registry.check('token-response', { ...tokenRails, access_token: secret, refresh_token: 7 }, 'rails');
    expect(r.errors.join('\n')).not.toContain(secret);
    expect(r.errors).toContain(
      `/access_token: expected to match /^eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$/, got string (length ${secret.length})`,
    );
    expect(r.errors).toContain('/refresh_token: expected string, got integer 7');
  });

  test('unknown schema names and generations are refused', () => {
    expect(() => registry.check('nope' as SchemaName, {}, 'rails')).toThrow(/unknown schema name/);
    expect(() => registry.check('revoke', {}, 'rails-1999' as Generation)).toThrow(/unknown generation/);
  });
});

describe('extras: allowed, reported as JSON pointers', () => {
  test.each<[SchemaName, Generation, unknown, string[]]>([
    ['token-response', 'rails', { ...tokenRails, foo: 1, 'a/b': 2 }, ['/a~1b', '/foo']],
    ['inspect-bearer', 'rails', { ...userJwt, u: { ...userJwt.u, x: true } }, ['/u/x']],
    ['inspect-api-key', 'rails', { ...userJwt, extra: 1 }, ['/extra']],
    ['jwks', 'authcr', { keys: [{ ...jwk, x5c: ['a'] }], other: 1 }, ['/keys/0/x5c', '/other']],
    ['authority', 'rails', { ...authority, config: { anything: 1 }, metrics: 'x' }, ['/metrics']],
    ['introspection', 'rails', { active: true, scope: 'public', client_id: 'c', token_type: 'Bearer', iat: 1, exp: 2, ext: 'x' }, ['/ext']],
    ['revoke', 'rails', { status: 'ok' }, ['/status']],
    ['authorize-redirect', 'rails', loc('https://app.example/cb?code=a&session_state=s'), ['/query/session_state']],
  ])('%s (%s)', (name, generation, value, extras) => {
    const r = registry.check(name, value, generation);
    expect(r.valid).toBe(true);
    expect(r.extras).toEqual(extras);
  });

  test('free-form objects (authority.config) report nothing inside', () => {
    expect(registry.check('authority', { ...authority, config: { a: { b: 1 } } }, 'rails').extras).toEqual([]);
  });
});

describe('generation overlay (one place: GENERATION_OVERLAYS)', () => {
  test.each<[Generation, boolean, boolean]>([
    ['rails', true, false],
    ['rails-2023', true, false],
    ['authcr', false, true],
  ])('token-response created_at on %s: with=%s without=%s', (generation, withOk, withoutOk) => {
    expect(registry.check('token-response', tokenRails, generation).valid).toBe(withOk);
    expect(registry.check('token-response', tokenAuthcr, generation).valid).toBe(withoutOk);
  });

  test('every overlay names a known schema and generation', () => {
    for (const [name, perGen] of Object.entries(GENERATION_OVERLAYS)) {
      expect(SCHEMA_NAMES).toContain(name);
      for (const g of Object.keys(perGen ?? {})) expect(GENERATIONS).toContain(g);
    }
    expect(registry.overlay('token-response', 'authcr')?.forbid).toEqual(['created_at']);
    expect(registry.overlay('jwks', 'rails')).toBeUndefined();
  });
});

describe('digest', () => {
  test('sha256 over the sorted schema files, then the overlay table; stable per registry', () => {
    const d = registry.digest();
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(createSchemaRegistry().digest()).toBe(d);
    const files = readdirSync(DEFAULT_SCHEMA_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const filesOnly = createHash('sha256');
    for (const f of files) filesOnly.update(readFileSync(join(DEFAULT_SCHEMA_DIR, f)));
    expect(filesOnly.digest('hex')).not.toBe(d); // the overlay is part of the bundle
  });

  test('changes when a schema file changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    for (const f of readdirSync(DEFAULT_SCHEMA_DIR)) copyFileSync(join(DEFAULT_SCHEMA_DIR, f), join(dir, f));
    expect(createSchemaRegistry({ schemaDir: dir }).digest()).toBe(registry.digest());
    const p = join(dir, 'userinfo.json');
    writeFileSync(p, readFileSync(p, 'utf8').replace('"Contract', '"The contract'));
    expect(createSchemaRegistry({ schemaDir: dir }).digest()).not.toBe(registry.digest());
  });

  test('a schema file with a wrong $id or a missing schema is refused at creation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    for (const f of readdirSync(DEFAULT_SCHEMA_DIR)) if (f !== 'jwks.json') copyFileSync(join(DEFAULT_SCHEMA_DIR, f), join(dir, f));
    expect(() => createSchemaRegistry({ schemaDir: dir })).toThrow(/jwks\.json is missing/);
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ $id: 'https://elsewhere/jwks.json' }));
    expect(() => createSchemaRegistry({ schemaDir: dir })).toThrow(/must have \$id/);
  });
});

describe('parseLocation', () => {
  test('origin, pathname, query and fragment; repeated keys kept in order', () => {
    const p = parseLocation('https://App.example:8443/cb/x?code=a&state=s%20p&x=1&x=2#access_token=t&token_type=Bearer&x=3');
    expect(p).toMatchObject({
      origin: 'https://app.example:8443',
      pathname: '/cb/x',
      query: { code: 'a', state: 's p', x: ['1', '2'] },
      fragment: { access_token: 't', token_type: 'Bearer', x: '3' },
      relative: false,
    });
  });

  test('URL objects, relative Locations and custom schemes', () => {
    expect(parseLocation(new URL('http://h/p?a=1')).query).toEqual({ a: '1' });
    expect(parseLocation('/dashboard?x=1')).toMatchObject({ origin: '', pathname: '/dashboard', query: { x: '1' }, relative: true });
    expect(parseLocation('/login?continue=/home', 'https://placeos.example.com/auth/login')).toMatchObject({
      origin: 'https://placeos.example.com',
      pathname: '/login',
      relative: false,
    });
    expect(parseLocation('com.placeos.app:/cb?code=c')).toMatchObject({ origin: 'com.placeos.app:', query: { code: 'c' } });
  });

  test('state with reserved characters survives byte-exactly', () => {
    const state = `a b&c=d/e?f#g%h+i~j'k"l`;
    const u = new URL('https://app.example/cb');
    u.searchParams.set('state', state);
    u.searchParams.set('code', 'c');
    expect(parseLocation(u.href).query.state).toBe(state);
  });
});
