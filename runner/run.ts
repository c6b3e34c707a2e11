// One run against one resolved target: settings → preflight and generation → every selected
// check in this process (engine runCases) → reports → exit code. Loaded by runner/main.ts while
// the embedded target starts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { isBreaking, runCases } from './engine';
import { createRunEnv } from './run-env';
import { revokeMinted } from './cleanup';
import { describeSelection, planSuites } from './plan';
import { SUITES } from '../specs';
import type { Suite } from '../specs';
import { PreflightError, TransportError } from '../helpers/http-errors';
import { checkLedgerIds, emptyLedger, ledgerShown, loadLedger } from './ledger';
import { createSchemaRegistry } from '../helpers/schemas';
import type { createSecretRegistry } from '../helpers/secrets';
import { finalizeReports, isoWithOffset, secretLeakLine, writeEvidence } from './report';
import type { RunMeta } from './report';
import { toJestResults, writeJestJunit } from './report/jest-junit';
import { areaProgress, exchangeLine, reportsLine } from './progress';
import { count, stoppedBy } from './report/results';
import type { CaseResult, Exchange } from '../helpers/model';
import type { RunConfig } from './config';
import { applyOverride, detectGeneration } from './detect';
import { contractDifferences } from '../helpers/generations';
import { limiterFor } from '../helpers/http-limiter';
import { regressions } from './report/baseline';
import type { Baseline } from './report/baseline';
import { PACKAGE_ROOT as ROOT, PACKAGE_VERSION } from '../helpers/package-root';
import { EXIT } from './exit';
import type { Target } from './target';
import { checkCredentials } from './credentials';
import { abortable, INTERRUPT_CLEANUP_MS, INTERRUPT_GRACE_MS, interruptExit, within } from './lifecycle';
import type { RunLifecycle } from './lifecycle';

