// Standalone reference target:
//   npm run target -- --profile rails --port 8443 --tls [--mutant name ...] [--list-mutants]
// Prints a dotenv file for the suite on stdout; hints go to stderr. Ctrl-C stops it cleanly.
import { MUTANTS, MUTANT_NAMES } from './mutants';
import { PROFILE_NAMES, VARIANT_NAMES, type ProfileName, type VariantName } from './profiles';
import { startReferenceTarget, type ReferenceTarget } from './index';

function fail(message: string): never {
  process.stderr.write(`placeos-reference: ${message}\n`);
  process.exit(2);
}

interface CliOptions {
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
  const checkMutant = (v: string, from: string): string => {
    if (!MUTANT_NAMES.includes(v)) fail(`${from} "${v}" is not a mutant; valid values: ${MUTANT_NAMES.join(', ')}`);
    return v;
  };
  const o: CliOptions = { profile: 'rails', variant: 'standard', port: 0, tls: false, mutants: [], list: false, quiet: false };
  if (env.PLACEOS_REFERENCE_PROFILE) o.profile = checkProfile(env.PLACEOS_REFERENCE_PROFILE, 'PLACEOS_REFERENCE_PROFILE');
  if (env.PLACEOS_REFERENCE_VARIANT) o.variant = checkVariant(env.PLACEOS_REFERENCE_VARIANT, 'PLACEOS_REFERENCE_VARIANT');
  if (env.PLACEOS_REFERENCE_MUTANTS) {
    for (const m of env.PLACEOS_REFERENCE_MUTANTS.split(',').map((s) => s.trim()).filter(Boolean)) o.mutants.push(checkMutant(m, 'PLACEOS_REFERENCE_MUTANTS entry'));
  }
  if (env.PLACEOS_REFERENCE_TLS !== undefined && env.PLACEOS_REFERENCE_TLS !== '') {
    if (!['1', 'true', '0', 'false'].includes(env.PLACEOS_REFERENCE_TLS)) fail(`PLACEOS_REFERENCE_TLS "${env.PLACEOS_REFERENCE_TLS}" is invalid; valid values: 1, true, 0, false`);
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
      case '--profile': o.profile = checkProfile(value(), 'option --profile'); break;
      case '--variant': o.variant = checkVariant(value(), 'option --variant'); break;
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) fail(`option --port "${v}" is invalid; valid values: 0 (ephemeral) to 65535`);
        o.port = n;
        break;
      }
      case '--tls': o.tls = true; break;
      case '--mutant': case '--mutants':
        for (const m of value().split(',').map((s) => s.trim()).filter(Boolean)) o.mutants.push(checkMutant(m, 'option --mutant'));
        break;
      case '--list-mutants': o.list = true; break;
      case '--quiet': o.quiet = true; break;
      case '--help': case '-h':
        process.stderr.write('usage: npm run target -- [--profile rails|rails-2023|authcr] [--variant standard|hardened|doc-faithful] [--port N] [--tls] [--mutant name ...] [--list-mutants] [--quiet]\n');
        process.exit(0);
        break;
      default:
        fail(`unknown option "${arg}"; valid options: --profile, --variant, --port, --tls, --mutant, --list-mutants, --quiet, --help`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2), process.env);
  if (o.list) {
    for (const m of MUTANTS) process.stdout.write(`${m.name}\t${m.requirement}${m.benign ? '\t(benign)' : ''}${m.profiles ? `\t[${m.profiles.join(',')}]` : ''}\t${m.breaks}\n`);
    return;
  }
  let target: ReferenceTarget;
  try {
    target = await startReferenceTarget({ profile: o.profile, variant: o.variant, port: o.port, tls: o.tls, mutants: o.mutants, quiet: o.quiet });
  } catch (e) {
    fail((e as Error).message);
  }
  process.stdout.write(target.envFile());
  process.stderr.write(`placeos-reference: ${target.profile}${target.variant !== 'standard' ? ` (${target.variant})` : ''} target on ${target.url} and ${target.otherAuthorityUrl}${target.mutants.length ? ` with mutants ${target.mutants.join(', ')}` : ''}\n`);
  process.stderr.write('placeos-reference: save stdout as a .env file for the suite; Ctrl-C to stop\n');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    target.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) void main();
