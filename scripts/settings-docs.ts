// npm run settings:docs: writes env/*.env.example and docs/settings.md from the settings
// declaration. With --check it writes nothing and exits 1 when a file is out of date.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENV_EXAMPLES, envExample, settingsDoc } from '../runner/settings-docs';

const ROOT = path.resolve(__dirname, '..');
const files: [string, string][] = [...ENV_EXAMPLES.map((n): [string, string] => [`env/${n}.env.example`, envExample(n)]), ['docs/settings.md', settingsDoc()]];
const check = process.argv.includes('--check');
let stale = 0;
for (const [rel, text] of files) {
  const file = path.join(ROOT, rel);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current === text) continue;
  stale++;
  if (check) process.stdout.write(`${rel} is out of date: npm run settings:docs\n`);
  else fs.writeFileSync(file, text);
}
if (!check) process.stdout.write(`${stale} file(s) written\n`);
process.exitCode = check && stale ? 1 : 0;
