// `--dry-run`: what a run would do, against what, with which settings, without a request (and
// without starting the embedded target). Never a secret: settings are described, not shown.
import { describeSettings } from '../helpers/config';
import { SUITES } from '../specs';
import type { RunConfig } from './config';
import { describeSelection, planSuites } from './plan';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function describeRun(config: RunConfig): string {
  const { target, run, reports } = config;
  const suites = planSuites(SUITES, run);
  const checks = suites.reduce((n, s) => n + s.cases.length, 0);
  const L = ['Dry run: nothing is started and no request is made.', ''];
  if (target.kind === 'deployment') {
    L.push(`Target:      ${target.settings.url} (a deployment)`);
    for (const [k, v] of Object.entries(describeSettings(target.settings))) if (k !== 'url' && k !== 'target') L.push(`  ${k.padEnd(20)}${v}`);
  } else {
    const r = target.reference;
    const what = [r.profile, r.variant, ...(r.mutants.length ? [`mutants: ${r.mutants.join(', ')}`] : []), ...(r.tls ? ['https'] : [])].join(', ');
    L.push(
      `Target:      the EMBEDDED REFERENCE TARGET (${what}), not a deployment, ${r.reason === 'asked' ? 'as asked' : 'because nothing names a deployment'}; it configures its own apps, accounts and keys`,
    );
    for (const [k, v] of Object.entries(target.overrides)) L.push(`  ${k.padEnd(20)}${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  const generation = run.generation ?? (target.kind === 'deployment' ? target.settings.generationOverride : target.overrides.generationOverride);
  L.push(`Generation:  ${generation ? `held to ${generation}` : 'detected from the deployment'}`);
  L.push(
    `Ledger:      ${run.ledger.kind === 'none' ? 'none (--no-ledger)' : run.ledger.kind === 'file' ? `${run.ledger.path} (${run.ledger.from})` : 'the one shipped for the detected generation (ledger/<generation>.json)'}`,
  );
  L.push(
    `Run:         strict ${run.strict ? 'on' : 'off'} · readonly ${run.readonly ? 'on' : 'off'} · bail ${run.bail ? 'on' : 'off'}${run.baseline ? ` · baseline ${run.baseline} (fail on ${run.failOn})` : ''}`,
  );
  L.push(
    `Reports:     ${reports.shownAs} (manifest ${reports.signingKeyPem ? 'signed' : 'unsigned'}${reports.githubStepSummary ? '; summary appended to $GITHUB_STEP_SUMMARY' : ''})`,
  );
  L.push(`Checks:      ${plural(checks, 'check')} in ${plural(suites.length, 'area')}${describeSelection(run) ? ` (${describeSelection(run)})` : ''}`);
  for (const s of suites) L.push(`  ${s.area}: ${s.cases.map((c) => c.id.slice(s.area.length + 1)).join(', ')}`);
  for (const w of config.warnings) L.push(`WARNING: ${w}`);
  return L.join('\n');
}
