// The forgeries of the security-jwt checks are what they claim to be: HS256 MACs keyed with the
// exact bytes named, RS256 by the attacker key (whose JWK and certificate are of that key), and a
// loopback key server that serves them over real HTTP and notes what was fetched.
import { createHmac, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { compactVerify, importJWK } from 'jose';
import { attackerKey, derForms, keyServer, pemForms, signAsAttacker, signHs256, thumbprintKid } from '../../helpers/jwt-attacks';
import { decodeJwt } from '../../helpers/jwt';

const claims = { sub: 'user-test', scope: ['public'] };
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

test('pemForms: SPKI and PKCS#1 PEM text, with and without the final newline, plus a configured text that differs', () => {
  const forms = pemForms(publicKey);
  expect(forms.map((f) => f.form)).toEqual(['SPKI PEM', 'SPKI PEM without the final newline', 'PKCS#1 PEM', 'PKCS#1 PEM without the final newline']);
  const texts = forms.map((f) => Buffer.from(f.bytes).toString('utf8'));
  expect(texts[0]).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
  expect(texts[2]).toMatch(/^-----BEGIN RSA PUBLIC KEY-----/);
  expect(new Set(texts).size).toBe(4);
  // The configured text is the first form only when it is none of the four.
  expect(pemForms(publicKey, texts[0]).length).toBe(4);
  const crlf = texts[0]!.replace(/\n/g, '\r\n');
  expect(pemForms(publicKey, crlf)[0]).toEqual({ form: 'the configured PEM', bytes: Buffer.from(crlf) });
});

test('derForms: the SPKI and PKCS#1 DER bytes of the key', () => {
  const [spki, pkcs1] = derForms(publicKey);
  expect(createPublicKey({ key: Buffer.from(spki!.bytes), format: 'der', type: 'spki' }).equals(publicKey)).toBe(true);
  expect(createPublicKey({ key: Buffer.from(pkcs1!.bytes), format: 'der', type: 'pkcs1' }).equals(publicKey)).toBe(true);
});

test('signHs256: an HS256 JWT whose MAC is HMAC-SHA256 over header.payload keyed with exactly the given bytes', async () => {
  const secret = derForms(publicKey)[0]!.bytes;
  const token = await signHs256(claims, secret);
  const [h, p, s] = token.split('.') as [string, string, string];
  expect(decodeJwt(token).header).toEqual({ alg: 'HS256', typ: 'JWT' });
  expect(decodeJwt(token).claims).toEqual(claims);
  expect(s).toBe(createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url'));
});

test('the attacker key: its JWK (kid = RFC 7638 thumbprint) and its certificate are of the key that signs', async () => {
  const k = await attackerKey();
  expect(k.jwk.kid).toBe(await thumbprintKid(k.publicKey));
  expect(new X509Certificate(k.certPem).publicKey.equals(k.publicKey)).toBe(true);
  const token = await signAsAttacker(claims, { jwk: k.jwk, kid: 'deployment-kid' });
  expect(decodeJwt(token).header).toMatchObject({ alg: 'RS256', kid: 'deployment-kid', jwk: k.jwk });
  await expect(compactVerify(token, await importJWK({ ...k.jwk, alg: 'RS256' }, 'RS256'))).resolves.toBeDefined();
  await expect(compactVerify(token, publicKey)).rejects.toThrow();
});

test('keyServer: serves the attacker JWKS at jkuUrl and its certificate at x5uUrl on loopback, noting each fetch, until closed', async () => {
  const k = await attackerKey();
  const server = await keyServer(k);
  try {
    expect(server.jkuUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/jwks\.json$/);
    const set = (await (await fetch(server.jkuUrl)).json()) as { keys: { n: string; kid: string; alg: string }[] };
    expect(set.keys).toHaveLength(1);
    expect(set.keys[0]).toMatchObject({ n: k.jwk.n, kid: k.jwk.kid, alg: 'RS256' });
    const cert = await (await fetch(server.x5uUrl)).text();
    expect(new X509Certificate(cert).publicKey.equals(k.publicKey)).toBe(true);
    expect((await fetch(`${new URL(server.jkuUrl).origin}/other`)).status).toBe(404);
    expect(server.fetched).toEqual(['/jwks.json', '/cert.pem', '/other']);
  } finally {
    await server.close();
  }
  await expect(fetch(server.jkuUrl)).rejects.toThrow();
});
