// Command-line arguments of `placeos-contract` (npm run contract -- …). Pure: argv in, options out.
import type { Tag } from '../helpers/model';
import { GENERATIONS, TAGS } from '../helpers/model';
import { settingsHelp } from './settings-docs';
import { REFERENCE_VARIANTS } from '../helpers/settings/declaration';
import type { Generation } from '../helpers/model';

export interface RunOptions {
  envFile?: string;
  list: boolean;
  json: boolean;
  help: boolean;
  strict: boolean;
  tags: Tag[];
  ids: string[];
  /** Leave out these ids or requirement prefixes (--skip). */
  skip: string[];
  readonly: boolean;
  version: boolean;
  /** Say what would run, against what, with which settings, without a request. */
  dryRun: boolean;
  /** Stop starting checks after the first breaking verdict (still revoking and writing the reports). */
  bail: boolean;
  /** --no-color (NO_COLOR in the environment says the same). */
  noColor: boolean;
  /** Print each request and its status as it happens (masked). */
  verbose: boolean;
  ledger?: string;
  noLedger: boolean;
  reportsDir: string;
  generation?: Generation;
  /** Check the embedded reference target on purpose (required in CI, where nothing is assumed). */
  embedded: boolean;
  /** Embedded reference target only. */
  profile?: string;
  /** Embedded reference target only: standard, hardened or doc-faithful. */
  variant?: string;
  mutants: string[];
  tls: boolean;
  quiet: boolean;
  /** A previous run's results.json or reports folder to compare with. */
  baseline?: string;
  /** What breaks the build: any fail (default), or only regressions against --baseline. */
  failOn: 'any' | 'new';
  /** A fleet file (YAML or JSON): many deployments in one command. */
  fleet?: string;
  fleetConcurrency: number;
  /** This machine's part of the fleet (or of the areas): index 1..total. */
  shard?: Shard;
}

export interface Shard {
  index: number;
  total: number;
}

/** `2/3` → { index: 2, total: 3 }. */
export function parseShard(v: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total) throw new UsageError(`--shard: expected i/n with 1 ≤ i ≤ n (e.g. 1/2), got '${v}'`);
  return { index, total };
}

