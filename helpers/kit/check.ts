// The assertions rows use. One verb, `ensure(cond, message, expected, actual, where?)`: when the
// rule does not hold the case fails with a ContractViolation (error code ERR_CONTRACT_VIOLATION)
// whose `observation` {code, step, expected, actual} the ledger matches. `precondition` and
// `setup` mark what the check builds on (verdict `error`, never a ledger deviation). Pure
// functions of a response; none puts a secret value in a message.
import type { CaseContext } from '../case';
import { ContractViolation, isContractViolation, PreconditionFailed, setup } from '../case';
import type { HttpResponse } from '../http';
import type { SchemaName } from '../schemas';
import { ensure, expectJsonContentType as assertJsonContentType, expectNoRedirectTo, expectSchema as assertSchema, expectStatus } from '../assert';

export { ensure, expectNoRedirectTo, expectStatus, setup };

/** ensure(false, …): for a branch that is a failure in itself. */
export function fail(message: string, expected?: string, actual?: string): never {
  throw new ContractViolation(message, expected, actual);
}

/**
 * A condition the check builds on (a control, a setup step's status): when it does not hold the
 * check could not be made, so the verdict is `error` (PreconditionFailed), never a ledger `deviation`.
 */
export function precondition(ok: unknown, step: string, message: string, expected?: string, actual?: string): asserts ok {
  if (ok) return;
  const detail = expected !== undefined || actual !== undefined ? `: expected ${expected ?? '?'}, got ${actual ?? '?'}` : '';
  throw new PreconditionFailed(`${step} failed, so the check could not be made: ${message}${detail}`);
}

export function bodyError(res: HttpResponse): string {
  const b = res.json as { error?: unknown } | undefined;
  return b && typeof b === 'object' && typeof b.error === 'string' ? ` (error "${b.error}")` : '';
}

/** Validates `value` against a schema of helpers/schemas (with the generation's overlay); extras are reported as a finding. */
export function expectSchema(t: CaseContext, name: SchemaName, value: unknown, step: string): void {
  let r;
  try {
    r = assertSchema(t.schemas, name, value, t.generation);
  } catch (e) {
    if (isContractViolation(e)) throw new ContractViolation(`${step}: ${e.message}`, e.expected, e.actual, { ...e.where, step });
    throw e;
  }
  if (r.extras.length) t.finding(`EXTRA-MEMBERS-${name.toUpperCase()}`, `${step}: members the contract does not define: ${r.extras.join(', ')}`);
}

export function expectJsonContentType(res: HttpResponse, step: string): void {
  try {
    assertJsonContentType(res);
  } catch (e) {
    if (isContractViolation(e)) throw new ContractViolation(`${step}: ${e.message}`, e.expected, e.actual, { ...e.where, step });
    throw e;
  }
}

/** RFC 6749 §5.1: token responses are not cached. */
export function expectNoStore(res: HttpResponse, step: string): void {
  const cc = res.header('cache-control') ?? '';
  ensure(/(^|[\s,])no-store([\s,]|$)/i.test(cc), `${step}: Cache-Control lacks no-store`, 'Cache-Control: no-store', cc || '(none)');
  const pragma = res.header('pragma') ?? '';
  ensure(/no-cache/i.test(pragma), `${step}: Pragma lacks no-cache`, 'Pragma: no-cache', pragma || '(none)');
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
  ensure(matches, `${step}: unexpected answer`, want, `${res.status}${bodyError(res)}`);
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
    ensure(ok, `${step}: unexpected rest-api error message`, JSON.stringify(String(message)), JSON.stringify(got));
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
