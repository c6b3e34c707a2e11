// Seeded data of the reference target: two authorities (A = "localhost", B = "127.0.0.1"), the
// `backoffice` app on each (client_id = MD5(redirect_uri), as PlaceOS init/models/ts-client do),
// a scoped app, a confidential app, a service account, a normal user, an admin, API keys and an
// SSO strategy. Everything can be replaced through `FixtureOverrides`.
import { createHash, randomBytes } from 'node:crypto';

export interface FixtureContext {
  /** 'http' or 'https' */
  scheme: string;
  port: number;
}

export interface AuthorityFixture {
  key: string; // 'A' | 'B' | any
  id: string;
  name: string;
  description: string;
  domain: string;
  login_url: string;
  logout_url: string;
  config: Record<string, unknown>;
  email_domains: string[];
  session_timeout_minutes: number;
}

export interface UserFixture {
  id: string;
  authority: string; // AuthorityFixture.key
  role?: 'service' | 'user' | 'admin' | string;
  email: string;
  /** undefined = no local password (SSO-only account). */
  password?: string;
  name: string;
  first_name?: string;
  last_name?: string;
  nickname?: string;
  sys_admin: boolean;
  support: boolean;
  groups: string[];
  deleted?: boolean;
  department?: string;
  staff_id?: string;
  phone?: string;
  country?: string;
  building?: string;
  preferred_language?: string;
  login_name?: string;
}

export interface AppFixture {
  id: string;
  authority: string;
  role?: 'backoffice' | 'scoped' | 'confidential' | string;
  name: string;
  /** client_id */
  uid: string;
  secret: string;
  redirect_uri: string;
  /** empty = server scopes */
  scopes: string[];
  confidential: boolean;
  /** This app's own authorization-code lifetime (unset: the target's). */
  codeSeconds?: number;
}

export interface ApiKeyFixture {
  id: string;
  secret: string;
  user: string; // UserFixture.id
  authority: string;
  role?: 'valid' | 'expired' | string;
  name: string;
  scopes: string[];
  permissions: number;
  /** epoch seconds or null */
  expires_at: number | null;
}

export interface SsoStrategyFixture {
  id: string; // oauth_strat-...
  authority: string;
  name: string;
  client_id: string;
  client_secret: string;
}

export interface FixtureOverrides {
  authorities: AuthorityFixture[] | ((ctx: FixtureContext) => AuthorityFixture[]);
  users: UserFixture[] | ((ctx: FixtureContext) => UserFixture[]);
  apps: AppFixture[] | ((ctx: FixtureContext) => AppFixture[]);
  apiKeys: ApiKeyFixture[] | ((ctx: FixtureContext) => ApiKeyFixture[]);
  ssoStrategies: SsoStrategyFixture[] | ((ctx: FixtureContext) => SsoStrategyFixture[]);
}

export interface Fixtures {
  authorities: AuthorityFixture[];
  users: UserFixture[];
  apps: AppFixture[];
  apiKeys: ApiKeyFixture[];
  ssoStrategies: SsoStrategyFixture[];
}

export const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const rid = (n = 8): string => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x');
const password = (): string => `Pw-${randomBytes(12).toString('base64url')}`;

/** All server scopes (doc §6.4). */
const RESOURCES = [
  'alert_dashboards',
  'alerts',
  'api_keys',
  'asset_categories',
  'asset_purchase_orders',
  'asset_types',
  'asset_instances',
  'assets',
  'ldap_authentications',
  'saml_authentications',
  'o_auth_authentications',
  'brokers',
  'build_monitor',
  'chat_gpt',
  'cluster',
  'domains',
  'drivers',
  'settings',
  'modules',
  'systems',
  'guest',
  'control',
  'edges',
  'edge-control',
  'metadata',
  'mqtt',
  'flux',
  'o_auth_applications',
  'repositories',
];
export const SERVER_SCOPES: readonly string[] = ['public', 'openid', ...RESOURCES.flatMap((r) => [r, `${r}.read`, `${r}.write`])];

