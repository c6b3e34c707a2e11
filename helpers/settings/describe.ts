// What the run may show about its settings (never a secret), and the secrets it must mask.
import { createHash } from 'node:crypto';
import type { SecretKind } from '../secrets';
import { stripUrl } from './text';
import type { ClientApp, TargetSettings } from './types';

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
 * proxy credentials).
 */
export function settingsSecrets(s: TargetSettings): { value: string; kind: SecretKind }[] {
  const out: { value: string; kind: SecretKind }[] = [];
  const push = (value: string | undefined, kind: SecretKind): void => {
    if (value) out.push({ value, kind });
  };
  push(s.service?.password, 'password');
  push(s.user?.password, 'password');
  push(s.logoutAccount?.password, 'password');
  push(s.ssoAccount?.password, 'password');
  push(s.client.clientSecret, 'client_secret');
  push(s.confidentialClient?.clientSecret, 'client_secret');
  push(s.scopedClient?.clientSecret, 'client_secret');
  for (const key of [s.apiKey, s.apiKeyExpired]) {
    push(key, 'api_key');
    push(key?.slice(key.indexOf('.') + 1), 'api_key');
  }
  push(s.expiredToken, 'access_token');
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
