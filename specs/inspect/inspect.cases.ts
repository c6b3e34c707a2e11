// /api/engine/v2/api_keys/inspect for a bearer token (contract §3.12, §4.5; public doc "Inspect
// an existing token"): the output is the UserJWT rest-api derived from the token, so it is
// validated by schema and cross-checked against the JWT itself and against /users/current.
import type { CaseContext, ContractCase } from '../../helpers/case';
import { obtainToken, type Tokens } from '../../helpers/flows';
import { decodeJwt } from '../../helpers/jwt';
import type { Severity, SettingName } from '../../helpers/model';
import { type BearerTransport, CURRENT_USER, ensure, expectSchema, expectStatus, getWithBearer, INSPECT, sameSet, setup } from '../../helpers/kit';

export const area = 'inspect';

/** rest-api's spelling of a scope (§3.12): access suffixes as Crystal flags-enum names, `mqtt.read` → `mqtt.Read`. */
export function restApiScope(scope: string): string {
  return scope.replace(/\.(read|write)$/, (_m, s: string) => `.${s[0]!.toUpperCase()}${s.slice(1)}`);
}

interface UserJwt {
  iss: string;
  iat: number;
  exp: number;
  aud: string;
  sub: string;
  scope: string[];
  u: { n: string; e: string; p: number; r: string[] };
}

interface Row {
  name: string;
  title: string;
  via: BearerTransport;
  /** Which app and scope the token is minted with. */
  token(t: CaseContext): Promise<Tokens>;
  /** Checks comparing inspect with the JWT (and users/current). */
  checks: ((t: CaseContext, inspected: UserJwt, jwt: UserJwt) => void)[];
  severity: Severity;
  needs: SettingName[];
}

const sameClaims = (keys: (keyof UserJwt)[]) => (_t: CaseContext, got: UserJwt, jwt: UserJwt) => {
  for (const k of keys)
    ensure(JSON.stringify(got[k]) === JSON.stringify(jwt[k]), `inspect: ${k} differs from the token's claim`, JSON.stringify(jwt[k]), JSON.stringify(got[k]));
};
const sameUser = (_t: CaseContext, got: UserJwt, jwt: UserJwt) => {
  ensure(got.u.e === jwt.u.e.toLowerCase(), 'inspect: u.e is not the token email, lower-cased', jwt.u.e.toLowerCase(), got.u.e);
  ensure(
    got.u.n === jwt.u.n && got.u.p === jwt.u.p && sameSet(got.u.r, jwt.u.r),
    'inspect: u (name, permissions, roles) differs from the token',
    JSON.stringify({ ...jwt.u, e: undefined }),
    JSON.stringify({ ...got.u, e: undefined }),
  );
};
const restApiScopes = (_t: CaseContext, got: UserJwt, jwt: UserJwt) => {
  const want = jwt.scope.map(restApiScope);
  ensure(sameSet(got.scope, want), "inspect: scope is not the token's scope in rest-api's spelling (.Read/.Write)", want.join(' '), got.scope.join(' '));
};

const rows: Row[] = [
  {
    name: 'bearer.cross-check',
    title: 'inspect of a bearer (?bearer_token= as the doc shows) matches schema inspect-bearer and the JWT: same iss, sub, aud, iat, exp, u, scope; no jti',
    via: 'param',
    token: (t) => setup('minting a token', () => obtainToken(t, 'user')),
    checks: [sameClaims(['iss', 'sub', 'aud', 'iat', 'exp']), sameUser, restApiScopes],
    severity: 'high',
    needs: ['user'],
  },
  {
    name: 'bearer.scope-capitalisation',
    title: 'inspect spells access suffixes the rest-api way: a token for public mqtt.read inspects as public mqtt.Read',
    via: 'header',
    token: (t) => setup('minting a token', () => obtainToken(t, 'user', { app: t.settings.scopedClient!, scope: 'public mqtt.read' })),
    checks: [
      restApiScopes,
      (_t, got) =>
        ensure(
          got.scope.includes('mqtt.Read') && !got.scope.includes('mqtt.read'),
          'inspect: mqtt.read is not capitalised as mqtt.Read',
          'mqtt.Read',
          got.scope.join(' '),
        ),
    ],
    severity: 'medium',
    needs: ['user', 'scopedClient'],
  },
];

const rowCases: ContractCase[] = rows.map((row) => ({
  id: `${area}.${row.name}`,
  title: row.title,
  requirements: ['PLACEOS-DOC-INSPECT', 'PLACEOS-IMPL-INSPECT-SHAPE'],
  level: 'MUST',
  severity: row.severity,
  tags: ['readonly'],
  needs: row.needs,
  async run(t) {
    const tokens = await row.token(t);
    const jwt = decodeJwt(tokens.accessToken).claims as unknown as UserJwt;
    const res = await getWithBearer(t.client('inspect'), row.via, INSPECT, tokens.accessToken);
    expectStatus(res, 200, 'inspect');
    expectSchema(t, 'inspect-bearer', res.json, 'inspect');
    const got = res.json as UserJwt;
    for (const check of row.checks) check(t, got, jwt);
  },
}));

export const cases: ContractCase[] = [
  ...rowCases,
  {
    id: `${area}.matches-current-user`,
    title: 'inspect and users/current describe the same account: sub = id, u.e = email (lower-cased), u.n = name, u.r = groups',
    requirements: ['PLACEOS-IMPL-INSPECT-SHAPE', 'PLACEOS-IMPL-CURRENT-USER'],
    level: 'MUST',
    severity: 'medium',
    tags: ['readonly'],
    needs: ['user'],
    async run(t) {
      const tokens = await setup('minting a token', () => obtainToken(t, 'user'));
      const client = t.client('inspect');
      const ins = await getWithBearer(client, 'header', INSPECT, tokens.accessToken);
      const cur = await getWithBearer(client, 'header', CURRENT_USER, tokens.accessToken);
      expectStatus(ins, 200, 'inspect');
      expectSchema(t, 'inspect-bearer', ins.json, 'inspect');
      expectStatus(cur, 200, 'users/current');
      expectSchema(t, 'current-user', cur.json, 'users/current');
      const i = ins.json as UserJwt;
      const c = cur.json as { id: string; email: string; name: string; groups: string[]; sys_admin: boolean; support: boolean };
      ensure(i.sub === c.id, 'inspect sub differs from users/current id', c.id, i.sub);
      ensure(i.u.e === c.email.toLowerCase(), 'inspect u.e differs from the account email', c.email.toLowerCase(), i.u.e);
      ensure(i.u.n === c.name, 'inspect u.n differs from the account name', c.name, i.u.n);
      ensure(sameSet(i.u.r, c.groups), 'inspect u.r differs from the account groups', c.groups.join(','), i.u.r.join(','));
      const p = (c.support ? 1 : 0) | (c.sys_admin ? 2 : 0);
      ensure(i.u.p === p, 'inspect u.p is not the permission bits of the account (1 support, 2 sys_admin)', String(p), String(i.u.p));
    },
  },
];
