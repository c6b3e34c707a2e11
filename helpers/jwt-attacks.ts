// Forged JWTs for the algorithm and key-handling checks (RFC 8725 §2.1, §3.1, §3.10; RFC 7515
// §10.3): HS256 keyed with the deployment's public key, RS256 by an attacker key naming the
// deployment's kid, and an attacker key offered in the header (jwk, jku, x5u). The attacker key is
// ours: nothing here needs, or ever holds, the deployment's signing key. jku and x5u point at a
// loopback server the check runs (keyServer), which also tells whether anything fetched them.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, SignJWT, type JWK } from 'jose';
import type { JwtClaims } from './jwt';

/** An RSA key pair nobody else has, with a self-signed certificate for x5u. */
export interface AttackerKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Its public JWK (kty, n, e) with kid = its RFC 7638 thumbprint. */
  jwk: JWK & { kid: string };
  /** A self-signed X.509 certificate of the public key (PEM). */
  certPem: string;
}

let processAttackerKey: Promise<AttackerKey> | undefined;

/** One attacker key per process: generating an RSA pair and a certificate costs a few hundred ms. */
export function attackerKey(): Promise<AttackerKey> {
  return (processAttackerKey ??= (async () => {
    // Loaded here only: selfsigned (a dependency of the reference target's TLS) is not small.
    const { generate } = (await import('selfsigned')) as typeof import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: 'attacker.invalid' }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 86400 * 1000),
    });
    const publicKey = createPublicKey(pems.public);
    const jwk = await exportJWK(publicKey);
    return { privateKey: createPrivateKey(pems.private), publicKey, jwk: { ...jwk, kid: await calculateJwkThumbprint(jwk) }, certPem: pems.cert };
  })());
}

/** RS256 over the claims with the attacker's private key and the given protected header members. */
export async function signAsAttacker(claims: JwtClaims, header: Record<string, unknown> = {}): Promise<string> {
  const key = await attackerKey();
  return new SignJWT(claims).setProtectedHeader({ ...header, alg: 'RS256' }).sign(key.privateKey);
}

/**
 * HS256 over the claims with these bytes as the HMAC key. jose takes any Uint8Array as an HS256
 * key (it does not look inside), so no hand-rolled HMAC is needed.
 */
export function signHs256(claims: JwtClaims, secret: Uint8Array): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
}

/** A named encoding of a public key, used as an HMAC secret. */
export interface KeyBytes {
  form: string;
  bytes: Uint8Array;
}

/**
 * The public key as a confused verifier would hold it, PEM text: SPKI ("BEGIN PUBLIC KEY") and
 * PKCS#1 ("BEGIN RSA PUBLIC KEY"), each with and without the final newline, plus the text as
 * configured when it differs.
 */
export function pemForms(key: KeyObject, configuredPem?: string): KeyBytes[] {
  const spki = key.export({ type: 'spki', format: 'pem' }).toString();
  const pkcs1 = key.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forms: [string, string][] = [
    ['SPKI PEM', spki],
    ['SPKI PEM without the final newline', spki.trimEnd()],
    ['PKCS#1 PEM', pkcs1],
    ['PKCS#1 PEM without the final newline', pkcs1.trimEnd()],
  ];
  if (configuredPem && !forms.some(([, text]) => text === configuredPem)) forms.unshift(['the configured PEM', configuredPem]);
  return forms.map(([form, text]) => ({ form, bytes: Buffer.from(text, 'utf8') }));
}

/** The public key as DER bytes: SPKI and PKCS#1. */
export function derForms(key: KeyObject): KeyBytes[] {
  return [
    { form: 'SPKI DER', bytes: key.export({ type: 'spki', format: 'der' }) },
    { form: 'PKCS#1 DER', bytes: key.export({ type: 'pkcs1', format: 'der' }) },
  ];
}

/** The RFC 7638 thumbprint of a public key: the kid a JWKS usually gives it. */
export async function thumbprintKid(key: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(key));
}

/** A loopback HTTP server offering the attacker's key as a JWK Set (`jku`) and as a certificate (`x5u`). */
export interface KeyServer {
  jkuUrl: string;
  x5uUrl: string;
  /** Paths requested so far (a deployment that fetched them followed an attacker's URL). */
  readonly fetched: readonly string[];
  close(): Promise<void>;
}

export async function keyServer(key: AttackerKey): Promise<KeyServer> {
  const fetched: string[] = [];
  const server = createServer((req, res) => {
    fetched.push(req.url ?? '');
    if (req.url === '/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...key.jwk, use: 'sig', alg: 'RS256' }] }));
    } else if (req.url === '/cert.pem') {
      res.writeHead(200, { 'content-type': 'application/pem-certificate-chain' }).end(key.certPem);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    jkuUrl: `${base}/jwks.json`,
    x5uUrl: `${base}/cert.pem`,
    fetched,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
