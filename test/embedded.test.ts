// The embedded target as the suite starts it (runner/embedded.ts): in a worker thread of its own,
// the same value back as startReferenceTarget, start errors with their own message, and close()
// ending the thread with its listener.
import * as http from 'node:http';
import { startEmbeddedTarget } from '../runner/embedded';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('a started target answers, gives its env and env file, and stops listening on close', async () => {
  const t = await startEmbeddedTarget({ profile: 'authcr', mutants: ['jti-hex'] });
  try {
    expect([t.profile, t.variant, t.mutants]).toEqual(['authcr', 'standard', ['jti-hex']]);
    expect(t.env.PLACEOS_URL).toBe(t.url);
    expect(t.env.PLACEOS_OTHER_AUTHORITY_URL).toBe(t.otherAuthorityUrl);
    expect(t.envFile()).toContain(`PLACEOS_URL=${t.url}\n`);
    expect(t.env.PLACEOS_CODE_LIFETIME_SECONDS).toBe('1');
    const authority = await get(`${t.url}/auth/authority`);
    expect(authority.status).toBe(200);
    expect(JSON.parse(authority.body).domain).toBe('localhost');
  } finally {
    await t.close();
  }
  await expect(get(`${t.url}/auth/authority`)).rejects.toThrow(/ECONNREFUSED/);
  await t.close(); // a second close is a no-op
});

test.each([
  [{ profile: 'nope' as never }, /^unknown profile "nope"; valid profiles: rails, rails-2023, authcr$/],
  [{ profile: 'rails' as const, mutants: ['nope'] }, /^unknown mutant "nope"; valid mutants: .*code-reusable/],
  [{ profile: 'rails' as const, variant: 'nope' as never }, /^unknown variant "nope"; valid variants: standard, hardened, doc-faithful$/],
])('a target that cannot start rejects with its own message (%j)', async (o, message) => {
  await expect(startEmbeddedTarget(o)).rejects.toThrow(message);
});
