// The target of a run, as runner/config.ts chose it: the deployment, or the embedded reference
// target, started here. Also the reports folder a run may write to.
import * as fs from 'node:fs';
import { parseSettings } from '../helpers/config';
import type { TargetSettings } from '../helpers/config';
import { startEmbeddedTarget } from './embedded';
import type { TargetConfig } from './config';
import { assertReportsFolder } from './bundle';

export interface Target {
  settings: TargetSettings;
  embedded: boolean;
  /** The embedded target's profile (and variant), for the reports. */
  profile?: string;
  mutants?: string[];
  close(): Promise<void>;
}

/** The deployment as configured, or the embedded reference target, started. */
export async function startTarget(t: TargetConfig, log: (s: string) => void): Promise<Target> {
  if (t.kind === 'deployment') return { settings: t.settings, embedded: false, close: async () => {} };
  const { profile, variant, mutants, tls, capacity, reason } = t.reference;
  const target = await startEmbeddedTarget({ profile, variant, mutants, tls, ...(capacity ? { capacity } : {}) });
  const what = `${profile}${variant !== 'standard' ? `, ${variant}` : ''}${mutants.length ? `, mutants: ${mutants.join(', ')}` : ''}`;
  log(
    reason === 'asked'
      ? `started the embedded reference target (${what}) at ${target.url}, as asked`
      : `no PLACEOS_URL: started the embedded reference target (${what}) at ${target.url}; set PLACEOS_URL to check a deployment`,
  );
  // The target describes itself as the settings of a deployment; the user's suite settings
  // (timeouts, limits, generation) still apply on top.
  const settings = { ...parseSettings(target.env, { embedded: true }), ...t.overrides };
  return {
    settings,
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
