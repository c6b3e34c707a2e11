// A clone (or the installed package) works on its own: no tracked file reads, requires or cites
// material outside the repository. The reference notes the project was first written from live
// beside some checkouts; users do not have them. (test/package.test.ts runs the packed suite
// from a folder outside the repository.)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
// Built from parts so that this file does not name what it looks for.
const FORBIDDEN = [['..', 'shared'].join('/'), ['shared', 'contract'].join('/'), ['', 'work', 'shared'].join('/')];

/** Tracked files (git), or every file but node_modules when the copy is not a git checkout. */
function projectFiles(): string[] {
  if (fs.existsSync(path.join(ROOT, '.git'))) {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  }
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory() && d.name !== 'node_modules' && d.name !== 'reports') walk(r);
      else if (d.isFile()) out.push(r);
    }
  };
  walk('');
  return out;
}

test('no project file names a folder outside the repository', () => {
  const files = projectFiles();
  expect(files).toEqual(expect.arrayContaining(['package.json', 'docs/contract.md', 'keys/placeos-default/public.pem']));
  const hits: string[] = [];
  for (const f of files) {
    const full = path.join(ROOT, f);
    if (!fs.existsSync(full)) continue; // deleted in the working tree, not yet committed
    const text = fs.readFileSync(full, 'latin1');
    for (const needle of FORBIDDEN) {
      text.split('\n').forEach((line, i) => {
        if (line.includes(needle)) hits.push(`${f}:${i + 1} names ${needle}`);
      });
    }
  }
  expect(hits).toEqual([]);
});

test('.ci/run needs nothing beside the checkout', () => {
  const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
  expect(ci).not.toMatch(/\.\.\//);
});
