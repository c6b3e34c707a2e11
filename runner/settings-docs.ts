// Text generated from the settings declaration (helpers/settings/declaration.ts): the settings part
// of --help, env/*.env.example and docs/settings.md. `npm run settings:docs` writes the files;
// test/settings-docs.test.ts fails when they drift from the declaration.
import { DECLARED, GROUPS } from '../helpers/settings';
import type { Group, Setting } from '../helpers/settings';

const ORDER = Object.keys(GROUPS) as Group[];
const ALL: Setting[] = (Object.values(DECLARED) as Setting[]).sort((a, b) => ORDER.indexOf(a.group) - ORDER.indexOf(b.group));
const byGroup = (g: Group): Setting[] => ALL.filter((s) => s.group === g);
const defaultText = (s: Setting): string | undefined => (s.default === undefined ? undefined : String(s.default));

/** The settings part of --help: one line each, what it expects and its default. */
export function settingsHelp(): string {
  const width = Math.max(...ALL.map((s) => s.name.length)) + 2;
  const lines = ALL.map((s) => `  ${s.name.padEnd(width)}${s.secret ? '(secret) ' : ''}${s.expects}${defaultText(s) ? `; default ${defaultText(s)}` : ''}`);
  return [
    'settings (environment or --env file; a variable set in both: the environment wins, as with dotenv;',
    'unknown PLACEOS_* names: an error in the file, a warning in the environment; see docs/settings.md):',
    ...lines,
  ].join('\n');
}

function rule(title: string): string {
  const head = `# --- ${title} `;
  return head + '-'.repeat(Math.max(3, 96 - head.length));
}

/** Every declared setting, grouped: commented `# NAME=value` lines except those in `set`. */
function settingsBlock(set: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const g of ORDER) {
    out.push('', rule(GROUPS[g]));
    for (const s of byGroup(g)) {
      out.push(`# ${s.doc}${defaultText(s) !== undefined ? ` Default: ${defaultText(s)}.` : ''}`);
      const value = set[s.name];
      out.push(value !== undefined ? `${s.name}=${value}` : `# ${s.name}=${s.secret ? '' : (s.example ?? defaultText(s) ?? '')}`);
    }
  }
  return out;
}

const PRECEDENCE = [
  '# Values in the process environment override the file (as dotenv does). Empty values count as "not set".',
  '# Unknown PLACEOS_* names in this file are an error (typo guard), so keep commented lines commented;',
  '# in the process environment (CI variables for other tools) they are only a warning.',
];

const EXAMPLES: Record<string, { header: string[]; set: Record<string, string>; footer?: string[] }> = {
  live: {
    header: [
      '# A live PlaceOS deployment (Rails auth, generations `rails` / `rails-2023`).',
      '# Copy to a file outside the repository (it will hold passwords), fill in, and run:',
      '#   npm run contract -- --env /path/to/placeos.env',
      ...PRECEDENCE,
      '# A check that needs a setting you leave out is reported `n/a`, naming the setting.',
    ],
    set: { PLACEOS_URL: 'https://placeos.example.com' },
  },
  authcr: {
    header: [
      '# A deployment running auth.cr (generation `authcr`, the Crystal replacement for the Rails auth).',
      '#   npm run contract -- --env /path/to/authcr.env',
      ...PRECEDENCE,
      '# Differences that matter for the settings:',
      '#  - No password grant and no implicit flow. The accounts are still needed: the suite signs',
      '#    them in through POST /auth/signin (session cookie `_placeos_auth_session`) and gets tokens',
      '#    with the authorization-code flow (PKCE), not with grant_type=password.',
      '#  - redirect_uri is matched as an exact string: PLACEOS_REDIRECT_URI must be byte-for-byte the',
      '#    registered one (client_id is still MD5 of it by default).',
      '#  - client_credentials works for a confidential app.',
      '#  - Refresh tokens are JWTs with rotation; discovery and JWKS exist, so the public key can also',
      '#    be read from /.well-known (PLACEOS_JWT_PUBLIC_KEY_FILE is then a cross-check).',
      '#  - Detection is automatic (/auth/healthz answers); PLACEOS_GENERATION=authcr insists.',
    ],
    set: { PLACEOS_URL: 'https://placeos.example.com', PLACEOS_GENERATION: 'authcr' },
  },
  reference: {
    header: [
      '# The embedded reference target: leave PLACEOS_URL unset and the suite starts it in-process on an',
      '# ephemeral loopback port and configures itself from it. Nothing to fill in:',
      '#   npm run contract',
      '# To run the target on its own (to point another tool, or the suite with --env, at it):',
      '#   npm run target -- --profile rails --port 8443 --tls > env/local.env',
      '#   npm run contract -- --env env/local.env',
      '# `npm run target` prints the values for the instance it started (apps, seeded accounts with',
      '# generated passwords, a live and an expired API key, an expired token, its public key, codes',
      '# that live 2 s). With the embedded target only these settings of yours still apply:',
      `#   ${ALL.filter((s) => s.alsoEmbedded)
        .map((s) => s.name)
        .join(', ')}; proxies are ignored.`,
      '# Which profile the embedded target plays and which faults it has: the last group below.',
    ],
    set: { PLACEOS_REFERENCE_PROFILE: 'rails' },
  },
};

/** The text of env/<name>.env.example. */
export function envExample(name: string): string {
  const e = EXAMPLES[name];
  if (!e) throw new Error(`no env example named '${name}'`);
  return [...e.header, ...settingsBlock(e.set), ...(e.footer ?? [])].join('\n') + '\n';
}
export const ENV_EXAMPLES = Object.keys(EXAMPLES);

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** docs/settings.md. */
export function settingsDoc(): string {
  const out = [
    '# Settings',
    '',
    '<!-- Generated from helpers/settings/declaration.ts by `npm run settings:docs`; do not edit. -->',
    '',
    'The suite reads its settings from the process environment and from an `--env` dotenv file',
    '(templates: `env/*.env.example`), resolved once when the command starts; every setting means the',
    'same in either place. When both set a variable, the process environment wins (as dotenv does).',
    'Empty values count as unset, except `PLACEOS_URL`: set but empty, it is an error (a CI variable',
    'that was never filled in), never a run against the embedded target. A flag and its setting',
    '(`--ledger`/`PLACEOS_LEDGER`, `--generation`/`PLACEOS_GENERATION`, `--profile`, `--variant`,',
    '`--mutant`, `--tls`/`PLACEOS_REFERENCE_*`) mean the same; given both with different values, the',
    'run stops and names both. An unknown `PLACEOS_*` name is an error in the file (typo guard) and a',
    'warning in the process environment (CI systems set variables for other tools).',
    'Every problem is reported at once, naming the variable and what it expects; secret values',
    'are never echoed.',
  ];
  for (const g of ORDER) {
    out.push('', `## ${GROUPS[g]}`, '', '| Variable | Expects | Default | Meaning |', '|---|---|---|---|');
    for (const s of byGroup(g)) {
      const names = [s.name, ...(s.aliases ?? []), ...(s.fallbacks ?? [])].map((n) => `\`${n}\``).join(', ');
      out.push(
        `| ${names} | ${cell(s.expects)}${s.secret ? ' (secret)' : ''} | ${defaultText(s) ?? ''} | ${cell(s.doc)}${s.alsoEmbedded ? ' Applies to the embedded target too.' : ''} |`,
      );
    }
  }
  return out.join('\n') + '\n';
}
