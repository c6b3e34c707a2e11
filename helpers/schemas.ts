// The schema registry: one JSON Schema (draft 2020-12) per response shape in schemas/, compiled
// once per registry with ajv (strict mode, allErrors, ajv-formats), or ahead of time: ajv standalone
// validators in helpers/schemas.compiled.js (npm run schemas:compile), used while their digest matches.
//
// ── Rules every schema follows ──────────────────────────────────────────────────────────────────
// * Defined fields are strict (types, formats, consts/enums, patterns). A member that must never
//   appear (a private JWK member, `jti` in inspect output, `code` in an error redirect) is `false`.
// * Unknown extra fields are ALLOWED but REPORTED: no schema uses additionalProperties:false
//   (one deliberate exception: an inactive introspection answer, RFC 7662 §2.2, must be exactly
//   {active:false}). check() walks the value against each schema's `properties` (through $ref,
//   allOf, if/then/else, items) and returns every unknown member as a JSON pointer in `extras`.
// * token_type is compared case-insensitively (pattern ^[Bb][Ee][Aa][Rr][Ee][Rr]$).
//
// ── Generation differences: ONE place ───────────────────────────────────────────────────────────
// GENERATION_OVERLAYS below is the only place where generations differ. A schema file describes
// the shape common to all generations; an overlay, keyed by schema and generation, may
//   require  - add top-level members to `required`            (token-response created_at on Rails)
//   forbid   - make top-level members absent (`false` schema)  (token-response created_at on auth.cr)
//   patch    - replace top-level property schemas              (discovery on auth.cr)
//   emptyBody- accept an empty body (undefined / '') as valid  (revoke on auth.cr)
// Each overlaid variant is a derived schema with its own $id
// (https://placeos-auth-contract/schemas/<generation>/<name>.json), compiled once with the rest.
//
// ── Digest ──────────────────────────────────────────────────────────────────────────────────────
// digest() = sha256 over the bytes of schemas/*.json in byte-wise sorted file-name order,
// followed by the canonical JSON of GENERATION_OVERLAYS (sorted keys), hex. The overlay is part of
// the bundle because it changes what passes. Reproduce the first part with
// `cat $(ls schemas/*.json | LC_ALL=C sort) | sha256sum` (then append the overlay JSON).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { GENERATIONS, type Generation } from './model';
import { PACKAGE_ROOT } from './package-root';

export const SCHEMA_NAMES = [
  'token-response',
  'oauth-error',
  'authorize-redirect',
  'authorize-error-redirect',
  'inspect-bearer',
  'inspect-api-key',
  'jwt-header',
  'access-token-claims',
  'authority',
  'current-user',
  'revoke',
  'introspection',
  'token-info',
  'jwks',
  'discovery',
  'rest-api-error-401',
  'userinfo',
] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

export const SCHEMA_ID_BASE = 'https://placeos-auth-contract/schemas/';
export const schemaId = (name: SchemaName, generation?: Generation): string =>
  generation ? `${SCHEMA_ID_BASE}${generation}/${name}.json` : `${SCHEMA_ID_BASE}${name}.json`;

export interface Overlay {
  /** Why this generation differs (shown in error messages, e.g. "created_at: required on rails"). */
  note: string;
  require?: readonly string[];
  forbid?: readonly string[];
  patch?: Readonly<Record<string, object>>;
  emptyBody?: boolean;
}

const AUTHCR_DISCOVERY_REQUIRED = [
  'userinfo_endpoint',
  'revocation_endpoint',
  'introspection_endpoint',
  'end_session_endpoint',
  'scopes_supported',
  'grant_types_supported',
  'token_endpoint_auth_methods_supported',
  'code_challenge_methods_supported',
  'claims_supported',
] as const;

