// Shared state of one running target: fixtures turned into in-memory stores, keys, lifetimes,
// profile and faults. Handlers receive this object; nothing here is global.
import {
  createHash,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SignJWT, exportJWK, calculateJwkThumbprint, type JWK } from 'jose';
import type { Profile } from './profiles';
import type { Faults } from './mutants';
import type { AppFixture, AuthorityFixture, Fixtures, SsoStrategyFixture, UserFixture, ApiKeyFixture } from './fixtures';
import { referencePackageRoot } from './package-root';

export interface Lifetimes {
  accessTokenSeconds: number;
  codeSeconds: number;
  sessionSeconds: number;
}

export interface User extends UserFixture {
  email_digest: string;
  created_at: number;
  login_count: number;
  last_login?: number;
  /** epoch ms; 0 = never */
  logged_out_at_ms: number;
  /** bcrypt stand-in: salted SHA-512 HMAC */
  password_digest?: string;
  password_salt: string;
}

export interface ApiKey extends ApiKeyFixture {
  /** HMAC-SHA512(secret, id) hex */
  digest: string;
}

export interface AccessTokenRecord {
  token: string;
  jti: string;
  refreshToken?: string;
  refreshJti?: string;
  appId: string;
  userId: string | null;
  authority: string;
  scopes: string[];
  createdAtMs: number;
  expiresIn: number;
  revokedAtMs?: number;
  previousRefreshToken?: string;
  /** auth.cr rotation: set when the refresh token was exchanged. */
  refreshRotatedAtMs?: number;
}

export interface CodeRecord {
  code: string;
  appId: string;
  userId: string;
  authority: string;
  redirectUri: string;
  scopes: string[];
  challenge?: string;
  challengeMethod?: string;
  expiresAtMs: number;
  consumedAtMs?: number;
}

export const DEFAULT_KEY_PATH = path.join(referencePackageRoot(), 'keys/placeos-default/private.pem');

export interface IdpEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  /** The CA the provider's certificate is signed by (TLS targets). */
  ca?: string;
}

export class TargetContext {
  readonly authorities: AuthorityFixture[];
  readonly users: User[];
  readonly apps: AppFixture[];
  readonly apiKeys: ApiKey[];
  readonly ssoStrategies: SsoStrategyFixture[];
  readonly tokens = new Map<string, AccessTokenRecord>(); // by access token
  readonly refreshIndex = new Map<string, AccessTokenRecord>(); // by refresh token
  readonly jtiIndex = new Map<string, AccessTokenRecord>();
  readonly codes = new Map<string, CodeRecord>();
  /** Where the OAuth2 strategy finds its identity provider: starts the provider on first use. */
  idp?: () => Promise<IdpEndpoints>;
  /** Identities per IdP code, kept only under the `sso-code-replay` mutant. */
  readonly idpAnswers = new Map<string, { email: string; name: string }>();
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The key the target really signs with (the published default key under `default-signing-key`). */
  readonly signingKey: KeyObject;
  readonly verifyKey: KeyObject;
  readonly publicPem: string;
  readonly secretKeyBase: Buffer;
  readonly startedAt = Date.now();
  jwk?: JWK & { kid: string };
  /** Under jwks-stale-key: the key the JWKS publishes instead (the published development key). */
  staleJwk?: JWK & { kid: string };

  constructor(
    readonly profile: Profile,
    readonly faults: Faults,
    readonly lifetimes: Lifetimes,
    fixtures: Fixtures,
    readonly scheme: 'http' | 'https',
    pair: { privateKey: KeyObject; publicKey: KeyObject } = generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ) {
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    if (faults.has('default-signing-key')) {
      if (!fs.existsSync(DEFAULT_KEY_PATH)) {
        throw new Error(`mutant default-signing-key needs the published PlaceOS key at ${DEFAULT_KEY_PATH}, which does not exist`);
      }
      this.signingKey = createPrivateKey(fs.readFileSync(DEFAULT_KEY_PATH, 'utf8'));
      this.verifyKey = createPublicKey(this.signingKey);
    } else {
      this.signingKey = this.privateKey;
      this.verifyKey = this.publicKey;
    }
    this.publicPem = this.verifyKey.export({ type: 'spki', format: 'pem' }).toString();
    this.secretKeyBase = randomBytes(64);
    this.authorities = fixtures.authorities;
    this.apps = fixtures.apps;
    this.ssoStrategies = fixtures.ssoStrategies;
    const now = Math.floor(Date.now() / 1000);
    this.users = fixtures.users.map((u) => {
      const salt = randomBytes(16).toString('hex');
      return {
        ...u,
        email: u.email.toLowerCase(),
        email_digest: md5Hex(u.email.toLowerCase()),
        created_at: now - 86400 * 30,
        login_count: 0,
        logged_out_at_ms: 0,
        password_salt: salt,
        ...(u.password !== undefined ? { password_digest: digestPassword(u.password, salt) } : {}),
      };
    });
    this.apiKeys = fixtures.apiKeys.map((k) => ({ ...k, digest: apiKeyDigest(k.id, k.secret) }));
  }

