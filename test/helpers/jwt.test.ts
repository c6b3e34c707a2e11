import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ContractViolation } from '../../helpers/case';
import {
  DEFAULT_KEY_DIR,
  decodeJwt,
  generateWrongKey,
  loadDefaultPlaceosPrivateKey,
  loadDefaultPlaceosPublicKey,
  signWithKey,
  tamperSignature,
  verifiesWithDefaultKey,
  verifyWithPublicKey,
  withAlgNone,
} from '../../helpers/jwt';

const repoRoot = resolve(__dirname, '..', '..');
const now = Math.floor(Date.now() / 1000);
const claims = {
  iss: 'POS',
  iat: now,
  exp: now + 7200,
  jti: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  aud: 'localhost',
  sub: 'user-test',
  scope: ['public'],
  u: { n: 'Test', e: 'test@example.com', p: 0, r: [] },
};
const key = generateWrongKey();
const other = generateWrongKey();

describe('decodeJwt', () => {
  test('decodes header and claims without verifying', async () => {
    const token = await signWithKey(claims, key.privatePem, { kid: 'k1' });
    const d = decodeJwt(token);
    expect(d.header).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(d.claims).toEqual(claims);
    expect(d.signatureLength).toBe(342);
  });

  test('signs a crit header only for the extensions it is told of; a jose verifier refuses the token for that crit', async () => {
    const ext = 'urn:example:ext';
    const header = { crit: [ext], [ext]: true };
    await expect(signWithKey(claims, key.privatePem, { header })).rejects.toThrow(/not recognized/);
    const token = await signWithKey(claims, key.privatePem, { header, crit: [ext] });
    expect(decodeJwt(token).header).toEqual({ crit: [ext], [ext]: true, alg: 'RS256' });
    // Signature fine, crit unknown to the verifier: refused (RFC 7515 §4.1.11).
    const r = await verifyWithPublicKey(token, key.publicPem);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^ERR_JOSE_NOT_SUPPORTED: Extension Header Parameter "urn:example:ext" is not recognized/) });
  });

  test.each<[string, unknown, string]>([
    ['one part', 'abcdef', 'expected a 3-part JWT, got 1 part'],
    ['two parts', 'abc.def', 'expected a 3-part JWT, got 2 parts'],
    ['five parts (JWE)', 'a.b.c.d.e', 'expected a 3-part JWT, got 5 parts'],
    ['a number', 42, 'expected a JWT string, got number'],
    ['an undecodable header', '!!!.eyJhIjoxfQ.c2ln', 'expected a JWT whose header is base64url JSON'],
    ['an undecodable payload', 'eyJhbGciOiJSUzI1NiJ9.!!!.c2ln', 'expected a JWT whose payload is a base64url JSON object'],
  ])('%s → ContractViolation, token never echoed', (_t, token, message) => {
    let err: unknown;
    try {
      decodeJwt(token);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContractViolation);
    expect((err as Error).message).toContain(message);
    if (typeof token === 'string') expect((err as Error).message).not.toContain(token);
  });
});

describe('verifyWithPublicKey', () => {
  test.each<[string, () => Promise<string>, string, boolean, RegExp | undefined]>([
    ['signed with the key', () => signWithKey(claims, key.privatePem), key.publicPem, true, undefined],
    ['signed with another key', () => signWithKey(claims, other.privatePem), key.publicPem, false, /signature verification failed/],
    ['tampered signature', async () => tamperSignature(await signWithKey(claims, key.privatePem)), key.publicPem, false, /signature verification failed/],
    [
      'alg none',
      async () => withAlgNone(await signWithKey(claims, key.privatePem)),
      key.publicPem,
      false,
      /ERR_JOSE_ALG_NOT_ALLOWED|ERR_JWS_INVALID|Unsupported/,
    ],
    ['expired', () => signWithKey({ ...claims, iat: now - 9000, exp: now - 1800 }, key.privatePem), key.publicPem, false, /ERR_JWT_EXPIRED/],
    [
      'alg switched to HS256 (algorithm confusion)',
      async () => withAlgNone(await signWithKey(claims, key.privatePem), 'HS256') + 'c2ln',
      key.publicPem,
      false,
      /ERR_JOSE_ALG_NOT_ALLOWED/,
    ],
  ])('%s', async (_t, make, pub, ok, reason) => {
    const token = await make();
    const r = await verifyWithPublicKey(token, pub);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.claims).toEqual(claims);
    else {
      expect(r.reason).toMatch(reason!);
      expect(r.reason).not.toContain(token);
    }
  });

  test('signatureOnly ignores expiry', async () => {
    const token = await signWithKey({ ...claims, exp: now - 10 }, key.privatePem);
    expect((await verifyWithPublicKey(token, key.publicPem)).ok).toBe(false);
    expect((await verifyWithPublicKey(token, key.publicPem, { signatureOnly: true })).ok).toBe(true);
  });

  test('audience and issuer options', async () => {
    const token = await signWithKey(claims, key.privatePem);
    expect((await verifyWithPublicKey(token, key.publicPem, { audience: 'localhost', issuer: 'POS' })).ok).toBe(true);
    const r = await verifyWithPublicKey(token, key.publicPem, { audience: 'other.example' });
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/ERR_JWT_CLAIM_VALIDATION_FAILED/) });
  });

  test('a broken PEM is a setup error, not a verdict', async () => {
    await expect(verifyWithPublicKey('a.b.c', 'not a pem')).rejects.toThrow(/not a usable PEM/);
  });
});

