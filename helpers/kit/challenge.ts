// WWW-Authenticate (RFC 9110 §11.6.1, RFC 6750 §3): the one challenge parser of the suite, and the
// assertion on a challenge. Contract and security rows both read challenges through here.
import { ContractViolation } from '../case';
import type { HttpResponse } from '../http';

export interface Challenge {
  /** As sent (compare case-insensitively). */
  scheme: string;
  /** auth-params, names lower-cased; a repeated name keeps every value. */
  params: Record<string, string[]>;
  token68?: string;
}

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const PARAM_RE = new RegExp(`^(${TOKEN})[ \\t]*=[ \\t]*("(?:[^"\\\\]|\\\\.)*"|${TOKEN})$`);
const SCHEME_REST_RE = new RegExp(`^(${TOKEN})[ \\t]+(.+)$`);
const SCHEME_RE = new RegExp(`^(${TOKEN})$`);

/** Splits on commas outside quoted strings. */
function splitTopLevel(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === '\\' && i + 1 < value.length) {
      cur += c + value[i + 1];
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out.filter((s) => s.length > 0);
}

const unquote = (v: string) => (v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

/** Parses a WWW-Authenticate value; several challenges may be comma-joined (RFC 9110 §11.6.1). */
export function parseWwwAuthenticate(value: string): Challenge[] {
  const challenges: Challenge[] = [];
  let current: Challenge | undefined;
  const addParam = (c: Challenge, name: string, v: string) => {
    (c.params[name.toLowerCase()] ??= []).push(unquote(v));
  };
  for (const part of splitTopLevel(value)) {
    const param = PARAM_RE.exec(part);
    if (param && current) {
      addParam(current, param[1]!, param[2]!);
      continue;
    }
    const withRest = SCHEME_REST_RE.exec(part);
    if (withRest) {
      current = { scheme: withRest[1]!, params: {} };
      challenges.push(current);
      const rest = withRest[2]!.trim();
      const first = PARAM_RE.exec(rest);
      if (first) addParam(current, first[1]!, first[2]!);
      else current.token68 = rest;
      continue;
    }
    if (SCHEME_RE.test(part)) {
      current = { scheme: part, params: {} };
      challenges.push(current);
    }
    // anything else is malformed and ignored
  }
  return challenges;
}

export interface WwwAuthenticateExpectation {
  scheme: 'Bearer' | 'Basic' | string;
  /** string: this error code; null: the challenge must carry no error (RFC 6750 §3.1, no credentials); undefined: not checked. */
  error?: string | null;
}

export function expectWwwAuthenticate(res: HttpResponse, expected: WwwAuthenticateExpectation): Challenge {
  const value = res.header('www-authenticate');
  if (value === undefined) {
    throw new ContractViolation(
      `expected a WWW-Authenticate ${expected.scheme} challenge on ${res.status}, got no WWW-Authenticate header`,
      expected.scheme,
      'absent',
      { code: 'www-authenticate.scheme' },
    );
  }
  const challenges = parseWwwAuthenticate(value);
  const challenge = challenges.find((c) => c.scheme.toLowerCase() === expected.scheme.toLowerCase());
  if (!challenge) {
    const schemes = challenges.map((c) => c.scheme).join(', ') || 'none parsable';
    throw new ContractViolation(`expected a WWW-Authenticate ${expected.scheme} challenge, got ${schemes}`, expected.scheme, schemes, {
      code: 'www-authenticate.scheme',
    });
  }
  const repeated = Object.entries(challenge.params)
    .filter(([, v]) => v.length > 1)
    .map(([k]) => k);
  if (repeated.length > 0) {
    throw new ContractViolation(
      `expected each ${expected.scheme} challenge attribute at most once (RFC 6750 §3), got ${repeated.map((k) => `"${k}"`).join(', ')} repeated`,
      'no repeated attribute',
      repeated.join(', '),
      { code: 'www-authenticate.repeated' },
    );
  }
  const error = challenge.params.error?.[0];
  if (expected.error === null && error !== undefined) {
    throw new ContractViolation(`expected a ${expected.scheme} challenge without an error attribute, got error="${error}"`, 'no error', error, {
      code: 'www-authenticate.error',
    });
  }
  if (typeof expected.error === 'string' && error !== expected.error) {
    throw new ContractViolation(
      `expected a ${expected.scheme} challenge with error="${expected.error}", got ${error === undefined ? 'no error attribute' : `error="${error}"`}`,
      expected.error,
      error ?? 'absent',
      { code: 'www-authenticate.error' },
    );
  }
  return challenge;
}

/** The challenges of a response (none when it has no WWW-Authenticate header). */
export function challengesOf(res: HttpResponse): Challenge[] {
  const value = res.header('www-authenticate');
  return value === undefined ? [] : parseWwwAuthenticate(value);
}

/** The first challenge of this scheme (compared case-insensitively), if any. */
export function findChallenge(res: HttpResponse, scheme: string): Challenge | undefined {
  return challengesOf(res).find((c) => c.scheme.toLowerCase() === scheme.toLowerCase());
}

/** The first value of an auth-param (names are lower-case), if present. */
export function challengeParam(c: Challenge, name: string): string | undefined {
  return c.params[name.toLowerCase()]?.[0];
}
