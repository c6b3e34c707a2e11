// The requirement catalogue: every requirement a case may cite, by a stable ID.
//
// ID forms
//   RFC<nnnn>-<section>   a published RFC and its published section number ("RFC6749-5.1",
//                         "RFC6749-A.12" for appendices, "RFC9700-4.14.2"). RFC 9700 IDs use the
//                         numbering of the PUBLISHED RFC (January 2025), not of its drafts: OAuch's
//                         "4.10.2 open redirector", "4.13.2 refresh tokens" and "4.15 clickjacking"
//                         are 4.11.2, 4.14.2 and 4.16 here. PUBLISHED_SECTIONS lists every section
//                         this catalogue may cite, with its published title; the self-test checks it.
//   PLACEOS-DOC-<NAME>    a statement of the public PlaceOS documentation (docs.placeos.com
//                         "Bearer Tokens" page, summarised in docs/contract.md §11);
//                         `section` is the page's heading, `ref` its anchor in docs/contract.md.
//   PLACEOS-IMPL-<NAME>   behaviour of the PlaceOS implementation as read from public source;
//                         `section` is the section of docs/contract.md that documents it (with
//                         the sources it cites), `ref` that section's anchor, `url` the source file.
//
// `level` is the normative strength of what the suite checks against that section (a section can
// hold several; a case's own level decides its verdict). Others add rows: keep IDs well-formed,
// add any newly cited RFC section to PUBLISHED_SECTIONS, run test/helpers/requirements.test.ts.
import type { Level } from './model';

export interface Requirement {
  id: string;
  /** 'RFC 6749' | 'RFC 9700' | 'PlaceOS docs: Bearer Tokens' | 'PlaceOS auth source' | 'PlaceOS rest-api source' | ... */
  document: string;
  /** RFC section number ("5.1", "A.12"), doc heading, or docs/contract.md section ("3.14"). */
  section: string;
  /** What is required, in one sentence. */
  title: string;
  level: Level;
  url?: string;
  /** PlaceOS IDs: the section of the suite's own contract document, e.g. "docs/contract.md#sec-3.14". */
  ref?: string;
}

/** The contract document shipped with the suite (docs/contract.md). */
export const CONTRACT_DOC = 'docs/contract.md';

/** docs/contract.md section "3.14" → "docs/contract.md#sec-3.14". */
export function contractRef(section: string): string {
  return `${CONTRACT_DOC}#sec-${section}`;
}

