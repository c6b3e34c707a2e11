// Small assertions shared by the contract areas (password-grant, signin-session,
// authorization-code, token-use, inspect, lifecycle, sso). Each throws a ContractViolation that
// says what was expected and what came; none puts a secret value in its message (the engine
// masks registered secrets as well). Pure functions of a response: no state.
import type { CaseContext } from '../../helpers/case';
import { ContractViolation } from '../../helpers/case';
import type { HttpResponse } from '../../helpers/http';
import type { SchemaName } from '../../helpers/schemas';
import { expectJsonContentType as assertJsonContentType, expectSchema as assertSchema, expectStatus } from '../../helpers/assert';

import { ensure as must } from '../../helpers/assert';

export { must };

export function bodyError(res: HttpResponse): string {
  const b = res.json as { error?: unknown } | undefined;
  return b && typeof b === 'object' && typeof b.error === 'string' ? ` (error "${b.error}")` : '';
}

export { expectStatus };

/** Validates `value` against a schema of helpers/schemas (with the generation's overlay); extras are reported as a finding. */
export function expectSchema(t: CaseContext, name: SchemaName, value: unknown, step: string): void {
  let r;
  try {
    r = assertSchema(t.schemas, name, value, t.generation);
  } catch (e) {
    if (e instanceof ContractViolation) throw new ContractViolation(`${step}: ${e.message}`, e.expected, e.actual, { ...e.where, step });
    throw e;
  }
  if (r.extras.length) t.finding(`EXTRA-MEMBERS-${name.toUpperCase()}`, `${step}: members the contract does not define: ${r.extras.join(', ')}`);
}

export function expectJsonContentType(res: HttpResponse, step: string): void {
  try {
    assertJsonContentType(res);
  } catch (e) {
    if (e instanceof ContractViolation) throw new ContractViolation(`${step}: ${e.message}`, e.expected, e.actual, { ...e.where, step });
    throw e;
  }
}

/** RFC 6749 §5.1: token responses are not cached. */
export function expectNoStore(res: HttpResponse, step: string): void {
  const cc = res.header('cache-control') ?? '';
  must(/(^|[\s,])no-store([\s,]|$)/i.test(cc), `${step}: Cache-Control lacks no-store`, 'Cache-Control: no-store', cc || '(none)');
  const pragma = res.header('pragma') ?? '';
  must(/no-cache/i.test(pragma), `${step}: Pragma lacks no-cache`, 'Pragma: no-cache', pragma || '(none)');
}

export interface OAuthErrorExpectation {
  status: number;
  error?: string;
}

/** An OAuth error response (contract §4.2): status, JSON, schema oauth-error, and the error code when the contract names one. */
export function expectOAuthError(t: CaseContext, res: HttpResponse, exp: OAuthErrorExpectation | readonly OAuthErrorExpectation[], step: string): void {
  const list = Array.isArray(exp) ? (exp as readonly OAuthErrorExpectation[]) : [exp as OAuthErrorExpectation];
  const body = res.json as { error?: unknown } | undefined;
  const matches = list.some((e) => e.status === res.status && (e.error === undefined || body?.error === e.error));
  const want = list.map((e) => `${e.status}${e.error ? ` ${e.error}` : ''}`).join(' or ');
  must(matches, `${step}: unexpected answer`, want, `${res.status}${bodyError(res)}`);
  expectJsonContentType(res, step);
  expectSchema(t, 'oauth-error', res.json, step);
}

/** rest-api refusal (contract §3.14, §4.8): 401 {"error": string}, optionally with a given message. */
export function expectRestApi401(t: CaseContext, res: HttpResponse, step: string, message?: string | RegExp): void {
  expectStatus(res, 401, step);
  expectSchema(t, 'rest-api-error-401', res.json, step);
  if (message !== undefined) {
    const got = (res.json as { error: string }).error;
    const ok = typeof message === 'string' ? got === message : message.test(got);
    must(ok, `${step}: unexpected rest-api error message`, JSON.stringify(String(message)), JSON.stringify(got));
  }
}

/** Set-Cookie values by cookie name (the last one wins), with their attributes as lower-case names. */
export interface SetCookie {
  name: string;
  value: string;
  attrs: Map<string, string>;
}

export function parseSetCookies(res: HttpResponse): SetCookie[] {
  return res.setCookie.map((line) => {
    const [pair = '', ...rest] = line.split(';');
    const i = pair.indexOf('=');
    const attrs = new Map<string, string>();
    for (const a of rest) {
      const j = a.indexOf('=');
      const k = (j < 0 ? a : a.slice(0, j)).trim().toLowerCase();
      if (k) attrs.set(k, j < 0 ? '' : a.slice(j + 1).trim());
    }
    return { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim(), attrs };
  });
}

/** A Set-Cookie that deletes its cookie (empty value, Max-Age<=0 or an Expires in the past). */
export function isDeletion(c: SetCookie): boolean {
  const maxAge = c.attrs.get('max-age');
  const expires = c.attrs.get('expires');
  return c.value === '' || (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) < Date.now());
}

/** Same members, in any order. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** The host of the deployment URL: what `aud` must be (the authority domain). */
export function authorityHost(url: string): string {
  return new URL(url).hostname.toLowerCase();
}
