// Generations of the PlaceOS auth service as data. Every divergence listed in the contract doc
// (docs/contract.md §1, §3, §6) is one named setting here; handlers read these
// settings and never compare profile names.

export type ProfileName = 'rails' | 'rails-2023' | 'authcr';

export interface OAuthErr {
  status: number;
  error: string;
}

export interface Profile {
  name: ProfileName;
  description: string;

  // ---- grants -------------------------------------------------------------------------------
  /** Resource-owner password grant enabled (Rails) or 400 unsupported_grant_type (auth.cr). */
  passwordGrant: boolean;
  /** error_description when the password grant is disabled. */
  passwordGrantDisabledDescription: string;
  /** response_type=token at authorize (Rails enables implicit). */
  implicitGrant: boolean;
  /** client_credentials: Rails inferred to fail with a 500; auth.cr: confidential clients only. */
  clientCredentials: 'server-error' | 'confidential-only';
  /** PKCE: enforced when a challenge was sent (Rails ≥ 2026-06, auth.cr) or silently ignored (Rails 2023–2026). */
  pkce: 'enforced' | 'ignored';
  /** Status for a wrong PKCE verifier (Rails 400 invalid_grant, auth.cr 401). */
  pkceWrongVerifierStatus: number;
  /** Error code of a missing verifier for a PKCE grant. */
  pkceMissingVerifierError: OAuthErr;

  // ---- errors -------------------------------------------------------------------------------
  /** Authorize errors: Doorkeeper HTML page vs JSON. */
  authorizeErrorStyle: 'html' | 'json';
  /** Token endpoint: unknown client / failed client authentication. */
  badClientError: OAuthErr;
  /** Unknown client_id presented with a refresh token. */
  refreshUnknownClientError: OAuthErr;
  /** Token endpoint: redirect_uri differs from the grant's. */
  tokenRedirectMismatchError: OAuthErr;
  /** Authorize: redirect_uri not registered. */
  authorizeRedirectMismatchError: OAuthErr;
  /** Authorize: unknown client_id. */
  authorizeUnknownClientError: OAuthErr;
  /** WWW-Authenticate on token-endpoint errors: on every Doorkeeper error or on 401s only. */
  wwwAuthenticateOn: 'all' | '401';
  /** Missing grant_type: Rails 400 invalid_request; auth.cr 422 (route-level parameter). */
  missingGrantTypeStatus: number;
  /** Token endpoint body formats accepted in addition to query string and form. */
  tokenJsonBody: 'accepted' | 'reject-422';
  /** Token endpoint reads parameters from the query string. */
  tokenReadsQuery: boolean;
  /** redirect_uri comparison: Doorkeeper's parsed-URI matching or exact string. */
  redirectUriMatching: 'doorkeeper' | 'exact';
  /** Rails-only edge cases the doc infers to raise 500 (§10.7). */
  inferredServerErrors: boolean;

  // ---- redirects and sessions -----------------------------------------------------------------
  /** Absolute Location (Rails redirect_to) vs relative (auth.cr). */
  locationStyle: 'absolute' | 'relative';
  /** Authorize without session: 302 to authority.login_url (Rails) or 303 to /auth/login (auth.cr). */
  noSessionAuthorize: { status: number; to: 'login_url' | '/auth/login' };
  /** Authorize without session stores the authorize URL as `continue` in the session cookie (auth.cr). */
  noSessionStoresContinue: boolean;
  /** Authorize checks logged_out_at on the session (Rails only checks cookie expiry). */
  authorizeChecksLoggedOut: boolean;
  /** Session cookie name. */
  sessionCookieName: 'user' | '_placeos_auth_session';
  /** Signin success with continue: status. */
  signinContinueStatus: number;
  /** Signin: parameters also read from the query string. */
  signinReadsQuery: boolean;
  /** Signin: JSON bodies accepted. */
  signinReadsJson: boolean;
  /** Signin failure body: empty (Rails) or JSON (auth.cr). */
  signinFailureBody: 'empty' | 'json';
  /** Signin wrong password with continue: Rails redirects to Referer or /. */
  signinWrongPasswordWithContinue: 'referer-redirect' | 'unauthorized';
  /** Signin without email: 500 (Rails, inferred) or 422 (auth.cr). */
  signinMissingEmailStatus: number;
  /** Logout: status and where the presented bearer is read from. */
  logoutStatus: number;
  logoutRevokesBearerFrom: ('header' | 'param' | 'cookie')[];
  /** /auth/login without continue: 500 (Rails, inferred) or login_url with an empty continue. */
  loginWithoutContinue: 'server-error' | 'empty';