/** A heading of the public "Bearer Tokens" page → its anchor in docs/contract.md §11. */
export function docPageRef(heading: string): string {
  return `${CONTRACT_DOC}#doc-${heading
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

export const RFC_ID_RE = /^RFC(\d{4})-((?:\d+(?:\.\d+)*)|(?:[A-Z](?:\.\d+)*))$/;
export const PLACEOS_ID_RE = /^PLACEOS-(DOC|IMPL)-[A-Z0-9]+(?:-[A-Z0-9]+)*$/;

/** Published section numbers → titles, for every RFC section the catalogue may cite. */
export const PUBLISHED_SECTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'RFC 6265': {
    '4.1.2.5': 'The Secure Attribute',
    '4.1.2.6': 'The HttpOnly Attribute',
  },
  'RFC 6749': {
    '2.3': 'Client Authentication',
    '2.3.1': 'Client Password',
    '3.1': 'Authorization Endpoint',
    '3.1.1': 'Response Type',
    '3.1.2.4': 'Invalid Endpoint',
    '3.2': 'Token Endpoint',
    '3.2.1': 'Client Authentication',
    '3.3': 'Access Token Scope',
    '4.1.2': 'Authorization Response',
    '4.1.2.1': 'Error Response',
    '4.1.3': 'Access Token Request',
    '4.3.2': 'Access Token Request',
    '5.1': 'Successful Response',
    '5.2': 'Error Response',
    '6': 'Refreshing an Access Token',
    '7.1': 'Access Token Types',
    '10.3': 'Access Tokens',
    '10.4': 'Refresh Tokens',
    '10.5': 'Authorization Codes',
    '10.6': 'Authorization Code Redirection URI Manipulation',
    '10.10': 'Credentials-Guessing Attacks',
    '10.12': 'Cross-Site Request Forgery',
    '10.13': 'Clickjacking',
    '10.15': 'Open Redirectors',
    'A.7': '"error" Syntax',
    'A.8': '"error_description" Syntax',
    'A.9': '"error_uri" Syntax',
    'A.12': '"access_token" Syntax',
    'A.17': '"refresh_token" Syntax',
  },
  'RFC 6750': {
    '2': 'Authenticated Requests',
    '2.1': 'Authorization Request Header Field',
    '2.3': 'URI Query Parameter',
    '3': 'The WWW-Authenticate Response Header Field',
    '3.1': 'Error Codes',
    '5.3': 'Summary of Recommendations',
  },
  'RFC 6819': {
    '4.3.5': 'Threat: Obtaining Client Secret by Online Guessing',
    '4.4.3.6': 'Threat: Online Guessing',
    '4.6.6': 'Threat: Leak of Confidential Data in HTTP Proxies',
    '4.6.7': 'Threat: Token Leakage via Log Files and HTTP Referrers',
    '5.1.4.2.2': 'Use High Entropy for Secrets',
    '5.1.4.2.3': 'Lock Accounts',
    '5.1.5.3': 'Use Short Expiration Time',
    '5.1.5.4': 'Limit Number of Usages or One-Time Usage',
    '5.1.5.5': 'Bind Tokens to a Particular Resource Server (Audience)',
    '5.2.1.1': 'Automatic Revocation of Derived Tokens If Abuse Is Detected',
    '5.2.2.2': 'Binding of Refresh Token to "client_id"',
    '5.2.2.3': 'Refresh Token Rotation',
    '5.2.2.6': 'X-FRAME-OPTIONS Header',
    '5.2.4.4': 'Binding of Authorization "code" to "client_id"',
    '5.2.4.5': 'Binding of Authorization "code" to "redirect_uri"',
    '5.3.5': 'Link the "state" Parameter to User-Agent Session',
  },
  'RFC 7009': {
    '2': 'Token Revocation',
    '2.1': 'Revocation Request',
    '2.2': 'Revocation Response',
    '2.2.1': 'Error Response',
  },
  'RFC 7519': {
    '4.1.5': '"nbf" (Not Before) Claim',
  },
  'RFC 7636': {
    '4.1': 'Client Creates a Code Verifier',
    '4.2': 'Client Creates the Code Challenge',
    '4.4': 'Server Returns the Code',
    '4.4.1': 'Error Response',
    '4.6': 'Server Verifies code_verifier before Returning the Tokens',
    '7.2': 'Protection against Eavesdroppers',
    B: 'Example for the S256 code_challenge_method',
  },
  'RFC 7515': {
    '4.1.11': '"crit" (Critical) Header Parameter',
    '5.2': 'Message Signature or MAC Validation',
    '10.3': 'Key Origin Authentication',
  },
  'RFC 7662': {
    '2.1': 'Introspection Request',
    '2.2': 'Introspection Response',
    '4': 'Security Considerations',
  },
  'RFC 8414': {
    '2': 'Authorization Server Metadata',
    '3.3': 'Authorization Server Metadata Validation',
  },
  'RFC 8725': {
    '2.1': 'Weak Signatures and Insufficient Signature Validation',
    '3.1': 'Perform Algorithm Verification',
    '3.10': 'Do Not Trust Received Claims',
  },
  'RFC 9110': {
    '11.1': 'Authentication Scheme',
    '11.6.1': 'WWW-Authenticate',
  },
  'RFC 9700': {
    '2.1': 'Protecting Redirect-Based Flows',
    '2.1.1': 'Authorization Code Grant',
    '2.1.2': 'Implicit Grant',
    '2.2.2': 'Refresh Tokens',
    '2.3': 'Access Token Privilege Restriction',
    '2.4': 'Resource Owner Password Credentials Grant',
    '2.5': 'Client Authentication',
    '2.6': 'Other Recommendations',
    '4.1.3': 'Countermeasures',
    '4.2.4': 'Countermeasures',
    '4.3.2': 'Access Token in Browser History',
    '4.8': 'PKCE Downgrade Attack',
    '4.8.2': 'Countermeasures',
    '4.11.2': 'Authorization Server as Open Redirector',
    '4.12': '307 Redirect',
    '4.14.2': 'Recommendations',
    '4.16': 'Clickjacking',
    '4.7': 'Cross-Site Request Forgery',
  },
};

/** 'RFC 6749' + '5.1' → the rfc-editor URL of that section. */
export function rfcUrl(document: string, section: string): string {
  const n = document.replace(/^RFC\s*/, '');
  const anchor = /^[A-Z]/.test(section) ? `appendix-${section}` : `section-${section}`;
  return `https://www.rfc-editor.org/rfc/rfc${n}#${anchor}`;
}

function rfc(num: number, section: string, level: Level, title: string): Requirement {
  const document = `RFC ${num}`;
  return { id: `RFC${num}-${section}`, document, section, title, level, url: rfcUrl(document, section) };
}

// Source revisions read for the contract reference (docs/contract.md §0).
const SRC = {
  auth: 'https://github.com/PlaceOS/auth/blob/9f5f680328ab4b3290dd5bf362774c39952449eb/',
  restApi: 'https://github.com/PlaceOS/rest-api/blob/ee8db8e48d90f40cb77c05ec2ee575f01691d6b4/',
  models: 'https://github.com/PlaceOS/models/blob/061d4d4fe8a6e747f62d9d414a6f9bb9684373f8/',
  docs: 'https://github.com/PlaceOS/placeos-docs/blob/bdec70610e81431ff0230dd088a13c98b682120d/',
} as const;

const DOC = 'PlaceOS docs: Bearer Tokens';
function placeosDoc(name: string, section: string, level: Level, title: string): Requirement {
  return { id: `PLACEOS-DOC-${name}`, document: DOC, section, title, level, ref: docPageRef(section) };
}
function placeosImpl(name: string, document: string, section: string, level: Level, title: string, url?: string): Requirement {
  return { id: `PLACEOS-IMPL-${name}`, document, section, title, level, ref: contractRef(section), ...(url ? { url } : {}) };
}

