// Every secret the run knows or receives is registered here as it appears, masked in all output,
// and fingerprinted (never stored in clear on disk) so artifacts can be scanned after the run.
import { createHash } from 'node:crypto';

export type SecretKind =
  | 'password'
  | 'client_secret'
  | 'api_key'
  | 'access_token'
  | 'refresh_token'
  | 'code'
  | 'code_verifier'
  | 'cookie'
  | 'id_token'
  | 'other';

export const SECRET_KINDS: readonly SecretKind[] = [
  'password',
  'client_secret',
  'api_key',
  'access_token',
  'refresh_token',
  'code',
  'code_verifier',
  'cookie',
  'id_token',
  'other',
];

export interface SecretRegistry {
  /**
   * Register a secret (ignores empty/short values below 6 chars, which cannot be masked safely).
   * `source`: how a shell gets the value, as an expansion to put inside double quotes
   * (`$PLACEOS_USER_PASSWORD`, `${PLACEOS_API_KEY#*.}`); absent for what the run mints.
   */
  add(value: string | undefined, kind: SecretKind, source?: string): void;
  /**
   * Replace every registered secret (also URL-encoded forms) with `[REDACTED:<kind>#<n>]`: the
   * same label for the same value wherever it recurs in the run, so replays and reuse show.
   */
  mask(text: string): string;
  /** The shell source of a registered value (see add), if it has one. */
  sourceOf(value: string): string | undefined;
}

/** A run's registry: what a case's own registry (createSecretRegistry({ parent })) numbers its labels by. */
export interface RunSecretRegistry extends SecretRegistry {
  fingerprints(): SecretFingerprint[];
  kinds(): Record<SecretKind, number>;
  /** `code#1`: the label of a registered value, or undefined. */
  labelOf(value: string): string | undefined;
  /** Label (`password#1`) → shell source, for the labels whose value came from a setting. */
  sources(): Record<string, string>;
  /** How many distinct values (not forms) are registered. */
  readonly size: number;
}

