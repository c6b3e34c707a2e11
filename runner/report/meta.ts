// Run metadata recorded in every report (JUnit properties, summaries, results.json) and the
// CI identifiers an auditor needs to find the job again. Pure functions over plain data.
import type { LimiterStats } from '../../helpers/http-limiter';

export interface RunMeta {
  runId: string;
  suiteVersion: string;
  suiteCommit?: string;
  /** Digest of the schema bundle the run validated against (e.g. `sha256:…`). */
  schemaDigest: string;
  /** Base URL of the deployment, credentials stripped. */
  target: string;
  otherAuthority?: string;
  embedded: boolean;
  /** Why the embedded target was checked: asked for, or nothing named a deployment. */
  embeddedReason?: 'asked' | 'nothing-configured';
  /** The deviation ledger the run used, as the reports name it. */
  ledger?: string;
  referenceProfile?: string;
  mutants?: string[];
  generation: string;
  generationSource: 'detected' | 'override';
  /** How the generation was determined (probes and their answers, or the override). */
  generationReasons?: string[];
  /** Any version the deployment exposes (e.g. authority.version). */
  deploymentVersion?: string;
  /**
   * Run-level warnings, in the headline of every report (e.g. the generation was inferred from the
   * behaviour its ledger then excuses). `--strict` fails the run on them.
   */
  warnings?: string[];
  /** ISO 8601 with a time-zone designator. */
  startedAt: string;
  endedAt: string;
  node: string;
  /** The version of jest-junit, which wrote junit.xml. */
  jestJunit: string;
  strict: boolean;
  /** The selection in words (`--only security-bearer · --skip …`; runner/plan.ts describeSelection); absent for a whole run. */
  selection?: string;
  /** From collectCiMeta(). */
  ci: Record<string, string>;
  requestCount: number;
  requestsByArea?: Record<string, number>;
  /** The deployment's latency, and whether the run throttled itself (helpers/http-limiter.ts). */
  load?: LimiterStats;
  /**
   * Why the run did not end normally (e.g. "interrupted by SIGTERM"): the bundle is incomplete,
   * results.json says `"complete": false`, every summary says INCOMPLETE.
   */
  incomplete?: string;
  /** The revocations of the run's tokens: accepted, and not revoked (refused, failed or out of time). */
  cleanup?: { revoked: number; notRevoked: number };
}

/** Removes user-info (`user:pass@`) from a URL; leaves non-URLs unchanged. */
export function stripCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//');
  }
}

