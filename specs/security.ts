// The security conformance areas (issue 4): RFC checks with requirement IDs, levels and
// severities. Expected PlaceOS departures are listed in ledger/<generation>.json, never here.
import type { Suite } from '../helpers/case';
import * as tokenEndpoint from './security-token-endpoint/security-token-endpoint.cases';
import * as codePkce from './security-code-pkce/security-code-pkce.cases';
import * as redirect from './security-redirect/security-redirect.cases';
import * as refreshRevoke from './security-refresh-revoke/security-refresh-revoke.cases';
import * as bearer from './security-bearer/security-bearer.cases';
import * as session from './security-session/security-session.cases';
// JWT algorithm and key handling, discovery metadata (issue 22)
import * as jwt from './security-jwt/security-jwt.cases';
import * as discovery from './discovery/discovery.cases';
// hostile requests (issue 22)
import * as input from './security-input/security-input.cases';
import * as cors from './security-cors/security-cors.cases';

export const SECURITY_SUITES: Suite[] = [tokenEndpoint, codePkce, redirect, refreshRevoke, bearer, session, jwt, discovery, input, cors].map((m) => ({
  area: m.area,
  cases: m.cases,
}));
