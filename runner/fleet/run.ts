// `--fleet FILE`: every deployment of the fleet as its own child process of the CLI (own settings,
// cookie jars, secrets registry and embedded target; nothing shared in memory), at most
// --fleet-concurrency at once, reports under <reports>/<name>/, then the fleet report. One
// deployment that fails or cannot be reached never stops the others; the exit code is the worst.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunOptions } from '../args';
import { shardOf, UsageError } from '../args';
import { mapPool } from '../pool';
import { loadFleet, type Deployment } from './file';
import { EXIT_MEANING, writeFleetReport, type DeploymentOutcome } from './report';
import { createProgress } from './progress';
import { PACKAGE_ROOT } from '../../helpers/package-root';
import { resolveReportSettings } from '../config';
import { count } from '../report/results';
import { interruptExit, interruptSignal } from '../lifecycle';
import { stageBundle } from '../bundle';

const BIN = path.resolve(PACKAGE_ROOT, 'bin', 'placeos-contract.js');
/** Report settings every deployment shares; every other PLACEOS_* comes from the deployment. */
const SHARED_VARS = ['PLACEOS_REPORT_SIGNING_KEY', 'PLACEOS_REPORT_ATTACHMENT_PREFIX', 'PLACEOS_JUNIT_TESTCASE_PROPERTIES'];

/** The child's arguments: the run options that apply to every deployment, then the deployment's own. */
export function childArgs(o: RunOptions, d: Deployment, reportsDir: string, baselineRoot?: string): string[] {
  const a = ['--quiet', '--reports', path.join(reportsDir, d.name)];
  if (d.envFile) a.push('--env', d.envFile);
  if (d.ledger) a.push('--ledger', d.ledger);
  else if (o.ledger) a.push('--ledger', path.resolve(o.ledger));
  const generation = d.generation ?? o.generation;
  if (generation) a.push('--generation', generation);
  if (o.strict) a.push('--strict');
  if (o.readonly) a.push('--readonly');
  if (o.noLedger) a.push('--no-ledger');
  if (o.tags.length) a.push('--tags', o.tags.join(','));
  if (o.ids.length) a.push('--only', o.ids.join(','));
  const baseline = baselineRoot && path.join(baselineRoot, d.name, 'results.json');
  if (baseline && fs.existsSync(baseline)) a.push('--baseline', baseline, '--fail-on', o.failOn);
  return a;
}

/** The child's environment: the command's, minus every PLACEOS_* except the shared report settings, plus the inline settings. */
export function childEnv(env: Record<string, string | undefined>, d: Deployment): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env))
    if (v !== undefined && (!k.startsWith('PLACEOS_') || SHARED_VARS.includes(k)) && k !== 'GITHUB_STEP_SUMMARY') out[k] = v;
  return { ...out, ...d.settings };
}

function runDeployment(
  o: RunOptions,
  d: Deployment,
  reportsDir: string,
  env: Record<string, string | undefined>,
  onLine: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<DeploymentOutcome> {
  const started = Date.now();
  const logFile = path.join(reportsDir, 'logs', `${d.name}.txt`);
  // A deployment the interrupt reached before it started is not started.
  if (signal?.aborted) {
    const exitCode = interruptExit(signal)!;
    fs.writeFileSync(logFile, `not run: ${String(signal.reason)}\n`);
    return Promise.resolve({ name: d.name, exitCode, durationMs: 0, message: `not run: ${String(signal.reason)}` });
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...childArgs(o, d, reportsDir, o.baseline && path.resolve(o.baseline))], {
      env: childEnv(env, d),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const take = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const lines = text.split('\n').filter((l) => l.trim());
      if (lines.length) onLine(lines[lines.length - 1]!);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    // An interrupt reaches each running child as the same signal: it stops, revokes what it
    // minted, leaves its incomplete bundle and exits 130 / 143 (runner/lifecycle.ts).
    const forward = () => child.kill(interruptSignal(signal!));
    signal?.addEventListener('abort', forward, { once: true });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', forward);
      fs.writeFileSync(logFile, text);
      const exitCode = code ?? 2;
      const last = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('placeos-contract:') || l.startsWith('SECRET LEAK'))
        .pop();
      resolve({ name: d.name, exitCode, durationMs: Date.now() - started, ...(exitCode >= 2 && last ? { message: last.slice(0, 500) } : {}) });
    });
  });
}

export async function runFleet(
  o: RunOptions,
  env: Record<string, string | undefined>,
  out: (s: string) => void,
  io: { tty?: boolean; signal?: AbortSignal } = {},
): Promise<number> {
  if (o.profile || o.mutants.length || o.envFile || o.tls)
    throw new UsageError('--fleet: --env, --profile, --mutant and --tls belong to each deployment in the fleet file (env, settings)');
  const all = loadFleet(o.fleet!, env);
  const deployments = shardOf(all, o.shard);
  if (!deployments.length) throw new UsageError(`--shard ${o.shard!.index}/${o.shard!.total}: this part holds none of the ${count(all.length, 'deployment')}`);
  const reports = resolveReportSettings(o, env);
  // Staged beside the reports folder and swapped in at the end, as a single run's bundle is: an
  // interrupted or killed fleet never leaves a half-written folder in place of the last one.
  const bundle = stageBundle(reports.dir, `placeos-contract-${randomBytes(6).toString('base64url')}`);
  const reportsDir = bundle.dir;
  fs.mkdirSync(path.join(reportsDir, 'logs'), { recursive: true });
  const startedAt = new Date();
  const progress = createProgress(
    deployments.map((d) => d.name),
    io.tty === true && !o.quiet,
    o.quiet ? () => {} : out,
  );
  const outcomes = await mapPool(deployments, o.fleetConcurrency, async (d) => {
    progress.update(d.name, 'running');
    const r = await runDeployment(o, d, reportsDir, env, (line) => progress.update(d.name, 'running', line), io.signal);
    progress.update(d.name, `exit ${r.exitCode} (${EXIT_MEANING[r.exitCode] ?? '?'}) in ${(r.durationMs / 1000).toFixed(1)} s`, r.message);
    return r;
  });
  progress.done();
  const shard = o.shard ? `${o.shard.index}/${o.shard.total}` : undefined;
  const report = writeFleetReport(
    reportsDir,
    outcomes,
    { startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(), ...(shard ? { shard, fleetSize: all.length } : {}) },
    reports.signingKeyPem,
  );
  const kept = bundle.commit({ complete: interruptExit(io.signal) === undefined });
  out(report.markdown);
  if (kept) out(`placeos-contract: the fleet was interrupted; the last complete reports are kept in ${kept}`);
  if (reports.githubStepSummary) fs.appendFileSync(reports.githubStepSummary, report.markdown);
  out(
    `Fleet reports: ${o.reportsDir} (fleet-summary.md, fleet-summary.html, junit.xml; one folder per deployment). Exit ${report.exitCode}: the worst of the deployments.`,
  );
  return report.exitCode;
}
