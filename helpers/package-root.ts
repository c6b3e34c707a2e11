// The package's own folder (package.json, schemas/, ledger/, keys/, bin/), found from the folder of
// the calling module: the same answer from the TypeScript sources and from their compiled copy
// under build/<digest>/ (bin/build.js).
import * as fs from 'node:fs';
import * as path from 'node:path';

export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = packageRoot();

/** The package's version, from its package.json (read once). */
export const PACKAGE_VERSION: string = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