const ROWS: Requirement[] = [
  // ── RFC 6749 ─────────────────────────────────────────────────────────────────────────────────
  rfc(6749, '2.3', 'MAY', 'A client uses only one authentication method per request.'),
  rfc(6749, '2.3.1', 'MUST', 'HTTP Basic client authentication is supported; client credentials are never accepted in the request URI.'),
  rfc(6749, '3.1', 'MUST', 'The authorization endpoint supports GET (may support POST) and ignores unrecognised parameters.'),
  rfc(6749, '3.1.1', 'MUST', 'A missing or unsupported response_type yields an error response.'),
  rfc(6749, '3.1.2.4', 'MUST', 'An invalid or unregistered redirection URI is not redirected to; the user is informed instead.'),
  rfc(6749, '3.2', 'MUST', 'The token endpoint uses POST, ignores unrecognised parameters and rejects repeated parameters.'),
  rfc(6749, '3.2.1', 'MUST', 'Confidential clients authenticate at the token endpoint; client_id binds the request to the client.'),
  rfc(6749, '3.3', 'MUST', 'The token response includes scope when the granted scope differs from the requested one.'),
  rfc(6749, '4.1.2', 'MUST', 'The authorization code is short-lived and single-use, and state is echoed exactly when sent.'),
  rfc(
    6749,
    '4.1.2.1',
    'MUST',
    'Authorization errors do not redirect for a bad client_id or redirect_uri; other errors redirect with error and state and no code.',
  ),
  rfc(6749, '4.1.3', 'MUST', 'The code is bound to the client and redirect_uri it was issued for.'),
  rfc(6749, '4.3.2', 'MUST', 'The password grant validates the resource-owner credentials (invalid_grant otherwise) and protects against brute force.'),
  rfc(
    6749,
    '5.1',
    'MUST',
    'A token response is application/json with Cache-Control: no-store and Pragma: no-cache, and carries access_token, token_type and expires_in.',
  ),
  rfc(
    6749,
    '5.2',
    'MUST',
    'A token error is HTTP 400 (401 for invalid_client, with WWW-Authenticate when the client used an Authorization header) with a JSON error from the defined set.',
  ),
  rfc(6749, '6', 'MUST', 'Refresh requires the client bound to the refresh token and never widens the original scope.'),
  rfc(6749, '7.1', 'MUST', 'token_type is understood case-insensitively ("bearer").'),
  rfc(6749, '10.3', 'MUST', 'Access tokens are kept confidential in transit and storage; they are not forgeable with a publicly known key.'),
  rfc(6749, '10.4', 'MUST', 'Refresh tokens are bound to the client they were issued to.'),
  rfc(6749, '10.5', 'MUST', 'Authorization codes are single-use; on reuse the server SHOULD revoke tokens already issued from the code.'),
  rfc(6749, '10.6', 'MUST', 'The token request must carry the same redirect_uri as the authorization request.'),
  rfc(6749, '10.10', 'MUST', 'Generated tokens and codes have a guessing probability of at most 2^-128 (SHOULD 2^-160).'),
  rfc(6749, '10.12', 'MUST', 'CSRF protection: the state value binds the authorization response to the user agent.'),
  rfc(6749, '10.13', 'SHOULD', 'Authorization pages are protected against framing (clickjacking).'),
  rfc(6749, '10.15', 'MUST', 'The authorization server is not an open redirector.'),
  rfc(6749, 'A.7', 'MUST', 'error uses only %x20-21 / %x23-5B / %x5D-7E.'),
  rfc(6749, 'A.8', 'MUST', 'error_description uses only %x20-21 / %x23-5B / %x5D-7E.'),
  rfc(6749, 'A.9', 'MUST', 'error_uri is a URI-reference.'),
  rfc(6749, 'A.12', 'MUST', 'access_token consists of VSCHAR (%x20-7E) only.'),
  rfc(6749, 'A.17', 'MUST', 'refresh_token consists of VSCHAR (%x20-7E) only.'),
  // ── RFC 6750 ─────────────────────────────────────────────────────────────────────────────────
  rfc(6750, '2', 'MUST', 'A client uses at most one token transmission method per request (more than one → invalid_request).'),
  rfc(6750, '2.1', 'MUST', 'Resource servers support the Authorization: Bearer request header.'),
  rfc(6750, '2.3', 'SHOULD', 'The URI query transport is discouraged; responses to it carry Cache-Control: private (or no-store).'),
  rfc(6750, '3', 'MUST', 'A 401 carries WWW-Authenticate: Bearer; attributes appear at most once; no error attribute when no credentials were sent.'),
  rfc(6750, '3.1', 'MUST', 'Invalid, expired or revoked tokens → 401 error="invalid_token"; insufficient scope → 403 error="insufficient_scope".'),
  rfc(6750, '5.3', 'MUST', 'Tokens are never sent in clear, cookies carrying them are Secure and CSRF-protected, and lifetimes are short (SHOULD ≤ 1 h).'),
  // ── RFC 6819 ─────────────────────────────────────────────────────────────────────────────────
  rfc(6819, '4.3.5', 'SHOULD', 'Client secrets resist online guessing.'),
  rfc(6819, '4.4.3.6', 'SHOULD', 'The password grant resists online guessing (lockout, delay or rate limit).'),
  rfc(6819, '4.6.6', 'MUST', 'Token-bearing responses are not cached by intermediaries.'),
  rfc(6819, '4.6.7', 'SHOULD', 'Tokens do not leak via log files or Referer (no tokens in URLs the server emits).'),
  rfc(6819, '5.1.4.2.2', 'SHOULD', 'Secrets (codes, tokens) have high entropy.'),
  rfc(6819, '5.1.4.2.3', 'MAY', 'Accounts are locked after repeated failed logins.'),
  rfc(6819, '5.1.5.3', 'SHOULD', 'Access tokens have a short expiration time.'),
  rfc(6819, '5.1.5.4', 'MUST', 'Authorization codes are one-time usage.'),
  rfc(6819, '5.1.5.5', 'SHOULD', 'Tokens are bound to their audience (resource server / authority).'),
  rfc(6819, '5.2.1.1', 'SHOULD', 'Tokens derived from an abused code are revoked automatically.'),
  rfc(6819, '5.2.2.2', 'MUST', 'Refresh tokens are bound to client_id.'),
  rfc(6819, '5.2.2.3', 'SHOULD', 'Refresh tokens are rotated.'),
  rfc(6819, '5.2.2.6', 'SHOULD', 'Login and authorization pages send X-Frame-Options (or CSP frame-ancestors).'),
  rfc(6819, '5.2.4.4', 'MUST', 'The authorization code is bound to client_id.'),
  rfc(6819, '5.2.4.5', 'MUST', 'The authorization code is bound to redirect_uri.'),
  rfc(6819, '5.3.5', 'MUST', 'state links the authorization response to the user-agent session.'),
  // ── RFC 7009 ─────────────────────────────────────────────────────────────────────────────────
  rfc(7009, '2', 'MUST', 'The revocation endpoint accepts POST only, over TLS.'),
  rfc(
    7009,
    '2.1',
    'MUST',
    'Revocation authenticates the client, refuses tokens of other clients, and takes effect immediately; revoking a refresh token SHOULD revoke its access tokens.',
  ),
  rfc(7009, '2.2', 'MUST', 'Revoking an unknown or invalid token answers 200; a wrong token_type_hint still works.'),
  rfc(7009, '2.2.1', 'MUST', 'Revocation errors follow RFC 6749 §5.2 (invalid_client, unsupported_token_type); 503 carries Retry-After.'),
  // ── RFC 7636 ─────────────────────────────────────────────────────────────────────────────────
  rfc(7636, '4.1', 'MUST', 'code_verifier is 43..128 unreserved characters.'),
  rfc(7636, '4.2', 'MUST', 'S256 is mandatory to implement: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))).'),
  rfc(7636, '4.4', 'MUST', 'The server associates code_challenge and code_challenge_method with the code it issues.'),
  rfc(7636, '4.4.1', 'MUST', 'An unsupported code_challenge_method (or a required challenge missing) → invalid_request.'),
  rfc(7636, '4.6', 'MUST', 'The token endpoint recomputes the challenge from code_verifier and refuses a missing or wrong verifier (invalid_grant).'),
  rfc(7636, '7.2', 'SHOULD', 'plain SHOULD NOT be used where S256 is possible; for an S256 challenge the challenge itself is never a valid verifier.'),
  rfc(7636, 'B', 'MUST', 'S256 example: verifier dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk maps to challenge E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM.'),
  // ── RFC 7515 / RFC 8725 (JWT verification at the resource server) ─────────────────────────
  rfc(7515, '5.2', 'MUST', 'A JWS whose signature does not validate with the expected key is rejected.'),
  rfc(8725, '3.1', 'MUST', 'The algorithm is verified against an allow-list: alg none and algorithm switching are refused.'),
  // ── RFC 7662 ─────────────────────────────────────────────────────────────────────────────────
  rfc(7662, '2.1', 'MUST', 'The introspection endpoint requires authorization of the caller.'),
  rfc(7662, '2.2', 'MUST', 'An introspection response carries active; an inactive token yields {"active": false} without other members.'),
  rfc(7662, '4', 'MUST', 'Introspection does not disclose token information to unauthorised callers.'),
  // ── RFC 8414 ─────────────────────────────────────────────────────────────────────────────────
  rfc(8414, '2', 'SHOULD', 'Metadata lists issuer, endpoints (https) and code_challenge_methods_supported including S256.'),
  rfc(8414, '3.3', 'MUST', 'The issuer in the metadata equals the URL it was retrieved from (minus the well-known suffix).'),
  // ── RFC 9110 ─────────────────────────────────────────────────────────────────────────────────
  rfc(9110, '11.1', 'MUST', 'Authentication schemes are matched case-insensitively ("bearer" works).'),
  rfc(9110, '11.6.1', 'MUST', 'A 401 response carries a WWW-Authenticate header with at least one challenge.'),
  // ── RFC 9700 (published numbering) ───────────────────────────────────────────────────────────
  rfc(9700, '2.1', 'MUST', 'Redirect URIs are compared by exact string matching (loopback port excepted); no open redirect.'),
  rfc(9700, '2.1.1', 'MUST', 'PKCE is supported (S256), enforced where used, and downgrade is detected.'),
  rfc(9700, '2.1.2', 'SHOULD', 'The implicit grant (response_type=token) is not used.'),
  rfc(9700, '2.2.2', 'MUST', 'Refresh tokens of public clients are sender-constrained or rotated.'),
  rfc(9700, '2.3', 'SHOULD', 'Access tokens are audience-restricted to the resource servers they are meant for.'),
  rfc(9700, '2.4', 'MUST', 'The resource owner password credentials grant is not used.'),
  rfc(9700, '2.5', 'SHOULD', 'Authorization servers authenticate clients where possible.'),
  rfc(9700, '2.6', 'MUST', 'No CORS on the authorization endpoint; metadata published; no plain-http redirect URIs.'),
  rfc(9700, '4.1.3', 'MUST', 'Redirect URIs are compared by exact string matching.'),
  rfc(9700, '4.2.4', 'MAY', 'Authorization responses and pages send a restrictive Referrer-Policy.'),
  rfc(9700, '4.3.2', 'MUST', 'Access tokens are not transmitted in URI query parameters (clients MUST NOT).'),
  rfc(9700, '4.8', 'MUST', 'PKCE downgrade (challenge removed, verifier without challenge) is prevented.'),
  rfc(9700, '4.8.2', 'MUST', 'A code_verifier at the token endpoint is refused when the authorization request had no code_challenge.'),
  rfc(9700, '4.11.2', 'MUST', 'The authorization server does not act as an open redirector.'),
  rfc(9700, '4.12', 'MUST', 'No HTTP 307 after a request carrying user credentials (use 303).'),
  rfc(9700, '4.14.2', 'MUST', 'Refresh-token rotation: a used refresh token is invalidated, and replay of a rotated one revokes the active one.'),
  rfc(9700, '4.16', 'MUST', 'Authorization and login pages are protected against clickjacking (frame-ancestors / X-Frame-Options).'),
  rfc(6265, '4.1.2.5', 'MUST', 'Session and token cookies carry the Secure attribute.'),
  rfc(6265, '4.1.2.6', 'MUST', 'Session and token cookies carry the HttpOnly attribute.'),

  // ── PlaceOS public documentation ("Bearer Tokens" page) ──────────────────────────────────────
  placeosDoc(
    'PASSWORD-GRANT',
    'Password Flow',
    'MUST',
    'POST /auth/oauth/token with grant_type=password, username, password, client_id (JSON body as shown) returns a token response.',
  ),
  placeosDoc(
    'PASSWORD-SCOPES',
    'Password Flow',
    'MUST',
    "scope is a space-separated list defaulting to public; requested scopes must be a subset of the client application's scopes.",
  ),
  placeosDoc(
    'PASSWORD-SERVICE-ONLY',
    'Password Flow',
    'MAY',
    'The password flow "only works for service accounts" (the implementation does not enforce it: report what the deployment does).',
  ),
  placeosDoc(
    'TOKEN-RESPONSE',
    'Password Flow',
    'MUST',
    'The token response carries access_token, token_type bearer, expires_in 7200, refresh_token, scope and created_at.',
  ),
  placeosDoc('TRANSPORT-HEADER', 'Making Requests', 'MUST', 'A bearer token is accepted in the header Authorization: Bearer <token>.'),
  placeosDoc('TRANSPORT-PARAM', 'Making Requests', 'MUST', 'A bearer token is accepted as the URL parameter ?bearer_token=<token>.'),
  placeosDoc('TRANSPORT-COOKIE', 'Making Requests', 'MUST', 'A bearer token is accepted as the cookie bearer_token=<token>.'),
  placeosDoc(
    'INSPECT',
    'Inspect an existing token',
    'MUST',
    'GET /api/engine/v2/api_keys/inspect inspects a bearer token (?bearer_token=) or an API key (?api-key=).',
  ),
  placeosDoc('LOCAL-SIGNIN', 'Authorisation Code Flow', 'MUST', 'POST /auth/signin with email and password establishes a user session (cookie).'),
  placeosDoc('SSO-LOGIN', 'Authorisation Code Flow', 'MUST', 'GET /auth/oauth2?id=<oauth strategy id> starts an SSO login at the identity provider.'),
  placeosDoc(
    'AUTHCODE-FLOW',
    'Authorisation Code Flow',
    'MUST',
    'With the session cookie, /auth/oauth/authorize redirects to redirect_uri?code=…, and /auth/oauth/token exchanges the code for a token.',
  ),
  placeosDoc('PKCE', 'Authorisation Code Flow', 'SHOULD', 'PlaceOS templates implement PKCE in the authorisation code flow.'),

  // ── PlaceOS implementation (public source; sections of docs/contract.md) ───────────────────────
  placeosImpl('GENERATION', 'PlaceOS auth source', '1', 'MUST', 'The generation (rails, rails-2023, authcr) is recognisable and held to its own contract.'),
  placeosImpl(
    'SIGNIN',
    'PlaceOS auth source',
    '3.1',
    'MUST',
    'POST /auth/signin: 202 (or a filtered redirect with continue) on success, 401 for unknown user or wrong password; sets the session cookies.',
    `${SRC.auth}app/controllers/auth/sessions_controller.rb`,
  ),
  placeosImpl(
    'LOGIN-REDIRECT',
    'PlaceOS auth source',
    '3.2',
    'MUST',
    'GET /auth/login redirects (303) to the authority login_url or the SSO provider with continue.',
    `${SRC.auth}app/controllers/auth/sessions_controller.rb`,
  ),
  placeosImpl(
    'LOGOUT',
    'PlaceOS auth source',
    '3.3',
    'MUST',
    'GET /auth/logout clears the session, stamps logged_out_at, revokes the presented bearer and redirects (302) to a filtered continue.',
    `${SRC.auth}app/controllers/auth/sessions_controller.rb`,
  ),
  placeosImpl(
    'LOGGED-OUT-JWT',
    'PlaceOS rest-api source',
    '6.6',
    'MUST',
    'After logout rest-api refuses every JWT with iat <= logged_out_at (401 "logged out"); API keys are unaffected.',
    `${SRC.restApi}src/placeos-rest-api/utilities/current-user.cr`,
  ),
  placeosImpl(
    'AUTHORITY',
    'PlaceOS auth source',
    '3.4',
    'MUST',
    "GET /auth/authority answers the Host's authority as JSON (no created_at/internals) with version v2.x, session and token_valid; ?health is a probe.",
    `${SRC.auth}app/controllers/auth/authorities_controller.rb`,
  ),
  placeosImpl(
    'AUTHORIZE',
    'PlaceOS auth source',
    '3.5',
    'MUST',
    '/auth/oauth/authorize issues a code by 302 to the registered redirect_uri for a signed-in user; errors are not redirects.',
    `${SRC.auth}config/initializers/doorkeeper.rb`,
  ),
  placeosImpl(
    'TOKEN-ENDPOINT',
    'PlaceOS auth source',
    '3.6',
    'MUST',
    'POST /auth/oauth/token: grants, parameter sources, client authentication and error codes per generation.',
    `${SRC.auth}config/initializers/doorkeeper.rb`,
  ),
  placeosImpl(
    'REVOKE',
    'PlaceOS auth source',
    '3.7',
    'MUST',
    "POST /auth/oauth/revoke answers 200 ({} on Rails, empty on auth.cr); Rails needs client identification and refuses other clients' tokens (403).",
  ),
  placeosImpl(
    'INTROSPECT',
    'PlaceOS auth source',
    '3.8',
    'MUST',
    'POST /auth/oauth/introspect needs client credentials or another bearer; active tokens report scope, client_id, token_type, iat, exp; others {active:false}.',
  ),
  placeosImpl(
    'TOKEN-INFO',
    'PlaceOS auth source',
    '3.9',
    'MUST',
    'GET /auth/oauth/token/info returns resource_owner_id, scope[], expires_in, application.uid, created_at; 401 invalid_token otherwise.',
  ),
  placeosImpl(
    'OIDC',
    'PlaceOS auth source',
    '3.10',
    'MUST',
    'Where present (Rails >= 2025-11, auth.cr), userinfo, JWKS (/auth/oauth/discovery/keys, RS256) and discovery are served.',
    `${SRC.auth}config/initializers/doorkeeper_openid_connect.rb`,
  ),
  placeosImpl(
    'SSO',
    'PlaceOS auth source',
    '3.11',
    'MUST',
    'GET /auth/oauth2?id= redirects to the identity provider with client_id, redirect_uri, state and response_type.',
    `${SRC.auth}lib/omniauth/strategies/generic_oauth.rb`,
  ),
  placeosImpl(
    'SSO-FAILURE',
    'PlaceOS auth source',
    '3.11',
    'MUST',
    'An SSO callback carrying an identity-provider error (or one that cannot be completed) redirects to /auth/failure and creates no session.',
    `${SRC.auth}lib/omniauth/strategies/generic_oauth.rb`,
  ),
  placeosImpl(
    'INSPECT-SHAPE',
    'PlaceOS rest-api source',
    '3.12',
    'MUST',
    'inspect returns the UserJWT (exactly iss, iat, exp, aud, sub, scope, u{n,e,p,r}; no jti; .Read/.Write capitalised) for any valid credential.',
    `${SRC.restApi}src/placeos-rest-api/controllers/api_keys.cr`,
  ),
  placeosImpl(
    'CURRENT-USER',
    'PlaceOS rest-api source',
    '3.13',
    'MUST',
    "GET /api/engine/v2/users/current returns the caller's user (id = token sub) for any valid credential.",
    `${SRC.restApi}src/placeos-rest-api/controllers/users.cr`,
  ),
  placeosImpl(
    'CREDENTIAL-PRECEDENCE',
    'PlaceOS rest-api source',
    '3.14',
    'MUST',
    'rest-api takes an API key first (X-API-Key, api-key param, cookie), else a bearer (Authorization header, bearer_token param, cookie); an empty Authorization header stops the search.',
    `${SRC.restApi}src/placeos-rest-api/utilities/current-user.cr`,
  ),
  placeosImpl(
    'BEARER-PREFIX',
    'PlaceOS rest-api source',
    '3.14',
    'MUST',
    'rest-api strips the "Bearer " / "Token " prefix case-sensitively.',
    `${SRC.restApi}src/placeos-rest-api/utilities/current-user.cr`,
  ),
  placeosImpl(
    'REST-API-ERRORS',
    'PlaceOS rest-api source',
    '3.14',
    'MUST',
    'rest-api failures: 401 {"error": string} without backtrace, 403 with an empty body.',
    `${SRC.restApi}src/placeos-rest-api/controllers/application.cr`,
  ),
  placeosImpl(
    'DOMAIN-BINDING',
    'PlaceOS rest-api source',
    '3.14',
    'MUST',
    'The token aud must be the request Host\'s authority domain (401 "authority domain does not match token\'s").',
    `${SRC.restApi}src/placeos-rest-api/utilities/current-user.cr`,
  ),
  placeosImpl(
    'TOKEN-RESPONSE',
    'PlaceOS auth source',
    '4.1',
    'MUST',
    'The token response shape per generation (created_at on Rails only; token_type Bearer; expires_in 7200).',
  ),
  placeosImpl(
    'OAUTH-ERROR',
    'PlaceOS auth source',
    '4.2',
    'MUST',
    'OAuth errors are {error, error_description?, state?} with per-generation codes and statuses.',
  ),
  placeosImpl(
    'JWT-CLAIMS',
    'PlaceOS auth source',
    '4.4',
    'MUST',
    'Access tokens are RS256 JWTs with iss POS, iat, exp = iat + 7200, aud = authority domain, sub, scope[] and u{n,e,p,r}.',
    `${SRC.auth}config/initializers/doorkeeper.rb`,
  ),
  placeosImpl(
    'DEFAULT-KEY',
    'PlaceOS models source',
    '4.4',
    'MUST',
    'A deployment must not sign with the published development key (used when JWT_SECRET is unset): its tokens must not verify with that public key.',
    `${SRC.models}src/placeos-models/base/jwt.cr`,
  ),
  placeosImpl(
    'COOKIES',
    'PlaceOS auth source',
    '5',
    'MUST',
    'Session cookies are HttpOnly, Secure and SameSite as documented; the Set-Cookie values of signin are the session.',
    `${SRC.auth}app/controllers/auth/coauth_controller.rb`,
  ),
  placeosImpl(
    'PKCE',
    'PlaceOS auth source',
    '6.1',
    'MUST',
    'PKCE is enforced where the grant table has PKCE columns (rails, authcr) and ignored on rails-2023.',
  ),
  placeosImpl(
    'REDIRECT-URI-MATCH',
    'PlaceOS auth source',
    '6.2',
    'MUST',
    "redirect_uri is matched against the app's registered URIs (Doorkeeper URI rules on Rails, exact string on auth.cr); client_id = MD5(redirect_uri).",
  ),
  placeosImpl(
    'CODE',
    'PlaceOS auth source',
    '6.3',
    'MUST',
    'Authorization codes are single-use, bound to client_id and redirect_uri, and expire after 10 minutes.',
  ),
  placeosImpl(
    'SCOPES',
    'PlaceOS auth source',
    '6.4',
    'MUST',
    "Requested scopes must be a subset of the app's scopes (or the server scopes); default public; refresh never widens scope.",
    `${SRC.auth}config/initializers/doorkeeper.rb`,
  ),
  placeosImpl(
    'REFRESH',
    'PlaceOS auth source',
    '6.5',
    'MUST',
    'Refresh keeps expires_in 7200; rotation semantics per generation (Rails revoke-on-use, auth.cr grace window).',
  ),
  placeosImpl(
    'API-KEY',
    'PlaceOS rest-api source',
    '6.7',
    'MUST',
    'API keys (<id>.<secret>) are accepted by X-API-Key header, api-key param and cookie; expired keys get 401 "API key has expired".',
    `${SRC.models}src/placeos-models/api_key.cr`,
  ),
  placeosImpl(
    'OPEN-REDIRECT',
    'PlaceOS auth source',
    '6.8',
    'MUST',
    'continue is filtered: same-domain paths only, otherwise / (or the logout URL).',
    `${SRC.auth}app/controllers/auth/coauth_controller.rb`,
  ),
  // contract areas (issue 3)
  placeosImpl(
    'JWT-VERIFY',
    'PlaceOS rest-api source',
    '3.14',
    'MUST',
    'rest-api verifies every bearer JWT (RS256 signature, exp): tampered, foreign-key, alg none, expired or non-JWT bearers get 401 {"error": string}.',
    `${SRC.restApi}src/placeos-rest-api/utilities/current-user.cr`,
  ),
  placeosImpl(
    'REVOKED-JWT',
    'PlaceOS rest-api source',
    '6.6',
    'MAY',
    'Revocation takes effect at the auth service at once, but rest-api checks JWTs statelessly: a revoked access token keeps working at /api until exp.',
    `${SRC.restApi}src/placeos-rest-api/utilities/current-user.cr`,
  ),
  // JWT algorithm and key handling, discovery metadata (issue 22; contract §12)
  rfc(8725, '2.1', 'MUST', 'A signature is checked with the key the verifier trusts, whatever key id or algorithm the token names.'),
  rfc(8725, '3.10', 'SHOULD', 'Header members that name keys (kid, jku, x5u, jwk) are not trusted: they never decide which key verifies the token.'),
  rfc(7515, '10.3', 'MUST', "The verifying key comes from the verifier's own configuration, never from the token (an embedded jwk, a jku or x5u URL)."),
  // claims and header members a token of the deployment's own key may carry (issue 22; contract §12.1)
  rfc(7515, '4.1.11', 'MUST', 'A JWS whose crit header names an extension the verifier does not understand is invalid and refused.'),
  rfc(7519, '4.1.5', 'MUST', 'A JWT is not accepted before the time in its nbf claim (a small clock-skew allowance aside).'),
  placeosImpl(
    'JWT-IAT-FUTURE',
    'PlaceOS rest-api source',
    '12.1',
    'SHOULD',
    'A bearer JWT whose iat lies in the future beyond any clock skew (a day ahead) is refused: it was not issued by a sane issuer, and it outlives the logout rule that compares iat with the logout time.',
    `${SRC.models}src/placeos-models/base/jwt.cr`,
  ),
  placeosImpl(
    'DISCOVERY-ORIGIN',
    'PlaceOS auth source',
    '12.2',
    'MUST',
    "Every endpoint URL and the jwks_uri in the discovery document are on the deployment's own origin (scheme, host and port it was fetched from).",
    `${SRC.auth}config/initializers/doorkeeper_openid_connect.rb`,
  ),
  placeosImpl(
    'DISCOVERY-KEYS',
    'PlaceOS auth source',
    '12.2',
    'MUST',
    "The jwks_uri advertised in discovery serves the key that verifies the deployment's access tokens.",
    `${SRC.auth}config/initializers/doorkeeper_openid_connect.rb`,
  ),
  placeosImpl(
    'DISCOVERY-ALGS',
    'PlaceOS auth source',
    '12.2',
    'MUST',
    'The signing algorithms discovery advertises (id_token_signing_alg_values_supported) include the algorithm of the tokens issued and of the JWKS key, and not none.',
    `${SRC.auth}config/initializers/doorkeeper_openid_connect.rb`,
  ),
  // ── hostile requests (issue 22): revocation scope, malformed input, cookies on every path, CORS ──
  rfc(
    9700,
    '4.7',
    'MUST',
    "No cross-site request may use the victim's credentials: no origin but the deployment's own is allowed to read credentialed answers (CORS).",
  ),
  placeosImpl(
    'HOSTILE-INPUT',
    'PlaceOS auth source',
    '13.2',
    'MUST',
    'A malformed, mis-typed, oversized, repeated or non-UTF-8 request to token, signin or revoke is refused with a 4xx (the documented error where the request could be read), never a 5xx.',
    `${SRC.auth}app/controllers/auth/sessions_controller.rb`,
  ),
  placeosImpl(
    'COOKIE-PATHS',
    'PlaceOS auth source',
    '13.3',
    'MUST',
    'Every answer that sets the session cookie (signin with or without continue, the SSO callback) sets it with the same HttpOnly, Secure, SameSite and Path.',
    `${SRC.auth}app/controllers/auth/coauth_controller.rb`,
  ),
  placeosImpl(
    'COOKIE-SAMESITE',
    'PlaceOS auth source',
    '13.3',
    'SHOULD',
    'The session cookie names its SameSite policy on every path that sets it (browser defaults for a missing SameSite differ).',
    `${SRC.auth}app/controllers/auth/coauth_controller.rb`,
  ),
  placeosImpl(
    'CORS',
    'PlaceOS auth source',
    '13.4',
    'MUST',
    'Neither the token endpoint nor rest-api lets a foreign origin read a credentialed answer: no reflected origin or * together with Access-Control-Allow-Credentials: true, preflights included.',
  ),
];