/** ISO 8601 with milliseconds and the local UTC offset (`2025-01-31T10:00:00.000+01:00`). */
export function isoWithOffset(date: Date, offsetMinutes = -date.getTimezoneOffset()): string {
  const shifted = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${shifted.toISOString().slice(0, -1)}${sign}${hh}:${mm}`;
}

/** True when an ISO 8601 date-time string carries `Z` or a `±hh:mm` offset. */
export function hasZone(iso: string): boolean {
  return /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(iso);
}

/**
 * CI identifiers from the environment: only a fixed allow-list of non-secret variables is read
 * (never CI_JOB_TOKEN, GITHUB_TOKEN...); URLs are stripped of credentials.
 */
export function collectCiMeta(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (key: string, ...values: (string | undefined)[]) => {
    const v = values.find((x) => x !== undefined && x.trim() !== '');
    if (v !== undefined) out[key] = /^https?:\/\//i.test(v) ? stripCredentials(v.trim()) : v.trim();
  };
  const gitlab = !!env.GITLAB_CI || !!env.CI_JOB_ID;
  const github = env.GITHUB_ACTIONS === 'true' || !!env.GITHUB_RUN_ID;
  const jenkins = !!env.JENKINS_URL || !!env.BUILD_URL;
  set('ci_system', gitlab ? 'gitlab' : github ? 'github-actions' : jenkins ? 'jenkins' : env.CI ? 'unknown' : undefined);
  // GitLab
  set('ci_job_url', env.CI_JOB_URL);
  set('ci_job_id', env.CI_JOB_ID);
  set('ci_job_name', env.CI_JOB_NAME);
  set('ci_pipeline_id', env.CI_PIPELINE_ID);
  set('ci_pipeline_url', env.CI_PIPELINE_URL);
  set('ci_project', env.CI_PROJECT_PATH);
  // GitHub Actions
  set('github_run_id', env.GITHUB_RUN_ID);
  set('github_run_attempt', env.GITHUB_RUN_ATTEMPT);
  set('github_workflow', env.GITHUB_WORKFLOW);
  set('github_repository', env.GITHUB_REPOSITORY);
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    set('github_run_url', `${env.GITHUB_SERVER_URL.replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`);
  }
  // Jenkins
  set('jenkins_build_url', env.BUILD_URL);
  set('jenkins_build_number', env.BUILD_NUMBER);
  set('jenkins_job_name', env.JOB_NAME);
  // Common
  set('ci_commit', env.CI_COMMIT_SHA, env.GITHUB_SHA, env.GIT_COMMIT);
  set('ci_ref', env.CI_COMMIT_REF_NAME, env.GITHUB_REF_NAME, env.BRANCH_NAME, env.GIT_BRANCH);
  set('runner_host', env.CI_RUNNER_DESCRIPTION, env.RUNNER_NAME, env.NODE_NAME, env.HOSTNAME);
  set('actor', env.GITLAB_USER_LOGIN, env.GITHUB_ACTOR, env.BUILD_USER_ID);
  return out;
}

/** RunMeta as flat snake_case name/value pairs, in a stable order (JUnit properties, tables). */
export function metaProperties(meta: RunMeta): [string, string][] {
  const rows: [string, string | undefined][] = [
    ['run_id', meta.runId],
    ['target', stripCredentials(meta.target)],
    ['other_authority', meta.otherAuthority && stripCredentials(meta.otherAuthority)],
    ['embedded', String(meta.embedded)],
    [
      'target_kind',
      meta.embedded
        ? `embedded reference target (${meta.embeddedReason === 'asked' ? 'asked for' : 'nothing named a deployment'}), not a deployment`
        : 'deployment',
    ],
    ['ledger', meta.ledger],
    ['reference_profile', meta.referenceProfile],
    ['mutants', meta.mutants && meta.mutants.length ? meta.mutants.join(',') : undefined],
    ['generation', meta.generation],
    ['generation_source', meta.generationSource],
    ['generation_reasons', meta.generationReasons?.join('; ')],
    ['deployment_version', meta.deploymentVersion],
    ['warning', meta.warnings?.length ? meta.warnings.join(' | ') : undefined],
    ['suite_version', meta.suiteVersion],
    ['suite_commit', meta.suiteCommit],
    ['schema_digest', meta.schemaDigest],
    ['started_at', meta.startedAt],
    ['ended_at', meta.endedAt],
    ['node', meta.node],
    ['jest_junit', meta.jestJunit],
    ['strict', String(meta.strict)],
    ['selection', meta.selection],
    ['request_count', String(meta.requestCount)],
    ['complete', String(!meta.incomplete)],
    ['incomplete_reason', meta.incomplete],
    ['tokens_not_revoked', meta.cleanup && String(meta.cleanup.notRevoked)],
    ['latency_p50_ms', meta.load?.latency && String(meta.load.latency.p50Ms)],
    ['latency_p95_ms', meta.load?.latency && String(meta.load.latency.p95Ms)],
    ['latency_max_ms', meta.load?.latency && String(meta.load.latency.maxMs)],
    ['throttled', meta.load && String(meta.load.throttled)],
  ];
  for (const [k, v] of Object.entries(meta.requestsByArea ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    rows.push([`requests.${k}`, String(v)]);
  }
  for (const [k, v] of Object.entries(meta.ci).sort(([a], [b]) => a.localeCompare(b))) rows.push([k, v]);
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
}