export function defaultFixtures(ctx: FixtureContext): Fixtures {
  const authorities: AuthorityFixture[] = [
    { key: 'A', domain: 'localhost', name: 'localhost' },
    { key: 'B', domain: '127.0.0.1', name: 'Second authority' },
  ].map((a) => ({
    key: a.key,
    id: `authority-${rid()}`,
    name: a.name,
    description: `PlaceOS reference target authority ${a.key}`,
    domain: a.domain,
    login_url: '/login?continue={{url}}',
    logout_url: '/auth/logout',
    config: { default_app: '/backoffice/', metrics: {} },
    email_domains: [],
    session_timeout_minutes: 1440,
  }));
  const users: UserFixture[] = [];
  const apps: AppFixture[] = [];
  const apiKeys: ApiKeyFixture[] = [];
  const ssoStrategies: SsoStrategyFixture[] = [];
  for (const a of authorities) {
    const base = `${ctx.scheme}://${a.domain}:${ctx.port}`;
    const service: UserFixture = {
      id: `user-${rid()}`,
      authority: a.key,
      role: 'service',
      email: `support@place.tech`,
      password: password(),
      name: 'Place Support (Service)',
      first_name: 'Place',
      last_name: 'Support',
      sys_admin: false,
      support: true,
      groups: ['service'],
      login_name: 'support',
    };
    const user: UserFixture = {
      id: `user-${rid()}`,
      authority: a.key,
      role: 'user',
      email: `jane.user@${a.key === 'A' ? 'example.com' : 'example.org'}`,
      password: password(),
      name: 'Jane User',
      first_name: 'Jane',
      last_name: 'User',
      nickname: 'jane',
      sys_admin: false,
      support: false,
      groups: ['staff', 'level-3'],
      department: 'Engineering',
      staff_id: 'S-1001',
      phone: '+61 2 5550 1234',
      country: 'AU',
      building: 'zone-bld1',
      preferred_language: 'en',
    };
    const admin: UserFixture = {
      id: `user-${rid()}`,
      authority: a.key,
      role: 'admin',
      email: `admin@place.tech`,
      password: password(),
      name: 'Admin User',
      first_name: 'Admin',
      last_name: 'User',
      sys_admin: true,
      support: true,
      groups: ['admin'],
    };
    // An account of its own for the logout checks: PlaceOS logout ends every session and token of the account.
    const logout: UserFixture = {
      id: `user-${rid()}`,
      authority: a.key,
      role: 'logout',
      email: `contract-logout@${a.key === 'A' ? 'example.com' : 'example.org'}`,
      password: password(),
      name: 'Logout Probe',
      first_name: 'Logout',
      last_name: 'Probe',
      sys_admin: false,
      support: false,
      groups: ['staff'],
    };
    users.push(service, user, admin, logout);
    const bo = `${base}/backoffice/oauth-resp.html`;
    const scoped = `${base}/scoped/oauth-resp.html`;
    const conf = `${base}/confidential/callback`;
    apps.push(
      {
        id: `oauth_app-${rid()}`,
        authority: a.key,
        role: 'backoffice',
        name: 'backoffice',
        uid: md5(bo),
        secret: randomBytes(24).toString('hex'),
        redirect_uri: bo,
        scopes: ['public'],
        confidential: false,
      },
      {
        id: `oauth_app-${rid()}`,
        authority: a.key,
        role: 'scoped',
        name: 'scoped-app',
        uid: md5(scoped),
        secret: randomBytes(24).toString('hex'),
        redirect_uri: scoped,
        scopes: ['public', 'mqtt.read', 'mqtt.write', 'openid'],
        confidential: false,
      },
      {
        id: `oauth_app-${rid()}`,
        authority: a.key,
        role: 'confidential',
        name: 'confidential-app',
        uid: md5(conf),
        secret: randomBytes(24).toString('hex'),
        redirect_uri: conf,
        scopes: ['public'],
        confidential: true,
      },
      // The backoffice redirect URI again, under another client_id: the app whose codes may be
      // given a short lifetime of their own (ReferenceOptions.lifetimes.shortCodeSeconds).
      {
        id: `oauth_app-${rid()}`,
        authority: a.key,
        role: 'short-code',
        name: 'short-code-app',
        uid: md5(`short-code:${bo}`),
        secret: randomBytes(24).toString('hex'),
        redirect_uri: bo,
        scopes: ['public'],
        confidential: false,
      },
    );
    apiKeys.push(
      {
        id: `keys-${rid()}`,
        secret: randomBytes(24).toString('base64url'),
        user: user.id,
        authority: a.key,
        role: 'valid',
        name: 'reference key',
        scopes: ['public'],
        permissions: 0,
        expires_at: null,
      },
      {
        id: `keys-${rid()}`,
        secret: randomBytes(24).toString('base64url'),
        user: user.id,
        authority: a.key,
        role: 'expired',
        name: 'expired key',
        scopes: ['public'],
        permissions: 0,
        expires_at: Math.floor(Date.now() / 1000) - 3600,
      },
    );
    ssoStrategies.push({ id: `oauth_strat-${rid()}`, authority: a.key, name: 'Reference OpenID provider', client_id: rid(12), client_secret: rid(16) });
  }
  return { authorities, users, apps, apiKeys, ssoStrategies };
}

/** The callback an SSO strategy registers at the identity provider (PlaceOS's omniauth strategy appends the id). */
export function ssoCallbackUri(base: string, strategyId: string): string {
  return `${base}/auth/oauth2/callback?id=${encodeURIComponent(strategyId)}`;
}

export function buildFixtures(ctx: FixtureContext, overrides: Partial<FixtureOverrides> = {}): Fixtures {
  const d = defaultFixtures(ctx);
  const pick = <T>(o: T[] | ((c: FixtureContext) => T[]) | undefined, dflt: T[]): T[] => (o === undefined ? dflt : typeof o === 'function' ? o(ctx) : o);
  return {
    authorities: pick(overrides.authorities, d.authorities),
    users: pick(overrides.users, d.users),
    apps: pick(overrides.apps, d.apps),
    apiKeys: pick(overrides.apiKeys, d.apiKeys),
    ssoStrategies: pick(overrides.ssoStrategies, d.ssoStrategies),
  };
}
