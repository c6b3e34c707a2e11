// Credentials checked first: before any check, each configured account signs in once and each
// configured client with a secret redeems one code, as the checks will use them. A refusal that
// can only mean a wrong setting (401/403 at signin, invalid_client at the token endpoint) stops the
// run with one line naming the variable (exit 2), instead of a cascade of failures and findings
// drawn from them. Anything else (a 5xx, a redirect without a code...) is left to the checks,
// which judge it: a correct deployment must never be refused here. The tokens minted go to the
// run's cleanup queue (run.minted). A read-only run does not sign in, so it checks nothing here.
import type { Account, ClientApp } from '../helpers/config';
import { authorize, exchangeCode, signIn } from '../helpers/flows';
import { PreflightError } from '../helpers/http-errors';
import { oauthError } from '../helpers/kit/read';
import { pkcePair } from '../helpers/pkce';
import type { Exchange, Finding } from '../helpers/model';
import type { RunEnv } from './run-env';
import { createCaseContext } from './engine';

/** A configured credential the deployment refused: the one line names the variable to fix. */
export class CredentialError extends PreflightError {
  override name = 'CredentialError';
}

/** The accounts the checks sign in with, and the variables that configure them. */
const ACCOUNTS = [
  { key: 'user', email: 'PLACEOS_USER_EMAIL', password: 'PLACEOS_USER_PASSWORD' },
  { key: 'service', email: 'PLACEOS_SERVICE_EMAIL', password: 'PLACEOS_SERVICE_PASSWORD' },
  { key: 'logoutAccount', email: 'PLACEOS_LOGOUT_EMAIL', password: 'PLACEOS_LOGOUT_PASSWORD' },
] as const;

/** The clients with a secret the checks redeem codes with, and the variables that configure them. */
const CLIENTS = [
  { key: 'client', id: 'PLACEOS_CLIENT_ID', secret: 'PLACEOS_CLIENT_SECRET' },
  { key: 'confidentialClient', id: 'PLACEOS_CONFIDENTIAL_CLIENT_ID', secret: 'PLACEOS_CONFIDENTIAL_CLIENT_SECRET' },
  { key: 'scopedClient', id: 'PLACEOS_SCOPED_CLIENT_ID', secret: 'PLACEOS_SCOPED_CLIENT_SECRET' },
] as const;

/** Signin statuses that can only mean the account's email or password is wrong. */
const REFUSED = new Set([401, 403]);

/** Tries every configured account and client with a secret once; throws CredentialError on a refusal. */
export async function checkCredentials(run: RunEnv): Promise<void> {
  if (run.readonly) return;
  const exchanges: Exchange[] = [];
  const findings: Finding[] = [];
  const t = createCaseContext(run, exchanges, findings);
  const s = run.settings;
  let signedIn: { account: Account; session: ReturnType<typeof t.client> } | undefined;
  for (const a of ACCOUNTS) {
    const account = s[a.key];
    if (!account) continue;
    const session = t.client(`credentials-${a.key}`);
    const res = await signIn(t, session, account);
    if (REFUSED.has(res.status)) throw new CredentialError(`signin as ${a.email} refused (${res.status}): check ${a.password}`);
    // The clients redeem codes for the normal user (else the service account), as the checks do.
    const ok = res.status === 202 || (res.status >= 300 && res.status < 400);
    if (ok && a.key !== 'logoutAccount' && !signedIn) signedIn = { account, session };
  }
  if (!signedIn) return;
  for (const c of CLIENTS) {
    const app: ClientApp | undefined = s[c.key];
    if (!app?.clientSecret) continue;
    const pair = pkcePair('S256');
    const auth = await authorize(t, signedIn.session, { app, codeChallenge: pair.challenge, codeChallengeMethod: 'S256' });
    const code = auth.location?.searchParams.get('code');
    if (auth.status < 300 || auth.status >= 400 || !code) continue;
    const res = await exchangeCode(t, t.client(`credentials-${c.key}`), { code, app, verifier: pair.verifier });
    const e = oauthError(res);
    if (e.error === 'invalid_client')
      throw new CredentialError(`the token endpoint refused ${c.id} with its secret (${e.status} invalid_client): check ${c.secret}`);
  }
}
