// JWT algorithm and key handling at rest-api (RFC 8725 §2.1, §3.1, §3.10; RFC 7515 §5.2, §10.3;
// contract §12.1): a copy of a valid token's claims, re-signed the ways a confused verifier would
// accept (HS256 keyed with the deployment's public key, RS256 by another key naming the
// deployment's kid, an attacker key offered in the header as jwk, jku or x5u), is refused at
// inspect and at users/current in every bearer transport. These rows sign with the suite's own
// attacker key and, for HS256, with the deployment's public key; the rows of claims.ts (crit, nbf,
// iat) sign with a test deployment's own key where the operator gives it.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { importJWK, type JWK } from 'jose';
import { PreconditionFailed, type CaseContext, type ContractCase } from '../../helpers/case';
import { verifyWithPublicKey } from '../../helpers/jwt';
import { attackerKey, derForms, keyServer, pemForms, signAsAttacker, signHs256, thumbprintKid, type KeyBytes } from '../../helpers/jwt-attacks';
import { precondition } from '../../helpers/kit';
import { claimRows } from './claims';
import { control, expectAllRefused, type Control, type Row } from './rows';

export const area = 'security-jwt';

/** Where the JWKS lives on generations that serve one (contract §3.10). */
const JWKS_PATH = '/auth/oauth/discovery/keys';

interface DeploymentKey {
  key: KeyObject;
  /** Where it came from, for messages. */
  source: string;
  /** The PEM text as configured (PLACEOS_JWT_PUBLIC_KEY_FILE). */
  pem?: string;
  /** The kid the JWKS gives it. */
  kid?: string;
}

/**
 * The public key that verifies the deployment's tokens: PLACEOS_JWT_PUBLIC_KEY_FILE, else the
 * JWKS where the generation serves one; `n/a` without either. A key that does not verify the
 * control token makes the check `error` (a forgery with the wrong key proves nothing).
 */
async function deploymentKey(t: CaseContext, c: Control): Promise<DeploymentKey> {
  if (t.settings.jwtPublicKeyPem) {
    const r = await verifyWithPublicKey(c.token, t.settings.jwtPublicKeyPem, { signatureOnly: true });
    precondition(r.ok, 'the configured public key', 'PLACEOS_JWT_PUBLIC_KEY_FILE does not verify an issued token', 'a key that verifies it', 'none');
    return { key: createPublicKey(t.settings.jwtPublicKeyPem), source: 'PLACEOS_JWT_PUBLIC_KEY_FILE', pem: t.settings.jwtPublicKeyPem };
  }
  if (!t.contract.oidc) t.notApplicable(`needs the public key: PLACEOS_JWT_PUBLIC_KEY_FILE (${t.contract.label} serves no JWKS)`);
  const res = await t.client('jwks').get(JWKS_PATH);
  precondition(res.status === 200, 'fetching the JWKS', `GET ${JWKS_PATH} did not answer 200`, '200', String(res.status));
  const keys = ((res.json as { keys?: (JWK & { kid?: string })[] } | undefined)?.keys ?? []).filter((k) => k.kty === 'RSA');
  for (const k of keys) {
    const key = (await importJWK({ ...k, alg: 'RS256' }, 'RS256')) as KeyObject;
    if ((await verifyWithPublicKey(c.token, key, { signatureOnly: true })).ok) return { key, source: 'the JWKS', ...(k.kid ? { kid: k.kid } : {}) };
  }
  throw new PreconditionFailed(`the JWKS key failed, so the check could not be made: no RSA key of the JWKS (${keys.length}) verifies an issued token`);
}

