// The SSO journey through an identity provider's pages (helpers/sso.ts), against a small local
// server that plays the deployment and an IdP with different login pages: a plain form is filled
// with the test account, anything else (a script-driven page, no account configured) is `n/a`,
// never a failure, and the password never reaches the recorded evidence.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContractViolation, NotApplicable, type CaseContext } from '../../helpers/case';
import { createHttpClient } from '../../helpers/http';
import type { Exchange } from '../../helpers/model';
import { createSecretRegistry } from '../../helpers/secrets';
import { findLoginForm, ssoToCallback } from '../../helpers/sso';
import { parseSettings } from '../../helpers/config';

const PASSWORD = 'Idp-Password-+/=-0123456789';
const FORM = (uid: string) => `<html><body><form method="post" action="/idp/login"><input type="hidden" name="csrf" value="${uid}">
<input type="email" name="username"><input type="password" name="pw"><button>Go</button></form></body></html>`;
const SCRIPT_PAGE = '<html><body><div id="app"></div><script src="/app.js"></script></body></html>';

let server: http.Server;
let base = '';
let loginPage = FORM('tok-1');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', base);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (u.pathname === '/auth/oauth2')
        return void res
          .writeHead(302, { Location: `${base}/idp/authorize?state=s-123456789&redirect_uri=${encodeURIComponent(`${base}/auth/oauth2/callback`)}` })
          .end();
      if (u.pathname === '/idp/authorize') return void res.writeHead(302, { Location: '/idp/login' }).end();
      if (u.pathname === '/idp/login' && req.method === 'GET') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(loginPage);
      if (u.pathname === '/idp/login' && req.method === 'POST') {
        const f = new URLSearchParams(body);
        if (f.get('csrf') === 'tok-1' && f.get('username') === 'sso@example.com' && f.get('pw') === PASSWORD) {
          return void res.writeHead(302, { Location: `${base}/auth/oauth2/callback?code=c-0123456789abcdef&state=s-123456789` }).end();
        }
        return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(FORM('tok-1'));
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function context(account?: { username: string; password: string }): { t: CaseContext; exchanges: Exchange[] } {
  const settings = parseSettings({
    PLACEOS_URL: base,
    PLACEOS_SSO_ID: 'oauth_strat-1',
    ...(account ? { PLACEOS_SSO_USERNAME: account.username, PLACEOS_SSO_PASSWORD: account.password } : {}),
  });
  const secrets = createSecretRegistry();
  const exchanges: Exchange[] = [];
  const t = {
    settings,
    secrets,
    client: (journey = 'main') => createHttpClient({ baseUrl: base, settings, journey, secrets, onExchange: (e) => exchanges.push(e) }),
    notApplicable: (reason: string): never => {
      throw new NotApplicable(reason);
    },
  } as unknown as CaseContext;
  return { t, exchanges };
}

test('findLoginForm reads the action, method, hidden fields and the user and password fields', () => {
  const form = findLoginForm(FORM('abc'), 'https://idp.example/login?x=1');
  expect(form).toEqual({
    action: new URL('https://idp.example/idp/login'),
    method: 'POST',
    hidden: [['csrf', 'abc']],
    userField: 'username',
    passwordField: 'pw',
  });
  expect(findLoginForm(SCRIPT_PAGE, 'https://idp.example/')).toBeUndefined();
});

test('a plain login form is filled with the test account and the journey stops at the callback; the password is not in the evidence', async () => {
  loginPage = FORM('tok-1');
  const { t, exchanges } = context({ username: 'sso@example.com', password: PASSWORD });
  const { callback, state } = await ssoToCallback(t, t.client());
  expect(callback.pathname).toBe('/auth/oauth2/callback');
  expect(callback.searchParams.get('code')).toBe('c-0123456789abcdef');
  expect(state).toBe('s-123456789');
  expect(exchanges.some((e) => e.method === 'POST' && e.url.endsWith('/idp/login'))).toBe(true);
  const recorded = JSON.stringify(exchanges);
  expect(recorded).not.toContain(PASSWORD);
  expect(recorded).not.toContain(encodeURIComponent(PASSWORD));
});

test('without the test account, the login page makes the full login n/a (never a failure)', async () => {
  loginPage = FORM('tok-1');
  const { t } = context();
  await expect(ssoToCallback(t, t.client())).rejects.toThrow(NotApplicable);
  await expect(ssoToCallback(t, t.client())).rejects.toThrow(/PLACEOS_SSO_USERNAME and PLACEOS_SSO_PASSWORD/);
});

test('a script-driven login page the run cannot fill is n/a, saying so', async () => {
  loginPage = SCRIPT_PAGE;
  const { t } = context({ username: 'sso@example.com', password: PASSWORD });
  await expect(ssoToCallback(t, t.client())).rejects.toThrow(/without a plain form.*cannot complete/);
});

test('a refused test account is a violation naming the settings (the check becomes an error, not a pass)', async () => {
  loginPage = FORM('tok-1');
  const { t } = context({ username: 'sso@example.com', password: `${PASSWORD}-wrong` });
  const err = await ssoToCallback(t, t.client()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ContractViolation);
  expect((err as Error).message).toMatch(/did not accept PLACEOS_SSO_USERNAME \/ PLACEOS_SSO_PASSWORD/);
});

test('PLACEOS_SSO_USERNAME and PLACEOS_SSO_PASSWORD go together and need PLACEOS_SSO_ID', () => {
  expect(() => parseSettings({ PLACEOS_URL: base, PLACEOS_SSO_ID: 'x', PLACEOS_SSO_USERNAME: 'a@example.com' })).toThrow(/PLACEOS_SSO_PASSWORD: .*go together/);
  expect(() => parseSettings({ PLACEOS_URL: base, PLACEOS_SSO_USERNAME: 'a@example.com', PLACEOS_SSO_PASSWORD: PASSWORD })).toThrow(/needs PLACEOS_SSO_ID/);
  expect(
    parseSettings({ PLACEOS_URL: base, PLACEOS_SSO_ID: 'x', PLACEOS_SSO_USERNAME: 'a@example.com', PLACEOS_SSO_PASSWORD: PASSWORD }).ssoAccount?.username,
  ).toBe('a@example.com');
});