  // ---- token responses ------------------------------------------------------------------------
  createdAtInTokenResponse: boolean;
  refreshTokenFormat: 'opaque' | 'jwt';
  /** revoke-on-use (Doorkeeper with previous_refresh_token) or rotation with a grace window (auth.cr). */
  refreshRotation: 'revoke-on-use' | 'rotate-with-grace';
  refreshGraceSeconds: number;
  /** refresh tokens lifetime in seconds (0 = never expires). */
  refreshTokenSeconds: number;
  codeFormat: 'opaque' | 'jwt';
  jtiFormat: 'uuid' | 'hex64';
  /** `typ: JWT` in the access-token header (Crystal-encoded tokens). */
  jwtTyp: boolean;

  // ---- revoke / introspect / authority ----------------------------------------------------------
  revokeNeedsClient: boolean;
  /**
   * Introspection authorized by a bearer. doorkeeper (token_introspection.rb authorize!, the
   * default allow_token_introspection): a bearer that is no stored token → 400 invalid_request;
   * an unknown token, another app's token or the bearer itself → 401 invalid_token. strict:
   * an invalid bearer → 401 invalid_token, anything else not introspectable → {active:false}.
   */
  introspectByBearer: 'doorkeeper' | 'strict';
  revokeSuccessBody: 'empty-object' | 'empty';
  authorityUnknownBody: 'empty' | 'json';
  /** ?health: 200 empty only for an unknown host (Rails) or always (auth.cr). */
  authorityHealth: 'unknown-host-only' | 'always';
  /** token_valid: DB row exists (Rails, no expiry/revocation check) or a valid JWT / API key (auth.cr). */
  authorityTokenValid: 'db-row' | 'valid-jwt-or-api-key';
  authorityVersion: string;
  /** SSO kick-off without a (known) id: Rails raises (500); auth.cr 404 JSON. */
  ssoMissingIdStatus: number;
  /** Cookie carrying the OAuth state during SSO (Rails session store vs auth.cr's session). */
  ssoStateCookie: string;

  // ---- routes ---------------------------------------------------------------------------------
  discovery: boolean;
  jwks: boolean;
  userinfo: 'sub-only-needs-openid' | 'full' | 'absent';
  healthz: boolean;
  shortAliases: boolean;
  /** grant types advertised in discovery. */
  discoveryGrantTypes: string[];
  discoveryCodeChallengeMethods: string[] | null;
  /** code_challenge_method values authorize accepts when PKCE is enforced (§3.5: Doorkeeper plain+S256, auth.cr S256). */
  pkceMethods: string[];

  // ---- variant settings (hardened / doc-faithful deployments) -------------------------------------
  /** Token endpoint `scope`: Doorkeeper splits on any whitespace (tab, newline) and re-joins; authorize refuses them. */
  tokenScopeSplit: 'any-whitespace' | 'space';
  /** SameSite of the session cookie (PlaceOS: None on purpose, for iframes). */
  sessionCookieSameSite: 'None' | 'Lax';
  /** rest-api asks whether a JWT was revoked (PlaceOS: stateless, a revoked JWT works until exp). */
  restApiChecksRevocation: boolean;
  /** rest-api matches the Authorization scheme case-insensitively (PlaceOS: the literal 'Bearer '). */
  restApiSchemeCaseInsensitive: boolean;
  /** The password grant serves every account (PlaceOS code) or service accounts only (the public doc). */
  passwordGrantAccounts: 'any' | 'service-only';
  /** `continue` with a backslash is refused (PlaceOS passes `/\host`, which auth.cr's relative Location turns into `//host`). */
  continueRefusesBackslash: boolean;
  /** rest-api refuses an expired API key ('API key has expired': models 050044f / rest-api f14c8f4, 2026-06, after the PKCE migration). */
  apiKeyExpiry: boolean;
}

/** What every generation ships today in the settings the hardened and doc-faithful variants change. */
const AS_SHIPPED = {
  sessionCookieSameSite: 'None',
  restApiChecksRevocation: false,
  restApiSchemeCaseInsensitive: false,
  passwordGrantAccounts: 'any',
  continueRefusesBackslash: false,
  apiKeyExpiry: true,
} as const satisfies Partial<Profile>;

