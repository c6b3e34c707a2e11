// Small text helpers for settings messages: values are echoed shortened and without credentials.
import { readFileSync } from 'node:fs';

/** Base URL with credentials, query and fragment removed: safe to print. */
export function stripUrl(value: string): string {
  try {
    const u = new URL(value);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return value;
  }
}

/**
 * A URL as given, to show which part is wrong: the path, and the names in a query or fragment,
 * stay; credentials (user-info) go, and so do the values in a query or fragment (`?token=…`: a
 * value there may be a secret), as does a long bare part. Shortened.
 */
export function echoUrl(value: string): string {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f]/g;
  const hide = (part: string) =>
    part
      .split('&')
      .map((p) => (p.includes('=') ? `${p.slice(0, p.indexOf('='))}=…` : p.length > 12 ? '…' : p))
      .join('&');
  const v = value
    .trim()
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s?#]*@/i, '$1')
    .replace(/([?#])([^?#]*)/g, (_m, mark: string, part: string) => mark + hide(part))
    .replace(control, '?');
  return v.length > 100 ? `${v.slice(0, 97)}...` : v;
}

/** A value that may be a URL, shortened and without anything that looks like credentials. */
export function safeEcho(value: string): string {
  let v = value.trim();
  try {
    const u = new URL(v);
    if (u.username || u.password || u.search || u.hash) {
      u.username = '';
      u.password = '';
      u.search = '';
      u.hash = '';
      v = u.toString();
    }
  } catch {
    // userinfo-looking part of a non-URL: `scheme://user:pass@host` that URL() rejected
    v = v.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@\s]*@/i, '$1').replace(/[?#].*$/, '');
  }
  // eslint-disable-next-line no-control-regex
  v = v.replace(/[\u0000-\u001f\u007f]/g, '?');
  return v.length > 60 ? `${v.slice(0, 57)}...` : v;
}

function levenshtein(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest of `candidates` to `name`, when it is close enough to be a likely typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name.toUpperCase(), c.toUpperCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

export function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 120);
}

/** Why a file could not be read, in a few words. */
export function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : oneLine(e);
}

/** The text of a file named by a setting, or a problem naming the setting. */
export function readText(variable: string, path: string, what: string, problem: (v: string, p: string) => void): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    problem(variable, `expected a readable file with ${what}, cannot read '${path}' (${readFailure(e)})`);
    return undefined;
  }
}
