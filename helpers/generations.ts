// What each generation of the PlaceOS auth service promises, in one table (contract doc §1, §3,
// §4, §9). Cases read these facts instead of testing the generation name, so a new generation
// is a new row here, not a hunt through the specs.
import type { Generation } from './model';

export interface GenerationContract {
  generation: Generation;
  /** Human label used in reports. */
  label: string;
  /** §3.6: grant_type=password is served. */
  passwordGrant: boolean;
  /** §3.5: response_type=token is served. */
  implicitGrant: boolean;
  /** §6.1: a wrong or missing verifier is refused for a grant that carried a challenge. */
  pkceEnforced: boolean;
  /** §3.5: `plain` is an accepted code_challenge_method. */
  pkcePlain: boolean;
  /** §3.6: the token endpoint accepts a JSON body (Rails) or answers 422 (auth.cr). */
  tokenJsonBody: boolean;
  /** §3.1: signin reads credentials from the query string. */
  signinReadsQuery: boolean;
  /** §4.1: `created_at` is in the token response. */
  tokenCreatedAt: boolean;
  /** §5: the session cookie the signin sets. */
  sessionCookie: 'user' | '_placeos_auth_session';
  /** §3.1: status of a successful signin with `continue`. */
  signinContinueStatus: number;
  /** §3.5: authorize without a session: status, and whether it goes to authority.login_url or /auth/login. */
  noSessionRedirect: { statuses: number[]; to: 'login_url' | '/auth/login' };
  /** §4.3: authorize errors are Doorkeeper's HTML page or JSON. */
  authorizeErrors: 'html' | 'json';
  /** §3.5/§6.2: status and error of an unregistered redirect_uri at authorize. */
  authorizeBadRedirect: { status: number; error?: string };
  /** §4.2: error codes that differ between generations. */
  errors: {
    unknownClient: { status: number; error: string };
    redirectMismatchAtToken: { status: number; error: string };
    wrongVerifier: { status: number; error?: string };
    missingVerifier: { status: number; error?: string };
    wrongPassword: { status: number; error: string };
  };
  /** §3.7: revoke needs client identification; body of a successful revoke. */
  revoke: { needsClient: boolean; body: 'empty-object' | 'empty' };
  /** §3.10: discovery, JWKS and userinfo routes exist. */
  oidc: boolean;
  /** §1: /auth/healthz answers 200. */
  healthz: boolean;
  /** §6.5: refresh tokens are opaque (Rails) or JWTs with rotation (auth.cr). */
  refreshTokens: 'opaque' | 'jwt';
  /** §3.3: logout redirect statuses. */
  logoutStatuses: number[];
  /** §3.4: `token_valid` in /auth/authority also reflects X-API-Key. */
  authorityTokenValidForApiKey: boolean;
  /**
   * How a refused SSO callback ends: Rails (omniauth) redirects to /auth/failure; auth.cr answers
   * a state mismatch with 401 and an IdP error with a 400 JSON, or redirects to /auth/failure.
   */
  ssoRefusal: 'failure-redirect' | 'failure-redirect-or-4xx';
}

const railsBase: Omit<GenerationContract, 'generation' | 'label' | 'pkceEnforced' | 'oidc'> = {
  passwordGrant: true,
  implicitGrant: true,
  pkcePlain: true,
  tokenJsonBody: true,
  signinReadsQuery: true,
  tokenCreatedAt: true,
  sessionCookie: 'user',
  signinContinueStatus: 302,
  noSessionRedirect: { statuses: [302], to: 'login_url' },
  authorizeErrors: 'html',
  authorizeBadRedirect: { status: 400 },
  ssoRefusal: 'failure-redirect',
  errors: {
    unknownClient: { status: 401, error: 'invalid_client' },
    redirectMismatchAtToken: { status: 400, error: 'invalid_grant' },
    wrongVerifier: { status: 400, error: 'invalid_grant' },
    missingVerifier: { status: 400, error: 'invalid_request' },
    wrongPassword: { status: 400, error: 'invalid_grant' },
  },
  revoke: { needsClient: true, body: 'empty-object' },
  healthz: false,
  refreshTokens: 'opaque',
  logoutStatuses: [302],
  authorityTokenValidForApiKey: false,
};

