// Standalone reference target:
//   npm run target -- --profile rails --port 8443 --tls [--mutant name ...] [--list-mutants]
//   npm run target -- --engine doorkeeper [--port N] [--mutant pkce-ignored ...]   (Rails + Doorkeeper, Debian packages)
// Prints a dotenv file for the suite on stdout; hints go to stderr. Ctrl-C stops it cleanly.
import { MUTANTS, MUTANT_NAMES } from './mutants';
import { PROFILE_NAMES, VARIANT_NAMES, type ProfileName, type VariantName } from './profiles';
import { startReferenceTarget, type ReferenceTarget } from './index';
import { DOORKEEPER_MUTANTS, type DoorkeeperMutant } from '../doorkeeper/mutants';

function fail(message: string): never {
  process.stderr.write(`placeos-reference: ${message}\n`);
  process.exit(2);
}

interface CliOptions {
  /** embedded: the Node reference target; doorkeeper: the Rails app in reference/doorkeeper. */
  engine: 'embedded' | 'doorkeeper';
  profile: ProfileName;
  variant: VariantName;
  port: number;
  tls: boolean;
  mutants: string[];
  list: boolean;
  quiet: boolean;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const checkProfile = (v: string | undefined, from: string): ProfileName => {
    if (!v || !PROFILE_NAMES.includes(v as ProfileName)) fail(`${from} "${v ?? ''}" is not a profile; valid values: ${PROFILE_NAMES.join(', ')}`);
    return v as ProfileName;
  };
  const checkVariant = (v: string | undefined, from: string): VariantName => {
    if (!v || !VARIANT_NAMES.includes(v as VariantName)) fail(`${from} "${v ?? ''}" is not a variant; valid values: ${VARIANT_NAMES.join(', ')}`);
    return v as VariantName;
  };
  // Checked once the engine is known (each engine has its own mutants).
  const from = new Map<string, string>();
  const checkMutant = (v: string, source: string): string => (from.set(v, source), v);
  const o: CliOptions = { engine: 'embedded', profile: 'rails', variant: 'standard', port: 0, tls: false, mutants: [], list: false, quiet: false };
  if (env.PLACEOS_REFERENCE_PROFILE) o.profile = checkProfile(env.PLACEOS_REFERENCE_PROFILE, 'PLACEOS_REFERENCE_PROFILE');
  if (env.PLACEOS_REFERENCE_VARIANT) o.variant = checkVariant(env.PLACEOS_REFERENCE_VARIANT, 'PLACEOS_REFERENCE_VARIANT');
  if (env.PLACEOS_REFERENCE_MUTANTS) {
    for (const m of env.PLACEOS_REFERENCE_MUTANTS.split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      o.mutants.push(checkMutant(m, 'PLACEOS_REFERENCE_MUTANTS entry'));
  }
  if (env.PLACEOS_REFERENCE_TLS !== undefined && env.PLACEOS_REFERENCE_TLS !== '') {
    if (!['1', 'true', '0', 'false'].includes(env.PLACEOS_REFERENCE_TLS))
      fail(`PLACEOS_REFERENCE_TLS "${env.PLACEOS_REFERENCE_TLS}" is invalid; valid values: 1, true, 0, false`);
    o.tls = ['1', 'true'].includes(env.PLACEOS_REFERENCE_TLS);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) fail(`option ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--engine': {
        const v = value();
        if (v !== 'embedded' && v !== 'doorkeeper') fail(`option --engine "${v}" is invalid; valid values: embedded, doorkeeper`);
        o.engine = v;
        break;
      }
      case '--profile':
        o.profile = checkProfile(value(), 'option --profile');
        break;
      case '--variant':
        o.variant = checkVariant(value(), 'option --variant');
        break;
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) fail(`option --port "${v}" is invalid; valid values: 0 (ephemeral) to 65535`);
        o.port = n;
        break;
      }
      case '--tls':
        o.tls = true;
        break;
      case '--mutant':
      case '--mutants':
        for (const m of value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean))
          o.mutants.push(checkMutant(m, 'option --mutant'));
        break;
      case '--list-mutants':
        o.list = true;
        break;
      case '--quiet':
        o.quiet = true;
        break;
      case '--help':
      case '-h':
        process.stderr.write(
          'usage: npm run target -- [--engine embedded|doorkeeper] [--profile rails|rails-2023|authcr] [--variant standard|hardened|doc-faithful] [--port N] [--tls] [--mutant name ...] [--list-mutants] [--quiet]\n',
        );
        process.exit(0);
        break;
      default:
        fail(`unknown option "${arg}"; valid options: --engine, --profile, --variant, --port, --tls, --mutant, --list-mutants, --quiet, --help`);
    }
  }
  const valid = o.engine === 'doorkeeper' ? Object.keys(DOORKEEPER_MUTANTS) : MUTANT_NAMES;
  for (const m of o.mutants)
    if (!valid.includes(m))
      fail(`${from.get(m)} "${m}" is not a mutant${o.engine === 'doorkeeper' ? ' of the doorkeeper engine' : ''}; valid values: ${valid.join(', ')}`);
  if (o.engine === 'doorkeeper' && o.tls) fail('--tls: the doorkeeper engine serves plain HTTP on loopback only');
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2), process.env);
  if (o.list && o.engine === 'doorkeeper') {
    for (const [name, breaks] of Object.entries(DOORKEEPER_MUTANTS)) process.stdout.write(`${name}\t${breaks}\n`);
    return;
  }
  if (o.engine === 'doorkeeper') return runDoorkeeper(o);
  if (o.list) {
    for (const m of MUTANTS)
      process.stdout.write(`${m.name}\t${m.requirement}${m.benign ? '\t(benign)' : ''}${m.profiles ? `\t[${m.profiles.join(',')}]` : ''}\t${m.breaks}\n`);
    return;
  }
  let target: ReferenceTarget;
  try {
    target = await startReferenceTarget({ profile: o.profile, variant: o.variant, port: o.port, tls: o.tls, mutants: o.mutants, quiet: o.quiet });
  } catch (e) {
    fail((e as Error).message);
  }
  process.stdout.write(target.envFile());
  process.stderr.write(
    `placeos-reference: ${target.profile}${target.variant !== 'standard' ? ` (${target.variant})` : ''} target on ${target.url} and ${target.otherAuthorityUrl}${target.mutants.length ? ` with mutants ${target.mutants.join(', ')}` : ''}\n`,
  );
  process.stderr.write('placeos-reference: save stdout as a .env file for the suite; Ctrl-C to stop\n');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    target.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function runDoorkeeper(o: CliOptions): Promise<void> {
  const { startDoorkeeperTarget } = require('../doorkeeper/start') as typeof import('../doorkeeper/start');
  let target;
  try {
    target = await startDoorkeeperTarget({ port: o.port, mutants: o.mutants as DoorkeeperMutant[], log: o.quiet ? () => undefined : undefined });
  } catch (e) {
    fail((e as Error).message);
  }
  process.stdout.write(target.envFile());
  process.stderr.write(
    `placeos-reference: Doorkeeper target on ${target.url} and ${target.otherAuthorityUrl}${target.mutants.length ? ` with mutants ${target.mutants.join(', ')}` : ''}\n`,
  );
  process.stderr.write('placeos-reference: save stdout as a .env file for the suite (run it with --generation rails); Ctrl-C to stop\n');
  const stop = (): void =>
    void target.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) void main();
