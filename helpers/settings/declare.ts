// How a setting is declared: its name, the JSON Schema ajv validates it against, its default,
// what it expects (for error messages) and one doc line (for --help, env/*.env.example and
// docs/settings.md). The constructors below cover the usual shapes.
import type { SchemaObject } from 'ajv';

export const GROUPS = {
  deployment: 'The deployment',
  publicApp: 'The public app (backoffice-like, password grant and code flow)',
  confidentialApp: 'A confidential app (client secret; client_credentials, Basic auth)',
  scopedApp: 'An app with extra scopes',
  accounts: 'Accounts',
  keys: 'API keys, tokens and keys',
  network: 'TLS and proxy',
  limits: 'Limits and timing',
  run: 'The run',
  reports: 'Reports',
  reference: 'The embedded reference target',
} as const;
export type Group = keyof typeof GROUPS;

/** One setting. `T` is its parsed type; `D` says whether it always has a value (a default). */
export interface Setting<T = unknown, D extends boolean = boolean> {
  name: string;
  group: Group;
  /** One line for --help, the env examples and the docs' table. */
  doc: string;
  /** JSON Schema of the value `input` gives (a string, or a number for whole numbers). */
  schema: SchemaObject;
  /** What a valid value looks like: errors read "expected <expects>, got ...". */
  expects: string;
  /** The value ajv validates, from the raw string (trimmed unless secret). */
  input: (raw: string) => unknown;
  /** The parsed value, from a validated input. */
  output: (valid: unknown) => T;
  default?: T;
  hasDefault: D;
  /** Shown in the env examples (a placeholder, never a real secret). */
  example?: string;
  /** Never echoed in messages (described by `describe`, or by its length). */
  secret?: boolean;
  /** Used exactly as given (passwords, client secrets): leading and trailing spaces are kept. */
  keepSpaces?: boolean;
  /** How a rejected value is described in messages (default: the value, shortened and without credentials). */
  describe?: (raw: string) => string;
  /** A rule beyond the schema, on the value the schema accepted; returns the problem text. */
  check?: (raw: string) => string | undefined;
  /** Something worth a warning on every run (never secret). */
  warn?: (raw: string) => string | undefined;
  /** Candidates for "did you mean" when the value is rejected. */
  suggest?: readonly string[];
  /** Other names for the same setting: setting both to different values is an error. */
  aliases?: readonly string[];
  /** Names read in this order when the setting itself is unset (proxy conventions). */
  fallbacks?: readonly string[];
  /** Applies to the embedded reference target too (which otherwise configures the run itself). */
  alsoEmbedded?: boolean;
}

interface Common<T = string> {
  name: string;
  group: Group;
  doc: string;
  example?: string;
  check?: (raw: string) => string | undefined;
  warn?: (raw: string) => string | undefined;
  output?: (valid: unknown) => T;
  aliases?: readonly string[];
  fallbacks?: readonly string[];
  alsoEmbedded?: boolean;
}

const asString = (v: unknown): string => v as string;

/** A string, optionally constrained by a pattern or a format. */
export function text(
  o: Common<string> & {
    expects: string;
    pattern?: string;
    format?: string;
    secret?: boolean;
    keepSpaces?: boolean;
    minLength?: number;
    describe?: (raw: string) => string;
  },
): Setting<string, false> {
  const schema: SchemaObject = { type: 'string' };
  if (o.pattern !== undefined) schema.pattern = o.pattern;
  if (o.format !== undefined) schema.format = o.format;
  if (o.minLength !== undefined) schema.minLength = o.minLength;
  return { output: asString, ...o, schema, input: (raw) => raw, hasDefault: false };
}

/** A password or client secret: never echoed, used exactly as given, long enough to be masked in reports. */
export function secret(o: Common<string> & { minLength: number }): Setting<string, false> {
  return text({
    ...o,
    secret: true,
    keepSpaces: true,
    expects: `at least ${o.minLength} characters (a shorter secret cannot be masked reliably in reports)`,
    describe: (raw) => String(raw.length),
  });
}

interface IntOptions extends Common<number> {
  min: number;
  max: number;
  unit?: string;
}
/** A whole number in a range. */
export function int(o: IntOptions & { default: number }): Setting<number, true>;
export function int(o: IntOptions): Setting<number, false>;
export function int(o: IntOptions & { default?: number }): Setting<number> {
  return {
    ...o,
    schema: { type: 'integer', minimum: o.min, maximum: o.max },
    expects: `a whole number from ${o.min} to ${o.max}${o.unit ? ` (${o.unit})` : ''}`,
    input: (raw) => (/^\d+$/.test(raw) ? Number(raw) : raw),
    output: (v) => v as number,
    hasDefault: o.default !== undefined,
  };
}

/** true / false / 1 / 0, any case. */
export function flag(o: Common<boolean> & { default: boolean }): Setting<boolean, true> {
  return {
    ...o,
    schema: { type: 'string', enum: ['true', 'false', '1', '0'] },
    expects: 'true, false, 1 or 0',
    input: (raw) => raw.toLowerCase(),
    output: (v) => v === 'true' || v === '1',
    hasDefault: true,
  };
}

/** One of a fixed list of values. */
export function oneOf<V extends string>(o: Common<V> & { values: readonly V[]; unsetMeans: string }): Setting<V, false> {
  return {
    ...o,
    schema: { type: 'string', enum: [...o.values] },
    expects: `one of ${o.values.join(' | ')} (or unset ${o.unsetMeans})`,
    input: (raw) => raw,
    output: (v) => v as V,
    hasDefault: false,
    suggest: o.values,
  };
}

/** The values of a declaration object: settings with a default always present, the others optional. */
export type ValuesOf<D> = {
  [K in keyof D as D[K] extends Setting<unknown, true> ? K : never]: D[K] extends Setting<infer T, true> ? T : never;
} & {
  [K in keyof D as D[K] extends Setting<unknown, true> ? never : K]?: D[K] extends Setting<infer T, boolean> ? T : never;
};
