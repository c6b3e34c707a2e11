// Resource owner password credentials grant (contract §3.6 "Grant: password"; public doc
// "Password Flow"). One table: how the request is sent, by whom, with which app and scope, and
// what the contract says comes back. On a generation without the grant (auth.cr) every row checks
// the documented refusal (400 unsupported_grant_type; a JSON body is refused earlier with 422).
import { randomBytes } from 'node:crypto';
import type { CaseContext, ContractCase } from '../../helpers/case';
import type { Account, ClientApp } from '../../helpers/config';
import { accountFor, passwordGrant, type ParamTransport } from '../../helpers/flows';
import type { Level, SettingName, Severity } from '../../helpers/model';
import { checkTokenResponse, ensure, expectOAuthError, type OAuthErrorExpectation } from '../../helpers/kit';

export const area = 'password-grant';

type AppRole = 'client' | 'scoped';

/** What the contract says the row gets where the grant exists (elsewhere: the documented refusal). */
type Outcome =
  | { kind: 'token'; scopes: (app: ClientApp) => string[] }
  | { kind: 'error'; error: (t: CaseContext) => OAuthErrorExpectation[] }
  /** Either answer is correct: a token with exactly these scopes, or this refusal. */
  | { kind: 'token-or-error'; scopes: (app: ClientApp) => string[]; error: (t: CaseContext) => OAuthErrorExpectation[] };

interface Row {
  name: string;
  title: string;
  via: ParamTransport;
  who: 'service' | 'user';
  app?: AppRole;
  /** The scope parameter sent (undefined: none). */
  scope?: (app: ClientApp) => string | undefined;
  /** Changes to the request: another username, password or client. */
  tamper?: { username?: (a: Account) => string; password?: (a: Account) => string; clientId?: string };
  outcome: Outcome;
  level: Level;
  severity: Severity;
  requirements: string[];
  needs?: SettingName[];
  /** Answers accepted besides the documented refusal on a generation without the grant. */
  alsoWhenDisabled?: (t: CaseContext) => OAuthErrorExpectation[];
  /** Doc-versus-deployment notes the row records from what came back. */
  notes?: (t: CaseContext, r: { status: number; body: Record<string, unknown> | undefined }) => void;
}

// ---- small pure helpers ---------------------------------------------------------------------------

/** A scope the server knows (contract §6.4) that the app was not given. */
const CANDIDATE_SCOPES = ['mqtt.read', 'api_keys.read', 'systems.write', 'drivers.read', 'metadata.write'];
const scopeAppLacks = (app: ClientApp): string => CANDIDATE_SCOPES.find((s) => !app.scopes.includes(s)) ?? 'repositories.write';
/** The app's scopes other than openid (which adds an ID token to the answer). */
const appScopes = (app: ClientApp): string[] => app.scopes.filter((s) => s !== 'openid');
/** A proper subset: public plus one more of the app's scopes. */
const appSubset = (app: ClientApp): string[] => [
  'public',
  ...appScopes(app)
    .filter((s) => s !== 'public')
    .slice(0, 1),
];
const unknownClientId = (): string => randomBytes(16).toString('hex');

/** The documented refusal on generations without the grant (contract §3.6, auth.cr). */
function disabledAnswer(t: CaseContext, via: ParamTransport): OAuthErrorExpectation {
  if (via === 'json' && !t.contract.tokenJsonBody) return { status: 422 };
  return { status: 400, error: 'unsupported_grant_type' };
}

const token = (scopes: (app: ClientApp) => string[]): Outcome => ({ kind: 'token', scopes });
const error = (e: (t: CaseContext) => OAuthErrorExpectation[]): Outcome => ({ kind: 'error', error: e });
const invalidScope = error(() => [{ status: 400, error: 'invalid_scope' }]);
const PUBLIC = () => ['public'];
/** public and one more scope of the app, joined by `sep`. */
const secondScope = (app: ClientApp): string => appScopes(app).find((s) => s !== 'public') ?? 'public';
/**
 * RFC 6749 §3.3 separates scopes by spaces; Doorkeeper's token endpoint splits on any whitespace
 * and re-joins (its authorize refuses tabs and newlines). Refusing or reading the two scopes are
 * both correct; anything else is not.
 */
