// The resolved settings of one target: a plain JSON value, built once by parseSettings and handed
// to every part of a run.
import type { ValuesOf } from './declare';
import type { DIRECT } from './declaration';

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

type DirectValues = ValuesOf<typeof DIRECT>;

/** `DIRECT` settings appear under their key (timeoutMs, retries, generationOverride...); the rest is composed. */
export interface TargetSettings extends DirectValues {
  /** Base URL of the deployment, no trailing slash, credentials stripped (PLACEOS_URL). */
  url: string;
  /** The public app (backoffice-like). client_id defaults to MD5(redirect_uri) as PlaceOS does. */
  client: ClientApp;
  /** A confidential app (PLACEOS_CONFIDENTIAL_CLIENT_ID / _SECRET / _REDIRECT_URI). */
  confidentialClient?: ClientApp;
  /** An app with extra scopes (PLACEOS_SCOPED_CLIENT_ID / _REDIRECT_URI / _SCOPES). */
  scopedClient?: ClientApp;
  service?: Account;
  user?: Account;
  /**
   * An account of its own that the run may log out (PLACEOS_LOGOUT_EMAIL / _PASSWORD): PlaceOS
   * logout is global, it ends every session and every earlier token of the account, so the run
   * never does it to the service or user account.
   */
  logoutAccount?: Account;
  /**
   * A test account at the SSO identity provider (PLACEOS_SSO_USERNAME / PLACEOS_SSO_PASSWORD): the
   * run completes the SSO login through the IdP's login form with it; without it that login is n/a.
   */
  ssoAccount?: { username: string; password: string };
  jwtPublicKeyPem?: string;
  /**
   * The deployment's RS256 private key (PLACEOS_JWT_SIGNING_KEY_FILE), of a test deployment whose
   * key the operator controls: the checks that need a token the deployment's key signed (crit,
   * nbf, iat) sign with it. A secret: settingsSecrets registers it.
   */
  jwtSigningKeyPem?: string;
  tls: { caFile?: string; ca?: string; insecure: boolean };
  proxy?: { url: string; noProxy: string[] };
  /** True when the target is the embedded reference target (no PLACEOS_URL given). */
  embedded: boolean;
  /** Things the run should print on every run (insecure TLS, ignored variables...). Never secret. */
  warnings?: string[];
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

export type Problem = (variable: string, text: string) => void;
