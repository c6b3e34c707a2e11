// Compiles the program's TypeScript (helpers/, runner/, specs/, reference/src/) to plain JavaScript
// under build/<digest>/, the digest being that of the sources' contents. A run then loads plain
// JavaScript, without a TypeScript transform in its start-up. A clone builds on its first run
// (esbuild, well under a second) and again after a source changes; `npm pack` ships the build.
// Type checking stays with `tsc --noEmit` (npm test); this only strips types, as tsx would.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createHash } = require('node:crypto');

const SOURCE_DIRS = ['helpers', 'runner', 'specs', 'reference/src'];
const BUILD_DIR = 'build';

function walk(root, rel, out) {
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) walk(root, r, out);
    else if (/\.(ts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(r);
  }
  return out;
}

/** The program's source files, relative to the package root, in a stable order. */
function sourceFiles(root) {
  return SOURCE_DIRS.flatMap((d) => walk(root, d, [])).sort();
}

function digestOf(root, files) {
  // This file too: a change of how the build is made makes a new build.
  const h = createHash('sha256').update(fs.readFileSync(__filename)).update('\0');
  for (const f of files)
    h.update(f.split(path.sep).join('/'))
      .update('\0')
      .update(fs.readFileSync(path.join(root, f)))
      .update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Writes the build of `files` into `out` (TypeScript compiled to CommonJS, JavaScript copied). */
function compile(root, files, out) {
  const ts = files.filter((f) => f.endsWith('.ts'));
  require('esbuild').buildSync({
    entryPoints: ts.map((f) => path.join(root, f)),
    outdir: out,
    outbase: root,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    // import() of our own modules becomes require(), as tsc and swc compile it for CommonJS.
    supported: { 'dynamic-import': false },
  });
  for (const f of files.filter((x) => !x.endsWith('.ts'))) {
    fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(out, f));
  }
}

/**
 * The folder of an up-to-date build of the package at `root`, building it when needed; undefined
 * when it is out of date and cannot be written (a read-only install whose sources were edited).
 */
function ensureBuilt(root) {
  const files = sourceFiles(root);
  const digest = digestOf(root, files);
  const dir = path.join(root, BUILD_DIR);
  const out = path.join(dir, digest);
  if (fs.existsSync(path.join(out, '.complete'))) return out;
  // Several runs may start at once (a fleet): each builds aside and renames; the first one wins.
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    fs.mkdirSync(tmp, { recursive: true });
    compile(root, files, tmp);
    fs.writeFileSync(path.join(tmp, '.complete'), digest + '\n');
    try {
      fs.renameSync(tmp, out);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
    return undefined;
  }
  // Builds of earlier sources: gone once a newer one exists (a run still using one has loaded it).
  for (const e of fs.readdirSync(dir)) if (e !== digest && !e.includes('.tmp-')) fs.rmSync(path.join(dir, e), { recursive: true, force: true });
  return fs.existsSync(path.join(out, '.complete')) ? out : undefined;
}

module.exports = { ensureBuilt, sourceFiles, digestOf, BUILD_DIR };

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const out = ensureBuilt(root);
  if (!out) {
    process.stderr.write(`build: could not write ${path.join(root, BUILD_DIR)}\n`);
    process.exit(2);
  }
  process.stderr.write(`build: ${path.relative(root, out)}\n`);
}
