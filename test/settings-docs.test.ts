// --help, env/*.env.example and docs/settings.md are generated from the settings declaration:
// this fails when a file drifts from it (fix: npm run settings:docs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { USAGE } from '../runner/args';
import { ENV_EXAMPLES, envExample, settingsDoc } from '../runner/settings-docs';
import { DECLARED } from '../helpers/settings';

const ROOT = join(__dirname, '..');
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');

test.each(ENV_EXAMPLES)('env/%s.env.example is the generated one', (name) => {
  expect(read(`env/${name}.env.example`)).toBe(envExample(name));
});

test('docs/settings.md is the generated one', () => {
  expect(read('docs/settings.md')).toBe(settingsDoc());
});

test('--help, the live example and the docs name every declared setting', () => {
  for (const s of Object.values(DECLARED)) {
    expect(USAGE).toContain(`  ${s.name} `);
    expect(read('env/live.env.example')).toMatch(new RegExp(`^#? ?${s.name}=`, 'm'));
    expect(read('docs/settings.md')).toContain(`\`${s.name}\``);
  }
});
