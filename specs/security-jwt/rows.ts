// What every row of the security-jwt area builds on: the control (a fresh token rest-api accepts)
// and the one judgement (each forged copy refused with 401 at users/current and inspect, in every
// bearer transport). The area's table (security-jwt.cases.ts) and its sibling rows (claims.ts)
// share them.
import type { CaseContext } from '../../helpers/case';
import type { HttpClient } from '../../helpers/http';
import { decodeJwt, type JwtClaims, type JwtHeader } from '../../helpers/jwt';
import { ensure, expectAccepted, freshToken, INSPECT, notRefused, PROTECTED } from '../../helpers/kit';
import type { Level, SettingName, Severity } from '../../helpers/model';

export interface Control {
  api: HttpClient;
  /** A freshly issued access token, accepted at rest-api. */
  token: string;
  claims: JwtClaims;
  /** Its protected header as issued (alg, typ, kid…). */
  header: JwtHeader;
  kid?: string;
}

/** A fresh token of the normal user, accepted by rest-api (the control): setup steps. */
export async function control(t: CaseContext): Promise<Control> {
  const api = t.client('api');
  const tokens = await freshToken(t, 'user');
  await expectAccepted(api, tokens.accessToken, 'control');
  const { claims, header } = decodeJwt(tokens.accessToken);
  return { api, token: tokens.accessToken, claims, header, ...(typeof header.kid === 'string' ? { kid: header.kid } : {}) };
}

/** Each forged token refused with 401 at users/current and inspect in every transport; lists the rest. */
export async function expectAllRefused(t: CaseContext, api: HttpClient, forged: readonly { what: string; token: string }[], title: string): Promise<void> {
  const bad: string[] = [];
  for (const f of forged) {
    // Copies of real claims: masked like any token of the account.
    t.secrets.add(f.token, 'access_token');
    const accepted = await notRefused(api, f.token, [PROTECTED, INSPECT]);
    if (accepted.length)
      bad.push(`${f.what}: ${accepted.map((r) => `${r.route === PROTECTED ? 'users/current' : 'inspect'} by ${r.via} ${r.status}`).join(', ')}`);
  }
  ensure(bad.length === 0, `rest-api did not refuse ${title} with 401`, '401 in every transport, at users/current and inspect', bad.join('; '));
}

/** One row of the area: a forgery and its judgement, run after the control. */
export interface Row {
  name: string;
  title: string;
  requirements: string[];
  /** MUST unless the row says otherwise. */
  level?: Level;
  severity: Severity;
  /** Settings beyond the user account (which the control needs). */
  needs?: SettingName[];
  run(t: CaseContext, c: Control): Promise<void>;
}
