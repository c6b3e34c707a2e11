// Which checks apply and which are selected: the settings a check needs (an `n/a` reason naming
// the variables when they are not set), its generations, and the run's selection (--tags, --only,
// --skip, --readonly). Pure functions of the run's settings and the tables.
import type { ContractCase } from '../helpers/case';
import type { TargetSettings } from '../helpers/config';
import type { Generation, SettingName, Tag } from '../helpers/model';

/** Environment variables that provide each optional setting, for n/a reasons. */
const SETTING_VARIABLES: Record<SettingName, string> = {
  service: 'PLACEOS_SERVICE_EMAIL and PLACEOS_SERVICE_PASSWORD',
  user: 'PLACEOS_USER_EMAIL and PLACEOS_USER_PASSWORD',
  clientSecret: 'PLACEOS_CLIENT_SECRET',
  confidentialClient: 'PLACEOS_CONFIDENTIAL_CLIENT_ID and PLACEOS_CONFIDENTIAL_CLIENT_SECRET',
  scopedClient: 'PLACEOS_SCOPED_CLIENT_ID and PLACEOS_SCOPED_CLIENT_SCOPES',
  apiKey: 'PLACEOS_API_KEY',
  apiKeyExpired: 'PLACEOS_API_KEY_EXPIRED',
  expiredToken: 'PLACEOS_EXPIRED_TOKEN',
  jwtPublicKey: 'PLACEOS_JWT_PUBLIC_KEY_FILE',
  jwtSigningKey: "PLACEOS_JWT_SIGNING_KEY_FILE (the deployment's RS256 private key, for a test deployment whose key you control)",
  ssoId: 'PLACEOS_SSO_ID',
  ssoAccount: 'PLACEOS_SSO_USERNAME and PLACEOS_SSO_PASSWORD (a test account at the identity provider, signed in through its login form)',
  otherAuthorityUrl: 'PLACEOS_OTHER_AUTHORITY_URL',
  codeLifetime: 'PLACEOS_CODE_LIFETIME_SECONDS (at most 120; the run waits for a code to expire)',
  logoutAccount: 'PLACEOS_LOGOUT_EMAIL and PLACEOS_LOGOUT_PASSWORD (an account of its own: logout ends all its sessions and tokens)',
};

function hasSetting(s: TargetSettings, name: SettingName): boolean {
  switch (name) {
    case 'service':
      return !!s.service;
    case 'user':
      return !!s.user;
    case 'clientSecret':
      return !!s.client.clientSecret;
    case 'confidentialClient':
      return !!s.confidentialClient?.clientSecret;
    case 'scopedClient':
      return !!s.scopedClient;
    case 'apiKey':
      return !!s.apiKey;
    case 'apiKeyExpired':
      return !!s.apiKeyExpired;
    case 'expiredToken':
      return !!s.expiredToken;
    case 'jwtPublicKey':
      return !!s.jwtPublicKeyPem;
    case 'jwtSigningKey':
      return !!s.jwtSigningKeyPem;
    case 'ssoId':
      return !!s.ssoId;
    case 'ssoAccount':
      return !!s.ssoAccount;
    case 'otherAuthorityUrl':
      return !!s.otherAuthorityUrl;
    case 'codeLifetime':
      return !!s.codeLifetimeSeconds;
    case 'logoutAccount':
      return !!s.logoutAccount;
  }
}

/** Why a case does not apply to this run, or undefined when it does. */
export function notApplicableReason(run: { settings: TargetSettings; generation: Generation }, c: ContractCase): string | undefined {
  if (c.generations && !c.generations.includes(run.generation)) {
    return `applies to ${c.generations.join(', ')}; this deployment is ${run.generation}`;
  }
  if (c.tags.includes('credentials-in-url') && !run.settings.credentialsInUrl) {
    return "sends a live password, client secret or API key in the URL (the public doc's style), where access logs keep it: enable with PLACEOS_CREDENTIALS_IN_URL=true or --tags credentials-in-url, for dedicated accounts only";
  }
  const missing = (c.needs ?? []).filter((n) => !hasSetting(run.settings, n));
  if (missing.length) return `needs ${missing.map((n) => SETTING_VARIABLES[n]).join('; ')} (not set)`;
  return undefined;
}

export interface Selection {
  /** Keep cases carrying at least one of these tags. */
  tags?: Tag[];
  /** Keep cases whose id or one of whose requirement IDs starts with one of these. */
  ids?: string[];
  /** Leave out cases whose id or one of whose requirement IDs starts with one of these (--skip). */
  skip?: string[];
  /**
   * Read-only run: no state change on the deployment beyond minting and revoking the run's own
   * tokens. Enforced per request (see READONLY_REFUSED), not by tags: a case that would sign in,
   * log out or complete an SSO login becomes `n/a` saying so.
   */
  readonly?: boolean;
}

const matches = (c: ContractCase, prefixes: readonly string[]): boolean =>
  prefixes.some((p) => c.id.startsWith(p) || c.requirements.some((r) => r.startsWith(p)));

export function selectCases(cases: readonly ContractCase[], sel: Selection | undefined): ContractCase[] {
  if (!sel) return [...cases];
  return cases.filter(
    (c) =>
      (!sel.tags?.length || c.tags.some((t) => sel.tags!.includes(t))) &&
      (!sel.ids?.length || matches(c, sel.ids)) &&
      !(sel.skip?.length && matches(c, sel.skip)),
  );
}
