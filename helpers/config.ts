// Settings of one target, parsed and validated from an environment (dotenv file + process env).
// A value passed around: nothing here reads process.env at import time.
import type { Generation } from './model';

export interface Account {
  email: string;
  password: string;
}

export interface ClientApp {
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  scopes: string[];
}

export interface TargetSettings {
  /** Base URL of the deployment, no trailing slash, credentials stripped (PLACEOS_URL). */
  url: string;
  /** Same deployment under a second authority's domain (PLACEOS_OTHER_AUTHORITY_URL). */
  otherAuthorityUrl?: string;
  /** The public app (backoffice-like). client_id defaults to MD5(redirect_uri) as PlaceOS does. */
  client: ClientApp;
  /** A confidential app (PLACEOS_CONFIDENTIAL_CLIENT_ID / _SECRET / _REDIRECT_URI). */
  confidentialClient?: ClientApp;
  /** An app with extra scopes (PLACEOS_SCOPED_CLIENT_ID / _REDIRECT_URI / _SCOPES). */
  scopedClient?: ClientApp;
  service?: Account;
  user?: Account;
  apiKey?: string;
  apiKeyExpired?: string;
  expiredToken?: string;
  jwtPublicKeyPem?: string;
  ssoId?: string;
  /** PLACEOS_GENERATION: overrides detection. */
  generation?: Generation;
  tls: { caFile?: string; ca?: string; insecure: boolean };
  proxy?: { url: string; noProxy: string[] };
  /** Per-request timeout (PLACEOS_TIMEOUT_MS, default 10000, max 120000). */
  timeoutMs: number;
  /** Retries for transport errors and Retry-After answers (PLACEOS_RETRIES, default 2, max 5). */
  retries: number;
  /** Independent journeys run at once (PLACEOS_CONCURRENCY, default 4). */
  concurrency: number;
  /** Upper bound on requests a run may make (PLACEOS_MAX_REQUESTS, default 2000). */
  maxRequests: number;
  /** True when the target is the embedded reference target (no PLACEOS_URL given). */
  embedded: boolean;
}

export interface SettingError {
  variable: string;
  problem: string;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(readonly errors: SettingError[]) {
    super(errors.map((e) => `${e.variable}: ${e.problem}`).join('\n'));
  }
}
