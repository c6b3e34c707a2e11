// Reads the declared settings from an environment: aliases and fallbacks resolved, every value
// validated by ajv against the JSON Schema built from the declaration, then parsed.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Setting, ValuesOf } from './declare';
import { DECLARED, type DeclaredKey } from './declaration';
import { closest, safeEcho } from './text';
import type { Problem } from './types';

export type DeclaredValues = ValuesOf<typeof DECLARED>;

const ENTRIES = Object.entries(DECLARED) as [DeclaredKey, Setting][];

/** The JSON Schema of a settings environment, built from the declaration. */
export const SETTINGS_SCHEMA = {
  type: 'object',
  properties: Object.fromEntries(ENTRIES.map(([, s]) => [s.name, s.schema])),
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validateInput = ajv.compile(SETTINGS_SCHEMA);

export interface Declared {
  /** Parsed values of the settings that were given and valid, and the defaults of the others. */
  values: Partial<DeclaredValues>;
  /** The name each given setting was read from (itself, an alias or a fallback), valid or not. */
  given: Partial<Record<DeclaredKey, string>>;
}

function rejected(s: Setting, raw: string): string {
  const got = s.secret ? (s.describe ?? ((v: string) => `a value of ${v.length} characters`))(raw) : s.describe ? s.describe(raw) : `'${safeEcho(raw)}'`;
  const near = s.suggest ? closest(raw, s.suggest) : undefined;
  return `expected ${s.expects}, got ${got}${near ? `; did you mean ${near}?` : ''}`;
}

/** `vars`: the environment with empty values removed. */
export function readDeclared(vars: Readonly<Record<string, string>>, problem: Problem, warnings: string[]): Declared {
  const values: Record<string, unknown> = {};
  const given: Partial<Record<DeclaredKey, string>> = {};
  const raws = new Map<DeclaredKey, string>();
  const input: Record<string, unknown> = {};
  for (const [key, s] of ENTRIES) {
    for (const alias of s.aliases ?? []) {
      if (vars[alias] !== undefined && vars[s.name] !== undefined && vars[alias] !== vars[s.name]) {
        problem(alias, `is another name for ${s.name}, and both are set to different values: set only ${s.name}`);
      }
    }
    const source = [s.name, ...(s.aliases ?? []), ...(s.fallbacks ?? [])].find((n) => vars[n] !== undefined);
    if (source === undefined) {
      if (s.default !== undefined) values[key] = s.default;
      continue;
    }
    const raw = s.keepSpaces ? vars[source]! : vars[source]!.trim();
    given[key] = source;
    raws.set(key, raw);
    input[s.name] = s.input(raw);
  }
  const bad = new Set<string>();
  if (!validateInput(input)) for (const e of validateInput.errors ?? []) bad.add(e.instancePath.slice(1));
  for (const [key, s] of ENTRIES) {
    const raw = raws.get(key);
    if (raw === undefined) continue;
    const source = given[key]!;
    const trouble = bad.has(s.name) ? rejected(s, raw) : s.check?.(raw);
    if (trouble !== undefined) {
      problem(source, trouble);
      if (s.default !== undefined) values[key] = s.default;
      continue;
    }
    const warning = s.warn?.(raw);
    if (warning) warnings.push(warning);
    values[key] = s.output(input[s.name]);
  }
  return { values: values, given };
}
