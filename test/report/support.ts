// Shared data for test/report: a RunMeta, synthetic CaseResults covering every verdict (with
// exchanges) and a real jest-junit file produced by running jest on test/report/fixtures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CaseResult, Exchange, Verdict } from '../../helpers/model';
import type { RunMeta } from '../../runner/report';
import { JEST_JUNIT_OPTIONS } from '../../runner/report/jest-junit';
import { reproduceFor } from '../../runner/report/reproduce';

export const FIXTURES = path.join(__dirname, 'fixtures');

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `placeos-report-${prefix}-`));
}

export function meta(over: Partial<RunMeta> = {}): RunMeta {
  return {
    runId: 'run-2025-01-31-1',
    suiteVersion: '0.1.0',
    suiteCommit: '2b4dfa8',
    schemaDigest: 'sha256:1f2e3d',
    target: 'https://placeos.example.com',
    embedded: false,
    generation: 'rails',
    generationSource: 'detected',
    deploymentVersion: 'authority 3.4.1',
    startedAt: '2025-01-31T10:00:00.000+01:00',
    endedAt: '2025-01-31T10:00:42.500+01:00',
    node: 'v20.19.0',
    jestJunit: '17.0.0',
    strict: false,
    ci: { ci_system: 'gitlab', ci_job_id: '4711', ci_job_url: 'https://gitlab.example.com/p/-/jobs/4711', ci_pipeline_id: '815' },
    requestCount: 17,
    requestsByArea: { 'oauth.token': 12, 'oauth.authorize': 5 },
    ...over,
  };
}

/** Strings a (buggy) run could leak; `masked` replaces them as the registry would. */
export interface Planted {
  password: string;
  accessToken: string;
  refreshToken: string;
  code: string;
  cookie: string;
  apiKey: string;
  clientSecret: string;
}

export const PLANTED: Planted = {
  password: 'Hunter2-Correct|Horse<Battery>',
  accessToken:
    'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwic2NvcGUiOiJwdWJsaWMiLCJleHAiOjE3MzgzMjAwMDB9.c2lnbmF0dXJlLWJ5dGVzLXRoYXQtYXJlLW5vdC1yZWFsbHktYS1zaWduYXR1cmU',
  refreshToken: 'rt_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  code: 'authcode_Zx81Lm02Qp77',
  cookie: 'sess%3DAbC123dEf456gHi789',
  apiKey: 'apikey-7c1f0b2e9d8a4c6b',
  clientSecret: 'cs_live_P4sSw0rD&"quoted"',
};

const MASK: Record<keyof Planted, string> = {
  password: '[REDACTED:password#1]',
  accessToken: '[REDACTED:access_token#1]',
  refreshToken: '[REDACTED:refresh_token#1]',
  code: '[REDACTED:code#1]',
  cookie: '[REDACTED:cookie#1]',
  apiKey: '[REDACTED:api_key#1]',
  clientSecret: '[REDACTED:client_secret#1]',
};

/** The settings' variables of the masked labels, as the run's registry gives them. */
export const SOURCES: Record<string, string> = { 'password#1': '$PLACEOS_USER_PASSWORD', 'client_secret#1': '$PLACEOS_CLIENT_SECRET' };

function exchanges(s: Record<keyof Planted, string>): Exchange[] {
  return [
    {
      journey: 'password-login',
      method: 'POST',
      url: 'https://placeos.example.com/auth/oauth/token',
      requestHeaders: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${s.clientSecret}` },
      requestBody: `grant_type=password&username=svc%40example.com&password=${s.password}&client_id=abc`,
      status: 200,
      responseHeaders: { 'content-type': 'application/json', 'set-cookie': [`user_session=${s.cookie}; Path=/; HttpOnly`] },
      responseBody: JSON.stringify({ access_token: s.accessToken, refresh_token: s.refreshToken, token_type: 'Bearer', expires_in: 7200 }),
      startedAt: '2025-01-31T09:00:01.000Z',
      durationMs: 38,
      attempt: 1,
    },
    {
      journey: 'authorize',
      method: 'GET',
      url: `https://placeos.example.com/auth/oauth/authorize?response_type=code&client_id=abc&x-api-key=${s.apiKey}`,
      requestHeaders: { cookie: `user_session=${s.cookie}`, 'x-api-key': s.apiKey },
      status: 302,
      responseHeaders: { location: `https://app.example.com/cb?code=${s.code}&state=xyz` },
      startedAt: '2025-01-31T09:00:02.000Z',
      durationMs: 12,
      attempt: 2,
    },
  ];
}