const lenientScopes: Outcome = {
  kind: 'token-or-error',
  scopes: (app) => ['public', secondScope(app)],
  error: () => [{ status: 400, error: 'invalid_scope' }],
};

const BASE_REQ = ['RFC6749-4.3.2', 'PLACEOS-DOC-PASSWORD-GRANT', 'PLACEOS-IMPL-TOKEN-ENDPOINT'];

const rows: Row[] = [
  // ---- transports: the doc's JSON body, a form body, the query string ----
  {
    name: 'json-body',
    title: 'the password grant as the public doc shows it (JSON body) returns a token response: schema, no-store headers, JWT claims',
    via: 'json',
    who: 'service',
    outcome: token(PUBLIC),
    level: 'MUST',
    severity: 'high',
    requirements: [...BASE_REQ, 'RFC6749-5.1', 'PLACEOS-DOC-TOKEN-RESPONSE', 'PLACEOS-IMPL-TOKEN-RESPONSE', 'PLACEOS-IMPL-JWT-CLAIMS'],
    notes: (t, r) => {
      if (r.status === 422)
        t.finding(
          'DOC-TOKEN-JSON-BODY',
          'the public doc sends the token request as a JSON body; this deployment refuses JSON bodies with 422 (form or query only)',
        );
      const tt = r.body?.token_type;
      if (typeof tt === 'string' && tt !== 'bearer')
        t.finding('DOC-TOKEN-TYPE-CASE', `the public doc shows token_type "bearer"; this deployment answers "${tt}" (equal case-insensitively, RFC 6749 §5.1)`);
      if (r.status === 200 && r.body?.created_at === undefined)
        t.finding('DOC-TOKEN-CREATED-AT', 'the public doc shows created_at in the token response; this deployment omits it');
    },
  },
  {
    name: 'form-body',
    title: 'the password grant with a form body returns a token response with the default scope public',
    via: 'form',
    who: 'service',
    outcome: token(PUBLIC),
    level: 'MUST',
    severity: 'high',
    requirements: [...BASE_REQ, 'RFC6749-5.1', 'PLACEOS-DOC-PASSWORD-SCOPES', 'PLACEOS-IMPL-JWT-CLAIMS'],
  },
  {
    name: 'query',
    title: "the password grant with its parameters in the query string (the doc's code sample style) returns a token response",
    via: 'query',
    who: 'service',
    outcome: token(PUBLIC),
    level: 'MUST',
    severity: 'medium',
    requirements: [...BASE_REQ, 'RFC6749-5.1', 'PLACEOS-IMPL-TOKEN-ENDPOINT'],
    notes: (t, r) => {
      if (r.status !== 200 && t.contract.passwordGrant)
        t.finding(
          'DOC-TOKEN-QUERY',
          "the public doc's code sample puts the token request parameters in the query string; this deployment does not accept them there",
        );
    },
  },
  // ---- scope lists (contract §6.4) ----
  {
    name: 'scope.public',
    title: 'scope=public is granted as asked',
    via: 'form',
    who: 'service',
    scope: () => 'public',
    outcome: token(PUBLIC),
    level: 'MUST',
    severity: 'medium',
    requirements: [...BASE_REQ, 'PLACEOS-DOC-PASSWORD-SCOPES', 'PLACEOS-IMPL-SCOPES', 'RFC6749-3.3'],
  },
  {
    name: 'scope.several',
    title: "several scopes (all of the scoped app's scopes) are granted together",
    via: 'form',
    who: 'service',
    app: 'scoped',
    scope: (app) => appScopes(app).join(' '),
    outcome: token(appScopes),
    level: 'MUST',
    severity: 'medium',
    requirements: [...BASE_REQ, 'PLACEOS-DOC-PASSWORD-SCOPES', 'PLACEOS-IMPL-SCOPES', 'RFC6749-3.3'],
    needs: ['scopedClient'],
  },
  {
    name: 'scope.subset',
    title: "a subset of the scoped app's scopes is granted exactly (no more, no fewer)",
    via: 'form',
    who: 'service',
    app: 'scoped',
    scope: (app) => appSubset(app).join(' '),
    outcome: token(appSubset),
    level: 'MUST',
    severity: 'medium',
    requirements: [...BASE_REQ, 'PLACEOS-DOC-PASSWORD-SCOPES', 'PLACEOS-IMPL-SCOPES', 'RFC6749-3.3'],
    needs: ['scopedClient'],
  },
  {
    name: 'scope.not-in-app',
    title: 'a server scope the app was not given is refused with invalid_scope',
    via: 'form',
    who: 'service',
    scope: (app) => `public ${scopeAppLacks(app)}`,
    outcome: invalidScope,
    level: 'MUST',
    severity: 'high',
    requirements: [...BASE_REQ, 'PLACEOS-DOC-PASSWORD-SCOPES', 'PLACEOS-IMPL-SCOPES', 'RFC6749-3.3', 'RFC6749-5.2'],
  },
  {
    name: 'scope.not-in-scoped-app',
    title: "a scope outside the scoped app's list is refused with invalid_scope",
    via: 'form',
    who: 'service',
    app: 'scoped',
    scope: (app) => scopeAppLacks(app),
    outcome: invalidScope,
    level: 'MUST',
    severity: 'high',
    requirements: [...BASE_REQ, 'PLACEOS-DOC-PASSWORD-SCOPES', 'PLACEOS-IMPL-SCOPES', 'RFC6749-3.3', 'RFC6749-5.2'],
    needs: ['scopedClient'],
  },
  {
    name: 'scope.tab',
    title: 'a scope list separated by a tab is refused with invalid_scope or read as the space-separated scopes (Doorkeeper), nothing else',
    via: 'form',
    who: 'service',
    app: 'scoped',
    scope: (app) => `public\t${secondScope(app)}`,
    outcome: lenientScopes,
    needs: ['scopedClient'],
    level: 'MUST',
    severity: 'low',
    requirements: [...BASE_REQ, 'PLACEOS-DOC-PASSWORD-SCOPES', 'PLACEOS-IMPL-SCOPES', 'RFC6749-3.3', 'RFC6749-5.2'],
  },
  {
    name: 'scope.newline',
    title: 'a scope list with a newline is refused with invalid_scope or read as the space-separated scopes (Doorkeeper), nothing else',
    via: 'form',
    who: 'service',
    app: 'scoped',
    scope: (app) => `public\n${secondScope(app)}`,
    outcome: lenientScopes,
    needs: ['scopedClient'],
    level: 'MUST',
    severity: 'low',
    requirements: [...BASE_REQ, 'PLACEOS-DOC-PASSWORD-SCOPES', 'PLACEOS-IMPL-SCOPES', 'RFC6749-3.3', 'RFC6749-5.2'],
  },
  // ---- accounts ----
  {
    name: 'account.normal-user',
    title: 'a normal (non-service) local user gets a token too: the code does not restrict the grant to service accounts (doc difference reported)',
    via: 'form',
    who: 'user',
    outcome: token(PUBLIC),
    level: 'MUST',
    severity: 'medium',
    requirements: [...BASE_REQ, 'PLACEOS-DOC-PASSWORD-SERVICE-ONLY', 'PLACEOS-IMPL-TOKEN-ENDPOINT'],
    needs: ['user'],
    notes: (t, r) => {
      if (r.status === 200)
        t.finding(
          'DOC-PASSWORD-SERVICE-ONLY',
          'the public doc says the password flow "only works for service accounts"; this deployment issues a token to a normal local user',
        );
      else if (r.status === 400 && r.body?.error === 'invalid_grant') {
        t.finding(
          'PASSWORD-GRANT-SERVICE-ONLY',
          'this deployment refuses the password grant for a normal local user (as the public doc says); the suite mints user tokens through signin + authorize + PKCE instead',
        );
      }
    },
  },
  {
    name: 'account.email-case',
    title: 'the username is matched case-insensitively and u.e carries the email lower-cased',
    via: 'form',
    who: 'service',
    tamper: { username: (a) => a.email.toUpperCase() },
    outcome: token(PUBLIC),
    level: 'SHOULD',
    severity: 'low',
    requirements: [...BASE_REQ, 'PLACEOS-IMPL-JWT-CLAIMS'],
  },
  // ---- refusals ----
  {
    name: 'wrong-password',
    title: 'a wrong password gets no token (400 invalid_grant on Rails)',
    via: 'form',
    who: 'service',
    tamper: { password: (a) => `${a.password}-wrong` },
    outcome: error((t) => [t.contract.errors.wrongPassword]),
    level: 'MUST',
    severity: 'blocker',
    requirements: [...BASE_REQ, 'RFC6749-5.2'],
  },
  {
    name: 'unknown-user',
    title: 'an unknown username gets no token (same answer as a wrong password)',
    via: 'form',
    who: 'service',
    tamper: { username: () => `nobody-${randomBytes(6).toString('hex')}@example.invalid` },
    outcome: error((t) => [t.contract.errors.wrongPassword]),
    level: 'MUST',
    severity: 'high',
    requirements: [...BASE_REQ, 'RFC6749-5.2'],
  },
  {
    name: 'unknown-client',
    title: 'an unknown client_id gets no token (401 invalid_client on Rails)',
    via: 'form',
    who: 'service',
    tamper: { clientId: unknownClientId() },
    outcome: error((t) => [t.contract.errors.unknownClient]),
    // Without the grant, a server may check the client before the grant type: both refusals hold.
    alsoWhenDisabled: (t) => [t.contract.errors.unknownClient],
    level: 'MUST',
    severity: 'high',
    requirements: [...BASE_REQ, 'PLACEOS-IMPL-TOKEN-ENDPOINT', 'RFC6749-5.2'],
  },
];

