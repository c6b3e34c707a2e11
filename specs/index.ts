// Every area of the suite, in run order: the run, --list, the kill matrix and the benchmark take
// the areas from here.
import type { Suite } from '../helpers/case';
// which generation (contract doc §1)
import * as generation from './generation/generation.cases';
// contract areas (issue 3)
import * as passwordGrant from './password-grant/password-grant.cases';
import * as tokenUse from './token-use/token-use.cases';
import * as signinSession from './signin-session/signin-session.cases';
import * as authorizationCode from './authorization-code/authorization-code.cases';
import * as inspect from './inspect/inspect.cases';
import * as lifecycle from './lifecycle/lifecycle.cases';
import * as sso from './sso/sso.cases';
// security conformance (issue 4)
import { SECURITY_SUITES } from './security';

export type { Suite } from '../helpers/case';

export const SUITES: readonly Suite[] = [
  generation,
  // contract areas (issue 3)
  passwordGrant,
  tokenUse,
  signinSession,
  authorizationCode,
  inspect,
  lifecycle,
  sso,
  // security conformance (issue 4)
  ...SECURITY_SUITES,
];
