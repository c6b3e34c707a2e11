// What the run may show about its settings (never a secret), and the secrets it must mask.
import { createHash, createPublicKey } from 'node:crypto';
import type { SecretKind } from '../secrets';
import { stripUrl } from './text';
import type { ClientApp, TargetSettings } from './types';

/** The start of the sha256 of a private key's public half (SPKI PEM): names the key, reveals nothing of it. */
function publicKeyDigest(privatePem: string): string {
  const spki = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
  return createHash('sha256').update(spki.trim()).digest('hex').slice(0, 16);
}

/** Non-secret summary of the settings for reports and the console. */
export function describeSettings(s: TargetSettings): Record<string, string> {
  const yes = (v: unknown): string => (v === undefined || v === '' ? 'no' : 'yes');
  const app = (c: ClientApp | undefined): string =>
    c ? `client_id ${c.clientId}, redirect_uri ${stripUrl(c.redirectUri)}, scopes '${c.scopes.join(' ')}', secret ${yes(c.clientSecret)}` : 'no';
  const out: Record<string, string> = {
    target: s.embedded ? 'embedded reference target' : 'live deployment',
    url: s.url ? stripUrl(s.url) : '(not started yet)',
    otherAuthorityUrl: s.otherAuthorityUrl ? stripUrl(s.otherAuthorityUrl) : 'no',
    generation: s.generationOverride ? `${s.generationOverride} (PLACEOS_GENERATION override)` : 'detected',
    client: app(s.client),
    confidentialClient: app(s.confidentialClient),
    scopedClient: app(s.scopedClient),
    serviceAccount: yes(s.service),
    userAccount: yes(s.user),
    apiKey: yes(s.apiKey),
    apiKeyExpired: yes(s.apiKeyExpired),
    expiredToken: yes(s.expiredToken),
    jwtPublicKey: s.jwtPublicKeyPem ? `yes (sha256 ${createHash('sha256').update(s.jwtPublicKeyPem.trim()).digest('hex').slice(0, 16)})` : 'no',
    jwtSigningKey: s.jwtSigningKeyPem ? `yes (its public key: sha256 ${publicKeyDigest(s.jwtSigningKeyPem)} of the SPKI PEM)` : 'no',
    ssoId: s.ssoId ?? 'no',
    ssoAccount: yes(s.ssoAccount),
    tls: s.tls.insecure ? 'INSECURE: certificates not checked (PLACEOS_INSECURE_TLS)' : s.tls.ca ? `system CAs + ${s.tls.caFile ?? 'custom CA'}` : 'system CAs',
    proxy: s.proxy ? `${stripUrl(s.proxy.url)}${s.proxy.noProxy.length ? ` (not for ${s.proxy.noProxy.join(',')})` : ''}` : 'none',
    timeoutMs: String(s.timeoutMs),
    retries: String(s.retries),
    concurrency: String(s.concurrency),
    maxRequests: String(s.maxRequests),
  };
  return out;
}

/**
 * Every secret value in the settings with its kind, to register with the SecretRegistry before
 * the first request (passwords, client secrets, API keys and their secret part, the expired token,
 * proxy credentials), and `source`: the shell expansion of the variable it came from, for the
 * reproduce lines of the evidence (never the value).
 */
export function settingsSecrets(s: TargetSettings): { value: string; kind: SecretKind; source?: string }[] {
  const out: { value: string; kind: SecretKind; source?: string }[] = [];
  const push = (value: string | undefined, kind: SecretKind, source?: string): void => {
    if (value) out.push(source ? { value, kind, source } : { value, kind });
  };
  push(s.service?.password, 'password', '$PLACEOS_SERVICE_PASSWORD');
  push(s.user?.password, 'password', '$PLACEOS_USER_PASSWORD');
  push(s.logoutAccount?.password, 'password', '$PLACEOS_LOGOUT_PASSWORD');
  push(s.ssoAccount?.password, 'password', '$PLACEOS_SSO_PASSWORD');
  push(s.client.clientSecret, 'client_secret', '$PLACEOS_CLIENT_SECRET');
  push(s.confidentialClient?.clientSecret, 'client_secret', '$PLACEOS_CONFIDENTIAL_CLIENT_SECRET');
  push(s.scopedClient?.clientSecret, 'client_secret', '$PLACEOS_SCOPED_CLIENT_SECRET');
  for (const [key, variable] of [
    [s.apiKey, 'PLACEOS_API_KEY'],
    [s.apiKeyExpired, 'PLACEOS_API_KEY_EXPIRED'],
  ] as const) {
    push(key, 'api_key', `$${variable}`);
    push(key?.slice(key.indexOf('.') + 1), 'api_key', `\${${variable}#*.}`);
  }
  push(s.expiredToken, 'access_token', '$PLACEOS_EXPIRED_TOKEN');
  // The signing key as a PEM and as its base64 body on one line (the forms it could be printed in);
  // it is never sent, so it has no shell source for a reproduce line.
  if (s.jwtSigningKeyPem) {
    push(s.jwtSigningKeyPem.trim(), 'other');
    push(s.jwtSigningKeyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'other');
  }
  if (s.proxy) {
    try {
      const u = new URL(s.proxy.url);
      push(decodeURIComponent(u.password), 'password');
    } catch {
      // validated already
    }
  }
  return out;
}
