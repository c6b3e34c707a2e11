// Small pure assertions for cases. Each throws ContractViolation(message, expected, actual) with a
// precise "expected X, got Y" message (in the spirit of oauth4webapi's errors). Messages carry
// statuses, header names, non-credential header values, error codes and lengths — never bodies,
// token values, cookie or authorization header values, or credential-bearing URL parameters.
import { ContractViolation } from './case';
import type { HttpResponse } from './http';
import type { Generation } from './model';
import { type SchemaCheck, type SchemaName, type SchemaRegistry } from './schemas';

/** Header values never printed (only their length). */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);
/** URL parameters whose values are never printed. */
export const SENSITIVE_PARAMS: ReadonlySet<string> = new Set([
  'code',
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'bearer_token',
  'api-key',
  'x-api-key',
  'password',
  'client_secret',
  'code_verifier',
]);

type Expected = number | readonly number[];
const statusList = (s: Expected): readonly number[] => (typeof s === 'number' ? [s] : s);
const orList = (items: readonly (string | number)[]) =>
  items.length <= 1 ? String(items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;

/** A header value as it may appear in a message. */
export function describeHeader(name: string, value: string | undefined): string {
  if (value === undefined) return `no "${name}" header`;
  if (SENSITIVE_HEADERS.has(name.toLowerCase())) return `"${name}" header (value hidden, length ${value.length})`;
  if (name.toLowerCase() === 'location') return `"${name}: ${describeUrl(value)}"`;
  return value.length <= 120 ? `"${name}: ${value}"` : `"${name}" header (length ${value.length})`;
}

/** A URL for a message: origin + path, parameter names, credential parameter values hidden. */
export function describeUrl(url: string | URL): string {
  let u: URL;
  const s = String(url);
  try {
    u = new URL(s, 'http://relative.invalid');
  } catch {
    return `an unparsable URL (length ${s.length})`;
  }
  const relative = !(url instanceof URL) && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s);
  const describeParams = (search: string) =>
    [...new URLSearchParams(search)]
      .map(([k, v]) => (SENSITIVE_PARAMS.has(k.toLowerCase()) ? `${k}=…` : v.length > 40 ? `${k}=…(${v.length})` : `${k}=${encodeURIComponent(v)}`))
      .join('&');
  const base = relative ? u.pathname : `${u.protocol}//${u.host}${u.pathname}`;
  const q = u.search ? `?${describeParams(u.search)}` : '';
  const f = u.hash ? `#${describeParams(u.hash.slice(1))}` : '';
  return `${base}${q}${f}`;
}

/** `error` code of a JSON body, when short and present: safe context for a status mismatch. */
function errorHint(res: HttpResponse): string {
  const body = res.json as Record<string, unknown> | undefined;
  const err = body && typeof body === 'object' && !Array.isArray(body) ? body.error : undefined;
  return typeof err === 'string' && err.length > 0 && err.length <= 40 ? ` (error "${err}")` : '';
}

export function expectStatus(res: HttpResponse, expected: Expected, label?: string): void {
  const list = statusList(expected);
  if (!list.includes(res.status)) {
    const what = label ? `${label}: ` : '';
    throw new ContractViolation(`${what}expected HTTP status ${orList(list)}, got ${res.status}${errorHint(res)}`, orList(list), String(res.status), {
      code: 'status',
      step: label,
    });
  }
}

export function expectSchema(registry: SchemaRegistry, name: SchemaName, value: unknown, generation: Generation): SchemaCheck {
  const check = registry.check(name, value, generation);
  if (!check.valid) {
    const shown = check.errors.slice(0, 5).join('; ');
    const more = check.errors.length > 5 ? `; and ${check.errors.length - 5} more` : '';
    throw new ContractViolation(
      `expected a body matching schema "${name}" (${generation}), got ${check.errors.length} problem${check.errors.length === 1 ? '' : 's'}: ${shown}${more}`,
      `schema ${name}`,
      check.errors.join('; '),
      { code: 'schema' },
    );
  }
  return check;
}

/** Content-Type application/json (or a +json media type), any parameters. */
export function expectJsonContentType(res: HttpResponse): void {
  const value = res.header('content-type');
  const media = value?.split(';')[0]?.trim().toLowerCase();
  if (!media || !(media === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(media))) {
    throw new ContractViolation(
      `expected Content-Type application/json, got ${value === undefined ? 'no Content-Type header' : `"${value}"`}`,
      'application/json',
      value ?? 'absent',
      { code: 'content-type' },
    );
  }
}

function resolvedLocation(res: HttpResponse): URL | undefined {
  if (res.location) return res.location;
  const raw = res.header('location');
  if (raw === undefined) return undefined;
  try {
    return new URL(raw, res.url);
  } catch {
    return undefined;
  }
}

/** Not a 3xx whose Location starts with `badUri` (raw or resolved, with the URI normalised). */
export function expectNoRedirectTo(res: HttpResponse, badUri: string): void {
  if (res.status < 300 || res.status > 399) return;
  const raw = res.header('location');
  const resolved = resolvedLocation(res);
  let normalisedBad = badUri;
  try {
    normalisedBad = new URL(badUri).href;
  } catch {
    /* keep as given */
  }
  const hits = (candidate: string | undefined) => candidate !== undefined && (candidate.startsWith(badUri) || candidate.startsWith(normalisedBad));
  if (hits(raw) || hits(resolved?.href)) {
    throw new ContractViolation(
      `expected no redirect to the unregistered URI ${describeUrl(badUri)}, got ${res.status} to ${describeUrl(resolved ?? raw ?? '')}`,
      `no redirect to ${describeUrl(badUri)}`,
      `${res.status} redirect to it`,
      { code: 'redirect' },
    );
  }
}

/** The rule holds, or the case fails saying what was expected and what came instead. */
export function ensure(cond: unknown, message: string, expected?: string, actual?: string, where?: { code?: string; step?: string }): asserts cond {
  if (!cond) throw new ContractViolation(message, expected, actual, where);
}
