// A file-system failure of the run (the reports folder cannot be emptied or written) as one line
// naming the folder and the fix, instead of Node's `EACCES: permission denied, rmdir '…'`.
import * as path from 'node:path';

const WHY: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a file is in the way',
  EEXIST: 'a file is in the way',
  EISDIR: 'a folder is in the way',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EBUSY: 'the folder is in use',
};

/** The one line for a file-system error under the reports folder, or undefined for any other error. */
export function reportsFolderProblem(e: unknown, reportsDir: string): string | undefined {
  const err = e as NodeJS.ErrnoException;
  const why = typeof err?.code === 'string' ? WHY[err.code] : undefined;
  if (!why || typeof err.path !== 'string') return undefined;
  const dir = path.resolve(reportsDir);
  const at = path.resolve(err.path);
  // Only the folder, what is in it, or a folder above it that had to be made.
  const inside = (a: string, b: string) => a === b || a.startsWith(b.endsWith(path.sep) ? b : b + path.sep);
  if (!inside(at, dir) && !inside(dir, at)) return undefined;
  const where = at === dir ? '' : ` (at ${err.path})`;
  return `cannot write the reports folder ${dir}${where}: ${why}; choose a folder you can write to with --reports DIR, or fix its permissions`;
}
