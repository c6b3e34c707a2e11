// Catalogue of named faults ("mutants") the reference target can be started with. Each one breaks
// exactly one requirement, at exactly one place in the code (a `faults.has('name')` check).
import type { ProfileName } from './profiles';

export interface Mutant {
  readonly name: string;
  /** What goes wrong, observably. */
  readonly breaks: string;
  /** The requirement it violates (RFC section or PLACEOS-* product contract ID). */
  readonly requirement: string;
  /** A correct suite must NOT flag a benign mutant. */
  readonly benign?: boolean;
  /** Profiles where the fault is observable (all when absent). */
  readonly profiles?: readonly ProfileName[];
}

const RAILS: readonly ProfileName[] = ['rails', 'rails-2023'];
const PKCE: readonly ProfileName[] = ['rails', 'authcr'];

export const MUTANTS: readonly Mutant[] = Object.freeze([
  // ---- PKCE -----------------------------------------------------------------------------------
  {
    name: 'pkce-verifier-ignored',
    breaks: 'a wrong or missing code_verifier still gets a token for a code issued with a challenge',
    requirement: 'RFC7636-4.6',
    profiles: PKCE,
  },
  {
    name: 'pkce-downgrade',
    breaks: 'a code_verifier is accepted for a code issued without any code_challenge (PKCE downgrade)',
    requirement: 'RFC9700-4.8.2',
    profiles: PKCE,
  },
  {
    name: 'pkce-challenge-dropped',
    breaks: 'authorize discards code_challenge, so the code is redeemable without a verifier',
    requirement: 'RFC7636-4.4',
    profiles: PKCE,
  },
  {
    name: 'pkce-s256-as-plain',
    breaks: 'an S256 challenge is compared as plain: sending the challenge itself as verifier succeeds',
    requirement: 'RFC7636-4.6',
    profiles: PKCE,
  },
  // ---- authorization code ----------------------------------------------------------------------
  {
    name: 'pkce-wrong-verifier-500',
    breaks: 'a wrong code_verifier gets a 500 instead of the documented refusal (no token, but no OAuth error either)',
    requirement: 'RFC7636-4.6',
    profiles: PKCE,
  },
  { name: 'code-replay-500', breaks: 'a replayed authorization code gets a 500 instead of 400 invalid_grant', requirement: 'RFC6749-4.1.2' },
  { name: 'code-reusable', breaks: 'an authorization code can be exchanged more than once', requirement: 'RFC6749-4.1.2' },
  { name: 'code-not-bound-to-client', breaks: "another client can redeem a client's authorization code", requirement: 'RFC6749-4.1.3' },
  {
    name: 'code-not-bound-to-redirect-uri',
    breaks: 'the token request redirect_uri is not compared with the one used at authorize',
    requirement: 'RFC6749-4.1.3',
  },
  { name: 'code-never-expires', breaks: 'authorization codes are accepted after their lifetime', requirement: 'RFC6749-4.1.2' },
  {
    name: 'unregistered-redirect-500',
    breaks: 'authorize answers an unregistered redirect_uri with a 500 instead of its error page',
    requirement: 'RFC6749-3.1.2.4',
  },
  { name: 'redirect-uri-any', breaks: 'authorize redirects (with a code) to any redirect_uri, registered or not', requirement: 'RFC6749-3.1.2.4' },
  { name: 'state-dropped', breaks: 'the authorize redirect omits the state parameter', requirement: 'RFC6749-4.1.2' },
  { name: 'state-truncated', breaks: 'the authorize redirect echoes only the first 16 characters of state', requirement: 'RFC6749-4.1.2' },
  { name: 'token-in-redirect', breaks: 'the authorize redirect also carries an access_token in the query string', requirement: 'RFC9700-2.1.2' },
  // ---- token endpoint --------------------------------------------------------------------------
  { name: 'scope-escalation', breaks: "scopes outside the client application's scopes are granted", requirement: 'RFC6749-3.3' },
  {
    name: 'unknown-client-accepted',
    breaks: 'an unknown client_id is accepted at the token endpoint (password grant)',
    requirement: 'RFC6749-3.2.1',
    profiles: RAILS,
  },
  { name: 'confidential-secret-ignored', breaks: 'a confidential client authenticates with a wrong client_secret', requirement: 'RFC6749-2.3.1' },
  {
    name: 'basic-secret-ignored',
    breaks: 'a confidential client authenticating with HTTP Basic gets a token with a wrong client secret',
    requirement: 'RFC6749-2.3.1',
  },
  { name: 'wrong-password-accepted', breaks: 'any password is accepted for a known account (password grant and signin)', requirement: 'RFC6749-4.3.2' },
  {
    name: 'password-grant-enabled',
    breaks: 'the password grant works on auth.cr, where it is disabled',
    requirement: 'PLACEOS-IMPL-TOKEN-ENDPOINT',
    profiles: ['authcr'],
  },
  { name: 'created-at-missing', breaks: 'the Doorkeeper token response lacks created_at', requirement: 'PLACEOS-IMPL-TOKEN-RESPONSE', profiles: RAILS },
  { name: 'token-type-mac', breaks: 'token_type is "mac"', requirement: 'RFC6749-5.1' },
  { name: 'expires-in-string', breaks: 'expires_in is the string "7200" instead of an integer', requirement: 'RFC6749-5.1' },
  { name: 'no-store-missing', breaks: 'token responses have no Cache-Control: no-store', requirement: 'RFC6749-5.1' },
  { name: 'pragma-missing', breaks: 'token responses have no Pragma: no-cache', requirement: 'RFC6749-5.1' },
  { name: 'error-content-type-html', breaks: 'token endpoint JSON errors are sent as text/html', requirement: 'RFC6749-5.2' },
  { name: 'www-authenticate-missing', breaks: 'invalid_token 401 responses (token/info, introspect) lack WWW-Authenticate', requirement: 'RFC6750-3' },
  // ---- refresh / revoke / introspect ---------------------------------------------------------------
  { name: 'refresh-scope-widening', breaks: 'a refresh may request scopes beyond the original grant', requirement: 'RFC6749-6' },
  { name: 'refresh-other-client', breaks: 'a refresh token is accepted from a client it was not issued to', requirement: 'RFC6749-6' },
  {
    name: 'refresh-token-reusable',
    breaks: 'auth.cr refresh rotation disabled: a rotated refresh token works forever',
    requirement: 'RFC9700-4.14.2',
    profiles: ['authcr'],
  },
  { name: 'refused-refresh-500', breaks: 'a revoked or replayed refresh token gets a 500 instead of 400 invalid_grant', requirement: 'RFC6749-5.2' },
  { name: 'revoke-noop', breaks: 'revoke answers 200 but the refresh token keeps working', requirement: 'RFC7009-2.1' },
  { name: 'introspect-no-auth', breaks: 'introspection answers without caller authentication', requirement: 'RFC7662-2.1' },
  { name: 'logout-no-revoke', breaks: 'logout does not revoke the bearer token it was called with', requirement: 'PLACEOS-IMPL-LOGOUT' },
  // ---- sessions and redirects ------------------------------------------------------------------------
  { name: 'session-cookie-not-httponly', breaks: 'the session cookie is set without HttpOnly', requirement: 'RFC6265-4.1.2.6' },
  { name: 'session-cookie-not-secure', breaks: 'the session cookie is set without Secure', requirement: 'RFC6265-4.1.2.5' },
  {
    name: 'signin-broken',
    breaks: 'signin answers correct credentials with a 500 and no session, while authorize still redirects to the login page',
    requirement: 'PLACEOS-IMPL-SIGNIN',
  },
  { name: 'open-redirect-continue', breaks: 'signin redirects to an off-domain continue URL', requirement: 'RFC9700-4.11.2' },
  // ---- JWT signing and checking (rest-api) ------------------------------------------------------------
  { name: 'default-signing-key', breaks: 'access tokens are signed with the published PlaceOS development key', requirement: 'PLACEOS-IMPL-DEFAULT-KEY' },
  { name: 'expired-token-accepted', breaks: 'rest-api accepts JWTs whose exp has passed', requirement: 'RFC6750-3.1' },
  { name: 'logged-out-token-accepted', breaks: 'rest-api accepts JWTs issued before the user logged out', requirement: 'PLACEOS-IMPL-LOGGED-OUT-JWT' },
  { name: 'alg-none-accepted', breaks: 'rest-api accepts unsigned alg:none JWTs', requirement: 'RFC8725-3.1' },
  { name: 'wrong-key-accepted', breaks: 'rest-api does not verify the JWT signature (any key works)', requirement: 'RFC7515-5.2' },
  { name: 'cross-authority-token', breaks: "a token for authority A is accepted on authority B's domain", requirement: 'PLACEOS-IMPL-DOMAIN-BINDING' },
  // ---- credential transports (rest-api) ------------------------------------------------------------
  { name: 'transport-header-ignored', breaks: 'rest-api ignores the Authorization: Bearer header', requirement: 'PLACEOS-DOC-TRANSPORT-HEADER' },
  { name: 'transport-param-ignored', breaks: 'rest-api ignores the bearer_token query parameter', requirement: 'PLACEOS-DOC-TRANSPORT-PARAM' },
  { name: 'transport-cookie-ignored', breaks: 'rest-api ignores the bearer_token cookie', requirement: 'PLACEOS-DOC-TRANSPORT-COOKIE' },
  { name: 'transport-api-key-header-ignored', breaks: 'rest-api ignores the X-API-Key header', requirement: 'PLACEOS-IMPL-API-KEY' },
  { name: 'transport-api-key-param-ignored', breaks: 'rest-api ignores the api-key query parameter', requirement: 'PLACEOS-DOC-INSPECT' },
  { name: 'api-key-any-secret', breaks: 'an API key is accepted with any secret after the id', requirement: 'PLACEOS-IMPL-API-KEY' },
  { name: 'api-key-expiry-ignored', breaks: 'expired API keys are accepted', requirement: 'PLACEOS-IMPL-API-KEY', profiles: ['rails', 'authcr'] },
  // ---- inspect output ----------------------------------------------------------------------------------
  { name: 'inspect-accepts-garbage', breaks: 'inspect answers 200 for a bearer that is not a JWT', requirement: 'PLACEOS-IMPL-JWT-VERIFY' },
  { name: 'inspect-drops-email', breaks: 'inspect output lacks u.e', requirement: 'PLACEOS-IMPL-INSPECT-SHAPE' },
  { name: 'inspect-iat-string', breaks: 'inspect output has iat as a string', requirement: 'PLACEOS-IMPL-INSPECT-SHAPE' },
  {
    name: 'inspect-lowercase-suffix',
    breaks: 'inspect keeps scope suffixes lower case (mqtt.read instead of mqtt.Read)',
    requirement: 'PLACEOS-IMPL-INSPECT-SHAPE',
  },
  // ---- front-channel hygiene ------------------------------------------------------------------------
  { name: 'token-endpoint-get', breaks: 'the token endpoint also serves GET, so grant parameters sit in URLs and logs', requirement: 'RFC6749-3.2' },
  { name: 'authorize-cors', breaks: 'the authorization endpoint answers cross-origin requests with Access-Control-Allow-Origin', requirement: 'RFC9700-2.6' },
  { name: 'unknown-client-redirect', breaks: 'authorize redirects an unknown client_id to the redirect_uri it names', requirement: 'RFC6749-4.1.2.1' },
  { name: 'signin-307', breaks: 'signin answers a credential POST with 307, so the browser re-posts the password to continue', requirement: 'RFC9700-4.12' },
  { name: 'token-in-error-body', breaks: "rest-api's 401 for a bad token echoes the token in its error message", requirement: 'RFC6819-4.6.7' },
  // ---- benign ----------------------------------------------------------------------------------------
  { name: 'token-type-lowercase', breaks: 'token_type is "bearer" (lower case), which RFC 6749 §7.1 allows', requirement: 'RFC6749-7.1', benign: true },
  {
    name: 'token-response-extra-field',
    breaks: 'the token response carries an extra unknown member, which RFC 6749 §5.1 allows',
    requirement: 'RFC6749-5.1',
    benign: true,
  },
  {
    name: 'jti-hex',
    breaks: 'jti is 32 hex characters instead of a UUID (jti format is not part of the contract)',
    requirement: 'PLACEOS-IMPL-JWT-CLAIMS',
    benign: true,
  },
  // ---- generation detection ----------------------------------------------------------------------
  {
    name: 'pkce-ignored',
    breaks:
      'a migrated Rails deployment regresses to ignoring PKCE as rails-2023 does (challenge neither stored nor checked); detection then infers rails-2023',
    requirement: 'RFC7636-4.6',
    profiles: ['rails'],
  },
  // ---- SSO callback (the OAuth2 strategy towards the identity provider) ---------------------------------------
  {
    name: 'sso-state-unchecked',
    breaks: 'the SSO callback does not compare state with the one it sent: a wrong or missing state is accepted',
    requirement: 'RFC6749-10.12',
  },
  {
    name: 'sso-code-replay',
    breaks: "the SSO callback remembers the IdP's answer per code, so a replayed IdP code signs in again without the IdP",
    requirement: 'RFC6749-10.5',
  },
  {
    name: 'sso-error-not-failure',
    breaks: 'an IdP error (access_denied) on the SSO callback redirects to continue or / instead of /auth/failure',
    requirement: 'PLACEOS-IMPL-SSO-FAILURE',
  },
  {
    name: 'sso-cookie-not-httponly',
    breaks: 'the session cookie set by the SSO callback lacks HttpOnly (a local signin sets it)',
    requirement: 'RFC6265-4.1.2.6',
  },
  { name: 'sso-open-redirect-continue', breaks: 'the SSO callback redirects to an off-domain continue URL', requirement: 'RFC9700-4.11.2' },
  // ---- JWT algorithm and key handling at rest-api; discovery metadata (issue 22) -------------------------------
  {
    name: 'jwt-hs256-public-key-pem',
    breaks: "rest-api takes the algorithm from the header: an HS256 token keyed with the public key's PEM text is accepted",
    requirement: 'RFC8725-3.1',
  },
  {
    name: 'jwt-hs256-public-key-der',
    breaks: "rest-api takes the algorithm from the header: an HS256 token keyed with the public key's DER bytes is accepted",
    requirement: 'RFC8725-3.1',
  },
  {
    name: 'jwt-known-kid-unverified',
    breaks: "rest-api caches verification by kid: a token naming its key's kid is trusted without checking the signature",
    requirement: 'RFC8725-2.1',
  },
  { name: 'jwt-embedded-jwk-trusted', breaks: 'rest-api verifies a token with the key in its own jwk header', requirement: 'RFC7515-10.3' },
  { name: 'jwt-jku-trusted', breaks: 'rest-api fetches the JWK Set named by the jku header and verifies the token with it', requirement: 'RFC7515-10.3' },
  { name: 'jwt-x5u-trusted', breaks: 'rest-api fetches the certificate named by the x5u header and verifies the token with it', requirement: 'RFC7515-10.3' },
  { name: 'jwt-crit-ignored', breaks: 'rest-api accepts a token whose crit header names an extension it does not understand', requirement: 'RFC7515-4.1.11' },
  { name: 'jwt-nbf-ignored', breaks: 'rest-api accepts a token before the time in its nbf claim', requirement: 'RFC7519-4.1.5' },
  {
    name: 'jwt-iat-future-accepted',
    breaks: 'rest-api accepts a token whose iat lies a day in the future',
    requirement: 'PLACEOS-IMPL-JWT-IAT-FUTURE',
  },
  {
    name: 'discovery-issuer-mount',
    breaks: 'the discovery issuer names the /auth mount point, not the URL the document is served under',
    requirement: 'RFC8414-3.3',
    profiles: ['rails', 'authcr'],
  },
  {
    name: 'discovery-internal-host',
    breaks: 'discovery names the internal service host (http://auth:8080) for the userinfo, revocation, introspection and JWKS URLs',
    requirement: 'PLACEOS-IMPL-DISCOVERY-ORIGIN',
    profiles: ['rails', 'authcr'],
  },
  {
    name: 'jwks-stale-key',
    breaks: 'the JWKS publishes another key (the development key) than the one access tokens are signed with',
    requirement: 'PLACEOS-IMPL-DISCOVERY-KEYS',
    profiles: ['rails', 'authcr'],
  },
  {
    name: 'discovery-alg-mismatch',
    breaks: 'discovery advertises HS256 as the only signing algorithm while tokens are RS256',
    requirement: 'PLACEOS-IMPL-DISCOVERY-ALGS',
    profiles: ['rails', 'authcr'],
  },
  // ---- hostile requests (issue 22): revocation scope, malformed input, cookies on every path, CORS ----------
  {
    name: 'revoke-ignores-client',
    breaks: 'revoke does not check that the token was issued to the requesting client: any client revokes any token',
    requirement: 'RFC7009-2.1',
    profiles: RAILS,
  },
  {
    name: 'revoke-refusal-names-owner',
    breaks: "revoking another client's token is refused with a description naming the token's client and user",
    requirement: 'RFC7009-2.2.1',
    profiles: RAILS,
  },
  {
    name: 'revoke-refresh-keeps-access',
    breaks: 'revoking a refresh token revokes only the refresh token: the access token of the same grant stays active',
    requirement: 'RFC7009-2.1',
  },
  { name: 'token-malformed-json-500', breaks: 'the token endpoint answers a malformed JSON body with a 500', requirement: 'RFC6749-5.2', profiles: RAILS },
  {
    name: 'duplicate-param-first-wins',
    breaks: 'a token request with a parameter sent twice is served with its first value instead of 400 invalid_request',
    requirement: 'RFC6749-5.2',
  },
  {
    name: 'signin-non-utf8-500',
    breaks: 'signin answers a body whose percent-decoded bytes are not UTF-8 with a 500',
    requirement: 'PLACEOS-IMPL-HOSTILE-INPUT',
  },
  { name: 'revoke-empty-body-500', breaks: 'revoke answers an empty body with a 500', requirement: 'PLACEOS-IMPL-HOSTILE-INPUT' },
  {
    name: 'authorize-long-state-500',
    breaks: 'authorize answers a state longer than 4 KiB with a 500 (a store sized for short states)',
    requirement: 'PLACEOS-IMPL-HOSTILE-INPUT',
  },
  {
    name: 'signin-continue-cookie-not-httponly',
    breaks: 'the session cookie of a signin with continue lacks HttpOnly (a signin without continue sets it)',
    requirement: 'PLACEOS-IMPL-COOKIE-PATHS',
  },
  {
    name: 'signin-continue-cookie-no-samesite',
    breaks: 'the session cookie of a signin with continue carries no SameSite attribute',
    requirement: 'PLACEOS-IMPL-COOKIE-SAMESITE',
  },
  {
    name: 'token-cors-credentials',
    breaks: 'the token endpoint reflects any Origin with Access-Control-Allow-Credentials: true (and answers preflights)',
    requirement: 'RFC9700-4.7',
  },
  {
    name: 'rest-api-cors-credentials',
    breaks: 'rest-api answers any Origin with Access-Control-Allow-Origin: * and Access-Control-Allow-Credentials: true (and answers preflights)',
    requirement: 'RFC9700-4.7',
  },
] satisfies Mutant[]);

