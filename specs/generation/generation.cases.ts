// Is the deployment the generation it is held to (contract doc §1)? Each row checks one marker
// the doc gives for telling the generations apart. When PLACEOS_GENERATION (or --generation)
// names the wrong one, these fail and say which generation the deployment looks like; every other
// verdict of such a run is measured against the wrong contract.
import type { CaseContext, ContractCase } from '../../helpers/case';
import { accountFor, probePkceIgnored } from '../../helpers/flows';
import { ensure } from '../../helpers/kit';

export const area = 'generation';

const REQ = ['PLACEOS-IMPL-GENERATION'];

interface Marker {
  name: string;
  title: string;
  needs?: ContractCase['needs'];
  run(t: CaseContext): Promise<void>;
}

const markers: Marker[] = [
  {
    name: 'healthz',
    title: '/auth/healthz answers 200 on auth.cr and 404 on Rails (§1)',
    async run(t) {
      const res = await t.client('healthz').get('/auth/healthz', { noCookies: true });
      const expected = t.contract.healthz ? 200 : 404;
      ensure(
        res.status === expected,
        `/auth/healthz does not answer as ${t.contract.label} does`,
        String(expected),
        `${res.status} (the deployment looks like ${res.status === 200 ? 'auth.cr' : 'Rails'})`,
      );
    },
  },
  {
    name: 'token-alias',
    title: 'the short /auth/token alias exists on auth.cr only; Rails answers 404 from its catch-all (§1)',
    async run(t) {
      const res = await t.client('alias').post('/auth/token', { form: { grant_type: 'refresh_token' }, noCookies: true });
      const aliasExists = res.status !== 404;
      ensure(
        aliasExists === t.contract.healthz,
        `POST /auth/token does not answer as ${t.contract.label} does`,
        t.contract.healthz ? 'an OAuth answer (the alias exists)' : '404 (no alias)',
        String(res.status),
      );
    },
  },
  {
    name: 'oidc-routes',
    title: 'the generations with OIDC serve /.well-known/openid-configuration (§1, §3.10)',
    async run(t) {
      if (!t.contract.oidc) t.notApplicable(`${t.contract.label} may or may not have the OIDC routes (added to Rails in Nov 2025)`);
      const res = await t.client('discovery').get('/.well-known/openid-configuration', { noCookies: true });
      ensure(
        res.status === 200,
        `${t.contract.label} serves the discovery document, this deployment does not`,
        '200',
        `${res.status} (it looks like Rails before Nov 2025)`,
      );
    },
  },
  {
    name: 'pkce-level',
    title: 'PKCE is enforced, or silently ignored, as the generation does (§6.1: the 2026-06 migration tells rails from rails-2023)',
    needs: ['user'],
    async run(t) {
      const { ignored, status } = await probePkceIgnored(t, accountFor(t, 'user'));
      ensure(
        ignored === !t.contract.pkceEnforced,
        `PKCE is ${ignored ? 'ignored' : 'enforced'}, unlike ${t.contract.label}`,
        t.contract.pkceEnforced ? 'a wrong verifier refused' : 'a wrong verifier accepted (PKCE silently ignored)',
        ignored ? 'a token for a wrong verifier (it looks like rails-2023)' : `${status} (it looks like rails)`,
      );
    },
  },
];

export const cases: ContractCase[] = markers.map((m) => ({
  id: `${area}.${m.name}`,
  title: m.title,
  requirements: REQ,
  level: 'MUST',
  severity: 'high',
  tags: ['smoke'],
  ...(m.needs ? { needs: m.needs } : {}),
  run: m.run,
}));
