// The HTTP client's wire details (helpers/http.ts): which failures may be retried, Retry-After,
// NO_PROXY matching, form encoding, and reading a body as bytes (bounded), text and JSON.
import type { IncomingMessage } from 'node:http';

/** Bodies larger than this are cut (the response is marked `truncated`), not buffered whole. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Retrying these is safe for any method: the request never reached the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN']);
/** Retried for idempotent methods only: the server may have acted on the request. */
const MAYBE_SENT = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'TIMEOUT']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export function retryable(code: string, method: string): boolean {
  return NOT_SENT.has(code) || (MAYBE_SENT.has(code) && IDEMPOTENT.has(method));
}

/** Retry-After in ms (seconds or an HTTP date), or undefined when absent/unparseable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

/** Is `host` (lower case, no brackets) excluded from the proxy by NO_PROXY entries? */
export function bypassProxy(host: string, port: string, noProxy: string[]): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  for (const raw of noProxy) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let name = entry;
    let entryPort: string | undefined;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.startsWith('[') ? entry.replace(/^\[([^\]]+)\](:\d+)?$/, '$1$2') : entry);
    if (m && !entry.includes('::')) {
      name = m[1]!;
      entryPort = m[2];
    }
    if (entryPort && entryPort !== port) continue;
    name = name.replace(/^\*?\./, '.');
    if (name.startsWith('.')) {
      if (h.endsWith(name) || h === name.slice(1)) return true;
    } else if (h === name || h.endsWith(`.${name}`)) {
      return true;
    }
  }
  return false;
}

export function encodeForm(form: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
}

export interface BodyResult {
  buf: Buffer;
  bytes: number;
  truncated?: boolean;
}

/** superagent parser: raw bytes whatever the content type, at most MAX_BODY_BYTES kept. */
export function rawBodyParser(res: IncomingMessage, cb: (err: Error | null, body: BodyResult) => void): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  let bytes = 0;
  let done = false;
  const finish = (truncated: boolean): void => {
    if (done) return;
    done = true;
    cb(null, { buf: Buffer.concat(chunks), bytes, truncated });
  };
  res.on('data', (chunk: Buffer | string) => {
    if (done) return;
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += b.length;
    if (kept + b.length > MAX_BODY_BYTES) {
      chunks.push(b.subarray(0, MAX_BODY_BYTES - kept));
      kept = MAX_BODY_BYTES;
      finish(true);
      // Stop reading: the rest of a huge body is not worth the wait.
      res.destroy();
      return;
    }
    chunks.push(b);
    kept += b.length;
  });
  res.on('end', () => finish(false));
}

export function decode(buf: Buffer, contentType: string | undefined): string {
  const charset = /charset=("?)([^";\s]+)\1/i.exec(contentType ?? '')?.[2]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    try {
      return new TextDecoder(charset).decode(buf);
    } catch {
      // unknown charset: fall back to UTF-8
    }
  }
  return buf.toString('utf8');
}

export function parseJson(text: string, contentType: string | undefined): unknown {
  const ct = (contentType ?? '').toLowerCase();
  const t = text.trim();
  const looksJson = /^[[{]/.test(t) || (/\bjson\b|\+json/.test(ct) && t.length > 0);
  if (!looksJson) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}