/** THE table of generation differences (see the header of this file). */
export const GENERATION_OVERLAYS: Readonly<Partial<Record<SchemaName, Partial<Record<Generation, Overlay>>>>> = {
  'token-response': {
    rails: { note: 'Doorkeeper TokenResponse always carries created_at (contract §4.1)', require: ['created_at'] },
    'rails-2023': { note: 'Doorkeeper TokenResponse always carries created_at (contract §4.1)', require: ['created_at'] },
    authcr: { note: 'auth.cr token responses have no created_at (contract §4.1)', forbid: ['created_at'] },
  },
  revoke: {
    authcr: { note: 'auth.cr answers 200 with an empty body (contract §3.7)', emptyBody: true },
  },
  discovery: {
    authcr: {
      note: 'auth.cr discovery document (contract §4.10): full member set, code grant only, S256 only',
      require: AUTHCR_DISCOVERY_REQUIRED,
      patch: {
        grant_types_supported: {
          type: 'array',
          items: { enum: ['authorization_code', 'client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'] },
          contains: { const: 'authorization_code' },
        },
        response_types_supported: { type: 'array', items: { const: 'code' }, minItems: 1 },
        code_challenge_methods_supported: { type: 'array', items: { const: 'S256' }, contains: { const: 'S256' } },
      },
    },
  },
};

export interface SchemaCheck {
  valid: boolean;
  /** Readable, one per problem: `/expires_in: expected integer, got string "7200"`. Never a value longer than 40 chars. */
  errors: string[];
  /** JSON pointers of members the schema does not define (allowed, reported). */
  extras: string[];
}

export interface SchemaRegistry {
  check(name: SchemaName, value: unknown, generation: Generation): SchemaCheck;
  /** The schema bundle digest reported to auditors (see the header of this file). */
  digest(): string;
  /** ajv's standalone module of every validator, keyed by $id (registries made with { standalone: true }). */
  standaloneCode(): string;
  names(): SchemaName[];
  /** The overlay applied for this schema and generation, if any. */
  overlay(name: SchemaName, generation: Generation): Overlay | undefined;
}

export interface RegistryOptions {
  /** Directory holding the schema files (default: <repo>/schemas; another one never uses the precompiled validators). */
  schemaDir?: string;
  /** Compile with ajv's source code kept, for standaloneCode() (never the precompiled validators). */
  standalone?: boolean;
}

// ajv is loaded only when schemas are compiled here (not with the precompiled validators).
function newAjv(source: boolean): Ajv2020 {
  const Ajv = (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default;
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true, verbose: true, ...(source ? { code: { source: true } } : {}) });
  addFormats(ajv);
  return ajv;
}

/** The file `npm run schemas:compile` writes: ajv's standalone validators of every schema, by $id. */
export const PRECOMPILED_FILE = resolve(__dirname, 'schemas.compiled.js');

function precompiled(): { digest: string; validators: Record<string, ValidateFunction> } | undefined {
  try {
    const m = require(PRECOMPILED_FILE) as { digest?: string; validators?: Record<string, ValidateFunction> };
    return typeof m.digest === 'string' && m.validators ? { digest: m.digest, validators: m.validators } : undefined;
  } catch {
    return undefined;
  }
}

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export const DEFAULT_SCHEMA_DIR = resolve(PACKAGE_ROOT, 'schemas');