/** `[REDACTED:code#1]` → kind `code`, label `code#1`. */
export const REDACTED_LABEL = /\[REDACTED:([a-z_]+)#(\d+)\]/g;

/**
 * What the scanner needs to find a secret without knowing it: its UTF-8 byte length, the SHA-256
 * of its UTF-8 bytes (hex) and a Rabin-Karp hash (decimal string) of its first `window` bytes
 * (`window` = min(length, ROLLING_WINDOW)). Safe to keep on disk or hand to another process: the
 * rolling hash is 32 bits of a window of up to 16 bytes, far too many preimages to recover anything.
 */
export interface SecretFingerprint {
  length: number;
  sha256: string;
  kind: SecretKind;
  rolling: string;
  /** Bytes covered by `rolling` (a prefix of the secret); absent = the whole length. */
  window?: number;
}

/** The shortest secret that is registered; shorter values would mask ordinary words. */
export const MIN_SECRET_LENGTH = 6;

// Rabin-Karp over bytes with modulus 2^32 and an odd prime base below 2^20: an int32 times the base
// stays below 2^52, so `(h * BASE) | 0` is the exact product mod 2^32 without Math.imul (which is
// ~50x slower inside jest's vm context). A few MB against ~100 secrets scans in well under a second.
// Secrets longer than ROLLING_WINDOW are hashed on their first ROLLING_WINDOW bytes, so the scan
// slides at most one window per distinct length below that (plus one) instead of one per length.
export const ROLLING_WINDOW = 16;
const ROLLING_BASE = 1000003;

function rollingHash(bytes: Uint8Array, start: number, length: number): number {
  let h = 0;
  for (let i = start; i < start + length; i++) h = (h * ROLLING_BASE + bytes[i]!) | 0;
  return h >>> 0;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * The forms a secret can take in our artifacts: as is, URL-encoded (path/query), form-encoded
 * (`+` for space), JSON-string-escaped, XML-escaped (JUnit, HTML) and XML-escaped URL forms.
 * A JWT is base64url and dots: every encoding leaves it unchanged, so it has one form.
 */
export function secretForms(value: string): string[] {
  if (JWT_SHAPE.test(value)) return [value];
  const forms = new Set<string>([value]);
  const uri = encodeURIComponent(value);
  const formEncoded = new URLSearchParams([['', value]]).toString().slice(1);
  const jsonEscaped = JSON.stringify(value).slice(1, -1);
  for (const f of [uri, formEncoded, jsonEscaped]) forms.add(f);
  for (const f of [...forms]) forms.add(xmlEscape(f));
  // HTML-ish escaping some writers use for quotes.
  forms.add(value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'));
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Entry {
  kind: SecretKind;
  label: string;
  source?: string;
}

/**
 * The run's registry, or (with `parent`) a case's own: it masks only what the case met (fast
 * however many tokens the run mints), registers everything with the parent too and takes the
 * parent's labels, so a value has one label in the whole run.
 */
export function createSecretRegistry(o: { parent?: RunSecretRegistry } = {}): RunSecretRegistry {
  const { parent } = o;
  /** form -> the entry of the value it is a form of (first registration wins). */
  const forms = new Map<string, Entry>();
  /** registered values -> their entry. */
  const values = new Map<string, Entry>();
  const counters = new Map<SecretKind, number>();
  let pattern: RegExp | undefined;
  let fingerprintCache: SecretFingerprint[] | undefined;

  function invalidate(): void {
    pattern = undefined;
    fingerprintCache = undefined;
  }

  function newLabel(kind: SecretKind): string {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return `${kind}#${n}`;
  }

  return {
    add(value, kind, source) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
      parent?.add(value, kind, source);
      const known = values.get(value);
      if (known) {
        if (source && !known.source) known.source = source;
        return;
      }
      const entry: Entry = { kind, label: parent?.labelOf(value) ?? newLabel(kind) };
      const src = source ?? parent?.sourceOf(value);
      if (src) entry.source = src;
      values.set(value, entry);
      for (const f of secretForms(value)) {
        if (!forms.has(f)) {
          forms.set(f, entry);
          invalidate();
        }
      }
    },
    mask(text) {
      if (typeof text !== 'string' || forms.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
      if (!pattern) {
        // Longest first: a secret that contains another must be replaced as a whole.
        const sorted = [...forms.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
        pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
      }
      pattern.lastIndex = 0;
      return text.replace(pattern, (m) => `[REDACTED:${forms.get(m)?.label ?? 'other'}]`);
    },
    sourceOf(value) {
      return values.get(value)?.source ?? parent?.sourceOf(value);
    },
    labelOf(value) {
      return values.get(value)?.label;
    },
    sources() {
      if (parent) return parent.sources();
      const out: Record<string, string> = {};
      for (const e of values.values()) if (e.source) out[e.label] = e.source;
      return out;
    },
    fingerprints() {
      if (!fingerprintCache) {
        fingerprintCache = [...forms.entries()].map(([form, { kind }]) => {
          const bytes = Buffer.from(form, 'utf8');
          const window = Math.min(bytes.length, ROLLING_WINDOW);
          return { length: bytes.length, sha256: sha256Hex(bytes), kind, rolling: String(rollingHash(bytes, 0, window)), window };
        });
      }
      return fingerprintCache.map((f) => ({ ...f }));
    },
    kinds() {
      const out = Object.fromEntries(SECRET_KINDS.map((k) => [k, 0])) as Record<SecretKind, number>;
      for (const { kind } of values.values()) out[kind] += 1;
      return out;
    },
    get size() {
      return values.size;
    },
  };
}

interface ScanTable {
  filter: Uint32Array;
  byHash: Map<number, SecretFingerprint[]>;
}

/** Lookup tables per fingerprint list, built once however many files one list scans. */
const TABLES = new WeakMap<SecretFingerprint[], Map<number, ScanTable>>();

function scanTables(fingerprints: SecretFingerprint[]): Map<number, ScanTable> {
  const cached = TABLES.get(fingerprints);
  if (cached) return cached;
  const byWindow = new Map<number, ScanTable>();
  for (const f of fingerprints) {
    const window = f.window ?? f.length;
    if (!(window > 0) || !(f.length >= window)) continue;
    let table = byWindow.get(window);
    if (!table) byWindow.set(window, (table = { filter: new Uint32Array(1 << 16), byHash: new Map() }));
    const h = Number(f.rolling) >>> 0;
    table.filter[h >>> 16]! |= 1 << (h & 31);
    const list = table.byHash.get(h);
    if (list) list.push(f);
    else table.byHash.set(h, [f]);
  }
  TABLES.set(fingerprints, byWindow);
  return byWindow;
}

/**
 * Finds fingerprinted secrets in `text` (a string is scanned as its UTF-8 bytes; offsets are byte
 * offsets). One sliding window per distinct fingerprint window; a rolling-hash hit passes a bitmap
 * filter, then a map, and is confirmed by SHA-256 of the full length before it is reported. Never
 * returns the secret itself. Hits of several forms of one secret are all reported.
 */
export function scanForSecrets(text: string | Buffer, fingerprints: SecretFingerprint[]): { kind: SecretKind; offset: number }[] {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const n = bytes.length;
  const byWindow = scanTables(fingerprints);
  const hits: { kind: SecretKind; offset: number }[] = [];
  for (const [w, { filter, byHash }] of byWindow) {
    if (w > n) continue;
    // BASE^(w-1) mod 2^32: the weight of the byte leaving the window.
    let out = 1;
    for (let i = 1; i < w; i++) out = (out * ROLLING_BASE) | 0;
    let h = 0;
    for (let i = 0; i < w; i++) h = (h * ROLLING_BASE + bytes[i]!) | 0;
    for (let start = 0; ; start++) {
      const u = h >>> 0;
      if ((filter[u >>> 16]! & (1 << (u & 31))) !== 0) {
        const candidates = byHash.get(u);
        if (candidates) confirm(candidates, start);
      }
      const next = start + w;
      if (next >= n) break;
      h = (((h - bytes[start]! * out) | 0) * ROLLING_BASE + bytes[next]!) | 0;
    }
  }
  function confirm(candidates: SecretFingerprint[], start: number): void {
    const digests = new Map<number, string>();
    for (const c of candidates) {
      if (start + c.length > n) continue;
      let d = digests.get(c.length);
      if (d === undefined) digests.set(c.length, (d = sha256Hex(bytes.subarray(start, start + c.length))));
      if (d === c.sha256) hits.push({ kind: c.kind, offset: start });
    }
  }
  return hits.sort((a, b) => a.offset - b.offset);
}
