// The spec kit's one assertion verb, its OAuth error oracle and its transport table: what a
// failing check carries (error code and observation) and how each credential is placed.
import type { CaseContext } from '../../helpers/case';
import { ContractViolation, PreconditionFailed } from '../../helpers/case';
import type { HttpResponse } from '../../helpers/http';
import { API_KEY, BEARER, BEARER_TRANSPORTS, ensure, expectOAuthError, precondition, queryString } from '../../helpers/kit';
import { createSchemaRegistry } from '../../helpers/schemas';

function res(status: number, body: unknown): HttpResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  return {
    status,
    headers,
    header: (n: string) => headers[n.toLowerCase()],
    text: JSON.stringify(body),
    json: body,
    setCookie: [],
    url: 'https://placeos.example.com/auth/oauth/token',
    durationMs: 1,
  };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

const findings: string[] = [];
const t = { schemas: createSchemaRegistry(), generation: 'rails', finding: (id: string) => findings.push(id) } as unknown as CaseContext;

describe('ensure', () => {
  test('a rule that holds passes; one that does not throws ERR_CONTRACT_VIOLATION with its observation', () => {
    ensure(true, 'never seen');
    const e = thrown(() => ensure(false, 'step: it broke', '401', '200', { code: 'status', step: 'replay' }));
    expect(e).toBeInstanceOf(ContractViolation);
    expect((e as ContractViolation).code).toBe('ERR_CONTRACT_VIOLATION');
    expect((e as ContractViolation).observation).toEqual({ code: 'status', step: 'replay', expected: '401', actual: '200' });
  });

  test('precondition: an `error`, never a contract failure', () => {
    const e = thrown(() => precondition(false, 'signing in', 'no session', '202', '500'));
    expect(e).toBeInstanceOf(PreconditionFailed);
    expect((e as PreconditionFailed).code).toBe('ERR_PRECONDITION_FAILED');
  });
});

describe('expectOAuthError', () => {
  test.each<[string, HttpResponse, Parameters<typeof expectOAuthError>[2], { expected: string; actual: string } | null]>([
    ['match', res(400, { error: 'invalid_grant' }), { status: 400, error: 'invalid_grant' }, null],
    ['any code of the status', res(401, { error: 'invalid_client' }), { status: 401 }, null],
    [
      'one of several',
      res(401, { error: 'invalid_client' }),
      [
        { status: 400, error: 'invalid_grant' },
        { status: 401, error: 'invalid_client' },
      ],
      null,
    ],
    [
      'wrong code',
      res(400, { error: 'invalid_request' }),
      { status: 400, error: 'invalid_grant' },
      { expected: '400 invalid_grant', actual: '400 (error "invalid_request")' },
    ],
    [
      'a token instead',
      res(200, { access_token: 'x' }),
      [{ status: 400, error: 'invalid_grant' }, { status: 401 }],
      { expected: '400 invalid_grant or 401', actual: '200' },
    ],
  ])('%s', (_n, r, exp, observation) => {
    if (observation === null) return expectOAuthError(t, r, exp, 'exchange');
    const e = thrown(() => expectOAuthError(t, r, exp, 'exchange')) as ContractViolation;
    expect(e.message).toBe('exchange: unexpected answer');
    expect(e.observation).toEqual(observation);
  });
});

describe('credential transports', () => {
  test('each transport places the credential once, where its name says', () => {
    expect(BEARER_TRANSPORTS.map((v) => BEARER[v].place('tok'))).toEqual([
      { headers: { authorization: 'Bearer tok' } },
      { query: { bearer_token: 'tok' } },
      { headers: { cookie: 'bearer_token=tok' } },
    ]);
    expect(BEARER.header.place('tok', 'bearer')).toEqual({ headers: { authorization: 'bearer tok' } });
    expect(API_KEY.header.place('k')).toEqual({ headers: { 'x-api-key': 'k' } });
    expect(queryString(API_KEY.param.place('a.b/c'))).toBe('?api-key=a.b%2Fc');
    expect(new Set(BEARER_TRANSPORTS.map((v) => BEARER[v].requirement)).size).toBe(BEARER_TRANSPORTS.length);
  });
});