function result(caseId: string, title: string, verdict: Verdict, over: Partial<CaseResult> = {}): CaseResult {
  const area = caseId.split('.').slice(0, 2).join('.');
  return {
    caseId,
    area,
    title,
    requirements: ['RFC6749-5.1'],
    level: 'MUST',
    severity: 'high',
    tags: ['smoke'],
    generation: 'rails',
    verdict,
    findings: [],
    exchanges: [],
    startedAt: '2025-01-31T09:00:00.000Z',
    durationMs: 50,
    ...over,
  };
}

/**
 * One CaseResult per fixture test, every verdict represented. `leak` plants the clear secrets
 * (a masking bug); otherwise the texts carry the registry's `[REDACTED:kind#n]` replacements.
 */
export function results(leak = false): CaseResult[] {
  const s = leak ? PLANTED : MASK;
  return [
    result('oauth.token.password-grant', 'Password grant returns a bearer token', 'pass', {
      exchanges: exchanges(s),
      findings: [{ id: 'DOC-PASSWORD-SERVICE-ONLY', message: 'the doc says any user; only service accounts may' }],
    }),
    result('oauth.token.pkce-plain', 'PKCE plain method is rejected', 'fail', {
      requirements: ['RFC7636-4.6', 'RFC9700-2.1.1'],
      severity: 'blocker',
      message: `expected 400 invalid_request, got 200 with an access token ${s.accessToken}`,
      exchanges: exchanges(s),
      reproduce: reproduceFor('fail', exchanges(s), SOURCES),
    }),
    result('oauth.token.cache-control', 'Token response forbids caching', 'warn', {
      requirements: ['RFC6749-5.1'],
      level: 'SHOULD',
      severity: 'medium',
      message: 'Cache-Control: no-store missing',
    }),
    result('oauth.token.refresh-rotation', 'Refresh tokens rotate', 'deviation', {
      requirements: ['RFC9700-4.14.2'],
      level: 'SHOULD',
      severity: 'medium',
      message: `refresh token ${s.refreshToken} still valid after use`,
      ledger: {
        check: 'oauth.token.refresh-rotation',
        observed: { expected: '400 invalid_grant', actual: '200 with access_token' },
        reason: 'Doorkeeper reuses refresh tokens on rails',
        owner: 'platform-team',
        reviewBy: '2026-06-30',
      },
    }),
    result('oauth.token.client-credentials', 'Client credentials grant works', 'n/a', {
      requirements: ['RFC6749-4.4'],
      message: 'setting clientSecret missing (PLACEOS_CONFIDENTIAL_CLIENT_SECRET)',
    }),
    result('oauth.authorize.code', 'Authorize redirects with a code', 'error', {
      area: 'oauth.authorize',
      requirements: ['RFC6749-4.1.2'],
      message: 'socket hang up (ECONNRESET) after 3 attempts',
      exchanges: [{ ...exchanges(s)[1]!, status: undefined, responseHeaders: undefined, error: 'ECONNRESET' }],
    }),
    result('oauth.authorize.login-page', 'Login page is served', 'pass', {
      area: 'oauth.authorize',
      requirements: ['PLACEOS-DOC-LOGIN'],
      level: 'MAY',
      severity: 'low',
      tags: ['smoke', 'readonly'],
    }),
  ];
}

/** Runs jest (programmatically) on the fixtures with jest-junit writing <outDir>/junit.xml. */
export async function runFixtureJest(outDir: string): Promise<string> {
  const { runCLI } = await import('jest');
  const root = path.resolve(__dirname, '../..');
  const config = {
    rootDir: FIXTURES,
    roots: [FIXTURES],
    testMatch: ['**/*.fixture.ts'],
    testEnvironment: 'node',
    transform: {
      '^.+\\.ts$': [
        require.resolve('@swc/jest', { paths: [root] }),
        { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
      ],
    },
  };
  const reporters = [
    [
      require.resolve('jest-junit', { paths: [root] }),
      // The options of the run's own JUnit (runner/report/jest-junit.ts): the same writer, the same file.
      { ...JEST_JUNIT_OPTIONS, outputDirectory: outDir },
    ],
  ];
  const argv = {
    _: [],
    $0: 'jest',
    config: JSON.stringify(config),
    reporters,
    silent: true,
    ci: true,
    cache: false,
    watchman: false,
    runInBand: true,
  } as unknown as Parameters<typeof runCLI>[0];
  await runCLI(argv, [FIXTURES]);
  const junit = path.join(outDir, 'junit.xml');
  if (!fs.existsSync(junit)) throw new Error(`jest-junit did not write ${junit}`);
  return junit;
}
