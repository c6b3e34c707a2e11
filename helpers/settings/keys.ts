// Settings that name files or hold PEM text: the JWT public key, the JWT signing key of a test
// deployment and the CA certificates.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { oneLine, readText } from './text';
import type { Problem, TargetSettings } from './types';

function checkPem(name: string, pem: string, from: string, problem: Problem): string | undefined {
  if (/PRIVATE KEY-----/.test(pem)) {
    problem(
      name,
      `${from} contains a PRIVATE key: give the public key only (a test deployment's signing key goes in PLACEOS_JWT_SIGNING_KEY_FILE, never a production key)`,
    );
    return undefined;
  }
  if (!/-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----/.test(pem)) {
    problem(name, `expected ${from} to be a PEM public key ('-----BEGIN PUBLIC KEY-----'), got ${pem.length} characters without such a block`);
    return undefined;
  }
  try {
    if (/BEGIN CERTIFICATE/.test(pem)) new X509Certificate(pem);
    else createPublicKey(pem);
  } catch (e) {
    problem(name, `expected ${from} to be a PEM public key, but it does not parse (${oneLine(e)})`);
    return undefined;
  }
  return pem.trim() + '\n';
}

/** PLACEOS_JWT_PUBLIC_KEY_FILE or PLACEOS_JWT_PUBLIC_KEY (with `\n` escapes), never both. */
export function jwtPublicKey(file: string | undefined, inline: string | undefined, problem: Problem): string | undefined {
  if (file !== undefined && inline !== undefined) {
    problem('PLACEOS_JWT_PUBLIC_KEY', `set either PLACEOS_JWT_PUBLIC_KEY_FILE or PLACEOS_JWT_PUBLIC_KEY, not both`);
    return undefined;
  }
  if (file !== undefined) {
    const pem = readText('PLACEOS_JWT_PUBLIC_KEY_FILE', file, 'the public key file', problem);
    return pem === undefined ? undefined : checkPem('PLACEOS_JWT_PUBLIC_KEY_FILE', pem, `the file '${file}'`, problem);
  }
  if (inline !== undefined) return checkPem('PLACEOS_JWT_PUBLIC_KEY', inline.replace(/\\n/g, '\n'), 'the value', problem);
  return undefined;
}

/**
 * PLACEOS_JWT_SIGNING_KEY_FILE: the RS256 private key of a test deployment, as PEM (PKCS#8 or
 * PKCS#1, unencrypted). A public key or a certificate there is refused: it cannot sign.
 */
export function jwtSigningKey(file: string | undefined, problem: Problem): string | undefined {
  if (file === undefined) return undefined;
  const name = 'PLACEOS_JWT_SIGNING_KEY_FILE';
  const pem = readText(name, file, 'the signing key file', problem);
  if (pem === undefined) return undefined;
  const from = `the file '${file}'`;
  if (!/PRIVATE KEY-----/.test(pem)) {
    problem(
      name,
      /-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----/.test(pem)
        ? `${from} holds a public key, which cannot sign: give the deployment's RS256 private key here (its public key goes in PLACEOS_JWT_PUBLIC_KEY_FILE)`
        : `expected ${from} to be a PEM private key ('-----BEGIN PRIVATE KEY-----'), got ${pem.length} characters without such a block`,
    );
    return undefined;
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') {
      problem(name, `expected ${from} to be an RSA private key (the deployment signs RS256), got a key of type ${key.asymmetricKeyType ?? 'unknown'}`);
      return undefined;
    }
  } catch (e) {
    problem(name, `expected ${from} to be an unencrypted PEM private key, but it does not parse (${oneLine(e)})`);
    return undefined;
  }
  return pem.trim() + '\n';
}

/** The CA certificates of PLACEOS_CA_FILE and NODE_EXTRA_CA_CERTS, each file checked. */
export function caCertificates(files: readonly (readonly [string, string | undefined])[], insecure: boolean, problem: Problem): TargetSettings['tls'] {
  const tls: TargetSettings['tls'] = { insecure };
  const pems: string[] = [];
  for (const [name, path] of files) {
    if (path === undefined) continue;
    const pem = readText(name, path, 'the CA file', problem);
    if (pem === undefined) continue;
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) {
      problem(name, `expected '${path}' to hold PEM certificates ('-----BEGIN CERTIFICATE-----'), found none`);
      continue;
    }
    let ok = true;
    for (const b of blocks) {
      try {
        new X509Certificate(b);
      } catch (e) {
        problem(name, `'${path}' holds a certificate that does not parse (${oneLine(e)})`);
        ok = false;
        break;
      }
    }
    if (ok) pems.push(blocks.join('\n'));
    tls.caFile ??= path;
  }
  if (pems.length > 0) tls.ca = pems.join('\n') + '\n';
  return tls;
}
