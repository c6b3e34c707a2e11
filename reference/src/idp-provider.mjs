// The OpenID provider's configuration, as an ES module loaded by Node's own loader (see esm.ts):
// oidc-provider is ESM-only and checks its configuration with `instanceof Array`, so the
// configuration must be built in the realm that loads it, not in a test runner's sandbox.
// Called from idp.ts with plain data; everything handed to the provider is built here.
import Provider from 'oidc-provider';

/** oidc-provider's storage, one per provider (its built-in one is shared by the process and warns). */
function memoryAdapter() {
  const store = new Map();
  const live = (key) => {
    const e = store.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return e.payload;
  };
  return class MemoryAdapter {
    constructor(model) {
      this.model = model;
    }
    key(id) {
      return `${this.model}:${id}`;
    }
    async upsert(id, payload, expiresIn) {
      store.set(this.key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
    }
    async find(id) {
      return live(this.key(id));
    }
    async findByUid(uid) {
      for (const k of store.keys()) if (k.startsWith(`${this.model}:`) && live(k)?.uid === uid) return live(k);
      return undefined;
    }
    async findByUserCode(userCode) {
      for (const k of store.keys()) if (k.startsWith(`${this.model}:`) && live(k)?.userCode === userCode) return live(k);
      return undefined;
    }
    async consume(id) {
      const p = live(this.key(id));
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId) {
      for (const [k, e] of store) if (e.payload.grantId === grantId) store.delete(k);
    }
  };
}

/**
 * @param {{ issuer: string, clients: string, accounts: string, jwk: string, cookieKey: string }} o
 *   clients, accounts and jwk as JSON text (plain data crosses realms safely as text).
 */
export function createProvider(o) {
  const clients = JSON.parse(o.clients);
  const accounts = new Map(JSON.parse(o.accounts).map((a) => [a.id, a]));
  return new Provider(o.issuer, {
    adapter: memoryAdapter(),
    clients: clients.map((c) => ({
      ...c,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    })),
    jwks: { keys: [JSON.parse(o.jwk)] },
    cookies: { keys: [o.cookieKey] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    routes: { authorization: '/authorize', token: '/token', userinfo: '/userinfo', jwks: '/jwks' },
    // PlaceOS's strategies send no PKCE towards the IdP; a confidential client may go without.
    pkce: { methods: ['S256'], required: () => false },
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true } },
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return { accountId: a.id, claims: async () => ({ sub: a.id, email: a.email, email_verified: true, name: a.name }) };
    },
    // First-party clients: no consent page, the grant is made as the user signs in.
    async loadExistingGrant(ctx) {
      const accountId = ctx.oidc.session?.accountId;
      const clientId = ctx.oidc.client?.clientId;
      if (!accountId || !clientId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ accountId, clientId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
}