function build(rows: Requirement[]): Record<string, Requirement> {
  const out: Record<string, Requirement> = {};
  for (const r of rows) {
    if (out[r.id]) throw new Error(`duplicate requirement ID ${r.id}`);
    out[r.id] = Object.freeze({ ...r });
  }
  return out;
}

export const REQUIREMENTS: Readonly<Record<string, Requirement>> = Object.freeze(build(ROWS));

/** The requirement with this ID; throws on an unknown ID (a typo in a case must not go unnoticed). */
export function requirement(id: string): Requirement {
  const r = REQUIREMENTS[id];
  if (!r) throw new Error(`unknown requirement ID ${JSON.stringify(id)}: add it to helpers/requirements.ts`);
  return r;
}

/** Problems with an ID (empty when well-formed and its section is known). */
export function validateRequirement(r: Requirement): string[] {
  const problems: string[] = [];
  const m = RFC_ID_RE.exec(r.id);
  if (m) {
    const doc = `RFC ${m[1]}`;
    if (r.document !== doc) problems.push(`${r.id}: document should be "${doc}", is "${r.document}"`);
    if (r.section !== m[2]) problems.push(`${r.id}: section should be "${m[2]}", is "${r.section}"`);
    if (!PUBLISHED_SECTIONS[doc]?.[r.section]) problems.push(`${r.id}: section ${r.section} is not a known published section of ${doc}`);
  } else if (PLACEOS_ID_RE.test(r.id)) {
    if (!r.document.startsWith('PlaceOS ')) problems.push(`${r.id}: document should name a PlaceOS source, is "${r.document}"`);
    if (r.id.startsWith('PLACEOS-DOC-') && !r.document.startsWith('PlaceOS docs:')) problems.push(`${r.id}: a DOC requirement cites the PlaceOS docs`);
    if (!r.ref?.startsWith(`${CONTRACT_DOC}#`)) problems.push(`${r.id}: ref should name a section of ${CONTRACT_DOC}`);
  } else {
    problems.push(`${r.id}: not of the form RFC<nnnn>-<section> or PLACEOS-(DOC|IMPL)-<NAME>`);
  }
  if (!['MUST', 'SHOULD', 'MAY'].includes(r.level)) problems.push(`${r.id}: level ${String(r.level)} is not MUST, SHOULD or MAY`);
  if (!r.title.trim()) problems.push(`${r.id}: empty title`);
  return problems;
}
