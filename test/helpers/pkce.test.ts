import { challengeS256, createVerifier, isValidVerifier, pkcePair, UNRESERVED } from '../../helpers/pkce';

describe('pkce', () => {
  test('RFC 7636 Appendix B vector', () => {
    expect(challengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  test.each([[43], [64], [128]])('createVerifier(%i): unreserved characters only, exact length', (n) => {
    const v = createVerifier(n);
    expect(v).toHaveLength(n);
    expect(v).toMatch(/^[A-Za-z0-9\-._~]+$/);
    expect(isValidVerifier(v)).toBe(true);
  });

  test('default length is 64 and verifiers differ', () => {
    expect(createVerifier()).toHaveLength(64);
    expect(createVerifier()).not.toBe(createVerifier());
  });

  test.each([[42], [129], [0], [1.5]])('createVerifier(%p) refused', (n) => {
    expect(() => createVerifier(n)).toThrow(RangeError);
  });

  test('unchecked lengths for negative checks', () => {
    expect(createVerifier(42, { unchecked: true })).toHaveLength(42);
    expect(isValidVerifier(createVerifier(129, { unchecked: true }))).toBe(false);
  });

  test('uses the whole unreserved alphabet', () => {
    const seen = new Set(createVerifier(128).concat(createVerifier(128), createVerifier(128), createVerifier(128), createVerifier(128)));
    expect(seen.size).toBeGreaterThan(50);
    for (const c of seen) expect(UNRESERVED).toContain(c);
  });

  test.each<['S256' | 'plain']>([['S256'], ['plain']])('pkcePair(%s)', (method) => {
    const p = pkcePair(method);
    expect(p.method).toBe(method);
    expect(isValidVerifier(p.verifier)).toBe(true);
    expect(p.challenge).toBe(method === 'S256' ? challengeS256(p.verifier) : p.verifier);
    if (method === 'S256') expect(p.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