export const GENERATION_CONTRACTS: Record<Generation, GenerationContract> = {
  rails: {
    ...railsBase,
    generation: 'rails',
    label: 'Rails + Doorkeeper on PostgreSQL, with the 2026-06 PKCE migration',
    pkceEnforced: true,
    oidc: true,
  },
  'rails-2023': {
    ...railsBase,
    generation: 'rails-2023',
    label: 'Rails + Doorkeeper on PostgreSQL, before the PKCE migration (PKCE silently ignored)',
    pkceEnforced: false,
    oidc: false,
  },
  authcr: {
    generation: 'authcr',
    label: 'auth.cr (Crystal, authly)',
    passwordGrant: false,
    implicitGrant: false,
    pkceEnforced: true,
    pkcePlain: false,
    tokenJsonBody: false,
    signinReadsQuery: false,
    tokenCreatedAt: false,
    sessionCookie: '_placeos_auth_session',
    signinContinueStatus: 303,
    noSessionRedirect: { statuses: [303], to: '/auth/login' },
    authorizeErrors: 'json',
    authorizeBadRedirect: { status: 401, error: 'unauthorized_client' },
    ssoRefusal: 'failure-redirect-or-4xx',
    errors: {
      unknownClient: { status: 401, error: 'unauthorized_client' },
      redirectMismatchAtToken: { status: 400, error: 'invalid_redirect_uri' },
      wrongVerifier: { status: 401 },
      missingVerifier: { status: 400, error: 'invalid_request' },
      wrongPassword: { status: 400, error: 'unsupported_grant_type' },
    },
    revoke: { needsClient: false, body: 'empty' },
    oidc: true,
    healthz: true,
    refreshTokens: 'jwt',
    logoutStatuses: [302, 303],
    authorityTokenValidForApiKey: true,
  },
};

export function contractFor(generation: Generation): GenerationContract {
  return GENERATION_CONTRACTS[generation];
}

/** Each fact of a contract in words, for messages (a new fact needs its name here: the type says so). */
export const CONTRACT_FACT_NAMES: Record<Exclude<keyof GenerationContract, 'generation' | 'label'>, string> = {
  passwordGrant: 'the password grant',
  implicitGrant: 'the implicit grant',
  pkceEnforced: 'PKCE enforcement',
  pkcePlain: 'the plain PKCE method',
  tokenJsonBody: 'JSON token requests',
  signinReadsQuery: 'signin credentials in the query',
  tokenCreatedAt: 'created_at in token responses',
  sessionCookie: 'the session cookie name',
  signinContinueStatus: 'the signin redirect status',
  noSessionRedirect: 'where authorize sends a visitor without a session',
  authorizeErrors: 'the form of authorize errors (HTML or JSON)',
  authorizeBadRedirect: 'the answer to an unregistered redirect_uri',
  errors: 'error statuses and codes',
  revoke: 'how revoke identifies the client and what it answers',
  oidc: 'the OpenID Connect routes',
  healthz: '/auth/healthz',
  refreshTokens: 'the refresh token form (opaque or JWT)',
  logoutStatuses: 'the logout redirect status',
  authorityTokenValidForApiKey: 'token_valid for an API key in /auth/authority',
  ssoRefusal: 'how a refused SSO callback ends',
};

/** The facts on which two generations' contracts differ, in words (for "told it is X" diagnostics). */
export function contractDifferences(a: Generation, b: Generation): string[] {
  const ca = GENERATION_CONTRACTS[a];
  const cb = GENERATION_CONTRACTS[b];
  return (Object.keys(CONTRACT_FACT_NAMES) as (keyof typeof CONTRACT_FACT_NAMES)[])
    .filter((k) => JSON.stringify(ca[k]) !== JSON.stringify(cb[k]))
    .map((k) => CONTRACT_FACT_NAMES[k]);
}
