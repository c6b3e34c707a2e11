import { readFileSync } from 'node:fs';
import { compiledSchemasSource } from '../../helpers/schemas-compiled';
import { createSchemaRegistry, DEFAULT_SCHEMA_DIR, PRECOMPILED_FILE, SCHEMA_NAMES } from '../../helpers/schemas';
import { GENERATIONS } from '../../helpers/model';
import { SETTINGS_VALIDATOR_FILE, settingsValidatorSource } from '../../helpers/settings/read';

describe('precompiled schema validators (helpers/schemas.compiled.js)', () => {
  test('are in sync with schemas/ and the overlays: run `npm run schemas:compile` after changing them', () => {
    expect(readFileSync(PRECOMPILED_FILE, 'utf8') === compiledSchemasSource()).toBe(true);
  });

  test('the settings validator (helpers/settings/validate.compiled.js) is in sync with the declaration', () => {
    expect(readFileSync(SETTINGS_VALIDATOR_FILE, 'utf8') === settingsValidatorSource()).toBe(true);
  });

  // A registry on the default folder uses the precompiled validators; naming the folder compiles.
  const precompiled = createSchemaRegistry();
  const compiled = createSchemaRegistry({ schemaDir: DEFAULT_SCHEMA_DIR });
  const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJQT1MifQ.c2lnbmF0dXJl';
  const values: unknown[] = [
    undefined,
    null,
    '',
    'text',
    7,
    [],
    {},
    { access_token: JWT, token_type: 'Bearer', expires_in: 7200, refresh_token: 'r'.repeat(43), scope: 'public', created_at: 1642051911 },
    { access_token: JWT, token_type: 'bearer', expires_in: '7200', extra: true },
    { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid.' },
    { error: 42 },
    { active: false },
    { active: true, scope: 'public', client_id: 'x', exp: 1 },
    { keys: [{ kty: 'RSA', n: 'abc', e: 'AQAB', kid: 'k', d: 'private' }] },
    { iss: 'POS', iat: 1, exp: 2, aud: 'a', sub: 's', scope: ['public'], u: { n: 'n', e: 'e@x', p: 0, r: [] } },
  ];

  test.each(SCHEMA_NAMES.flatMap((name) => GENERATIONS.map((g) => [name, g] as const)))(
    '%s on %s: the same verdicts, errors and extras as compiling',
    (name, generation) => {
      for (const v of values) expect(precompiled.check(name, v, generation)).toEqual(compiled.check(name, v, generation));
    },
  );

  test('the digest is the same either way, and the file is the one the default registry uses', () => {
    expect(precompiled.digest()).toBe(compiled.digest());
    expect((require(PRECOMPILED_FILE) as { digest: string }).digest).toBe(precompiled.digest());
  });
});
