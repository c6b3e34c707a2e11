// The target of a run: a live deployment named by PLACEOS_URL (the environment over the --env
// file, as dotenv does), or the embedded reference target, started when nothing is configured.
// Also the reports folder a run may write to.
import * as fs from 'node:fs';
import { EMBEDDED_VARIABLES, loadEnvFile } from '../helpers/config';
import { SettingsError } from '../helpers/settings/types';
import type { Capacity, ProfileName, VariantName } from '../reference/src';
import { VARIANT_NAMES } from '../reference/src/profiles';
import { startEmbeddedTarget } from './embedded';
import { UsageError } from './args';
import { assertReportsFolder } from './bundle';
import type { RunOptions } from './args';

export interface Target {
  env: Record<string, string>;
  /** Names set only in the process environment, not in the --env file. */
  fromProcess: ReadonlySet<string>;
  embedded: boolean;
  profile?: string;
  mutants?: string[];
  close(): Promise<void>;
}

/**
 * The embedded target's capacity limit, like a deployment with a few worker threads:
 * PLACEOS_REFERENCE_CAPACITY requests served at once, each costing PLACEOS_REFERENCE_COST_MS.
 */
function embeddedCapacity(env: Record<string, string>): Capacity | undefined {
  const k = env.PLACEOS_REFERENCE_CAPACITY;
  const cost = env.PLACEOS_REFERENCE_COST_MS;
  if (k === undefined && cost === undefined) return undefined;
  const errors: { variable: string; problem: string }[] = [];
  if (k !== undefined && !/^[1-9]\d{0,3}$/.test(k))
    errors.push({
      variable: 'PLACEOS_REFERENCE_CAPACITY',
      problem: `expected a whole number from 1 to 9999 (requests served at once), got '${k.slice(0, 20)}'`,
    });
  if (cost !== undefined && !/^\d{1,6}$/.test(cost))
    errors.push({
      variable: 'PLACEOS_REFERENCE_COST_MS',
      problem: `expected a whole number of milliseconds (server time per request), got '${cost.slice(0, 20)}'`,
    });
  if (errors.length) throw new SettingsError(errors);
  return { concurrent: k === undefined ? 9999 : Number(k), costMs: cost === undefined ? 0 : Number(cost) };
}

/** Live deployment from the environment / --env file, or the embedded reference target. */
export async function resolveTarget(o: RunOptions, env: Record<string, string | undefined>, log: (s: string) => void): Promise<Target> {
  const fileEnv = o.envFile ? loadEnvFile(o.envFile) : {};
  // As dotenv does: a variable already in the environment wins over the file.
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...fileEnv, ...env })) if (v !== undefined) merged[k] = v;
  const fromProcess = new Set(Object.keys(env).filter((k) => !(k in fileEnv)));
  if (merged.PLACEOS_URL) return { env: merged, fromProcess, embedded: false, close: async () => {} };

  const profile = o.profile ?? merged.PLACEOS_REFERENCE_PROFILE ?? 'rails';
  const variant = o.variant ?? merged.PLACEOS_REFERENCE_VARIANT ?? 'standard';
  if (!(VARIANT_NAMES as readonly string[]).includes(variant))
    throw new UsageError(`--variant / PLACEOS_REFERENCE_VARIANT: expected one of ${VARIANT_NAMES.join(', ')}, got '${variant}'`);
  const mutants = o.mutants.length
    ? o.mutants
    : (merged.PLACEOS_REFERENCE_MUTANTS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  const capacity = embeddedCapacity(merged);
  const target = await startEmbeddedTarget({
    profile: profile as ProfileName,
    variant: variant as VariantName,
    mutants,
    tls: o.tls || merged.PLACEOS_REFERENCE_TLS === '1',
    ...(capacity ? { capacity } : {}),
  });
  log(
    `no PLACEOS_URL: started the embedded reference target (${profile}${variant !== 'standard' ? `, ${variant}` : ''}${mutants.length ? `, mutants: ${mutants.join(', ')}` : ''}) at ${target.url}`,
  );
  // Explicit suite settings (PLACEOS_GENERATION, timeouts...) still apply on top of the target's.
  const suiteVars = Object.fromEntries(Object.entries(merged).filter(([k]) => EMBEDDED_VARIABLES.includes(k)));
  return {
    env: { ...target.env, ...suiteVars },
    fromProcess,
    embedded: true,
    profile: variant === 'standard' ? profile : `${profile} (${variant})`,
    mutants,
    close: () => target.close(),
  };
}

/** Empty the reports folder of a previous run; never a folder that holds anything else (fleet and merge write in place). */
export function prepareReportsDir(dir: string): string {
  assertReportsFolder(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