const rails: Profile = {
  name: 'rails',
  description: 'Rails + Doorkeeper 5.9 on PostgreSQL after the 2026-06 PKCE migration (OIDC routes present)',
  passwordGrant: true,
  passwordGrantDisabledDescription: '',
  implicitGrant: true,
  clientCredentials: 'server-error',
  pkce: 'enforced',
  pkceWrongVerifierStatus: 400,
  pkceMissingVerifierError: { status: 400, error: 'invalid_request' },
  authorizeErrorStyle: 'html',
  badClientError: { status: 401, error: 'invalid_client' },
  refreshUnknownClientError: { status: 401, error: 'invalid_client' },
  tokenRedirectMismatchError: { status: 400, error: 'invalid_grant' },
  authorizeRedirectMismatchError: { status: 400, error: 'invalid_redirect_uri' },
  authorizeUnknownClientError: { status: 401, error: 'invalid_client' },
  wwwAuthenticateOn: 'all',
  missingGrantTypeStatus: 400,
  tokenJsonBody: 'accepted',
  tokenReadsQuery: true,
  redirectUriMatching: 'doorkeeper',
  inferredServerErrors: true,
  locationStyle: 'absolute',
  noSessionAuthorize: { status: 302, to: 'login_url' },
  noSessionStoresContinue: false,
  authorizeChecksLoggedOut: false,
  sessionCookieName: 'user',
  signinContinueStatus: 302,
  signinReadsQuery: true,
  signinReadsJson: true,
  signinFailureBody: 'empty',
  signinWrongPasswordWithContinue: 'referer-redirect',
  signinMissingEmailStatus: 500,
  logoutStatus: 302,
  logoutRevokesBearerFrom: ['header'],
  loginWithoutContinue: 'server-error',
  createdAtInTokenResponse: true,
  refreshTokenFormat: 'opaque',
  refreshRotation: 'revoke-on-use',
  refreshGraceSeconds: 0,
  refreshTokenSeconds: 0,
  codeFormat: 'opaque',
  jtiFormat: 'uuid',
  jwtTyp: false,
  revokeNeedsClient: true,
  introspectByBearer: 'doorkeeper',
  revokeSuccessBody: 'empty-object',
  authorityUnknownBody: 'empty',
  authorityHealth: 'unknown-host-only',
  authorityTokenValid: 'db-row',
  authorityVersion: 'v2.0.0',
  ssoMissingIdStatus: 500,
  ssoStateCookie: '_coauth_session',
  discovery: true,
  jwks: true,
  userinfo: 'sub-only-needs-openid',
  healthz: false,
  shortAliases: false,
  discoveryGrantTypes: ['authorization_code', 'password', 'client_credentials', 'implicit_oidc', 'refresh_token'],
  discoveryCodeChallengeMethods: null,
  pkceMethods: ['plain', 'S256'],
  tokenScopeSplit: 'any-whitespace',
  ...AS_SHIPPED,
};

const rails2023: Profile = {
  ...rails,
  name: 'rails-2023',
  description: 'Rails + Doorkeeper on PostgreSQL, April 2023 → 2026-06: PKCE silently ignored, no OIDC routes',
  pkce: 'ignored',
  discovery: false,
  jwks: false,
  userinfo: 'absent',
  // API-key expiry came with the June 2026 models/rest-api change, after the PKCE migration.
  apiKeyExpiry: false,
};