function gitCommit(): string | undefined {
  // An installed package has no .git of its own: never report the commit of a repository around it.
  if (!fs.existsSync(path.join(ROOT, '.git'))) return undefined;
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

export interface RunInput {
  config: RunConfig;
  target: Target;
  /** The run's secret registry: the caller masks its error messages with it. */
  secrets: ReturnType<typeof createSecretRegistry>;
  runId: string;
  startedAt: Date;
  baseline?: Baseline;
  /** The tables to run instead of the shipped ones (a jest run: the files jest selected, runner/jest). */
  suites?: readonly (Suite & { file?: string })[];
  /** The checks that will run (after --only, --tags and --shard), before the first one starts. */
  onPlan?(planned: readonly { area: string; ids: string[] }[]): void;
  /** Each result as its check ends (its evidence is written). */
  onResult?(r: CaseResult): void;
  out(s: string): void;
  log(s: string): void;
  /** The staging folder, the interrupt signal, $GITHUB_STEP_SUMMARY (runner/lifecycle.ts). */
  lifecycle: RunLifecycle;
}

/** The exit code of one run (EXIT); throws what the caller reports as "could not run". */
export async function runContract(input: RunInput): Promise<number> {
  const { config, target, secrets, runId, startedAt, baseline, out, log, lifecycle } = input;
  const { run: o, reports } = config;
  const settings = target.settings;
  // The target is named: from here on a failure leaves the could-not-run bundle (runner/lifecycle.ts).
  lifecycle.target = { url: settings.url, embedded: target.embedded };
  const { signal } = lifecycle;
  const tables: NonNullable<RunInput['suites']> = input.suites ?? SUITES;
  const schemas = createSchemaRegistry();
  // Which checks run: decided before the first request (a selection matching nothing asks nothing).
  // --shard i/n without a fleet: a stable part of the areas (combine the parts with `merge`).
  const suites = planSuites(tables, o);
  input.onPlan?.(suites.map((p) => ({ area: p.area, ids: p.cases.map((c) => c.id) })));
  // One bound on requests in flight for the whole run: detection, the checks, their cleanup.
  const limiter = limiterFor(settings, signal);
  // The tokens of a run that stops before its reports are still revoked, within a bound.
  let failedCleanup: (() => Promise<unknown>) | undefined;
  // --verbose: each request and its status as it happens (masked when recorded).
  const verbose = o.verbose ? { onExchange: (x: Exchange, caseId: string) => out(exchangeLine(x, caseId)) } : {};
  try {
    const override = o.generation ?? settings.generationOverride;
    const run = createRunEnv({
      settings,
      generation: override ?? 'rails',
      ledger: emptyLedger('rails'),
      secrets,
      schemas,
      readonly: o.readonly,
      gate: limiter,
      ...verbose,
      notice: log,
    });
    // The deployment's warnings were said with the configuration; the embedded target's own here.
    if (target.embedded) for (const w of settings.warnings ?? []) out(`WARNING: ${w}`);
    failedCleanup = () => revokeMinted(run, { until: Date.now() + INTERRUPT_CLEANUP_MS });
    // Credentials checked first (runner/credentials.ts): a refused one is the one line, not a
    // cascade. When detection fails, they are checked before its error is told: a wrong password
    // also stops detection's PKCE probe, and the credential is the cause to name.
    // An interrupt does not wait for their answers.
    const detected = await abortable(detectGeneration(run, override), signal).catch(async (e: unknown) => {
      if (e instanceof PreflightError) await abortable(checkCredentials(run), signal);
      throw e;
    });
    await abortable(checkCredentials(run), signal);
    const detection = applyOverride(detected, override, contractDifferences);
    log(`target ${settings.url}: ${detection.generation} (${detection.source}; ${detection.reasons.join('; ')})`);
    // Already overloaded by the few requests of detection: stop here, with the one line.
    const overloadedEarly = limiter.stats().overloaded;
    if (overloadedEarly) throw new TransportError(overloadedEarly, 'OVERLOAD');
    // Detection's own tokens are revoked while the checks run.
    const detectionCleanup = revokeMinted(run);
    const ledger =
      o.ledger.kind === 'none' ? emptyLedger(detection.generation) : loadLedger(detection.generation, o.ledger.kind === 'file' ? o.ledger.path : undefined);
    // A ledger may name any shipped check and any check of the tables this run was given.
    checkLedgerIds(ledger, [...new Set([...SUITES, ...tables].flatMap((s) => s.cases.map((c) => c.id)))]);

    // Everything goes to the staging folder, swapped in place of the reports folder once complete.
    const reportsDir = lifecycle.bundle.dir;
    // The checks run here, in this process: the run's modules load once, and the run's one bound
    // on requests in flight (the limiter) is shared by every check.
    const checks = createRunEnv({
      settings,
      generation: detection.generation,
      ledger,
      strict: o.strict,
      secrets,
      schemas,
      readonly: o.readonly,
      gate: limiter,
      ...verbose,
      notice: log,
    });
    // Each check's evidence is written as it ends, while the others (and the waits) go on.
    const evidence: Record<string, string> = {};
    const progress = areaProgress(suites, o.strict, log);
    const results = await runCases(checks, suites, {
      onResult: (r) => {
        progress(r);
        evidence[r.caseId] = writeEvidence(reportsDir, r);
        input.onResult?.(r);
      },
      revoke: true,
      ...(signal ? { signal, graceMs: INTERRUPT_GRACE_MS } : {}),
      ...(o.bail
        ? { stopAfter: (r: CaseResult) => (isBreaking(r.verdict, o.strict) ? `--bail stopped the run after ${r.caseId} (${r.verdict})` : undefined) }
        : {}),
    });
    const interrupted = interruptExit(signal);
    if (interrupted) {
      // Revoke what was minted, within a bound; the rest is counted as not revoked.
      const until = Date.now() + INTERRUPT_CLEANUP_MS;
      await Promise.all([revokeMinted(checks, { until }), revokeMinted(run, { until }), within(detectionCleanup, until)]);
    } else await detectionCleanup;
    // Nothing more goes to the target: the embedded one closes (in its thread) while the reports are written.
    target.close().catch(() => undefined);
    const revoked = checks.cleanup.revoked + run.cleanup.revoked;
    const notRevoked = checks.cleanup.failed + run.cleanup.failed;
    await writeJestJunit(
      reportsDir,
      ROOT,
      toJestResults(
        results,
        suites.map((s) => ({ area: s.area, file: tables.find((t) => t.area === s.area)?.file ?? path.join(ROOT, 'specs', s.area, `${s.area}.cases.ts`) })),
        { strict: o.strict, startedAt },
      ),
    );

    const requestsByArea: Record<string, number> = {};
    for (const r of results) requestsByArea[r.area] = (requestsByArea[r.area] ?? 0) + r.exchanges.length;
    if (revoked + notRevoked) requestsByArea.cleanup = revoked + notRevoked;
    const fingerprints = secrets.fingerprints();
    const meta: RunMeta = {
      runId,
      suiteVersion: PACKAGE_VERSION,
      suiteCommit: gitCommit(),
      schemaDigest: schemas.digest(),
      target: settings.url,
      otherAuthority: settings.otherAuthorityUrl,
      embedded: target.embedded,
      ...(config.target.kind === 'embedded' ? { embeddedReason: config.target.reference.reason } : {}),
      ledger: ledgerShown(o.ledger, ledger),
      referenceProfile: target.profile,
      mutants: target.mutants,
      generation: detection.generation,
      generationSource: detection.source,
      generationReasons: detection.reasons,
      deploymentVersion: detection.deploymentVersion,
      warnings: detection.warnings.length ? detection.warnings : undefined,
      startedAt: isoWithOffset(startedAt),
      endedAt: isoWithOffset(new Date()),
      node: process.version,
      jestJunit: (require('jest-junit/package.json') as { version: string }).version,
      strict: o.strict,
      selection: describeSelection(o),
      ci: reports.ci,
      requestCount: run.budget.used + checks.budget.used + revoked + notRevoked,
      requestsByArea,
      load: limiter.stats(),
      cleanup: { revoked, notRevoked },
      ...(interrupted ? { incomplete: String(signal!.reason) } : {}),
    };
    const report = finalizeReports({ reportsDir, results, meta, reports, fingerprints, baseline, evidence, color: o.color });
    const kept = lifecycle.bundle.commit({ complete: !interrupted });
    out(secrets.mask(report.console));
    for (const h of report.secretHits) out(secretLeakLine(h, reports.shownAs));
    if (interrupted) {
      const ran = results.filter((r) => !stoppedBy(r, meta.incomplete)).length;
      out(
        `placeos-contract: ${String(signal!.reason)}: ${ran} of ${count(results.length, 'check')} ran; the incomplete bundle is in ${reports.shownAs}${kept ? ` (the last complete one in ${kept})` : ''}${notRevoked ? `; ${count(notRevoked, 'token')} could not be revoked` : ''} (exit ${interrupted})`,
      );
    }
    out(reportsLine(reports.shownAs));
    // A leak outranks the interrupt: the suite's own redaction failed.
    if (report.secretHits.length) return EXIT.secretLeak;
    if (interrupted) return interrupted;
    const overloaded = limiter.stats().overloaded;
    // The summary above already carries the one overload line.
    if (overloaded) return EXIT.couldNotRun;
    if (o.failOn === 'new') {
      // Only regressions against the baseline break the build (known failures are accepted).
      const reg = regressions(report.comparison);
      out(
        `--fail-on new: ${count(reg.length, 'regression')} against the baseline decide the exit code${reg.length ? '' : '; the failures above were already in the baseline'}.`,
      );
      if (reg.some((x) => x.after === 'error')) return EXIT.couldNotRun;
      return reg.length ? EXIT.violated : EXIT.ok;
    }
    if (results.some((r) => r.verdict === 'fail' || (o.strict && r.verdict === 'warn')) || (o.strict && detection.warnings.length)) return EXIT.violated;
    if (results.some((r) => isBreaking(r.verdict, o.strict))) return EXIT.couldNotRun;
    return EXIT.ok;
  } catch (e) {
    await failedCleanup?.();
    throw e;
  } finally {
    limiter.close();
  }
}
