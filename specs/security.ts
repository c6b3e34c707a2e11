// The security conformance areas (issue 4): RFC checks with requirement IDs, levels and
// severities; expected PlaceOS departures live in ledger/<generation>.json, not here.
import type { Suite } from './index';
import * as codePkce from './security-code-pkce/security-code-pkce.cases';
import * as redirect from './security-redirect/security-redirect.cases';
import * as tokenEndpoint from './security-token-endpoint/security-token-endpoint.cases';

export const SECURITY_SUITES: Suite[] = [tokenEndpoint, codePkce, redirect].map((m) => ({ area: m.area, cases: m.cases }));
