// The package's folder (keys/), from the sources or from their compiled copy under build/<digest>/.
// The reference target imports nothing from the suite, so it finds the folder itself.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function referencePackageRoot(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
