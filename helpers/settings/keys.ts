// Settings that name files or hold PEM text: the JWT public key and the CA certificates.
import { createPublicKey, X509Certificate } from 'node:crypto';
import { oneLine, readText } from './text';
import type { Problem, TargetSettings } from './types';

function checkPem(name: string, pem: string, from: string, problem: Problem): string | undefined {
  if (/PRIVATE KEY-----/.test(pem)) {
    problem(name, `${from} contains a PRIVATE key: give the public key only (never hand the suite the signing key)`);
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
