import { ContractViolation } from '../../helpers/case';
import type { HttpResponse } from '../../helpers/http';
import { describeUrl, expectJsonContentType, expectNoRedirectTo, expectSchema, expectStatus } from '../../helpers/assert';
import { expectWwwAuthenticate, parseWwwAuthenticate } from '../../helpers/kit/challenge';
import { createSchemaRegistry } from '../../helpers/schemas';

/** A plain object satisfying HttpResponse (the real client is built elsewhere). */
function res(o: { status?: number; headers?: Record<string, string | string[]>; body?: unknown; text?: string; url?: string } = {}): HttpResponse {
  const headers: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = v;
  const url = o.url ?? 'https://placeos.example.com/auth/oauth/token';
  const loc = headers.location;
  const text = o.text ?? (o.body === undefined ? '' : JSON.stringify(o.body));
  return {
    status: o.status ?? 200,
    headers,
    header: (name: string) => {
      const v = headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    text,
    json: o.body,
    ...(typeof loc === 'string' ? { location: new URL(loc, url) } : {}),
    setCookie: ([] as string[]).concat(headers['set-cookie'] ?? []),
    url,
    durationMs: 1,
  };
}

function violation(fn: () => unknown): ContractViolation {
  try {
    fn();
  } catch (e) {
    if (e instanceof ContractViolation) return e;
    throw e;
  }
  throw new Error('expected a ContractViolation');
}

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlc2lnbmF0dXJl';

describe('expectStatus', () => {
  test.each<[number, number | number[], string | null]>([
    [200, 200, null],
    [401, [400, 401], null],
    [400, 200, 'expected HTTP status 200, got 400 (error "invalid_grant")'],
    [500, [400, 401], 'expected HTTP status 400 or 401, got 500'],
  ])('%i vs %p', (status, expected, message) => {
    const r = res({ status, body: status === 400 ? { error: 'invalid_grant' } : undefined });
    if (message === null) expect(() => expectStatus(r, expected)).not.toThrow();
    else {
      const v = violation(() => expectStatus(r, expected));
      expect(v.message).toBe(message);
      expect(v.actual).toBe(String(status));
    }
  });
});

describe('expectSchema', () => {
  const registry = createSchemaRegistry();
  test('returns the check (with extras) when valid', () => {
    const c = expectSchema(registry, 'oauth-error', { error: 'invalid_grant', x: 1 }, 'rails');
    expect(c.extras).toEqual(['/x']);
  });
  test('names the schema, generation and problems', () => {
    const v = violation(() => expectSchema(registry, 'token-response', { access_token: TOKEN, token_type: 'Bearer', expires_in: '7200' }, 'rails'));
    expect(v.message).toBe(
      'expected a body matching schema "token-response" (rails), got 2 problems: /created_at: required, missing (on rails: Doorkeeper TokenResponse always carries created_at (contract §4.1)); /expires_in: expected integer, got string "7200"',
    );
    expect(v.message).not.toContain(TOKEN);
  });
});

describe('headers', () => {
  test.each<[string | undefined, boolean]>([
    ['application/json; charset=utf-8', true],
    ['Application/JSON', true],
    ['application/problem+json', true],
    ['text/html; charset=utf-8', false],
    ['application/jsonp', false],
    [undefined, false],
  ])('expectJsonContentType %p → %p', (ct, ok) => {
    const r = res({ headers: ct === undefined ? {} : { 'content-type': ct } });
    if (ok) expect(() => expectJsonContentType(r)).not.toThrow();
    else expect(violation(() => expectJsonContentType(r)).message).toMatch(/^expected Content-Type application\/json, got (no Content-Type header|")/);
  });
});

describe('redirects', () => {
  const cb = 'https://app.example/cb';
  test.each<[string, HttpResponse, boolean]>([
    ['error page, no redirect', res({ status: 400, text: 'An error has occurred' }), true],
    ['redirect to the login page', res({ status: 302, headers: { location: '/auth/login?continue=x' } }), true],
    ['redirect to the registered URI', res({ status: 302, headers: { location: `${cb}?code=a` } }), true],
    ['redirect to the bad URI', res({ status: 302, headers: { location: `${cb}.evil.example/x?code=SECRETCODE` } }), false],
    ['redirect to the bad URI with host case changed', res({ status: 302, headers: { location: 'https://APP.example/cb.evil.example/x?error=x' } }), false],
  ])('expectNoRedirectTo: %s', (_t, r, ok) => {
    const bad = `${cb}.evil.example/x`;
    if (ok) expect(() => expectNoRedirectTo(r, bad)).not.toThrow();
    else {
      const v = violation(() => expectNoRedirectTo(r, bad));
      expect(v.message).toMatch(
        /^expected no redirect to the unregistered URI https:\/\/app\.example\/cb\.evil\.example\/x, got 302 to https:\/\/app\.example\/cb\.evil\.example\/x\?/,
      );
      expect(v.message).not.toContain('SECRETCODE');
    }
  });

  test('describeUrl hides credential parameters and long values', () => {
    expect(describeUrl(`https://a.example/p?code=x&bearer_token=${TOKEN}&state=${'s'.repeat(50)}&x=1#access_token=t`)).toBe(
      'https://a.example/p?code=…&bearer_token=…&state=…(50)&x=1#access_token=…',
    );
  });
});

describe('WWW-Authenticate', () => {
  test.each<[string, ReturnType<typeof parseWwwAuthenticate>]>([
    ['Bearer', [{ scheme: 'Bearer', params: {} }]],
    [
      'Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid"',
      [{ scheme: 'Bearer', params: { realm: ['Doorkeeper'], error: ['invalid_token'], error_description: ['The access token is invalid'] } }],
    ],
    [
      'Basic realm="a, b", Bearer error=invalid_token',
      [
        { scheme: 'Basic', params: { realm: ['a, b'] } },
        { scheme: 'Bearer', params: { error: ['invalid_token'] } },
      ],
    ],
    ['Bearer realm="x\\"y"', [{ scheme: 'Bearer', params: { realm: ['x"y'] } }]],
    [
      'Negotiate abc==, Bearer',
      [
        { scheme: 'Negotiate', params: {}, token68: 'abc==' },
        { scheme: 'Bearer', params: {} },
      ],
    ],
  ])('parse %s', (value, expected) => {
    expect(parseWwwAuthenticate(value)).toEqual(expected);
  });

  test.each<[string, string | undefined, string | null | undefined, string | null]>([
    ['no credentials: no error attribute', 'Bearer realm="Doorkeeper"', null, null],
    ['invalid token', 'Bearer realm="Doorkeeper", error="invalid_token"', 'invalid_token', null],
    ['scheme case-insensitive', 'bearer error="invalid_token"', 'invalid_token', null],
    ['error not checked', 'Bearer error="x"', undefined, null],
    ['missing header', undefined, 'invalid_token', 'expected a WWW-Authenticate Bearer challenge on 401, got no WWW-Authenticate header'],
    ['other scheme', 'Basic realm="x"', null, 'expected a WWW-Authenticate Bearer challenge, got Basic'],
    [
      'error present when none allowed',
      'Bearer error="invalid_token"',
      null,
      'expected a Bearer challenge without an error attribute, got error="invalid_token"',
    ],
    ['wrong error', 'Bearer error="invalid_request"', 'invalid_token', 'expected a Bearer challenge with error="invalid_token", got error="invalid_request"'],
    ['no error attribute', 'Bearer realm="x"', 'invalid_token', 'expected a Bearer challenge with error="invalid_token", got no error attribute'],
    [
      'repeated attribute',
      'Bearer error="a", error="b"',
      undefined,
      'expected each Bearer challenge attribute at most once (RFC 6750 §3), got "error" repeated',
    ],
  ])('%s', (_t, header, error, message) => {
    const r = res({ status: 401, headers: header === undefined ? {} : { 'www-authenticate': header } });
    const exp = error === undefined ? { scheme: 'Bearer' } : { scheme: 'Bearer', error };
    if (message === null) expect(expectWwwAuthenticate(r, exp).scheme.toLowerCase()).toBe('bearer');
    else expect(violation(() => expectWwwAuthenticate(r, exp)).message).toBe(message);
  });
});