  async init(): Promise<void> {
    const jwk = await exportJWK(this.verifyKey);
    const kid = await calculateJwkThumbprint(jwk);
    this.jwk = { ...jwk, kid };
    if (this.faults.has('jwks-stale-key')) {
      const stale = await exportJWK(createPublicKey(createPrivateKey(fs.readFileSync(DEFAULT_KEY_PATH, 'utf8'))));
      this.staleJwk = { ...stale, kid: await calculateJwkThumbprint(stale) };
    }
  }

  // ---- lookups ----------------------------------------------------------------------------------
  authorityForHost(hostHeader: string | undefined): AuthorityFixture | undefined {
    const host = hostnameOf(hostHeader);
    return this.authorities.find((a) => a.domain.toLowerCase() === host);
  }
  authorityByKey(key: string): AuthorityFixture | undefined {
    return this.authorities.find((a) => a.key === key);
  }
  appByUid(uid: string | undefined): AppFixture | undefined {
    return uid === undefined ? undefined : this.apps.find((a) => a.uid === uid);
  }
  appById(id: string): AppFixture | undefined {
    return this.apps.find((a) => a.id === id);
  }
  userById(id: string | null | undefined): User | undefined {
    return id ? this.users.find((u) => u.id === id) : undefined;
  }
  userByEmail(authority: AuthorityFixture, email: string): User | undefined {
    const digest = md5Hex(email.toLowerCase());
    return this.users.find((u) => u.authority === authority.key && u.email_digest === digest && !u.deleted);
  }
  /** Local password check (bcrypt in PlaceOS). */
  passwordMatches(user: User, password: string | undefined): boolean {
    if (this.faults.has('wrong-password-accepted')) return user.password_digest !== undefined;
    if (user.password_digest === undefined || password === undefined) return false;
    return digestPassword(password, user.password_salt) === user.password_digest;
  }

  // ---- tokens -----------------------------------------------------------------------------------
  newJti(): string {
    if (this.faults.has('jti-hex')) return randomBytes(16).toString('hex');
    return this.profile.jtiFormat === 'uuid' ? randomUUID() : randomBytes(32).toString('hex');
  }

  /** PlaceOS access JWT (§4.4). */
  async signAccessToken(user: User, scopes: string[], iatS: number, expiresIn: number, jti: string): Promise<string> {
    const authority = this.authorityByKey(user.authority);
    const payload = {
      iss: 'POS',
      iat: iatS,
      exp: iatS + expiresIn,
      jti,
      aud: authority?.domain ?? '',
      scope: scopes,
      sub: user.id,
      u: { n: user.name, e: user.email, p: (user.support ? 1 : 0) | (user.sys_admin ? 2 : 0), r: user.groups },
    };
    return this.signRaw(payload);
  }

  async signRaw(payload: Record<string, unknown>): Promise<string> {
    const header: { alg: string; typ?: string } = { alg: 'RS256' };
    if (this.profile.jwtTyp) header.typ = 'JWT';
    return new SignJWT(payload).setProtectedHeader(header).sign(this.signingKey);
  }

  saveAccessToken(rec: AccessTokenRecord): void {
    this.tokens.set(rec.token, rec);
    this.jtiIndex.set(rec.jti, rec);
    if (rec.refreshToken) this.refreshIndex.set(rec.refreshToken, rec);
  }

  // ---- cookies: Rails-style encrypted values ------------------------------------------------------
  encrypt(payload: unknown): string {
    const key = this.secretKeyBase.subarray(0, 32);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([c.update(JSON.stringify(payload), 'utf8'), c.final()]);
    return `${ct.toString('base64')}--${iv.toString('base64')}--${c.getAuthTag().toString('base64')}`;
  }
  decrypt<T>(value: string | undefined): T | undefined {
    if (!value) return undefined;
    try {
      const [ct, iv, tag] = value.split('--').map((p) => Buffer.from(p, 'base64'));
      if (!ct || !iv || !tag || iv.length !== 12 || tag.length !== 16) return undefined;
      const d = createDecipheriv('aes-256-gcm', this.secretKeyBase.subarray(0, 32), iv);
      d.setAuthTag(tag);
      return JSON.parse(Buffer.concat([d.update(ct), d.final()]).toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
  /** `verified` cookie: `<16 hex>.<64 hex HMAC-SHA256(SECRET_KEY_BASE, data)>` */
  verifiedCookieValue(): string {
    const data = randomBytes(8).toString('hex');
    return `${data}.${createHmac('sha256', this.secretKeyBase).update(data).digest('hex')}`;
  }
}

export function md5Hex(s: string): string {
  return createHash('md5').update(s).digest('hex');
}
export function digestPassword(password: string, salt: string): string {
  return createHmac('sha512', salt).update(password).digest('hex');
}
export function apiKeyDigest(id: string, secret: string): string {
  return createHmac('sha512', id).update(secret).digest('hex');
}
export function hostnameOf(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return i >= 0 ? h.slice(0, i) : h;
}