function appFor(t: CaseContext, role: AppRole | undefined): ClientApp {
  if (role !== 'scoped') return t.settings.client;
  if (!t.settings.scopedClient) t.notApplicable('no scoped app configured');
  return t.settings.scopedClient;
}

function caseFor(row: Row): ContractCase {
  return {
    id: `${area}.${row.name}`,
    title: row.title,
    requirements: [...new Set(row.requirements)],
    level: row.level,
    severity: row.severity,
    tags: ['mutating', ...(row.name === 'form-body' ? (['smoke'] as const) : []), ...(row.via === 'query' ? (['credentials-in-url'] as const) : [])],
    needs: ['service', ...(row.needs ?? [])].filter((n, i, a) => a.indexOf(n) === i) as SettingName[],
    async run(t) {
      const account = accountFor(t, row.who);
      const app0 = appFor(t, row.app);
      const app = row.tamper?.clientId ? { ...app0, clientId: row.tamper.clientId } : app0;
      const sent: Account = { email: row.tamper?.username?.(account) ?? account.email, password: row.tamper?.password?.(account) ?? account.password };
      const res = await passwordGrant(t, t.client('password-grant'), { account: sent, app, scope: row.scope?.(app0), via: row.via });
      const body = res.json && typeof res.json === 'object' ? (res.json as Record<string, unknown>) : undefined;
      row.notes?.(t, { status: res.status, body });
      const step = `password grant (${row.via})`;

      if (!t.contract.passwordGrant) {
        const expected = [disabledAnswer(t, row.via), ...(row.alsoWhenDisabled?.(t) ?? [])];
        expectOAuthError(t, res, expected, `${step} on a generation without the password grant`);
        if (res.status === 400) {
          ensure(
            typeof (res.json as { error_description?: unknown }).error_description === 'string',
            `${step}: the refusal does not say why`,
            'an error_description',
            'none',
          );
        }
        return;
      }
      if (row.outcome.kind === 'token-or-error' && res.status !== 200) {
        expectOAuthError(t, res, row.outcome.error(t), step);
        return;
      }
      if (row.outcome.kind === 'error') {
        expectOAuthError(t, res, row.outcome.error(t), step);
        ensure(!(res.json as Record<string, unknown>).access_token, `${step}: an error answer carries an access_token`, 'no access_token', 'an access_token');
        return;
      }
      checkTokenResponse(t, res, { step, account, scopes: row.outcome.scopes(app0) });
    },
  };
}

export const cases: ContractCase[] = rows.map(caseFor);