const authcr: Profile = {
  name: 'authcr',
  description: 'auth.cr (Crystal, authly): no password/implicit grant, JSON errors, _placeos_auth_session, JWT refresh tokens',
  passwordGrant: false,
  passwordGrantDisabledDescription: 'the password grant has been disabled',
  implicitGrant: false,
  clientCredentials: 'confidential-only',
  pkce: 'enforced',
  pkceWrongVerifierStatus: 401,
  pkceMissingVerifierError: { status: 400, error: 'invalid_request' },
  authorizeErrorStyle: 'json',
  badClientError: { status: 401, error: 'unauthorized_client' },
  refreshUnknownClientError: { status: 400, error: 'invalid_scope' },
  tokenRedirectMismatchError: { status: 400, error: 'invalid_redirect_uri' },
  authorizeRedirectMismatchError: { status: 401, error: 'unauthorized_client' },
  authorizeUnknownClientError: { status: 401, error: 'unauthorized_client' },
  wwwAuthenticateOn: '401',
  missingGrantTypeStatus: 422,
  tokenJsonBody: 'reject-422',
  tokenReadsQuery: true,
  redirectUriMatching: 'exact',
  inferredServerErrors: false,
  locationStyle: 'relative',
  noSessionAuthorize: { status: 303, to: '/auth/login' },
  noSessionStoresContinue: true,
  authorizeChecksLoggedOut: true,
  sessionCookieName: '_placeos_auth_session',
  signinContinueStatus: 303,
  signinReadsQuery: false,
  signinReadsJson: true,
  signinFailureBody: 'json',
  signinWrongPasswordWithContinue: 'unauthorized',
  signinMissingEmailStatus: 422,
  logoutStatus: 302,
  logoutRevokesBearerFrom: ['header', 'param', 'cookie'],
  loginWithoutContinue: 'empty',
  createdAtInTokenResponse: false,
  refreshTokenFormat: 'jwt',
  refreshRotation: 'rotate-with-grace',
  refreshGraceSeconds: 2,
  refreshTokenSeconds: 30 * 24 * 3600,
  codeFormat: 'jwt',
  jtiFormat: 'hex64',
  jwtTyp: true,
  revokeNeedsClient: false,
  introspectByBearer: 'strict',
  revokeSuccessBody: 'empty',
  authorityUnknownBody: 'json',
  authorityHealth: 'always',
  authorityTokenValid: 'valid-jwt-or-api-key',
  authorityVersion: 'v2.0.0',
  ssoMissingIdStatus: 404,
  ssoStateCookie: '_placeos_auth_sso',
  discovery: true,
  jwks: true,
  userinfo: 'full',
  healthz: true,
  shortAliases: true,
  discoveryGrantTypes: ['authorization_code', 'client_credentials', 'refresh_token'],
  discoveryCodeChallengeMethods: ['S256'],
  pkceMethods: ['S256'],
  tokenScopeSplit: 'space',
  ...AS_SHIPPED,
};

export const PROFILES: Readonly<Record<ProfileName, Readonly<Profile>>> = {
  rails,
  'rails-2023': rails2023,
  authcr,
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

// ---- variants --------------------------------------------------------------------------------------
// A variant is the same generation deployed differently. `standard` is PlaceOS as it ships.
// `hardened` is stronger than documented wherever the contract allows (the suite must pass it:
// the ledger's entries are then reported as no longer happening). `doc-faithful` follows the public
// doc where the code is laxer (password grant for service accounts only).

export type VariantName = 'standard' | 'hardened' | 'doc-faithful';
export const VARIANT_NAMES: readonly VariantName[] = ['standard', 'hardened', 'doc-faithful'];

export interface Variant {
  description: string;
  profile: (p: Profile) => Partial<Profile>;
  /** Access-token lifetime in seconds, when the variant sets one. */
  accessTokenSeconds?: number;
}

export const VARIANTS: Readonly<Record<VariantName, Variant>> = {
  standard: { description: 'as PlaceOS ships', profile: () => ({}) },
  hardened: {
    description:
      'hardened: rest-api checks revocation and reads the scheme case-insensitively, PKCE S256 only, no implicit grant, SameSite=Lax session cookie, 1 h access tokens, no backslash in continue',
    profile: (p) => ({
      restApiChecksRevocation: true,
      restApiSchemeCaseInsensitive: true,
      implicitGrant: false,
      pkceMethods: ['S256'],
      sessionCookieSameSite: 'Lax',
      continueRefusesBackslash: true,
      discoveryGrantTypes: p.discoveryGrantTypes.filter((g) => g !== 'implicit_oidc'),
    }),
    accessTokenSeconds: 3600,
  },
  'doc-faithful': {
    description: 'doc-faithful: the password grant is for service accounts only, as the public doc says',
    profile: () => ({ passwordGrantAccounts: 'service-only' }),
  },
};

export function getProfile(name: string, variant: string = 'standard'): Profile {
  if (!(name in PROFILES)) {
    throw new Error(`unknown profile "${name}"; valid profiles: ${PROFILE_NAMES.join(', ')}`);
  }
  if (!(VARIANT_NAMES as readonly string[]).includes(variant)) {
    throw new Error(`unknown variant "${variant}"; valid variants: ${VARIANT_NAMES.join(', ')}`);
  }
  const base = PROFILES[name as ProfileName];
  const v = VARIANTS[variant as VariantName];
  if (variant === 'standard') return base;
  return { ...base, ...v.profile(base), description: `${base.description}; ${v.description}` };
}