/** HS256 tokens keyed with each encoding of the deployment's public key (alg confusion). */
function hs256Row(name: string, what: string, forms: (k: DeploymentKey) => KeyBytes[]): Row {
  return {
    name,
    title: `a token signed HS256 with the deployment's RSA public key (${what}) as the HMAC key is refused at inspect and users/current in every transport`,
    requirements: ['RFC8725-3.1', 'RFC8725-2.1', 'PLACEOS-IMPL-JWT-VERIFY'],
    severity: 'blocker',
    async run(t, c) {
      const k = await deploymentKey(t, c);
      const forged = await Promise.all(
        forms(k).map(async (f) => ({ what: `HS256 keyed with the ${f.form} (${k.source})`, token: await signHs256(c.claims, f.bytes) })),
      );
      await expectAllRefused(t, c.api, forged, `HS256 tokens keyed with the public key (${what})`);
    },
  };
}

/** RS256 by the attacker's key with these extra header members. */
function headerKeyRow(name: string, what: string, header: (c: Control) => Promise<Record<string, unknown>>): Row {
  return {
    name,
    title: `a token signed by another key and ${what} is refused at inspect and users/current in every transport`,
    requirements: ['RFC7515-10.3', 'RFC8725-3.10', 'RFC7515-5.2', 'PLACEOS-IMPL-JWT-VERIFY'],
    severity: 'blocker',
    async run(t, c) {
      const forged = await signAsAttacker(c.claims, await header(c));
      await expectAllRefused(t, c.api, [{ what: `the ${name} token`, token: forged }], `a token ${what}`);
    },
  };
}

const rows: Row[] = [
  hs256Row('hs256-public-key-pem', 'PEM text', (k) => pemForms(k.key, k.pem)),
  hs256Row('hs256-public-key-der', 'DER bytes', (k) => derForms(k.key)),
  {
    name: 'kid-wrong-key',
    title: "a token signed RS256 by another key but naming the deployment's key id (kid) is refused at inspect and users/current in every transport",
    requirements: ['RFC8725-2.1', 'RFC7515-5.2', 'PLACEOS-IMPL-JWT-VERIFY'],
    severity: 'blocker',
    async run(t, c) {
      // The kid the deployment's own tokens or JWKS use; else the RFC 7638 thumbprint of its key.
      const kid =
        c.kid ??
        (await (async () => {
          const k = await deploymentKey(t, c);
          return k.kid ?? thumbprintKid(k.key);
        })());
      const forged = await signAsAttacker(c.claims, { kid, typ: 'JWT' });
      await expectAllRefused(
        t,
        c.api,
        [{ what: 'RS256 by another key with the deployment kid', token: forged }],
        "a token naming the deployment's kid, signed by another key",
      );
    },
  },
  headerKeyRow('embedded-jwk', "carrying that key's public JWK in its jwk header", async () => ({ jwk: (await attackerKey()).jwk })),
];

/** jku and x5u: the URL is a loopback server of this run, closed when the check ends. */
function urlRow(name: 'jku' | 'x5u', what: string): Row {
  return {
    name: `${name}-attacker-url`,
    title: `a token signed by another key whose ${name} header points at ${what} is refused at inspect and users/current in every transport`,
    requirements: ['RFC7515-10.3', 'RFC8725-3.10', 'RFC7515-5.2', 'PLACEOS-IMPL-JWT-VERIFY'],
    severity: 'blocker',
    async run(t, c) {
      const server = await keyServer(await attackerKey());
      try {
        const forged = await signAsAttacker(c.claims, { [name]: name === 'jku' ? server.jkuUrl : server.x5uUrl });
        await expectAllRefused(t, c.api, [{ what: `the ${name} token`, token: forged }], `a token whose ${name} names the attacker's key`);
      } finally {
        await server.close();
      }
    },
  };
}

rows.push(urlRow('jku', "a JWK Set of that key (an attacker's URL)"), urlRow('x5u', "a certificate of that key (an attacker's URL)"), ...claimRows);

export const cases: ContractCase[] = rows.map((r) => ({
  id: `${area}.${r.name}`,
  title: r.title,
  requirements: r.requirements,
  level: r.level ?? 'MUST',
  severity: r.severity,
  tags: ['security', 'readonly'],
  needs: ['user', ...(r.needs ?? [])],
  async run(t) {
    await r.run(t, await control(t));
  },
}));