export function createSchemaRegistry(options: RegistryOptions = {}): SchemaRegistry {
  const dir = options.schemaDir ?? DEFAULT_SCHEMA_DIR;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const bytes = new Map<string, Buffer>();
  const raw = new Map<string, JsonObject>(); // $id → schema object (base and derived)
  const byName = new Map<SchemaName, JsonObject>();
  for (const file of files) {
    const buf = readFileSync(join(dir, file));
    bytes.set(file, buf);
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.toString('utf8'));
    } catch (e) {
      throw new Error(`schema file ${file} is not valid JSON: ${(e as Error).message}`);
    }
    const name = file.slice(0, -'.json'.length) as SchemaName;
    if (!(SCHEMA_NAMES as readonly string[]).includes(name)) throw new Error(`schema file ${file} does not name a known SchemaName`);
    if (!isObject(parsed) || parsed.$id !== schemaId(name)) {
      throw new Error(`schema file ${file} must have $id ${schemaId(name)}`);
    }
    byName.set(name, parsed);
    raw.set(schemaId(name), parsed);
  }
  for (const name of SCHEMA_NAMES) if (!byName.has(name)) throw new Error(`schema file ${name}.json is missing from ${dir}`);

  const derived = new Map<string, JsonObject>(); // `${name}|${generation}` → derived schema
  for (const [name, perGeneration] of Object.entries(GENERATION_OVERLAYS) as [SchemaName, Partial<Record<Generation, Overlay>>][]) {
    const base = byName.get(name);
    if (!base) throw new Error(`overlay names unknown schema ${name}`);
    for (const [generation, overlay] of Object.entries(perGeneration) as [Generation, Overlay][]) {
      const schema = applyOverlay(base, overlay, schemaId(name, generation));
      derived.set(`${name}|${generation}`, schema);
      raw.set(schema.$id as string, schema);
    }
  }

  const overlayDigestPart = canonicalJson(GENERATION_OVERLAYS);
  let digestValue: string | undefined;

  // The validators ajv generated ahead of time for these exact schemas (helpers/schemas.compiled.js,
  // `npm run schemas:compile`), or else every schema (base and derived) compiled once, now: a broken
  // schema fails registry creation. Compiling costs each process (each jest spec file) ~0.1–0.3 s of CPU.
  const validators = new Map<string, ValidateFunction>();
  let ajv: Ajv2020 | undefined;
  const ahead = options.standalone || options.schemaDir ? undefined : precompiled();
  if (ahead && ahead.digest === digestOf()) {
    for (const id of raw.keys()) {
      const v = ahead.validators[id];
      if (!v) throw new Error(`schema ${id} is missing from the precompiled validators`);
      validators.set(id, v);
    }
  } else {
    ajv = newAjv(options.standalone === true);
    for (const schema of [...byName.values(), ...derived.values()]) ajv.addSchema(schema);
    for (const id of raw.keys()) {
      const v = ajv.getSchema(id);
      if (!v) throw new Error(`schema ${id} did not compile`);
      validators.set(id, v);
    }
  }

  function digestOf(): string {
    if (!digestValue) {
      const h = createHash('sha256');
      for (const file of files) h.update(bytes.get(file)!);
      h.update(overlayDigestPart);
      digestValue = h.digest('hex');
    }
    return digestValue;
  }

  return {
    names: () => [...SCHEMA_NAMES],
    overlay: (name, generation) => GENERATION_OVERLAYS[name]?.[generation],
    digest: digestOf,
    standaloneCode() {
      if (!options.standalone) throw new Error('standaloneCode() needs a registry created with { standalone: true }');
      const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
      return standaloneCode(ajv!, Object.fromEntries([...raw.keys()].map((id) => [id, id])));
    },
    check(name, value, generation) {
      if (!(SCHEMA_NAMES as readonly string[]).includes(name)) throw new Error(`unknown schema name ${JSON.stringify(name)}`);
      if (!(GENERATIONS as readonly string[]).includes(generation)) throw new Error(`unknown generation ${JSON.stringify(generation)}`);
      const overlay = GENERATION_OVERLAYS[name]?.[generation];
      if (overlay?.emptyBody && (value === undefined || value === '')) return { valid: true, errors: [], extras: [] };
      const id = overlay ? schemaId(name, generation) : schemaId(name);
      const validate = validators.get(id)!;
      const valid = validate(value);
      const errors = valid ? [] : formatErrors(validate.errors ?? [], overlay, generation);
      const root = raw.get(id)!;
      const extras: string[] = [];
      collectExtras(root, root, value, '', raw, extras, new Set());
      return { valid, errors, extras: [...new Set(extras)].sort() };
    },
  };
}