/** The items of shard i/n: a stable round-robin over the given order. */
export function shardOf<T>(items: readonly T[], shard: Shard | undefined): T[] {
  return shard ? items.filter((_, i) => i % shard.total === shard.index - 1) : [...items];
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: npm run contract -- [options]

Checks the PlaceOS auth contract of the deployment named by PLACEOS_URL (environment or --env
file). With nothing configured at all it starts the embedded reference target and checks that;
in CI (CI set), with an --env file, or with PLACEOS_URL set but empty, the embedded target runs
only when asked for (--embedded, --profile, --variant, --mutant, --tls or PLACEOS_REFERENCE_*).

  --env FILE          read settings from a dotenv file (see env/*.env.example)
  --list [--json]     print the checks a run would make (id, requirements, level, severity,
                      generations; --tags, --only, --skip and --shard apply) and exit
  --dry-run           say what would run, against what, with which settings; no request is made
  --tags a,b          run only checks with one of these tags (${TAGS.join(', ')})
  --only p1,p2        run only checks whose id or requirement ID starts with one of these
  --skip p1,p2        leave out checks whose id or requirement ID starts with one of these
  --bail              stop starting checks after the first breaking verdict (the run still
                      revokes its tokens and writes its reports)
  --readonly          change nothing beyond minting and revoking the run's own tokens: checks that
                      would sign in, log out or complete an SSO login are n/a
  --strict            warnings (SHOULD-level checks, stale ledger entries, the run's headline
                      warnings such as a generation inferred from the PKCE probe) break the build too
  --ledger FILE       deviation ledger to use (default ledger/<generation>.json)
  --no-ledger         use no ledger: every deviation fails (MUST) or warns (SHOULD/MAY)
  --generation G      hold the deployment to generation G (${GENERATIONS.join(', ')}) instead of detecting it
  --reports DIR       where reports go (default reports/)
  --embedded          check the embedded reference target (on purpose: never assumed in CI)
  --profile P         embedded target: generation profile (rails, rails-2023, authcr)
  --variant V         embedded target: how the profile is deployed (standard, hardened, doc-faithful)
  --mutant M          embedded target: switch on a fault (repeatable; see npm run target -- --list-mutants)
  --tls               embedded target: serve https with a self-signed certificate
  --quiet             print only the summary
  --verbose           print each request and its status as it happens (secrets masked)
  --no-color          no colours (also NO_COLOR; colours are used only on a terminal)
  --version, -V       print the version and exit
  --baseline PATH     compare with a previous run (its results.json or reports folder): new
                      failures, fixed, changed, new and removed checks, response-shape drift
  --fail-on any|new   what breaks the build: any failing check (default), or only regressions
                      against --baseline (for a deployment with known, accepted failures)
  --fleet FILE        check every deployment of a fleet file (YAML or JSON, see docs/ci.md);
                      reports go to <reports>/<name>/ plus a fleet summary
  --fleet-concurrency N  at most N deployments at once (default 4)
  --shard i/n         run part i of n: of the fleet's deployments, or of the areas of one run;
                      combine the parts with \`placeos-contract merge DIR...\`

  placeos-contract merge [--reports OUT] DIR...
                      combine the reports of shards into one report (or one fleet report)
  placeos-contract verify DIR [--public-key FILE]
                      check a report bundle against its manifest (and signature): exit 0 intact, 1 not

exit codes: 0 contract holds, 1 contract violated, 2 could not run (settings, connection,
            a refused credential), 3 a secret was found in a report artifact,
            130 / 143 interrupted by SIGINT / SIGTERM (the bundle says INCOMPLETE)

${settingsHelp()}`;

const splitList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function oneOfValues(flag: string, v: string, values: readonly string[]): string {
  if (!values.includes(v)) throw new UsageError(`${flag}: expected one of ${values.join(', ')}, got '${v}'`);
  return v;
}

export function parseArgs(argv: readonly string[]): RunOptions {
  const o: RunOptions = {
    list: false,
    json: false,
    help: false,
    strict: false,
    tags: [],
    ids: [],
    skip: [],
    readonly: false,
    version: false,
    dryRun: false,
    bail: false,
    noColor: false,
    verbose: false,
    noLedger: false,
    reportsDir: 'reports',
    mutants: [],
    embedded: false,
    tls: false,
    quiet: false,
    failOn: 'any',
    fleetConcurrency: 4,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag}: expected a value after it`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--env':
        o.envFile = value(i++, a);
        break;
      case '--list':
        o.list = true;
        break;
      case '--json':
        o.json = true;
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      case '--version':
      case '-V':
        o.version = true;
        break;
      case '--dry-run':
        o.dryRun = true;
        break;
      case '--bail':
        o.bail = true;
        break;
      case '--no-color':
        o.noColor = true;
        break;
      case '--verbose':
        o.verbose = true;
        break;
      case '--skip':
        o.skip.push(...splitList(value(i++, a)));
        break;
      case '--strict':
        o.strict = true;
        break;
      case '--readonly':
        o.readonly = true;
        break;
      case '--no-ledger':
        o.noLedger = true;
        break;
      case '--tls':
        o.tls = true;
        break;
      case '--embedded':
        o.embedded = true;
        break;
      case '--quiet':
        o.quiet = true;
        break;
      case '--ledger':
        o.ledger = value(i++, a);
        break;
      case '--reports':
        o.reportsDir = value(i++, a);
        break;
      case '--profile':
        o.profile = oneOfValues(a, value(i++, a), GENERATIONS);
        break;
      case '--variant':
        o.variant = oneOfValues(a, value(i++, a), REFERENCE_VARIANTS);
        break;
      case '--mutant':
        o.mutants.push(...splitList(value(i++, a)));
        break;
      case '--only':
        o.ids.push(...splitList(value(i++, a)));
        break;
      case '--baseline':
        o.baseline = value(i++, a);
        break;
      case '--fleet':
        o.fleet = value(i++, a);
        break;
      case '--shard':
        o.shard = parseShard(value(i++, a));
        break;
      case '--fail-on': {
        const v = value(i++, a);
        if (v !== 'any' && v !== 'new') throw new UsageError(`--fail-on: expected any or new, got '${v}'`);
        o.failOn = v;
        break;
      }
      case '--fleet-concurrency': {
        const v = value(i++, a);
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 1 || n > 64) throw new UsageError(`--fleet-concurrency: expected a whole number from 1 to 64, got '${v}'`);
        o.fleetConcurrency = n;
        break;
      }
      case '--tags': {
        for (const t of splitList(value(i++, a))) {
          if (!(TAGS as readonly string[]).includes(t)) throw new UsageError(`--tags: expected some of ${TAGS.join(', ')}, got '${t}'`);
          o.tags.push(t as Tag);
        }
        break;
      }
      case '--generation': {
        const g = value(i++, a);
        if (!(GENERATIONS as readonly string[]).includes(g)) throw new UsageError(`--generation: expected one of ${GENERATIONS.join(', ')}, got '${g}'`);
        o.generation = g as Generation;
        break;
      }
      default:
        throw new UsageError(`unknown argument '${a}' (see --help)`);
    }
  }
  if (o.verbose && o.quiet) throw new UsageError('--verbose and --quiet exclude each other: give one of them');
  if (o.failOn === 'new' && !o.baseline) throw new UsageError('--fail-on new: needs --baseline (the run to compare with)');
  return o;
}
