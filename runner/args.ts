// Command-line arguments of `placeos-contract` (npm run contract -- …). Pure: argv in, options out.
import type { Tag } from '../helpers/model';
import { GENERATIONS, TAGS } from '../helpers/model';
import { settingsHelp } from './settings-docs';
import type { Generation } from '../helpers/model';

export interface RunOptions {
  envFile?: string;
  list: boolean;
  json: boolean;
  help: boolean;
  strict: boolean;
  tags: Tag[];
  ids: string[];
  readonly: boolean;
  ledger?: string;
  noLedger: boolean;
  reportsDir: string;
  generation?: Generation;
  /** Embedded reference target only. */
  profile?: string;
  /** Embedded reference target only: standard, hardened or doc-faithful. */
  variant?: string;
  mutants: string[];
  tls: boolean;
  quiet: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: npm run contract -- [options]

Checks the PlaceOS auth contract of the deployment named by PLACEOS_URL (environment or --env
file); with no PLACEOS_URL it starts the embedded reference target and checks that.

  --env FILE          read settings from a dotenv file (see env/*.env.example)
  --list [--json]     print every check (id, requirements, level, severity, generations) and exit
  --tags a,b          run only checks with one of these tags (${TAGS.join(', ')})
  --only p1,p2        run only checks whose id or requirement ID starts with one of these
  --readonly          change nothing beyond minting and revoking the run's own tokens: checks that
                      would sign in, log out or complete an SSO login are n/a
  --strict            warnings (SHOULD-level checks, stale ledger entries, the run's headline
                      warnings such as a generation inferred from the PKCE probe) break the build too
  --ledger FILE       deviation ledger to use (default ledger/<generation>.json)
  --no-ledger         use no ledger: every deviation fails (MUST) or warns (SHOULD/MAY)
  --generation G      hold the deployment to generation G (${GENERATIONS.join(', ')}) instead of detecting it
  --reports DIR       where reports go (default reports/)
  --profile P         embedded target: generation profile (rails, rails-2023, authcr)
  --variant V         embedded target: how the profile is deployed (standard, hardened, doc-faithful)
  --mutant M          embedded target: switch on a fault (repeatable; see npm run target -- --list-mutants)
  --tls               embedded target: serve https with a self-signed certificate
  --quiet             print only the summary

exit codes: 0 contract holds, 1 contract violated, 2 could not run (settings, connection),
            3 a secret was found in a report artifact

${settingsHelp()}`;

const splitList = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

export function parseArgs(argv: readonly string[]): RunOptions {
  const o: RunOptions = { list: false, json: false, help: false, strict: false, tags: [], ids: [], readonly: false, noLedger: false, reportsDir: 'reports', mutants: [], tls: false, quiet: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag}: expected a value after it`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--env': o.envFile = value(i++, a); break;
      case '--list': o.list = true; break;
      case '--json': o.json = true; break;
      case '--help': case '-h': o.help = true; break;
      case '--strict': o.strict = true; break;
      case '--readonly': o.readonly = true; break;
      case '--no-ledger': o.noLedger = true; break;
      case '--tls': o.tls = true; break;
      case '--quiet': o.quiet = true; break;
      case '--ledger': o.ledger = value(i++, a); break;
      case '--reports': o.reportsDir = value(i++, a); break;
      case '--profile': o.profile = value(i++, a); break;
      case '--variant': o.variant = value(i++, a); break;
      case '--mutant': o.mutants.push(...splitList(value(i++, a))); break;
      case '--only': o.ids.push(...splitList(value(i++, a))); break;
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
  return o;
}