function applyOverlay(base: JsonObject, overlay: Overlay, id: string): JsonObject {
  const schema = structuredClone(base);
  schema.$id = id;
  schema.description = `${String(base.description ?? '')} [overlay: ${overlay.note}]`;
  const properties = (schema.properties ?? {}) as JsonObject;
  schema.properties = properties;
  let required = [...((schema.required as string[] | undefined) ?? [])];
  for (const [prop, sub] of Object.entries(overlay.patch ?? {})) properties[prop] = structuredClone(sub);
  for (const prop of overlay.require ?? []) {
    if (!(prop in properties)) throw new Error(`overlay for ${id} requires ${prop}, which the schema does not define`);
    if (!required.includes(prop)) required.push(prop);
  }
  for (const prop of overlay.forbid ?? []) {
    properties[prop] = false;
    required = required.filter((r) => r !== prop);
  }
  schema.required = required;
  return schema;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

// ── Extras ────────────────────────────────────────────────────────────────────────────────────

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function resolveRef(ref: string, root: JsonObject, raw: Map<string, JsonObject>): { node: unknown; root: JsonObject } | undefined {
  const [base, fragment = ''] = ref.split('#', 2) as [string, string?];
  const docRoot = base ? raw.get(base) : root;
  if (!docRoot) return undefined;
  let node: unknown = docRoot;
  for (const part of fragment.split('/').filter(Boolean)) {
    if (!isObject(node)) return undefined;
    node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return { node, root: docRoot };
}

interface Scope {
  node: JsonObject;
  root: JsonObject;
}

/** Every schema object that applies to the same instance location (through $ref/allOf/anyOf/oneOf/if/then/else). */
function expand(node: unknown, root: JsonObject, raw: Map<string, JsonObject>, seen: Set<unknown>): Scope[] {
  if (!isObject(node) || seen.has(node)) return [];
  seen.add(node);
  const out: Scope[] = [{ node, root }];
  if (typeof node.$ref === 'string') {
    const r = resolveRef(node.$ref, root, raw);
    if (r) out.push(...expand(r.node, r.root, raw, seen));
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[key];
    if (Array.isArray(list)) for (const sub of list) out.push(...expand(sub, root, raw, seen));
  }
  for (const key of ['then', 'else'] as const) out.push(...expand(node[key], root, raw, seen));
  return out;
}

function collectExtras(
  node: unknown,
  root: JsonObject,
  value: unknown,
  pointer: string,
  raw: Map<string, JsonObject>,
  extras: string[],
  _seen: Set<unknown>,
): void {
  const scopes = expand(node, root, raw, new Set());
  if (scopes.length === 0) return;
  if (isObject(value)) {
    const known = new Map<string, Scope[]>();
    let declaresProperties = false;
    const additional: Scope[] = [];
    for (const s of scopes) {
      if (isObject(s.node.properties)) {
        declaresProperties = true;
        for (const [k, sub] of Object.entries(s.node.properties)) {
          const list = known.get(k) ?? [];
          list.push({ node: sub as JsonObject, root: s.root });
          known.set(k, list);
        }
      }
      if (isObject(s.node.additionalProperties)) additional.push({ node: s.node.additionalProperties, root: s.root });
    }
    for (const [k, v] of Object.entries(value)) {
      const p = `${pointer}/${escapePointer(k)}`;
      const subs = known.get(k);
      if (subs) {
        for (const s of subs) collectExtras(s.node, s.root, v, p, raw, extras, _seen);
      } else if (declaresProperties) {
        extras.push(p);
      } else {
        for (const s of additional) collectExtras(s.node, s.root, v, p, raw, extras, _seen);
      }
    }
  } else if (Array.isArray(value)) {
    const items = scopes.filter((s) => isObject(s.node.items));
    value.forEach((v, i) => {
      for (const s of items) collectExtras(s.node.items, s.root, v, `${pointer}/${i}`, raw, extras, _seen);
    });
  }
}

// ── Error messages ────────────────────────────────────────────────────────────────────────────

/** A value for a message: short strings and scalars in clear, long strings as type and length only. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length <= 40 ? `string ${JSON.stringify(v)}` : `string (length ${v.length})`;
  if (typeof v === 'number') return Number.isInteger(v) ? `integer ${v}` : `number ${v}`;
  if (typeof v === 'boolean') return `boolean ${v}`;
  if (Array.isArray(v)) return `array (length ${v.length})`;
  if (typeof v === 'object') return `object (${Object.keys(v).length} keys)`;
  return typeof v;
}

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s !== undefined && s.length <= 60 ? s : `${typeof v} (length ${s?.length ?? 0})`;
};

function formatErrors(errors: ErrorObject[], overlay: Overlay | undefined, generation: Generation): string[] {
  const out: string[] = [];
  for (const e of errors) {
    // if/then/else, allOf and $ref wrappers repeat what the inner errors already say.
    if (e.keyword === 'if') continue;
    const path = e.instancePath || '/';
    const got = `got ${describeValue(e.data)}`;
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required': {
        const missing = String(p.missingProperty);
        const prop = `${e.instancePath}/${escapePointer(missing)}`;
        const why = overlay?.require?.includes(missing) && !e.instancePath ? ` (on ${generation}: ${overlay.note})` : '';
        out.push(`${prop}: required, missing${why}`);
        break;
      }
      case 'false schema': {
        const why = overlay?.forbid?.some((f) => `/${escapePointer(f)}` === e.instancePath) ? ` on ${generation} (${overlay.note})` : '';
        out.push(`${path}: must be absent${why}, got ${describeValue(e.data)}`);
        break;
      }
      case 'additionalProperties':
        out.push(`${e.instancePath}/${escapePointer(String(p.additionalProperty))}: must be absent (closed object), got a member`);
        break;
      case 'type':
        out.push(`${path}: expected ${Array.isArray(p.type) ? (p.type as string[]).join(' or ') : String(p.type)}, ${got}`);
        break;
      case 'const':
        out.push(`${path}: expected ${short(p.allowedValue)}, ${got}`);
        break;
      case 'enum':
        out.push(`${path}: expected one of ${short(p.allowedValues)}, ${got}`);
        break;
      case 'pattern':
        out.push(`${path}: expected to match /${String(p.pattern)}/, ${got}`);
        break;
      case 'format':
        out.push(`${path}: expected format "${String(p.format)}", ${got}`);
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        out.push(`${path}: expected ${String(p.comparison)} ${String(p.limit)}, ${got}`);
        break;
      case 'minLength':
      case 'maxLength':
        out.push(
          `${path}: expected length ${e.keyword === 'minLength' ? '>=' : '<='} ${String(p.limit)}, got length ${typeof e.data === 'string' ? e.data.length : '?'}`,
        );
        break;
      case 'minItems':
      case 'maxItems':
        out.push(`${path}: expected ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p.limit)} items, ${got}`);
        break;
      case 'contains': {
        const sch = e.parentSchema?.contains;
        out.push(`${path}: expected an item matching ${short(sch)}, ${got}`);
        break;
      }
      default:
        out.push(`${path}: ${e.message ?? e.keyword}, ${got}`);
    }
  }
  return [...new Set(out)];
}

// ── Location parsing ──────────────────────────────────────────────────────────────────────────

export type ParamMap = Record<string, string | string[]>;

export interface ParsedLocation {
  /** `scheme://host[:port]` (also for custom schemes), or '' when the Location was relative and no base was given. */
  origin: string;
  pathname: string;
  /** Query parameters; a repeated key becomes an array (in order). */
  query: ParamMap;
  /** Parameters of the fragment parsed as application/x-www-form-urlencoded (implicit / response_mode=fragment). */
  fragment: ParamMap;
  /** The whole Location as given (may contain codes: never print it unmasked). */
  href: string;
  relative: boolean;
}

function toParamMap(search: string): ParamMap {
  const out: ParamMap = {};
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

const RELATIVE_BASE = 'http://relative.invalid';

/** Parses a Location header value (absolute or relative; resolved against `base` when given). */
export function parseLocation(location: string | URL, base?: string | URL): ParsedLocation {
  const href = String(location);
  const isAbsolute = location instanceof URL || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(href);
  const url = isAbsolute ? new URL(href) : new URL(href, base ?? RELATIVE_BASE);
  const relative = !isAbsolute && base === undefined;
  const origin = relative ? '' : url.host ? `${url.protocol}//${url.host}` : url.protocol;
  return {
    origin,
    pathname: url.pathname,
    query: toParamMap(url.search),
    fragment: toParamMap(url.hash.replace(/^#/, '')),
    href,
    relative,
  };
}