export const MUTANT_NAMES: readonly string[] = MUTANTS.map((m) => m.name);

/** The set of active faults, passed to handlers. */
export interface Faults {
  has(name: string): boolean;
  readonly names: readonly string[];
}

export function makeFaults(names: readonly string[] = []): Faults {
  const unknown = names.filter((n) => !MUTANT_NAMES.includes(n));
  if (unknown.length > 0) {
    throw new Error(`unknown mutant ${unknown.map((n) => `"${n}"`).join(', ')}; valid mutants: ${MUTANT_NAMES.join(', ')}`);
  }
  const set = new Set(names);
  return {
    has(name: string): boolean {
      if (!MUTANT_NAMES.includes(name)) throw new Error(`faults.has: "${name}" is not in the catalogue`);
      return set.has(name);
    },
    names: [...set],
  };
}

/** Markdown table of the catalogue, for the README. */
export function mutantTable(): string {
  const rows = MUTANTS.map(
    (m) => `| \`${m.name}\` | ${m.breaks} | ${m.requirement} | ${m.benign ? 'yes' : ''} | ${m.profiles ? m.profiles.join(', ') : 'all'} |`,
  );
  return ['| name | what breaks | requirement | benign | profiles |', '|---|---|---|---|---|', ...rows].join('\n');
}
