// The fleet file (`--fleet FILE`, YAML or JSON): the deployments one command checks. Validated
// with ajv; paths are relative to the fleet file; `${VAR}` in an inline setting is taken from the
// environment of the command (so secrets stay in CI variables, not in the file).
import { loadEnvFile } from '../../helpers/config';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import { GENERATIONS, type Generation } from '../../helpers/model';
import { UsageError } from '../args';

export interface Deployment {
  name: string;
  /** Absolute path of a dotenv file with the deployment's settings. */
  envFile?: string;
  /** Settings given inline (PLACEOS_* variables), `${VAR}` already expanded. */
  settings: Record<string, string>;
  /** Absolute path of the deployment's ledger. */
  ledger?: string;
  generation?: Generation;
}

const SCHEMA = {
  $defs: {
    deployment: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
        env: { type: 'string', minLength: 1 },
        settings: { type: 'object', propertyNames: { pattern: '^PLACEOS_[A-Z0-9_]+$' }, additionalProperties: { type: ['string', 'number', 'boolean'] } },
        ledger: { type: 'string', minLength: 1 },
        generation: { enum: [...GENERATIONS] },
      },
    },
  },
  oneOf: [
    { type: 'array', items: { $ref: '#/$defs/deployment' }, minItems: 1 },
    {
      type: 'object',
      required: ['deployments'],
      additionalProperties: false,
      properties: { deployments: { type: 'array', items: { $ref: '#/$defs/deployment' }, minItems: 1 } },
    },
  ],
};

// Compiled on first use: every start of the program imports this module, few read a fleet file,
// and compiling (with the 2020 meta-schema) costs a noticeable part of a start-up.
let compiled: ValidateFunction | undefined;
const validator = (): ValidateFunction => (compiled ??= new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(SCHEMA));

interface RawDeployment {
  name: string;
  env?: string;
  settings?: Record<string, string | number | boolean>;
  ledger?: string;
  generation?: Generation;
}

function expand(value: string, where: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined) throw new UsageError(`${where}: refers to \${${name}}, which is not set in the environment`);
    return v;
  });
}

export function loadFleet(file: string, env: Record<string, string | undefined>): Deployment[] {
  if (!fs.existsSync(file)) throw new UsageError(`--fleet ${file}: no such file`);
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--fleet ${file}: not YAML or JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const validate = validator();
  if (!validate(doc)) {
    // oneOf reports both branches; the branch for the shape the user wrote says more.
    const errors = (validate.errors ?? []).filter(
      (e) => e.keyword !== 'oneOf' && !(Array.isArray(doc) ? e.schemaPath.startsWith('#/oneOf/1') : e.schemaPath.startsWith('#/oneOf/0')),
    );
    const text = errors
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`);
    throw new UsageError(`--fleet ${file}: expected a list of deployments (or {deployments: [...]}) with name and env or settings: ${text.join('; ')}`);
  }
  const raw = (Array.isArray(doc) ? doc : (doc as { deployments: RawDeployment[] }).deployments) as RawDeployment[];
  const dir = path.dirname(path.resolve(file));
  const seen = new Set<string>();
  return raw.map((d, i) => {
    const where = `--fleet ${file}: deployment ${i + 1} (${d.name})`;
    if (seen.has(d.name.toLowerCase())) throw new UsageError(`${where}: the name is used twice (names are folder names under the reports)`);
    seen.add(d.name.toLowerCase());
    const envFile = d.env ? path.resolve(dir, d.env) : undefined;
    if (envFile && !fs.existsSync(envFile)) throw new UsageError(`${where}: env file ${d.env} not found (paths are relative to the fleet file)`);
    const settings = Object.fromEntries(Object.entries(d.settings ?? {}).map(([k, v]) => [k, expand(String(v), `${where} ${k}`, env)]));
    const named = { ...(envFile ? loadEnvFile(envFile) : {}), ...settings };
    const names = (k: string) => named[k] !== undefined && named[k].trim() !== '';
    if (!names('PLACEOS_URL') && !Object.keys(named).some((k) => k.startsWith('PLACEOS_REFERENCE_') && names(k)))
      throw new UsageError(
        `${where}: names no deployment (no PLACEOS_URL in its settings${d.env ? ` or in ${d.env}` : ''}): add the deployment's base URL, or PLACEOS_REFERENCE_PROFILE to check the embedded reference target`,
      );
    return { name: d.name, envFile, settings, ledger: d.ledger ? path.resolve(dir, d.ledger) : undefined, generation: d.generation };
  });
}
