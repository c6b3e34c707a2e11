// The run's cleanup: the tokens its checks minted, revoked at the deployment's revocation endpoint
// a few at a time, within the run's one bound on requests in flight, on a request budget of their
// own; after an interrupt, within a time bound.
import { createHttpClient, RequestBudget } from '../helpers/http';
import { mapPool } from './pool';
import { caseSecrets, type RunEnv } from './run-env';

/** Resolves (with nothing) at `until` (epoch ms); its timer does not hold the process. */
function timeUp(until: number): Promise<undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), Math.max(0, until - Date.now()));
    t.unref?.();
  });
}

/**
 * Revoke the tokens of the run's ended cases (gentle on live deployments), a few at a time. Failures are
 * counted, not thrown: cleanup must not turn a verdict. Revoking does not end a JWT's life at
 * rest-api (contract doc §6.6), but it does kill the refresh token. `until` (epoch ms) bounds the
 * cleanup (after an interrupt): a revocation not answered by then counts as failed.
 */
export async function revokeMinted(run: RunEnv, o: { until?: number } = {}): Promise<{ revoked: number; failed: number }> {
  const jobs = run.minted.splice(0).flatMap((tok) =>
    (
      [
        [tok.refreshToken, 'refresh_token'],
        [tok.accessToken, 'access_token'],
      ] as const
    )
      .filter((p): p is [string, 'refresh_token' | 'access_token'] => !!p[0])
      .map(([token, hint]) => ({ tok, token, hint })),
  );
  // Masking with just these tokens (and the configured secrets) stays fast however many the run minted.
  const secrets = caseSecrets(run);
  for (const { token, hint } of jobs) secrets.add(token, hint);
  // Cleanup has a budget of its own: an area that used up PLACEOS_MAX_REQUESTS still revokes.
  const client = createHttpClient({
    baseUrl: run.settings.url,
    settings: run.settings,
    journey: 'cleanup',
    secrets,
    budget: new RequestBudget(jobs.length * (run.settings.retries + 1) + 1),
    gate: run.gate,
    permitKind: 'cleanup',
  });
  let revoked = 0;
  let failed = 0;
  await mapPool(jobs, run.settings.concurrency, async ({ tok, token, hint }) => {
    const form: Record<string, string> = { token, token_type_hint: hint };
    if (tok.clientId) form.client_id = tok.clientId;
    if (tok.clientSecret) form.client_secret = tok.clientSecret;
    if (o.until !== undefined && Date.now() >= o.until) {
      failed++;
      return;
    }
    try {
      const post = client.post(new URL('/auth/oauth/revoke', tok.baseUrl).toString(), { form, noCookies: true });
      const res = o.until === undefined ? await post : await Promise.race([post, timeUp(o.until)]);
      if (res?.status === 200) revoked++;
      else failed++;
    } catch {
      failed++;
    }
  });
  run.cleanup.revoked += revoked;
  run.cleanup.failed += failed;
  return { revoked, failed };
}
