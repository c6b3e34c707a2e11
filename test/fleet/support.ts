// Runs the CLI as users and CI do: a child process of bin/placeos-contract.js.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export { contract, ROOT, type Run } from '../support/cli';

export const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
export const readJson = <T = Record<string, unknown>>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