describe('forging helpers', () => {
  test('tamperSignature keeps header and payload decodable and changes the decoded signature', async () => {
    const token = await signWithKey(claims, key.privatePem);
    const t = tamperSignature(token);
    expect(t).not.toBe(token);
    expect(t.split('.').slice(0, 2)).toEqual(token.split('.').slice(0, 2));
    expect(decodeJwt(t).claims).toEqual(claims);
    expect(Buffer.from(t.split('.')[2]!, 'base64url').equals(Buffer.from(token.split('.')[2]!, 'base64url'))).toBe(false);
    expect(() => tamperSignature('a.b.')).toThrow(/no signature/);
  });

  test('withAlgNone: header alg none, same payload, empty signature', async () => {
    const token = await signWithKey(claims, key.privatePem, { header: { typ: 'JWT' } });
    const none = withAlgNone(token);
    expect(none.endsWith('.')).toBe(true);
    expect(none.split('.')[1]).toBe(token.split('.')[1]);
    expect(decodeJwt(none).header).toEqual({ alg: 'none', typ: 'JWT' });
  });
});

describe('published PlaceOS default key', () => {
  test('the vendored pair is present and matches (keys/placeos-default)', () => {
    const pub = createPublicKey(loadDefaultPlaceosPublicKey(repoRoot)).export({ type: 'spki', format: 'pem' });
    expect(createPublicKey(createPrivateKey(loadDefaultPlaceosPrivateKey(repoRoot))).export({ type: 'spki', format: 'pem' })).toBe(pub);
    expect(readFileSync(resolve(repoRoot, DEFAULT_KEY_DIR, 'README.md'), 'utf8')).toMatch(/PlaceOS `models`, `src\/placeos-models\/base\/jwt\.cr`/);
  });

  test('a token signed with the published private key verifies with the published public key (the Blocker detector)', async () => {
    const token = await signWithKey(claims, loadDefaultPlaceosPrivateKey(repoRoot));
    expect(await verifiesWithDefaultKey(token, repoRoot)).toBe(true);
    expect((await verifyWithPublicKey(token, loadDefaultPlaceosPublicKey(repoRoot))).ok).toBe(true);
  });

  test('a token of another key, tampered or alg none does not verify with the default key', async () => {
    const token = await signWithKey(claims, key.privatePem);
    expect(await verifiesWithDefaultKey(token, repoRoot)).toBe(false);
    const forged = await signWithKey(claims, loadDefaultPlaceosPrivateKey(repoRoot));
    expect(await verifiesWithDefaultKey(tamperSignature(forged), repoRoot)).toBe(false);
    expect(await verifiesWithDefaultKey(withAlgNone(forged), repoRoot)).toBe(false);
  });

  test('expired default-key tokens still count (signature only)', async () => {
    const token = await signWithKey({ ...claims, iat: 1, exp: 2 }, loadDefaultPlaceosPrivateKey(repoRoot));
    expect(await verifiesWithDefaultKey(token, repoRoot)).toBe(true);
  });

  test('a missing key file gives a clear error naming the expected path', () => {
    expect(() => loadDefaultPlaceosPublicKey('/nonexistent/repo')).toThrow(
      /published PlaceOS default JWT key is missing: expected \/nonexistent\/repo\/keys\/placeos-default\/public\.pem/,
    );
  });
});
