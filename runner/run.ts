// One run against one resolved target: settings → preflight and generation → every selected
// check in this process (engine runCases) → reports → exit code. Loaded by runner/main.ts while
// the embedded target starts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseSettings } from '../helpers/config';
import { createRunEnv, isBreaking, revokeMinted, runCases, selectCases } from './engine';
import type { Selection } from './engine';
import { SUITES } from '../specs';
import type { Suite } from '../specs';
import type { CaseResult } from '../helpers/model';
import { TransportError } from '../helpers/http-errors';
import { emptyLedger, loadLedger } from './ledger';
import { createSchemaRegistry } from '../helpers/schemas';
import type { createSecretRegistry } from '../helpers/secrets';
import { finalizeReports, collectCiMeta, isoWithOffset, writeEvidence } from './report';
import type { RunMeta } from './report';
import { toJestResults, writeJestJunit } from './report/jest-junit';
import { areaProgress } from './progress';
import { shardOf, UsageError } from './args';
import type { RunOptions } from './args';
import { applyOverride, detectGeneration } from './detect';
import { contractDifferences } from '../helpers/generations';
import { AimdLimiter } from '../helpers/http-limiter';
import { regressions } from './report/baseline';
import type { Baseline } from './report/baseline';
import { PACKAGE_ROOT as ROOT } from '../helpers/package-root';
import { EXIT } from './exit';
import type { Target } from './target';
import { prepareReportsDir } from './target';

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
  o: RunOptions;
  env: Readonly<Record<string, string | undefined>>;
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
}

/** The exit code of one run (EXIT); throws what the caller reports as "could not run". */
export async function runContract(input: RunInput): Promise<number> {
  const { o, env, target, secrets, runId, startedAt, baseline, out, log } = input;
  const tables: NonNullable<RunInput['suites']> = input.suites ?? SUITES;
  // Asking for the credentials-in-url checks by tag enables them.
  if (o.tags.includes('credentials-in-url')) target.env.PLACEOS_CREDENTIALS_IN_URL = 'true';
  const settings = parseSettings(target.env, { embedded: target.embedded, fromProcess: target.fromProcess });
  const schemas = createSchemaRegistry();
  // One bound on requests in flight for the whole run: detection, the checks, their cleanup.
  const limiter = new AimdLimiter({ max: settings.concurrency, timeoutMs: settings.timeoutMs, maxRequests: settings.maxRequests });
  try {
    const run = createRunEnv({
      settings,
      generation: o.generation ?? settings.generationOverride ?? 'rails',
      ledger: emptyLedger('rails'),
      secrets,
      schemas,
      readonly: o.readonly,
      gate: limiter,
    });
    for (const w of settings.warnings ?? []) out(`WARNING: ${w}`);
    const override = o.generation ?? settings.generationOverride;
    const detection = applyOverride(await detectGeneration(run, override), override, contractDifferences);
    log(`target ${settings.url}: ${detection.generation} (${detection.source}; ${detection.reasons.join('; ')})`);
    // Already overloaded by the few requests of detection: stop here, with the one line.
    const overloadedEarly = limiter.stats().overloaded;
    if (overloadedEarly) throw new TransportError(overloadedEarly, 'OVERLOAD');
    // Detection's own tokens are revoked while the checks run.
    const detectionCleanup = revokeMinted(run);
    const ledger = o.noLedger ? emptyLedger(detection.generation) : loadLedger(detection.generation, o.ledger ?? env.PLACEOS_LEDGER);

    const selection: Selection | undefined = o.tags.length || o.ids.length || o.readonly ? { tags: o.tags, ids: o.ids, readonly: o.readonly } : undefined;
    // --shard i/n without a fleet: a stable part of the areas (combine the parts with `merge`).
    const planned = shardOf(
      tables.map((s) => ({ area: s.area, ids: selectCases(s.cases, selection).map((c) => c.id) })).filter((s) => s.ids.length > 0),
      o.shard,
    );
    if (!planned.length && o.shard)
      throw new UsageError(`--shard ${o.shard.index}/${o.shard.total}: this part holds no area with a selected check; use fewer parts`);
    if (!planned.length)
      throw new UsageError(`the selection (--only ${o.ids.join(',') || '-'}, --tags ${o.tags.join(',') || '-'}) matches no check; see --list`);

    input.onPlan?.(planned);
    const reportsDir = prepareReportsDir(path.resolve(o.reportsDir));
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
    });
    const suites = planned.map((p) => ({ area: p.area, cases: selectCases(tables.find((s) => s.area === p.area)!.cases, selection) }));
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
    });
    await detectionCleanup;
    // Nothing more goes to the target: the embedded one closes (in its thread) while the reports are written.
    target.close().catch(() => undefined);
    const { revoked, failed: notRevoked } = checks.cleanup;
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
      suiteVersion: (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
      suiteCommit: gitCommit(),
      schemaDigest: schemas.digest(),
      target: settings.url,
      otherAuthority: settings.otherAuthorityUrl,
      embedded: target.embedded,
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
      selection: selection || o.shard ? JSON.stringify({ ...selection, ...(o.shard ? { shard: `${o.shard.index}/${o.shard.total}` } : {}) }) : undefined,
      ci: collectCiMeta(env),
      requestCount: run.budget.used + checks.budget.used + revoked + notRevoked,
      requestsByArea,
      load: limiter.stats(),
    };
    const report = finalizeReports({ reportsDir, results, meta, env, fingerprints, signingKeyPem: env.PLACEOS_REPORT_SIGNING_KEY, baseline, evidence });
    out(secrets.mask(report.console));
    out(
      `Cleanup: ${revoked} revocation(s) of the run's tokens accepted${notRevoked ? `, ${notRevoked} refused or failed (those tokens live until they expire)` : ''}.`,
    );
    if (report.secretHits.length) {
      for (const h of report.secretHits)
        out(`SECRET LEAK: ${h.count} registered ${h.kind} value(s) found in ${path.join(o.reportsDir, h.file)} (the file was withheld from the reports)`);
      return EXIT.secretLeak;
    }
    const overloaded = limiter.stats().overloaded;
    // The summary above already carries the one overload line.
    if (overloaded) return EXIT.couldNotRun;
    if (o.failOn === 'new') {
      // Only regressions against the baseline break the build (known failures are accepted).
      const reg = regressions(report.comparison);
      out(
        `--fail-on new: ${reg.length} regression(s) against the baseline decide the exit code${reg.length ? '' : '; the failures above were already in the baseline'}.`,
      );
      if (reg.some((x) => x.after === 'error')) return EXIT.couldNotRun;
      return reg.length ? EXIT.violated : EXIT.ok;
    }
    if (results.some((r) => r.verdict === 'fail' || (o.strict && r.verdict === 'warn')) || (o.strict && detection.warnings.length)) return EXIT.violated;
    if (results.some((r) => isBreaking(r.verdict, o.strict))) return EXIT.couldNotRun;
    return EXIT.ok;
  } finally {
    limiter.close();
  }
}
