// `placeos-contract verify reports/ [--public-key file]` (in a clone also `npm run verify-report --
// reports/`): checks a report bundle against its manifest (and signature). Prints OK or each problem; exit 0 when intact, 1 otherwise, 2 on usage.
import * as fs from 'node:fs';
import { verifyBundle } from './manifest';

const USAGE = 'usage: placeos-contract verify <reports-dir> [--public-key <pem file>]';

export function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): number {
  let dir: string | undefined;
  let keyFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--public-key') keyFile = argv[++i];
    else if (a.startsWith('--public-key=')) keyFile = a.slice('--public-key='.length);
    else if (a === '-h' || a === '--help') {
      out(USAGE);
      return 0;
    } else if (!dir) dir = a;
    else {
      out(`unexpected argument: ${a} (${USAGE})`);
      return 2;
    }
  }
  if (!dir || (argv.includes('--public-key') && !keyFile)) {
    out(USAGE);
    return 2;
  }
  let publicKeyPem: string | undefined;
  if (keyFile) {
    try {
      publicKeyPem = fs.readFileSync(keyFile, 'utf8');
    } catch (e) {
      out(`cannot read public key ${keyFile}: ${(e as Error).message}`);
      return 2;
    }
  }
  const r = verifyBundle(dir, publicKeyPem ? { publicKeyPem } : {});
  for (const n of r.notes) out(`note: ${n}`);
  if (r.ok) out(`OK: ${dir} matches its manifest`);
  else for (const p of r.problems) out(`PROBLEM: ${p}`);
  return r.ok ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
